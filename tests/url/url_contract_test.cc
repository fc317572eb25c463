// The protocol contract the network protocols live in: bounded and
// interruptible opens, a token that wakes waits at once, positional reads
// from many threads, listening protocols with accept and handshake, and
// capabilities derived from what a protocol overrides.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "avio/url.hpp"
#include "test_protocols.hpp"
#include "url_test_util.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int64_t ms_since(Clock::time_point t) { return std::chrono::duration_cast<milliseconds>(Clock::now() - t).count(); }

avio::ProtocolRegistry test_registry() {
  avio::ProtocolRegistry r = avio::ProtocolRegistry::with_builtins();
  r.add_or_replace(avio_test::blocking_open_protocol());
  r.add_or_replace(avio_test::listening_protocol());
  return r;
}

// ---------------------------------------------------------------- opens --

TEST(OpenInterrupt, CallbackEndsABlockingOpenWithin100ms) {
  const avio::ProtocolRegistry registry = test_registry();
  std::atomic<bool> stop{false};
  avio::OpenOptions o;
  o.registry = &registry;
  o.interrupt_callback = [&] { return stop.load(); };
  auto r = avio_test::run_interrupted_after(
      milliseconds(50), [&] { stop = true; }, [&] { return avio::open_url("block:", o); });
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.error().code(), avio::kExit);
  EXPECT_NE(r.result.error().message().find("block"), std::string::npos);
  EXPECT_LT(r.ms_after_raise, 100);
}

TEST(OpenInterrupt, TokenEndsABlockingOpenWithin100ms) {
  const avio::ProtocolRegistry registry = test_registry();
  auto token = std::make_shared<avio::CancellationToken>();
  avio::OpenOptions o;
  o.registry = &registry;
  o.cancel = token;
  auto r = avio_test::run_interrupted_after(
      milliseconds(50), [&] { token->cancel(); }, [&] { return avio::open_url("block:", o); });
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.error().code(), avio::kExit);
  EXPECT_LT(r.ms_after_raise, 100);
}

TEST(OpenInterrupt, OpenTimeoutBoundsTheOpenAndNestedOpens) {
  const avio::ProtocolRegistry registry = test_registry();
  avio::OpenOptions o;
  o.registry = &registry;
  o.open_timeout = 60000;  // µs
  Clock::time_point t0 = Clock::now();
  auto r = avio::open_url("block:", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -ETIMEDOUT);
  EXPECT_NE(r.error().message().find("timed out"), std::string::npos);
  EXPECT_GE(ms_since(t0), 55);
  EXPECT_LT(ms_since(t0), 1000);
  // A wrapper's nested open inherits the deadline.
  o.protocol_whitelist = "subfile,block";
  t0 = Clock::now();
  r = avio::open_url("subfile,,start,0,,:block:", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -ETIMEDOUT);
  EXPECT_LT(ms_since(t0), 1000);
}

// ---------------------------------------------------------------- waits --

// A cancellation ends a wait on an idle descriptor as soon as it is raised
// (an eventfd in the same poll), not at the next polling slice.
TEST(Wait, TokenWakesAnIdleWaitAtOnce) {
  avio_test::SilentPipe pipe;
  int64_t best_us = INT64_MAX;
  for (int trial = 0; trial < 5; ++trial) {
    auto token = std::make_shared<avio::CancellationToken>();
    avio::Interrupt in{nullptr, token};
    Clock::time_point raised{};
    std::thread canceller([&] {
      std::this_thread::sleep_for(milliseconds(30));
      raised = Clock::now();
      token->cancel();
    });
    const avio::WaitResult r = in.wait(pipe.fds[0], POLLIN, avio::Deadline::never());
    const Clock::time_point ended = Clock::now();
    canceller.join();
    EXPECT_EQ(r, avio::WaitResult::kInterrupted);
    const int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(ended - raised).count();
    EXPECT_LT(us, 100000);
    best_us = std::min(best_us, us);
  }
  // Sanitizers and a loaded machine add scheduling delay, never 20 ms slices.
  EXPECT_LT(best_us, 10000);
}

TEST(Wait, DeadlineAndReadinessAndCallback) {
  avio_test::SilentPipe pipe;
  avio::Interrupt none;
  Clock::time_point t0 = Clock::now();
  EXPECT_EQ(none.wait(pipe.fds[0], POLLIN, avio::Deadline::after(milliseconds(30))), avio::WaitResult::kTimedOut);
  EXPECT_GE(ms_since(t0), 29);
  ASSERT_EQ(write(pipe.fds[1], "x", 1), 1);
  EXPECT_EQ(none.wait(pipe.fds[0], POLLIN, avio::Deadline::never()), avio::WaitResult::kReady);
  int calls = 0;
  avio::Interrupt cb{[&] { return ++calls >= 3; }, nullptr};
  avio_test::SilentPipe idle;
  t0 = Clock::now();
  EXPECT_EQ(cb.wait(idle.fds[0], POLLIN, avio::Deadline::never()), avio::WaitResult::kInterrupted);
  EXPECT_EQ(calls, 3);  // polled every kCallbackPollInterval
  EXPECT_LT(ms_since(t0), 500);
  auto cancelled = std::make_shared<avio::CancellationToken>();
  cancelled->cancel();
  EXPECT_EQ((avio::Interrupt{nullptr, cancelled}.sleep_until(avio::Deadline::after(milliseconds(5000)))),
            avio::WaitResult::kInterrupted);
  EXPECT_TRUE(avio::Deadline::never().is_never());
  EXPECT_FALSE(avio::Deadline::after_us(0).expired());  // 0: no timeout, FFmpeg's convention
}

// A blocked pipe read ends when the token is raised, through the same wait.
TEST(Wait, TokenEndsABlockedPipeRead) {
  avio_test::SilentPipe pipe;
  auto token = std::make_shared<avio::CancellationToken>();
  avio::OpenOptions o;
  o.cancel = token;
  auto ctx = avio::open_url(pipe.url(), o);
  ASSERT_TRUE(ctx.ok()) << ctx.error().message();
  uint8_t b[4];
  auto r = avio_test::run_interrupted_after(
      milliseconds(30), [&] { token->cancel(); }, [&] { return ctx->read(b); });
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.error().code(), avio::kExit);
  EXPECT_LT(r.ms_after_raise, 100);
}

// ------------------------------------------------------ positional reads --

TEST(ReadAt, EightThreadsOnOneFileContext) {
  avio_test::TempDir dir;
  const std::vector<uint8_t> data = avio_test::random_bytes(1 << 20, 9);
  avio_test::write_file(dir / "f", data);
  auto ctx = avio::open_url(dir / "f");
  ASSERT_TRUE(ctx.ok()) << ctx.error().message();
  ASSERT_TRUE(ctx->backend_capabilities().read_at);
  ASSERT_TRUE(ctx->backend_capabilities().concurrent_read_at);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 gen(static_cast<uint32_t>(t));
      std::vector<uint8_t> buf(70000);
      for (int i = 0; i < 200; ++i) {
        const size_t at = gen() % data.size();
        const size_t n = 1 + gen() % buf.size();
        auto r = ctx->read_at(static_cast<int64_t>(at), {buf.data(), n});
        const size_t expect = std::min(n, data.size() - at);
        if (!r.ok() || *r != expect || std::memcmp(buf.data(), data.data() + at, expect) != 0) ++wrong;
      }
    });
  }
  // Meanwhile the stream itself is read sequentially: the two never meet.
  std::vector<uint8_t> all(data.size());
  auto n = ctx->read(all);
  for (auto &th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(all, data);
  uint8_t b[4];
  auto end = ctx->read_at(static_cast<int64_t>(data.size()), b);
  ASSERT_FALSE(end.ok());
  EXPECT_TRUE(end.error().is_eof());
}

TEST(ReadAt, SubfileConcatAndDataImplementItPipesDoNot) {
  avio_test::TempDir dir;
  const std::vector<uint8_t> a = avio_test::random_bytes(5000, 1), b = avio_test::random_bytes(3000, 2);
  avio_test::write_file(dir / "a", a);
  avio_test::write_file(dir / "b", b);
  std::vector<uint8_t> ab = a;
  ab.insert(ab.end(), b.begin(), b.end());

  auto sub = avio::open_url_context("subfile,,start,1000,end,4000,,:" + (dir / "a"));
  ASSERT_TRUE(sub.ok()) << sub.error().message();
  std::vector<uint8_t> buf(5000);
  auto r = (*sub)->read_at(100, buf);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(*r, 2900u);  // clipped to the range
  EXPECT_TRUE(std::equal(buf.begin(), buf.begin() + 2900, a.begin() + 1100));
  EXPECT_TRUE((*sub)->stream().concurrent_read_at);

  auto cat = avio::open_url_context("concat:" + (dir / "a") + "|" + (dir / "b"));
  ASSERT_TRUE(cat.ok()) << cat.error().message();
  r = (*cat)->read_at(4000, buf);  // across the boundary: the context asks each part
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(*r, 4000u);
  EXPECT_TRUE(std::equal(buf.begin(), buf.begin() + 4000, ab.begin() + 4000));
  // The stream position did not move.
  uint8_t first[3];
  ASSERT_TRUE((*cat)->read(first).ok());
  EXPECT_EQ(first[0], a[0]);

  auto data = avio::open_url_context("data:text/plain,hello world");
  ASSERT_TRUE(data.ok());
  r = (*data)->read_at(6, buf);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + static_cast<long>(*r)), "world");

  avio_test::SilentPipe pipe;
  auto p = avio::open_url_context(pipe.url());
  ASSERT_TRUE(p.ok());
  r = (*p)->read_at(0, buf);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -ENOSYS);
  EXPECT_NE(r.error().message().find("pipe"), std::string::npos);
}

// ---------------------------------------------------------- capabilities --

TEST(Capabilities, DerivedFromOverrides) {
  const avio::ProtocolRegistry &g = avio::ProtocolRegistry::global();
  const auto file = g.find("file")->capabilities();
  EXPECT_TRUE(file.read && file.write && file.seek && file.read_at && file.check && file.dir && file.remove &&
              file.move);
  EXPECT_FALSE(file.accept || file.pause || file.read_seek);
  const auto pipe = g.find("pipe")->capabilities();
  EXPECT_TRUE(pipe.read && pipe.write && pipe.check);
  EXPECT_FALSE(pipe.seek || pipe.read_at);  // FFmpeg's pipe has no url_seek
  EXPECT_TRUE(g.find("fd")->capabilities().seek);
  EXPECT_FALSE(g.find("md5")->capabilities().read);
  EXPECT_TRUE(g.find("md5")->capabilities().write);
  EXPECT_FALSE(g.find("tee")->capabilities().read);
  EXPECT_TRUE(g.find("subfile")->capabilities().read_at);
  EXPECT_FALSE(g.find("cache")->capabilities().read_at);
  const auto listen = avio_test::listening_protocol().capabilities();
  EXPECT_TRUE(listen.accept);
  EXPECT_FALSE(listen.handshake);  // the server itself has none; its clients do
}

// -------------------------------------------------------------- listening --

TEST(Listen, AcceptAndHandshakeThroughTheCppApi) {
  const avio::ProtocolRegistry registry = test_registry();
  avio::OpenOptions o;
  o.registry = &registry;
  avio_test::ListeningProtocol::closed_clients = 0;
  auto server = avio::open_url("listen:3", o);
  ASSERT_TRUE(server.ok()) << server.error().message();
  for (int i = 0; i < 3; ++i) {
    auto client = avio::accept(*server);
    ASSERT_TRUE(client.ok()) << client.error().message();
    std::vector<int> steps;
    for (int k = 0; k < 10; ++k) {
      auto step = avio::handshake(*client);
      ASSERT_TRUE(step.ok()) << step.error().message();
      steps.push_back(*step);
      if (*step == 0) break;
    }
    EXPECT_EQ(steps, (std::vector<int>{2, 1, 0}));
    // Done stays done.
    EXPECT_EQ(*avio::handshake(*client), 0);
    char text[16] = {};
    auto n = client->read({reinterpret_cast<uint8_t *>(text), sizeof text});
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(text, *n), "client " + std::to_string(i));
  }
  auto more = avio::accept(*server);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.error().code(), -EAGAIN);
  EXPECT_NE(more.error().message().find("no more clients"), std::string::npos);
  EXPECT_EQ(avio_test::ListeningProtocol::closed_clients, 3);  // each client closed with its context
}

TEST(Listen, ErrorPartWayThroughTheHandshake) {
  const avio::ProtocolRegistry registry = test_registry();
  avio::OpenOptions o;
  o.registry = &registry;
  o.options.set("fail_at", "2");
  avio_test::ListeningProtocol::closed_clients = 0;
  auto server = avio::open_url("listen:3", o);
  ASSERT_TRUE(server.ok()) << server.error().message();
  {
    auto client = avio::accept(*server);
    ASSERT_TRUE(client.ok());
    EXPECT_EQ(*avio::handshake(*client), 2);
    auto step = avio::handshake(*client);
    ASSERT_FALSE(step.ok());
    EXPECT_EQ(step.error().code(), -EPROTO);
    EXPECT_NE(step.error().message().find("step 2"), std::string::npos);
  }
  EXPECT_EQ(avio_test::ListeningProtocol::closed_clients, 1);  // a failed client is still released
  // A context that does not listen: FFmpeg's EBADF.
  auto file = avio::open_url("data:text/plain,x");
  ASSERT_TRUE(file.ok());
  auto none = avio::accept(*file);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), -EBADF);
  EXPECT_EQ(avio::shutdown(*file, avio::kOpenWrite).code(), -ENOSYS);  // data: has no shutdown
  auto memory = avio::IOContext::from_memory(std::span<const uint8_t>());
  EXPECT_EQ(avio::accept(memory).error().code(), -EINVAL);
}

}  // namespace
