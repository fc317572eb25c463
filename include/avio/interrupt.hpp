// What bounds a blocking step: a `Deadline` (when to give up), a
// `CancellationToken` (another thread says stop, and every wait wakes at
// once) and an `Interrupt` (a token and/or FFmpeg's interrupt callback,
// which, being a function, can only be polled).
//
// Every blocking step of every protocol waits through `Interrupt::wait`:
// one poll(2) on the descriptor it needs and the token's eventfd, with a
// timeout of min(deadline, kCallbackPollInterval when a callback is set).
// A token therefore ends a wait at once; a callback within one interval.
//
// Thread-safety: `CancellationToken::cancel` may be called from any thread,
// concurrently with waits. `Deadline` is a value. `Interrupt` is immutable
// once built and may be shared by the contexts of one open; its callback is
// called from whichever thread waits, so it must be thread-safe when the
// contexts are used from several threads (FFmpeg's rule too).
#ifndef AVIO_INTERRUPT_HPP
#define AVIO_INTERRUPT_HPP

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace avio {

// How often a wait calls an interrupt callback (FFmpeg polls its callback
// every 100 ms in network waits; a callback is cheap, so avio asks sooner).
inline constexpr std::chrono::milliseconds kCallbackPollInterval{20};

// A point in time after which a blocking step gives up, or never.
class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  constexpr Deadline() = default;  // never
  static constexpr Deadline never() { return Deadline(); }
  static Deadline at(Clock::time_point when) { return Deadline(when); }
  static Deadline after(std::chrono::microseconds d) { return Deadline(Clock::now() + d); }
  // FFmpeg's timeout options: microseconds, and 0 or less means none.
  static Deadline after_us(int64_t us) { return us > 0 ? after(std::chrono::microseconds(us)) : never(); }

  bool is_never() const { return !set_; }
  bool expired() const { return set_ && Clock::now() >= when_; }
  Clock::time_point when() const { return when_; }
  // Time left, zero when expired; meaningless for never().
  std::chrono::microseconds remaining() const;
  // The earlier of the two.
  static Deadline earlier(const Deadline &a, const Deadline &b);

 private:
  explicit Deadline(Clock::time_point when) : when_(when), set_(true) {}
  Clock::time_point when_{};
  bool set_ = false;
};

// A flag another thread raises to stop blocking operations. Raising it
// wakes every wait that polls `wait_fd()` at once. Not copyable (it owns a
// descriptor); share it with std::shared_ptr.
class CancellationToken {
 public:
  CancellationToken();
  ~CancellationToken();
  CancellationToken(const CancellationToken &) = delete;
  CancellationToken &operator=(const CancellationToken &) = delete;

  void cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // Readable once cancelled (an eventfd); -1 if none could be made, in which
  // case waits poll the flag every kCallbackPollInterval.
  int wait_fd() const { return fd_; }

 private:
  std::atomic<bool> cancelled_{false};
  int fd_ = -1;
};

enum class WaitResult { kReady, kTimedOut, kInterrupted };

// What a blocking operation obeys (FFmpeg's AVIOInterruptCB, plus a token).
// Raised when either says so.
struct Interrupt {
  std::function<bool()> callback;
  std::shared_ptr<const CancellationToken> token;

  bool raised() const { return (token && token->cancelled()) || (callback && callback()); }
  bool empty() const { return !callback && !token; }

  // Waits until `fd` has one of `events` (poll(2) bits; errors and hang-ups
  // count as ready, so the read or write that follows reports them), the
  // deadline passes, or the interrupt is raised. A signal is not readiness.
  WaitResult wait(int fd, short events, const Deadline &deadline) const;
  // Sleeps until the deadline, ending early (kInterrupted) when raised.
  WaitResult sleep_until(const Deadline &deadline) const;
};

}  // namespace avio

#endif  // AVIO_INTERRUPT_HPP
