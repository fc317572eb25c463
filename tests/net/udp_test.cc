// The udp protocol over real sockets on 127.0.0.1: datagrams of several
// sizes between two avio contexts and between avio and plain sockets,
// truncation, pkt_size, the receive FIFO (overrun fatal and not), the
// interrupt callback and the cancellation token (measured), timeouts,
// options from the dictionary and the query, errors. Every test checks that
// no descriptor leaked and that no thread outlived it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "avio/protocol.hpp"
#include "avio/url.hpp"
#include "net_test_util.hpp"

namespace {

using namespace avio_net_test;

// Threads of this process.
int thread_count() {
  int n = 0;
  for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

class Udp : public ::testing::Test {
 protected:
  void SetUp() override {
    // ThreadSanitizer starts a thread of its own with the process's first
    // thread: start (and join) one before counting.
    static const bool warmed = [] {
      std::thread([] {}).join();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return true;
    }();
    (void)warmed;
    fds_ = open_fds();
    threads_ = thread_count();
  }
  void TearDown() override {
    EXPECT_EQ(open_fds(), fds_) << "a descriptor leaked";
    // A joined thread leaves /proc/self/task at once; give the kernel a moment anyway.
    const auto start = Clock::now();
    while (thread_count() != threads_ && ms_since(start) < 1000)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(thread_count(), threads_) << "a thread outlived the test";
  }

 private:
  int fds_ = 0;
  int threads_ = 0;
};

// A plain UDP socket bound to 127.0.0.1 (an ephemeral port unless given).
class RawUdp {
 public:
  explicit RawUdp(int port = 0) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_storage ss;
    socklen_t len = loopback(AF_INET, port, &ss);
    if (bind(fd_, reinterpret_cast<sockaddr *>(&ss), len) != 0) std::abort();
    getsockname(fd_, reinterpret_cast<sockaddr *>(&ss), &len);
    port_ = ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
  }
  ~RawUdp() { close(fd_); }
  RawUdp(const RawUdp &) = delete;
  RawUdp &operator=(const RawUdp &) = delete;

  int port() const { return port_; }
  int fd() const { return fd_; }
  bool send_to(int port, const std::vector<uint8_t> &bytes) const {
    sockaddr_storage ss;
    const socklen_t len = loopback(AF_INET, port, &ss);
    return sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr *>(&ss), len) ==
           static_cast<ssize_t>(bytes.size());
  }
  // One datagram within `ms`, or none (-1 size); the sender's port in *from.
  std::vector<uint8_t> receive(int ms = 2000, bool *got = nullptr, int *from = nullptr) const {
    std::atomic<bool> stop{false};
    std::vector<uint8_t> buf(70000);
    if (got) *got = false;
    if (!wait_fd(fd_, POLLIN, stop, ms)) return {};
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    const ssize_t n = recvfrom(fd_, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr *>(&ss), &len);
    if (n < 0) return {};
    if (got) *got = true;
    if (from) *from = ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
    buf.resize(static_cast<size_t>(n));
    return buf;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

int free_udp_port() {
  RawUdp r;
  return r.port();
}

std::string url(int port, const std::string &query = "") { return "udp://127.0.0.1:" + std::to_string(port) + query; }

avio::OpenOptions with(int flags, avio::Dictionary opts = {}) {
  avio::OpenOptions o;
  o.flags = flags;
  o.options = std::move(opts);
  return o;
}

std::unique_ptr<avio::UrlContext> open_ctx(const std::string &u, const avio::OpenOptions &o) {
  auto ctx = avio::open_url_context(u, o);
  EXPECT_TRUE(ctx) << u << ": " << ctx.error().message();
  return ctx ? std::move(*ctx) : nullptr;
}

// Datagrams of these sizes, each a different pattern.
const std::vector<size_t> kSizes = {1, 100, 188, 1316, 1472, 4000, 9000, 65000};

void exchange_between_contexts(const std::string &reader_query) {
  const int port = free_udp_port();
  auto rx = open_ctx(url(port, reader_query), with(avio::kOpenRead));
  ASSERT_TRUE(rx);
  EXPECT_TRUE(rx->stream().streamed);
  EXPECT_EQ(rx->stream().max_packet_size, 65536);
  // The buffered writer sends one datagram per flush, pkt_size at most.
  auto tx = avio::open_url(url(port), with(avio::kOpenWrite, {{"pkt_size", "65000"}}));
  ASSERT_TRUE(tx) << tx.error().message();
  EXPECT_EQ(avio::url_context_of(*tx)->stream().max_packet_size, 65000);
  for (size_t i = 0; i < kSizes.size(); ++i) {
    const std::vector<uint8_t> d = pattern(kSizes[i], static_cast<uint32_t>(i));
    tx->write(d);
    tx->flush();
    ASSERT_TRUE(tx->status()) << tx->status().error().message();
    std::vector<uint8_t> got(65536);
    auto n = rx->read(got);
    ASSERT_TRUE(n) << n.error().message();
    ASSERT_EQ(*n, d.size()) << "datagram " << i;
    got.resize(*n);
    EXPECT_TRUE(got == d) << "datagram " << i;
  }
  EXPECT_TRUE(tx->close());
  EXPECT_TRUE(rx->close());
}

TEST_F(Udp, DatagramsOfSeveralSizesThroughTheFifo) { exchange_between_contexts(""); }

TEST_F(Udp, DatagramsOfSeveralSizesWithoutTheFifo) { exchange_between_contexts("?fifo_size=0"); }

// Sent before the reader reads: the FIFO (or the socket) keeps them in order.
TEST_F(Udp, QueuedDatagramsKeepTheirBoundariesAndOrder) {
  for (const char *q : {"", "?fifo_size=0"}) {
    const int port = free_udp_port();
    auto rx = avio::open_url(url(port, q), with(avio::kOpenRead));
    ASSERT_TRUE(rx) << rx.error().message();
    RawUdp sender;
    for (size_t i = 0; i < kSizes.size(); ++i) ASSERT_TRUE(sender.send_to(port, pattern(kSizes[i], 100 + i)));
    for (size_t i = 0; i < kSizes.size(); ++i) {
      std::vector<uint8_t> got(65536);
      auto n = rx->read_partial(got);  // one datagram per refill of the buffer
      ASSERT_TRUE(n) << n.error().message();
      got.resize(*n);
      EXPECT_TRUE(got == pattern(kSizes[i], 100 + i)) << q << " datagram " << i << " size " << *n;
    }
  }
}

TEST_F(Udp, WriterSendsEachWriteAsOneDatagram) {
  RawUdp peer;
  auto tx = open_ctx(url(peer.port(), "?pkt_size=2000"), with(avio::kOpenWrite));
  ASSERT_TRUE(tx);
  EXPECT_EQ(tx->stream().max_packet_size, 2000);
  EXPECT_TRUE(tx->stream().streamed);
  for (size_t n : {size_t{1}, size_t{1500}, size_t{2000}}) {
    const std::vector<uint8_t> d = pattern(n, static_cast<uint32_t>(n));
    ASSERT_TRUE(tx->write(d));
    bool got = false;
    EXPECT_TRUE(peer.receive(2000, &got) == d);
    EXPECT_TRUE(got);
  }
  // Over pkt_size: UrlContext refuses it, as ffurl_write does.
  const avio::Status st = tx->write(pattern(2001, 1));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.code(), -EIO) << st.error().message();
  EXPECT_TRUE(tx->close());
}

// Through the buffered context, a long write leaves as pkt_size datagrams.
TEST_F(Udp, BufferedWriterSplitsAtPktSize) {
  RawUdp peer;
  auto tx = avio::open_url(url(peer.port()), with(avio::kOpenWrite, {{"pkt_size", "500"}}));
  ASSERT_TRUE(tx) << tx.error().message();
  const std::vector<uint8_t> d = pattern(1316, 5);
  tx->write(d);
  tx->flush();
  std::vector<uint8_t> all;
  for (size_t expect : {500u, 500u, 316u}) {
    const std::vector<uint8_t> got = peer.receive();
    EXPECT_EQ(got.size(), expect);
    all.insert(all.end(), got.begin(), got.end());
  }
  EXPECT_TRUE(all == d);
}

TEST_F(Udp, ReadsTruncateADatagramToTheSpan) {
  for (const char *q : {"", "?fifo_size=0"}) {
    const int port = free_udp_port();
    auto rx = open_ctx(url(port, q), with(avio::kOpenRead));
    ASSERT_TRUE(rx);
    RawUdp sender;
    const std::vector<uint8_t> big = pattern(1000, 1), next = pattern(30, 2);
    ASSERT_TRUE(sender.send_to(port, big));
    ASSERT_TRUE(sender.send_to(port, next));
    uint8_t small[10];
    auto n = rx->read(small);
    ASSERT_TRUE(n) << n.error().message();
    ASSERT_EQ(*n, 10u);
    EXPECT_EQ(std::memcmp(small, big.data(), 10), 0);
    std::vector<uint8_t> got(100);
    n = rx->read(got);  // the rest of the first datagram is gone
    ASSERT_TRUE(n) << n.error().message();
    got.resize(*n);
    EXPECT_TRUE(got == next) << q;
  }
}

TEST_F(Udp, SlowReaderWithATinyFifoGetsTheOverrun) {
  const int port = free_udp_port();
  // 188 bytes: a datagram of n bytes takes n + 4 of them.
  auto rx = open_ctx(url(port, "?fifo_size=1&timeout=2000000"), with(avio::kOpenRead));
  ASSERT_TRUE(rx);
  RawUdp sender;
  ASSERT_TRUE(sender.send_to(port, pattern(1, 1)));    // 5 bytes
  ASSERT_TRUE(sender.send_to(port, pattern(100, 2)));  // 109
  ASSERT_TRUE(sender.send_to(port, pattern(100, 3)));  // does not fit
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  uint8_t buf[2000];
  // What was queued before the overrun comes first, as in FFmpeg.
  auto n = rx->read(buf);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 1u);
  n = rx->read(buf);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 100u);
  for (int i = 0; i < 2; ++i) {  // and then the error, for good
    n = rx->read(buf);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().code(), -EIO);
    EXPECT_NE(n.error().message().find("receive FIFO overrun: 1 datagram dropped"), std::string::npos)
        << n.error().message();
    EXPECT_NE(n.error().message().find("overrun_nonfatal=1"), std::string::npos) << n.error().message();
  }
  EXPECT_TRUE(rx->close());
}

TEST_F(Udp, OverrunNonfatalReadsOn) {
  const int port = free_udp_port();
  auto rx = open_ctx(url(port),
                     with(avio::kOpenRead, {{"fifo_size", "1"}, {"overrun_nonfatal", "1"}, {"timeout", "2000000"}}));
  ASSERT_TRUE(rx);
  RawUdp sender;
  ASSERT_TRUE(sender.send_to(port, pattern(100, 1)));  // 104 bytes
  ASSERT_TRUE(sender.send_to(port, pattern(100, 2)));  // dropped
  ASSERT_TRUE(sender.send_to(port, pattern(100, 3)));  // dropped
  ASSERT_TRUE(sender.send_to(port, pattern(50, 4)));   // 54: fits
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::vector<uint8_t> buf(2000);
  ::testing::internal::CaptureStderr();
  auto n = rx->read(buf);
  const std::string warned = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_TRUE(std::vector<uint8_t>(buf.begin(), buf.begin() + *n) == pattern(100, 1));
  EXPECT_NE(warned.find("receive FIFO overrun: 2 datagrams dropped"), std::string::npos) << warned;
  n = rx->read(buf);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_TRUE(std::vector<uint8_t>(buf.begin(), buf.begin() + *n) == pattern(50, 4));
  // And later datagrams still arrive.
  ASSERT_TRUE(sender.send_to(port, pattern(120, 5)));
  n = rx->read(buf);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_TRUE(std::vector<uint8_t>(buf.begin(), buf.begin() + *n) == pattern(120, 5));
}

// A read with nothing to read ends within 100 ms of a token's cancel or a
// callback's raise, through the FIFO and without it.
void expect_read_ends_quickly(const std::string &query, bool use_token) {
  const int port = free_udp_port();
  auto token = std::make_shared<avio::CancellationToken>();
  std::atomic<bool> raise{false};
  avio::OpenOptions o = with(avio::kOpenRead);
  if (use_token) {
    o.cancel = token;
  } else {
    o.interrupt_callback = [&] { return raise.load(); };
  }
  auto rx = open_ctx(url(port, query), o);
  ASSERT_TRUE(rx);
  std::atomic<int64_t> raised_at{0};
  std::thread raiser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    raised_at = Clock::now().time_since_epoch().count();
    if (use_token) {
      token->cancel();
    } else {
      raise = true;
    }
  });
  uint8_t b[100];
  auto r = rx->read(b);
  const auto returned = Clock::now();
  raiser.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), avio::kExit) << r.error().message();
  const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      returned - Clock::time_point(Clock::duration(raised_at.load())));
  EXPECT_GE(latency.count(), 0);
  EXPECT_LT(latency.count(), 100) << query << (use_token ? " token" : " callback");
  EXPECT_TRUE(rx->close());
}

TEST_F(Udp, CancellationTokenEndsABlockedRead) {
  expect_read_ends_quickly("", true);
  expect_read_ends_quickly("?fifo_size=0", true);
}

TEST_F(Udp, InterruptCallbackEndsABlockedRead) {
  expect_read_ends_quickly("", false);
  expect_read_ends_quickly("?fifo_size=0", false);
}

// Closing a reader whose thread waits for datagrams does not wait for one.
TEST_F(Udp, CloseDoesNotWaitForTraffic) {
  const int port = free_udp_port();
  auto rx = avio::open_url(url(port), with(avio::kOpenRead));
  ASSERT_TRUE(rx) << rx.error().message();
  const auto start = Clock::now();
  EXPECT_TRUE(rx->close());
  EXPECT_LT(ms_since(start), 100);
}

void expect_timeout(const std::string &query, const avio::OpenOptions &o, long min_ms) {
  const int port = free_udp_port();
  auto rx = open_ctx(url(port, query), o);
  ASSERT_TRUE(rx);
  const auto start = Clock::now();
  uint8_t b[10];
  auto r = rx->read(b);
  const long took = ms_since(start);
  ASSERT_FALSE(r);
  // FFmpeg's code: its retry loop turns udp's EAGAIN into EIO past the timeout.
  EXPECT_EQ(r.error().code(), -EIO) << r.error().message();
  EXPECT_GE(took, min_ms - 10) << query;
  EXPECT_LT(took, min_ms + 1000) << query;
}

TEST_F(Udp, TimeoutOptionEndsAReadWithEIO) {
  expect_timeout("?timeout=200000", with(avio::kOpenRead), 200);
  expect_timeout("?timeout=200000&fifo_size=0", with(avio::kOpenRead), 200);
  expect_timeout("", with(avio::kOpenRead, {{"timeout", "150000"}}), 150);
  // Without `timeout`, rw_timeout bounds the read (FFmpeg's would wait for ever).
  avio::OpenOptions o = with(avio::kOpenRead);
  o.rw_timeout = 150000;
  expect_timeout("", o, 150);
  expect_timeout("?fifo_size=0", o, 150);
}

TEST_F(Udp, NonBlockingReadSaysAgain) {
  for (const char *q : {"", "?fifo_size=0"}) {
    auto rx = open_ctx(url(free_udp_port(), q), with(avio::kOpenRead | avio::kOpenNonBlock));
    ASSERT_TRUE(rx);
    uint8_t b[4];
    auto r = rx->read(b);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), -EAGAIN) << q;
  }
}

int int_option(int fd, int level, int name) {
  int v = 0;
  socklen_t len = sizeof v;
  getsockopt(fd, level, name, &v, &len);
  return v;
}

// The query's options override the dictionary's; unknown keys are ignored.
TEST_F(Udp, QueryOptions) {
  RawUdp peer;
  const int local = free_udp_port();
  auto tx = open_ctx(
      url(peer.port(), "?whatever=1&pkt_size=500&buffer_size=20000&reuse&connect=1&localport=" + std::to_string(local)),
      with(avio::kOpenWrite, {{"pkt_size", "1000"}, {"buffer_size", "50000"}}));
  ASSERT_TRUE(tx);
  EXPECT_EQ(tx->stream().max_packet_size, 500);
  const int fd = tx->file_handle();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(int_option(fd, SOL_SOCKET, SO_SNDBUF), 2 * 20000);  // Linux reports twice what was set
  EXPECT_NE(int_option(fd, SOL_SOCKET, SO_REUSEADDR), 0);       // "reuse" without a value: on
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  EXPECT_EQ(getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len), 0);  // connect=1
  ASSERT_TRUE(tx->write(pattern(10, 1)));
  bool got = false;
  int from = 0;
  EXPECT_EQ(peer.receive(2000, &got, &from).size(), 10u);
  EXPECT_EQ(from, local);
  tx.reset();

  // The dictionary alone: its defaults and values.
  auto rx = open_ctx(url(free_udp_port()), with(avio::kOpenRead, {{"buffer_size", "100000"}, {"reuse_socket", "1"}}));
  ASSERT_TRUE(rx);
  EXPECT_EQ(int_option(rx->file_handle(), SOL_SOCKET, SO_RCVBUF), 2 * 100000);
  EXPECT_NE(int_option(rx->file_handle(), SOL_SOCKET, SO_REUSEADDR), 0);
  rx.reset();
  // The receive buffer's default: FFmpeg's 384 KiB.
  rx = open_ctx(url(free_udp_port()), with(avio::kOpenRead));
  ASSERT_TRUE(rx);
  const int rcvbuf = int_option(rx->file_handle(), SOL_SOCKET, SO_RCVBUF);
  EXPECT_TRUE(rcvbuf == 2 * 393216 || rcvbuf > 0) << rcvbuf;  // capped by net.core.rmem_max
  // The local port is the URL's port for a reader.
  len = sizeof ss;
  getsockname(rx->file_handle(), reinterpret_cast<sockaddr *>(&ss), &len);
  EXPECT_NE(ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port), 0);
}

TEST_F(Udp, ReaderWithoutHostReceivesOnItsPort) {
  const int port = free_udp_port();
  auto rx = open_ctx("udp://:" + std::to_string(port) + "?fifo_size=0", with(avio::kOpenRead));
  ASSERT_TRUE(rx);
  RawUdp sender;
  ASSERT_TRUE(sender.send_to(port, pattern(77, 9)));
  std::vector<uint8_t> got(100);
  auto n = rx->read(got);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 77u);
}

TEST_F(Udp, Errors) {
  const auto code = [](const std::string &u, int flags, avio::Dictionary opts = {}) {
    auto ctx = avio::open_url_context(u, with(flags, std::move(opts)));
    return ctx ? 0 : ctx.error().code();
  };
  // A writer needs a host (FFmpeg's EINVAL); a reader does not.
  EXPECT_EQ(code("udp://:1234", avio::kOpenWrite), -EINVAL);
  EXPECT_EQ(code("udp://127.0.0.1:70000", avio::kOpenWrite), -EINVAL);
  auto port = avio::open_url_context("udp://127.0.0.1:70000", with(avio::kOpenWrite));
  EXPECT_NE(port.error().message().find("port 70000 out of range"), std::string::npos) << port.error().message();
  EXPECT_EQ(code("udp://127.0.0.1:1?ttl=300", avio::kOpenWrite), -EINVAL);
  EXPECT_EQ(code("udp://127.0.0.1:1", avio::kOpenWrite, {{"ttl", "300"}}), -ERANGE);
  EXPECT_EQ(code("udp://127.0.0.1:1", avio::kOpenWrite, {{"pkt_size", "x"}}), -EINVAL);
  EXPECT_EQ(code("udp://127.0.0.1:1?bitrate=1000000", avio::kOpenWrite), -ENOSYS);
  EXPECT_EQ(code("udp://127.0.0.1:1", avio::kOpenRead, {{"sources", "127.0.0.1"}}), -ENOSYS);
  EXPECT_EQ(code("udp://127.0.0.1:1", avio::kOpenRead, {{"no_such_option", "1"}}), avio::kOptionNotFound);
  // A host that does not resolve: EIO, naming it.
  avio::OpenOptions o = with(avio::kOpenWrite);
  o.open_timeout = 10000000;
  auto host = avio::open_url_context("udp://no-such-host.invalid:1234", o);
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().code(), -EIO) << host.error().message();
  EXPECT_NE(host.error().message().find("no-such-host.invalid"), std::string::npos) << host.error().message();
  // A port in use: bind's error.
  RawUdp taken;
  auto busy = avio::open_url_context(url(taken.port()), with(avio::kOpenRead));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code(), -EADDRINUSE) << busy.error().message();
  EXPECT_NE(busy.error().message().find("bind"), std::string::npos) << busy.error().message();
}

// A reader's socket has no destination: what it writes goes nowhere, and the
// kernel says so (FFmpeg's sendto with an empty address: EINVAL).
TEST_F(Udp, SendWithoutDestinationFails) {
  auto rw = open_ctx("udp://:" + std::to_string(free_udp_port()), with(avio::kOpenReadWrite));
  ASSERT_TRUE(rw);
  EXPECT_EQ(rw->stream().max_packet_size, 1472);  // written: pkt_size
  const avio::Status st = rw->write(pattern(10, 1));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.code(), -EINVAL) << st.error().message();
  // A writer to port 0 (none given) fails the same way, at the first write.
  auto tx = open_ctx("udp://127.0.0.1", with(avio::kOpenWrite));
  ASSERT_TRUE(tx);
  const avio::Status st2 = tx->write(pattern(10, 1));
  ASSERT_FALSE(st2);
  EXPECT_EQ(st2.code(), -EINVAL) << st2.error().message();
}

TEST_F(Udp, ProtocolIsListed) {
  EXPECT_EQ(avio::find_protocol_name("udp://127.0.0.1:1"), "udp");
  const auto in = avio::protocol_names(false), out = avio::protocol_names(true);
  EXPECT_NE(std::find(in.begin(), in.end(), "udp"), in.end());
  EXPECT_NE(std::find(out.begin(), out.end(), "udp"), out.end());
  std::vector<std::string> names;
  for (const auto &opt : avio::protocol_options("udp")) names.emplace_back(opt.name);
  for (const char *n : {"buffer_size", "localport", "local_port", "localaddr", "pkt_size", "reuse", "reuse_socket",
                        "broadcast", "ttl", "connect", "fifo_size", "overrun_nonfatal", "timeout"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
}

// Many readers opened and closed at once: each thread is joined.
TEST_F(Udp, ManyReadersOpenAndClose) {
  std::vector<std::unique_ptr<avio::UrlContext>> readers;
  for (int i = 0; i < 8; ++i) {
    auto rx = open_ctx(url(free_udp_port()), with(avio::kOpenRead));
    ASSERT_TRUE(rx);
    readers.push_back(std::move(rx));
  }
  readers.clear();
}

}  // namespace
