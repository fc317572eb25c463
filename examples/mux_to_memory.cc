// Collecting a muxer's output in memory through a dynamic buffer.
//
// avio::IOContext::dynamic_buffer() is a growing, seekable memory sink
// (FFmpeg's avio_open_dyn_buf). Bridged to FFmpeg, it is where a muxer
// writes; because it can seek, the muxer patches its header at the end, as
// it would in a file. Here libavformat's WAV muxer writes one second of a
// 440 Hz tone, and the program checks the header the muxer patched.
//
//   mux_to_memory [OUTPUT.wav]   prints the size; writes the bytes if asked
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "avio/ffmpeg/errors.hpp"
#include "avio/ffmpeg/io_bridge.hpp"
#include "avio/io_context.hpp"
#include "avio/url.hpp"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
}

static int fail(const char *what, const avio::Error &e) {
  std::fprintf(stderr, "mux_to_memory: %s: %s\n", what, avio::ffmpeg::describe(e).c_str());
  return 1;
}

int main(int argc, char **argv) {
  constexpr int kRate = 44100;
  avio::IOContext sink = avio::IOContext::dynamic_buffer();
  int ret = 0;
  {
    // The bridge lives only while the muxer writes; flush() hands everything
    // FFmpeg still buffers to the sink.
    avio::Result<avio::ffmpeg::IOBridge> bridge = avio::ffmpeg::IOBridge::writer(sink);
    if (!bridge) return fail("bridge", bridge.error());
    AVFormatContext *muxer = nullptr;
    ret = avformat_alloc_output_context2(&muxer, nullptr, "wav", nullptr);
    if (ret < 0) return fail("muxer", avio::ffmpeg::from_averror(ret, "wav"));
    muxer->pb = bridge->get();
    muxer->flags |= AVFMT_FLAG_CUSTOM_IO;
    AVStream *stream = avformat_new_stream(muxer, nullptr);
    stream->codecpar->codec_type = AVMEDIA_TYPE_AUDIO;
    stream->codecpar->codec_id = AV_CODEC_ID_PCM_S16LE;
    stream->codecpar->sample_rate = kRate;
    av_channel_layout_default(&stream->codecpar->ch_layout, 1);
    stream->codecpar->bits_per_coded_sample = 16;
    stream->codecpar->block_align = 2;
    ret = avformat_write_header(muxer, nullptr);

    // One packet per 1/10 s of samples.
    AVPacket *packet = av_packet_alloc();
    for (int start = 0; ret >= 0 && start < kRate; start += kRate / 10) {
      ret = av_new_packet(packet, kRate / 10 * 2);
      for (int i = 0; ret >= 0 && i < kRate / 10; ++i) {
        const auto v = static_cast<int16_t>(10000 * std::sin(2 * M_PI * 440 * (start + i) / kRate));
        std::memcpy(packet->data + 2 * static_cast<ptrdiff_t>(i), &v, 2);
      }
      packet->pts = packet->dts = start;
      packet->duration = kRate / 10;
      av_packet_rescale_ts(packet, AVRational{1, kRate}, stream->time_base);
      if (ret >= 0) ret = av_write_frame(muxer, packet);
      av_packet_unref(packet);
    }
    if (ret >= 0) ret = av_write_trailer(muxer);  // seeks back to write the sizes
    av_packet_free(&packet);
    avformat_free_context(muxer);
    if (ret < 0) return fail("muxing", bridge->error_from(ret, "muxing"));
    if (avio::Status st = bridge->flush(); !st) return fail("flushing", st.error());
  }

  // The bytes, padded for decoders, owned by `wav`.
  avio::Result<avio::PaddedBytes> wav = sink.close_dynamic_buffer();
  if (!wav) return fail("closing the buffer", wav.error());
  // The muxer wrote a LIST chunk before "data"; find the data chunk's size.
  uint32_t data_size = 0;
  const auto *data = static_cast<const uint8_t *>(memmem(wav->data(), wav->size(), "data", 4));
  if (data) std::memcpy(&data_size, data + 4, 4);
  std::printf("%zu bytes of WAV in memory, %u bytes of samples\n", wav->size(), data_size);

  if (argc > 1) {  // any avio URL: a file, pipe:1, ...
    avio::Result<avio::IOContext> out = avio::open_url(argv[1], avio::kOpenWrite);
    if (!out) return fail(argv[1], out.error());
    out->write(wav->span());
    if (avio::Status st = out->close(); !st) return fail(argv[1], st.error());
  }
  return 0;
}
