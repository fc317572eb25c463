#include "socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace avio::protocols::net {

void Socket::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Error socket_error(int e, std::string_view what) {
  std::string detail(what);
  detail += ": ";
  detail += error_text(-e);
  return Error(-e, std::move(detail));
}

Result<Socket> make_socket(int family, int type, int protocol) {
  const int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return socket_error(errno, "socket");
  return Socket(fd);
}

void AddrInfoDeleter::operator()(addrinfo *ai) const {
  if (ai) freeaddrinfo(ai);
}

// ---- name resolution

namespace {

// One lookup in its own thread. Shared by that thread and the waiter; the
// last owner frees the result if nobody took it. The eventfd that signals
// the end is closed by whoever is last to need it: the waiter once it has
// the result, or at once when it gives up (under the mutex, so the thread
// never writes to a descriptor that was closed and perhaps reused), so an
// abandoned lookup holds no descriptor while it runs on.
struct Lookup {
  std::string host, port;
  addrinfo hints{};
  std::mutex mutex;
  int event_fd = -1;  // guarded by mutex once the thread runs
  int rc = 0;
  addrinfo *result = nullptr;
  std::atomic<bool> done{false};

  void close_event_fd() {
    std::lock_guard<std::mutex> lock(mutex);
    if (event_fd >= 0) ::close(event_fd);
    event_fd = -1;
  }
  ~Lookup() {
    if (result) freeaddrinfo(result);
    if (event_fd >= 0) ::close(event_fd);
  }
};

// Joins lookup threads whose waiter gave up, once they return.
class Reaper {
 public:
  ~Reaper() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Entry &e : abandoned_) e.thread.join();
  }
  void adopt(std::thread t, std::shared_ptr<Lookup> lookup) {
    std::lock_guard<std::mutex> lock(mutex_);
    abandoned_.push_back({std::move(t), std::move(lookup)});
  }
  void reap_finished() {
    std::vector<Entry> finished;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = std::stable_partition(abandoned_.begin(), abandoned_.end(),
                                      [](const Entry &e) { return !e.lookup->done.load(std::memory_order_acquire); });
      std::move(it, abandoned_.end(), std::back_inserter(finished));
      abandoned_.erase(it, abandoned_.end());
    }
    for (Entry &e : finished) e.thread.join();  // returns at once: the lookup is done
  }

 private:
  struct Entry {
    std::thread thread;
    std::shared_ptr<Lookup> lookup;
  };
  std::mutex mutex_;
  std::vector<Entry> abandoned_;
};

Reaper &reaper() {
  static Reaper r;
  return r;
}

// FFmpeg's code for any failed lookup: EIO.
Error resolve_error(const UrlContext &h, const std::string &host, int rc) {
  std::string detail = h.info().name() + ": cannot resolve '" + host + "': ";
  detail += gai_strerror(rc);
  return Error(-EIO, std::move(detail));
}

}  // namespace

Result<AddrInfoPtr> resolve(const UrlContext &h, const std::string &host, const std::string &port, int socktype,
                            int ai_flags, const Deadline &deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  hints.ai_flags = ai_flags | AI_NUMERICSERV;
  const char *node = host.empty() ? nullptr : host.c_str();

  // No host, or an address: nothing to look up, no thread.
  {
    addrinfo numeric = hints;
    numeric.ai_flags |= AI_NUMERICHOST;
    addrinfo *ai = nullptr;
    const int rc = getaddrinfo(node, port.c_str(), &numeric, &ai);
    if (rc == 0) return AddrInfoPtr(ai);
    if (!node || rc != EAI_NONAME) return resolve_error(h, host, rc);
  }

  reaper().reap_finished();
  auto lookup = std::make_shared<Lookup>();
  lookup->host = host;
  lookup->port = port;
  lookup->hints = hints;
  lookup->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (lookup->event_fd < 0) return socket_error(errno, h.info().name() + ": eventfd");
  std::thread worker([lookup] {
    addrinfo *ai = nullptr;
    lookup->rc = getaddrinfo(lookup->host.c_str(), lookup->port.c_str(), &lookup->hints, &ai);
    lookup->result = ai;
    std::lock_guard<std::mutex> lock(lookup->mutex);
    lookup->done.store(true, std::memory_order_release);
    if (lookup->event_fd >= 0) {
      const uint64_t one = 1;
      [[maybe_unused]] const ssize_t n = ::write(lookup->event_fd, &one, sizeof one);
    }
  });
  // The thread only writes the descriptor: waiting on it needs no lock.
  const Status waited = h.wait_ready(lookup->event_fd, POLLIN, deadline, -ETIMEDOUT, "resolving '" + host + "'");
  if (!waited && !lookup->done.load(std::memory_order_acquire)) {
    lookup->close_event_fd();
    reaper().adopt(std::move(worker), std::move(lookup));
    return waited.error();
  }
  worker.join();
  lookup->close_event_fd();
  if (lookup->rc != 0) return resolve_error(h, host, lookup->rc);
  return AddrInfoPtr(std::exchange(lookup->result, nullptr));
}

std::string describe_address(const sockaddr *addr, socklen_t len) {
  char host[INET6_ADDRSTRLEN] = "?";
  switch (addr->sa_family) {
    case AF_INET: {
      const auto *in = reinterpret_cast<const sockaddr_in *>(addr);
      inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
      return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
    }
    case AF_INET6: {
      const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(addr);
      inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
      return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
    }
    case AF_UNIX: {
      const auto *un = reinterpret_cast<const sockaddr_un *>(addr);
      const size_t max = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
      return std::string(un->sun_path, strnlen(un->sun_path, std::min(max, sizeof un->sun_path)));
    }
    default: return "(address family " + std::to_string(addr->sa_family) + ")";
  }
}

// ---- connecting

namespace {

// FFmpeg's NEXT_ATTEMPT_DELAY_MS (RFC 8305).
constexpr std::chrono::milliseconds kNextAttemptDelay{200};

int socket_status(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
  return err;
}

// The addresses with the families alternating, each family in its order
// (interleave_addrinfo).
std::vector<const addrinfo *> interleaved(const addrinfo *addrs) {
  std::vector<std::vector<const addrinfo *>> by_family;
  std::vector<int> families;
  for (const addrinfo *ai = addrs; ai; ai = ai->ai_next) {
    const auto it = std::find(families.begin(), families.end(), ai->ai_family);
    if (it == families.end()) {
      families.push_back(ai->ai_family);
      by_family.push_back({ai});
    } else {
      by_family[it - families.begin()].push_back(ai);
    }
  }
  std::vector<const addrinfo *> out;
  for (size_t i = 0;; ++i) {
    bool any = false;
    for (const auto &list : by_family) {
      if (i < list.size()) {
        out.push_back(list[i]);
        any = true;
      }
    }
    if (!any) break;
  }
  return out;
}

// "tcp: connecting to 127.0.0.1:80", for errors.
std::string connecting_to(const std::string &name, const addrinfo *ai) {
  std::string s = name;
  s.append(": connecting to ").append(describe_address(ai->ai_addr, ai->ai_addrlen));
  return s;
}

struct Attempt {
  Socket socket;
  Deadline deadline;
  const addrinfo *addr;
};

}  // namespace

Result<Socket> connect_parallel(const UrlContext &h, const addrinfo *addrs, std::chrono::milliseconds per_address,
                                const Deadline &deadline, int parallel, const CustomizeFd &customize) {
  const std::string &name = h.info().name();
  const std::vector<const addrinfo *> order = interleaved(addrs);
  if (order.empty()) return Error(-EIO, name + ": no address to connect to");
  parallel = std::clamp(parallel, 1, 3);
  // The attempts in progress, oldest first; one epoll set over them, so
  // that one UrlContext::wait covers them all.
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return socket_error(errno, name + ": epoll_create1");
  Socket epoll_set(ep);
  std::vector<Attempt> attempts;
  size_t next = 0;
  Deadline next_attempt = Deadline::after(std::chrono::microseconds(0));
  Error last_error(-EIO);

  while (!attempts.empty() || next < order.size()) {
    if (static_cast<int>(attempts.size()) < parallel && next < order.size()) {
      const addrinfo *ai = order[next++];
      Result<Socket> s = make_socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
      if (!s) {
        last_error = socket_error(-s.error().code(), connecting_to(name, ai));
        continue;
      }
      if (customize) {
        if (Status st = customize(s->fd(), ai->ai_family); !st) {
          last_error = st.error();
          continue;
        }
      }
      int rc;
      do {
        rc = ::connect(s->fd(), ai->ai_addr, ai->ai_addrlen);
      } while (rc < 0 && errno == EINTR && !h.interrupted());
      if (rc == 0) return std::move(*s);  // the others close with `attempts`
      if (errno == EINTR) return h.interrupted_error();
      if (errno != EINPROGRESS && errno != EAGAIN && errno != EALREADY) {
        last_error = socket_error(errno, connecting_to(name, ai));
        continue;
      }
      epoll_event ev{};
      ev.events = EPOLLOUT;
      ev.data.fd = s->fd();
      if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd(), &ev) < 0) return socket_error(errno, name + ": epoll_ctl");
      attempts.push_back(
          {std::move(*s), per_address.count() > 0 ? Deadline::after(per_address) : Deadline::never(), ai});
      next_attempt = Deadline::after(kNextAttemptDelay);
    }

    Deadline until = Deadline::earlier(attempts.front().deadline, deadline);
    if (static_cast<int>(attempts.size()) < parallel && next < order.size())
      until = Deadline::earlier(until, next_attempt);
    switch (h.wait(ep, POLLIN, until)) {
      case WaitResult::kInterrupted: return h.interrupted_error();
      case WaitResult::kReady:
      case WaitResult::kTimedOut: break;
    }

    std::vector<pollfd> fds;
    fds.reserve(attempts.size());
    for (const Attempt &a : attempts) fds.push_back({a.socket.fd(), POLLOUT, 0});
    if (poll(fds.data(), fds.size(), 0) < 0 && errno != EINTR) return socket_error(errno, name + ": poll");
    for (size_t i = 0; i < attempts.size();) {
      int err = 0;
      if (fds[i].revents) {
        err = socket_status(attempts[i].socket.fd());
        if (err == 0) return std::move(attempts[i].socket);
      }
      if (!err && attempts[i].deadline.expired()) err = ETIMEDOUT;
      if (!err) {
        ++i;
        continue;
      }
      last_error = socket_error(err, connecting_to(name, attempts[i].addr));
      attempts.erase(attempts.begin() + static_cast<std::ptrdiff_t>(i));  // closes it (and leaves the epoll set)
      fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (deadline.expired()) return h.timed_out_error(-ETIMEDOUT, "connecting");
  }
  return last_error;
}

Status connect_socket(const UrlContext &h, int fd, const sockaddr *addr, socklen_t len, const Deadline &deadline) {
  const std::string what = h.info().name() + ": connecting to " + describe_address(addr, len);
  while (::connect(fd, addr, len) < 0) {
    if (errno == EINTR) {
      if (h.interrupted()) return h.interrupted_error();
      continue;
    }
    if (errno != EINPROGRESS && errno != EAGAIN && errno != EALREADY) return socket_error(errno, what);
    if (Status st = h.wait_ready(fd, POLLOUT, deadline, -ETIMEDOUT, "connecting"); !st) return st;
    if (const int err = socket_status(fd)) return socket_error(err, what);
    return {};
  }
  return {};
}

Status listen_socket(int fd, const sockaddr *addr, socklen_t len, int backlog) {
  const int reuse = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);  // FFmpeg only warns
  if (::bind(fd, addr, len) < 0) return socket_error(errno, "bind to " + describe_address(addr, len));
  if (::listen(fd, backlog) < 0) return socket_error(errno, "listen on " + describe_address(addr, len));
  return {};
}

Result<Socket> accept_socket(const UrlContext &h, int listen_fd, const Deadline &deadline) {
  while (true) {
    if (Status st = h.wait_ready(listen_fd, POLLIN, deadline, -ETIMEDOUT, "waiting for a client"); !st)
      return st.error();
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) return Socket(fd);
    // Another thread took the client, or it left before we accepted it.
    if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) continue;
    return socket_error(errno, h.info().name() + ": accept");
  }
}

// ---- data

Result<size_t> receive(const UrlContext &h, int fd, std::span<uint8_t> dst, const Deadline &deadline,
                       int timeout_code) {
  if (!(h.flags() & kOpenNonBlock)) {
    if (Status st = h.wait_ready(fd, POLLIN, deadline, timeout_code, "read"); !st) return st.error();
  }
  const ssize_t n = ::recv(fd, dst.data(), dst.size(), 0);
  if (n < 0) return Error(-errno);
  return static_cast<size_t>(n);
}

Result<size_t> send_bytes(const UrlContext &h, int fd, std::span<const uint8_t> src, const Deadline &deadline,
                          int timeout_code) {
  if (!(h.flags() & kOpenNonBlock)) {
    if (Status st = h.wait_ready(fd, POLLOUT, deadline, timeout_code, "write"); !st) return st.error();
  }
  const ssize_t n = ::send(fd, src.data(), src.size(), MSG_NOSIGNAL);
  if (n < 0) return Error(-errno);
  return static_cast<size_t>(n);
}

Status shutdown_socket(int fd, int flags) {
  int how = SHUT_RD;
  if ((flags & kOpenWrite) && (flags & kOpenRead)) {
    how = SHUT_RDWR;
  } else if (flags & kOpenWrite) {
    how = SHUT_WR;
  }
  if (::shutdown(fd, how) < 0) return socket_error(errno, "shutdown");
  return {};
}

}  // namespace avio::protocols::net
