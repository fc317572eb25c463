// Self-tests of the http test infrastructure: the private nginx
// (nginx_fixture) and the fault proxy (fault_proxy), checked with a tiny raw
// HTTP/1.1 client over plain sockets and with curl, never with avio's own
// http protocol. Every wait is bounded.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fault_proxy.hpp"
#include "nginx_fixture.hpp"

namespace avio_http_test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using Kind = Fault::Kind;

long ms_since(Clock::time_point t) {
  return static_cast<long>(std::chrono::duration_cast<milliseconds>(Clock::now() - t).count());
}

std::string random_text(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto &c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

std::string as_string(const std::vector<uint8_t> &v) { return {v.begin(), v.end()}; }

size_t count_entries(const char *dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// ---- a raw HTTP/1.1 client

struct Response {
  int status = 0;
  std::string head;       // as received
  std::string body;       // chunked framing removed
  std::string wire_body;  // as received
  std::vector<std::string> headers(std::string_view name) const {
    std::vector<std::string> values;
    for (size_t at = head.find("\r\n"); at != std::string::npos && at + 2 < head.size();) {
      const size_t eol = head.find("\r\n", at + 2);
      const std::string_view line = std::string_view(head).substr(at + 2, eol - at - 2);
      const size_t colon = line.find(':');
      if (colon != std::string_view::npos && iequals(line.substr(0, colon), name)) {
        std::string_view v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        values.emplace_back(v);
      }
      at = eol;
    }
    return values;
  }
  std::string header(std::string_view name) const {
    const auto all = headers(name);
    return all.empty() ? std::string() : all.front();
  }
  bool has(std::string_view name) const { return !headers(name).empty(); }
};

class RawClient {
 public:
  explicit RawClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) close();
  }
  ~RawClient() { close(); }
  RawClient(const RawClient &) = delete;
  RawClient &operator=(const RawClient &) = delete;

  bool ok() const { return fd_ >= 0; }
  int64_t received() const { return received_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool send_request(std::string_view method, std::string_view target, std::string_view extra = "",
                    std::string_view body = "") {
    std::string r = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    r += extra;
    if (!body.empty()) r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    r += "\r\n";
    r += body;
    return send(r);
  }
  std::optional<Response> request(std::string_view method, std::string_view target, std::string_view extra = "",
                                  std::string_view body = "") {
    if (!send_request(method, target, extra, body)) return std::nullopt;
    return receive(method);
  }

  // One response: the head, then the body as its framing says.
  std::optional<Response> receive(std::string_view method = "GET", milliseconds timeout = milliseconds(10000)) {
    const auto deadline = Clock::now() + timeout;
    Response r;
    if (!read_through("\r\n\r\n", &r.head, deadline) || r.head.size() < 12) return std::nullopt;
    r.status = std::atoi(r.head.c_str() + 9);
    if (method == "HEAD" || r.status < 200 || r.status == 204 || r.status == 304) return r;
    if (method == "CONNECT" && r.status / 100 == 2) return r;  // a tunnel from here on
    if (r.header("transfer-encoding") == "chunked") {
      if (!read_chunked(&r, deadline)) return std::nullopt;
    } else if (r.has("content-length")) {
      if (!read_exact(std::stoul(r.header("content-length")), &r.body, deadline)) return std::nullopt;
      r.wire_body = r.body;
    } else {
      r.body = r.wire_body = read_to_close(timeout);
    }
    return r;
  }

  // Everything until the server closes the connection (or the timeout).
  std::string read_to_close(milliseconds timeout = milliseconds(10000)) {
    const auto deadline = Clock::now() + timeout;
    while (fill(deadline)) {
    }
    return take(buf_.size());
  }
  // At least n bytes, or what arrived before the timeout.
  std::string read_at_least(size_t n, milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (buf_.size() < n && fill(deadline)) {
    }
    return take(buf_.size());
  }
  // What arrives within `wait` (the connection stays open).
  std::string read_for(milliseconds wait) {
    const auto deadline = Clock::now() + wait;
    while (Clock::now() < deadline && fill(deadline)) {
    }
    return take(buf_.size());
  }

 private:
  bool fill(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd_, POLLIN, 0};
    if (fd_ < 0 || left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    received_ += n;
    return true;
  }
  std::string take(size_t n) {
    std::string s = buf_.substr(0, n);
    buf_.erase(0, n);
    return s;
  }
  bool read_through(std::string_view end, std::string *out, Clock::time_point deadline) {
    for (size_t at = buf_.find(end);; at = buf_.find(end)) {
      if (at != std::string::npos) {
        *out = take(at + end.size());
        return true;
      }
      if (!fill(deadline)) return false;
    }
  }
  bool read_exact(size_t n, std::string *out, Clock::time_point deadline) {
    while (buf_.size() < n) {
      if (!fill(deadline)) return false;
    }
    *out = take(n);
    return true;
  }
  bool read_chunked(Response *r, Clock::time_point deadline) {
    for (std::string line, data;;) {
      if (!read_through("\r\n", &line, deadline)) return false;
      r->wire_body += line;
      const size_t size = std::stoul(line, nullptr, 16);
      if (!read_exact(size + 2, &data, deadline)) return false;  // the data and its CRLF
      r->wire_body += data;
      if (size == 0) return data == "\r\n";  // no trailers from nginx
      r->body += data.substr(0, size);
    }
  }

  int fd_;
  std::string buf_;
  int64_t received_ = 0;
};

// curl with a bounded run time: its stdout (the body, or -w's text) and exit code.
CommandResult curl(std::vector<std::string> args) {
  args.insert(args.begin(), {"curl", "-sS", "--max-time", "20"});
  return run_command(args, std::chrono::seconds(30));
}

// ---- fixtures

class NginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    nginx_ = Nginx::start(&error);
    ASSERT_NE(nginx_, nullptr) << "could not start nginx: " << error;
  }
  Nginx &ngx() { return *nginx_; }

  std::unique_ptr<Nginx> nginx_;
};

class ProxyTest : public NginxTest {
 protected:
  void SetUp() override {
    NginxTest::SetUp();
    if (HasFatalFailure()) return;
    proxy_ = std::make_unique<FaultProxy>(ngx().http_port());
    file_ = random_text(100000, 7);
    ngx().put_file("f.bin", file_);
  }
  // The response to GET /f.bin straight from nginx, as bytes (head and body).
  // nginx's Date header ticks between two responses: its value (always 29
  // characters) is blanked, so two answers compare byte for byte.
  static std::string without_date(std::string bytes) {
    const size_t at = bytes.find("\r\nDate: ");
    if (at != std::string::npos && at < bytes.find("\r\n\r\n")) {
      const size_t value = at + 8;
      const size_t end = std::min(bytes.find("\r\n", value), bytes.size());
      for (size_t i = value; i < end; ++i) bytes[i] = 'x';
    }
    return bytes;
  }

  std::string direct_wire() {
    RawClient c(ngx().http_port());
    const auto r = c.request("GET", "/f.bin");
    return r ? r->head + r->wire_body : std::string();
  }

  std::unique_ptr<FaultProxy> proxy_;
  std::string file_;
};

// ---- nginx

TEST(NginxStart, MissingNginxFailsWithAClearMessage) {
  const char *old = std::getenv("AVIO_TEST_NGINX");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("AVIO_TEST_NGINX", "/nonexistent/nginx", 1);
  std::string error;
  const auto n = Nginx::start(&error);
  if (old != nullptr) {
    ::setenv("AVIO_TEST_NGINX", saved.c_str(), 1);
  } else {
    ::unsetenv("AVIO_TEST_NGINX");
  }
  EXPECT_EQ(n, nullptr);
  EXPECT_NE(error.find("nginx not found"), std::string::npos) << error;
}

TEST_F(NginxTest, ServesAStaticFileWithValidators) {
  const std::string data = random_text(100000, 1);
  ngx().put_file("dir/a.bin", data);
  EXPECT_EQ(as_string(ngx().read_file("/dir/a.bin")), data);
  RawClient c(ngx().http_port());
  const auto r = c.request("GET", "/dir/a.bin");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, data);
  EXPECT_EQ(r->header("content-length"), "100000");
  EXPECT_EQ(r->header("accept-ranges"), "bytes");
  EXPECT_TRUE(r->has("etag"));
  EXPECT_TRUE(r->has("last-modified"));
  EXPECT_EQ(r->header("connection"), "keep-alive");
  const auto missing = c.request("GET", "/nope.bin");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(NginxTest, ServesHttpsWithItsCertificate) {
  const std::string data = random_text(300000, 2);
  ngx().put_file("s.bin", data);
  const std::string out = (ngx().prefix() / "tmp/s.out").string();
  const auto r =
      curl({"--cacert", ngx().ca_file(), "-o", out, "-w", "%{http_code} %{http_version}", ngx().https_url("/s.bin")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "200 1.1");  // no HTTP/2 on the https port
  EXPECT_EQ(as_string(ngx().read_file("../tmp/s.out")), data);
  // The certificate names 127.0.0.1 too.
  const std::string by_ip = "https://127.0.0.1:" + std::to_string(ngx().https_port()) + "/s.bin";
  const auto r2 = curl({"--cacert", ngx().ca_file(), "-o", "/dev/null", "-w", "%{http_code}", by_ip});
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(r2.out, "200");
}

TEST_F(NginxTest, RangeRequestsGive206) {
  const std::string data = random_text(5000, 3);
  ngx().put_file("r.bin", data);
  RawClient c(ngx().http_port());
  const auto r = c.request("GET", "/r.bin", "Range: bytes=100-199\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->header("content-range"), "bytes 100-199/5000");
  EXPECT_EQ(r->body, data.substr(100, 100));
  const auto tail = c.request("GET", "/r.bin", "Range: bytes=-10\r\n");
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, data.substr(4990));
  const auto beyond = c.request("GET", "/r.bin", "Range: bytes=9000-\r\n");
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->status, 416);
  EXPECT_EQ(beyond->header("content-range"), "bytes */5000");
}

TEST_F(NginxTest, AccessLogShowsKeepAliveRequests) {
  ngx().put_file("k.bin", random_text(1000, 4));
  RawClient c(ngx().http_port());
  ASSERT_TRUE(c.request("GET", "/k.bin", "User-Agent: fixture-test/1\r\n"));
  ASSERT_TRUE(c.request("GET", "/k.bin?x=1", "User-Agent: a \"quoted\" \xc3\xa9\r\nRange: bytes=0-9\r\n"));
  const auto log = ngx().wait_access_log(2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].connection, log[1].connection);
  EXPECT_EQ(log[0].connection_requests, 1);
  EXPECT_EQ(log[1].connection_requests, 2);
  EXPECT_EQ(log[0].method, "GET");
  EXPECT_EQ(log[0].uri, "/k.bin");
  EXPECT_EQ(log[1].uri, "/k.bin?x=1");
  EXPECT_EQ(log[0].status, 200);
  EXPECT_EQ(log[1].status, 206);
  EXPECT_EQ(log[0].body_bytes, 1000);
  EXPECT_EQ(log[1].body_bytes, 10);
  EXPECT_EQ(log[0].range, "");
  EXPECT_EQ(log[1].range, "bytes=0-9");
  EXPECT_EQ(log[0].user_agent, "fixture-test/1");
  EXPECT_EQ(log[1].user_agent, "a \"quoted\" \xc3\xa9");
  RawClient other(ngx().http_port());
  ASSERT_TRUE(other.request("GET", "/k.bin"));
  const auto log3 = ngx().wait_access_log(3);
  ASSERT_EQ(log3.size(), 3u);
  EXPECT_NE(log3[2].connection, log[0].connection);
  EXPECT_EQ(log3[2].user_agent, "");
  ngx().clear_access_log();
  EXPECT_TRUE(ngx().access_log().empty());
  ASSERT_TRUE(other.request("GET", "/k.bin"));
  EXPECT_EQ(ngx().wait_access_log(1).size(), 1u);
}

TEST_F(NginxTest, DavPutLandsInWwwDav) {
  const std::string data = random_text(70000, 5);
  RawClient c(ngx().http_port());
  const auto put = c.request("PUT", "/dav/sub/up.bin", "", data);
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 201);
  EXPECT_EQ(as_string(ngx().read_file("dav/sub/up.bin")), data);
  const auto again = c.request("PUT", "/dav/sub/up.bin", "", "short");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 204);
  EXPECT_EQ(as_string(ngx().read_file("dav/sub/up.bin")), "short");
  const auto get = c.request("GET", "/dav/sub/up.bin");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "short");
  const auto del = c.request("DELETE", "/dav/sub/up.bin");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 204);
  EXPECT_FALSE(std::filesystem::exists(ngx().www() / "dav/sub/up.bin"));
  const auto outside = c.request("PUT", "/elsewhere.bin", "", "x");
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->status, 405);
}

TEST_F(NginxTest, RedirectsAnswerTheirCodeAndLocation) {
  RawClient c(ngx().http_port());
  for (const int code : {301, 302, 303, 307, 308}) {
    const auto r = c.request("GET", "/r" + std::to_string(code) + "/some/f%20ile.bin?q=1&r=2");
    ASSERT_TRUE(r) << code;
    EXPECT_EQ(r->status, code);
    EXPECT_EQ(r->header("location"), "/some/f%20ile.bin?q=1&r=2") << code;
  }
  const auto loop = c.request("GET", "/loop");
  ASSERT_TRUE(loop);
  EXPECT_EQ(loop->status, 302);
  EXPECT_EQ(loop->header("location"), "/loop");
}

TEST_F(NginxTest, StatusLocationsAnswerTheirCode) {
  for (const int code : {400, 401, 403, 404, 410, 429, 500, 503}) {
    RawClient c(ngx().http_port());
    const auto r = c.request("GET", "/status/" + std::to_string(code));
    ASSERT_TRUE(r) << code;
    EXPECT_EQ(r->status, code);
    // nginx ends the connection after a 400 or a 500 (and says so), not after the others.
    const bool closes = code == 400 || code == 500;
    EXPECT_EQ(r->header("connection"), closes ? "close" : "keep-alive") << code;
  }
}

TEST_F(NginxTest, AuthNeedsBasicCredentials) {
  ngx().put_file("auth/secret.txt", "classified\n");
  RawClient c(ngx().http_port());
  const auto none = c.request("GET", "/auth/secret.txt");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->header("www-authenticate"), "Basic realm=\"avio test\"");
  const auto wrong = c.request("GET", "/auth/secret.txt", "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n");  // alice:wrong
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  const auto right = c.request("GET", "/auth/secret.txt", "Authorization: Basic YWxpY2U6czNjcmV0\r\n");  // alice:s3cret
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_EQ(right->body, "classified\n");
  const auto by_curl =
      curl({"-u", std::string(kAuthUser) + ":" + std::string(kAuthPassword), ngx().http_url("/auth/secret.txt")});
  EXPECT_EQ(by_curl.out, "classified\n");
}

TEST_F(NginxTest, EchoEchoesRequestHeaders) {
  RawClient c(ngx().http_port());
  const auto r = c.request("POST", "/echo",
                           "User-Agent: ua/1\r\nReferer: http://ref/\r\nCookie: a=1; b=2\r\nX-Test: xt\r\n"
                           "Range: bytes=5-\r\nIcy-MetaData: 1\r\nAuthorization: Basic Zm9vOmJhcg==\r\n",
                           "ignored body");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/plain");
  EXPECT_EQ(r->body,
            "ua=ua/1\nreferer=http://ref/\ncookie=a=1; b=2\nx-test=xt\nrange=bytes=5-\nicy=1\n"
            "auth=Basic Zm9vOmJhcg==\nmethod=POST\n");
  const auto bare = c.request("GET", "/echo");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->body, "ua=\nreferer=\ncookie=\nx-test=\nrange=\nicy=\nauth=\nmethod=GET\n");
}

TEST_F(NginxTest, SetCookieSendsTwoCookies) {
  RawClient c(ngx().http_port());
  const auto r = c.request("GET", "/setcookie");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok\n");
  EXPECT_EQ(r->headers("set-cookie"), (std::vector<std::string>{"a=1; Path=/; Max-Age=3600", "b=2; Path=/echo"}));
}

TEST_F(NginxTest, GzipOnlyWhenAsked) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + " of a compressible text\n";
  ngx().put_file("gzip/t.txt", text);
  RawClient c(ngx().http_port());
  const auto gz = c.request("GET", "/gzip/t.txt", "Accept-Encoding: gzip\r\n");
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->status, 200);
  EXPECT_EQ(gz->header("content-encoding"), "gzip");
  EXPECT_FALSE(gz->has("content-length"));
  ASSERT_GE(gz->body.size(), 2u);
  EXPECT_EQ(gz->body.substr(0, 2), "\x1f\x8b");
  EXPECT_LT(gz->body.size(), text.size() / 4);
  const auto plain = c.request("GET", "/gzip/t.txt");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->has("content-encoding"));
  EXPECT_EQ(plain->body, text);
  const auto decoded = curl({"--compressed", ngx().http_url("/gzip/t.txt")});
  ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
  EXPECT_EQ(decoded.out, text);
}

TEST_F(NginxTest, ChunkedLocationSendsChunks) {
  const std::string data = random_text(100000, 6);
  ngx().put_file("chunked/c.bin", data);
  RawClient c(ngx().http_port());
  const auto r = c.request("GET", "/chunked/c.bin");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("transfer-encoding"), "chunked");
  EXPECT_FALSE(r->has("content-length"));
  EXPECT_EQ(r->body, data);
  EXPECT_GT(r->wire_body.size(), data.size());
  // Ranges do not apply there: the whole file, chunked.
  const auto ranged = c.request("GET", "/chunked/c.bin", "Range: bytes=0-9\r\n");
  ASSERT_TRUE(ranged);
  EXPECT_EQ(ranged->status, 200);
  EXPECT_EQ(ranged->body, data);
}

// ---- the proxy

TEST_F(ProxyTest, PassesBytesUnchangedAndCounts) {
  const std::string big = random_text(3 << 20, 8);
  ngx().put_file("big.bin", big);
  ngx().put_file("chunked/c.bin", file_);
  RawClient c(proxy_->port());
  const auto a = c.request("GET", "/big.bin", "X-Test: 1\r\n");
  const auto b = c.request("GET", "/chunked/c.bin");
  const auto h = c.request("HEAD", "/f.bin");
  ASSERT_TRUE(a && b && h);
  EXPECT_EQ(a->body, big);
  EXPECT_EQ(b->body, file_);
  EXPECT_EQ(b->header("transfer-encoding"), "chunked");
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->header("content-length"), "100000");
  RawClient direct(ngx().http_port());
  const auto d = direct.request("GET", "/chunked/c.bin");
  ASSERT_TRUE(d);
  EXPECT_EQ(b->wire_body, d->wire_body);  // the chunk framing as nginx sent it
  EXPECT_EQ(proxy_->connections(), 1);
  EXPECT_EQ(proxy_->requests(), 3);
  EXPECT_EQ(proxy_->response_bytes(), c.received());
  const auto heads = proxy_->request_heads();
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_EQ(heads[0], "GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test: 1\r\n\r\n");
  EXPECT_EQ(heads[2].substr(0, 20), "HEAD /f.bin HTTP/1.1");
  // One upstream connection for the client's one.
  const auto log = ngx().wait_access_log(4);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].connection, log[1].connection);
  EXPECT_EQ(log[0].connection, log[2].connection);
  EXPECT_EQ(log[2].connection_requests, 3);
}

TEST_F(ProxyTest, ForwardsRequestBodies) {
  const std::string data = random_text(200000, 9);
  RawClient c(proxy_->port());
  const auto put = c.request("PUT", "/dav/p.bin", "", data);
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 201);
  EXPECT_EQ(as_string(ngx().read_file("dav/p.bin")), data);
  // Chunked request body, then a request on the same connection.
  ASSERT_TRUE(
      c.send("PUT /dav/q.bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"));
  const auto chunked = c.receive("PUT");
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->status, 201);
  EXPECT_EQ(as_string(ngx().read_file("dav/q.bin")), "hello, world");
  const auto get = c.request("GET", "/dav/q.bin");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "hello, world");
  // Expect: 100-continue: curl waits 1 s for "100 Continue" before its body.
  ngx().put_file("upload.src", data);
  const auto start = Clock::now();
  const auto r = curl({"-T", (ngx().www() / "upload.src").string(), "-H", "Expect: 100-continue", "-w", "%{http_code}",
                       "-o", "/dev/null", proxy_->url("/dav/e.bin")});
  EXPECT_EQ(r.out, "201") << r.err;
  EXPECT_LT(ms_since(start), 900);
  EXPECT_EQ(as_string(ngx().read_file("dav/e.bin")), data);
}

TEST_F(ProxyTest, CutAfterGivesExactlyThatManyBytes) {
  const std::string wire = direct_wire();
  ASSERT_GT(wire.size(), 100000u);
  for (const int64_t n : {int64_t{0}, int64_t{10}, int64_t{1000}, int64_t{65537}}) {
    proxy_->push(Fault{.kind = Kind::kCutAfter, .bytes = n});
    RawClient c(proxy_->port());
    ASSERT_TRUE(c.send_request("GET", "/f.bin"));
    const std::string got = c.read_to_close();
    EXPECT_EQ(got.size(), static_cast<size_t>(n));
    EXPECT_EQ(without_date(got), without_date(wire.substr(0, static_cast<size_t>(n)).substr(0, got.size()))) << n;
  }
  // Longer than the response: all of it, then the close.
  proxy_->push(Fault{.kind = Kind::kCutAfter, .bytes = 1 << 30});
  RawClient c(proxy_->port());
  ASSERT_TRUE(c.send_request("GET", "/f.bin"));
  EXPECT_EQ(c.read_to_close().size(), wire.size());
  // The queue is empty again: requests pass.
  RawClient after(proxy_->port());
  const auto r = after.request("GET", "/f.bin");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, file_);
}

TEST_F(ProxyTest, StallDeliversTheWholeResponseAfterwards) {
  const std::string wire = direct_wire();
  proxy_->push(Fault{.kind = Kind::kStall, .bytes = 5000, .stall = milliseconds(500)});
  RawClient c(proxy_->port());
  const auto start = Clock::now();
  ASSERT_TRUE(c.send_request("GET", "/f.bin"));
  const std::string first = c.read_for(milliseconds(300));  // the stall started at once: nothing more comes
  EXPECT_EQ(first.size(), 5000u);
  const std::string all = first + c.read_at_least(wire.size() - first.size(), milliseconds(3000));
  EXPECT_GE(ms_since(start), 490);
  ASSERT_EQ(all.size(), wire.size());
  // Date may tick between the two responses: compare the bodies.
  EXPECT_EQ(all.substr(all.find("\r\n\r\n") + 4), file_);
  // The connection is still usable.
  const auto next = c.request("GET", "/f.bin");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, file_);
}

TEST_F(ProxyTest, StallWithoutEndLastsUntilTheProxyStops) {
  proxy_->push(Fault{.kind = Kind::kStall, .bytes = 100});
  RawClient c(proxy_->port());
  ASSERT_TRUE(c.send_request("GET", "/f.bin"));
  EXPECT_EQ(c.read_for(milliseconds(800)).size(), 100u);
  const auto start = Clock::now();
  proxy_.reset();
  EXPECT_LT(ms_since(start), 2000);
  EXPECT_EQ(c.read_to_close(milliseconds(2000)), "");  // closed, nothing more
}

TEST_F(ProxyTest, StatusFaultAnswersWithRetryAfter) {
  proxy_->push(Fault{.kind = Kind::kStatus, .status = 503, .retry_after = "7"});
  proxy_->push(Fault{.kind = Kind::kStatus, .status = 500});
  RawClient c(proxy_->port());
  const auto a = c.request("GET", "/f.bin");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 503);
  EXPECT_EQ(a->header("retry-after"), "7");
  EXPECT_FALSE(a->body.empty());
  const auto b = c.request("PUT", "/dav/x.bin", "", "a body to discard");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 500);
  EXPECT_FALSE(b->has("retry-after"));
  const auto d = c.request("GET", "/f.bin");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 200);
  EXPECT_EQ(d->body, file_);
  EXPECT_EQ(proxy_->requests(), 3);
  EXPECT_EQ(proxy_->connections(), 1);
  const auto log = ngx().wait_access_log(1);
  ASSERT_EQ(log.size(), 1u);  // the faulted ones never reached nginx
  EXPECT_EQ(log[0].uri, "/f.bin");
}

TEST_F(ProxyTest, StatusFaultCarriesTheGivenBodyAndType) {
  const std::string xml = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
  proxy_->push(Fault{.kind = Kind::kStatus, .status = 503, .body = xml, .content_type = "application/xml"});
  RawClient c(proxy_->port());
  const auto a = c.request("GET", "/f.bin");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 503);
  EXPECT_EQ(a->header("content-type"), "application/xml");
  EXPECT_EQ(a->header("content-length"), std::to_string(xml.size()));
  EXPECT_EQ(a->body, xml);
  const auto head = c.request("HEAD", "/f.bin");  // the next request passes, on the same connection
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(proxy_->connections(), 1);
}

TEST_F(ProxyTest, CloseAfterResponseEndsTheConnection) {
  proxy_->push(Fault{.kind = Kind::kCloseAfterResponse});
  RawClient c(proxy_->port());
  const auto r = c.request("GET", "/f.bin");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, file_);
  EXPECT_EQ(r->header("connection"), "keep-alive");  // not announced
  EXPECT_EQ(c.read_to_close(milliseconds(2000)), "");
  RawClient again(proxy_->port());
  ASSERT_TRUE(again.request("GET", "/f.bin"));
  EXPECT_EQ(proxy_->connections(), 2);
}

TEST_F(ProxyTest, LatencyDelaysEachResponse) {
  proxy_->set_latency(milliseconds(300));
  RawClient c(proxy_->port());
  for (int i = 0; i < 2; ++i) {
    const auto start = Clock::now();
    ASSERT_TRUE(c.request("GET", "/f.bin"));
    EXPECT_GE(ms_since(start), 295);
  }
  proxy_->set_latency(milliseconds(0));
  const auto start = Clock::now();
  ASSERT_TRUE(c.request("GET", "/f.bin"));
  EXPECT_LT(ms_since(start), 250);
}

TEST_F(ProxyTest, BandwidthCapsTheRate) {
  ngx().put_file("half.bin", random_text(500000, 10));
  proxy_->set_bandwidth(1000000);
  RawClient c(proxy_->port());
  const auto start = Clock::now();
  const auto r = c.request("GET", "/half.bin");
  const long ms = ms_since(start);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), 500000u);
  EXPECT_GE(ms, 480);  // 500 kB at 1 MB/s, less the first ~10 ms slice
  EXPECT_LT(ms, 1500);
  proxy_->set_bandwidth(0);
  const auto fast = Clock::now();
  ASSERT_TRUE(c.request("GET", "/half.bin"));
  EXPECT_LT(ms_since(fast), 300);
}

TEST_F(ProxyTest, FaultsApplyInOrder) {
  proxy_->push(Fault{.kind = Kind::kStatus, .status = 429, .retry_after = "1"});
  proxy_->push(Fault{.kind = Kind::kCutAfter, .bytes = 50});
  proxy_->push(Fault{.kind = Kind::kPass});
  RawClient c(proxy_->port());
  const auto first = c.request("GET", "/f.bin");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 429);
  ASSERT_TRUE(c.send_request("GET", "/f.bin"));
  EXPECT_EQ(c.read_to_close().size(), 50u);
  RawClient d(proxy_->port());
  const auto third = d.request("GET", "/f.bin");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->body, file_);
}

TEST_F(ProxyTest, ForwardProxyTakesAbsoluteForm) {
  RawClient c(proxy_->port());
  const std::string absolute = ngx().http_url("/f.bin?a=b");
  const auto r = c.request("GET", absolute);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, file_);
  const auto log = ngx().wait_access_log(1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].uri, "/f.bin?a=b");  // origin form upstream
  ngx().put_file("index.html", "home\n");
  const auto bare = c.request("GET", "http://localhost:" + std::to_string(ngx().http_port()));  // no path: "/"
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 200);
  EXPECT_EQ(bare->body, "home\n");
  const auto refused = c.request("GET", "http://example.com/f.bin");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(proxy_->request_heads()[0].substr(0, absolute.size() + 4), "GET " + absolute);
  const auto by_curl = curl({"-x", proxy_->url(""), ngx().http_url("/f.bin")});
  ASSERT_EQ(by_curl.exit_code, 0) << by_curl.err;
  EXPECT_EQ(by_curl.out, file_);
}

TEST_F(ProxyTest, ConnectTunnels) {
  const auto https = curl({"-p", "-x", proxy_->url(""), "--cacert", ngx().ca_file(), ngx().https_url("/f.bin")});
  ASSERT_EQ(https.exit_code, 0) << https.err;
  EXPECT_EQ(https.out, file_);
  const auto heads = proxy_->request_heads();
  ASSERT_EQ(heads.size(), 1u);
  const std::string connect_line = "CONNECT localhost:" + std::to_string(ngx().https_port()) + " HTTP/1.1\r\n";
  EXPECT_EQ(heads[0].substr(0, connect_line.size()), connect_line);
  // A raw tunnel to the http port, with an HTTP request through it.
  RawClient c(proxy_->port());
  ASSERT_TRUE(c.send("CONNECT 127.0.0.1:" + std::to_string(ngx().http_port()) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto est = c.receive("CONNECT");
  ASSERT_TRUE(est);
  EXPECT_EQ(est->status, 200);
  EXPECT_EQ(est->head, "HTTP/1.1 200 Connection established\r\n\r\n");
  const auto inner = c.request("GET", "/f.bin");
  ASSERT_TRUE(inner);
  EXPECT_EQ(inner->body, file_);
  RawClient refused(proxy_->port());
  ASSERT_TRUE(refused.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
  const auto no = refused.receive("CONNECT");
  ASSERT_TRUE(no);
  EXPECT_EQ(no->status, 403);
  EXPECT_EQ(proxy_->requests(), 3);
}

// ---- nothing left behind

// The children of `pid` once it has some (the nginx master forks its worker
// just after it is ready), or none after a second.
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> kids;
  for (const auto deadline = Clock::now() + milliseconds(1000); kids.empty() && Clock::now() < deadline;) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    for (pid_t k = 0; in >> k;) kids.push_back(k);
    if (kids.empty()) std::this_thread::sleep_for(milliseconds(10));
  }
  return kids;
}

bool process_gone(pid_t pid, milliseconds within) {
  const auto deadline = Clock::now() + within;
  while (::kill(pid, 0) == 0 || errno != ESRCH) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

TEST(Cleanup, NothingOutlivesTheFixtureAndTheProxy) {
  const size_t fds = count_entries("/proc/self/fd");
  const size_t threads = count_entries("/proc/self/task");
  pid_t master = -1;
  std::vector<pid_t> workers;
  std::filesystem::path prefix;
  {
    std::string error;
    const auto ngx = Nginx::start(&error);
    ASSERT_NE(ngx, nullptr) << error;
    master = ngx->pid();
    prefix = ngx->prefix();
    workers = children_of(master);
    EXPECT_EQ(workers.size(), 1u);
    ngx->put_file("f.bin", random_text(200000, 11));
    FaultProxy proxy(ngx->http_port());
    proxy.push(Fault{.kind = Kind::kCutAfter, .bytes = 100});
    proxy.push(Fault{.kind = Kind::kStall, .bytes = 10});  // until the proxy stops
    RawClient cut(proxy.port());
    ASSERT_TRUE(cut.send_request("GET", "/f.bin"));
    EXPECT_EQ(cut.read_to_close().size(), 100u);
    RawClient stalled(proxy.port());
    ASSERT_TRUE(stalled.send_request("GET", "/f.bin"));
    EXPECT_EQ(stalled.read_for(milliseconds(300)).size(), 10u);
    RawClient tunnel(proxy.port());
    ASSERT_TRUE(tunnel.send("CONNECT 127.0.0.1:" + std::to_string(ngx->http_port()) + " HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(tunnel.receive("CONNECT"));
    RawClient idle(proxy.port());
    ASSERT_TRUE(idle.request("GET", "/f.bin"));
    EXPECT_GT(count_entries("/proc/self/task"), threads);
  }
  EXPECT_EQ(count_entries("/proc/self/fd"), fds) << "a descriptor leaked";
  EXPECT_EQ(count_entries("/proc/self/task"), threads) << "a thread is left";
  EXPECT_TRUE(process_gone(master, milliseconds(100))) << "nginx master " << master;
  for (const pid_t w : workers) EXPECT_TRUE(process_gone(w, milliseconds(3000))) << "nginx worker " << w;
  EXPECT_FALSE(std::filesystem::exists(prefix));
}

}  // namespace
}  // namespace avio_http_test
