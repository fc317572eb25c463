// The block cache's parts without a network: range coalescing and splitting,
// the link model's fit, and BlockCache's claims, merged waits, failures,
// abandoned claims, eviction within its bound (blocks read whole first) and
// thread-safety.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "remote/block_cache.hpp"
#include "remote/range_plan.hpp"

namespace {

using avio::remote::BlockCache;
using avio::remote::ByteRange;
using avio::remote::coalesce;
using avio::remote::hole_for_count;
using avio::remote::LinkModel;

TEST(Coalesce, MergesAcrossHolesUpToTheRangeLimit) {
  const std::vector<ByteRange> out =
      coalesce({{100, 10}, {0, 10}, {15, 10}, {1000, 10}, {1020, 0}, {30, 20}}, {.hole = 10, .range = 100});
  // 0-10 and 15-25 (hole 5), then 30-50 (hole 5): 0-50; 100-110 is 50 away; 1000 alone; the empty one dropped.
  EXPECT_EQ(out, (std::vector<ByteRange>{{0, 50}, {100, 10}, {1000, 10}}));
}

TEST(Coalesce, OverlapsMergeWhateverTheLimitAndTheRangeLimitHolds) {
  EXPECT_EQ(coalesce({{0, 100}, {50, 100}, {140, 5}}, {.hole = 0, .range = 10}), (std::vector<ByteRange>{{0, 150}}));
  EXPECT_EQ(coalesce({{0, 6}, {7, 6}}, {.hole = 5, .range = 12}), (std::vector<ByteRange>{{0, 6}, {7, 6}}));
  EXPECT_EQ(coalesce({{0, 6}, {7, 6}}, {.hole = 5, .range = 13}), (std::vector<ByteRange>{{0, 13}}));
}

TEST(Coalesce, TheHoleForACountClosesTheSmallestGapsFirst) {
  // Gaps 5, 50, 2, 20.
  const std::vector<ByteRange> r = {{0, 10}, {15, 10}, {75, 10}, {87, 3}, {110, 10}};
  EXPECT_EQ(hole_for_count(r, 5, 1000), 0) << "they fit already";
  EXPECT_EQ(hole_for_count(r, 4, 1000), 2);
  EXPECT_EQ(hole_for_count(r, 3, 1000), 5);
  EXPECT_EQ(hole_for_count(r, 2, 1000), 20);
  EXPECT_EQ(hole_for_count(r, 1, 1000), 50);
  EXPECT_EQ(hole_for_count(r, 0, 1000), 50) << "one range at least";
  EXPECT_EQ(hole_for_count(r, 1, 10), 10) << "never past the cap";
  for (size_t count = 1; count <= r.size(); ++count)
    EXPECT_LE(coalesce(r, {hole_for_count(r, count, 1000), 1000}).size(), count);
}

TEST(LinkModel, FitsLatencyAndBandwidthAndDerivesTheLimits) {
  LinkModel link(int64_t{1} << 20);
  EXPECT_EQ(link.limits().hole, int64_t{1} << 20) << "the initial hole until measured";
  // 20 ms to the first byte, 50 MB/s: hole = 1 MB, range = 9 MB.
  for (int64_t n : {int64_t{65536}, int64_t{1} << 20, int64_t{8} << 20, int64_t{65536}, int64_t{4} << 20})
    link.observe(n, std::chrono::nanoseconds(static_cast<int64_t>((0.020 + static_cast<double>(n) / 50e6) * 1e9)));
  EXPECT_NEAR(std::chrono::duration<double>(link.latency()).count(), 0.020, 0.001);
  EXPECT_NEAR(link.bytes_per_second(), 50e6, 1e6);
  EXPECT_NEAR(static_cast<double>(link.limits().hole), 1e6, 3e4);
  EXPECT_NEAR(static_cast<double>(link.limits().range), 9e6, 3e5);
  // A slow, far link: the range is capped.
  LinkModel far(int64_t{1} << 20);
  for (int64_t n : {int64_t{65536}, int64_t{4} << 20})
    far.observe(n, std::chrono::nanoseconds(static_cast<int64_t>((0.2 + static_cast<double>(n) / 100e6) * 1e9)));
  EXPECT_EQ(far.limits().hole, LinkModel::kMaxRange);
  EXPECT_EQ(far.limits().range, LinkModel::kMaxRange);
}

TEST(LinkModel, EqualSizesKeepTheInitialHole) {
  LinkModel link(int64_t{4} << 20);
  for (int i = 0; i < 5; ++i) link.observe(int64_t{1} << 20, std::chrono::milliseconds(30));
  EXPECT_EQ(link.limits().hole, int64_t{4} << 20);
  EXPECT_EQ(link.latency().count(), 0);
}

avio::remote::BlockBytes bytes(size_t n, uint8_t v) { return avio::remote::BlockBytes(n, v); }

// One stream or ranged pieces: the bandwidth-delay product against twice a
// piece, above a floor of latency, and only once the fit is known.
TEST(LinkModel, PrefersOneStreamWhereAPieceWouldMostlyWaitForItsFirstByte) {
  using std::chrono::milliseconds;
  using std::chrono::nanoseconds;
  const auto observe = [](LinkModel &m, double latency_s, double bytes_per_second) {
    for (const int64_t n : {int64_t{64} << 10, int64_t{1} << 20, int64_t{4} << 20, int64_t{2} << 20})
      m.observe(n, nanoseconds(static_cast<int64_t>((latency_s + static_cast<double>(n) / bytes_per_second) * 1e9)));
  };
  const int64_t piece = (int64_t{32} << 20) / 6;  // half a 64 MiB cache over six connections
  LinkModel fast_far(1 << 20);                    // 100 ms, 1 GB/s: 100 MB in flight
  observe(fast_far, 0.1, 1e9);
  EXPECT_TRUE(fast_far.prefers_one_stream(piece, milliseconds(10)));
  LinkModel capped(1 << 20);  // 100 ms, 50 MiB/s: 5.2 MB, under 2 x 5.6 MB
  observe(capped, 0.1, 50.0 * (1 << 20));
  EXPECT_FALSE(capped.prefers_one_stream(piece, milliseconds(10)));
  EXPECT_TRUE(capped.prefers_one_stream(piece / 4, milliseconds(10))) << "smaller pieces would wait more";
  LinkModel near(1 << 20);  // 5 ms, 10 GB/s: 50 MB, but a latency a busy machine makes up
  observe(near, 0.005, 1e10);
  EXPECT_FALSE(near.prefers_one_stream(piece, milliseconds(10)));
  EXPECT_TRUE(near.prefers_one_stream(piece, milliseconds(1)));
  LinkModel unknown(1 << 20);
  unknown.observe(65536, milliseconds(100));
  EXPECT_FALSE(unknown.prefers_one_stream(piece, milliseconds(10))) << "one size tells no bandwidth";
}

TEST(BlockCacheParts, TheFirstAskerClaimsAndTheOthersWaitForIt) {
  BlockCache cache(1 << 20);
  BlockCache::Lookup first = cache.lookup("obj", 3);
  ASSERT_TRUE(first.claimed);
  BlockCache::Lookup second = cache.lookup("obj", 3);
  ASSERT_FALSE(second.claimed);
  ASSERT_TRUE(second.pending);
  std::thread fetcher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cache.fulfil("obj", 3, bytes(100, 7));
  });
  avio::Result<BlockCache::Block> b = cache.wait(second.pending, avio::Interrupt{});
  fetcher.join();
  ASSERT_TRUE(b);
  EXPECT_EQ((**b)[0], 7);
  BlockCache::Lookup third = cache.lookup("obj", 3);
  ASSERT_TRUE(third.block);
  EXPECT_EQ(cache.stats().hits, 1);
  EXPECT_EQ(cache.stats().misses, 1);
  EXPECT_EQ(cache.stats().merged, 1);
  EXPECT_FALSE(cache.lookup("obj2", 3).block) << "another object's block 3 is another block";
}

TEST(BlockCacheParts, AFailureReachesTheWaitersAndTheNextAskerFetchesAgain) {
  BlockCache cache(1 << 20);
  ASSERT_TRUE(cache.lookup("obj", 0).claimed);
  BlockCache::Lookup waiter = cache.lookup("obj", 0);
  cache.fail("obj", 0, avio::Error(-EIO, "boom"));
  avio::Result<BlockCache::Block> b = cache.wait(waiter.pending, avio::Interrupt{});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code(), -EIO);
  EXPECT_NE(b.error().message().find("boom"), std::string::npos);
  EXPECT_TRUE(cache.lookup("obj", 0).claimed);
}

TEST(BlockCacheParts, AWaitEndsAtTheInterrupt) {
  BlockCache cache(1 << 20);
  ASSERT_TRUE(cache.lookup("obj", 0).claimed);
  BlockCache::Lookup waiter = cache.lookup("obj", 0);
  auto token = std::make_shared<avio::CancellationToken>();
  avio::Interrupt interrupt;
  interrupt.token = token;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    token->cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  avio::Result<BlockCache::Block> b = cache.wait(waiter.pending, interrupt);
  canceller.join();
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code(), avio::kExit);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50 + 100));
}

TEST(BlockCacheParts, NeverHoldsMoreThanItsBound) {
  BlockCache cache(4000);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(cache.lookup("obj", i).claimed);
    BlockCache::Block b = cache.fulfil("obj", i, bytes(1000, static_cast<uint8_t>(i)));
    EXPECT_EQ((*b)[0], i) << "a block too many for the bound is still handed over";
    EXPECT_LE(cache.stats().resident, 4000u);
  }
  EXPECT_EQ(cache.stats().peak, 4000u);
  EXPECT_EQ(cache.stats().evictions, 16);
  EXPECT_TRUE(cache.lookup("obj", 19).block) << "the most recent stay";
  EXPECT_TRUE(cache.lookup("obj", 0).claimed) << "the oldest went";
  cache.fail("obj", 0, avio::Error(-EIO));
  ASSERT_TRUE(cache.lookup("big", 0).claimed);
  cache.fulfil("big", 0, bytes(5000, 1));
  EXPECT_TRUE(cache.lookup("big", 0).claimed) << "a block beyond the whole bound is not kept";
  cache.fail("big", 0, avio::Error(-EIO));
  cache.set_capacity(1000);
  EXPECT_LE(cache.stats().resident, 1000u);
}

// Claims in flight count against the bound and cannot be evicted: a claim
// for read-ahead (only_if_room) is refused while they fill it, and a block
// settled beside them that would not fit is handed over, not kept.
TEST(BlockCacheParts, ClaimsInFlightKeepTheBound) {
  BlockCache cache(3000);
  ASSERT_TRUE(cache.lookup("obj", 0).claimed);
  cache.fulfil("obj", 0, bytes(1000, 0));
  ASSERT_TRUE(cache.lookup("obj", 1, 1000, /*only_if_room=*/true).claimed);
  ASSERT_TRUE(cache.lookup("obj", 2, 1000, /*only_if_room=*/true).claimed);
  ASSERT_TRUE(cache.lookup("obj", 3, 1000, /*only_if_room=*/true).claimed) << "block 0 is evicted for it";
  EXPECT_FALSE(cache.lookup("obj", 0).block);
  cache.fail("obj", 0, avio::Error(-EIO));
  const BlockCache::Lookup full = cache.lookup("obj", 4, 1000, /*only_if_room=*/true);
  EXPECT_TRUE(full.no_room);
  EXPECT_FALSE(full.claimed);
  EXPECT_FALSE(cache.known("obj", 4)) << "a refused claim leaves nothing behind";
  ASSERT_TRUE(cache.lookup("obj", 5).claimed) << "a block a reader needs is claimed whatever the bound";
  BlockCache::Block b = cache.fulfil("obj", 5, bytes(1000, 5));
  EXPECT_EQ((*b)[0], 5);
  EXPECT_FALSE(cache.known("obj", 5)) << "beside 3000 bytes of claims it is not kept";
  cache.fulfil("obj", 1, bytes(1000, 1));
  EXPECT_TRUE(cache.lookup("obj", 1).block);
  EXPECT_LE(cache.stats().peak, 3000u);
  cache.fail("obj", 2, avio::Error(-EIO));
  cache.fail("obj", 3, avio::Error(-EIO));
  EXPECT_TRUE(cache.lookup("obj", 4, 1000, /*only_if_room=*/true).claimed) << "room again once claims settle";
  cache.fail("obj", 4, avio::Error(-EIO));
}

// A block whose every byte has been read goes first: the read-ahead not
// read yet, though fetched before it was last touched, outlives it. A block
// only partly read (interleaved readers, some still behind) stays an LRU's.
TEST(BlockCacheParts, ABlockReadWholeIsEvictedFirst) {
  BlockCache cache(3000);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(cache.lookup("obj", i).claimed);
    cache.fulfil("obj", i, bytes(1000, static_cast<uint8_t>(i)));
  }
  ASSERT_TRUE(cache.lookup("obj", 2).block);  // the most recent now: an LRU would evict 0 next
  cache.consumed("obj", 2, 600);
  cache.consumed("obj", 2, 400);   // read whole, by two readers
  cache.consumed("obj", 0, 999);   // one byte short: demoted, it would go before 2
  cache.consumed("obj", 7, 1000);  // not held: nothing to do
  ASSERT_TRUE(cache.lookup("obj", 3).claimed);
  cache.fulfil("obj", 3, bytes(1000, 3));
  EXPECT_TRUE(cache.lookup("obj", 0).block) << "the oldest stayed";
  EXPECT_TRUE(cache.lookup("obj", 1).block);
  EXPECT_TRUE(cache.lookup("obj", 2).claimed) << "the block read whole went";
  cache.fail("obj", 2, avio::Error(-EIO));
}

// A claim given up unfetched: its waiters get neither a block nor an error,
// and whoever asks next claims it.
TEST(BlockCacheParts, AnAbandonedClaimIsAskedForAgain) {
  BlockCache cache(1 << 20);
  ASSERT_TRUE(cache.lookup("obj", 5).claimed);
  BlockCache::Lookup waiter = cache.lookup("obj", 5);
  ASSERT_TRUE(waiter.pending);
  cache.abandon("obj", 5);
  avio::Result<BlockCache::Block> b = cache.wait(waiter.pending, avio::Interrupt{});
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_FALSE(*b);
  EXPECT_TRUE(cache.lookup("obj", 5).claimed);
  EXPECT_EQ(cache.stats().reserved, 0u);
  cache.fail("obj", 5, avio::Error(-EIO));
}

TEST(BlockCacheParts, ManyThreadsClaimEachBlockOnce) {
  BlockCache cache(size_t{64} << 20);
  std::atomic<int> fetched{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        BlockCache::Lookup l = cache.lookup("obj", i);
        BlockCache::Block b = l.block;
        if (l.claimed) {
          ++fetched;
          b = cache.fulfil("obj", i, bytes(64, static_cast<uint8_t>(i)));
        } else if (l.pending) {
          b = cache.wait(l.pending, avio::Interrupt{}).value();
        }
        if (!b || (*b)[0] != static_cast<uint8_t>(i)) ++wrong;
      }
    });
  }
  for (std::thread &t : threads) t.join();
  EXPECT_EQ(fetched.load(), 200);
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
