// What the socket protocols (tcp, unix) share: owned non-blocking sockets,
// bounded name resolution, FFmpeg's connect / listen / accept steps
// (network.c: ff_connect_parallel, ff_listen_connect, ff_listen,
// ff_accept) and reads and writes that wait only through UrlContext::wait.
//
// Every socket made here is non-blocking and close-on-exec from birth, and
// nothing here blocks outside UrlContext::wait: a cancellation token ends
// any step at once, FFmpeg's interrupt callback within
// kCallbackPollInterval, and the deadline with the code the caller names.
#ifndef AVIO_SRC_URL_PROTOCOLS_NET_SOCKET_HPP
#define AVIO_SRC_URL_PROTOCOLS_NET_SOCKET_HPP

#include <netdb.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "avio/protocol.hpp"

namespace avio::protocols::net {

// One owned descriptor, closed on destruction.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Socket &operator=(Socket &&o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  Socket(const Socket &) = delete;
  Socket &operator=(const Socket &) = delete;
  ~Socket() { reset(); }

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// "-e: what: strerror" as an avio error.
Error socket_error(int e, std::string_view what);

// socket(2), non-blocking and close-on-exec (ff_socket + ff_socket_nonblock).
Result<Socket> make_socket(int family, int type, int protocol);

// A getaddrinfo result, freed with freeaddrinfo.
struct AddrInfoDeleter {
  void operator()(addrinfo *ai) const;
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoDeleter>;

// getaddrinfo(host or NULL when empty, port) with `socktype` and `ai_flags`
// (AI_PASSIVE for a server), bounded by `deadline` and the interrupt.
//
// A numeric host (IPv4, IPv6) or no host is resolved at once with
// AI_NUMERICHOST, in this thread. A name is looked up in a joinable thread
// that signals an eventfd, which this thread waits on through
// UrlContext::wait; when the wait ends first (interrupt, deadline) the
// thread is handed to a reaper that joins it once its lookup returns (at
// the next lookup, or at exit), and the abandoned result is freed there:
// no thread is ever detached and no lookup can hold an open past its
// bounds. Errors: -EIO naming the host when the lookup fails (FFmpeg's
// code), -ETIMEDOUT, or the interrupt's AVERROR_EXIT.
Result<AddrInfoPtr> resolve(const UrlContext &h, const std::string &host, const std::string &port, int socktype,
                            int ai_flags, const Deadline &deadline);

// "host:port", "[v6]:port", or the path of a unix socket, for messages.
std::string describe_address(const sockaddr *addr, socklen_t len);

// Socket options applied to each socket before it connects or listens.
using CustomizeFd = std::function<Status(int fd, int family)>;

// ff_connect_parallel: tries `addrs` with the families interleaved,
// starting the next address NEXT_ATTEMPT_DELAY (200 ms) after the previous
// or at once when one fails, at most `parallel` at a time; each attempt
// gives up after `per_address` (zero or less: never), the whole after
// `deadline`. The first connection wins; the others are closed. Errors:
// the last attempt's (-ECONNREFUSED when there was none), -ETIMEDOUT, or
// the interrupt's.
Result<Socket> connect_parallel(const UrlContext &h, const addrinfo *addrs, std::chrono::milliseconds per_address,
                                const Deadline &deadline, int parallel, const CustomizeFd &customize);

// ff_listen_connect for one address on `fd` (already non-blocking):
// connect, wait for it until `deadline` (-ETIMEDOUT), report SO_ERROR.
Status connect_socket(const UrlContext &h, int fd, const sockaddr *addr, socklen_t len, const Deadline &deadline);

// ff_listen: SO_REUSEADDR, bind, listen. FFmpeg's backlog is 1, right for a
// server of one client (listen=1); a multi-client server (listen=2) passes
// SOMAXCONN, or clients arriving together lose SYNs and wait seconds.
Status listen_socket(int fd, const sockaddr *addr, socklen_t len, int backlog = 1);

// ff_accept: waits for a client until `deadline` (-ETIMEDOUT) and accepts
// it, non-blocking and close-on-exec.
Result<Socket> accept_socket(const UrlContext &h, int listen_fd, const Deadline &deadline);

// One recv / send on a connected socket: waits first (unless the context
// is non-blocking) until `deadline`, which ends with `timeout_code`.
// A recv of 0 bytes is returned as 0: the protocol decides what it means.
Result<size_t> receive(const UrlContext &h, int fd, std::span<uint8_t> dst, const Deadline &deadline, int timeout_code);
Result<size_t> send_bytes(const UrlContext &h, int fd, std::span<const uint8_t> src, const Deadline &deadline,
                          int timeout_code);

// shutdown(2) with AVIO_FLAG_READ / AVIO_FLAG_WRITE mapped as FFmpeg does
// (both: SHUT_RDWR; write: SHUT_WR; otherwise SHUT_RD).
Status shutdown_socket(int fd, int flags);

}  // namespace avio::protocols::net

#endif  // AVIO_SRC_URL_PROTOCOLS_NET_SOCKET_HPP
