#include <gtest/gtest.h>

#include "avio/io_context.hpp"
#include "test_source.hpp"

namespace avio {
namespace {

using testing::all_writes;
using testing::ramp;
using testing::Source;

IOContext writer(Source &src, int buffer_size = 4096, bool seekable = true) {
  auto ctx =
      IOContext::from_callbacks(src.callbacks(false, true, seekable), {.buffer_size = buffer_size, .write = true});
  EXPECT_TRUE(ctx.ok());
  return std::move(ctx).value();
}

TEST(IOContextWrite, IntegersInBothByteOrders) {
  Source sink;
  IOContext ctx = writer(sink);
  ctx.w8(0x01);
  ctx.wl16(0x0302);
  ctx.wb16(0x0405);
  ctx.wl24(0x080706);
  ctx.wb24(0x090A0B);
  ctx.wl32(0x0F0E0D0C);
  ctx.wb32(0x10111213);
  ctx.wl64(0x1B1A191817161514ull);
  ctx.wb64(0x1C1D1E1F20212223ull);
  ASSERT_TRUE(ctx.close().ok());
  std::vector<uint8_t> expected(0x23);
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<uint8_t>(i + 1);
  EXPECT_EQ(all_writes(sink), expected);
}

TEST(IOContextWrite, FlushesExactlyWhenTheBufferFills) {
  Source sink;
  IOContext ctx = writer(sink, 8);
  for (int i = 0; i < 7; ++i) ctx.w8(static_cast<uint8_t>(i));
  EXPECT_TRUE(sink.writes.empty());
  ctx.w8(7);  // the eighth byte fills the buffer: FFmpeg flushes at once
  ASSERT_EQ(sink.writes.size(), 1u);
  EXPECT_EQ(sink.writes[0].size(), 8u);
  ctx.wl32(0x0B0A0908);
  ctx.wl32(0x0F0E0D0C);
  EXPECT_EQ(sink.writes.size(), 2u);
}

TEST(IOContextWrite, LargeWritesGoOutInBufferSizedCallsWithoutCopying) {
  Source sink;
  IOContext ctx = writer(sink, 1000);
  const std::vector<uint8_t> data = ramp(3500);
  ctx.write(data);
  ASSERT_EQ(sink.writes.size(), 3u);
  for (const auto &w : sink.writes) EXPECT_EQ(w.size(), 1000u);
  ctx.flush();
  EXPECT_EQ(all_writes(sink), data);
}

TEST(IOContextWrite, SeekBackPatchesAHeaderAndSeekForwardContinues) {
  Source sink;
  IOContext ctx = writer(sink, 64);
  ctx.wl32(0);  // size placeholder
  const std::vector<uint8_t> body = ramp(200);
  ctx.write(body);
  const int64_t end = ctx.tell();
  ASSERT_EQ(ctx.seek(0).value(), 0);
  ctx.wl32(static_cast<uint32_t>(end));
  ASSERT_EQ(ctx.seek(end).value(), end);
  ctx.w8(0xEE);
  ASSERT_TRUE(ctx.close().ok());
  ASSERT_EQ(sink.data.size(), 205u);
  EXPECT_EQ(sink.data[0], 204);
  EXPECT_EQ(sink.data[204], 0xEE);
  EXPECT_TRUE(std::equal(body.begin(), body.end(), sink.data.begin() + 4));
}

TEST(IOContextWrite, InBufferSeekBackKeepsUnflushedBytes) {
  Source sink;
  IOContext ctx = writer(sink, 4096);
  ctx.write(ramp(100));
  ASSERT_EQ(ctx.seek(10).value(), 10);
  ctx.w8(0xFF);
  ctx.flush();  // writes all 100 bytes, then returns to position 11
  EXPECT_EQ(ctx.tell(), 11);
  ASSERT_EQ(sink.data.size(), 100u);
  EXPECT_EQ(sink.data[10], 0xFF);
  EXPECT_EQ(sink.data[99], ramp(100)[99]);
}

TEST(IOContextWrite, CloseReturnsTheFirstWriteErrorAndNothingIsCountedAsWritten) {
  Source sink{.fail_at = 0, .error = -ENOSPC};
  IOContext ctx = writer(sink, 16);
  ctx.write(ramp(40));
  ctx.w8(1);
  EXPECT_EQ(ctx.statistics().bytes_written, 0);
  Status st = ctx.close();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), -ENOSPC);
  EXPECT_EQ(st.error().detail(), "test sink failed");
}

TEST(IOContextWrite, WriteFunctionIsAWriter) {
  std::vector<std::vector<uint8_t>> calls;
  auto sink = [&calls](std::span<const uint8_t> src) -> Status {
    if (calls.size() == 2) return Error(-ENOSPC, "disk full");
    calls.emplace_back(src.begin(), src.end());
    return {};
  };
  IOContext ctx = IOContext::from_write_function(sink, {.buffer_size = 8}).value();
  EXPECT_TRUE(ctx.writable());
  const std::vector<uint8_t> data = ramp(20);
  ctx.write(data);
  ASSERT_EQ(calls.size(), 2u);  // two full buffers went out; 4 bytes wait
  EXPECT_EQ(calls[0], std::vector<uint8_t>(data.begin(), data.begin() + 8));
  EXPECT_EQ(calls[1], std::vector<uint8_t>(data.begin() + 8, data.begin() + 16));
  const Status st = ctx.close();
  EXPECT_EQ(st.code(), -ENOSPC);
  EXPECT_EQ(st.error().detail(), "disk full");
}

TEST(IOContextWrite, Strings) {
  Source sink;
  IOContext ctx = writer(sink);
  EXPECT_EQ(ctx.put_str("ab"), 3);
  EXPECT_EQ(ctx.put_str16le("\xC3\xA9").value(), 4);          // U+00E9 and a terminator
  EXPECT_EQ(ctx.put_str16be("\xF0\x9F\x98\x80").value(), 6);  // a surrogate pair and a terminator
  EXPECT_EQ(ctx.printf("%d-%s", 42, "x"), 4);
  ctx.print({"p", "q"});
  ASSERT_TRUE(ctx.close().ok());
  const std::vector<uint8_t> expected = {'a',  'b', 0, 0xE9, 0,   0,   0,   0xD8, 0x3D, 0xDE,
                                         0x00, 0,   0, '4',  '2', '-', 'x', 'p',  'q'};
  EXPECT_EQ(all_writes(sink), expected);
}

TEST(IOContextWrite, InvalidUtf8IsAnErrorButTheRestIsWritten) {
  Source sink;
  IOContext ctx = writer(sink);
  auto r = ctx.put_str16le("a\xFFz");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -EINVAL);
  ASSERT_TRUE(ctx.close().ok());
  const std::vector<uint8_t> expected = {'a', 0, 'z', 0, 0, 0};
  EXPECT_EQ(all_writes(sink), expected);
}

TEST(IOContextWrite, FlushPointsHonourMinPacketSize) {
  Source sink;
  auto made = IOContext::from_callbacks(sink.callbacks(false, true, false),
                                        {.buffer_size = 4096, .write = true, .min_packet_size = 100});
  ASSERT_TRUE(made.ok());
  IOContext ctx = std::move(made).value();
  ctx.write(ramp(50));
  ctx.write_marker(0, Marker::kFlushPoint);
  EXPECT_TRUE(sink.writes.empty());
  ctx.write(ramp(60));
  ctx.write_marker(0, Marker::kFlushPoint);
  ASSERT_EQ(sink.writes.size(), 1u);
  EXPECT_EQ(sink.writes[0].size(), 110u);
}

TEST(IOContextWrite, WritesToAReadContextAreIgnored) {
  Source src{.data = ramp(10)};
  auto made = IOContext::from_callbacks(src.callbacks(true, false, false), {});
  IOContext ctx = std::move(made).value();
  ctx.w8(1);
  ctx.wl32(2);
  ctx.write(ramp(100));
  EXPECT_EQ(ctx.r8(), src.data[0]);
  const std::vector<uint8_t> data = ramp(10);
  IOContext mem = IOContext::from_memory(data);
  mem.wl64(0);  // must not write into the caller's read-only bytes
  EXPECT_EQ(mem.r8(), data[0]);
}

TEST(DynamicBuffer, CollectsSeeksAndPads) {
  IOContext ctx = IOContext::dynamic_buffer();
  const std::vector<uint8_t> data = ramp(3000);
  ctx.write(data);
  ASSERT_EQ(ctx.seek(1).value(), 1);
  ctx.w8(0xAB);
  auto contents = ctx.dynamic_buffer_contents();
  ASSERT_EQ(contents.size(), 3000u);
  EXPECT_EQ(contents[1], 0xAB);
  EXPECT_EQ(contents[2999], data[2999]);
  auto bytes = ctx.close_dynamic_buffer();
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), 3000u);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(bytes->data()[3000 + i], 0) << i;  // padding
  EXPECT_EQ(bytes->data()[1], 0xAB);
}

TEST(DynamicBuffer, SmallContentsAreServedFromTheIoBuffer) {
  IOContext ctx = IOContext::dynamic_buffer();
  ctx.put_str("hi");
  auto contents = ctx.dynamic_buffer_contents();
  ASSERT_EQ(contents.size(), 3u);
  EXPECT_EQ(contents[0], 'h');
  EXPECT_EQ(ctx.statistics().writeouts, 0);
}

TEST(DynamicBuffer, EmptyCloseStillHandsOverPaddedMemory) {
  IOContext ctx = IOContext::dynamic_buffer();
  auto bytes = ctx.close_dynamic_buffer();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 0u);
  EXPECT_NE(bytes->data(), nullptr);
  EXPECT_FALSE(ctx.close_dynamic_buffer().ok());  // only once
}

TEST(DynamicBuffer, PacketModePrefixesEachFlushWithItsLength) {
  auto made = IOContext::dynamic_packet_buffer(8);
  ASSERT_TRUE(made.ok());
  IOContext ctx = std::move(made).value();
  ctx.write(ramp(10));
  ctx.flush();
  auto bytes = ctx.close_dynamic_buffer();
  ASSERT_TRUE(bytes.ok());
  const std::vector<uint8_t> got(bytes->data(), bytes->data() + bytes->size());
  const auto r = ramp(10);
  std::vector<uint8_t> expected = {0, 0, 0, 8};
  expected.insert(expected.end(), r.begin(), r.begin() + 8);
  expected.insert(expected.end(), {0, 0, 0, 2, r[8], r[9]});
  EXPECT_EQ(got, expected);
  EXPECT_FALSE(IOContext::dynamic_packet_buffer(0).ok());
}

TEST(NullSink, CountsWithoutKeeping) {
  IOContext ctx = IOContext::null_sink();
  ctx.write(ramp(100000));
  ctx.wl32(1);
  EXPECT_EQ(ctx.tell(), 100004);
  ctx.flush();
  EXPECT_EQ(ctx.statistics().bytes_written, 100004);
}

}  // namespace
}  // namespace avio

namespace {

// A sink whose writes fail with one error and whose close fails with another.
class FailingSink final : public avio::Backend {
 public:
  avio::Capabilities capabilities() const override { return {.write = true}; }
  avio::Status write(std::span<const uint8_t>) override { return avio::Error(-ENOSPC, "sink: disk full"); }
  avio::Status close() override { return avio::Error(-EBADF, "sink: close failed"); }
};

// close() returns the first error of flush and backend close: the flush's.
TEST(IOContextClose, ReturnsTheFlushErrorBeforeTheCloseError) {
  auto ctx = avio::IOContext::from_backend(std::make_unique<FailingSink>(), {.buffer_size = 64, .write = true});
  ASSERT_TRUE(ctx.ok());
  ctx->wl32(1);
  avio::Status st = ctx->close();
  EXPECT_EQ(st.code(), -ENOSPC);
  EXPECT_NE(st.error().message().find("disk full"), std::string::npos);
  // A context whose flush succeeded reports the close error.
  auto quiet = avio::IOContext::from_backend(std::make_unique<FailingSink>(), {.buffer_size = 64, .write = true});
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->close().code(), -EBADF);
}

}  // namespace
