#include "nginx_fixture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "loopback_socket.hpp"

namespace avio_http_test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

// Reads the two pipes until both are closed; false when the deadline passed first.
bool drain_pipes(int out, int err, Clock::time_point deadline, std::string *out_text, std::string *err_text) {
  pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
  std::string *texts[2] = {out_text, err_text};
  int open = 2;
  char buf[16384];
  while (open > 0) {
    const int left = remaining_ms(deadline);
    if (left == 0) return false;
    if (::poll(fds, 2, left) < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) texts[i]->append(buf, static_cast<size_t>(n));
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  return true;
}

std::string read_text(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path &path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

bool is_executable(const fs::path &p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// ---- ports

bool ipv6_loopback_available() { return bind_loopback(AF_INET6, 0).get() >= 0; }

// A port free on 127.0.0.1 (and on ::1 when `v6`), held by *holders until
// the caller has chosen all its ports; 0 when none was found.
int reserve_port(bool v6, std::vector<Fd> *holders) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    Fd v4 = bind_loopback(AF_INET, 0);
    if (v4.get() < 0) return 0;
    const int port = bound_port(v4.get());
    Fd six = v6 ? bind_loopback(AF_INET6, port) : Fd();
    if (v6 && six.get() < 0) continue;
    holders->push_back(std::move(v4));
    holders->push_back(std::move(six));
    return port;
  }
  return 0;
}

// ---- the configuration

// @P@: the prefix; @USER@: the user directive; @LISTEN@: the listen directives.
constexpr std::string_view kConfig = R"(# Written by avio's tests/net/http/nginx_fixture.cc.
worker_processes 1;
@USER@
error_log "@P@/logs/error.log" warn;
pid "@P@/nginx.pid";
daemon off;
master_process on;
# A graceful stop (SIGQUIT) closes what is still open after 1 s.
worker_shutdown_timeout 1s;
events { worker_connections 1024; }
http {
  @MIME@
  default_type application/octet-stream;
  # Tab-separated; escape=default writes '"', '\' and bytes outside 0x20..0x7e as \xHH.
  log_format avio_test escape=default
    '$connection\t$connection_requests\t$request_method\t$request_uri\t$status\t$body_bytes_sent\t$http_range\t$http_user_agent';
  access_log "@P@/logs/access.log" avio_test;
  client_body_temp_path "@P@/tmp/body";
  proxy_temp_path "@P@/tmp/proxy";
  fastcgi_temp_path "@P@/tmp/fastcgi";
  uwsgi_temp_path "@P@/tmp/uwsgi";
  scgi_temp_path "@P@/tmp/scgi";
  keepalive_timeout 30;
  keepalive_requests 10000;
  # Location headers as written ("/X"), not made absolute with nginx's own
  # port: redirects then stay on the fault proxy's port.
  absolute_redirect off;

  server {
@LISTEN@
    server_name localhost;
    ssl_certificate "@P@/conf/cert.pem";
    ssl_certificate_key "@P@/conf/key.pem";
    root "@P@/www";

    # Static files: byte ranges, ETag, Last-Modified (nginx's defaults).
    location / { }

    # WebDAV uploads land in www/dav/ (and are served back from /dav/).
    location /dav/ {
      dav_methods PUT DELETE MKCOL;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
      client_max_body_size 1g;
    }

    # /r30N/X answers N with "Location: /X" (query and escapes kept). nginx
    # does not take a variable status in "return", hence five locations.
    location ~ ^/r301/ { if ($request_uri ~ "^/r301/(.*)$") { return 301 /$1; } }
    location ~ ^/r302/ { if ($request_uri ~ "^/r302/(.*)$") { return 302 /$1; } }
    location ~ ^/r303/ { if ($request_uri ~ "^/r303/(.*)$") { return 303 /$1; } }
    location ~ ^/r307/ { if ($request_uri ~ "^/r307/(.*)$") { return 307 /$1; } }
    location ~ ^/r308/ { if ($request_uri ~ "^/r308/(.*)$") { return 308 /$1; } }
    location = /loop { return 302 /loop; }

    location = /status/400 { return 400; }
    location = /status/401 { return 401; }
    location = /status/403 { return 403; }
    location = /status/404 { return 404; }
    location = /status/410 { return 410; }
    location = /status/429 { return 429; }
    location = /status/500 { return 500; }
    location = /status/503 { return 503; }

    location /auth/ {
      auth_basic "avio test";
      auth_basic_user_file "@P@/conf/htpasswd";
    }

    # nginx compresses only when the request says "Accept-Encoding: gzip"
    # (and then without Content-Length and without ranges).
    location /gzip/ {
      gzip on;
      gzip_types *;
      gzip_min_length 0;
      gzip_proxied any;
      gzip_vary on;
    }

    location = /echo {
      default_type text/plain;
      return 200 "ua=$http_user_agent\nreferer=$http_referer\ncookie=$http_cookie\nx-test=$http_x_test\nrange=$http_range\nicy=$http_icy_metadata\nauth=$http_authorization\nmethod=$request_method\n";
    }

    location = /setcookie {
      default_type text/plain;
      add_header Set-Cookie "a=1; Path=/; Max-Age=3600";
      add_header Set-Cookie "b=2; Path=/echo";
      return 200 "ok\n";
    }

    # Static files sent with "Transfer-Encoding: chunked": a sub_filter whose
    # pattern never occurs drops Content-Length (and ETag, and ranges: a
    # Range request gets the whole file, 200) and leaves the bytes as they are.
    location /chunked/ {
      sub_filter "avio-fixture-pattern-that-never-occurs-0c7e1f" "";
      sub_filter_once on;
      sub_filter_types *;
    }

    # Static files, but a request for more than one range gets the whole
    # file (200), as from a server that does not do multipart/byteranges.
    location /onerange/ { max_ranges 1; }
  }
}
)";

std::string listen_directives(int http_port, int https_port, bool v6) {
  std::string s;
  const std::string h = std::to_string(http_port), t = std::to_string(https_port);
  s += "    listen 127.0.0.1:" + h + ";\n    listen 127.0.0.1:" + t + " ssl;\n";
  if (v6) s += "    listen [::1]:" + h + ";\n    listen [::1]:" + t + " ssl;\n";
  return s;
}

std::string nginx_config(const fs::path &prefix, int http_port, int https_port, bool v6) {
  std::string c(kConfig);
  // As root, workers would run as "nobody" and could not enter the private
  // (0700) prefix; as anyone else the directive is not allowed.
  c = replace_all(c, "@USER@", ::geteuid() == 0 ? "user root;" : "");
  const bool mime = fs::exists("/etc/nginx/mime.types");
  c = replace_all(c, "@MIME@", mime ? "include /etc/nginx/mime.types;" : "");
  c = replace_all(c, "@LISTEN@", listen_directives(http_port, https_port, v6));
  return replace_all(c, "@P@", prefix.string());
}

// ---- the access log

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Undoes escape=default (\xHH); "-" (an empty variable) becomes "".
std::string unescape_field(std::string_view f) {
  if (f == "-") return {};
  std::string s;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '\\' && i + 3 < f.size() && f[i + 1] == 'x' && hex_digit(f[i + 2]) >= 0 && hex_digit(f[i + 3]) >= 0) {
      s += static_cast<char>(hex_digit(f[i + 2]) * 16 + hex_digit(f[i + 3]));
      i += 3;
    } else {
      s += f[i];
    }
  }
  return s;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

int64_t to_int(std::string_view s) { return std::strtoll(std::string(s).c_str(), nullptr, 10); }

bool parse_log_line(std::string_view line, AccessLogEntry *e) {
  const auto f = split_tabs(line);
  if (f.size() != 8) return false;
  e->connection = to_int(f[0]);
  e->connection_requests = static_cast<int>(to_int(f[1]));
  e->method = unescape_field(f[2]);
  e->uri = unescape_field(f[3]);
  e->status = static_cast<int>(to_int(f[4]));
  e->body_bytes = to_int(f[5]);
  e->range = unescape_field(f[6]);
  e->user_agent = unescape_field(f[7]);
  return true;
}

// ---- starting

std::string nginx_binary() {
  const char *env = std::getenv("AVIO_TEST_NGINX");
  if (env != nullptr && *env != '\0') return is_executable(env) ? std::string(env) : std::string();
  return find_program("nginx");
}

bool make_htpasswd(const fs::path &conf, std::string *error) {
  const CommandResult r =
      run_command({find_program("openssl"), "passwd", "-apr1", std::string(kAuthPassword)}, std::chrono::seconds(30));
  if (r.exit_code != 0 || r.out.empty()) {
    *error = "openssl passwd failed: " + r.err;
    return false;
  }
  write_text(conf / "htpasswd", std::string(kAuthUser) + ":" + r.out);
  return true;
}

std::string relative(std::string_view rel) {
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  return std::string(rel);
}

}  // namespace

// ---- commands

std::string find_program(std::string_view name) {
  if (name.find('/') != std::string_view::npos) return is_executable(fs::path(name)) ? std::string(name) : "";
  std::string dirs = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  dirs += ":/usr/sbin:/sbin:/usr/local/sbin:/usr/bin:/bin";
  std::stringstream ss(dirs);
  for (std::string dir; std::getline(ss, dir, ':');) {
    if (dir.empty()) continue;
    const fs::path p = fs::path(dir) / name;
    if (is_executable(p)) return p.string();
  }
  return "";
}

bool make_localhost_certificate(const fs::path &dir, std::string *error) {
  const CommandResult r =
      run_command({find_program("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                   "-nodes", "-keyout", (dir / "key.pem").string(), "-out", (dir / "cert.pem").string(), "-days", "30",
                   "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
  if (r.exit_code == 0) return true;
  *error = "openssl req failed (" + std::to_string(r.exit_code) + "): " + r.err;
  return false;
}

CommandResult run_command(const std::vector<std::string> &argv, std::chrono::milliseconds timeout) {
  CommandResult r;
  int out[2] = {-1, -1}, err[2] = {-1, -1};
  if (argv.empty() || argv[0].empty() || ::pipe2(out, O_CLOEXEC) != 0) return r;
  const Fd out_r(out[0]);
  Fd out_w(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return r;
  const Fd err_r(err[0]);
  Fd err_w(err[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  pid_t pid = -1;
  auto args = c_argv(argv);
  const int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    r.err = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return r;
  }
  out_w.reset();  // the child has its copies: EOF once it exits
  err_w.reset();
  const auto deadline = Clock::now() + timeout;
  r.timed_out = !drain_pipes(out[0], err[0], deadline, &r.out, &r.err);
  int status = 0;
  if (!wait_exit(pid, deadline, &status)) {
    r.timed_out = true;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  r.exit_code = r.timed_out ? -1 : exit_code_of(status);
  return r;
}

// ---- Nginx

std::unique_ptr<Nginx> Nginx::start(std::string *error) {
  const std::string binary = nginx_binary();
  if (binary.empty()) {
    *error =
        "nginx not found ($AVIO_TEST_NGINX, $PATH, /usr/sbin): install the Debian package nginx "
        "(scripts/install-deps.sh does)";
    return nullptr;
  }
  std::unique_ptr<Nginx> n(new Nginx);
  if (!n->make_prefix(error)) return nullptr;
  // A port chosen here can be taken before nginx binds it: then again.
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (n->launch(binary, error) && n->wait_ready(error)) return n;
    if (error->find("Address already in use") == std::string::npos) return nullptr;
    n->stop();
  }
  return nullptr;
}

bool Nginx::make_prefix(std::string *error) {
  dir_ = make_temp_dir("avio-nginx", {"conf", "www/dav", "www/auth", "www/gzip", "www/chunked", "tmp", "logs"}, error);
  return !dir_.empty() && make_localhost_certificate(dir_ / "conf", error) && make_htpasswd(dir_ / "conf", error);
}

bool Nginx::launch(const std::string &binary, std::string *error) {
  const bool v6 = ipv6_loopback_available();
  {
    std::vector<Fd> holders;
    http_port_ = reserve_port(v6, &holders);
    https_port_ = reserve_port(v6, &holders);
  }
  if (http_port_ == 0 || https_port_ == 0) {
    *error = "no free loopback port";
    return false;
  }
  write_text(dir_ / "conf/nginx.conf", nginx_config(dir_, http_port_, https_port_, v6));
  std::error_code ec;
  fs::remove(dir_ / "nginx.pid", ec);
  const std::vector<std::string> argv = {binary,
                                         "-p",
                                         dir_.string() + "/",
                                         "-c",
                                         (dir_ / "conf/nginx.conf").string(),
                                         "-e",
                                         (dir_ / "logs/error.log").string()};
  return nginx_.start(argv, dir_ / "logs/stderr.log", SIGTERM, error);
}

bool Nginx::wait_ready(std::string *error) {
  // nginx writes its PID file once it has bound its ports.
  const auto ready = [this] {
    const std::string pid_text = read_text(dir_ / "nginx.pid");
    return !pid_text.empty() && to_int(pid_text) == nginx_.pid() && loopback_accepts(http_port_) &&
           loopback_accepts(https_port_);
  };
  int status = 0;
  const ChildProcess::Start started = nginx_.wait_ready(ready, std::chrono::seconds(10), &status);
  if (started == ChildProcess::Start::kReady) return true;
  *error = started == ChildProcess::Start::kExited
               ? "nginx exited (status " + std::to_string(exit_code_of(status)) + ") while starting:\n" + error_log()
               : "nginx did not accept on ports " + std::to_string(http_port_) + " and " + std::to_string(https_port_) +
                     " within 10 s:\n" + error_log();
  return false;
}

void Nginx::stop() {
  // SIGQUIT is graceful: it closes idle keep-alive connections, then waits at
  // most worker_shutdown_timeout. A master that did not exit by itself may
  // have left workers: its group goes too (ChildProcess::stop).
  nginx_.stop({{SIGQUIT, std::chrono::seconds(5)}, {SIGTERM, std::chrono::seconds(3)}});
}

Nginx::~Nginx() {
  stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string Nginx::http_url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(http_port_) + std::string(path);
}

std::string Nginx::https_url(std::string_view path) const {
  return "https://localhost:" + std::to_string(https_port_) + std::string(path);
}

std::string Nginx::ca_file() const { return (dir_ / "conf/cert.pem").string(); }

fs::path Nginx::www() const { return dir_ / "www"; }

void Nginx::put_file(std::string_view rel, std::span<const uint8_t> bytes) const {
  put_file(rel, std::string_view(reinterpret_cast<const char *>(bytes.data()), bytes.size()));
}

void Nginx::put_file(std::string_view rel, std::string_view text) const {
  static std::atomic<int> serial{0};
  const fs::path path = www() / relative(rel);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) throw std::runtime_error("cannot create " + path.parent_path().string() + ": " + ec.message());
  const fs::path tmp =
      path.parent_path() / (".avio-put-" + std::to_string(::getpid()) + "-" + std::to_string(serial++));
  write_text(tmp, text);
  fs::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot rename to " + path.string() + ": " + ec.message());
}

std::vector<uint8_t> Nginx::read_file(std::string_view rel) const {
  const fs::path path = www() / relative(rel);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<AccessLogEntry> Nginx::access_log() const {
  std::vector<AccessLogEntry> entries;
  std::istringstream in(read_text(dir_ / "logs/access.log"));
  for (std::string line; std::getline(in, line);) {
    AccessLogEntry e;
    if (parse_log_line(line, &e)) entries.push_back(std::move(e));
  }
  return entries;
}

std::vector<AccessLogEntry> Nginx::wait_access_log(size_t count, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto entries = access_log();
    if (entries.size() >= count || Clock::now() >= deadline) return entries;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

std::vector<AccessLogEntry> Nginx::settled_access_log(size_t count, milliseconds quiet, milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  std::vector<AccessLogEntry> entries = access_log();
  auto changed = Clock::now();
  for (;;) {
    const auto now = Clock::now();
    if (now >= deadline || (entries.size() >= count && now - changed >= quiet)) return entries;
    std::this_thread::sleep_for(milliseconds(5));
    std::vector<AccessLogEntry> again = access_log();
    if (again.size() != entries.size()) changed = Clock::now();
    entries = std::move(again);
  }
}

void Nginx::clear_access_log() const {
  // nginx appends (O_APPEND), so its next line starts the truncated file.
  if (::truncate((dir_ / "logs/access.log").c_str(), 0) != 0 && errno != ENOENT) {
    throw std::runtime_error("cannot truncate the access log: " + std::string(std::strerror(errno)));
  }
}

std::string Nginx::error_log() const {
  std::string s = read_text(dir_ / "logs/error.log");
  const std::string err = read_text(dir_ / "logs/stderr.log");
  if (!err.empty()) s += "(stderr) " + err;
  return s;
}

}  // namespace avio_http_test
