// SIGINT, SIGTERM and SIGHUP for `avio serve`, read from a signalfd instead
// of a handler: blocked in the thread that makes the watch before it starts
// any other (threads inherit the mask), so that no worker is interrupted
// and the main thread waits for a signal and for the server's failure in
// one poll. restore() puts the default actions back: a second signal ends
// the process at once, as elsewhere in the tool.
#ifndef AVIO_TOOLS_SERVE_SIGNAL_WATCH_HPP
#define AVIO_TOOLS_SERVE_SIGNAL_WATCH_HPP

#include <signal.h>

#include <memory>
#include <utility>

#include "avio/error.hpp"
#include "avio/interrupt.hpp"
#include "unique_fd.hpp"

namespace avio::tools::serve {

class SignalWatch {
 public:
  static Result<SignalWatch> start();
  SignalWatch(SignalWatch &&other) noexcept
      : previous_(other.previous_), fd_(std::move(other.fd_)), active_(std::exchange(other.active_, false)) {}
  SignalWatch &operator=(SignalWatch &&) = delete;
  ~SignalWatch() { restore(); }

  // Waits for one of the signals (its number) or for `failed` (0).
  int wait(std::shared_ptr<const CancellationToken> failed);
  // The default actions and the mask from before start().
  void restore();

 private:
  SignalWatch() = default;
  sigset_t previous_{};
  UniqueFd fd_;
  bool active_ = false;
};

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_SIGNAL_WATCH_HPP
