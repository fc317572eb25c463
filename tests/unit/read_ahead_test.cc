// Read-ahead (ContextOptions::read_ahead_max): the backend's reads grow from
// the buffer size to the maximum while a reader reads on, start again after a
// seek that leaves the buffer, and change nothing the caller sees.
// tests/diff (avio_diff --read-ahead 1) compares the same against FFmpeg's
// refills over the differential scenarios; here are the sizes themselves,
// peek, and a random walk with short reads.
#include <gtest/gtest.h>

#include <random>

#include "avio/io_context.hpp"
#include "test_source.hpp"

namespace avio {
namespace {

using testing::ramp;
using testing::Source;

constexpr int kBuffer = 4096;
constexpr int64_t kMax = 65536;

IOContext reader(Source &src, int64_t read_ahead_max, bool seekable = true, int buffer_size = kBuffer) {
  Result<IOContext> ctx = IOContext::from_callbacks(src.callbacks(true, false, seekable),
                                                    {.buffer_size = buffer_size, .read_ahead_max = read_ahead_max});
  EXPECT_TRUE(ctx.ok());
  return std::move(ctx).value();
}

// Reads `n` bytes in `chunk`-byte requests and checks them against the source.
void read_and_check(IOContext &ctx, const Source &src, size_t n, size_t chunk) {
  std::vector<uint8_t> buf(chunk);
  for (size_t done = 0; done < n;) {
    const size_t want = std::min(chunk, n - done);
    const int64_t at = ctx.tell();
    Result<size_t> got = ctx.read({buf.data(), want});
    ASSERT_TRUE(got.ok()) << got.error().message();
    ASSERT_EQ(*got, want);
    ASSERT_EQ(0, std::memcmp(buf.data(), src.data.data() + at, want)) << "at " << at;
    done += want;
  }
}

TEST(ReadAhead, RefillsDoubleFromTheBufferSizeToTheMaximum) {
  Source src{.data = ramp(1 << 20)};
  IOContext ctx = reader(src, kMax);
  read_and_check(ctx, src, src.data.size(), 1000);

  // 4 KiB, 8, 16, 32, then 64 KiB to the end.
  std::vector<size_t> want = {4096, 8192, 16384, 32768};
  for (size_t total = 61440; total < src.data.size(); total += kMax) want.push_back(kMax);
  EXPECT_EQ(src.read_sizes, want);
  EXPECT_EQ(ctx.core().buffer_size, kMax);
  uint8_t byte;
  Result<size_t> end = ctx.read({&byte, 1});
  ASSERT_FALSE(end.ok());
  EXPECT_TRUE(end.error().is_eof());
  const Statistics st = ctx.statistics();
  EXPECT_EQ(st.refills, static_cast<int64_t>(src.read_sizes.size()));
  EXPECT_EQ(st.bytes_read, static_cast<int64_t>(src.data.size()));
}

TEST(ReadAhead, SmallReadersGrowTheSameWay) {
  Source src{.data = ramp(300000)};
  IOContext ctx = reader(src, kMax);
  uint64_t sum = 0, want = 0;
  for (size_t i = 0; i + 4 <= src.data.size(); i += 4) {
    sum += ctx.rl32();
    uint32_t v;
    std::memcpy(&v, src.data.data() + i, 4);
    want += v;
  }
  EXPECT_EQ(sum, want);
  EXPECT_EQ(src.read_sizes, (std::vector<size_t>{4096, 8192, 16384, 32768, 65536, 65536, 65536, 65536}));
}

TEST(ReadAhead, ASeekThatLeavesTheBufferStartsAgainFromTheBufferSize) {
  Source src{.data = ramp(1 << 20)};
  IOContext ctx = reader(src, kMax);
  read_and_check(ctx, src, 200000, 4096);
  ASSERT_EQ(src.read_sizes.back(), static_cast<size_t>(kMax));

  // Inside the buffer: no backend call, and the run goes on.
  const size_t calls = src.read_sizes.size();
  const int64_t back = ctx.tell() - 3000;
  EXPECT_EQ(*ctx.seek(back), back);
  EXPECT_EQ(*ctx.seek(195000), 195000);
  read_and_check(ctx, src, 100000, 4096);
  EXPECT_EQ(src.seeks.size(), 0u);
  EXPECT_EQ(src.read_sizes[calls], static_cast<size_t>(kMax));

  // Away: the backend seeks, and the refills grow again from 4 KiB. The
  // buffer keeps its size.
  src.read_sizes.clear();
  EXPECT_EQ(*ctx.seek(700000), 700000);
  EXPECT_EQ(src.seeks.size(), 1u);
  read_and_check(ctx, src, 100000, 4096);
  EXPECT_EQ(src.read_sizes, (std::vector<size_t>{4096, 8192, 16384, 32768, 65536}));
  EXPECT_EQ(ctx.core().buffer_size, kMax);

  // A step back to just before the buffer re-reads from half the original
  // buffer earlier, so that its first refill holds the target: one backend
  // seek, and the run starts again.
  src.read_sizes.clear();
  const size_t seeks = src.seeks.size();
  const int64_t start = ctx.tell() - (ctx.core().buf_ptr - ctx.core().buffer);
  EXPECT_EQ(*ctx.seek(start - 1000), start - 1000);
  ASSERT_EQ(src.seeks.size(), seeks + 1);
  EXPECT_EQ(src.seeks.back().first, start - kBuffer / 2);
  read_and_check(ctx, src, 50000, 4096);
  EXPECT_EQ(src.read_sizes, (std::vector<size_t>{4096, 8192, 16384, 32768}));
  EXPECT_EQ(src.seeks.size(), seeks + 1);
}

TEST(ReadAhead, ALargeReadGoesStraightToTheCallerAndCountsAsARefill) {
  Source src{.data = ramp(200000)};
  IOContext ctx = reader(src, kMax);
  read_and_check(ctx, src, 10000, 10000);  // more than the 4 KiB buffer: one call of 10000
  read_and_check(ctx, src, 100, 100);      // the next refill is twice the buffer
  EXPECT_EQ(src.read_sizes, (std::vector<size_t>{10000, 8192}));
  EXPECT_EQ(ctx.core().buffer_size, 8192);
  EXPECT_EQ(ctx.statistics().refills, 2);
}

TEST(ReadAhead, OffUnlessAskedForAndWhereFFmpegsRefillsMatter) {
  const auto sizes = [](int64_t read_ahead_max, bool seekable, ContextOptions options) {
    Source src{.data = ramp(100000)};
    options.buffer_size = kBuffer;
    options.read_ahead_max = read_ahead_max;
    Result<IOContext> ctx = IOContext::from_callbacks(src.callbacks(true, false, seekable), options);
    EXPECT_TRUE(ctx.ok());
    std::vector<uint8_t> buf(1000);
    while (ctx->read({buf.data(), buf.size()}).ok()) {
    }
    std::vector<size_t> distinct = src.read_sizes;
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    return distinct;
  };
  const std::vector<size_t> fixed = {kBuffer};
  EXPECT_EQ(sizes(0, true, {}), fixed);            // the default
  EXPECT_EQ(sizes(kBuffer + 1, true, {}), fixed);  // below twice the buffer
  EXPECT_EQ(sizes(kMax, false, {}), fixed);        // cannot seek
  // Packets and direct mode keep their own sizes.
  EXPECT_EQ(sizes(kMax, true, {.max_packet_size = 1000}), sizes(0, true, {.max_packet_size = 1000}));
  EXPECT_EQ(sizes(kMax, true, {.direct = true}), sizes(0, true, {.direct = true}));
  EXPECT_NE(sizes(kMax, true, {}), fixed);
  // A maximum between two doublings rounds down.
  EXPECT_EQ(sizes(kMax - 1, true, {}), (std::vector<size_t>{4096, 8192, 16384, 32768}));

  Source src;
  EXPECT_FALSE(
      IOContext::from_callbacks(src.callbacks(true, false, true), {.buffer_size = kBuffer, .read_ahead_max = -1}).ok());
}

TEST(ReadAhead, PeekAsksForWhatIsMissingOrTheReadSize) {
  Source src{.data = ramp(1 << 20)};
  IOContext ctx = reader(src, kMax);
  read_and_check(ctx, src, 100000, 4096);  // grown to 64 KiB refills
  src.read_sizes.clear();
  ASSERT_EQ(*ctx.seek(500000), 500000);
  Result<std::span<const uint8_t>> view = ctx.peek(100);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(0, std::memcmp(view->data(), src.data.data() + 500000, 100));
  EXPECT_EQ(src.read_sizes, std::vector<size_t>{4096});  // not the whole 64 KiB buffer

  // A peek larger than the maximum grows the buffer for itself; the next
  // refill that starts over brings it back to the read size.
  view = ctx.peek(200000);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->size(), 200000u);
  EXPECT_EQ(0, std::memcmp(view->data(), src.data.data() + 500000, 200000));
  EXPECT_GE(ctx.core().buffer_size, 200000);
  ctx.consume(200000);
  read_and_check(ctx, src, 150000, 4096);
  EXPECT_LE(ctx.core().buffer_size, kMax);
}

// A random walk (reads of every size, small readers, peeks, seeks near and
// far, skips, eof) over a source that returns short reads: the context that
// reads ahead sees what one without it sees, and both see the data.
TEST(ReadAhead, RandomWalksSeeWhatFFmpegsRefillsSee) {
  for (int seed = 1; seed <= 200; ++seed) {
    std::mt19937 gen(static_cast<unsigned>(seed));
    const size_t size = 1000 + gen() % 600000;
    Source plain{.data = ramp(size)}, ahead{.data = plain.data};
    plain.max_chunk = ahead.max_chunk = seed % 3 == 0 ? 1 + gen() % 50000 : SIZE_MAX;
    const int buffer = seed % 4 == 0 ? 1 + static_cast<int>(gen() % 100) : kBuffer << (gen() % 4);
    IOContext a = reader(plain, 0, true, buffer), b = reader(ahead, int64_t{buffer} << (1 + gen() % 8), true, buffer);
    std::vector<uint8_t> x(300000), y(300000);
    for (int op = 0; op < 400; ++op) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " op " + std::to_string(op));
      const int64_t here = a.tell();
      ASSERT_EQ(here, b.tell());
      switch (gen() % 8) {
        case 0: ASSERT_EQ(a.r8(), b.r8()); break;
        case 1: ASSERT_EQ(a.rb32(), b.rb32()); break;
        case 2:
        case 3: {
          const size_t n = gen() % 4 == 0 ? gen() % x.size() : gen() % 9000;
          Result<size_t> ra = a.read({x.data(), n}), rb = b.read({y.data(), n});
          ASSERT_EQ(ra.ok(), rb.ok());
          if (!ra.ok()) {
            ASSERT_EQ(ra.error().code(), rb.error().code());
            break;
          }
          ASSERT_EQ(*ra, *rb);
          ASSERT_EQ(0, std::memcmp(x.data(), y.data(), *ra));
          ASSERT_EQ(0, std::memcmp(y.data(), plain.data.data() + here, *rb));
          break;
        }
        case 4: {
          const size_t n = gen() % 70000;
          Result<std::span<const uint8_t>> pa = a.peek(n), pb = b.peek(n);
          ASSERT_EQ(pa.ok(), pb.ok());
          if (!pa.ok()) break;
          ASSERT_EQ(pa->size(), pb->size());
          ASSERT_EQ(0, std::memcmp(pb->data(), plain.data.data() + here, pb->size()));
          const size_t k = pb->size() ? gen() % (pb->size() + 1) : 0;
          a.consume(k);
          b.consume(k);
          break;
        }
        case 5: {  // a seek anywhere in the data, or near
          const int64_t to = gen() % 2 ? static_cast<int64_t>(gen() % size)
                                       : std::clamp<int64_t>(here + static_cast<int64_t>(gen() % 80000) - 40000, 0,
                                                             static_cast<int64_t>(size));
          Result<int64_t> sa = a.seek(to), sb = b.seek(to);
          ASSERT_TRUE(sa.ok() && sb.ok());
          ASSERT_EQ(*sa, *sb);
          break;
        }
        case 6: {
          const int64_t by = std::min<int64_t>(gen() % 5000, static_cast<int64_t>(size) - here);
          ASSERT_EQ(*a.skip(by), *b.skip(by));
          break;
        }
        default:
          // (With bytes still buffered after a peek met the end, eof() retries
          // a refill that, in FFmpeg's way, may drop them: asked when drained.)
          if (a.available() == 0) {
            ASSERT_EQ(a.eof(), b.eof());
          }
          break;
      }
    }
    // The statistics count what the backend did, read-ahead or not.
    EXPECT_EQ(b.statistics().refills, static_cast<int64_t>(ahead.read_sizes.size()));
  }
}

}  // namespace
}  // namespace avio
