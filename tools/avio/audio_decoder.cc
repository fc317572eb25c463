#include "audio_decoder.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

namespace avio::tools {

const char *sample_format_name(SampleFormat format) {
  switch (format) {
    case SampleFormat::kS16: return "s16";
    case SampleFormat::kS32: return "s32";
    case SampleFormat::kFloat: return "flt";
  }
  return "?";
}

int bytes_per_sample(SampleFormat format) { return format == SampleFormat::kS16 ? 2 : 4; }

namespace {

AVSampleFormat to_av(SampleFormat format) {
  switch (format) {
    case SampleFormat::kS16: return AV_SAMPLE_FMT_S16;
    case SampleFormat::kS32: return AV_SAMPLE_FMT_S32;
    case SampleFormat::kFloat: return AV_SAMPLE_FMT_FLT;
  }
  return AV_SAMPLE_FMT_S16;
}

// FFmpeg reports damage it works around (a partial frame, a bad CRC) only in
// its log. The tool treats an error-severity message as damage, so it
// captures them instead of letting FFmpeg print; only the first is kept.
std::mutex log_mutex;
std::string *log_capture = nullptr;

void capture_log(void *, int level, const char *fmt, va_list args) {
  if (level > AV_LOG_ERROR) return;
  std::lock_guard<std::mutex> lock(log_mutex);
  if (!log_capture || !log_capture->empty()) return;
  char line[512];
  std::vsnprintf(line, sizeof line, fmt, args);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  *log_capture = text.empty() ? "error" : text;
}

class LogCapture {
 public:
  explicit LogCapture(std::string *sink) {
    std::lock_guard<std::mutex> lock(log_mutex);
    log_capture = sink;
    av_log_set_callback(capture_log);
  }
  ~LogCapture() {
    std::lock_guard<std::mutex> lock(log_mutex);
    log_capture = nullptr;
  }
  LogCapture(const LogCapture &) = delete;
  LogCapture &operator=(const LogCapture &) = delete;
};

std::string layout_text(const AVChannelLayout &layout) {
  char text[128] = {};
  if (av_channel_layout_describe(&layout, text, sizeof text) < 0)
    return std::to_string(layout.nb_channels) + " channels";
  return text;
}

}  // namespace

struct AudioDecoder::Impl {
  AVFormatContext *format = nullptr;
  AVCodecContext *codec = nullptr;
  SwrContext *swr = nullptr;
  AVPacket *packet = nullptr;
  AVFrame *frame = nullptr;
  int stream_index = -1;
  ErrorFrom errors_from;
  SourceInfo info;
  PcmFormat out;
  AVChannelLayout out_layout{};
  // The input the converter was set up for (frames may change it midstream).
  AVSampleFormat swr_in_format = AV_SAMPLE_FMT_NONE;
  int swr_in_rate = 0;
  AVChannelLayout swr_in_layout{};
  std::vector<uint8_t> pcm;
  int64_t samples = 0;  // delivered, at the output rate
  int64_t decoded = 0;  // decoded, at the source rate
  std::string logged_error;
  bool exact_length = false;  // PCM: the header's length is exact

  ~Impl() {
    swr_free(&swr);
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&codec);
    // Custom I/O: closing the input leaves the AVIOContext to its owner.
    avformat_close_input(&format);
    av_channel_layout_uninit(&out_layout);
    av_channel_layout_uninit(&swr_in_layout);
  }

  Error fail(int code, std::string_view context) const { return errors_from(code, context); }

  Status setup_converter(AVFrame &f) {
    swr_free(&swr);
    const int ret = swr_alloc_set_opts2(&swr, &out_layout, to_av(out.format), out.sample_rate, &f.ch_layout,
                                        static_cast<AVSampleFormat>(f.format), f.sample_rate, 0, nullptr);
    if (ret < 0) return fail(ret, "setting up the sample converter");
    if (const int r = swr_init(swr); r < 0) return fail(r, "setting up the sample converter");
    swr_in_format = static_cast<AVSampleFormat>(f.format);
    swr_in_rate = f.sample_rate;
    av_channel_layout_uninit(&swr_in_layout);
    av_channel_layout_copy(&swr_in_layout, &f.ch_layout);
    return {};
  }

  // Converts `in` (nullptr: drain the converter) and hands the PCM to the sink.
  Status convert(const AVFrame *in, const Sink &sink) {
    const int in_samples = in ? in->nb_samples : 0;
    for (;;) {
      const int capacity = swr_get_out_samples(swr, in_samples) + 32;
      pcm.resize(static_cast<size_t>(capacity) * static_cast<size_t>(out.frame_bytes()));
      uint8_t *dst = pcm.data();
      const int n =
          swr_convert(swr, &dst, capacity, in ? const_cast<const uint8_t **>(in->extended_data) : nullptr, in_samples);
      if (n < 0) return fail(n, "converting samples");
      if (n > 0) {
        samples += n;
        if (Status st = sink({pcm.data(), static_cast<size_t>(n) * static_cast<size_t>(out.frame_bytes())}); !st)
          return st;
      }
      // With input, one call converts all of it; draining takes calls until empty.
      if (in || n == 0) return {};
    }
  }

  Status receive_frames(const Sink &sink) {
    for (;;) {
      const int ret = avcodec_receive_frame(codec, frame);
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return {};
      if (ret < 0) return fail(ret, "decoding");
      if (frame->decode_error_flags || (frame->flags & AV_FRAME_FLAG_CORRUPT)) {
        av_frame_unref(frame);
        return Error(AVERROR_INVALIDDATA, "decoding: the decoder flagged a damaged frame");
      }
      if (!swr || frame->format != swr_in_format || frame->sample_rate != swr_in_rate ||
          av_channel_layout_compare(&frame->ch_layout, &swr_in_layout) != 0) {
        if (swr) {  // drain what the old conversion still holds
          if (Status st = convert(nullptr, sink); !st) return st;
        }
        if (Status st = setup_converter(*frame); !st) return st;
      }
      decoded += frame->nb_samples;
      Status st = convert(frame, sink);
      av_frame_unref(frame);
      if (!st) return st;
    }
  }

  Status damage() const {
    if (logged_error.empty()) return {};
    return Error(AVERROR_INVALIDDATA, "damaged input: " + logged_error);
  }
};

AudioDecoder::AudioDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AudioDecoder::AudioDecoder(AudioDecoder &&) noexcept = default;
AudioDecoder &AudioDecoder::operator=(AudioDecoder &&) noexcept = default;
AudioDecoder::~AudioDecoder() = default;

const SourceInfo &AudioDecoder::source() const { return impl_->info; }
int64_t AudioDecoder::samples_written() const { return impl_->samples; }
int64_t AudioDecoder::samples_decoded() const { return impl_->decoded; }

namespace {

// With one audio stream there is nothing to choose: the others are dropped
// before probing (the probe then reads no video), and the reader is told
// where the audio packets are, chunks of adjacent packets as one range.
void announce_the_audio(AVFormatContext *format, const AudioDecoder::WillRead &will_read) {
  int audio = -1;
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    if (format->streams[i]->codecpar->codec_type != AVMEDIA_TYPE_AUDIO) continue;
    if (audio >= 0) return;
    audio = static_cast<int>(i);
  }
  if (audio < 0) return;
  AVStream *stream = format->streams[audio];
  const int entries = avformat_index_get_entries_count(stream);
  if (entries <= 0) return;
  std::vector<ByteRange> ranges;
  for (int k = 0; k < entries; ++k) {
    const AVIndexEntry *e = avformat_index_get_entry(stream, k);
    if (!e || e->pos < 0 || e->size <= 0) return;  // not an index of byte ranges
    if (!ranges.empty() && ranges.back().end() == e->pos) {
      ranges.back().length += e->size;
    } else {
      ranges.push_back({e->pos, e->size});
    }
  }
  for (unsigned i = 0; i < format->nb_streams; ++i)
    if (static_cast<int>(i) != audio) format->streams[i]->discard = AVDISCARD_ALL;
  will_read(ranges);
}

}  // namespace

Result<AudioDecoder> AudioDecoder::open(AVIOContext *pb, ErrorFrom errors_from, const WillRead &will_read) {
  auto impl = std::make_unique<Impl>();
  impl->errors_from = std::move(errors_from);
  Impl &d = *impl;
  LogCapture capture(&d.logged_error);

  d.format = avformat_alloc_context();
  if (!d.format) return Error(AVERROR(ENOMEM), "allocating the demuxer");
  d.format->pb = pb;
  d.format->flags |= AVFMT_FLAG_CUSTOM_IO;
  if (const int ret = avformat_open_input(&d.format, nullptr, nullptr, nullptr); ret < 0) {
    // avformat_open_input frees the context on failure (and leaves pb alone).
    d.format = nullptr;
    if (ret == AVERROR_INVALIDDATA) return Error(ret, "not a media file FFmpeg can read");
    if (ret == AVERROR_EOF) return Error(ret, "truncated: the input ends before its headers could be read");
    return d.fail(ret, "opening the input");
  }
  if (will_read) announce_the_audio(d.format, will_read);
  if (const int ret = avformat_find_stream_info(d.format, nullptr); ret < 0) {
    if (ret == AVERROR_EOF) return Error(ret, "truncated: the input ends before its headers could be read");
    return d.fail(ret, "reading the stream information");
  }
  const AVCodec *decoder = nullptr;
  d.stream_index = av_find_best_stream(d.format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
  if (d.stream_index == AVERROR_STREAM_NOT_FOUND)
    return Error(AVERROR_STREAM_NOT_FOUND, "no audio stream in the input");
  if (d.stream_index < 0) return d.fail(d.stream_index, "finding the audio stream");
  if (!decoder) return Error(AVERROR_DECODER_NOT_FOUND, "no decoder for the audio stream");
  AVStream *stream = d.format->streams[d.stream_index];
  // Only the chosen stream's packets are wanted; let the demuxer drop the rest.
  for (unsigned i = 0; i < d.format->nb_streams; ++i)
    if (static_cast<int>(i) != d.stream_index) d.format->streams[i]->discard = AVDISCARD_ALL;

  d.codec = avcodec_alloc_context3(decoder);
  if (!d.codec) return Error(AVERROR(ENOMEM), "allocating the decoder");
  if (const int ret = avcodec_parameters_to_context(d.codec, stream->codecpar); ret < 0)
    return d.fail(ret, "setting up the decoder");
  d.codec->pkt_timebase = stream->time_base;
  if (const int ret = avcodec_open2(d.codec, decoder, nullptr); ret < 0) return d.fail(ret, "opening the decoder");
  d.packet = av_packet_alloc();
  d.frame = av_frame_alloc();
  if (!d.packet || !d.frame) return Error(AVERROR(ENOMEM), "allocating packets");

  SourceInfo &info = d.info;
  info.container = d.format->iformat->name;
  info.container_long = d.format->iformat->long_name ? d.format->iformat->long_name : "";
  info.codec = decoder->name;
  const char *fmt_name = av_get_sample_fmt_name(d.codec->sample_fmt);
  info.sample_format = fmt_name ? fmt_name : "unknown";
  info.sample_rate = d.codec->sample_rate;
  info.channels = d.codec->ch_layout.nb_channels;
  info.channel_layout = layout_text(d.codec->ch_layout);
  if (d.format->duration != AV_NOPTS_VALUE && d.format->duration > 0) info.duration_us = d.format->duration;
  // A length the header states (not one estimated from the bit rate), as
  // samples per channel after the codec's own delay and padding.
  if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0 &&
      d.format->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE && d.codec->sample_rate > 0) {
    int64_t n = av_rescale_q(stream->duration, stream->time_base, AVRational{1, d.codec->sample_rate});
    n -= stream->codecpar->initial_padding + stream->codecpar->trailing_padding;
    // A start time that is the encoder delay the demuxer skips (MP3's LAME header).
    if (stream->start_time != AV_NOPTS_VALUE && stream->start_time > 0)
      n -= av_rescale_q(stream->start_time, stream->time_base, AVRational{1, d.codec->sample_rate});
    info.expected_samples = n;
    d.exact_length = av_get_exact_bits_per_sample(d.codec->codec_id) > 0 || d.codec->codec_id == AV_CODEC_ID_FLAC;
  }
  // Errors FFmpeg only logs while reading the headers (a malformed tag,
  // say) do not make the audio damaged; reading starts with a clean slate.
  d.logged_error.clear();
  return AudioDecoder(std::move(impl));
}

Result<PcmFormat> AudioDecoder::configure(const OutputSpec &spec) {
  Impl &d = *impl_;
  if (spec.sample_rate < 0 || spec.sample_rate > 768000)
    return Error::invalid_argument("sample rate out of range: " + std::to_string(spec.sample_rate));
  if (spec.channels < 0 || spec.channels > 64)
    return Error::invalid_argument("channel count out of range: " + std::to_string(spec.channels));
  d.out.format = spec.format;
  d.out.sample_rate = spec.sample_rate ? spec.sample_rate : d.codec->sample_rate;
  av_channel_layout_uninit(&d.out_layout);
  if (spec.channels == 0 || spec.channels == d.codec->ch_layout.nb_channels) {
    av_channel_layout_copy(&d.out_layout, &d.codec->ch_layout);
  } else {
    av_channel_layout_default(&d.out_layout, spec.channels);
  }
  d.out.channels = d.out_layout.nb_channels;
  d.out.channel_mask = d.out_layout.order == AV_CHANNEL_ORDER_NATIVE ? d.out_layout.u.mask : 0;
  if (d.out.sample_rate <= 0 || d.out.channels <= 0)
    return Error(AVERROR_INVALIDDATA, "the audio stream declares no sample rate or channel count");
  return d.out;
}

Status AudioDecoder::run(const Sink &sink, const Progress &progress) {
  Impl &d = *impl_;
  LogCapture capture(&d.logged_error);
  for (;;) {
    int ret = av_read_frame(d.format, d.packet);
    if (ret == AVERROR_EOF) break;
    if (ret < 0) return d.fail(ret, "reading the input");
    if (d.packet->stream_index != d.stream_index) {
      av_packet_unref(d.packet);
      continue;
    }
    if (d.packet->flags & AV_PKT_FLAG_CORRUPT) {
      av_packet_unref(d.packet);
      return Error(AVERROR_INVALIDDATA, "truncated or damaged: the demuxer flagged an incomplete or corrupt packet");
    }
    ret = avcodec_send_packet(d.codec, d.packet);
    av_packet_unref(d.packet);
    if (ret < 0 && ret != AVERROR(EAGAIN)) return d.fail(ret, "decoding");
    if (Status st = d.receive_frames(sink); !st) return st;
    if (Status st = d.damage(); !st) return st;
    if (progress) progress();
  }
  if (const int ret = avcodec_send_packet(d.codec, nullptr); ret < 0 && ret != AVERROR_EOF)
    return d.fail(ret, "decoding");
  if (Status st = d.receive_frames(sink); !st) return st;
  if (d.swr) {
    if (Status st = d.convert(nullptr, sink); !st) return st;
  }
  if (Status st = d.damage(); !st) return st;
  // Lossy formats may state a length that still counts the encoder's end
  // padding, which the decoder trims (at most about a frame); PCM and FLAC
  // state the exact count. A whole frame missing is truncation.
  const int64_t slack = d.exact_length ? 0 : std::max(d.codec->frame_size, 1152);
  const int64_t shortfall = d.info.expected_samples - d.decoded;
  if (d.info.expected_samples > 0 && shortfall > 0 && shortfall >= std::max<int64_t>(slack, 1))
    return Error(AVERROR_INVALIDDATA, "truncated: the header promises " + std::to_string(d.info.expected_samples) +
                                          " samples per channel, the data holds " + std::to_string(d.decoded));
  return {};
}

}  // namespace avio::tools
