// Deadline, CancellationToken and the one wait every protocol blocks in.
#include "avio/interrupt.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

namespace avio {

std::chrono::microseconds Deadline::remaining() const {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(when_ - Clock::now());
  return std::max(left, std::chrono::microseconds(0));
}

Deadline Deadline::earlier(const Deadline &a, const Deadline &b) {
  if (a.is_never()) return b;
  if (b.is_never()) return a;
  return a.when_ <= b.when_ ? a : b;
}

CancellationToken::CancellationToken() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

CancellationToken::~CancellationToken() {
  if (fd_ >= 0) ::close(fd_);
}

void CancellationToken::cancel() {
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  if (fd_ >= 0) {
    const uint64_t one = 1;
    // Cannot fail short of overflow, which one write never reaches.
    [[maybe_unused]] const ssize_t n = ::write(fd_, &one, sizeof one);
  }
}

namespace {

// The poll timeout for one round: the time left, capped where something
// must be polled rather than waited on (a callback, a token without a
// descriptor); -1 waits indefinitely.
int round_timeout_ms(const Interrupt &in, const Deadline &deadline) {
  const bool must_poll = in.callback || (in.token && in.token->wait_fd() < 0);
  int64_t ms = -1;
  if (!deadline.is_never()) {
    // Round up: a wait that ends a little before the deadline would spin.
    ms = (deadline.remaining().count() + 999) / 1000;
  }
  if (must_poll) {
    const int64_t cap = kCallbackPollInterval.count();
    ms = ms < 0 ? cap : std::min(ms, cap);
  }
  return static_cast<int>(std::min<int64_t>(ms, INT32_MAX));
}

WaitResult wait_for(const Interrupt &in, int fd, short events, const Deadline &deadline) {
  pollfd fds[2];
  const int token_fd = in.token ? in.token->wait_fd() : -1;
  while (true) {
    if (in.raised()) return WaitResult::kInterrupted;
    nfds_t n = 0;
    if (fd >= 0) fds[n++] = {fd, events, 0};
    if (token_fd >= 0) fds[n++] = {token_fd, POLLIN, 0};
    const int timeout = round_timeout_ms(in, deadline);
    const int r = poll(fds, n, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;  // a signal is not readiness: check the interrupt again
      return WaitResult::kReady;     // let the operation that follows report the error
    }
    if (token_fd >= 0 && fds[n - 1].revents) return WaitResult::kInterrupted;
    if (r > 0 && fd >= 0 && fds[0].revents) return WaitResult::kReady;
    if (deadline.expired()) return WaitResult::kTimedOut;
  }
}

}  // namespace

WaitResult Interrupt::wait(int fd, short events, const Deadline &deadline) const {
  return wait_for(*this, fd, events, deadline);
}

WaitResult Interrupt::sleep_until(const Deadline &deadline) const {
  const WaitResult r = wait_for(*this, -1, 0, deadline);
  return r == WaitResult::kInterrupted ? r : WaitResult::kTimedOut;
}

}  // namespace avio
