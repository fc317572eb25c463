// The FFmpeg bridge against the installed libavformat: libavformat's own
// avio_* functions, demuxers and muxers working through an avio IOContext.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <vector>

#include "avio/ffmpeg/errors.hpp"
#include "avio/ffmpeg/io_bridge.hpp"
#include "avio/io_context.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
}

namespace avio::ffmpeg {
namespace {

uint32_t rl32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }
uint32_t rb32(const uint8_t *p) { return static_cast<uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + i / 251);
  return v;
}

// A readable source over memory whose seekability the test chooses, and
// which counts the seeks FFmpeg asks for.
struct Source {
  std::vector<uint8_t> bytes;
  size_t pos = 0;
  int seeks = 0;
  Result<IOContext> context(bool seekable, bool with_size = true) {
    Callbacks cb;
    cb.read = [this](std::span<uint8_t> dst) -> Result<size_t> {
      if (pos >= bytes.size()) return Error::eof();
      const size_t n = std::min(dst.size(), bytes.size() - pos);
      std::memcpy(dst.data(), bytes.data() + pos, n);
      pos += n;
      return n;
    };
    if (seekable) {
      cb.seek = [this](int64_t offset, Whence whence) -> Result<int64_t> {
        ++seeks;
        const int64_t base = whence == Whence::kSet   ? 0
                             : whence == Whence::kCur ? static_cast<int64_t>(pos)
                                                      : static_cast<int64_t>(bytes.size());
        if (base + offset < 0) return Error(-EINVAL);
        pos = static_cast<size_t>(base + offset);
        return base + offset;
      };
      if (with_size) cb.size = [this]() -> Result<int64_t> { return static_cast<int64_t>(bytes.size()); };
    }
    return IOContext::from_callbacks(std::move(cb), {});
  }
};

// A WAV file (16-bit stereo, 44.1 kHz, `frames` frames of a ramp), written
// by libavformat's own wav muxer through a writer bridge into `out`.
Status mux_wav(IOContext &out, int frames, bool seekable_bridge = true) {
  BridgeOptions options;
  options.seekable = seekable_bridge;
  Result<IOBridge> bridge = IOBridge::writer(out, options);
  if (!bridge) return bridge.error();
  AVFormatContext *fmt = nullptr;
  if (avformat_alloc_output_context2(&fmt, nullptr, "wav", nullptr) < 0) return Error(-ENOMEM);
  fmt->pb = bridge->get();
  fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
  AVStream *st = avformat_new_stream(fmt, nullptr);
  st->codecpar->codec_type = AVMEDIA_TYPE_AUDIO;
  st->codecpar->codec_id = AV_CODEC_ID_PCM_S16LE;
  st->codecpar->sample_rate = 44100;
  av_channel_layout_default(&st->codecpar->ch_layout, 2);
  st->codecpar->bits_per_coded_sample = 16;
  st->codecpar->block_align = 4;
  int ret = avformat_write_header(fmt, nullptr);
  std::vector<uint8_t> pcm(static_cast<size_t>(frames) * 4);
  for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<uint8_t>(i);
  AVPacket *pkt = av_packet_alloc();
  for (int start = 0; ret >= 0 && start < frames; start += 1000) {
    const int n = std::min(1000, frames - start);
    av_new_packet(pkt, n * 4);
    std::memcpy(pkt->data, pcm.data() + static_cast<size_t>(start) * 4, static_cast<size_t>(n) * 4);
    pkt->pts = pkt->dts = start;
    pkt->duration = n;
    pkt->stream_index = 0;
    av_packet_rescale_ts(pkt, AVRational{1, 44100}, st->time_base);
    ret = av_write_frame(fmt, pkt);
    av_packet_unref(pkt);
  }
  if (ret >= 0) ret = av_write_trailer(fmt);
  av_packet_free(&pkt);
  avformat_free_context(fmt);
  if (ret < 0) return bridge->error_from(ret, "muxing");
  return bridge->flush();
}

TEST(IOBridge, LibavformatReadsTheBytesOfAnyIOContext) {
  const std::vector<uint8_t> data = pattern(100000);
  IOContext io = IOContext::from_memory(data);
  Result<IOBridge> bridge = IOBridge::reader(io, {4096, true});
  ASSERT_TRUE(bridge) << bridge.error().message();
  AVIOContext *pb = bridge->get();
  std::vector<uint8_t> got(data.size());
  ASSERT_EQ(avio_read(pb, got.data(), static_cast<int>(got.size())), static_cast<int>(data.size()));
  EXPECT_EQ(got, data);
  EXPECT_EQ(avio_read(pb, got.data(), 1), AVERROR_EOF);
  EXPECT_TRUE(avio_feof(pb));
}

TEST(IOBridge, FlushingAReaderKeepsItsPlace) {
  const std::vector<uint8_t> data = pattern(50000);
  IOContext io = IOContext::from_memory(data);
  Result<IOBridge> bridge = IOBridge::reader(io, {4096, false});
  ASSERT_TRUE(bridge);
  // Exactly FFmpeg's buffer: the next byte must come from the IOContext.
  std::vector<uint8_t> first(4096);
  ASSERT_EQ(avio_read(bridge->get(), first.data(), 4096), 4096);
  EXPECT_TRUE(bridge->flush());
  EXPECT_EQ(avio_r8(bridge->get()), data[4096]);
  EXPECT_EQ(avio_r8(bridge->get()), data[4097]);
}

TEST(IOBridge, SeekAndSizeGoThroughToTheIOContext) {
  Source src{pattern(300000)};
  Result<IOContext> io = src.context(true);
  ASSERT_TRUE(io);
  Result<IOBridge> bridge = IOBridge::reader(*io, {4096, true});
  ASSERT_TRUE(bridge);
  AVIOContext *pb = bridge->get();
  EXPECT_EQ(pb->seekable, AVIO_SEEKABLE_NORMAL);
  EXPECT_EQ(avio_size(pb), 300000);  // the AVSEEK_SIZE query
  ASSERT_EQ(avio_seek(pb, 250000, SEEK_SET), 250000);
  EXPECT_EQ(avio_r8(pb), src.bytes[250000]);
  ASSERT_EQ(avio_seek(pb, -100000, SEEK_CUR), 150001);
  EXPECT_EQ(avio_rb32(pb), rb32(&src.bytes[150001]));
  EXPECT_GT(src.seeks, 0);
  // Seeking before the start is refused with FFmpeg's code.
  EXPECT_EQ(avio_seek(pb, -1, SEEK_SET), AVERROR(EINVAL));
}

TEST(IOBridge, SizeQueryWithoutSizeFallsBackToSeekingToTheEnd) {
  Source src{pattern(5000)};
  Result<IOContext> io = src.context(true, /*with_size=*/false);
  ASSERT_TRUE(io);
  Result<IOBridge> bridge = IOBridge::reader(*io);
  ASSERT_TRUE(bridge);
  EXPECT_EQ(avio_size(bridge->get()), 5000);
}

TEST(IOBridge, NonSeekableInputHasNoSeekCallback) {
  Source src{pattern(70000)};
  Result<IOContext> io = src.context(true);
  ASSERT_TRUE(io);
  Result<IOBridge> bridge = IOBridge::reader(*io, {4096, /*seekable=*/false});
  ASSERT_TRUE(bridge);
  AVIOContext *pb = bridge->get();
  EXPECT_EQ(pb->seekable, 0);
  EXPECT_EQ(avio_size(pb), AVERROR(ENOSYS));
  std::vector<uint8_t> buf(60000);
  ASSERT_EQ(avio_read(pb, buf.data(), 60000), 60000);
  EXPECT_LT(avio_seek(pb, 0, SEEK_SET), 0);  // far behind the buffer: impossible without seek
  EXPECT_EQ(src.seeks, 0);
}

TEST(IOBridge, DemuxesByProbingWithoutSeekingAndFreesTheReplacedBuffer) {
  IOContext wav = IOContext::dynamic_buffer();
  ASSERT_TRUE(mux_wav(wav, 44100));
  Result<PaddedBytes> bytes = wav.close_dynamic_buffer();
  ASSERT_TRUE(bytes);
  Source src{std::vector<uint8_t>(bytes->data(), bytes->data() + bytes->size())};
  Result<IOContext> io = src.context(false);
  ASSERT_TRUE(io);
  Result<IOBridge> bridge = IOBridge::reader(*io, {4096, false});
  ASSERT_TRUE(bridge);
  const unsigned char *original = bridge->get()->buffer;
  AVFormatContext *fmt = avformat_alloc_context();
  fmt->pb = bridge->get();
  fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
  ASSERT_EQ(avformat_open_input(&fmt, nullptr, nullptr, nullptr), 0);
  EXPECT_STREQ(fmt->iformat->name, "wav");
  // Probing rewound through its own buffer, which replaced the original:
  // freeing `original` now would be the tutorial's double free. The
  // bridge frees ctx->buffer (AddressSanitizer checks it).
  EXPECT_NE(bridge->get()->buffer, original);
  AVPacket *pkt = av_packet_alloc();
  int64_t bytes_read = 0;
  while (av_read_frame(fmt, pkt) >= 0) {
    bytes_read += pkt->size;
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  EXPECT_EQ(bytes_read, 44100 * 4);
  EXPECT_EQ(src.seeks, 0);
  avformat_close_input(&fmt);
}

TEST(IOBridge, MuxerPatchesItsHeaderThroughASeekableWriter) {
  IOContext out = IOContext::dynamic_buffer();
  ASSERT_TRUE(mux_wav(out, 12345));
  Result<PaddedBytes> bytes = out.close_dynamic_buffer();
  ASSERT_TRUE(bytes);
  const uint8_t *b = bytes->data();
  ASSERT_GE(bytes->size(), 44u);
  EXPECT_EQ(std::memcmp(b, "RIFF", 4), 0);
  // The wav muxer seeks back in its trailer to write the real sizes.
  EXPECT_EQ(rl32(b + 4), bytes->size() - 8);
  const uint8_t *data = static_cast<const uint8_t *>(memmem(b, bytes->size(), "data", 4));
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(rl32(data + 4), 12345u * 4);
}

TEST(IOBridge, NonSeekableWriterLeavesTheHeaderUnpatched) {
  IOContext out = IOContext::dynamic_buffer();
  ASSERT_TRUE(mux_wav(out, 1000, /*seekable_bridge=*/false));
  Result<PaddedBytes> bytes = out.close_dynamic_buffer();
  ASSERT_TRUE(bytes);
  const uint8_t *data = static_cast<const uint8_t *>(memmem(bytes->data(), bytes->size(), "data", 4));
  ASSERT_NE(data, nullptr);
  EXPECT_NE(rl32(data + 4), 1000u * 4);  // what a stream's header holds
  EXPECT_EQ(bytes->size() - static_cast<size_t>(data + 8 - bytes->data()), 1000u * 4);
}

TEST(IOBridge, ReadErrorsReachFFmpegAsTheirCodeAndKeepTheirDetail) {
  Callbacks cb;
  int calls = 0;
  cb.read = [&calls](std::span<uint8_t> dst) -> Result<size_t> {
    if (calls++ == 0) {
      std::memset(dst.data(), 'x', 10);
      return size_t{10};
    }
    return Error(-EIO, "disk on fire");
  };
  Result<IOContext> io = IOContext::from_callbacks(std::move(cb), {});
  ASSERT_TRUE(io);
  Result<IOBridge> bridge = IOBridge::reader(*io);
  ASSERT_TRUE(bridge);
  uint8_t buf[64];
  EXPECT_EQ(avio_read(bridge->get(), buf, 64), 10);
  const int ret = avio_read(bridge->get(), buf, 64);
  EXPECT_EQ(ret, AVERROR(EIO));
  ASSERT_TRUE(bridge->last_error().has_value());
  const Error e = bridge->error_from(ret, "reading");
  EXPECT_EQ(e.code(), AVERROR(EIO));
  EXPECT_NE(e.message().find("disk on fire"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("reading"), std::string::npos) << e.message();
  // A code the bridge did not produce gets FFmpeg's words.
  EXPECT_EQ(describe(bridge->error_from(AVERROR_DECODER_NOT_FOUND, "opening")), "opening: Decoder not found");
}

TEST(IOBridge, WriteErrorsLatchInBothContexts) {
  Callbacks cb;
  cb.write = [](std::span<const uint8_t>) -> Status { return Error(-ENOSPC, "quota"); };
  ContextOptions options;
  options.write = true;
  options.buffer_size = 1024;
  Result<IOContext> io = IOContext::from_callbacks(std::move(cb), options);
  ASSERT_TRUE(io);
  Result<IOBridge> bridge = IOBridge::writer(*io, {512, true});
  ASSERT_TRUE(bridge);
  std::vector<uint8_t> block(4096, 1);
  avio_write(bridge->get(), block.data(), static_cast<int>(block.size()));
  avio_flush(bridge->get());
  EXPECT_EQ(bridge->get()->error, AVERROR(ENOSPC));
  Status st = bridge->flush();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.code(), AVERROR(ENOSPC));
  EXPECT_NE(st.error().message().find("quota"), std::string::npos) << st.error().message();
}

TEST(IOBridge, RefusesAContextOfTheWrongDirection) {
  IOContext sink = IOContext::dynamic_buffer();
  EXPECT_FALSE(IOBridge::reader(sink));
  const std::vector<uint8_t> data = pattern(10);
  IOContext source = IOContext::from_memory(data);
  EXPECT_FALSE(IOBridge::writer(source));
  Result<IOBridge> zero = IOBridge::reader(source, {0, true});
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code(), AVERROR(EINVAL));
}

TEST(Errors, CodesCrossUnchanged) {
  EXPECT_EQ(to_averror(Error::eof()), AVERROR_EOF);
  EXPECT_EQ(to_averror(Error(-ENOENT)), AVERROR(ENOENT));
  EXPECT_EQ(to_averror(Error(kInvalidData)), AVERROR_INVALIDDATA);
  EXPECT_EQ(to_averror(Error(kZeroRead)), AVERROR(EIO));  // FFmpeg has no such code
  const Error e = from_averror(AVERROR_PROTOCOL_NOT_FOUND, "opening x");
  EXPECT_EQ(e.code(), kProtocolNotFound);
  EXPECT_EQ(describe(e), "opening x: Protocol not found");
  EXPECT_EQ(averror_text(AVERROR(ENOENT)), "No such file or directory");
}

}  // namespace
}  // namespace avio::ffmpeg
