// The tcp protocol over real sockets on 127.0.0.1 and ::1: connect, read,
// write, listen=1 and listen=2 (accept + handshake), errors, timeouts,
// cancellation and interrupts, query options. Every test checks that no
// descriptor leaked and joins every thread it started.
#include <gtest/gtest.h>
#include <netinet/tcp.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
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

class Tcp : public NoLeakedDescriptors {};

std::string url(const std::string &host, int port, const std::string &query = "") {
  return "tcp://" + host + ":" + std::to_string(port) + query;
}

void expect_echo(const std::string &u) {
  auto ctx = avio::open_url(u, with(avio::kOpenReadWrite));
  ASSERT_TRUE(ctx) << ctx.error().message();
  const std::vector<uint8_t> data = pattern(100000, 7);
  ctx->write(data);
  ctx->flush();
  ASSERT_TRUE(ctx->status()) << ctx->status().error().message();
  std::vector<uint8_t> back(data.size());
  auto n = ctx->read(back);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, data.size());
  EXPECT_TRUE(back == data);
  EXPECT_FALSE(ctx->seekable());
  EXPECT_TRUE(ctx->close());
}

TEST_F(Tcp, EchoIPv4) {
  Peer peer(AF_INET, echo);
  expect_echo(url("127.0.0.1", peer.port()));
}

TEST_F(Tcp, EchoIPv6) {
  Peer peer(AF_INET6, echo);
  expect_echo(url("[::1]", peer.port()));
}

// A name goes through the resolver thread.
TEST_F(Tcp, EchoByName) {
  Peer peer(AF_INET, echo);
  expect_echo(url("localhost", peer.port()));
}

TEST_F(Tcp, ReadsAStreamToItsEnd) {
  const std::vector<uint8_t> data = pattern(300000, 3);
  Peer peer(AF_INET, serve(data));
  auto ctx = avio::open_url(url("127.0.0.1", peer.port()), avio::kOpenRead);
  ASSERT_TRUE(ctx) << ctx.error().message();
  auto size = ctx->size();
  ASSERT_FALSE(size);
  EXPECT_EQ(size.error().code(), -ENOSYS);
  avio::UrlContext *h = avio::url_context_of(*ctx);
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(h->stream().streamed);
  EXPECT_EQ(h->stream().max_packet_size, 0);
  std::vector<uint8_t> got(data.size() + 10);
  auto n = ctx->read(got);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, data.size());
  got.resize(*n);
  EXPECT_TRUE(got == data);
  uint8_t b;
  auto end = ctx->read({&b, 1});
  ASSERT_FALSE(end);
  EXPECT_TRUE(end.error().is_eof());
  EXPECT_TRUE(ctx->eof());
}

TEST_F(Tcp, FileHandleShortSeekAndShutdown) {
  std::vector<uint8_t> received;
  Peer peer(AF_INET, [&](int fd, const std::atomic<bool> &stop) { received = recv_all(fd, stop); });
  auto ctx = avio::open_url(url("127.0.0.1", peer.port()),
                            with(avio::kOpenWrite, {{"recv_buffer_size", "65536"}, {"tcp_nodelay", "1"}}));
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio::UrlContext *h = avio::url_context_of(*ctx);
  const int fd = h->file_handle();
  ASSERT_GE(fd, 0);
  int rcvbuf = 0, nodelay = 0;
  socklen_t len = sizeof rcvbuf;
  ASSERT_EQ(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len), 0);
  len = sizeof nodelay;
  ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
  EXPECT_NE(nodelay, 0);
  auto window = h->short_seek_size();
  ASSERT_TRUE(window);
  EXPECT_EQ(*window, rcvbuf);  // FFmpeg's tcp_get_window_size: SO_RCVBUF as reported
  EXPECT_GE(*window, 65536);
  const std::string msg = "written, then shut down";
  ctx->write({reinterpret_cast<const uint8_t *>(msg.data()), msg.size()});
  ctx->flush();
  ASSERT_TRUE(h->shutdown(avio::kOpenWrite));  // SHUT_WR: the peer sees the end
  const auto start = Clock::now();
  while (peer.served() == 0 && ms_since(start) < 5000) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(peer.served(), 1);
  EXPECT_EQ(std::string(received.begin(), received.end()), msg);
}

TEST_F(Tcp, RefusedPort) {
  for (const auto &[family, host] : {std::pair{AF_INET, std::string("127.0.0.1")}, {AF_INET6, std::string("[::1]")}}) {
    auto ctx = avio::open_url(url(host, free_port(family)), avio::kOpenRead);
    ASSERT_FALSE(ctx);
    EXPECT_EQ(ctx.error().code(), -ECONNREFUSED) << ctx.error().message();
    EXPECT_NE(ctx.error().message().find("tcp: connecting to"), std::string::npos) << ctx.error().message();
  }
}

TEST_F(Tcp, BadUrlsAndOptions) {
  const auto code = [](const std::string &u, avio::Dictionary opts = {}) {
    auto ctx = avio::open_url(u, with(avio::kOpenRead, std::move(opts)));
    return ctx ? 0 : ctx.error().code();
  };
  EXPECT_EQ(code("tcp://127.0.0.1"), -EINVAL);  // no port
  EXPECT_EQ(code("tcp://127.0.0.1:0"), -EINVAL);
  EXPECT_EQ(code("tcp://127.0.0.1:65536"), -EINVAL);
  EXPECT_EQ(code("tcp://127.0.0.1:x"), -EINVAL);
  EXPECT_EQ(code("tcp://"), -EINVAL);
  auto bad = avio::open_url("tcp://127.0.0.1", avio::kOpenRead);
  EXPECT_NE(bad.error().message().find("port missing"), std::string::npos) << bad.error().message();
  // A host that does not resolve: FFmpeg's EIO, naming the host.
  avio::OpenOptions o = with(avio::kOpenRead);
  o.open_timeout = 10000000;
  auto host = avio::open_url("tcp://no-such-host.invalid:80", o);
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().code(), -EIO) << host.error().message();
  EXPECT_NE(host.error().message().find("no-such-host.invalid"), std::string::npos) << host.error().message();
  // listen out of range: from the dictionary the option's range, from the query our check.
  EXPECT_EQ(code("tcp://127.0.0.1:1", {{"listen", "3"}}), -ERANGE);
  EXPECT_EQ(code("tcp://127.0.0.1:1?listen=5"), -EINVAL);
  EXPECT_EQ(code("tcp://127.0.0.1:1", {{"timeout", "abc"}}), -EINVAL);
  // An option no protocol knows is the caller's to see (open_url's rule).
  Peer peer(AF_INET, silent);
  EXPECT_EQ(code("tcp://127.0.0.1:" + std::to_string(peer.port()), {{"no_such_option", "1"}}), avio::kOptionNotFound);
}

// Unknown query keys are ignored, as av_find_info_tag never looks at them;
// the known ones override the dictionary.
TEST_F(Tcp, QueryOptions) {
  Peer peer(AF_INET, echo);
  auto ctx = avio::open_url(url("127.0.0.1", peer.port(), "?whatever=1&tcp_nodelay=1&timeout=3000000"),
                            with(avio::kOpenReadWrite, {{"tcp_nodelay", "0"}}));
  ASSERT_TRUE(ctx) << ctx.error().message();
  int nodelay = 0;
  socklen_t len = sizeof nodelay;
  ASSERT_EQ(getsockopt(avio::url_context_of(*ctx)->file_handle(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
  EXPECT_NE(nodelay, 0);
}

TEST_F(Tcp, ListenOneAcceptsOneClient) {
  for (const auto &[family, host] : {std::pair{AF_INET, std::string("127.0.0.1")}, {AF_INET6, std::string("[::1]")}}) {
    const int port = free_port(family);
    const std::vector<uint8_t> data = pattern(50000, 11);
    std::vector<uint8_t> reply;
    std::thread client([&, family = family] {
      const int fd = connect_tcp_retry(family, port);
      if (fd < 0) return;
      std::atomic<bool> stop{false};
      send_all(fd, data.data(), data.size(), stop);
      shutdown(fd, SHUT_WR);
      reply = recv_all(fd, stop);
      close(fd);
    });
    auto ctx = avio::open_url(url(host, port, "?listen=1&tcp_nodelay=1"), with(avio::kOpenReadWrite));
    if (!ctx) {
      client.join();
      FAIL() << ctx.error().message();
    }
    int nodelay = 0;
    socklen_t len = sizeof nodelay;
    EXPECT_EQ(getsockopt(avio::url_context_of(*ctx)->file_handle(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
    EXPECT_NE(nodelay, 0);
    // Written first: a read-write context is written, flushed, then read.
    const std::string bye = "bye";
    ctx->write({reinterpret_cast<const uint8_t *>(bye.data()), bye.size()});
    ctx->flush();
    std::vector<uint8_t> got(data.size() + 1);
    auto n = ctx->read(got);
    ASSERT_TRUE(n) << n.error().message();
    got.resize(*n);
    EXPECT_TRUE(got == data);
    EXPECT_TRUE(ctx->close());
    client.join();
    EXPECT_EQ(std::string(reply.begin(), reply.end()), bye);
  }
}

TEST_F(Tcp, ListenTwoServesSeveralClients) {
  const int port = free_port();
  auto server = avio::open_url(url("127.0.0.1", port, "?listen=2"), with(avio::kOpenReadWrite));
  ASSERT_TRUE(server) << server.error().message();
  EXPECT_EQ(avio::url_context_of(*server)->info().name(), "tcp");
  constexpr int kClients = 3;
  std::mutex m;
  std::map<int, std::string> replies;
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      const int fd = connect_tcp_retry(AF_INET, port);
      if (fd < 0) return;
      std::atomic<bool> stop{false};
      const std::string hello = "client " + std::to_string(i) + "\n";
      send_all(fd, hello.data(), hello.size(), stop);
      const std::vector<uint8_t> r = recv_all(fd, stop);
      close(fd);
      std::lock_guard<std::mutex> lock(m);
      replies[i] = std::string(r.begin(), r.end());
    });
  }
  for (int i = 0; i < kClients; ++i) {
    auto client = avio::accept(*server);
    ASSERT_TRUE(client) << client.error().message();
    // As FFmpeg's tcp_accept, which never sets is_streamed on the client.
    EXPECT_FALSE(avio::url_context_of(*client)->stream().streamed);
    auto step = avio::handshake(*client);
    ASSERT_TRUE(step);
    EXPECT_EQ(*step, 0);
    // A read-write context that was read holds the bytes read in its
    // buffer and would write them back on flush (FFmpeg's hangs in the
    // read instead): talk through the URL beneath it.
    avio::UrlContext *h = avio::url_context_of(*client);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->file_handle() >= 0, true);
    uint8_t line[9];  // "client N\n"
    auto got = h->read_complete(line);
    ASSERT_TRUE(got) << got.error().message();
    ASSERT_EQ(*got, sizeof line);
    const std::string answer = "hello " + std::string(line, line + 8);
    EXPECT_TRUE(h->write({reinterpret_cast<const uint8_t *>(answer.data()), answer.size()}));
    EXPECT_TRUE(client->close());
  }
  for (auto &t : clients) t.join();
  ASSERT_EQ(replies.size(), static_cast<size_t>(kClients));
  for (const auto &[i, r] : replies) EXPECT_EQ(r, "hello client " + std::to_string(i));
  // accept on a connected (not listening) context is an error, not an abort.
  Peer peer(AF_INET, echo);
  auto plain = avio::open_url(url("127.0.0.1", peer.port()), with(avio::kOpenReadWrite));
  ASSERT_TRUE(plain);
  auto none = avio::accept(*plain);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), -EINVAL);
}

TEST_F(Tcp, ListenTimeoutEndsOnTime) {
  const auto start = Clock::now();
  auto ctx = avio::open_url(url("127.0.0.1", free_port(), "?listen=1&listen_timeout=300"), avio::kOpenRead);
  const long took = ms_since(start);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), -ETIMEDOUT) << ctx.error().message();
  EXPECT_GE(took, 290);
  EXPECT_LT(took, 1500);
  // The same bound for accept on a listen=2 server.
  auto server = avio::open_url(url("127.0.0.1", free_port()),
                               with(avio::kOpenRead, {{"listen", "2"}, {"listen_timeout", "200"}}));
  ASSERT_TRUE(server) << server.error().message();
  const auto t = Clock::now();
  auto client = avio::accept(*server);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code(), -ETIMEDOUT);
  EXPECT_GE(ms_since(t), 190);
  EXPECT_LT(ms_since(t), 1500);
}

TEST_F(Tcp, OpenTimeoutBoundsListen) {
  avio::OpenOptions o = with(avio::kOpenRead);
  o.open_timeout = 200000;
  const auto start = Clock::now();
  auto ctx = avio::open_url(url("127.0.0.1", free_port(), "?listen=1"), o);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), -ETIMEDOUT) << ctx.error().message();
  EXPECT_LT(ms_since(start), 1500);
}

TEST_F(Tcp, SilentPeerReadTimesOut) {
  Peer peer(AF_INET, silent, 2);
  // rw_timeout
  {
    avio::OpenOptions o = with(avio::kOpenRead);
    o.rw_timeout = 200000;
    auto ctx = avio::open_url(url("127.0.0.1", peer.port()), o);
    ASSERT_TRUE(ctx) << ctx.error().message();
    const auto start = Clock::now();
    uint8_t b;
    auto r = ctx->read({&b, 1});
    const long took = ms_since(start);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), -ETIMEDOUT) << r.error().message();
    EXPECT_GE(took, 190);
    EXPECT_LT(took, 1500);
  }
  // tcp's own `timeout` (µs), which FFmpeg makes the rw_timeout
  {
    auto ctx = avio::open_url(url("127.0.0.1", peer.port(), "?timeout=150000"), avio::kOpenRead);
    ASSERT_TRUE(ctx) << ctx.error().message();
    const auto start = Clock::now();
    uint8_t b;
    auto r = ctx->read({&b, 1});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), -ETIMEDOUT) << r.error().message();
    EXPECT_GE(ms_since(start), 140);
    EXPECT_LT(ms_since(start), 1500);
  }
}

TEST_F(Tcp, CancellationTokenEndsAReadAtOnce) {
  Peer peer(AF_INET, silent);
  auto token = std::make_shared<avio::CancellationToken>();
  avio::OpenOptions o = with(avio::kOpenRead);
  o.cancel = token;
  auto ctx = avio::open_url(url("127.0.0.1", peer.port()), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  uint8_t b;
  auto r = avio_test::run_interrupted_after(
      std::chrono::milliseconds(100), [&] { token->cancel(); },
      [&] {
        return ctx->read({&b, 1});
      });
  ASSERT_FALSE(r.result);
  EXPECT_EQ(r.result.error().code(), avio::kExit) << r.result.error().message();
  EXPECT_LT(r.ms_after_raise, 100);
}

TEST_F(Tcp, InterruptCallbackEndsARead) {
  Peer peer(AF_INET, silent);
  std::atomic<bool> raise{false};
  avio::OpenOptions o = with(avio::kOpenRead);
  o.interrupt_callback = [&] { return raise.load(); };
  auto ctx = avio::open_url(url("127.0.0.1", peer.port()), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::atomic<int64_t> raised_at{0};
  std::thread raiser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    raised_at = Clock::now().time_since_epoch().count();
    raise = true;
  });
  uint8_t b;
  auto r = ctx->read({&b, 1});
  const auto returned = Clock::now();
  raiser.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), avio::kExit) << r.error().message();
  const auto latency = returned - Clock::time_point(Clock::duration(raised_at.load()));
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(latency).count(), 100);
}

// A token also ends a listen=1 open and an accept.
TEST_F(Tcp, CancellationTokenEndsListenAndAccept) {
  auto token = std::make_shared<avio::CancellationToken>();
  avio::OpenOptions o = with(avio::kOpenRead);
  o.cancel = token;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    token->cancel();
  });
  const auto start = Clock::now();
  auto ctx = avio::open_url(url("127.0.0.1", free_port(), "?listen=1"), o);
  canceller.join();
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), avio::kExit);
  EXPECT_LT(ms_since(start), 1000);

  auto token2 = std::make_shared<avio::CancellationToken>();
  o.cancel = token2;
  auto server = avio::open_url(url("127.0.0.1", free_port(), "?listen=2"), o);
  ASSERT_TRUE(server) << server.error().message();
  std::thread canceller2([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    token2->cancel();
  });
  auto client = avio::accept(*server);
  canceller2.join();
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code(), avio::kExit);
}

// A name lookup the interrupt ends early runs on in its thread, holding no
// descriptor; the next lookup (or exit) joins it.
TEST_F(Tcp, InterruptedLookupIsAbandonedCleanly) {
  auto token = std::make_shared<avio::CancellationToken>();
  token->cancel();
  avio::OpenOptions o = with(avio::kOpenRead);
  o.cancel = token;
  const auto start = Clock::now();
  auto ctx = avio::open_url("tcp://localhost:1", o);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), avio::kExit) << ctx.error().message();
  EXPECT_LT(ms_since(start), 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the lookup ends (no descriptor of its own after)
  Peer peer(AF_INET, echo);
  expect_echo(url("localhost", peer.port()));  // reaps the abandoned thread
}

TEST_F(Tcp, NonBlockingReadSaysAgain) {
  Peer peer(AF_INET, silent);
  auto ctx = avio::open_url_context(url("127.0.0.1", peer.port()), with(avio::kOpenRead | avio::kOpenNonBlock));
  ASSERT_TRUE(ctx) << ctx.error().message();
  uint8_t b[4];
  auto r = (*ctx)->read(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), -EAGAIN);
}

TEST_F(Tcp, WriteTimesOutWhenThePeerDoesNotRead) {
  Peer peer(AF_INET, silent);
  auto ctx = avio::open_url_context(url("127.0.0.1", peer.port(), "?timeout=200000"),
                                    with(avio::kOpenWrite, {{"send_buffer_size", "4096"}}));
  ASSERT_TRUE(ctx) << ctx.error().message();
  const std::vector<uint8_t> chunk(1 << 16, 0x5a);
  const auto start = Clock::now();
  avio::Status st;
  for (int i = 0; i < 2000 && st; ++i) st = (*ctx)->write(chunk);  // fills the socket buffers
  ASSERT_FALSE(st);
  EXPECT_EQ(st.code(), -ETIMEDOUT) << st.error().message();
  EXPECT_LT(ms_since(start), 10000);
}

TEST_F(Tcp, ProtocolIsListed) {
  EXPECT_EQ(avio::find_protocol_name("tcp://127.0.0.1:1"), "tcp");
  const auto in = avio::protocol_names(false), out = avio::protocol_names(true);
  EXPECT_NE(std::find(in.begin(), in.end(), "tcp"), in.end());
  EXPECT_NE(std::find(out.begin(), out.end(), "tcp"), out.end());
  const auto opts = avio::protocol_options("tcp");
  std::vector<std::string> names;
  for (const auto &o : opts) names.emplace_back(o.name);
  for (const char *n : {"listen", "local_port", "local_addr", "timeout", "listen_timeout", "send_buffer_size",
                        "recv_buffer_size", "tcp_nodelay", "tcp_mss", "tcp_keepalive"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
}

TEST_F(Tcp, LocalPortBindsTheClient) {
  int seen_port = -1;
  const int local = free_port();
  Peer peer(AF_INET, [&](int fd, const std::atomic<bool> &stop) {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len);
    seen_port = ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
    silent(fd, stop);
  });
  const auto served = [&] {
    const auto start = Clock::now();
    while (peer.served() == 0 && ms_since(start) < 5000) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return peer.served();
  };
  {
    auto ctx = avio::open_url(
        url("127.0.0.1", peer.port(), "?local_addr=127.0.0.1&local_port=" + std::to_string(local)), avio::kOpenRead);
    ASSERT_TRUE(ctx) << ctx.error().message();
  }
  EXPECT_EQ(served(), 1);  // the client left: silent() returned
  EXPECT_EQ(seen_port, local);
}

}  // namespace
