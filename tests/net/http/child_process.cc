#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include "loopback_socket.hpp"  // Fd

namespace avio_http_test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

[[noreturn]] void exec_child(char *const argv[], int out_fd, int death_signal, pid_t parent) {
  // Between fork and exec: async-signal-safe calls only.
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, death_signal);
  if (::getppid() != parent) ::_exit(127);  // the parent is already gone
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  const int in = ::open("/dev/null", O_RDONLY);
  if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(out_fd, 2) < 0) ::_exit(127);
  if (in > 2) ::close(in);
  ::execv(argv[0], argv);
  ::_exit(127);
}

}  // namespace

fs::path make_temp_dir(std::string_view prefix, std::initializer_list<const char *> subdirs, std::string *error) {
  std::error_code ec;
  const fs::path tmp = fs::temp_directory_path(ec);
  std::string templ = (ec ? fs::path("/tmp") : tmp).string() + "/" + std::string(prefix) + "-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    *error = "mkdtemp " + templ + ": " + std::strerror(errno);
    return {};
  }
  fs::path dir = templ;
  for (const char *sub : subdirs) {
    fs::create_directories(dir / sub, ec);
    if (ec) {
      *error = "cannot create " + (dir / sub).string() + ": " + ec.message();
      fs::remove_all(dir, ec);
      return {};
    }
  }
  return dir;
}

bool wait_exit(pid_t pid, Clock::time_point deadline, int *status) {
  for (;;) {
    const pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

std::vector<char *> c_argv(const std::vector<std::string> &argv) {
  std::vector<char *> v;
  v.reserve(argv.size() + 1);
  for (const auto &a : argv) v.push_back(const_cast<char *>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

bool ChildProcess::start(const std::vector<std::string> &argv, const fs::path &output, int death_signal,
                         std::string *error) {
  const auto args = c_argv(argv);
  const Fd out(::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (out.get() < 0) {
    *error = "cannot create " + output.string() + ": " + std::strerror(errno);
    return false;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(args.data(), out.get(), death_signal, parent);
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  ::setpgid(pid, pid);  // the child does it too: whichever runs first
  pid_ = pid;
  return true;
}

bool ChildProcess::running() const {
  if (pid_ <= 0) return false;
  siginfo_t info{};
  // WNOWAIT: a zombie stays for stop() to reap.
  return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0;
}

bool ChildProcess::try_reap(int *status) {
  if (pid_ <= 0 || ::waitpid(pid_, status, WNOHANG) != pid_) return false;
  pid_ = -1;
  return true;
}

ChildProcess::Start ChildProcess::wait_ready(const std::function<bool()> &ready, std::chrono::milliseconds timeout,
                                             int *status) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (ready()) return Start::kReady;
    if (try_reap(status)) return Start::kExited;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Start::kTimedOut;
}

int ChildProcess::stop(std::initializer_list<StopStep> steps) {
  if (pid_ <= 0) return -1;
  int status = 0;
  bool gone = false;
  for (const StopStep &step : steps) {
    ::kill(pid_, step.signal);
    gone = wait_exit(pid_, Clock::now() + step.wait, &status);
    if (gone) break;
  }
  if (!gone) {
    ::kill(-pid_, SIGKILL);  // its group, while the unreaped leader still holds the id
    ::waitpid(pid_, &status, 0);
  } else if (!WIFEXITED(status)) {
    ::kill(-pid_, SIGKILL);  // what it may have left of its group (nginx's workers)
  }
  pid_ = -1;
  return status;
}

}  // namespace avio_http_test
