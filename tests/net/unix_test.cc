// The unix protocol over real sockets in a temporary directory: stream,
// datagram and seqpacket sockets, listen, timeouts, interrupts, errors.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../url/url_test_util.hpp"
#include "avio/protocol.hpp"
#include "avio/url.hpp"
#include "net_fixture.hpp"

namespace {

using namespace avio_net_test;

class Unix : public NoLeakedDescriptors {
 protected:
  SocketDir dir_;
};

bool exists(const std::string &path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

TEST_F(Unix, StreamEcho) {
  const std::string path = dir_ / "echo";
  Peer peer(path, SOCK_STREAM, echo);
  auto ctx = avio::open_url("unix:" + path, with(avio::kOpenReadWrite));
  ASSERT_TRUE(ctx) << ctx.error().message();
  EXPECT_FALSE(ctx->seekable());
  EXPECT_GE(avio::url_context_of(*ctx)->file_handle(), 0);
  const std::vector<uint8_t> data = pattern(70000, 5);
  ctx->write(data);
  ctx->flush();
  std::vector<uint8_t> back(data.size());
  auto n = ctx->read(back);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, data.size());
  EXPECT_TRUE(back == data);
}

TEST_F(Unix, StreamReadsToTheEnd) {
  const std::string path = dir_ / "serve";
  const std::vector<uint8_t> data = pattern(123456, 9);
  Peer peer(path, SOCK_STREAM, serve(data));
  auto ctx = avio::open_url("unix:" + path, avio::kOpenRead);
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::vector<uint8_t> got(data.size() + 1);
  auto n = ctx->read(got);
  ASSERT_TRUE(n);
  got.resize(*n);
  EXPECT_TRUE(got == data);
  uint8_t b;
  auto end = ctx->read({&b, 1});
  ASSERT_FALSE(end);
  EXPECT_TRUE(end.error().is_eof());
}

TEST_F(Unix, ListenAcceptsOneClientAndRemovesThePathOnClose) {
  const std::string path = dir_ / "server";
  const std::vector<uint8_t> data = pattern(40000, 2);
  std::thread client([&] {
    sockaddr_storage ss;
    const socklen_t len = unix_address(path, &ss);
    const int fd = connect_retry(ss, len);
    if (fd < 0) return;
    std::atomic<bool> stop{false};
    send_all(fd, data.data(), data.size(), stop);
    close(fd);
  });
  {
    auto ctx = avio::open_url("unix:" + path, with(avio::kOpenRead, {{"listen", "1"}, {"timeout", "5000"}}));
    if (!ctx) {
      client.join();
      FAIL() << ctx.error().message();
    }
    EXPECT_TRUE(exists(path));
    std::vector<uint8_t> got(data.size() + 1);
    auto n = ctx->read(got);
    ASSERT_TRUE(n);
    got.resize(*n);
    EXPECT_TRUE(got == data);
  }
  client.join();
  EXPECT_FALSE(exists(path));
}

TEST_F(Unix, Errors) {
  const auto code = [](const std::string &u, avio::Dictionary opts = {}) {
    auto ctx = avio::open_url(u, with(avio::kOpenRead, std::move(opts)));
    return ctx ? 0 : ctx.error().code();
  };
  EXPECT_EQ(code("unix:" + (dir_ / "missing")), -ENOENT);
  // Bound, not listening: refused.
  const std::string bound = dir_ / "bound";
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss;
  const socklen_t len = unix_address(bound, &ss);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr *>(&ss), len), 0);
  EXPECT_EQ(code("unix:" + bound), -ECONNREFUSED);
  // listen on a path in use: EADDRINUSE, and the path is not removed.
  EXPECT_EQ(code("unix:" + bound, {{"listen", "1"}}), -EADDRINUSE);
  EXPECT_TRUE(exists(bound));
  close(fd);
  EXPECT_EQ(code("unix:" + (dir_ / "x"), {{"type", "raw"}}), -EINVAL);
  EXPECT_EQ(code("unix:/" + std::string(200, 'a')), -EINVAL);
  auto too_long = avio::open_url("unix:/" + std::string(200, 'a'), avio::kOpenRead);
  EXPECT_NE(too_long.error().message().find("longer than"), std::string::npos) << too_long.error().message();
}

TEST_F(Unix, ListenTimeoutRemovesThePath) {
  const std::string path = dir_ / "lonely";
  const auto start = Clock::now();
  auto ctx = avio::open_url("unix:" + path, with(avio::kOpenRead, {{"listen", "1"}, {"timeout", "200"}}));
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), -ETIMEDOUT) << ctx.error().message();
  EXPECT_GE(ms_since(start), 190);
  EXPECT_LT(ms_since(start), 1500);
  EXPECT_FALSE(exists(path));
}

TEST_F(Unix, ReadPastRwTimeoutAndCancellation) {
  const std::string path = dir_ / "silent";
  Peer peer(path, SOCK_STREAM, silent, 2);
  {
    avio::OpenOptions o = with(avio::kOpenRead);
    o.rw_timeout = 200000;
    auto ctx = avio::open_url("unix:" + path, o);
    ASSERT_TRUE(ctx) << ctx.error().message();
    const auto start = Clock::now();
    uint8_t b;
    auto r = ctx->read({&b, 1});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), -EIO) << r.error().message();  // what FFmpeg's retry loop reports
    EXPECT_GE(ms_since(start), 190);
    EXPECT_LT(ms_since(start), 1500);
  }
  {
    auto token = std::make_shared<avio::CancellationToken>();
    avio::OpenOptions o = with(avio::kOpenRead);
    o.cancel = token;
    auto ctx = avio::open_url("unix:" + path, o);
    ASSERT_TRUE(ctx) << ctx.error().message();
    uint8_t b;
    auto r = avio_test::run_interrupted_after(
        std::chrono::milliseconds(100), [&] { token->cancel(); },
        [&] {
          return ctx->read({&b, 1});
        });
    ASSERT_FALSE(r.result);
    EXPECT_EQ(r.result.error().code(), avio::kExit);
    EXPECT_LT(r.ms_after_raise, 100);
  }
}

TEST_F(Unix, DatagramPacketsOfPktSize) {
  const std::string path = dir_ / "dgram";
  std::mutex m;
  std::vector<size_t> sizes;
  std::vector<uint8_t> bytes;
  Peer peer(path, SOCK_DGRAM, [&](int fd, const std::atomic<bool> &stop) {
    uint8_t buf[65536];
    while (wait_fd(fd, POLLIN, stop)) {
      const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) continue;
      std::lock_guard<std::mutex> lock(m);
      sizes.push_back(static_cast<size_t>(n));
      bytes.insert(bytes.end(), buf, buf + n);
    }
  });
  const std::vector<uint8_t> data = pattern(2500, 4);
  {
    auto ctx = avio::open_url("unix:" + path, with(avio::kOpenWrite, {{"type", "datagram"}, {"pkt_size", "1000"}}));
    ASSERT_TRUE(ctx) << ctx.error().message();
    EXPECT_EQ(avio::url_context_of(*ctx)->stream().max_packet_size, 1000);
    ctx->write(data);
    EXPECT_TRUE(ctx->close());
  }
  const auto start = Clock::now();
  while (ms_since(start) < 5000) {
    std::lock_guard<std::mutex> lock(m);
    if (bytes.size() >= data.size()) break;
  }
  peer.stop();
  std::lock_guard<std::mutex> lock(m);
  EXPECT_EQ(sizes, (std::vector<size_t>{1000, 1000, 500}));
  EXPECT_TRUE(bytes == data);
}

TEST_F(Unix, SeqpacketReadsPacketsThenEnds) {
  const std::string path = dir_ / "seq";
  Peer peer(path, SOCK_SEQPACKET, [](int fd, const std::atomic<bool> &stop) {
    for (int len : {100, 200, 300}) {
      const std::vector<uint8_t> p = pattern(static_cast<size_t>(len), static_cast<uint32_t>(len));
      if (!wait_fd(fd, POLLOUT, stop)) return;
      send(fd, p.data(), p.size(), MSG_NOSIGNAL);
    }
  });
  auto url_ctx =
      avio::open_url_context("unix:" + path, with(avio::kOpenRead, {{"type", "seqpacket"}, {"pkt_size", "500"}}));
  ASSERT_TRUE(url_ctx) << url_ctx.error().message();
  EXPECT_EQ((*url_ctx)->stream().max_packet_size, 500);
  EXPECT_TRUE((*url_ctx)->stream().streamed);
  uint8_t buf[500];
  for (int len : {100, 200, 300}) {
    auto n = (*url_ctx)->read(buf);
    ASSERT_TRUE(n) << n.error().message();
    EXPECT_EQ(*n, static_cast<size_t>(len));
    EXPECT_TRUE(std::vector<uint8_t>(buf, buf + *n) == pattern(static_cast<size_t>(len), static_cast<uint32_t>(len)));
  }
  auto end = (*url_ctx)->read(buf);
  ASSERT_FALSE(end);
  EXPECT_TRUE(end.error().is_eof()) << end.error().message();
}

}  // namespace
