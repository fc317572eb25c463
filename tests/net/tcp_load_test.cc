// Load on loopback: a tcp listen=2 server built on avio::accept serves 200
// concurrent clients, each sending 1 MiB; every byte arrives, and no
// descriptor or thread remains afterwards.
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>

#include "avio/url.hpp"
#include "net_test_util.hpp"

namespace {

using avio_net_test::threads_now;

uint64_t fnv1a(std::span<const uint8_t> bytes, uint64_t h = 1469598103934665603ull) {
  for (uint8_t b : bytes) h = (h ^ b) * 1099511628211ull;
  return h;
}

TEST(TcpLoad, TwoHundredClientsOneMebibyteEach) {
  constexpr int kClients = 200;
  constexpr size_t kBytes = 1 << 20;
  // ThreadSanitizer starts a thread of its own with the first one a test
  // makes: let that happen before counting.
  std::thread([] {}).join();
  const int fds = avio_net_test::open_fds();
  const int threads = threads_now();
  const int port = avio_net_test::free_port();
  {
    avio::OpenOptions o;
    o.options = {{"listen_timeout", "30000"}};
    auto server = avio::open_url("tcp://127.0.0.1:" + std::to_string(port) + "?listen=2", o);
    ASSERT_TRUE(server.ok()) << server.error().message();

    // Each client sends its own pattern; the server hashes what it receives.
    std::vector<uint64_t> expected(kClients);
    std::vector<std::thread> clients;
    clients.reserve(kClients);
    std::atomic<int> client_failures{0};
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        const std::vector<uint8_t> data = avio_net_test::pattern(kBytes, static_cast<uint32_t>(c + 1));
        expected[c] = fnv1a(data);
        avio::OpenOptions co;
        co.flags = avio::kOpenWrite;
        co.rw_timeout = 30000000;
        auto io = avio::open_url("tcp://127.0.0.1:" + std::to_string(port) + "?timeout=30000000", co);
        if (!io.ok()) {
          ++client_failures;
          return;
        }
        const uint32_t id = static_cast<uint32_t>(c);
        io->wl32(id);  // which client this is
        io->write(data);
        if (!io->close().ok()) ++client_failures;
      });
    }

    // The server: one thread accepts, a few workers drain the clients.
    std::mutex mu;
    std::condition_variable ready;
    std::deque<avio::IOContext> queue;
    bool accepting_done = false;
    std::vector<uint64_t> got(kClients, 0);
    std::vector<size_t> sizes(kClients, 0);
    std::atomic<int> server_failures{0};
    std::vector<std::thread> workers;
    workers.reserve(8);
    for (int w = 0; w < 8; ++w) {
      workers.emplace_back([&] {
        std::vector<uint8_t> buf(size_t{64} * 1024);
        while (true) {
          std::unique_lock<std::mutex> lock(mu);
          ready.wait(lock, [&] { return !queue.empty() || accepting_done; });
          if (queue.empty()) return;
          avio::IOContext client = std::move(queue.front());
          queue.pop_front();
          lock.unlock();
          const uint32_t id = client.rl32();
          if (id >= kClients) {
            ++server_failures;
            continue;
          }
          uint64_t h = 1469598103934665603ull;
          size_t total = 0;
          while (true) {
            auto n = client.read(buf);
            if (!n.ok() || *n == 0) break;
            h = fnv1a({buf.data(), *n}, h);
            total += *n;
          }
          got[id] = h;
          sizes[id] = total;
        }
      });
    }
    for (int c = 0; c < kClients; ++c) {
      auto client = avio::accept(*server);
      if (!client.ok()) {
        ADD_FAILURE() << "accept " << c << ": " << client.error().message();
        break;
      }
      if (auto step = avio::handshake(*client); !step.ok() || *step != 0) ++server_failures;
      std::lock_guard<std::mutex> lock(mu);
      queue.push_back(std::move(*client));
      ready.notify_one();
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      accepting_done = true;
    }
    ready.notify_all();
    for (auto &t : clients) t.join();
    for (auto &t : workers) t.join();
    EXPECT_EQ(client_failures.load(), 0);
    EXPECT_EQ(server_failures.load(), 0);
    for (int c = 0; c < kClients; ++c) {
      EXPECT_EQ(sizes[c], kBytes) << "client " << c;
      EXPECT_EQ(got[c], expected[c]) << "client " << c;
    }
  }
  EXPECT_EQ(avio_net_test::open_fds(), fds);
  EXPECT_EQ(threads_now(), threads);
}

}  // namespace
