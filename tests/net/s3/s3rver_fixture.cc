#include "s3rver_fixture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>
#include <thread>
#include <utility>

#include "nginx_fixture.hpp"  // run_command, find_program

namespace avio_s3_test {
namespace {

namespace fs = std::filesystem;
using avio_http_test::CommandResult;
using avio_http_test::find_program;
using avio_http_test::run_command;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kS3rverVersion = "3.7.1";
constexpr std::string_view kInstallHint =
    "run scripts/install-deps.sh (it installs s3rver into tools/s3rver/node_modules with npm ci)";
constexpr std::string_view kListening = "S3rver listening on ";
constexpr std::string_view kUploadsDir = "._S3rver_uploads";

// An owned descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

std::string read_text(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool write_bytes(const fs::path &path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  return static_cast<bool>(out);
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

bool is_executable(const fs::path &p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::string env_or(const char *name, std::string_view fallback) {
  const char *v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

// Waits for `pid` until the deadline; true once it exited (and was reaped).
bool wait_exit(pid_t pid, Clock::time_point deadline, int *status) {
  for (;;) {
    const pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

bool accepts(int port) {
  const Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  return ::connect(fd.get(), reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
}

// ---- the install

// The s3rver package directory, or "" with the reason in *error.
fs::path s3rver_package(std::string *error) {
  const fs::path dir = env_or("AVIO_TEST_S3RVER_DIR", AVIO_S3RVER_DIR);
  fs::path package = dir / "node_modules/s3rver";
  const std::string manifest = read_text(package / "package.json");
  if (manifest.empty()) {
    *error = "s3rver is not installed (no " + (package / "package.json").string() + "): " + std::string(kInstallHint);
    return {};
  }
  if (manifest.find("\"version\": \"" + std::string(kS3rverVersion) + "\"") == std::string::npos) {
    *error = "the s3rver in " + package.string() + " is not version " + std::string(kS3rverVersion) + ": " +
             std::string(kInstallHint);
    return {};
  }
  return package;
}

std::string node_binary(std::string *error) {
  std::string node = env_or("AVIO_TEST_NODE", "/usr/bin/node");
  if (is_executable(node)) return node;
  *error = "node not found at " + node + " (Debian's package nodejs): " + std::string(kInstallHint);
  return {};
}

bool make_certificate(const fs::path &conf, std::string *error) {
  const CommandResult r =
      run_command({find_program("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                   "-nodes", "-keyout", (conf / "key.pem").string(), "-out", (conf / "cert.pem").string(), "-days",
                   "30", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
  if (r.exit_code == 0) return true;
  *error = "openssl req failed (" + std::to_string(r.exit_code) + "): " + r.err;
  return false;
}

std::vector<std::string> s3rver_argv(const std::string &node, const std::string &script, const fs::path &dir,
                                     const S3rver::Options &options) {
  // s3rver's ListObjectsV2 continuation tokens are DES-encrypted: OpenSSL 3
  // has DES in its legacy provider only.
  std::vector<std::string> argv = {
      node, "--openssl-legacy-provider", script, "-d", (dir / "data").string(), "-a", "127.0.0.1", "-p", "0"};
  if (options.silent) argv.emplace_back("--silent");
  if (!options.vhost_buckets) argv.emplace_back("--no-vhost-buckets");
  if (options.https) {
    argv.insert(argv.end(), {"--key", (dir / "conf/key.pem").string(), "--cert", (dir / "conf/cert.pem").string()});
  }
  // Last: s3rver takes the words after a bucket's name, up to the next
  // option, as the names of its configuration files.
  for (const auto &bucket : options.buckets) {
    argv.emplace_back("--configure-bucket");
    argv.push_back(bucket);
  }
  return argv;
}

[[noreturn]] void exec_child(char *const argv[], int out_fd, pid_t parent) {
  // Between fork and exec: async-signal-safe calls only.
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // s3rver goes when the thread that started it does
  if (::getppid() != parent) ::_exit(127);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  const int in = ::open("/dev/null", O_RDONLY);
  if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(out_fd, 2) < 0) ::_exit(127);
  ::execv(argv[0], argv);
  ::_exit(127);
}

// ---- requests

bool unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

std::string xml_unescape(std::string_view s) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto *e = std::find_if(std::begin(kEntities), std::end(kEntities),
                                 [&](const auto &kv) { return s.substr(i).starts_with(kv.first); });
    if (e == std::end(kEntities)) {
      out += s[i];
    } else {
      out += e->second;
      i += e->first.size() - 1;
    }
  }
  return out;
}

// The text of every <tag>...</tag> in `xml`, unescaped.
std::vector<std::string> xml_values(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  std::vector<std::string> values;
  for (size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at)) {
    at += open.size();
    const size_t end = xml.find(close, at);
    if (end == std::string_view::npos) break;
    values.push_back(xml_unescape(xml.substr(at, end - at)));
    at = end + close.size();
  }
  return values;
}

std::string first_xml_value(std::string_view xml, std::string_view tag) {
  auto v = xml_values(xml, tag);
  return v.empty() ? std::string() : std::move(v.front());
}

// The last header block of a curl -D file (after any interim 1xx responses).
std::string last_header_block(const std::string &all) {
  const size_t at = all.rfind("\r\n\r\nHTTP/");
  return at == std::string::npos ? all : all.substr(at + 4);
}

bool same_letter(char a, char b) {
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

// Whether a "Name: value" line is header `name` (case-insensitive).
bool names_header(std::string_view line, std::string_view name) {
  return line.size() > name.size() && line[name.size()] == ':' &&
         std::equal(name.begin(), name.end(), line.begin(), same_letter);
}

bool has_header(const std::vector<std::string> &headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const std::string &h) { return names_header(h, name); });
}

std::string object_target(std::string_view bucket, std::string_view key, std::string_view query = "") {
  std::string t = "/" + std::string(bucket) + "/" + encode_key(key);
  if (!query.empty()) t += "?" + std::string(query);
  return t;
}

bool safe_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

}  // namespace

std::string encode_key(std::string_view key) { return percent_encode(key, true); }

std::string S3Response::header(std::string_view name) const {
  size_t line = headers.find("\r\n");
  while (line != std::string::npos) {
    line += 2;
    const size_t end = headers.find("\r\n", line);
    const std::string_view h = std::string_view(headers).substr(line, end - line);
    if (names_header(h, name)) {
      std::string_view v = h.substr(name.size() + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return std::string(v);
    }
    line = end;
  }
  return {};
}

// ---- S3rver

std::unique_ptr<S3rver> S3rver::start(std::string *error, const Options &options) {
  const std::string node = node_binary(error);
  if (node.empty()) return nullptr;
  const fs::path package = s3rver_package(error);
  if (package.empty()) return nullptr;
  if (find_program("curl").empty()) {
    *error = "curl not found (the fixture's client): run scripts/install-deps.sh";
    return nullptr;
  }
  std::unique_ptr<S3rver> s(new S3rver);
  if (!s->make_directory(options, error)) return nullptr;
  if (s->launch(node, (package / "bin/s3rver.js").string(), options, error) && s->wait_ready(error)) return s;
  return nullptr;
}

bool S3rver::make_directory(const Options &options, std::string *error) {
  std::error_code ec;
  const fs::path tmp = fs::temp_directory_path(ec);
  std::string templ = (ec ? fs::path("/tmp") : tmp).string() + "/avio-s3rver-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    *error = "mkdtemp " + templ + ": " + std::strerror(errno);
    return false;
  }
  dir_ = templ;
  for (const char *sub : {"data", "conf", "client"}) {
    fs::create_directories(dir_ / sub, ec);
    if (ec) {
      *error = "cannot create " + (dir_ / sub).string() + ": " + ec.message();
      return false;
    }
  }
  https_ = options.https;
  return !https_ || make_certificate(dir_ / "conf", error);
}

bool S3rver::launch(const std::string &node, const std::string &script, const Options &options, std::string *error) {
  const std::vector<std::string> argv = s3rver_argv(node, script, dir_, options);
  std::vector<char *> args;
  args.reserve(argv.size() + 1);
  for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  const Fd out(::open((dir_ / "s3rver.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (out.get() < 0) {
    *error = "cannot create " + (dir_ / "s3rver.log").string() + ": " + std::strerror(errno);
    return false;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(args.data(), out.get(), parent);
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  ::setpgid(pid, pid);  // the child does it too: whichever runs first
  pid_ = pid;
  return true;
}

bool S3rver::wait_ready(std::string *error) {
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "s3rver exited (status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
               ") while starting:\n" + log();
      return false;
    }
    // s3rver prints "S3rver listening on ADDRESS:PORT" once it is bound.
    const std::string text = log();
    const size_t at = text.find(kListening);
    const size_t colon = at == std::string::npos ? at : text.find(':', at + kListening.size());
    if (colon != std::string::npos && text.find('\n', colon) != std::string::npos) {
      port_ = std::atoi(text.c_str() + colon + 1);
      if (port_ > 0 && accepts(port_)) return true;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  *error = "s3rver did not accept within 15 s:\n" + log();
  return false;
}

void S3rver::stop() {
  if (pid_ <= 0) return;
  int status = 0;
  ::kill(pid_, SIGTERM);  // node's default action: exit at once
  if (!wait_exit(pid_, Clock::now() + std::chrono::seconds(5), &status)) {
    ::kill(-pid_, SIGKILL);  // its group, while the unreaped leader still holds the id
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

S3rver::~S3rver() {
  stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string S3rver::endpoint() const {
  return (https_ ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port_);
}

std::string S3rver::url(std::string_view bucket, std::string_view key) const {
  return endpoint() + object_target(bucket, key);
}

std::string S3rver::ca_file() const { return https_ ? (dir_ / "conf/cert.pem").string() : std::string(); }

fs::path S3rver::data_dir() const { return dir_ / "data"; }

bool S3rver::running() const {
  if (pid_ <= 0) return false;
  siginfo_t info{};
  // WNOWAIT: a zombie stays for stop() to reap.
  return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0;
}

std::string S3rver::log() const { return read_text(dir_ / "s3rver.log"); }

S3Response S3rver::request(std::string_view method, std::string_view target, std::span<const uint8_t> body,
                           const std::vector<std::string> &headers) const {
  static std::atomic<int> serial{0};
  const std::string base = (dir_ / "client" / std::to_string(serial++)).string();
  std::vector<std::string> argv = {find_program("curl"),
                                   "-sS",
                                   "--http1.1",
                                   "--max-time",
                                   "30",
                                   "--aws-sigv4",
                                   "aws:amz:" + std::string(kRegion) + ":s3",
                                   "--user",
                                   std::string(kAccessKey) + ":" + std::string(kSecretKey),
                                   "-H",
                                   "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                                   "-H",
                                   "Expect:",
                                   "-D",
                                   base + ".head",
                                   "-o",
                                   base + ".body",
                                   "-w",
                                   "%{http_code}"};
  if (method == "HEAD") {
    argv.emplace_back("--head");
  } else {
    argv.insert(argv.end(), {"-X", std::string(method)});
  }
  if (!body.empty() || method == "PUT" || method == "POST") {
    write_bytes(base + ".in", body);
    argv.insert(argv.end(), {"--data-binary", "@" + base + ".in"});
    if (!has_header(headers, "Content-Type")) argv.insert(argv.end(), {"-H", "Content-Type:"});
  }
  for (const auto &h : headers) argv.insert(argv.end(), {"-H", h});
  if (https_) argv.insert(argv.end(), {"--cacert", ca_file()});
  argv.push_back(endpoint() + std::string(target));
  const CommandResult r = run_command(argv, std::chrono::seconds(40));
  S3Response response;
  response.status = r.exit_code == 0 ? std::atoi(r.out.c_str()) : 0;
  response.error = r.exit_code == 0 ? std::string() : "curl " + std::to_string(r.exit_code) + ": " + r.err;
  response.headers = last_header_block(read_text(base + ".head"));
  const std::string text = read_text(base + ".body");
  response.body.assign(text.begin(), text.end());
  std::error_code ec;
  for (const char *ext : {".head", ".body", ".in"}) fs::remove(base + ext, ec);
  return response;
}

bool S3rver::put_object(std::string_view bucket, std::string_view key, std::span<const uint8_t> bytes) const {
  return request("PUT", object_target(bucket, key), bytes).status == 200;
}

std::optional<std::vector<uint8_t>> S3rver::get_object(std::string_view bucket, std::string_view key) const {
  S3Response r = request("GET", object_target(bucket, key));
  if (r.status != 200) return std::nullopt;
  return std::move(r.body);
}

std::vector<std::string> S3rver::list_keys(std::string_view bucket, std::string_view prefix, int page_size) const {
  std::vector<std::string> keys;
  std::string token;
  for (int page = 0; page < 10000; ++page) {
    std::string target = "/" + std::string(bucket) + "?list-type=2&max-keys=" + std::to_string(page_size);
    if (!prefix.empty()) target += "&prefix=" + percent_encode(prefix, false);
    if (!token.empty()) target += "&continuation-token=" + percent_encode(token, false);
    const S3Response r = request("GET", target);
    if (r.status != 200) break;
    const std::string xml = r.body_text();
    for (auto &k : xml_values(xml, "Key")) keys.push_back(std::move(k));
    token = first_xml_value(xml, "NextContinuationToken");
    if (first_xml_value(xml, "IsTruncated") != "true" || token.empty()) break;
  }
  return keys;
}

std::optional<std::string> S3rver::initiate_multipart_upload(std::string_view bucket, std::string_view key) const {
  const S3Response r = request("POST", object_target(bucket, key, "uploads"));
  std::string id = first_xml_value(r.body_text(), "UploadId");
  if (r.status != 200 || id.empty()) return std::nullopt;
  return id;
}

std::optional<std::string> S3rver::upload_part(std::string_view bucket, std::string_view key,
                                               std::string_view upload_id, int part_number,
                                               std::span<const uint8_t> bytes) const {
  const std::string query =
      "partNumber=" + std::to_string(part_number) + "&uploadId=" + percent_encode(upload_id, false);
  const S3Response r = request("PUT", object_target(bucket, key, query), bytes);
  std::string etag = r.header("ETag");
  if (r.status != 200 || etag.empty()) return std::nullopt;
  return etag;
}

bool S3rver::complete_multipart_upload(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                       const std::vector<std::string> &etags) const {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags[i] + "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  const S3Response r = request("POST", object_target(bucket, key, "uploadId=" + percent_encode(upload_id, false)),
                               as_bytes(xml), {"Content-Type: application/xml"});
  // S3 may answer 200 with an <Error> body: the result element is the success.
  return r.status == 200 && r.body_text().find("<CompleteMultipartUploadResult>") != std::string::npos;
}

std::vector<std::string> S3rver::list_multipart_uploads(std::string_view bucket) const {
  std::vector<std::string> ids;
  if (!safe_name(bucket)) return ids;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(data_dir() / bucket / kUploadsDir, ec)) {
    if (e.is_directory(ec)) ids.push_back(e.path().filename().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace avio_s3_test
