// Helpers of the socket protocol tests: peers that serve real sockets from a
// thread (joined by their destructor), clients, free ports, descriptor
// counts. Every wait here is bounded: a test that goes wrong fails, it does
// not hang.
#ifndef AVIO_TESTS_NET_NET_TEST_UTIL_HPP
#define AVIO_TESTS_NET_NET_TEST_UTIL_HPP

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace avio_net_test {

using Clock = std::chrono::steady_clock;

inline long ms_since(Clock::time_point t) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

// An interrupt (a token cancelled, a flag set) is answered within this:
// the bound every blocking step of the URL layer keeps.
inline constexpr std::chrono::milliseconds kInterruptBound{100};

// Runs `raise` on a thread of its own after `after`; raised_at() joins it
// and says when `raise` began, the point an interrupt's latency counts from.
class RaiseLater {
 public:
  RaiseLater(std::chrono::milliseconds after, std::function<void()> raise)
      : thread_([this, after, raise = std::move(raise)] {
          std::this_thread::sleep_for(after);
          at_ = Clock::now();
          raise();
        }) {}
  ~RaiseLater() {
    if (thread_.joinable()) thread_.join();
  }
  RaiseLater(const RaiseLater &) = delete;
  RaiseLater &operator=(const RaiseLater &) = delete;

  Clock::time_point raised_at() {
    if (thread_.joinable()) thread_.join();
    return at_;
  }

 private:
  Clock::time_point at_;
  std::thread thread_;  // last: started once at_ exists
};

// Entries of a /proc directory: what this process holds.
inline int proc_entries(const char *dir) {
  int n = 0;
  for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}
// Open descriptors and threads of this process.
inline int open_fds() { return proc_entries("/proc/self/fd"); }
inline int threads_now() { return proc_entries("/proc/self/task"); }

// An address of `family` (AF_INET: 127.0.0.1, AF_INET6: ::1) and `port`.
inline socklen_t loopback(int family, int port, sockaddr_storage *ss) {
  std::memset(ss, 0, sizeof *ss);
  if (family == AF_INET6) {
    auto *a = reinterpret_cast<sockaddr_in6 *>(ss);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    return sizeof *a;
  }
  auto *a = reinterpret_cast<sockaddr_in *>(ss);
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a->sin_port = htons(static_cast<uint16_t>(port));
  return sizeof *a;
}

inline socklen_t unix_address(const std::string &path, sockaddr_storage *ss) {
  std::memset(ss, 0, sizeof *ss);
  auto *a = reinterpret_cast<sockaddr_un *>(ss);
  a->sun_family = AF_UNIX;
  std::strncpy(a->sun_path, path.c_str(), sizeof a->sun_path - 1);
  return sizeof *a;
}

// A port nobody listens on (bound, read, closed: connecting is refused).
inline int free_port(int family = AF_INET) {
  const int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss;
  socklen_t len = loopback(family, 0, &ss);
  if (bind(fd, reinterpret_cast<sockaddr *>(&ss), len) != 0) std::abort();
  getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
  close(fd);
  return family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port)
                            : ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
}

// Waits up to `ms` for `events` on fd, giving up early once `stop` is set.
inline bool wait_fd(int fd, short events, const std::atomic<bool> &stop, int ms = 5000) {
  const auto start = Clock::now();
  while (!stop.load() && ms_since(start) < ms) {
    pollfd p{fd, events, 0};
    if (poll(&p, 1, 20) > 0) return true;
  }
  return false;
}

inline bool send_all(int fd, const void *data, size_t n, const std::atomic<bool> &stop) {
  const auto *p = static_cast<const uint8_t *>(data);
  while (n > 0) {
    if (!wait_fd(fd, POLLOUT, stop)) return false;
    const ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads until the peer closes (or `stop`, or 5 s); the bytes.
inline std::vector<uint8_t> recv_all(int fd, const std::atomic<bool> &stop) {
  std::vector<uint8_t> out;
  uint8_t buf[4096];
  while (wait_fd(fd, POLLIN, stop)) {
    const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

using Handler = std::function<void(int fd, const std::atomic<bool> &stop)>;

// Echoes until the client closes.
inline void echo(int fd, const std::atomic<bool> &stop) {
  uint8_t buf[4096];
  while (wait_fd(fd, POLLIN, stop)) {
    const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0 || !send_all(fd, buf, static_cast<size_t>(n), stop)) break;
  }
}

// Accepts, then neither reads nor writes until the client leaves or the
// peer stops.
inline void silent(int fd, const std::atomic<bool> &stop) {
  while (!stop.load()) {
    pollfd p{fd, POLLRDHUP, 0};
    if (poll(&p, 1, 20) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) return;
  }
}

inline Handler serve(std::vector<uint8_t> bytes) {
  return [bytes = std::move(bytes)](int fd, const std::atomic<bool> &stop) {
    send_all(fd, bytes.data(), bytes.size(), stop);
  };
}

// A listening socket (TCP on loopback, or unix at a path) whose thread
// accepts up to `clients` connections one after another and runs the
// handler on each. The destructor stops and joins the thread.
class Peer {
 public:
  Peer(int family, Handler handler, int clients = 1) : handler_(std::move(handler)), clients_(clients) {
    listen_fd_ = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage ss;
    socklen_t len = loopback(family, 0, &ss);
    const int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listen_fd_, reinterpret_cast<sockaddr *>(&ss), len) != 0 || listen(listen_fd_, 8) != 0) std::abort();
    getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&ss), &len);
    port_ = family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port)
                               : ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
    thread_ = std::thread([this] { run(); });
  }
  Peer(const std::string &unix_path, int type, Handler handler, int clients = 1)
      : handler_(std::move(handler)), clients_(clients), path_(unix_path) {
    listen_fd_ = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    sockaddr_storage ss;
    const socklen_t len = unix_address(unix_path, &ss);
    if (bind(listen_fd_, reinterpret_cast<sockaddr *>(&ss), len) != 0) std::abort();
    if (type == SOCK_DGRAM) {
      // No connections: the handler gets the bound socket itself.
      thread_ = std::thread([this] { handler_(listen_fd_, stop_); });
      return;
    }
    if (listen(listen_fd_, 8) != 0) std::abort();
    thread_ = std::thread([this] { run(); });
  }
  ~Peer() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
    if (!path_.empty()) unlink(path_.c_str());
  }
  Peer(const Peer &) = delete;
  Peer &operator=(const Peer &) = delete;

  int port() const { return port_; }
  int served() const { return served_.load(); }
  void stop() { stop_ = true; }

 private:
  void run() {
    for (int i = 0; i < clients_ && !stop_; ++i) {
      if (!wait_fd(listen_fd_, POLLIN, stop_, 10000)) return;
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      handler_(fd, stop_);
      close(fd);
      ++served_;
    }
  }

  Handler handler_;
  int clients_;
  std::string path_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> served_{0};
  std::thread thread_;
};

// Connects to a server that may not listen yet: retries for up to 5 s.
// -1 on failure.
inline int connect_retry(const sockaddr_storage &ss, socklen_t len, int type = SOCK_STREAM) {
  const auto start = Clock::now();
  while (ms_since(start) < 5000) {
    const int fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
    if (connect(fd, reinterpret_cast<const sockaddr *>(&ss), len) == 0) return fd;
    close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return -1;
}

inline int connect_tcp_retry(int family, int port) {
  sockaddr_storage ss;
  const socklen_t len = loopback(family, port, &ss);
  return connect_retry(ss, len);
}

// A fresh directory for unix sockets (short, under /tmp: sun_path is 108 bytes).
class SocketDir {
 public:
  SocketDir() {
    char tmpl[] = "/tmp/avio-net-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    path_ = tmpl;
  }
  ~SocketDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string &name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto &b : v) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<uint8_t>(x >> 24);
  }
  return v;
}

}  // namespace avio_net_test

#endif  // AVIO_TESTS_NET_NET_TEST_UTIL_HPP
