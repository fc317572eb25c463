#include "loopback_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include "../net_test_util.hpp"  // loopback

namespace avio_http_test {

Fd bind_loopback(int family, int port, int flags) {
  Fd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | flags, 0));
  if (fd.get() < 0) return fd;
  sockaddr_storage ss{};
  const socklen_t len = avio_net_test::loopback(family, port, &ss);
  if (::bind(fd.get(), reinterpret_cast<sockaddr *>(&ss), len) != 0) fd.reset();
  return fd;
}

int bound_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6 *>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in *>(&ss)->sin_port);
}

bool loopback_accepts(int port) {
  const Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return false;
  sockaddr_storage ss{};
  const socklen_t len = avio_net_test::loopback(AF_INET, port, &ss);
  return ::connect(fd.get(), reinterpret_cast<sockaddr *>(&ss), len) == 0;
}

}  // namespace avio_http_test
