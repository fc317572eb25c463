#include "listener.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "unique_fd.hpp"

namespace avio::tools::serve {

namespace {

constexpr int kPortAttempts = 8;
// How long an accept waits for a client that poll announced (it may have gone).
constexpr const char *kListenTimeoutMs = "1000";

// The port of the socket `fd` is bound to, or -1.
int bound_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (fd < 0 || ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in &>(addr).sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6 &>(addr).sin6_port);
  return -1;
}

// A port the kernel finds free on `host` now (see the header).
Result<int> probe_free_port(const std::string &host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo *list = nullptr;
  if (const int e = ::getaddrinfo(host.c_str(), "0", &hints, &list); e != 0)
    return Error(-EIO, "'" + host + "': " + ::gai_strerror(e));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(list, &::freeaddrinfo);
  int err = EADDRNOTAVAIL;
  for (const addrinfo *ai = list; ai; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (fd.valid() && ::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) return bound_port(fd.get());
    err = errno;
  }
  return Error(-err, "finding a free port on '" + host + "'");
}

Result<std::unique_ptr<UrlContext>> open_on(const ListenerOptions &o, int port) {
  const bool tls = !o.cert_file.empty();
  const std::string url = std::string(tls ? "tls" : "tcp") + "://" + url_host(o.address.host) + ":" +
                          std::to_string(port) + "?listen=2&listen_timeout=" + kListenTimeoutMs + "&tcp_nodelay=1";
  OpenOptions open;
  open.flags = kOpenReadWrite;
  open.interrupt_callback = o.interrupt_callback;
  open.cancel = o.cancel;
  if (tls) {
    open.options.set("cert_file", o.cert_file);
    open.options.set("key_file", o.key_file);
  }
  return open_url_context(url, open);
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return Error(-EINVAL, "'" + std::string(text) + "' is not HOST:PORT");
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return Error(-EINVAL, "'" + std::string(text) + "': unclosed '['");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Error(-EINVAL, "'" + std::string(text) + "': an IPv6 address goes in brackets, [::1]:8080");
  }
  const std::string_view digits = text.substr(colon + 1);
  int port = -1;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port < 0 || port > 65535)
    return Error(-EINVAL, "'" + std::string(text) + "': the port must be 0 to 65535");
  return ListenAddress{std::string(host), port};
}

std::string url_host(const std::string &host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

Result<Listener> open_listener(const ListenerOptions &options) {
  for (int attempt = 1;; ++attempt) {
    int port = options.address.port;
    if (port == 0) {
      Result<int> free = probe_free_port(options.address.host);
      if (!free) return free.error();
      port = *free;
    }
    Result<std::unique_ptr<UrlContext>> url = open_on(options, port);
    if (url) return Listener{std::move(*url), port};
    if (options.address.port != 0 || url.error().code() != -EADDRINUSE || attempt == kPortAttempts) return url.error();
  }
}

}  // namespace avio::tools::serve
