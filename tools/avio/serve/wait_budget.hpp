// The per-connection bounds on the waits inside avio's protocols.
//
// A client context made by UrlContext::accept shares the listening context's
// parameters, its interrupt included, and a tls client waits in a nested tcp
// context of its own; so neither rw_timeout nor a cancellation token can bound
// one connection without bounding all of them. What the URL layer offers is
// the interrupt callback, which it calls from the thread that waits, at least
// every kCallbackPollInterval (include/avio/interrupt.hpp). The server's
// callback asks the budget of the calling thread, which a worker sets before
// every read and write of the connection it serves: a wait past it ends with
// AVERROR_EXIT (kExit), and expired() then tells a spent budget from the
// server's cut.
#ifndef AVIO_TOOLS_SERVE_WAIT_BUDGET_HPP
#define AVIO_TOOLS_SERVE_WAIT_BUDGET_HPP

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "avio/interrupt.hpp"

namespace avio::tools::serve {

class WaitBudget {
 public:
  // This thread's waits end at `deadline`. An idle wait (for the next request
  // on a kept-alive connection) also ends as soon as the server drains.
  static void set(Deadline deadline, bool idle = false);
  static void set_after(std::chrono::milliseconds timeout, bool idle = false) { set(Deadline::after(timeout), idle); }
  // No bound on this thread's waits.
  static void clear();
  // Whether this thread's deadline has passed.
  static bool expired();

  // The interrupt callback of the server's contexts: true when the calling
  // thread's budget is spent, or when it waits idle and `draining` is set.
  static std::function<bool()> callback(std::shared_ptr<const std::atomic<bool>> draining);
};

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_WAIT_BUDGET_HPP
