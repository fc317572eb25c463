#include "signal_watch.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace avio::tools::serve {

namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

sigset_t watched() {
  sigset_t set;
  sigemptyset(&set);
  for (const int s : kSignals) sigaddset(&set, s);
  return set;
}

}  // namespace

Result<SignalWatch> SignalWatch::start() {
  SignalWatch w;
  const sigset_t set = watched();
  if (const int e = pthread_sigmask(SIG_BLOCK, &set, &w.previous_); e != 0) return Error(-e, "pthread_sigmask");
  w.active_ = true;
  w.fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!w.fd_.valid()) return Error(-errno, "signalfd");
  return w;
}

int SignalWatch::wait(std::shared_ptr<const CancellationToken> failed) {
  const Interrupt interrupt{nullptr, std::move(failed)};
  while (interrupt.wait(fd_.get(), POLLIN, Deadline::never()) == WaitResult::kReady) {
    signalfd_siginfo info{};
    if (::read(fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info))
      return static_cast<int>(info.ssi_signo);
  }
  return 0;
}

void SignalWatch::restore() {
  if (!active_) return;
  active_ = false;
  fd_.reset();
  for (const int s : kSignals) ::signal(s, SIG_DFL);
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace avio::tools::serve
