// Loopback sockets of the test fixtures (nginx_fixture, fault_proxy,
// s3rver_fixture): an owned descriptor, a socket bound to 127.0.0.1 or ::1,
// and whether a loopback port accepts connections.
#ifndef AVIO_TESTS_NET_HTTP_LOOPBACK_SOCKET_HPP
#define AVIO_TESTS_NET_HTTP_LOOPBACK_SOCKET_HPP

#include <unistd.h>

#include <utility>

namespace avio_http_test {

// An owned descriptor: closed by reset() and by the destructor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd &operator=(Fd &&o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A TCP socket of `family` (AF_INET: 127.0.0.1, AF_INET6: ::1) bound to
// `port` (0: a free one), SOCK_CLOEXEC and `flags` (e.g. SOCK_NONBLOCK); an
// invalid Fd (errno set) when it cannot be made or bound.
Fd bind_loopback(int family, int port, int flags = 0);

// The port a socket is bound to (IPv4 or IPv6); 0 when it has none.
int bound_port(int fd);

// Whether a TCP connection to 127.0.0.1:port is accepted (then closed).
bool loopback_accepts(int port);

}  // namespace avio_http_test

#endif  // AVIO_TESTS_NET_HTTP_LOOPBACK_SOCKET_HPP
