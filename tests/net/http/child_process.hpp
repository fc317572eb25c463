// The server processes of the test fixtures (nginx_fixture, s3rver_fixture,
// serve_fixture): a private temporary directory, and a child started by fork
// and exec that cannot outlive the test and is stopped within a bound.
//
// The contract of ChildProcess: the child runs in a process group of its own
// (so that stopping it reaches whatever it forks), with stdin from /dev/null,
// stdout and stderr in one file, an empty signal mask, and a death signal
// (PR_SET_PDEATHSIG) sent to it when the thread that started it ends (the
// test's main thread in gtest): even a crashed test leaves no server behind.
// Every wait is bounded; once stop() (or the destructor) returns, the child
// has been reaped and its process group killed.
#ifndef AVIO_TESTS_NET_HTTP_CHILD_PROCESS_HPP
#define AVIO_TESTS_NET_HTTP_CHILD_PROCESS_HPP

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace avio_http_test {

// A fresh directory PREFIX-XXXXXX (mode 0700) in the temporary directory
// (/tmp when there is none), with `subdirs` made in it. On failure returns ""
// with the reason in *error, and leaves nothing behind.
std::filesystem::path make_temp_dir(std::string_view prefix, std::initializer_list<const char *> subdirs,
                                    std::string *error);

// Polls `pid` until it exits (true: reaped, its wait status in *status) or
// the deadline passes (false). True also when it is no child of ours (ECHILD).
bool wait_exit(pid_t pid, std::chrono::steady_clock::time_point deadline, int *status);

// The exit code of a wait status; -1 when a signal ended the process.
int exit_code_of(int status);

// `argv` as exec and posix_spawn take it: pointers to its strings, then nullptr.
std::vector<char *> c_argv(const std::vector<std::string> &argv);

class ChildProcess {
 public:
  // How wait_ready() ended.
  enum class Start { kReady, kExited, kTimedOut };

  // One step of stop(): send `signal`, then wait at most `wait` for the exit.
  struct StopStep {
    int signal;
    std::chrono::milliseconds wait;
  };

  ChildProcess() = default;
  ~ChildProcess() { stop({}); }
  ChildProcess(const ChildProcess &) = delete;
  ChildProcess &operator=(const ChildProcess &) = delete;

  // Runs argv[0] (a path: no $PATH lookup) with `argv`, as the contract above
  // says; its stdout and stderr replace `output`. `death_signal` goes to it
  // when the starting thread ends. False, with the reason in *error, when the
  // output file or the fork fails; a failed exec is an exit with status 127.
  // The previous child, if any, must have been stopped.
  bool start(const std::vector<std::string> &argv, const std::filesystem::path &output, int death_signal,
             std::string *error);

  // The child's process id (and group id); -1 before start and once reaped.
  pid_t pid() const { return pid_; }
  // Whether it has not exited yet; a child that has exited stays unreaped.
  bool running() const;
  // Reaps the child if it has exited (without waiting): true, with its wait
  // status in *status, and pid() is -1 from then on.
  bool try_reap(int *status);
  // Polls `ready` every 10 ms until it holds (kReady), the child exits
  // (kExited: reaped, its wait status in *status) or `timeout` passes.
  Start wait_ready(const std::function<bool()> &ready, std::chrono::milliseconds timeout, int *status);
  // Sends each step's signal in turn, waiting for the exit after each. If it
  // still runs after the last step, its process group gets SIGKILL. Then it
  // is reaped, and when it did not exit by itself (a signal ended it) what
  // is left of its group gets SIGKILL too. Returns its wait status, or -1
  // when there was no child.
  int stop(std::initializer_list<StopStep> steps);

 private:
  pid_t pid_ = -1;
};

}  // namespace avio_http_test

#endif  // AVIO_TESTS_NET_HTTP_CHILD_PROCESS_HPP
