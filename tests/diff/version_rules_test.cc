// Where avio deliberately differs from the installed libavformat 5.1, the
// differential run excludes the case (scenario.cc, excluded()) or cannot
// produce it (FFmpeg would hang). These tests pin what avio does instead and,
// where FFmpeg terminates, show what the installed libavformat does, so that
// each rule in docs/compat.md is checked against the real thing.
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <vector>

extern "C" {
#include <libavformat/avio.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

#include "avio/io_context.hpp"

namespace {

namespace detail = avio::detail;

// A write callback that counts calls and remembers their sizes.
struct WriteLog {
  std::vector<int> sizes;
};
int log_write_ffmpeg(void *opaque, uint8_t *, int size) {
  static_cast<WriteLog *>(opaque)->sizes.push_back(size);
  return size;
}
int log_write_avio(void *opaque, const uint8_t *, int size) {
  static_cast<WriteLog *>(opaque)->sizes.push_back(size);
  return size;
}

// FFmpeg 6.0 made avio_write(size <= 0) a no-op; 5.1 in direct mode flushes
// and hands write_packet a 0-byte packet. avio follows 6.0 on both faces.
TEST(VersionRules, DirectWriteOfNothingCallsNoCallback) {
  WriteLog avio_log;
  avio::Callbacks cb;
  cb.write = [&](std::span<const uint8_t> src) -> avio::Status {
    avio_log.sizes.push_back(static_cast<int>(src.size()));
    return {};
  };
  auto ctx = avio::IOContext::from_callbacks(cb, {.buffer_size = 16, .write = true, .direct = true});
  ASSERT_TRUE(ctx.ok());
  ctx->write({});
  EXPECT_EQ(ctx->printf("%s", ""), 0);
  EXPECT_TRUE(avio_log.sizes.empty());

  // The engine entry point the C API's avio_write calls, with 0 and a negative size.
  detail::Core core{};
  WriteLog engine_log;
  auto *buf = static_cast<uint8_t *>(detail::buffer_alloc(16));
  detail::init(core, buf, 16, true, &engine_log, nullptr, log_write_avio, nullptr);
  core.direct = 1;
  const uint8_t byte = 0;
  detail::write(core, &byte, 0);
  detail::write(core, &byte, -3);
  EXPECT_TRUE(engine_log.sizes.empty());
  EXPECT_EQ(core.pos, 0);
  detail::buffer_free(core.buffer);

  // What the installed libavformat does.
  WriteLog ffmpeg_log;
  AVIOContext *s =
      avio_alloc_context(static_cast<uint8_t *>(av_malloc(16)), 16, 1, &ffmpeg_log, nullptr, log_write_ffmpeg, nullptr);
  ASSERT_NE(s, nullptr);
  s->direct = 1;
  avio_write(s, &byte, 0);
#if LIBAVFORMAT_VERSION_MAJOR < 60
  EXPECT_EQ(ffmpeg_log.sizes, std::vector<int>{0}) << "FFmpeg 5.1 sends a 0-byte packet";
#else
  EXPECT_TRUE(ffmpeg_log.sizes.empty());
#endif
  av_freep(&s->buffer);
  avio_context_free(&s);
}

// A raw read callback that returns 0 ("no data") in FFmpeg's large-read path
// makes avio_read loop for as long as it does so (forever, for a callback
// that means EOF). avio stops and returns what it has.
TEST(VersionRules, ZeroFromReadCallbackInALargeReadReturnsWhatWasRead) {
  struct Source {
    int calls = 0;
  } src;
  auto read = [](void *opaque, uint8_t *buf, int size) -> int {
    auto &s = *static_cast<Source *>(opaque);
    if (s.calls++ == 0) {
      std::memset(buf, 'x', 5);
      return size < 5 ? size : 5;
    }
    return 0;
  };
  detail::Core core{};
  auto *buf = static_cast<uint8_t *>(detail::buffer_alloc(8));
  detail::init(core, buf, 8, false, &src, read, nullptr, nullptr);
  std::vector<uint8_t> out(100);
  EXPECT_EQ(detail::read(core, out.data(), 100), 5);  // 100 > buffer_size: the large-read path
  EXPECT_EQ(src.calls, 2);
  EXPECT_EQ(core.eof_reached, 0);  // 0 is not EOF
  EXPECT_EQ(core.error, 0);
  detail::buffer_free(core.buffer);
}

// The typed C++ read callback cannot say "no data": 0 bytes is refused as
// kZeroRead, an error that names the contract violation, instead of a hang.
TEST(VersionRules, TypedReadCallbackReturningZeroIsAnError) {
  avio::Callbacks cb;
  cb.read = [](std::span<uint8_t>) -> avio::Result<size_t> { return size_t{0}; };
  auto ctx = avio::IOContext::from_callbacks(cb, {.buffer_size = 64});
  ASSERT_TRUE(ctx.ok());
  std::vector<uint8_t> out(10);
  avio::Result<size_t> r = ctx->read(out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), avio::kZeroRead);
  EXPECT_EQ(ctx->status().code(), avio::kZeroRead);
  EXPECT_TRUE(ctx->eof());
}

// A context with write_flag and a read callback (AVIO_FLAG_READ_WRITE):
// FFmpeg's avio_read never copies from the buffer of such a context, so a
// read no larger than the buffer refills until EOF and then spins for ever.
// avio hands over the refilled bytes.
TEST(VersionRules, SmallReadOnAReadWriteContextReturnsData) {
  struct Source {
    int pos = 0;
  } src;
  auto read = [](void *opaque, uint8_t *buf, int size) -> int {
    auto &s = *static_cast<Source *>(opaque);
    if (s.pos >= 20) return avio::kEof;
    const int n = size < 20 - s.pos ? size : 20 - s.pos;
    for (int i = 0; i < n; ++i) buf[i] = static_cast<uint8_t>(s.pos + i);
    s.pos += n;
    return n;
  };
  WriteLog log;
  detail::Core core{};
  auto *buf = static_cast<uint8_t *>(detail::buffer_alloc(64));
  detail::init(core, buf, 64, true, &src, read, log_write_avio, nullptr);
  uint8_t out[4] = {};
  EXPECT_EQ(detail::read(core, out, 4), 4);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[3], 3);
  detail::buffer_free(core.buffer);
}

// IOContext::close_dynamic_buffer pads after the end of the data;
// avio_close_dyn_buf (FFmpeg, and avio's C API) pads at the current
// position, so after a seek back the padding overwrites data.
TEST(VersionRules, ClosingADynamicBufferAfterASeekBackKeepsTheData) {
  const uint8_t ten[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

  avio::IOContext ctx = avio::IOContext::dynamic_buffer();
  ctx.write(ten);
  ASSERT_TRUE(ctx.seek(2).ok());
  avio::Result<avio::PaddedBytes> bytes = ctx.close_dynamic_buffer();
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), 10u);
  EXPECT_EQ(std::memcmp(bytes->data(), ten, 10), 0);
  for (size_t i = 10; i < 10 + 64; ++i) ASSERT_EQ(bytes->data()[i], 0) << i;

  AVIOContext *s = nullptr;
  ASSERT_EQ(avio_open_dyn_buf(&s), 0);
  avio_write(s, ten, 10);
  ASSERT_EQ(avio_seek(s, 2, SEEK_SET), 2);
  uint8_t *data = nullptr;
  EXPECT_EQ(avio_close_dyn_buf(s, &data), 2) << "libavformat pads from position 2";
  av_free(data);
}

// IOContext::from_memory knows its size; FFmpeg's static-buffer mode has no
// seek callback, so avio_size gives ENOSYS (and so does avio's engine).
TEST(VersionRules, MemoryReaderKnowsItsSize) {
  const uint8_t data[7] = {1, 2, 3, 4, 5, 6, 7};
  avio::IOContext ctx = avio::IOContext::from_memory(data);
  ASSERT_TRUE(ctx.size().ok());
  EXPECT_EQ(*ctx.size(), 7);
  EXPECT_EQ(detail::size(detail::CoreAccess::of(ctx)), -ENOSYS);

  auto *copy = static_cast<uint8_t *>(av_malloc(sizeof data));
  std::memcpy(copy, data, sizeof data);
  AVIOContext *s = avio_alloc_context(copy, sizeof data, 0, nullptr, nullptr, nullptr, nullptr);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(avio_size(s), AVERROR(ENOSYS));
  av_freep(&s->buffer);
  avio_context_free(&s);
}

// avio_write on a read context: FFmpeg copies into the read buffer over
// unread data. avio's engine ignores the write.
TEST(VersionRules, WriteOnAReadContextIsIgnored) {
  const uint8_t data[4] = {1, 2, 3, 4};
  avio::IOContext ctx = avio::IOContext::from_memory(data);
  const uint8_t junk[2] = {9, 9};
  ctx.write(junk);
  detail::write(detail::CoreAccess::of(ctx), junk, 2);
  EXPECT_EQ(ctx.r8(), 1);
  EXPECT_EQ(ctx.r8(), 2);
}

// IOContext::put_str in direct mode sends the string and its NUL as one
// packet, as avio_put_str does (the differential run found the C++ API
// splitting them).
TEST(VersionRules, PutStrInDirectModeIsOnePacket) {
  std::vector<size_t> sizes;
  avio::Callbacks cb;
  cb.write = [&](std::span<const uint8_t> src) -> avio::Status {
    sizes.push_back(src.size());
    return {};
  };
  auto ctx = avio::IOContext::from_callbacks(cb, {.buffer_size = 16, .write = true, .direct = true});
  ASSERT_TRUE(ctx.ok());
  EXPECT_EQ(ctx->put_str("abc"), 4);
  EXPECT_EQ(ctx->put_str(""), 1);
  EXPECT_EQ(sizes, (std::vector<size_t>{4, 1}));
}

}  // namespace
