// http's listen mode (FFmpeg's server): listen=1 inside open, listen=2 with
// accept and the handshake steps, error replies, https listen, and the bad
// requests a server must survive (oversized, malformed, unknown method, a
// stalled head, a body longer than declared) while it keeps accepting.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "../net_fixture.hpp"
#include "../net_test_util.hpp"
#include "avio/protocol.hpp"
#include "avio/url.hpp"
#include "io_test_util.hpp"
#include "nginx_fixture.hpp"

namespace {

using avio_http_test::random_bytes;
using avio_http_test::run_command;
using Clock = std::chrono::steady_clock;

// A raw client: connects (retrying while the server comes up), sends
// `request`, returns everything until the server closes (bounded).
std::string exchange(int port, const std::string &request, std::chrono::milliseconds pause_after = {}) {
  const int fd = avio_net_test::connect_tcp_retry(AF_INET, port);
  if (fd < 0) return "<no connection>";
  std::atomic<bool> stop{false};
  avio_net_test::send_all(fd, request.data(), request.size(), stop);
  if (pause_after.count() > 0) std::this_thread::sleep_for(pause_after);
  const std::vector<uint8_t> got = avio_net_test::recv_all(fd, stop);
  ::close(fd);
  return std::string(got.begin(), got.end());
}

class HttpServer : public avio_net_test::NoLeakedDescriptors {};

// The server side of one listen=2 client: the handshake steps as FFmpeg's
// avio_http_serve_files example takes them, then `body`.
struct Served {
  std::vector<int> steps;
  std::string resource, method;
  avio::Status error;
};

Served serve_one(avio::IOContext &server, int reply_code, std::string_view body) {
  Served s;
  avio::Result<avio::IOContext> client = avio::accept(server);
  if (!client) {
    s.error = client.error();
    return s;
  }
  avio::UrlContext *url = avio::url_context_of(*client);
  for (;;) {
    avio::Result<int> step = avio::handshake(*client);
    if (!step) {
      s.error = step.error();
      return s;
    }
    s.steps.push_back(*step);
    if (*step == 0) break;
    if (s.resource.empty() && !url->options().string("resource").empty()) {
      s.resource = url->options().string("resource");
      s.method = url->options().string("method");
      (void)url->mutable_options().set("reply_code", std::to_string(reply_code));
    }
  }
  client->write(std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(body.data()), body.size()));
  s.error = client->close();
  return s;
}

avio::Result<avio::IOContext> open_server(int port, const std::string &scheme = "http", avio::Dictionary extra = {}) {
  avio::OpenOptions o;
  o.flags = avio::kOpenWrite;
  o.options = std::move(extra);
  o.options.set("listen", "2");
  return avio::open_url(scheme + "://127.0.0.1:" + std::to_string(port), o);
}

TEST_F(HttpServer, ListenTwoHandshakeStepsAndResource) {
  const int port = avio_net_test::free_port();
  avio::Result<avio::IOContext> server = open_server(port);
  ASSERT_TRUE(server) << server.error().message();
  std::string reply;
  std::thread client(
      [&] { reply = exchange(port, "GET /media/a.bin?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"); });
  Served s = serve_one(*server, 200, "hello over avio");
  client.join();
  ASSERT_TRUE(s.error) << s.error.error().message();
  EXPECT_EQ(s.steps, (std::vector<int>{2, 1, 1, 0}));  // FFmpeg's: lower protocol, headers, reply, done
  EXPECT_EQ(s.resource, "/media/a.bin?x=1");
  EXPECT_EQ(s.method, "GET");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\r\n\r\nf\r\nhello over avio\r\n0\r\n\r\n"), std::string::npos) << reply;
}

TEST_F(HttpServer, ANegativeReplyCodeSendsThatStatusWithABody) {
  const int port = avio_net_test::free_port();
  avio::Result<avio::IOContext> server = open_server(port);
  ASSERT_TRUE(server) << server.error().message();
  std::string reply;
  std::thread client([&] { reply = exchange(port, "GET /missing HTTP/1.1\r\nHost: h\r\n\r\n"); });
  Served s = serve_one(*server, avio::kHttpNotFound, "");
  client.join();
  EXPECT_EQ(reply.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("\r\n\r\n404 Not Found\r\n"), std::string::npos) << reply;
}

TEST_F(HttpServer, TheAvioClientReadsFromTheServer) {
  const int port = avio_net_test::free_port();
  avio::Result<avio::IOContext> server = open_server(port);
  ASSERT_TRUE(server) << server.error().message();
  const std::vector<uint8_t> data = random_bytes(300000, 1);
  std::thread serving([&] {
    avio::Result<avio::IOContext> client = avio::accept(*server);
    ASSERT_TRUE(client);
    avio::Result<int> step = 1;
    while (step && *step > 0) step = avio::handshake(*client);
    ASSERT_TRUE(step) << step.error().message();
    client->write(data);
    EXPECT_TRUE(client->close());
  });
  avio::Result<avio::IOContext> ctx = avio::open_url("http://127.0.0.1:" + std::to_string(port) + "/x");
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::vector<uint8_t> got(data.size() + 10);
  avio::Result<size_t> n = ctx->read(got);
  serving.join();
  ASSERT_TRUE(n) << n.error().message();
  got.resize(*n);
  EXPECT_TRUE(got == data);
}

TEST_F(HttpServer, BadRequestsEndThatClientAndTheServerKeepsAccepting) {
  const int port = avio_net_test::free_port();
  avio::Result<avio::IOContext> server =
      open_server(port, "http", {{"request_head_timeout", "300000"}, {"max_request_head", "4096"}});
  ASSERT_TRUE(server) << server.error().message();
  struct Case {
    std::string request;
    std::string status;
    int code;
    std::chrono::milliseconds pause{0};
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n", "431", avio::kInvalidData},
      {"GARBAGE\r\n\r\n", "400", avio::kHttpBadRequest},
      {"BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n", "501", avio::kHttpServerError},
      {"POST /up HTTP/1.1\r\nHost: h\r\n\r\n", "400", avio::kHttpBadRequest},  // a writer serves GET
      {"GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ", "408", -ETIMEDOUT},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.status);
    std::string reply;
    std::thread client([&] { reply = exchange(port, c.request); });
    const auto start = Clock::now();
    Served s = serve_one(*server, 200, "");
    client.join();
    ASSERT_FALSE(s.error);
    EXPECT_EQ(s.error.code(), c.code) << s.error.error().message();
    EXPECT_EQ(reply.rfind("HTTP/1.1 " + c.status, 0), 0u) << reply.substr(0, 200);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  }
  // And a good client after them all.
  std::string reply;
  std::thread client([&] { reply = exchange(port, "GET /ok HTTP/1.1\r\nHost: h\r\n\r\n"); });
  Served s = serve_one(*server, 200, "still here");
  client.join();
  EXPECT_TRUE(s.error);
  EXPECT_NE(reply.find("still here"), std::string::npos) << reply;
}

TEST_F(HttpServer, ListenOneReceivesAnUploadByteForByte) {
  const int port = avio_net_test::free_port();
  const std::vector<uint8_t> data = random_bytes(500000, 2);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("avio-up-" + std::to_string(port));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "in.bin", std::ios::binary)
      .write(reinterpret_cast<const char *>(data.data()), static_cast<std::streamsize>(data.size()));
  // curl uploads from its own thread: the reply ends only when the server
  // side has read the body and closed.
  avio_http_test::CommandResult curl;
  std::thread uploader([&] {
    for (int i = 0; i < 50; ++i) {
      curl = run_command(
          {"curl", "-sS", "-v", "-T", (dir / "in.bin").string(), "http://127.0.0.1:" + std::to_string(port) + "/up"},
          std::chrono::seconds(10));
      if (curl.exit_code != 7) break;  // 7: could not connect (not listening yet)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  // listen=1 in the URL's query, as `avio cp 'http://...?listen=1' out` gives it.
  std::optional<avio::Result<avio::IOContext>> opened =
      avio::open_url("http://127.0.0.1:" + std::to_string(port) + "/up?listen=1");
  avio::Result<avio::IOContext> &server = *opened;
  if (!server) uploader.join();
  ASSERT_TRUE(server) << server.error().message();
  std::vector<uint8_t> got(data.size() + 100);
  avio::Result<size_t> n = server->read(got);
  ASSERT_TRUE(n) << n.error().message();
  got.resize(*n);
  EXPECT_TRUE(got == data) << got.size();
  EXPECT_TRUE(server->close());
  uploader.join();
  EXPECT_EQ(curl.exit_code, 0) << curl.err;
  // curl -T sends PUT with "Expect: 100-continue": answered at once.
  EXPECT_NE(curl.err.find("< HTTP/1.1 100 Continue"), std::string::npos) << curl.err;
  std::filesystem::remove_all(dir);
}

TEST_F(HttpServer, HttpsListen) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "avio-https-listen";
  std::filesystem::create_directories(dir);
  const auto made =
      run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                   "-keyout", (dir / "key.pem").string(), "-out", (dir / "cert.pem").string(), "-days", "2", "-subj",
                   "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const int port = avio_net_test::free_port();
  avio::Result<avio::IOContext> server = open_server(
      port, "https", {{"cert_file", (dir / "cert.pem").string()}, {"key_file", (dir / "key.pem").string()}});
  ASSERT_TRUE(server) << server.error().message();
  avio_http_test::CommandResult curl;
  std::thread client([&] {
    curl = run_command({"curl", "-sS", "--cacert", (dir / "cert.pem").string(),
                        "https://localhost:" + std::to_string(port) + "/secure"},
                       std::chrono::seconds(10));
  });
  Served s = serve_one(*server, 200, "over tls");
  client.join();
  EXPECT_TRUE(s.error) << s.error.error().message();
  EXPECT_EQ(s.steps.front(), 2);
  EXPECT_EQ(s.resource, "/secure");
  EXPECT_EQ(curl.out, "over tls") << curl.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
