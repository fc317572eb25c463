#include "interrupt.hpp"

#include <signal.h>

#include <atomic>

namespace avio::tools {

namespace {

std::atomic<int> caught_signal{0};

void on_signal(int signal) { caught_signal.store(signal, std::memory_order_relaxed); }

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: a blocked system call returns EINTR and the flag is seen.
  // SA_RESETHAND: the second signal takes the default action.
  action.sa_flags = SA_RESETHAND;
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);
}

bool interrupt_requested() { return caught_signal.load(std::memory_order_relaxed) != 0; }

int interrupt_exit_status() { return 128 + caught_signal.load(std::memory_order_relaxed); }

}  // namespace avio::tools
