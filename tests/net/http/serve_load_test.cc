// `avio serve` under load and while it stops: 200 concurrent clients
// reading random ranges of a 64 MiB file, a slowloris client that does not
// hold up anyone else, idle connections let go, SIGTERM and SIGINT during
// transfers (in-flight responses finish, stalled ones are cut after the
// grace period, exit 0), and the server's descriptors and threads counted
// in /proc before it stops.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "serve_fixture.hpp"

namespace avio_serve_test {
namespace {

using Clock = std::chrono::steady_clock;
namespace http = avio::protocols::http;

constexpr int64_t kBigSize = int64_t{64} << 20;

// The byte at `offset` of the big file: cheap to compute anywhere.
char byte_at(int64_t offset) {
  const auto x = static_cast<uint64_t>(offset) * 0x9E3779B97F4A7C15ULL;
  return static_cast<char>(x >> 56);
}

void write_big_file(const std::filesystem::path &path, int64_t size) {
  std::ofstream out(path, std::ios::binary);
  std::string block(1 << 20, '\0');
  for (int64_t at = 0; at < size; at += static_cast<int64_t>(block.size())) {
    for (size_t i = 0; i < block.size(); ++i) block[i] = byte_at(at + static_cast<int64_t>(i));
    out.write(block.data(), static_cast<std::streamsize>(std::min<int64_t>(size - at, block.size())));
  }
}

bool bytes_match(const std::string &body, int64_t first) {
  for (size_t i = 0; i < body.size(); ++i)
    if (body[i] != byte_at(first + static_cast<int64_t>(i))) return false;
  return true;
}

class ServeLoad : public ServeTest {};

// One client: `requests` random ranges, over kept-alive connections while
// the server keeps them (it closes them when others wait for a worker).
// Returns the number of wrong answers.
int range_client(int port, uint32_t seed, int requests) {
  std::mt19937 rng(seed);
  int wrong = 0;
  std::unique_ptr<RawClient> c;
  for (int i = 0; i < requests; ++i) {
    const int64_t first = static_cast<int64_t>(rng() % static_cast<uint64_t>(kBigSize));
    const int64_t last = std::min<int64_t>(kBigSize - 1, first + static_cast<int64_t>(rng() % (256 << 10)));
    if (!c) c = std::make_unique<RawClient>(port);
    const std::string range = "Range: bytes=" + std::to_string(first) + "-" + std::to_string(last) + "\r\n";
    std::optional<RawResponse> r;
    if (c->send(get_request("/big.bin", range))) r = c->read_response();
    const std::string expected_range =
        "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(kBigSize);
    if (!r || r->head.status != 206 || r->head.find("Content-Range").value_or("") != expected_range ||
        static_cast<int64_t>(r->body.size()) != last - first + 1 || !bytes_match(r->body, first))
      ++wrong;
    if (!r || r->head.find("Connection").value_or("") == "close") c.reset();
  }
  return wrong;
}

TEST_F(ServeLoad, TwoHundredConcurrentClientsGetTheirBytes) {
  write_big_file(root_.path() / "big.bin", kBigSize);
  serve({"--threads", "16"});
  const int descriptors = server_->descriptor_count();
  EXPECT_EQ(server_->thread_count(), 16 + 2);  // the workers, the accept loop, main
  const auto start = Clock::now();
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  clients.reserve(200);
  for (int i = 0; i < 200; ++i)
    clients.emplace_back([&, i] { wrong += range_client(server_->port(), static_cast<uint32_t>(i), 4); });
  for (std::thread &t : clients) t.join();
  const auto took = Clock::now() - start;
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LT(took, std::chrono::seconds(20));
  std::printf("200 clients x 4 ranges: %lld ms\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  EXPECT_EQ(server_->access_log().size(), 800u);
  // Every connection closed, no thread started or left.
  EXPECT_EQ(server_->wait_descriptors(descriptors, std::chrono::seconds(5)), descriptors);
  EXPECT_EQ(server_->thread_count(), 16 + 2);
  EXPECT_EQ(server_->stop_cleanly(), "");
}

TEST_F(ServeLoad, SlowlorisIsCutAndBlocksNobody) {
  root_.write("a.txt", "a\n");
  serve({"--threads", "2", "--header-timeout", "3", "--idle-timeout", "2"});
  // One byte every 500 ms: the head would take 15 s.
  RawClient slow(server_->port());
  ASSERT_TRUE(slow.connected());
  const std::string head = get_request("/a.txt");
  std::atomic<bool> cut{false};
  const auto first_byte = Clock::now();
  std::thread dripper([&] {
    for (size_t i = 0; i < head.size() && !cut; ++i) {
      if (!slow.send(head.substr(i, 1))) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
  // Meanwhile other clients are served at once.
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    RawClient c(server_->port());
    ASSERT_TRUE(c.send(get_request("/a.txt", "Connection: close\r\n")));
    auto r = c.read_response();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "a\n");
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(1));
  }
  // The slow head is answered 408 and cut after the header timeout.
  auto r = slow.read_response();
  const auto after = Clock::now() - first_byte;
  cut = true;
  dripper.join();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->head.status, 408);
  EXPECT_GT(after, std::chrono::milliseconds(2500));
  EXPECT_LT(after, std::chrono::milliseconds(6000));
  EXPECT_TRUE(slow.closed_within(std::chrono::seconds(2)));

  // A connection that sends nothing is closed after the idle timeout.
  const auto t0 = Clock::now();
  RawClient idle(server_->port());
  EXPECT_TRUE(idle.closed_within(std::chrono::seconds(6)));
  EXPECT_GT(Clock::now() - t0, std::chrono::milliseconds(1500));
}

TEST_F(ServeLoad, SigtermFinishesResponsesInFlightAndCutsStalledOnes) {
  write_big_file(root_.path() / "big.bin", kBigSize);
  root_.write("a.txt", "a\n");
  serve({"--threads", "4", "--grace", "2"});
  // Stalled: reads the head of a 64 MiB response, then nothing.
  RawClient stalled(server_->port());
  int small = 4096;
  ::setsockopt(stalled.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ASSERT_TRUE(stalled.send(get_request("/big.bin")));
  // Idle: kept alive after one request.
  RawClient idle(server_->port());
  ASSERT_TRUE(idle.send(get_request("/a.txt")));
  ASSERT_TRUE(idle.read_response().has_value());
  // In flight: 16 MiB read at full speed, SIGTERM once it started.
  RawClient fast(server_->port());
  ASSERT_TRUE(fast.send(get_request("/big.bin", "Range: bytes=0-16777215\r\n")));
  std::optional<RawResponse> fast_response;
  std::thread reader([&] { fast_response = fast.read_response(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto t0 = Clock::now();
  const int status = server_->stop(SIGTERM, std::chrono::seconds(10));
  const auto took = Clock::now() - t0;
  reader.join();
  EXPECT_EQ(status, 0) << server_->stderr_text();
  EXPECT_LT(took, std::chrono::milliseconds(4500));  // the 2 s grace, then the cut
  ASSERT_TRUE(fast_response.has_value());
  EXPECT_EQ(fast_response->head.status, 206);
  EXPECT_EQ(fast_response->body.size(), size_t{16} << 20);
  EXPECT_TRUE(bytes_match(fast_response->body, 0));
  EXPECT_TRUE(idle.closed_within(std::chrono::seconds(1)));
  const std::string err = server_->stderr_text();
  EXPECT_NE(err.find("avio serve: SIGTERM: stopping"), std::string::npos) << err;
  EXPECT_NE(err.find("avio serve: stopped"), std::string::npos) << err;
  for (const char *bad : {"left behind", "Sanitizer", "runtime error"})
    EXPECT_EQ(err.find(bad), std::string::npos) << err;
  std::printf("SIGTERM to exit: %lld ms\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  // Nobody listens any more.
  RawClient late(server_->port());
  EXPECT_FALSE(late.connected());
}

TEST_F(ServeLoad, SigintWhileIdleExitsAtOnce) {
  root_.write("a.txt", "a\n");
  serve({"--threads", "3"});
  EXPECT_EQ(server_->thread_count(), 3 + 2);
  const int descriptors = server_->descriptor_count();
  {
    RawClient kept(server_->port());
    ASSERT_TRUE(kept.send(get_request("/a.txt")));
    ASSERT_TRUE(kept.read_response().has_value());
    EXPECT_EQ(server_->wait_descriptors(descriptors + 1, std::chrono::seconds(2)), descriptors + 1);
  }
  EXPECT_EQ(server_->wait_descriptors(descriptors, std::chrono::seconds(5)), descriptors);
  RawClient idle(server_->port());
  ASSERT_TRUE(idle.send(get_request("/a.txt")));
  ASSERT_TRUE(idle.read_response().has_value());
  const auto t0 = Clock::now();
  EXPECT_EQ(server_->stop(SIGINT, std::chrono::seconds(10)), 0) << server_->stderr_text();
  EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(1000));  // nothing in flight: no grace needed
  const std::string err = server_->stderr_text();
  EXPECT_NE(err.find("SIGINT: stopping"), std::string::npos) << err;
  for (const char *bad : {"left behind", "Sanitizer", "runtime error"})
    EXPECT_EQ(err.find(bad), std::string::npos) << err;
}

}  // namespace
}  // namespace avio_serve_test
