// The fixture of the `avio serve` tests: the tool as a child process on a
// free loopback port, a temporary document root, and a raw HTTP/1.1 client
// over a plain socket that reads responses with avio's message layer. Every
// wait is bounded: a test that goes wrong fails, it does not hang, and no
// server outlives its fixture (SIGKILL in the destructor, and the parent's
// death signal if the test process dies first).
#ifndef AVIO_TESTS_NET_HTTP_SERVE_FIXTURE_HPP
#define AVIO_TESTS_NET_HTTP_SERVE_FIXTURE_HPP

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "child_process.hpp"
#include "protocols/http/message.hpp"

namespace avio_serve_test {

namespace fs = std::filesystem;

// A fresh directory under the temporary directory, removed with what it holds.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const fs::path &path() const { return path_; }
  // Writes `bytes` to path()/rel, creating directories.
  void write(std::string_view rel, std::string_view bytes) const;
  // The content of path()/rel, or nullopt when it cannot be read.
  std::optional<std::string> read(std::string_view rel) const;

 private:
  fs::path path_;
};

// `n` bytes of a fixed pseudo-random sequence (the same for every seed).
std::string pattern_bytes(size_t n, uint32_t seed);

class ServeProcess {
 public:
  // Runs `avio serve DIR --listen 127.0.0.1:0 --log LOG ARGS...` with its
  // stderr in a file and waits (at most 10 s) for "listening on URL". On
  // failure returns nullptr with the reason, stderr included, in *error.
  static std::unique_ptr<ServeProcess> start(const fs::path &dir, const std::vector<std::string> &args,
                                             std::string *error);
  ~ServeProcess();  // SIGKILL when it still runs
  ServeProcess(const ServeProcess &) = delete;
  ServeProcess &operator=(const ServeProcess &) = delete;

  pid_t pid() const { return child_.pid(); }
  int port() const { return port_; }
  // The URL it printed ("http://127.0.0.1:PORT/") with `path` instead of "/".
  std::string url(std::string_view path) const;
  // Sends `signal` and waits for the exit: its status, or -1 when it did not
  // exit within `timeout` (then it is killed).
  int stop(int signal, std::chrono::milliseconds timeout);
  bool running() const { return child_.pid() > 0; }

  std::string stderr_text() const;
  // Stops it with SIGTERM: "" when it exited 0 within 10 s, said it stopped,
  // left nothing behind and reported no sanitizer error; else what went
  // wrong, with its stderr.
  std::string stop_cleanly();
  std::vector<std::string> access_log() const;
  // Entries of /proc/PID/fd and /proc/PID/task.
  int descriptor_count() const;
  int thread_count() const;
  // Polls until descriptor_count() == n or `timeout`; the last count.
  int wait_descriptors(int n, std::chrono::milliseconds timeout) const;

 private:
  ServeProcess() = default;
  fs::path dir_;  // stderr and the access log
  avio_http_test::ChildProcess child_;
  int port_ = 0;
  std::string base_url_;
};

// The base of the test suites that run one `avio serve` over the temporary
// document root root_: serve(args) starts it (a fatal failure when it does
// not start), and TearDown expects a clean stop (stop_cleanly) of a server
// still running.
class ServeTest : public ::testing::Test {
 protected:
  void TearDown() override;
  void serve(const std::vector<std::string> &args = {});

  TempDir root_;
  std::unique_ptr<ServeProcess> server_;
};

struct RawResponse {
  avio::protocols::http::ResponseHead head;
  std::string body;
};

// HTTP/1.1 by hand over a loopback TCP socket (10 s send and receive timeouts).
class RawClient {
 public:
  explicit RawClient(int port);
  ~RawClient();
  RawClient(const RawClient &) = delete;
  RawClient &operator=(const RawClient &) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  bool send(std::string_view bytes) const;
  // The next response: its head by the message layer, its body by
  // Content-Length (none after HEAD or for 1xx, 204, 304). nullopt when the
  // connection ends first or it is malformed.
  std::optional<RawResponse> read_response(bool head_request = false);
  // Whether the server closes the connection within `timeout` (reading and
  // dropping what comes before).
  bool closed_within(std::chrono::milliseconds timeout);
  // Closes our side.
  void close();

 private:
  bool fill();
  int fd_ = -1;
  std::string buffer_;
};

// "GET path HTTP/1.1" with Host and `extra` header lines ("Name: value\r\n" each).
std::string get_request(std::string_view path, std::string_view extra = "", std::string_view method = "GET");

}  // namespace avio_serve_test

#endif  // AVIO_TESTS_NET_HTTP_SERVE_FIXTURE_HPP
