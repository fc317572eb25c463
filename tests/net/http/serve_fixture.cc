#include "serve_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "serve/entry_count.hpp"

#ifndef AVIO_CLI
#error "AVIO_CLI must name the avio tool"
#endif

namespace avio_serve_test {

namespace {

using avio_http_test::ChildProcess;
using avio_http_test::exit_code_of;
using avio_http_test::make_temp_dir;
using Clock = std::chrono::steady_clock;
namespace http = avio::protocols::http;

std::string slurp(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Entries of /proc/PID/SUB ("fd", "task"), or -1.
int count_proc_entries(pid_t pid, const char *sub) {
  return avio::tools::serve::count_entries(("/proc/" + std::to_string(pid) + "/" + sub).c_str());
}

// The port in "avio serve: listening on http://127.0.0.1:PORT/", or 0.
int listening_port(const std::string &err, std::string *url) {
  const std::string marker = "listening on ";
  const size_t at = err.find(marker);
  if (at == std::string::npos) return 0;
  const size_t end = err.find('\n', at);
  if (end == std::string::npos) return 0;
  *url = err.substr(at + marker.size(), end - at - marker.size());
  const size_t colon = url->rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(url->c_str() + colon + 1);
}

}  // namespace

TempDir::TempDir() {
  std::string error;
  path_ = make_temp_dir("avio-serve", {}, &error);
  if (path_.empty()) throw std::runtime_error(error);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void TempDir::write(std::string_view rel, std::string_view bytes) const {
  const fs::path p = path_ / rel;
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::optional<std::string> TempDir::read(std::string_view rel) const {
  std::ifstream in(path_ / rel, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string pattern_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char &c : s) c = static_cast<char>(rng());
  return s;
}

std::unique_ptr<ServeProcess> ServeProcess::start(const fs::path &dir, const std::vector<std::string> &args,
                                                  std::string *error) {
  std::unique_ptr<ServeProcess> p(new ServeProcess);
  p->dir_ = make_temp_dir("avio-serve-run", {}, error);
  if (p->dir_.empty()) return nullptr;
  const std::string err_path = (p->dir_ / "stderr").string();
  std::vector<std::string> argv = {
      AVIO_CLI, "serve", dir.string(), "--listen", "127.0.0.1:0", "--log", (p->dir_ / "access.log").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!p->child_.start(argv, err_path, SIGKILL, error)) return nullptr;
  const auto ready = [&] {
    p->port_ = listening_port(slurp(err_path), &p->base_url_);
    return p->port_ > 0;
  };
  int status = 0;
  const ChildProcess::Start started = p->child_.wait_ready(ready, std::chrono::seconds(10), &status);
  if (started == ChildProcess::Start::kReady) return p;
  *error = started == ChildProcess::Start::kExited
               ? "avio serve exited with " + std::to_string(exit_code_of(status)) + ": " + slurp(err_path)
               : "avio serve did not say where it listens within 10 s: " + slurp(err_path);
  return nullptr;
}

ServeProcess::~ServeProcess() {
  child_.stop({});  // SIGKILL
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string ServeProcess::url(std::string_view path) const {
  return base_url_.substr(0, base_url_.size() - 1) + std::string(path);
}

int ServeProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (!running()) return -1;
  // Killed when it does not exit in time: then -1 too.
  return exit_code_of(child_.stop({{signal, timeout}}));
}

std::string ServeProcess::stderr_text() const { return slurp(dir_ / "stderr"); }

std::string ServeProcess::stop_cleanly() {
  const int status = stop(SIGTERM, std::chrono::seconds(10));
  const std::string err = stderr_text();
  std::string problems;
  if (status != 0) problems += "exit status " + std::to_string(status) + "; ";
  if (err.find("avio serve: stopped") == std::string::npos) problems += "no 'stopped'; ";
  for (const char *bad : {"left behind", "Sanitizer", "runtime error"})
    if (err.find(bad) != std::string::npos) problems += std::string("'") + bad + "'; ";
  return problems.empty() ? problems : problems + "stderr:\n" + err;
}

std::vector<std::string> ServeProcess::access_log() const {
  std::vector<std::string> lines;
  std::istringstream in(slurp(dir_ / "access.log"));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

int ServeProcess::descriptor_count() const { return count_proc_entries(child_.pid(), "fd"); }

int ServeProcess::thread_count() const { return count_proc_entries(child_.pid(), "task"); }

int ServeProcess::wait_descriptors(int n, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  int count = descriptor_count();
  while (count != n && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    count = descriptor_count();
  }
  return count;
}

void ServeTest::TearDown() {
  if (server_ && server_->running()) {
    EXPECT_EQ(server_->stop_cleanly(), "");
  }
}

void ServeTest::serve(const std::vector<std::string> &args) {
  std::string error;
  server_ = ServeProcess::start(root_.path(), args, &error);
  ASSERT_NE(server_, nullptr) << error;
}

RawClient::RawClient(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  timeval tv{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0) close();
}

RawClient::~RawClient() { close(); }

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawClient::send(std::string_view bytes) const {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RawClient::fill() {
  char block[65536];
  while (true) {
    const ssize_t n = ::recv(fd_, block, sizeof block, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(block, static_cast<size_t>(n));
    return true;
  }
}

std::optional<RawResponse> RawClient::read_response(bool head_request) {
  if (fd_ < 0) return std::nullopt;
  size_t end = http::find_head_end(buffer_);
  while (end == std::string::npos) {
    if (!fill()) return std::nullopt;
    end = http::find_head_end(buffer_);
  }
  auto head = http::parse_response_head(std::string_view(buffer_).substr(0, end));
  if (!head.ok()) return std::nullopt;
  buffer_.erase(0, end);
  RawResponse r{std::move(head).value(), {}};
  const int status = r.head.status;
  if (head_request || status < 200 || status == 204 || status == 304) return r;
  const int64_t length = http::content_length(r.head).value_or(-1);
  if (length < 0) return std::nullopt;  // avio serve always sends Content-Length
  while (buffer_.size() < static_cast<size_t>(length))
    if (!fill()) return std::nullopt;
  r.body = buffer_.substr(0, static_cast<size_t>(length));
  buffer_.erase(0, static_cast<size_t>(length));
  return r;
}

bool RawClient::closed_within(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 1))) <= 0) continue;
    char block[4096];
    const ssize_t n = ::recv(fd_, block, sizeof block, 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return true;
  }
  return false;
}

std::string get_request(std::string_view path, std::string_view extra, std::string_view method) {
  return std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra) +
         "\r\n";
}

}  // namespace avio_serve_test
