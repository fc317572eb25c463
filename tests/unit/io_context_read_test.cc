#include <gtest/gtest.h>

#include "avio/io_context.hpp"
#include "test_source.hpp"

namespace avio {
namespace {

using testing::ramp;
using testing::Source;

IOContext reader(Source &src, int buffer_size = 4096, bool seekable = true) {
  auto ctx = IOContext::from_callbacks(src.callbacks(true, false, seekable), {.buffer_size = buffer_size});
  EXPECT_TRUE(ctx.ok());
  return std::move(ctx).value();
}

TEST(IOContextRead, FixedWidthIntegersInBothByteOrders) {
  Source src{.data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                      0x18, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36}};
  IOContext ctx = reader(src);
  EXPECT_EQ(ctx.rl16(), 0x0201);
  EXPECT_EQ(ctx.rb16(), 0x0304);
  EXPECT_EQ(ctx.rl24(), 0x070605u);
  EXPECT_EQ(ctx.rb24(), 0x081112u);
  EXPECT_EQ(ctx.rl32(), 0x16151413u);
  EXPECT_EQ(ctx.rb32(), 0x17182122u);
  EXPECT_EQ(ctx.rl64(), 0x3231282726252423ull);
  EXPECT_EQ(ctx.r8(), 0x33);
  EXPECT_EQ(ctx.tell(), 27);
}

TEST(IOContextRead, IntegersStraddlingARefillAreAssembledByteByByte) {
  Source src{.data = {0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x11, 0x22, 0x33}};
  IOContext ctx = reader(src, /*buffer_size=*/3);
  EXPECT_EQ(ctx.r8(), 0xAA);
  EXPECT_EQ(ctx.rb64(), 0xBBCCDDEEFF112233ull);
  EXPECT_GE(ctx.statistics().refills, 3);
}

TEST(IOContextRead, PastTheEndReadsZeroAndReportsEof) {
  Source src{.data = {0x01, 0x02}};
  IOContext ctx = reader(src);
  EXPECT_EQ(ctx.rl32(), 0x0201u);  // partial value padded with zeros, as FFmpeg does
  EXPECT_TRUE(ctx.eof());
  EXPECT_TRUE(ctx.status().ok());
}

TEST(IOContextRead, ReadFillsTheWholeSpanAcrossRefills) {
  Source src{.data = ramp(10000), .max_chunk = 333};
  IOContext ctx = reader(src, 1000);
  std::vector<uint8_t> out(9000);
  auto n = ctx.read(out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 9000u);
  EXPECT_TRUE(std::equal(out.begin(), out.end(), src.data.begin()));
}

TEST(IOContextRead, ShortReadAtEofThenEofError) {
  Source src{.data = ramp(100)};
  IOContext ctx = reader(src);
  std::vector<uint8_t> out(150);
  auto n = ctx.read(out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 100u);
  auto again = ctx.read(out);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.error().is_eof());
}

TEST(IOContextRead, LargeReadsBypassTheBuffer) {
  Source src{.data = ramp(100000)};
  IOContext ctx = reader(src, 4096);
  std::vector<uint8_t> out(50000);
  ASSERT_EQ(ctx.read(out).value(), 50000u);
  ASSERT_FALSE(src.read_sizes.empty());
  EXPECT_EQ(src.read_sizes.front(), 50000u);  // one call straight into our memory
  EXPECT_EQ(ctx.available(), 0u);
}

TEST(IOContextRead, ErrorLatchesWithTheBackendsDetail) {
  Source src{.data = ramp(10000), .max_chunk = 4096, .fail_at = 4096, .error = -EIO};
  IOContext ctx = reader(src, 4096);
  std::vector<uint8_t> out(8000);
  EXPECT_EQ(ctx.read(out).value(), 4096u);  // progress first, the error after
  auto next = ctx.read(out);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code(), -EIO);
  EXPECT_EQ(next.error().detail(), "test source failed");
  EXPECT_EQ(ctx.status().code(), -EIO);
  EXPECT_EQ(ctx.close().code(), -EIO);
}

TEST(IOContextRead, ZeroByteReadIsAnErrorNotAHang) {
  Source src{.data = ramp(10), .zero_at_eof = true};
  IOContext ctx = reader(src);
  std::vector<uint8_t> out(64);
  EXPECT_EQ(ctx.read(out).value(), 10u);
  auto next = ctx.read(out);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code(), kZeroRead);
  EXPECT_NE(next.error().message().find("0 bytes"), std::string::npos);
}

TEST(IOContextRead, ReadPartialMakesAtMostOneBackendCall) {
  Source src{.data = ramp(1000), .max_chunk = 10};
  IOContext ctx = reader(src);
  std::vector<uint8_t> out(500);
  EXPECT_EQ(ctx.read_partial(out).value(), 10u);
  EXPECT_EQ(src.read_sizes.size(), 1u);
}

TEST(IOContextPeek, ViewsWithoutCopyingOrAdvancing) {
  Source src{.data = ramp(100)};
  IOContext ctx = reader(src);
  auto view = ctx.peek(8);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->size(), 8u);
  EXPECT_TRUE(std::equal(view->begin(), view->end(), src.data.begin()));
  EXPECT_EQ(ctx.tell(), 0);
  ctx.consume(8);
  EXPECT_EQ(ctx.r8(), src.data[8]);
}

TEST(IOContextPeek, GrowsTheBufferForAWindowLargerThanIt) {
  Source src{.data = ramp(5000), .max_chunk = 100};
  IOContext ctx = reader(src, 256);
  auto view = ctx.peek(3000);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->size(), 3000u);
  EXPECT_TRUE(std::equal(view->begin(), view->end(), src.data.begin()));
  ctx.consume(3000);
  EXPECT_EQ(ctx.tell(), 3000);
  EXPECT_EQ(ctx.r8(), src.data[3000]);
}

TEST(IOContextPeek, ShorterAtEofAndEofWhenEmpty) {
  Source src{.data = ramp(5)};
  IOContext ctx = reader(src);
  auto view = ctx.peek(10);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->size(), 5u);
  ctx.consume(5);
  auto none = ctx.peek(1);
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(none.error().is_eof());
}

TEST(IOContextStrings, GetStrTruncatesButConsumesToTheTerminator) {
  Source src{.data = {'h', 'e', 'l', 'l', 'o', 0, 'x'}};
  IOContext ctx = reader(src);
  char out[4];
  EXPECT_EQ(ctx.get_str(100, out).value(), 6);
  EXPECT_STREQ(out, "hel");
  EXPECT_EQ(ctx.r8(), 'x');
}

TEST(IOContextStrings, GetStrWithoutTerminatorStopsAtMaxlen) {
  Source src{.data = {'a', 'b', 'c', 'd', 'e'}};
  IOContext ctx = reader(src);
  char out[16];
  EXPECT_EQ(ctx.get_str(3, out).value(), 3);
  EXPECT_STREQ(out, "abc");
  EXPECT_EQ(ctx.r8(), 'd');
}

TEST(IOContextStrings, GetStrNeedsRoomForTheTerminator) {
  Source src{.data = {'a', 0}};
  IOContext ctx = reader(src);
  auto r = ctx.get_str(10, std::span<char>());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -EINVAL);
}

TEST(IOContextStrings, Utf16SurrogatePairsBecomeUtf8) {
  // "a", U+1F600 as a surrogate pair, then a terminator (little-endian).
  Source src{.data = {'a', 0, 0x3D, 0xD8, 0x00, 0xDE, 0, 0}};
  IOContext ctx = reader(src);
  char out[16];
  EXPECT_EQ(ctx.get_str16le(100, out).value(), 8);
  EXPECT_STREQ(out, "a\xF0\x9F\x98\x80");
}

TEST(IOContextSeek, InBufferSeeksCostNoBackendCall) {
  Source src{.data = ramp(10000)};
  IOContext ctx = reader(src, 4096);
  ctx.r8();
  ASSERT_EQ(ctx.seek(4000).value(), 4000);
  EXPECT_EQ(ctx.r8(), src.data[4000]);
  ASSERT_EQ(ctx.seek(10).value(), 10);
  EXPECT_EQ(ctx.r8(), src.data[10]);
  EXPECT_EQ(ctx.statistics().seeks, 0);
  EXPECT_TRUE(src.seeks.empty());
}

TEST(IOContextSeek, FarSeekCallsTheBackendOnce) {
  Source src{.data = ramp(200000)};
  IOContext ctx = reader(src, 4096);
  ctx.r8();
  ASSERT_EQ(ctx.seek(150000).value(), 150000);
  EXPECT_EQ(ctx.r8(), src.data[150000]);
  EXPECT_EQ(ctx.statistics().seeks, 1);
}

TEST(IOContextSeek, NonSeekableStreamsReadForwardAndRefuseFarBackward) {
  Source src{.data = ramp(200000)};
  IOContext ctx = reader(src, 4096, /*seekable=*/false);
  EXPECT_FALSE(ctx.seekable());
  ASSERT_EQ(ctx.seek(100000).value(), 100000);  // read through
  EXPECT_EQ(ctx.r8(), src.data[100000]);
  auto back = ctx.seek(10);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code(), -EPIPE);
}

TEST(IOContextSeek, EnsureSeekbackAllowsRewindingAStream) {
  Source src{.data = ramp(100000), .max_chunk = 1000};
  IOContext ctx = reader(src, 4096, /*seekable=*/false);
  ctx.r8();
  ASSERT_TRUE(ctx.ensure_seekback(50000).ok());
  std::vector<uint8_t> skip(50000);
  ASSERT_EQ(ctx.read(skip).value(), 50000u);
  ASSERT_EQ(ctx.seek(1).value(), 1);
  EXPECT_EQ(ctx.r8(), src.data[1]);
}

TEST(IOContextSeek, BadTargetsAreInvalid) {
  Source src{.data = ramp(100)};
  IOContext ctx = reader(src);
  EXPECT_EQ(ctx.seek(-1).error().code(), -EINVAL);
  ctx.r8();
  EXPECT_EQ(ctx.skip(INT64_MAX).error().code(), -EINVAL);
  EXPECT_EQ(ctx.skip(-5).error().code(), -EINVAL);
  EXPECT_EQ(ctx.tell(), 1);
}

TEST(IOContextSeek, SizeComesFromTheBackend) {
  Source src{.data = ramp(12345)};
  IOContext ctx = reader(src);
  EXPECT_EQ(ctx.size().value(), 12345);
  Source stream{.data = ramp(10)};
  IOContext unseekable = reader(stream, 4096, false);
  EXPECT_EQ(unseekable.size().error().code(), -ENOSYS);
}

TEST(IOContextMemory, ReadsTheSpanInPlace) {
  const std::vector<uint8_t> data = ramp(10);
  IOContext ctx = IOContext::from_memory(data);
  std::vector<uint8_t> out(4);
  ASSERT_EQ(ctx.read(out).value(), 4u);
  ASSERT_EQ(ctx.seek(2).value(), 2);
  std::vector<uint8_t> rest(8);
  ASSERT_EQ(ctx.read(rest).value(), 8u);
  EXPECT_TRUE(std::equal(rest.begin(), rest.end(), data.begin() + 2));
  EXPECT_TRUE(ctx.read(rest).error().is_eof());
  EXPECT_EQ(ctx.size().value(), 10);
  auto view = IOContext::from_memory(data).peek(10);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->data(), data.data());  // zero-copy: the caller's own bytes
}

TEST(IOContextFactories, RejectBadOptionsWithAClearError) {
  Source src;
  auto bad = IOContext::from_callbacks(src.callbacks(true, false, false), {.buffer_size = 0});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), -EINVAL);
  EXPECT_NE(bad.error().message().find("buffer_size"), std::string::npos);
  auto no_backend = IOContext::from_backend(nullptr, {});
  EXPECT_FALSE(no_backend.ok());
  auto cannot_write = IOContext::from_callbacks(src.callbacks(true, false, false), {.write = true});
  ASSERT_FALSE(cannot_write.ok());
  EXPECT_NE(cannot_write.error().message().find("cannot write"), std::string::npos);
}

TEST(IOContextFactories, ReadFunctionIsAReaderWithItsOwnErrors) {
  Source src{.data = ramp(50000), .fail_at = 40000};
  auto read = [&src](std::span<uint8_t> dst) { return src.callbacks(true, false, false).read(dst); };
  IOContext ctx = IOContext::from_read_function(read, {.buffer_size = 4096, .write = true}).value();
  EXPECT_FALSE(ctx.writable());  // options.write is ignored
  EXPECT_FALSE(ctx.seekable());
  std::vector<uint8_t> head(100);
  ASSERT_EQ(ctx.read(head).value(), head.size());
  EXPECT_EQ(src.read_sizes, std::vector<size_t>{4096});  // through the buffer
  std::vector<uint8_t> rest(39900);
  ASSERT_EQ(ctx.read(rest).value(), rest.size());
  EXPECT_TRUE(std::equal(head.begin(), head.end(), src.data.begin()));
  EXPECT_TRUE(std::equal(rest.begin(), rest.end(), src.data.begin() + 100));
  EXPECT_EQ(ctx.r8(), 0);
  EXPECT_EQ(ctx.status().code(), -EIO);
  EXPECT_EQ(ctx.status().error().detail(), "test source failed");  // the function's own words
  EXPECT_EQ(ctx.close().code(), -EIO);
}

// The state of a context is the engine's and nothing more; a function
// backend holding a pointer is a vtable, its last error and the pointer.
TEST(IOContextFactories, ContextsCarryNoStateBeyondTheEngines) {
  EXPECT_EQ(sizeof(IOContext), sizeof(detail::Core));
  int *p = nullptr;
  auto fn = [p](std::span<uint8_t>) -> Result<size_t> { return p ? size_t{1} : size_t{0}; };
  EXPECT_EQ(sizeof(detail::ReadFunctionBackend<decltype(fn)>), 3 * sizeof(void *));
}

TEST(IOContextLifetime, MovedFromContextsAreInert) {
  Source src{.data = ramp(100)};
  IOContext a = reader(src);
  IOContext b = std::move(a);
  EXPECT_EQ(b.r8(), src.data[0]);
  IOContext c = IOContext::dynamic_buffer();
  c = std::move(b);
  EXPECT_EQ(c.r8(), src.data[1]);
}

}  // namespace
}  // namespace avio
