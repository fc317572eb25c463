// Helpers shared by the URL tests: a temporary directory, files of seeded
// random bytes, running a command and capturing its output.
#ifndef AVIO_TESTS_URL_URL_TEST_UTIL_HPP
#define AVIO_TESTS_URL_URL_TEST_UTIL_HPP

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace avio_test {

// A pipe whose write end stays open and silent: reads on it block.
struct SilentPipe {
  int fds[2] = {-1, -1};
  SilentPipe() {
    if (pipe(fds) != 0) std::abort();
  }
  ~SilentPipe() {
    close(fds[0]);
    close(fds[1]);
  }
  std::string url() const { return "pipe:" + std::to_string(fds[0]); }
};

inline std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<uint8_t> v(n);
  for (auto &b : v) b = static_cast<uint8_t>(gen());
  return v;
}

inline void write_file(const std::filesystem::path &p, const std::vector<uint8_t> &bytes) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> read_file(const std::filesystem::path &p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// A fresh directory under $TMPDIR, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "avio-url-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path &path() const { return path_; }
  std::string operator/(const std::string &name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Lower-case hexadecimal, as keys and IVs are given to crypto: and openssl.
inline std::string hex(const std::vector<uint8_t> &v) {
  static const char *digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : v) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

inline std::string shell_quote(const std::string &s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// Runs `command` with /bin/sh and returns its standard output; `status`
// receives the exit status.
inline std::string run(const std::string &command, int *status = nullptr) {
  std::string out;
  FILE *p = popen(command.c_str(), "r");
  if (!p) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = pclose(p);
  if (status) *status = st;
  return out;
}

// What a blocking call returned when another thread raised an interrupt
// (a token, a callback's flag) during it, and how long after the raise it
// returned.
template <class R>
struct Interrupted {
  R result;
  int64_t ms_after_raise;
};

// Runs `blocking` here while a thread calls `raise` after `delay`.
template <class Raise, class Blocking>
auto run_interrupted_after(std::chrono::milliseconds delay, Raise raise, Blocking blocking) {
  using Clock = std::chrono::steady_clock;
  std::atomic<int64_t> raised_at{0};
  std::thread raiser([&] {
    std::this_thread::sleep_for(delay);
    raised_at = Clock::now().time_since_epoch().count();
    raise();
  });
  auto result = blocking();
  const Clock::time_point returned = Clock::now();
  raiser.join();
  const Clock::time_point raised{Clock::duration(raised_at.load())};
  return Interrupted<decltype(result)>{
      std::move(result), std::chrono::duration_cast<std::chrono::milliseconds>(returned - raised).count()};
}

}  // namespace avio_test

#endif  // AVIO_TESTS_URL_URL_TEST_UTIL_HPP
