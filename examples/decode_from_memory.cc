// Decoding audio from memory with the C++ API and the FFmpeg bridge.
//
// The FFmpeg tutorial "avio_decode_audio" hands libavformat a read callback
// over a buffer in memory. Here avio does that part: the file is read into
// memory, an avio::IOContext serves it, and avio::ffmpeg::IOBridge turns the
// context into the AVIOContext FFmpeg wants. The bridge owns FFmpeg's buffer
// and frees the right one, so there is no cleanup to get wrong.
//
//   decode_from_memory INPUT      prints the format and the samples decoded
#include <cstdio>
#include <vector>

#include "avio/ffmpeg/errors.hpp"
#include "avio/ffmpeg/io_bridge.hpp"
#include "avio/io_context.hpp"
#include "avio/url.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

static int fail(const char *what, const avio::Error &e) {
  std::fprintf(stderr, "decode_from_memory: %s: %s\n", what, avio::ffmpeg::describe(e).c_str());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: decode_from_memory INPUT\n");
    return 2;
  }

  // 1. The whole input in memory (any avio URL works: file, pipe:, subfile:...).
  avio::Result<avio::IOContext> file = avio::open_url(argv[1]);
  if (!file) return fail(argv[1], file.error());
  std::vector<uint8_t> bytes;
  uint8_t block[65536];
  for (;;) {
    avio::Result<size_t> n = file->read_partial(block);
    if (!n && n.error().is_eof()) break;
    if (!n) return fail(argv[1], n.error());
    bytes.insert(bytes.end(), block, block + *n);
  }

  // 2. A context over the memory, and the AVIOContext FFmpeg reads through.
  //    from_memory reads and seeks within the span; it must outlive both.
  avio::IOContext memory = avio::IOContext::from_memory(bytes);
  avio::Result<avio::ffmpeg::IOBridge> bridge = avio::ffmpeg::IOBridge::reader(memory);
  if (!bridge) return fail("bridge", bridge.error());

  // 3. Plain libavformat from here on. AVFMT_FLAG_CUSTOM_IO tells it that
  //    pb is ours: avformat_close_input will not close it.
  AVFormatContext *format = avformat_alloc_context();
  format->pb = bridge->get();
  format->flags |= AVFMT_FLAG_CUSTOM_IO;
  int ret = avformat_open_input(&format, nullptr, nullptr, nullptr);
  if (ret < 0) return fail("opening", bridge->error_from(ret, "avformat_open_input"));
  ret = avformat_find_stream_info(format, nullptr);
  const AVCodec *codec = nullptr;
  const int stream = ret < 0 ? ret : av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (stream < 0 || !codec) {
    avformat_close_input(&format);
    return fail("finding audio", avio::ffmpeg::from_averror(stream < 0 ? stream : AVERROR_DECODER_NOT_FOUND, "audio"));
  }

  // 4. The decoder, set up from the stream's parameters (the tutorial
  //    skipped this, which only works for self-describing ADTS).
  AVCodecContext *decoder = avcodec_alloc_context3(codec);
  avcodec_parameters_to_context(decoder, format->streams[stream]->codecpar);
  decoder->pkt_timebase = format->streams[stream]->time_base;
  ret = avcodec_open2(decoder, codec, nullptr);

  // 5. Demux and decode; a null packet at the end drains the decoder.
  AVPacket *packet = av_packet_alloc();
  AVFrame *frame = av_frame_alloc();
  int64_t samples = 0;
  bool draining = false;
  while (ret >= 0 && !draining) {
    ret = av_read_frame(format, packet);
    if (ret == AVERROR_EOF) {
      draining = true;
      ret = avcodec_send_packet(decoder, nullptr);
    } else if (ret >= 0) {
      if (packet->stream_index == stream) ret = avcodec_send_packet(decoder, packet);
      av_packet_unref(packet);
    }
    while (ret >= 0) {
      ret = avcodec_receive_frame(decoder, frame);
      if (ret >= 0) samples += frame->nb_samples;  // the PCM is in frame->extended_data
    }
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) ret = 0;
  }

  if (ret >= 0)
    std::printf("%s: %s, %s, %d Hz, %d channels, %lld samples per channel\n", argv[1], format->iformat->name,
                codec->name, decoder->sample_rate, decoder->ch_layout.nb_channels, static_cast<long long>(samples));
  av_frame_free(&frame);
  av_packet_free(&packet);
  avcodec_free_context(&decoder);
  avformat_close_input(&format);
  // The bridge (declared after `memory`) is destroyed first: it frees
  // FFmpeg's current buffer and context; then `memory`, then `bytes`.
  if (ret < 0) return fail("decoding", bridge->error_from(ret, "decoding"));
  return 0;
}
