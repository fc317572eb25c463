// The block cache (blockcache:, under C++ open_url of http by default)
// against a real nginx and through the fault proxy: right bytes under random
// seeks and a tiny memory bound, blocks shared between opens, a changed file
// never spliced, concurrent readers fetching each block once, read plans in
// fewer requests than reads, failures surfaced then retried, and the
// interrupt ending a stalled fetch with no thread left behind.
#include "remote/block_cache.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <future>
#include <limits>
#include <random>
#include <thread>

#include "../net_fixture.hpp"
#include "../net_test_util.hpp"
#include "avio/url.hpp"
#include "fault_proxy.hpp"
#include "io_test_util.hpp"
#include "nginx_suite.hpp"
#include "random_bytes.hpp"

namespace {

using avio_http_test::Fault;
using avio_http_test::FaultProxy;
using avio_http_test::random_bytes;
using avio_http_test::read_all;
using Clock = std::chrono::steady_clock;

int64_t stat_of(avio::IOContext &ctx, const char *name) { return avio::url_context_of(ctx)->options().integer(name); }

// Polls until `done` holds or `limit` has passed: a bound on a hang, not a
// speed (the caller asserts what it waited for).
void wait_until(const std::function<bool()> &done, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

class BlockCache : public avio_http_test::NginxSuite {
 protected:
  // The bound is the process's: a test that sets cache_size sets it for
  // the tests after it in the same process (run_tsan.sh runs them so).
  void SetUp() override {
    avio::remote::BlockCache::shared().set_capacity(size_t{64} << 20);
    NginxSuite::SetUp();
  }

  // The read-ahead as ranged pieces: a loaded machine's loopback may look
  // like a link a stream would serve better (readahead_stream=-1).
  static avio::OpenOptions pieces_only() {
    avio::OpenOptions o;
    o.options.set("readahead_stream", "0");
    return o;
  }
  // `size` random bytes from `seed`, served by nginx as `name`.
  std::vector<uint8_t> serve_random(const std::string &name, size_t size, uint32_t seed) {
    std::vector<uint8_t> data = random_bytes(size, seed);
    nginx().put_file(name, data);
    return data;
  }
  // The open and the first window (blocks 0 and 1 of a reader that reads
  // 2 MiB at once, one piece each on two connections) pass; the
  // background's pieces stall until the proxy stops.
  static void stall_the_background(FaultProxy &proxy) {
    for (int i = 0; i < 3; ++i) proxy.push(Fault{.kind = Fault::Kind::kPass});
    for (int i = 0; i < 16; ++i) proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 1000});
  }

  // Reads an object of 16 MiB (its read-ahead: readahead_stream) while
  // another's read-ahead, stalled, holds 6 of the bound's 8 MiB in claims:
  // every byte right, the bound kept, between 1 and `max_refused` claims
  // refused, and the stalled fetches ended by the close.
  void read_beside_stalled_claims(const char *readahead_stream, int64_t max_refused) {
    constexpr int64_t kBlock = int64_t{1} << 20;
    avio::remote::BlockCache &cache = avio::remote::BlockCache::shared();
    const std::vector<uint8_t> b = serve_random("bc_room_b.bin", 16 << 20, 43);
    serve_random("bc_room_a.bin", 16 << 20, 42);  // read only while its read-ahead stalls
    const int threads_before = avio_net_test::threads_now();
    {
      FaultProxy stalling(nginx().http_port());
      stall_the_background(stalling);
      FaultProxy proxy(nginx().http_port());
      avio::OpenOptions o = pieces_only();
      o.options.set("cache_size", std::to_string(8 * kBlock));
      avio::Result<avio::IOContext> ctx_a = avio::open_url(stalling.url("/bc_room_a.bin"), o);
      ASSERT_TRUE(ctx_a) << ctx_a.error().message();
      std::vector<uint8_t> buf(2 * kBlock - 1);
      ASSERT_TRUE(ctx_a->read(buf));
      // Alone, it claims its share, three quarters of the bound: 6 blocks.
      wait_until([&] { return cache.stats().reserved >= size_t{6} << 20; }, std::chrono::seconds(10));
      ASSERT_GE(cache.stats().reserved, size_t{6} << 20) << "no read-ahead in flight";
      o.options.set("readahead_stream", readahead_stream);
      avio::Result<avio::IOContext> ctx_b = avio::open_url(proxy.url("/bc_room_b.bin"), o);
      ASSERT_TRUE(ctx_b) << ctx_b.error().message();
      cache.reset_peak();
      const int64_t refused_before = cache.stats().refused;
      std::vector<uint8_t> got(kBlock);
      for (size_t at = 0; at < b.size(); at += got.size()) {
        avio::Result<size_t> n = ctx_b->read(got);
        ASSERT_TRUE(n) << n.error().message();
        ASSERT_EQ(*n, got.size());
        ASSERT_EQ(0, std::memcmp(got.data(), b.data() + at, got.size())) << "at " << at;
      }
      EXPECT_LE(cache.stats().peak, static_cast<size_t>(8 * kBlock));
      const int64_t refused = cache.stats().refused - refused_before;
      EXPECT_GE(refused, 1) << "the bound never filled: the test tests nothing";
      EXPECT_LE(refused, max_refused);
      const Clock::time_point closing = Clock::now();
      ASSERT_TRUE(ctx_a->close());
      EXPECT_LT(Clock::now() - closing, std::chrono::seconds(2));  // a bound on a hang: the stalls last
    }
    EXPECT_EQ(avio_net_test::threads_now(), threads_before) << "a fetch thread was left behind";
  }

  // Small blocks, so that a few MiB make many.
  static avio::OpenOptions small_blocks() {
    avio::OpenOptions o;
    o.options.set("block_size", "65536");
    return o;
  }
};

TEST_F(BlockCache, OpenUrlReadsHttpThroughTheCacheAndRandomReadsAreRight) {
  const std::vector<uint8_t> data = random_bytes(3 << 20, 21);
  nginx().put_file("bc_random.bin", data);
  avio::OpenOptions o = small_blocks();
  o.options.set("cache_size", std::to_string(3 * 65536));  // a tiny bound: constant eviction
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().http_url("/bc_random.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  EXPECT_EQ(avio::url_context_of(*ctx)->info().name(), "blockcache");
  ASSERT_EQ(ctx->size().value(), static_cast<int64_t>(data.size()));
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(200000);
  for (int i = 0; i < 300; ++i) {
    const int64_t at = std::uniform_int_distribution<int64_t>(0, static_cast<int64_t>(data.size()) - 1)(rng);
    const size_t want = std::uniform_int_distribution<size_t>(1, buf.size())(rng);
    ASSERT_TRUE(ctx->seek(at));
    avio::Result<size_t> n = ctx->read(std::span<uint8_t>(buf.data(), want));
    ASSERT_TRUE(n) << n.error().message();
    const size_t expect = std::min<size_t>(want, data.size() - static_cast<size_t>(at));
    ASSERT_EQ(*n, expect) << "at " << at;
    ASSERT_EQ(0, std::memcmp(buf.data(), data.data() + at, *n)) << "at " << at;
  }
  EXPECT_LE(avio::url_context_of(*ctx)->options().integer("cache_size"), 3 * 65536);
  avio::Dictionary reset;
  reset.set("cache_size", "67108864");
  avio::OpenOptions restore;
  restore.options = reset;
  nginx().put_file("bc_tiny.bin", "x");
  ASSERT_TRUE(avio::open_url(nginx().http_url("/bc_tiny.bin"), restore));  // the shared bound back to its default
}

TEST_F(BlockCache, SequentialReadAheadGrowsAndOpensCostOneRequest) {
  const std::vector<uint8_t> data = random_bytes(12 << 20, 22);
  nginx().put_file("bc_seq.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::OpenOptions o;
  o.options.set("max_connections", "1");   // one connection: each read-ahead is one request
  o.options.set("readahead_stream", "0");  // ranged pieces, whatever a busy machine's latency looks like
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_seq.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  EXPECT_EQ(proxy.requests(), 1) << "the open is one small request that also gives the size";
  EXPECT_LE(proxy.response_bytes(), (64 << 10) + 2048);
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, data);
  // 1 MiB blocks, read-ahead doubling 2, 4, 8 blocks: the open and three or
  // four requests (a fixed window of one block would take twelve; where the
  // background's pieces end depends on when the last one finished).
  EXPECT_LE(stat_of(*ctx, "requests"), 5) << [&] {
    std::string heads;
    for (const std::string &h : proxy.request_heads()) heads += h.substr(0, h.find("\r\n\r\n")) + "\n";
    return heads;
  }();
  EXPECT_EQ(stat_of(*ctx, "bytes_fetched"), static_cast<int64_t>(data.size())) << "a byte fetched twice";
  EXPECT_EQ(proxy.connections(), 1);
  EXPECT_EQ(proxy.requests(), stat_of(*ctx, "requests"));
}

TEST_F(BlockCache, ParallelConnectionsShareALargeReadAhead) {
  const std::vector<uint8_t> data = random_bytes(12 << 20, 32);
  nginx().put_file("bc_par.bin", data);
  FaultProxy proxy(nginx().http_port());
  // Capped as one S3 request is, so a piece (4 MiB: a quarter second) is
  // still on its connection when the next one starts, however the threads
  // are scheduled; on bare loopback one piece may end before the next begins
  // and hand its connection on.
  proxy.set_bandwidth(16 << 20);
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_par.bin"), pieces_only());
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, data);
  // http's advice is six connections.
  EXPECT_GE(stat_of(*ctx, "connections"), 2);
  EXPECT_LE(stat_of(*ctx, "connections"), 6);
  EXPECT_EQ(proxy.connections(), stat_of(*ctx, "connections"));
  EXPECT_EQ(stat_of(*ctx, "bytes_fetched"), static_cast<int64_t>(data.size()));
}

// Once reading is sequential, the blocks ahead are fetched while the reader
// is elsewhere: a reader that has read 2 MiB and stopped sees far more than
// any window it asked for arrive (a synchronous read-ahead fetches only when
// read, at most 8 blocks past the block read).
TEST_F(BlockCache, ReadAheadRunsInTheBackgroundWhileTheReaderIsIdle) {
  const std::vector<uint8_t> data = random_bytes(32 << 20, 33);
  nginx().put_file("bc_bg.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_bg.bin"), pieces_only());
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::vector<uint8_t> buf(2 << 20);
  ASSERT_TRUE(ctx->read(buf));
  ASSERT_EQ(0, std::memcmp(buf.data(), data.data(), buf.size()));
  wait_until([&] { return proxy.response_bytes() >= (int64_t{20} << 20); }, std::chrono::seconds(10));
  EXPECT_GE(proxy.response_bytes(), int64_t{20} << 20) << "nothing fetched ahead of an idle reader";
  avio::Result<std::vector<uint8_t>> rest = read_all(*ctx);
  ASSERT_TRUE(rest) << rest.error().message();
  EXPECT_TRUE(std::equal(rest->begin(), rest->end(), data.begin() + static_cast<long>(buf.size())));
  EXPECT_EQ(rest->size(), data.size() - buf.size());
  EXPECT_EQ(stat_of(*ctx, "bytes_fetched"), static_cast<int64_t>(data.size())) << "a byte fetched twice";
  EXPECT_LE(proxy.response_bytes(), static_cast<int64_t>(data.size()) + (int64_t{64} << 10));
}

// A context closed while its read-ahead is stalled in flight ends it: the
// close returns, no thread stays.
TEST_F(BlockCache, ClosingEndsTheBackgroundReadAheadAndNoThreadStays) {
  const std::vector<uint8_t> data = random_bytes(16 << 20, 34);
  nginx().put_file("bc_bgclose.bin", data);
  const int threads_before = avio_net_test::threads_now();
  {
    FaultProxy proxy(nginx().http_port());
    stall_the_background(proxy);
    Clock::time_point closing;
    {
      avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_bgclose.bin"), pieces_only());
      ASSERT_TRUE(ctx) << ctx.error().message();
      std::vector<uint8_t> buf((2 << 20) - 1);
      ASSERT_TRUE(ctx->read(buf));  // blocks 0 and 1: the background starts at block 1
      wait_until([&] { return proxy.requests() >= 4; }, std::chrono::seconds(10));
      ASSERT_GE(proxy.requests(), 4) << "no read-ahead in flight";
      closing = Clock::now();
    }
    // A bound on a hang, not a speed: the stalls last until the proxy stops.
    EXPECT_LT(Clock::now() - closing, std::chrono::seconds(2));
  }
  EXPECT_EQ(avio_net_test::threads_now(), threads_before) << "a fetch thread was left behind";
}

// A sequential reader's read-ahead as one stream (readahead_stream=1; the
// link model's choice of it is LinkModel.PrefersOneStream..., a choice no
// test over loopback can make the same way on a loaded or instrumented
// machine): after the open, one request to the object's end brings every
// block once, settled as it arrives while the reader waits on it.
TEST_F(BlockCache, AStreamReadsAheadInOneRequest) {
  const std::vector<uint8_t> data = random_bytes(24 << 20, 37);
  nginx().put_file("bc_stream.bin", data);
  FaultProxy proxy(nginx().http_port());
  proxy.set_latency(std::chrono::milliseconds(20));
  avio::OpenOptions o;
  o.options.set("readahead_stream", "1");
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_stream.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, data);
  const std::vector<std::string> heads = proxy.request_heads();
  std::string lines;
  for (const std::string &h : heads) lines += h.substr(0, h.find("\r\n\r\n")) + "\n---\n";
  ASSERT_EQ(heads.size(), 2u) << lines;
  EXPECT_NE(heads[1].find("Range: bytes=0-" + std::to_string(data.size() - 1) + "\r\n"), std::string::npos) << lines;
  // Block 0 again from its start (the open brought only 64 KiB of it).
  EXPECT_LE(proxy.response_bytes(), static_cast<int64_t>(data.size()) + (64 << 10) + 2048);
  EXPECT_EQ(stat_of(*ctx, "requests"), 2);
}

// A stream ends when the reader goes elsewhere (its connection is closed
// mid-body: what it fetched ahead stays within the read-ahead's bound) and
// when the context closes, leaving no thread.
TEST_F(BlockCache, AStreamEndsWhenTheReaderSeeksAwayOrCloses) {
  const std::vector<uint8_t> data = random_bytes(64 << 20, 38);
  nginx().put_file("bc_stream_stop.bin", data);
  const int threads_before = avio_net_test::threads_now();
  {
    FaultProxy proxy(nginx().http_port());
    proxy.set_latency(std::chrono::milliseconds(100));
    proxy.set_bandwidth(int64_t{200} << 20);
    avio::OpenOptions o;
    o.options.set("readahead_stream", "1");
    avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_stream_stop.bin"), o);
    ASSERT_TRUE(ctx) << ctx.error().message();
    std::vector<uint8_t> buf(6 << 20);
    ASSERT_TRUE(ctx->read(buf));
    ASSERT_EQ(0, std::memcmp(buf.data(), data.data(), buf.size()));
    ASSERT_EQ(proxy.requests(), 2) << "the open and the stream";
    ASSERT_TRUE(ctx->seek(int64_t{40} << 20));
    std::vector<uint8_t> far(1 << 20);
    ASSERT_TRUE(ctx->read(far));
    ASSERT_EQ(0, std::memcmp(far.data(), data.data() + (int64_t{40} << 20), far.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // 6 MiB read, 1 MiB after the seek, and what the stream brought until
    // the seek stopped it (the socket buffers' worth included): it went no
    // further, far short of the object's 64 MiB.
    const int64_t stopped = proxy.response_bytes();
    EXPECT_LT(stopped, int64_t{48} << 20);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(proxy.response_bytes(), stopped) << "the stream went on after the seek";
    // Sequential again from there: a stream again, closed while it runs.
    ASSERT_TRUE(ctx->read(far));
    ASSERT_TRUE(ctx->read(far));
    ASSERT_EQ(0, std::memcmp(far.data(), data.data() + (int64_t{42} << 20), far.size()));
    const Clock::time_point closing = Clock::now();
    ASSERT_TRUE(ctx->close());
    EXPECT_LT(Clock::now() - closing, std::chrono::seconds(2));  // a bound on a hang, not a speed
  }
  EXPECT_EQ(avio_net_test::threads_now(), threads_before) << "a stream thread was left behind";
}

// The link model's first observation is the open's request, first byte
// included: through a link of 40 ms and 25 MiB/s the hole (latency ×
// bandwidth, 1 MiB) is above the 64 KiB floor, where a fit without the
// first byte finds no latency at all. (A model, not a speed: however slow
// a loaded machine makes the transfers, the latency stays.)
TEST_F(BlockCache, TheLinkModelCountsTheOpensFirstByte) {
  const std::vector<uint8_t> data = random_bytes(8 << 20, 36);
  nginx().put_file("bc_link.bin", data);
  FaultProxy proxy(nginx().http_port());
  proxy.set_latency(std::chrono::milliseconds(40));
  proxy.set_bandwidth(int64_t{25} << 20);
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_link.bin"));
  ASSERT_TRUE(ctx) << ctx.error().message();
  ASSERT_TRUE(ctx->seek(int64_t{6} << 20));  // one far block: the fit's second size
  std::vector<uint8_t> buf(4096);
  ASSERT_TRUE(ctx->read(buf));
  EXPECT_GT(stat_of(*ctx, "hole_limit"), int64_t{64} << 10);
}

TEST_F(BlockCache, BlocksAreSharedByOpensOfTheSameVersion) {
  const std::vector<uint8_t> data = random_bytes(2 << 20, 23);
  nginx().put_file("bc_shared.bin", data);
  FaultProxy proxy(nginx().http_port());
  {
    avio::Result<avio::IOContext> first = avio::open_url(proxy.url("/bc_shared.bin"));
    ASSERT_TRUE(first) << first.error().message();
    ASSERT_EQ(read_all(*first).value(), data);
  }
  const int before = proxy.requests();
  avio::Result<avio::IOContext> second = avio::open_url(proxy.url("/bc_shared.bin"));
  ASSERT_TRUE(second) << second.error().message();
  ASSERT_EQ(read_all(*second).value(), data);
  EXPECT_EQ(proxy.requests() - before, 1) << "only the open: every block came from the cache";
  EXPECT_EQ(stat_of(*second, "cache_misses"), 0);
  EXPECT_GE(stat_of(*second, "cache_hits"), 2);
}

TEST_F(BlockCache, AFileChangedOnTheServerIsAnErrorNeverASplice) {
  const std::vector<uint8_t> v1 = random_bytes(3 << 20, 24);
  const std::vector<uint8_t> v2 = random_bytes(3 << 20, 25);
  nginx().put_file("bc_change.bin", v1);
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().http_url("/bc_change.bin"), small_blocks());
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::vector<uint8_t> buf(1000);
  ASSERT_TRUE(ctx->read(buf));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // nginx's ETag has whole seconds
  nginx().put_file("bc_change.bin", v2);
  ASSERT_TRUE(ctx->seek(2 << 20));
  avio::Result<size_t> n = ctx->read(buf);
  ASSERT_FALSE(n) << "read on into the new file";
  EXPECT_EQ(n.error().code(), -EIO);
  EXPECT_NE(n.error().message().find("changed"), std::string::npos) << n.error().message();
  // A new open sees the new version, never the old blocks.
  avio::Result<avio::IOContext> fresh = avio::open_url(nginx().http_url("/bc_change.bin"), small_blocks());
  ASSERT_TRUE(fresh) << fresh.error().message();
  EXPECT_EQ(read_all(*fresh).value(), v2);
}

TEST_F(BlockCache, ConcurrentReadersFetchEachBlockOnce) {
  const std::vector<uint8_t> data = random_bytes(4 << 20, 26);
  nginx().put_file("bc_threads.bin", data);
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().http_url("/bc_threads.bin"), small_blocks());
  ASSERT_TRUE(ctx) << ctx.error().message();
  ASSERT_TRUE(ctx->backend_capabilities().concurrent_read_at);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      std::vector<uint8_t> buf(100000);
      for (int i = 0; i < 60; ++i) {
        const int64_t at =
            std::uniform_int_distribution<int64_t>(0, static_cast<int64_t>(data.size() - buf.size()))(rng);
        avio::Result<size_t> n = ctx->read_at(at, buf);
        if (!n || *n != buf.size() || std::memcmp(buf.data(), data.data() + at, buf.size()) != 0) ++wrong;
      }
    });
  }
  for (std::thread &t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  // 64 blocks of 64 KiB: each fetched at most once, whoever asked first.
  avio::UrlContext *h = avio::url_context_of(*ctx);
  (void)ctx->seek(0);
  uint8_t one;
  ASSERT_TRUE(ctx->read(std::span<uint8_t>(&one, 1)));  // publishes the statistics
  EXPECT_LE(h->options().integer("cache_misses"), 64);
  EXPECT_LE(h->options().integer("bytes_fetched"), static_cast<int64_t>(data.size()));
}

// How many times each block of `path` was asked for, from the request
// heads the proxy saw (the open's head left out).
std::vector<int> block_fetches(const FaultProxy &proxy, const std::string &path, int64_t block, int64_t size) {
  std::vector<int> count(static_cast<size_t>((size + block - 1) / block));
  for (const std::string &head : proxy.request_heads()) {
    if (head.compare(0, 5 + path.size(), "GET " + path + " ") != 0) continue;
    const size_t at = head.find("Range: bytes=");
    if (at == std::string::npos) continue;
    std::string spec = head.substr(at + 13, head.find("\r\n", at) - at - 13) + ",";
    for (size_t from = 0, comma; (comma = spec.find(',', from)) != std::string::npos; from = comma + 1) {
      const std::string range = spec.substr(from, comma - from);
      const int64_t first = std::stoll(range);
      const int64_t last = std::stoll(range.substr(range.find('-') + 1));
      if (first == 0 && last + 1 < block) continue;  // the open's head
      for (int64_t k = first / block; k <= last / block; ++k) ++count.at(static_cast<size_t>(k));
    }
  }
  return count;
}

// Two cursors reading ahead at once share the read-ahead: each may hold
// half of three quarters of the cache ahead, and what each has read
// through is evicted first, so neither claims so much that the other's
// blocks are evicted before they are read. Only the first reader's
// read-ahead from while it was alone (three quarters, 12 of the 16 blocks)
// can be evicted as the second joins: past the first 16 blocks every block
// is fetched once. (Without the share and the eviction of blocks read
// through, about every other block was fetched twice.)
TEST_F(BlockCache, SequentialReadersShareTheReadAheadAndEvictNothingUnread) {
  constexpr int64_t kBlock = int64_t{1} << 20;
  const std::vector<uint8_t> a = serve_random("bc_share_a.bin", 32 << 20, 40);
  const std::vector<uint8_t> b = serve_random("bc_share_b.bin", 32 << 20, 41);
  FaultProxy proxy(nginx().http_port());
  proxy.set_bandwidth(int64_t{64} << 20);  // per connection: pieces are still coming while the readers read
  avio::OpenOptions o = pieces_only();
  o.options.set("cache_size", std::to_string(16 * kBlock));
  avio::Result<avio::IOContext> ctx_a = avio::open_url(proxy.url("/bc_share_a.bin"), o);
  ASSERT_TRUE(ctx_a) << ctx_a.error().message();
  avio::Result<avio::IOContext> ctx_b = avio::open_url(proxy.url("/bc_share_b.bin"), o);
  ASSERT_TRUE(ctx_b) << ctx_b.error().message();
  avio::remote::BlockCache::shared().reset_peak();  // the bound was 64 MiB for the tests before
  std::vector<uint8_t> buf(kBlock);
  for (size_t at = 0; at < a.size(); at += buf.size()) {
    for (auto [ctx, data] : {std::pair{&*ctx_a, &a}, std::pair{&*ctx_b, &b}}) {
      avio::Result<size_t> n = ctx->read(buf);
      ASSERT_TRUE(n) << n.error().message();
      ASSERT_EQ(*n, buf.size());
      ASSERT_EQ(0, std::memcmp(buf.data(), data->data() + at, buf.size())) << "at " << at;
    }
  }
  for (const char *path : {"/bc_share_a.bin", "/bc_share_b.bin"}) {
    const std::vector<int> fetched = block_fetches(proxy, path, kBlock, 32 * kBlock);
    for (size_t k = 0; k < fetched.size(); ++k) {
      if (k < 16) {
        EXPECT_GE(fetched[k], 1) << path << " block " << k;
        EXPECT_LE(fetched[k], 2) << path << " block " << k;
      } else {
        EXPECT_EQ(fetched[k], 1) << path << " block " << k << ": evicted unread";
      }
    }
  }
  EXPECT_LE(avio::remote::BlockCache::shared().stats().peak, static_cast<size_t>(16 * kBlock));
}

// Claims in flight count against the bound and cannot be evicted: while
// another reader's stalled read-ahead holds most of it, a reader's
// read-ahead claims what fits and stops there, and the reader still reads
// every byte, fetching in the foreground what the read-ahead could not
// claim. A read-ahead stops at its first refused claim: at most one a block
// read (it once retried the refused block until a claim in flight settled,
// thousands of times a read).
TEST_F(BlockCache, ReadAheadStopsWhereClaimsInFlightFillTheBound) { read_beside_stalled_claims("0", 16); }

// The same for a stream, which waits for room instead (polling: no bound
// on the refusals).
TEST_F(BlockCache, AStreamWaitsWhereClaimsInFlightFillTheBound) {
  read_beside_stalled_claims("1", std::numeric_limits<int64_t>::max());
}

// Positional readers have no cursor: the blocks the cache holds before a
// missing one are their history. Reading on from them fetches twice that
// run ahead (1, 2, 6, then the rest of 12 blocks: 5 requests with the open,
// where a block a miss would take 13); reads elsewhere fetch their blocks
// only.
TEST_F(BlockCache, PositionalReadsReadAheadFromTheBlocksCachedBeforeThem) {
  const std::vector<uint8_t> data = random_bytes(12 << 20, 34);
  nginx().put_file("bc_pread.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::OpenOptions o;
  o.options.set("max_connections", "1");  // one request per fetch, in order
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_pread.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::vector<uint8_t> buf(64 << 10);
  for (int64_t at = 0; at < static_cast<int64_t>(data.size()); at += static_cast<int64_t>(buf.size())) {
    avio::Result<size_t> n = ctx->read_at(at, buf);
    ASSERT_TRUE(n && *n == buf.size()) << "at " << at;
    ASSERT_EQ(0, std::memcmp(buf.data(), data.data() + at, buf.size())) << "at " << at;
  }
  EXPECT_LE(proxy.requests(), 6) << "a request per block: no read-ahead";
  EXPECT_LE(proxy.response_bytes(), static_cast<int64_t>(data.size()) + (16 << 10)) << "a block fetched twice";

  // Blocks with nothing cached before them: each alone.
  const std::vector<uint8_t> other = random_bytes(12 << 20, 35);
  nginx().put_file("bc_pread_random.bin", other);
  FaultProxy random_proxy(nginx().http_port());
  avio::Result<avio::IOContext> r = avio::open_url(random_proxy.url("/bc_pread_random.bin"), o);
  ASSERT_TRUE(r) << r.error().message();
  for (const int64_t block : {7, 2, 9, 4}) {
    const int64_t at = (block << 20) + 1000;
    avio::Result<size_t> n = r->read_at(at, std::span<uint8_t>(buf).first(1000));
    ASSERT_TRUE(n && *n == 1000) << "at " << at;
    ASSERT_EQ(0, std::memcmp(buf.data(), other.data() + at, 1000)) << "at " << at;
  }
  EXPECT_EQ(random_proxy.requests(), 1 + 4);
  EXPECT_LE(random_proxy.response_bytes(), (int64_t{4} << 20) + (64 << 10) + (16 << 10));
  // read_at publishes what it cost, as read does.
  EXPECT_EQ(stat_of(*r, "requests"), 1 + 4);
  EXPECT_EQ(stat_of(*r, "cache_misses"), 4);
  EXPECT_EQ(stat_of(*ctx, "requests"), proxy.requests());
}

// Eight threads reading the same bytes, interleaved (thread t takes chunks
// t, t + 8, ...): together they read on, and the read-ahead serves them all
// in a handful of requests, every block fetched once.
TEST_F(BlockCache, InterleavedThreadsShareOneReadAhead) {
  const std::vector<uint8_t> data = random_bytes(12 << 20, 36);
  nginx().put_file("bc_pread_threads.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::OpenOptions o;
  o.options.set("max_connections", "1");  // a request per fetch, whichever thread makes it
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_pread_threads.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  constexpr int kThreads = 8;
  constexpr int64_t kChunk = 64 << 10;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint8_t> buf(kChunk);
      for (int64_t at = t * kChunk; at < static_cast<int64_t>(data.size()); at += kThreads * kChunk) {
        avio::Result<size_t> n = ctx->read_at(at, buf);
        if (!n || *n != buf.size() || std::memcmp(buf.data(), data.data() + at, buf.size()) != 0) ++wrong;
      }
    });
  }
  for (std::thread &t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  // In step, the threads make 6 requests (the open, then windows of 1, 2,
  // 4, 4 and 1 blocks); a thread the scheduler lets run a few blocks ahead
  // finds no history there and fetches a block alone. 12 blocks a request
  // each, no read-ahead, is 13.
  std::string heads;
  for (const std::string &h : proxy.request_heads()) heads += h.substr(0, h.find("\r\n\r\n")) + "\n";
  EXPECT_LE(proxy.requests(), 10) << heads;
  EXPECT_LE(proxy.response_bytes(), static_cast<int64_t>(data.size()) + (64 << 10)) << "a block fetched twice\n"
                                                                                    << heads;
}

TEST_F(BlockCache, AReadPlanTakesFewerRequestsThanReads) {
  const std::vector<uint8_t> data = random_bytes(16 << 20, 27);
  nginx().put_file("bc_plan.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_plan.bin"), small_blocks());
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::mt19937 rng(9);
  std::vector<std::vector<uint8_t>> bufs;
  std::vector<avio::ReadRequest> plan;
  int64_t at = 70000;
  while (true) {
    const size_t len = std::uniform_int_distribution<size_t>(4096, 65536)(rng);
    if (at + static_cast<int64_t>(len) > static_cast<int64_t>(data.size())) break;
    bufs.emplace_back(len);
    plan.push_back({at, bufs.back()});
    at += static_cast<int64_t>(len) + std::uniform_int_distribution<int64_t>(4096, 400000)(rng);
  }
  for (size_t i = 0; i < plan.size(); ++i) plan[i].dst = bufs[i];
  const int before = proxy.requests();
  const int64_t before_bytes = proxy.response_bytes();
  ASSERT_TRUE(avio::read_ranges(*ctx, plan));
  for (const avio::ReadRequest &r : plan)
    ASSERT_EQ(0, std::memcmp(r.dst.data(), data.data() + r.offset, r.dst.size())) << "at " << r.offset;
  const int requests = proxy.requests() - before;
  EXPECT_LT(requests, static_cast<int>(plan.size()) / 4) << plan.size() << " reads";
  // Only the plan's bytes (and holes under 4 KiB) come, not whole blocks.
  int64_t wanted = 0;
  for (const avio::ReadRequest &r : plan) wanted += static_cast<int64_t>(r.dst.size());
  EXPECT_LE(proxy.response_bytes() - before_bytes, wanted + wanted / 10);
  EXPECT_GE(stat_of(*ctx, "hole_limit"), 64 << 10);
}

// More ranges than the connections' requests hold (http: 160 a request):
// the smallest gaps are read rather than skipped until they fit, so that
// no connection queues a second request behind its first.
TEST_F(BlockCache, AReadPlanOfManyRangesIsOneRequestPerConnection) {
  const std::vector<uint8_t> data = random_bytes(12 << 20, 28);
  nginx().put_file("bc_many.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::OpenOptions o;
  o.options.set("max_connections", "2");
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_many.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  // 1000 ranges of 1-2 KiB, 5-13 KiB apart: 2 requests of 160 hold 320.
  std::mt19937 rng(11);
  std::vector<std::vector<uint8_t>> bufs;
  std::vector<avio::ReadRequest> plan;
  for (int64_t at = 100000; plan.size() < 1000;) {
    bufs.emplace_back(std::uniform_int_distribution<size_t>(1024, 2048)(rng));
    plan.push_back({at, {}});
    at += static_cast<int64_t>(bufs.back().size()) + std::uniform_int_distribution<int64_t>(5000, 13000)(rng);
  }
  for (size_t i = 0; i < plan.size(); ++i) plan[i].dst = bufs[i];
  ASSERT_LE(plan.back().offset + static_cast<int64_t>(plan.back().dst.size()), static_cast<int64_t>(data.size()));
  const int before = proxy.requests();
  ASSERT_TRUE(avio::read_ranges(*ctx, plan));
  for (const avio::ReadRequest &r : plan)
    ASSERT_EQ(0, std::memcmp(r.dst.data(), data.data() + r.offset, r.dst.size())) << "at " << r.offset;
  // The open's connection takes one request, and a new one one too: told
  // the object's size and version, its open asks for nothing.
  std::string heads;
  for (const std::string &h : proxy.request_heads()) {
    const size_t range = h.find("Range: ");
    heads += h.substr(range, std::min<size_t>(h.find("\r\n", range) - range, 80)) + "\n";
  }
  EXPECT_EQ(proxy.requests() - before, 2) << "1000 ranges at 160 a request queue 4 requests a connection\n" << heads;
}

// A URL that redirects: the open follows it, and so does a new connection,
// which opens without a request (known_size, known_version) and meets the
// redirect at its first. The open's connection is kept busy by one plan
// (its answer stalls) while another plan needs a connection of its own.
TEST_F(BlockCache, APlanOnANewConnectionFollowsARedirect) {
  const std::vector<uint8_t> data = random_bytes(8 << 20, 39);
  nginx().put_file("bc_redirected.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::OpenOptions o;
  o.options.set("max_connections", "3");
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/r302/bc_redirected.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  // Two plans of ranges apart, in buffers of their own.
  std::vector<std::vector<uint8_t>> bufs;
  std::vector<avio::ReadRequest> plans[2];
  for (int p = 0; p < 2; ++p)
    for (int64_t at = 200000 + p * 100000; at + 40000 < static_cast<int64_t>(data.size()); at += 1000000) {
      bufs.emplace_back(40000);
      plans[p].push_back({at, {}});
    }
  size_t next = 0;
  for (std::vector<avio::ReadRequest> &plan : plans)
    for (avio::ReadRequest &r : plan) r.dst = bufs[next++];
  proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 1000, .stall = std::chrono::milliseconds(500)});
  const int before = proxy.requests();
  std::future<avio::Status> busy = std::async(std::launch::async, [&] { return avio::read_ranges(*ctx, plans[0]); });
  wait_until([&] { return proxy.requests() != before; }, std::chrono::seconds(5));
  ASSERT_TRUE(avio::read_ranges(*ctx, plans[1]));
  ASSERT_TRUE(busy.get());
  for (const std::vector<avio::ReadRequest> &plan : plans)
    for (const avio::ReadRequest &r : plan)
      ASSERT_EQ(0, std::memcmp(r.dst.data(), data.data() + r.offset, r.dst.size())) << "at " << r.offset;
  EXPECT_GE(stat_of(*ctx, "connections"), 2) << "the second plan had no connection of its own";
}

// will_read: ranges a reader announces (a demuxer's index) come in one
// multi-range request when the first is read; reads elsewhere still go
// through the blocks, and every byte is right.
TEST_F(BlockCache, AnnouncedRangesComeInOneRequest) {
  const std::vector<uint8_t> data = random_bytes(24 << 20, 35);
  nginx().put_file("bc_will.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_will.bin"));
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::vector<avio::ByteRange> ranges;
  for (int64_t at = 3 << 20; at + 50000 < static_cast<int64_t>(data.size()); at += 2 << 20)
    ranges.push_back({at, 50000});
  ASSERT_TRUE(avio::will_read(*ctx, ranges));
  const int before = proxy.requests();
  const int64_t before_bytes = proxy.response_bytes();
  std::vector<uint8_t> buf(50000);
  for (const avio::ByteRange &r : ranges) {
    ASSERT_TRUE(ctx->seek(r.offset));
    avio::Result<size_t> n = ctx->read(buf);
    ASSERT_TRUE(n) << n.error().message();
    ASSERT_EQ(*n, buf.size());
    ASSERT_EQ(0, std::memcmp(buf.data(), data.data() + r.offset, buf.size())) << "at " << r.offset;
  }
  EXPECT_EQ(proxy.requests() - before, 1) << ranges.size() << " ranges";
  EXPECT_LT(proxy.response_bytes() - before_bytes, static_cast<int64_t>(ranges.size()) * (50000 + 200));
  // Off the plan: a block, right bytes.
  ASSERT_TRUE(ctx->seek(int64_t{1} << 20));
  avio::Result<size_t> n = ctx->read(buf);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(0, std::memcmp(buf.data(), data.data() + (1 << 20), *n));
  EXPECT_FALSE(avio::will_read(*ctx, std::vector<avio::ByteRange>{{-1, 5}})) << "a negative offset";
}

// The announced ranges' request runs in the background, and each range can
// be read as soon as its bytes are in: here the first, while the answer
// stalls in the second (until the proxy stops). Closing the context then
// ends the stalled fetch, and no thread stays.
TEST_F(BlockCache, AnnouncedRangesAreReadAsTheyComeAndClosingEndsTheRest) {
  const std::vector<uint8_t> data = random_bytes(12 << 20, 36);
  nginx().put_file("bc_willstall.bin", data);
  const std::vector<avio::ByteRange> ranges = {{3 << 20, 20000}, {6 << 20, 2 << 20}, {9 << 20, 100000}};
  const int threads_before = avio_net_test::threads_now();
  {
    FaultProxy proxy(nginx().http_port());
    auto token = std::make_shared<avio::CancellationToken>();
    avio::OpenOptions o;
    o.cancel = token;
    o.options.set("max_connections", "1");  // one request for the three
    Clock::time_point closing;
    {
      avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_willstall.bin"), o);
      ASSERT_TRUE(ctx) << ctx.error().message();
      ASSERT_TRUE(avio::will_read(*ctx, ranges));
      // The first part whole, then the answer stalls in the second's bytes.
      proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 40000});
      ASSERT_TRUE(ctx->seek(ranges[0].offset));
      std::vector<uint8_t> buf(static_cast<size_t>(ranges[0].length));
      std::future<avio::Result<size_t>> first =
          std::async(std::launch::async, [&] { return ctx->read(std::span<uint8_t>(buf)); });
      // A bound on a hang, not a speed: without the first range's bytes the
      // read waits for the stall, which the token then ends.
      const bool came = first.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
      if (!came) token->cancel();
      avio::Result<size_t> n = first.get();
      ASSERT_TRUE(came) << "the first range waited for the whole answer";
      ASSERT_TRUE(n) << n.error().message();
      ASSERT_EQ(*n, buf.size());
      EXPECT_EQ(0, std::memcmp(buf.data(), data.data() + ranges[0].offset, buf.size()));
      EXPECT_EQ(proxy.requests(), 2) << "the open, then one request for the three ranges";
      closing = Clock::now();
    }
    EXPECT_LT(Clock::now() - closing, std::chrono::seconds(2));
  }
  EXPECT_EQ(avio_net_test::threads_now(), threads_before) << "a fetch thread was left behind";
}

// A reader that announces other ranges while a batch is still coming waits
// for that batch to end before its new one is asked for: it holds two
// batches at most, however often it jumps.
TEST_F(BlockCache, NewAnnouncedRangesWaitForTheBatchStillComing) {
  const std::vector<uint8_t> data = random_bytes(12 << 20, 40);
  nginx().put_file("bc_willagain.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::OpenOptions o;
  o.options.set("max_connections", "1");
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_willagain.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  const std::vector<avio::ByteRange> first = {{3 << 20, 20000}, {6 << 20, 2 << 20}};
  ASSERT_TRUE(avio::will_read(*ctx, first));
  proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 40000, .stall = std::chrono::milliseconds(1500)});
  const int64_t before = proxy.response_bytes();
  std::vector<uint8_t> buf(20000);
  ASSERT_TRUE(ctx->seek(first[0].offset));
  avio::Result<size_t> n = ctx->read(buf);
  ASSERT_TRUE(n && *n == buf.size());
  EXPECT_LT(proxy.response_bytes() - before, first[1].length) << "the stall did not hold the batch";
  const std::vector<avio::ByteRange> second = {{9 << 20, 20000}};
  ASSERT_TRUE(avio::will_read(*ctx, second));
  EXPECT_GE(proxy.response_bytes() - before, first[0].length + first[1].length) << "the first batch still coming";
  ASSERT_TRUE(ctx->seek(second[0].offset));
  n = ctx->read(buf);
  ASSERT_TRUE(n && *n == buf.size());
  EXPECT_EQ(0, std::memcmp(buf.data(), data.data() + second[0].offset, buf.size()));
}

// Announced ranges over more than one batch (a quarter of the cache each):
// the next batch is asked for once the reader is in a batch's last range,
// before the reader needs it; every byte is right, a request a batch.
TEST_F(BlockCache, TheNextBatchIsAskedForWhileTheLastRangeOfOneIsRead) {
  const std::vector<uint8_t> data = random_bytes(14 << 20, 38);
  nginx().put_file("bc_batches.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::OpenOptions o;
  o.options.set("cache_size", std::to_string(4 << 20));  // batches of at most 1 MiB: two ranges each
  o.options.set("max_connections", "1");
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_batches.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::vector<avio::ByteRange> ranges;
  for (int64_t at = 1 << 20; ranges.size() < 6; at += 2 << 20) ranges.push_back({at, 400000});
  ASSERT_TRUE(avio::will_read(*ctx, ranges));
  const int before = proxy.requests();
  std::vector<uint8_t> buf(400000);
  const auto read_range = [&](const avio::ByteRange &r, size_t bytes) {
    ASSERT_TRUE(ctx->seek(r.offset));
    avio::Result<size_t> n = ctx->read(std::span(buf).first(bytes));
    ASSERT_TRUE(n) << n.error().message();
    ASSERT_EQ(*n, bytes);
    ASSERT_EQ(0, std::memcmp(buf.data(), data.data() + r.offset, bytes)) << "at " << r.offset;
  };
  read_range(ranges[0], buf.size());
  EXPECT_EQ(proxy.requests(), before + 1) << "the first batch";
  read_range(ranges[1], 1000);  // the first batch's last range
  wait_until([&] { return proxy.requests() >= before + 2; }, std::chrono::seconds(5));
  EXPECT_EQ(proxy.requests(), before + 2) << "the second batch was not asked for ahead";
  for (size_t i = 1; i < ranges.size(); ++i) read_range(ranges[i], buf.size());
  EXPECT_EQ(proxy.requests(), before + 3) << "a request a batch";
}

// An announced batch whose answer is cut: the bytes that came are read, the
// reader that needs the others gets the error, and the next read asks again.
TEST_F(BlockCache, AFailedBatchSurfacesToItsReaderAndTheNextReadAsksAgain) {
  const std::vector<uint8_t> data = random_bytes(12 << 20, 37);
  nginx().put_file("bc_willcut.bin", data);
  const std::vector<avio::ByteRange> ranges = {{3 << 20, 20000}, {6 << 20, 2 << 20}};
  FaultProxy proxy(nginx().http_port());
  avio::OpenOptions o;
  o.options.set("max_connections", "1");
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_willcut.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  ASSERT_TRUE(avio::will_read(*ctx, ranges));
  proxy.push(Fault{.kind = Fault::Kind::kCutAfter, .bytes = 40000});
  std::vector<uint8_t> buf(static_cast<size_t>(ranges[1].length));
  ASSERT_TRUE(ctx->seek(ranges[0].offset));
  avio::Result<size_t> n = ctx->read(std::span(buf).first(static_cast<size_t>(ranges[0].length)));
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(0, std::memcmp(buf.data(), data.data() + ranges[0].offset, *n));
  // What came of the second range is read, and the error is latched (as
  // avio_read does after a short read).
  ASSERT_TRUE(ctx->seek(ranges[1].offset));
  n = ctx->read(buf);
  if (n) {
    ASSERT_LT(*n, buf.size()) << "the cut answer held the second range whole";
    EXPECT_EQ(0, std::memcmp(buf.data(), data.data() + ranges[1].offset, *n));
    EXPECT_FALSE(ctx->status()) << "the cut is the reader's error";
  }
  ASSERT_TRUE(ctx->seek(ranges[1].offset));
  n = ctx->read(buf);
  ASSERT_TRUE(n) << n.error().message();
  ASSERT_EQ(*n, buf.size());
  EXPECT_EQ(0, std::memcmp(buf.data(), data.data() + ranges[1].offset, buf.size()));
  EXPECT_EQ(proxy.requests(), 3) << "the open, the cut batch, the batch again";
}

TEST_F(BlockCache, APlanOverMoreThanTheCacheHoldsIsReadRight) {
  const std::vector<uint8_t> data = random_bytes(8 << 20, 31);
  nginx().put_file("bc_bigplan.bin", data);
  avio::OpenOptions o = small_blocks();
  o.options.set("cache_size", std::to_string(4 * 65536));
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().http_url("/bc_bigplan.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  // Every other 100 KB, overlapping reads among them, out of order.
  std::vector<std::vector<uint8_t>> bufs;
  std::vector<int64_t> offsets;
  for (int64_t at = static_cast<int64_t>(data.size()) - 150000; at > 0; at -= 200000) {
    offsets.push_back(at);
    offsets.push_back(at + 50000);
  }
  bufs.reserve(offsets.size());
  std::vector<avio::ReadRequest> plan;
  for (int64_t at : offsets) {
    bufs.emplace_back(100000);
    plan.push_back({at, bufs.back()});
  }
  ASSERT_TRUE(avio::read_ranges(*ctx, plan));
  for (const avio::ReadRequest &r : plan)
    ASSERT_EQ(0, std::memcmp(r.dst.data(), data.data() + r.offset, r.dst.size())) << "at " << r.offset;
}

TEST_F(BlockCache, AFailedFetchSurfacesAndTheNextReadRetries) {
  const std::vector<uint8_t> data = random_bytes(3 << 20, 28);
  nginx().put_file("bc_fail.bin", data);
  FaultProxy proxy(nginx().http_port());
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_fail.bin"), small_blocks());
  ASSERT_TRUE(ctx) << ctx.error().message();
  proxy.push(Fault{.kind = Fault::Kind::kStatus, .status = 500});
  std::vector<uint8_t> buf(1000);
  avio::Result<size_t> n = ctx->read_at(2 << 20, buf);
  ASSERT_FALSE(n) << "the 500 is the reader's error";
  EXPECT_NE(n.error().message().find("500"), std::string::npos) << n.error().message();
  n = ctx->read_at(2 << 20, buf);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(0, std::memcmp(buf.data(), data.data() + (2 << 20), *n));
}

TEST_F(BlockCache, TheTokenEndsAStalledFetchWithin100msAndNoThreadStays) {
  const std::vector<uint8_t> data = random_bytes(8 << 20, 29);
  nginx().put_file("bc_stall.bin", data);
  const int threads_before = avio_net_test::threads_now();
  {
    FaultProxy proxy(nginx().http_port());
    auto token = std::make_shared<avio::CancellationToken>();
    avio::OpenOptions o;
    o.cancel = token;
    avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/bc_stall.bin"), o);
    ASSERT_TRUE(ctx) << ctx.error().message();
    for (int i = 0; i < 4; ++i) proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 1000});
    avio_net_test::RaiseLater raiser(std::chrono::milliseconds(300), [&token] { token->cancel(); });
    avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
    const auto ended = Clock::now();
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code(), avio::kExit) << got.error().message();
    EXPECT_LT(ended - raiser.raised_at(), avio_net_test::kInterruptBound);
  }
  EXPECT_EQ(avio_net_test::threads_now(), threads_before) << "a fetch thread was left behind";
}

}  // namespace
