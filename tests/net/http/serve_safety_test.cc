// `avio serve` never serves or writes outside its directory, answers what it
// refuses with the right status and a short body, bounds request heads, and
// serves https with a certificate made by `openssl req`.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "avio/url.hpp"
#include "nginx_fixture.hpp"
#include "serve_fixture.hpp"

namespace {

using avio_http_test::CommandResult;
using avio_http_test::run_command;
using avio_serve_test::get_request;
using avio_serve_test::RawClient;
using avio_serve_test::ServeProcess;
using avio_serve_test::TempDir;
namespace fs = std::filesystem;

constexpr std::chrono::seconds kTimeout(20);

// The document root is www/ inside a directory that also holds a secret.
class ServeSafety : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->stop_cleanly(), "");
    }
  }
  void SetUp() override {
    outer_.write("secret.txt", "secret\n");
    outer_.write("www/public.txt", "public\n");
    outer_.write("www/sub/inner.txt", "inner\n");
    fs::create_symlink("../secret.txt", www() / "out-file");  // a link out of the root
    fs::create_symlink(outer_.path(), www() / "out-dir");     // absolute, and out
    fs::create_symlink("/etc", www() / "etc-link");           // absolute, and out
    fs::create_symlink("sub/inner.txt", www() / "in-file");   // a link that stays inside
    fs::create_symlink("../www/sub", www() / "sub-again");    // out and back in
  }
  fs::path www() const { return outer_.path() / "www"; }

  void serve(const std::vector<std::string> &args = {}) {
    std::string error;
    server_ = ServeProcess::start(www(), args, &error);
    ASSERT_NE(server_, nullptr) << error;
  }

  // The status curl gets for `path` sent as it is.
  int curl_status(const std::string &path, const std::vector<std::string> &more = {}) const {
    std::vector<std::string> argv = {"curl", "-sS",       "--max-time", "15",          "--path-as-is",
                                     "-o",   "/dev/null", "-w",         "%{http_code}"};
    argv.insert(argv.end(), more.begin(), more.end());
    argv.push_back(server_->url(path));
    const CommandResult r = run_command(argv, kTimeout);
    EXPECT_EQ(r.exit_code, 0) << path << ": " << r.err;
    return std::atoi(r.out.c_str());
  }

  // The response to `request` on a fresh connection.
  std::optional<avio_serve_test::RawResponse> raw(const std::string &request) const {
    RawClient c(server_->port());
    if (!c.send(request)) return std::nullopt;
    return c.read_response();
  }
  int raw_status(const std::string &request) const {
    auto r = raw(request);
    return r ? r->head.status : -1;
  }

  TempDir outer_;
  std::unique_ptr<ServeProcess> server_;
};

TEST_F(ServeSafety, EveryWayOutIsRefused) {
  serve();
  struct Case {
    std::string path;
    int status;
  };
  const std::vector<Case> cases = {
      {"/public.txt", 200},
      {"/in-file", 200},              // a link inside the root is followed
      {"/sub-again/inner.txt", 200},  // out and back in resolves inside
      {"/../secret.txt", 403},        // a '..' segment
      {"/sub/../../secret.txt", 403},
      {"/sub/..", 403},
      {"/%2e%2e/secret.txt", 403},  // percent-encoded dots
      {"/%2E%2E/secret.txt", 403},
      {"/.%2e/secret.txt", 403},
      {"/..%2fsecret.txt", 403},  // an encoded slash
      {"/sub%2f..%2f..%2fsecret.txt", 403},
      {"/..%5csecret.txt", 403},    // an encoded backslash
      {"/public.txt%00.png", 403},  // a NUL byte
      {"//etc/passwd", 404},        // an absolute path stays inside the root
      {"///secret.txt", 404},
      {"/out-file", 403},  // symbolic links leading out
      {"/out-dir/secret.txt", 403},
      {"/out-dir/", 403},
      {"/etc-link/passwd", 403},
      {"/nonexistent", 404},
      {"/public.txt/x", 404},
  };
  for (const Case &c : cases) EXPECT_EQ(curl_status(c.path), c.status) << c.path;
  // Raw requests curl would not send: the absolute form, a literal NUL, a target without '/'.
  EXPECT_EQ(raw_status("GET http://127.0.0.1/../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 403);
  EXPECT_EQ(raw_status("GET http://127.0.0.1/public.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
  EXPECT_EQ(raw_status(std::string("GET /public.txt\0.png HTTP/1.1\r\nHost: x\r\n\r\n", 42)), 400);
  EXPECT_EQ(raw_status("GET secret.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(raw_status("GET ../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  // Nothing secret in any body.
  for (const Case &c : cases) {
    const CommandResult r = run_command({"curl", "-sS", "--path-as-is", server_->url(c.path)}, kTimeout);
    EXPECT_EQ(r.out.find("secret"), std::string::npos) << c.path;
  }
}

TEST_F(ServeSafety, WritesStayInside) {
  serve({"--writable"});
  const std::vector<std::pair<std::string, int>> cases = {
      {"/../escaped.txt", 403},
      {"/%2e%2e/escaped.txt", 403},
      {"/..%2fescaped.txt", 403},
      {"/out-dir/escaped.txt", 403},
      {"/out-file", 403},
      {"/etc-link/escaped", 403},
      {"/x%00y", 403},
      {"/sub/new.txt", 201},
      {"/in-file", 403},
  };
  for (const auto &[path, status] : cases)
    EXPECT_EQ(curl_status(path, {"-X", "PUT", "--data-binary", "pwned"}), status) << path;
  EXPECT_FALSE(fs::exists(outer_.path() / "escaped.txt"));
  EXPECT_EQ(outer_.read("secret.txt").value_or("?"), "secret\n");
  EXPECT_EQ(outer_.read("www/sub/inner.txt").value_or("?"), "inner\n");  // in-file's target
  EXPECT_EQ(outer_.read("www/sub/new.txt").value_or("?"), "pwned");
}

TEST_F(ServeSafety, ErrorStatusesWithShortBodies) {
  serve();
  const std::vector<std::pair<std::string, int>> cases = {
      {"GARBAGE\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n\r\n", 400},  // no Host
      {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400},
      {"GET /nothing HTTP/1.1\r\nHost: a\r\n\r\n", 404},
      {"DELETE /public.txt HTTP/1.1\r\nHost: a\r\n\r\n", 405},
      {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {"GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(70000, 'x') + "\r\n\r\n", 431},  // head too large
      {"GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(9000, 'x') + "\r\n\r\n", 431},   // line too long
  };
  for (const auto &[request, status] : cases) {
    auto r = raw(request);
    ASSERT_TRUE(r.has_value()) << request.substr(0, 40);
    EXPECT_EQ(r->head.status, status) << request.substr(0, 40);
    EXPECT_EQ(r->body.substr(0, 4), std::to_string(status) + " ") << request.substr(0, 40);
    EXPECT_LT(r->body.size(), 64u);
  }
  std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 120; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  EXPECT_EQ(raw_status(many + "\r\n"), 431);  // too many headers
  // A refused head closes the connection.
  RawClient c(server_->port());
  ASSERT_TRUE(c.send("GARBAGE\r\n\r\n"));
  ASSERT_TRUE(c.read_response().has_value());
  EXPECT_TRUE(c.closed_within(std::chrono::seconds(5)));
  // The server goes on serving.
  EXPECT_EQ(curl_status("/public.txt"), 200);
}

TEST_F(ServeSafety, HttpsWithAnOpensslCertificate) {
  TempDir keys;
  const std::string cert = (keys.path() / "cert.pem").string(), key = (keys.path() / "key.pem").string();
  const CommandResult made =
      run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days",
                   "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"},
                  kTimeout);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  serve({"--cert", cert, "--key", key});
  const std::string url = server_->url("/public.txt");
  ASSERT_EQ(url.rfind("https://127.0.0.1:", 0), 0u) << url;
  CommandResult r = run_command({"curl", "-sS", "-v", "--cacert", cert, url, url}, kTimeout);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "public\npublic\n");
  EXPECT_NE(r.err.find("Re-using existing connection"), std::string::npos) << r.err;
  r = run_command({"curl", "-sS", "--cacert", cert, "-r", "1-3", url}, kTimeout);
  EXPECT_EQ(r.out, "ubl");
  // Without the CA, curl refuses the certificate (it is not a plain-http server in disguise).
  r = run_command({"curl", "-sS", url}, kTimeout);
  EXPECT_NE(r.exit_code, 0);
  // avio's own https client, with the certificate as its CA.
  avio::OpenOptions o;
  o.options.set("ca_file", cert);
  o.rw_timeout = 10000000;
  auto io = avio::open_url(url, o);
  ASSERT_TRUE(io.ok()) << io.error().message();
  std::string got(7, '\0');
  auto n = io->read({reinterpret_cast<uint8_t *>(got.data()), got.size()});
  ASSERT_TRUE(n.ok()) << n.error().message();
  EXPECT_EQ(got.substr(0, *n), "public\n");
  EXPECT_TRUE(io->close().ok());
  // A plain-http client on the https port is not served and does not stop the server.
  RawClient plain(server_->port());
  ASSERT_TRUE(plain.send(get_request("/public.txt")));
  EXPECT_FALSE(plain.read_response().has_value());
  r = run_command({"curl", "-sS", "--cacert", cert, url}, kTimeout);
  EXPECT_EQ(r.out, "public\n");
}

}  // namespace
