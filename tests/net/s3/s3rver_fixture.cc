#include "s3rver_fixture.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "child_process.hpp"
#include "loopback_socket.hpp"
#include "nginx_fixture.hpp"  // run_command, find_program, make_localhost_certificate

namespace avio_s3_test {
namespace {

namespace fs = std::filesystem;
using avio_http_test::ChildProcess;
using avio_http_test::CommandResult;
using avio_http_test::exit_code_of;
using avio_http_test::find_program;
using avio_http_test::loopback_accepts;
using avio_http_test::make_localhost_certificate;
using avio_http_test::make_temp_dir;
using avio_http_test::run_command;

constexpr std::string_view kS3rverVersion = "3.7.1";
constexpr std::string_view kInstallHint =
    "run scripts/install-deps.sh (it installs s3rver into tools/s3rver/node_modules with npm ci)";
constexpr std::string_view kListening = "S3rver listening on ";
constexpr std::string_view kUploadsDir = "._S3rver_uploads";

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
  dir_ = make_temp_dir("avio-s3rver", {"data", "conf", "client"}, error);
  if (dir_.empty()) return false;
  https_ = options.https;
  return !https_ || make_localhost_certificate(dir_ / "conf", error);
}

bool S3rver::launch(const std::string &node, const std::string &script, const Options &options, std::string *error) {
  // s3rver goes when the thread that started it does.
  return s3rver_.start(s3rver_argv(node, script, dir_, options), dir_ / "s3rver.log", SIGTERM, error);
}

bool S3rver::wait_ready(std::string *error) {
  // s3rver prints "S3rver listening on ADDRESS:PORT" once it is bound.
  const auto ready = [this] {
    const std::string text = log();
    const size_t at = text.find(kListening);
    const size_t colon = at == std::string::npos ? at : text.find(':', at + kListening.size());
    if (colon == std::string::npos || text.find('\n', colon) == std::string::npos) return false;
    port_ = std::atoi(text.c_str() + colon + 1);
    return port_ > 0 && loopback_accepts(port_);
  };
  int status = 0;
  const ChildProcess::Start started = s3rver_.wait_ready(ready, std::chrono::seconds(15), &status);
  if (started == ChildProcess::Start::kReady) return true;
  *error = started == ChildProcess::Start::kExited
               ? "s3rver exited (status " + std::to_string(exit_code_of(status)) + ") while starting:\n" + log()
               : "s3rver did not accept within 15 s:\n" + log();
  return false;
}

void S3rver::stop() {
  s3rver_.stop({{SIGTERM, std::chrono::seconds(5)}});  // node's default action: exit at once
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
