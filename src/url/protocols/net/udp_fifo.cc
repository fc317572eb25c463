#include "udp_fifo.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <system_error>
#include <vector>

namespace avio::protocols::net {

namespace {

// FFmpeg's UDP_MAX_PKT_SIZE: the largest datagram the thread takes whole.
constexpr size_t kMaxDatagram = 65536;
// The length before each queued datagram (FFmpeg 7's 4-byte AV_WL32).
constexpr size_t kHeader = 4;
// Datagrams taken off the socket per wake-up before the thread polls (and
// so looks at the stop eventfd) again.
constexpr int kBurst = 64;

Result<Socket> make_eventfd() {
  const int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return socket_error(errno, "udp: eventfd");
  return Socket(fd);
}

}  // namespace

Result<std::unique_ptr<UdpReceiveFifo>> UdpReceiveFifo::start(int socket_fd, size_t capacity, bool overrun_nonfatal) {
  if (capacity == 0) return Error(-EINVAL, "udp: a receive FIFO needs fifo_size > 0");
  std::unique_ptr<UdpReceiveFifo> f(new UdpReceiveFifo());
  f->socket_fd_ = socket_fd;
  f->overrun_nonfatal_ = overrun_nonfatal;
  f->capacity_ = capacity;
  // Not value-initialised: the pages are touched only as datagrams arrive.
  f->ring_.reset(new (std::nothrow) uint8_t[capacity]);
  if (!f->ring_)
    return Error(-ENOMEM, "udp: cannot allocate a receive FIFO of " + std::to_string(capacity) + " bytes (fifo_size)");
  Result<Socket> ready = make_eventfd();
  if (!ready) return ready.error();
  f->ready_ = std::move(*ready);
  Result<Socket> stop = make_eventfd();
  if (!stop) return stop.error();
  f->stop_ = std::move(*stop);
  try {
    f->thread_ = std::thread([p = f.get()] { p->run(); });
  } catch (const std::system_error &e) {
    return Error(-EAGAIN, std::string("udp: cannot start the receive thread: ") + e.what());
  }
  return f;
}

UdpReceiveFifo::~UdpReceiveFifo() { stop(); }

void UdpReceiveFifo::stop() {
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  // An eventfd write of 1 cannot fail short of a counter overflow.
  [[maybe_unused]] const ssize_t n = ::write(stop_.fd(), &one, sizeof one);
  thread_.join();
}

void UdpReceiveFifo::signal_locked() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(ready_.fd(), &one, sizeof one);
}

void UdpReceiveFifo::fail_locked(int code, std::string message) {
  failed_ = true;
  error_code_ = code;
  error_message_ = std::move(message);
  signal_locked();
}

bool UdpReceiveFifo::push_locked(const uint8_t *data, size_t n) {
  if (capacity_ - used_ < n + kHeader) return false;
  const uint32_t len = static_cast<uint32_t>(n);
  uint8_t header[kHeader];
  std::memcpy(header, &len, kHeader);
  size_t at = (head_ + used_) % capacity_;
  const auto put = [&](const uint8_t *src, size_t count) {
    const size_t first = std::min(count, capacity_ - at);
    std::memcpy(ring_.get() + at, src, first);
    std::memcpy(ring_.get(), src + first, count - first);
    at = (at + count) % capacity_;
  };
  put(header, kHeader);
  put(data, n);
  used_ += n + kHeader;
  return true;
}

void UdpReceiveFifo::copy_out_locked(size_t offset, uint8_t *dst, size_t n) const {
  const size_t at = (head_ + offset) % capacity_;
  const size_t first = std::min(n, capacity_ - at);
  std::memcpy(dst, ring_.get() + at, first);
  std::memcpy(dst + first, ring_.get(), n - first);
}

Result<UdpReceiveFifo::Popped> UdpReceiveFifo::pop(std::span<uint8_t> dst) {
  uint64_t newly_dropped = 0;
  Popped out;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    newly_dropped = dropped_ - dropped_reported_;
    dropped_reported_ = dropped_;
    if (used_ > 0) {
      uint8_t header[kHeader];
      copy_out_locked(0, header, kHeader);
      uint32_t len;
      std::memcpy(&len, header, kHeader);
      out.have = true;
      out.size = std::min<size_t>(len, dst.size());
      if (out.size) copy_out_locked(kHeader, dst.data(), out.size);
      head_ = (head_ + kHeader + len) % capacity_;
      used_ -= kHeader + len;
    }
    // Keep ready_ readable exactly while there is something to pop.
    if (used_ == 0 && !failed_) {
      uint64_t count;
      [[maybe_unused]] const ssize_t n = ::read(ready_.fd(), &count, sizeof count);
    }
    if (!out.have && failed_) return Error(error_code_, error_message_);
  }
  if (newly_dropped && overrun_nonfatal_)
    std::fprintf(stderr, "udp: receive FIFO overrun: %llu datagram%s dropped (overrun_nonfatal=1: going on)\n",
                 static_cast<unsigned long long>(newly_dropped), newly_dropped == 1 ? "" : "s");
  return out;
}

void UdpReceiveFifo::run() {
  std::vector<uint8_t> buf(kMaxDatagram);
  pollfd fds[2] = {{socket_fd_, POLLIN, 0}, {stop_.fd(), POLLIN, 0}};
  while (true) {
    fds[0].revents = fds[1].revents = 0;
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      std::lock_guard<std::mutex> lock(mutex_);
      fail_locked(-e, "udp: receive thread: poll: " + error_text(-e));
      return;
    }
    if (fds[1].revents) return;
    if (!fds[0].revents) continue;
    for (int i = 0; i < kBurst; ++i) {
      const ssize_t n = ::recv(socket_fd_, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n < 0) {
        const int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK) break;
        if (e == EINTR) continue;
        std::lock_guard<std::mutex> lock(mutex_);
        fail_locked(-e, "udp: receive: " + error_text(-e));
        return;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (push_locked(buf.data(), static_cast<size_t>(n))) {
        signal_locked();
        continue;
      }
      ++dropped_;
      if (overrun_nonfatal_) continue;
      fail_locked(-EIO, "udp: receive FIFO overrun: " + std::to_string(dropped_) + " datagram" +
                            (dropped_ == 1 ? "" : "s") + " dropped; raise fifo_size or set overrun_nonfatal=1");
      return;
    }
  }
}

}  // namespace avio::protocols::net
