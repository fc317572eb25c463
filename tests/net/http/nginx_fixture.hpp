// A private nginx for the http protocol tests: started on free loopback
// ports in a temporary prefix, with the locations those tests need (static
// files with ranges, one range at most under /onerange/, WebDAV,
// redirects, status codes, basic auth, gzip, a header echo, cookies, chunked
// responses), stopped and removed by its destructor. Every wait here is
// bounded: a test that goes wrong fails, it does not hang, and no nginx
// outlives the fixture.
#ifndef AVIO_TESTS_NET_HTTP_NGINX_FIXTURE_HPP
#define AVIO_TESTS_NET_HTTP_NGINX_FIXTURE_HPP

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "child_process.hpp"

namespace avio_http_test {

// One line of the fixture's access log (log_format avio_test).
struct AccessLogEntry {
  int64_t connection = 0;       // nginx $connection (serial number of the TCP connection)
  int connection_requests = 0;  // $connection_requests
  std::string method, uri;      // $request_method, $request_uri
  int status = 0;               // $status
  int64_t body_bytes = 0;       // $body_bytes_sent (chunk framing included on /chunked/)
  std::string range;            // $http_range ("" when absent; nginx logs "-")
  std::string user_agent;       // $http_user_agent ("" when absent)
};

// What a finished command printed and how it ended.
struct CommandResult {
  int exit_code = -1;  // the exit status; -1 when it could not run, was killed by a signal or timed out
  bool timed_out = false;
  std::string out, err;  // its stdout and stderr
};

// Runs argv (argv[0] is looked up in PATH when it has no '/') with stdin from
// /dev/null, collecting its output; kills it (SIGKILL) after `timeout`.
CommandResult run_command(const std::vector<std::string> &argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The path of a program: $PATH, then /usr/sbin, /sbin, /usr/local/sbin; "" when absent.
std::string find_program(std::string_view name);

// Writes dir/key.pem and dir/cert.pem (openssl req): an EC key and a
// certificate self-signed for CN=localhost, SAN DNS:localhost, IP:127.0.0.1,
// valid 30 days. False with openssl's complaint in *error.
bool make_localhost_certificate(const std::filesystem::path &dir, std::string *error);

// Credentials of the /auth/ location.
inline constexpr std::string_view kAuthUser = "alice";
inline constexpr std::string_view kAuthPassword = "s3cret";

class Nginx {
 public:
  // Starts a private nginx (daemon off, the master's PID kept) on two free
  // loopback ports: http and https (HTTP/1.1 only). Its prefix is a fresh
  // temporary directory (conf/, www/, tmp/, logs/); the certificate is
  // self-signed for CN=localhost, SAN DNS:localhost, IP:127.0.0.1. Waits (at
  // most ~10 s) until both ports accept. On failure returns nullptr and puts
  // the reason (with nginx's error log) in *error. The nginx binary is
  // $AVIO_TEST_NGINX when set, else find_program("nginx").
  //
  // nginx gets SIGTERM if the thread that started it ends first (the test's
  // main thread in gtest), so even a crashed test leaves no server behind.
  static std::unique_ptr<Nginx> start(std::string *error);
  ~Nginx();  // SIGQUIT to the master, bounded wait, then SIGKILL to its group; removes the prefix
  Nginx(const Nginx &) = delete;
  Nginx &operator=(const Nginx &) = delete;

  int http_port() const { return http_port_; }
  int https_port() const { return https_port_; }
  std::string http_url(std::string_view path) const;   // "http://127.0.0.1:PORT" + path
  std::string https_url(std::string_view path) const;  // "https://localhost:PORT" + path (the certificate's name)
  std::string ca_file() const;                         // the certificate (a client's ca_file)
  std::filesystem::path www() const;                   // the document root
  std::filesystem::path prefix() const { return dir_; }

  // Writes `bytes` to www()/rel atomically (temporary file and rename),
  // creating directories. Throws std::runtime_error on failure.
  void put_file(std::string_view rel, std::span<const uint8_t> bytes) const;
  void put_file(std::string_view rel, std::string_view text) const;
  // The content of www()/rel (WebDAV uploads land in www()/dav/). Throws
  // std::runtime_error when it cannot be read.
  std::vector<uint8_t> read_file(std::string_view rel) const;

  // The access log, parsed, in order. nginx writes a line once a request
  // ends, which can be just after the client has the whole response: see
  // wait_access_log.
  std::vector<AccessLogEntry> access_log() const;
  // The access log once it has at least `count` entries, or as it is after `timeout`.
  std::vector<AccessLogEntry> wait_access_log(size_t count,
                                              std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // The access log once it has at least `count` entries and no new one has
  // come for `quiet` (a request the client abandoned is logged when nginx
  // sees the connection close, possibly after the client has exited), or
  // as it is after `timeout`.
  std::vector<AccessLogEntry> settled_access_log(size_t count, std::chrono::milliseconds quiet,
                                                 std::chrono::milliseconds timeout) const;
  void clear_access_log() const;              // truncates it
  std::string error_log() const;              // nginx's error log (and its stderr)
  pid_t pid() const { return nginx_.pid(); }  // the master's

 private:
  Nginx() = default;
  bool make_prefix(std::string *error);
  bool launch(const std::string &binary, std::string *error);
  bool wait_ready(std::string *error);
  void stop();

  std::filesystem::path dir_;
  int http_port_ = 0;
  int https_port_ = 0;
  ChildProcess nginx_;  // the master
};

}  // namespace avio_http_test

#endif  // AVIO_TESTS_NET_HTTP_NGINX_FIXTURE_HPP
