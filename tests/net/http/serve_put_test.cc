// `avio serve --writable`: PUT by Content-Length, chunked and with
// "Expect: 100-continue" (curl), 201 and 204, and the atomic replacement: a
// body cut short, longer than declared, malformed or too large leaves the
// destination as it was and no temporary file behind. Without --writable,
// 405.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nginx_fixture.hpp"
#include "serve_fixture.hpp"

namespace avio_serve_test {
namespace {

using avio_http_test::CommandResult;
using avio_http_test::run_command;
namespace fs = std::filesystem;

constexpr std::chrono::seconds kTimeout(20);

class ServePut : public ServeTest {
 protected:
  // curl's status for a PUT of `file` (-T) or with `more` arguments.
  int curl_put(const std::vector<std::string> &more, const std::string &path) const {
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "15", "-o", "/dev/null", "-w", "%{http_code}"};
    argv.insert(argv.end(), more.begin(), more.end());
    argv.push_back(server_->url(path));
    const CommandResult r = run_command(argv, kTimeout);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::atoi(r.out.c_str());
  }

  // The names in the root that an upload left behind.
  std::vector<std::string> temporaries() const {
    std::vector<std::string> names;
    for (const auto &e : fs::recursive_directory_iterator(root_.path()))
      if (e.path().filename().string().rfind(".avio-upload-", 0) == 0) names.push_back(e.path().string());
    return names;
  }

  // A raw PUT: the status, or -1 when the server closed without one.
  int raw_put(const std::string &request, bool half_close = false) const {
    RawClient c(server_->port());
    if (!c.send(request)) return -1;
    if (half_close) ::shutdown(c.fd(), SHUT_WR);
    auto r = c.read_response();
    return r ? r->head.status : -1;
  }

  TempDir local_;
};

TEST_F(ServePut, CreatesAndReplaces) {
  serve({"--writable"});
  const std::string v1 = pattern_bytes(300000, 2), v2 = pattern_bytes(1000, 3);
  local_.write("v1", v1);
  local_.write("v2", v2);
  EXPECT_EQ(curl_put({"--path-as-is", "-T", (local_.path() / "v1").string()}, "/up/../new.bin"), 403);
  root_.write("up/.keep", "");
  EXPECT_EQ(curl_put({"-T", (local_.path() / "v1").string()}, "/up/new.bin"), 201);
  EXPECT_EQ(root_.read("up/new.bin").value_or("?"), v1);
  EXPECT_EQ(curl_put({"-T", (local_.path() / "v2").string()}, "/up/new.bin"), 204);
  EXPECT_EQ(root_.read("up/new.bin").value_or("?"), v2);
  // What was stored is what is served.
  const CommandResult back = run_command({"curl", "-sS", server_->url("/up/new.bin")}, kTimeout);
  EXPECT_EQ(back.out, v2);
  // Chunked (curl sends it so for a body of unknown length).
  EXPECT_EQ(curl_put({"-X", "PUT", "-H", "Transfer-Encoding: chunked", "--data-binary",
                      "@" + (local_.path() / "v1").string()},
                     "/up/chunked.bin"),
            201);
  EXPECT_EQ(root_.read("up/chunked.bin").value_or("?"), v1);
  // An empty body, and a name with an escaped space.
  EXPECT_EQ(raw_put(get_request("/up/a%20b", "Content-Length: 0\r\n", "PUT")), 201);
  EXPECT_EQ(root_.read("up/a b").value_or("?"), "");
  EXPECT_TRUE(temporaries().empty());
}

TEST_F(ServePut, ExpectContinueForLargeBodies) {
  serve({"--writable"});
  const std::string big = pattern_bytes(3 << 20, 4);
  local_.write("big", big);
  // curl sends "Expect: 100-continue" for bodies above 1 MiB and waits for the 100 (up to 1 s).
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> argv = {"curl", "-sS", "-v", "-T", (local_.path() / "big").string(), server_->url("/big")};
  const CommandResult r = run_command(argv, kTimeout);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Expect: 100-continue"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("< HTTP/1.1 100 Continue"), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  EXPECT_EQ(root_.read("big").value_or("?"), big);
}

TEST_F(ServePut, RefusedWithout405) {
  serve({});
  local_.write("f", "data");
  EXPECT_EQ(curl_put({"-T", (local_.path() / "f").string()}, "/f"), 405);
  RawClient c(server_->port());
  ASSERT_TRUE(c.send(get_request("/f", "Content-Length: 4\r\n", "PUT") + "data"));
  auto r = c.read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->head.status, 405);
  EXPECT_EQ(r->head.find("Allow").value_or(""), "GET, HEAD");
  EXPECT_EQ(r->head.find("Connection").value_or(""), "close");  // its body was not read
  EXPECT_FALSE(fs::exists(root_.path() / "f"));
  auto del = [&] {
    RawClient d(server_->port());
    d.send(get_request("/f", "", "DELETE"));
    return d.read_response();
  }();
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(del->head.status, 405);
}

TEST_F(ServePut, FailedUploadsReplaceNothing) {
  serve({"--writable", "--max-body", "64k"});
  root_.write("keep.txt", "original");
  const auto unchanged = [&] { return root_.read("keep.txt").value_or("?") == "original"; };
  // Cut short: 100 bytes declared, 10 sent, then end of stream.
  EXPECT_EQ(raw_put(get_request("/keep.txt", "Content-Length: 100\r\n", "PUT") + "0123456789", true), 400);
  EXPECT_TRUE(unchanged());
  // Longer than declared: what follows the 5 bytes cannot begin a request.
  EXPECT_EQ(raw_put(get_request("/keep.txt", "Content-Length: 5\r\n", "PUT") + "hello world!!"), 400);
  EXPECT_TRUE(unchanged());
  // Chunked and cut short, chunked and malformed.
  EXPECT_EQ(raw_put(get_request("/keep.txt", "Transfer-Encoding: chunked\r\n", "PUT") + "5\r\nhello\r\n", true), 400);
  EXPECT_TRUE(unchanged());
  EXPECT_EQ(raw_put(get_request("/keep.txt", "Transfer-Encoding: chunked\r\n", "PUT") + "zz\r\nhello\r\n0\r\n\r\n"),
            400);
  EXPECT_TRUE(unchanged());
  // Too large: declared, and chunked past the limit.
  EXPECT_EQ(raw_put(get_request("/keep.txt", "Content-Length: 70000\r\n", "PUT")), 413);
  const std::string chunk = std::string(40000, 'c');
  const std::string chunked = "9c40\r\n" + chunk + "\r\n9c40\r\n" + chunk + "\r\n0\r\n\r\n";
  EXPECT_EQ(raw_put(get_request("/keep.txt", "Transfer-Encoding: chunked\r\n", "PUT") + chunked), 413);
  EXPECT_TRUE(unchanged());
  // Onto a directory, a symbolic link, a missing directory.
  root_.write("d/x", "");
  fs::create_symlink("keep.txt", root_.path() / "link");
  EXPECT_EQ(raw_put(get_request("/d", "Content-Length: 0\r\n", "PUT")), 405);
  EXPECT_EQ(raw_put(get_request("/d/", "Content-Length: 0\r\n", "PUT")), 405);
  EXPECT_EQ(raw_put(get_request("/link", "Content-Length: 1\r\n", "PUT") + "x"), 403);
  EXPECT_EQ(raw_put(get_request("/none/x", "Content-Length: 1\r\n", "PUT") + "x"), 404);
  EXPECT_TRUE(unchanged());
  EXPECT_TRUE(temporaries().empty()) << temporaries().front();
  // The same connection goes on after a PUT that succeeded.
  RawClient c(server_->port());
  ASSERT_TRUE(c.send(get_request("/new", "Content-Length: 3\r\n", "PUT") + "abc" + get_request("/new")));
  auto put = c.read_response(), get = c.read_response();
  ASSERT_TRUE(put && get);
  EXPECT_EQ(put->head.status, 201);
  EXPECT_EQ(get->body, "abc");
}

}  // namespace
}  // namespace avio_serve_test
