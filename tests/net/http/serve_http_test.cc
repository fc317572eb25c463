// `avio serve` through curl and raw sockets: GET and HEAD with their
// headers, byte ranges (multipart/byteranges for several), keep-alive, conditional requests, directory
// listings, MIME types, PUT, every way out of the served directory, the
// error statuses, and https. Every program runs under run_command's
// timeout; a missing curl or openssl is a failure, never a skip.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "avio/url.hpp"
#include "nginx_fixture.hpp"
#include "serve_fixture.hpp"

namespace avio_serve_test {
namespace {

using avio_http_test::CommandResult;
using avio_http_test::run_command;
namespace http = avio::protocols::http;

constexpr std::chrono::seconds kTimeout(20);
constexpr size_t kFileSize = 100000;

class ServeHttp : public ServeTest {
 protected:
  void SetUp() override {
    root_.write("bin.dat", pattern_bytes(kFileSize, 1));
    root_.write("sub/inner.txt", "inner\n");
  }

  CommandResult curl(std::vector<std::string> args) const {
    args.insert(args.begin(), {"curl", "-sS", "--max-time", "15"});
    return run_command(args, kTimeout);
  }

  // The status curl saw, by -w '%{http_code}'.
  int status_of(std::vector<std::string> args) const {
    args.insert(args.begin(), {"-o", "/dev/null", "-w", "%{http_code}"});
    const CommandResult r = curl(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::atoi(r.out.c_str());
  }

  // One request on a fresh connection.
  std::optional<RawResponse> raw(std::string_view request, bool head = false) const {
    RawClient c(server_->port());
    if (!c.connected() || !c.send(request)) return std::nullopt;
    return c.read_response(head);
  }
};

TEST_F(ServeHttp, GetAndHeadWithTheirHeaders) {
  serve();
  const CommandResult get = curl({"-D", "-", server_->url("/bin.dat")});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  const size_t body_at = get.out.find("\r\n\r\n") + 4;
  ASSERT_NE(body_at, std::string::npos + 4);
  EXPECT_EQ(get.out.substr(body_at), pattern_bytes(kFileSize, 1));
  auto head = http::parse_response_head(get.out.substr(0, body_at));
  ASSERT_TRUE(head.ok()) << head.error().message();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(http::content_length(*head).value_or(-1), static_cast<int64_t>(kFileSize));
  EXPECT_TRUE(http::accepts_byte_ranges(*head));
  EXPECT_EQ(head->find("Content-Type").value_or(""), "application/octet-stream");
  const std::string etag(head->find("ETag").value_or(""));
  EXPECT_TRUE(etag.size() > 2 && etag.front() == '"' && etag.back() == '"') << etag;
  struct stat st {};
  ASSERT_EQ(::stat((root_.path() / "bin.dat").c_str(), &st), 0);
  EXPECT_EQ(http::parse_http_date(head->find("Last-Modified").value_or("")).value_or(-1), st.st_mtim.tv_sec);
  EXPECT_TRUE(http::parse_http_date(head->find("Date").value_or("")).has_value());

  // HEAD: the same head, no body.
  auto h = raw(get_request("/bin.dat", "", "HEAD"), true);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->head.status, 200);
  EXPECT_EQ(http::content_length(h->head).value_or(-1), static_cast<int64_t>(kFileSize));
  EXPECT_EQ(h->head.find("ETag").value_or(""), etag);
  const CommandResult curl_head = curl({"-I", server_->url("/bin.dat")});
  EXPECT_EQ(curl_head.exit_code, 0) << curl_head.err;
  EXPECT_NE(curl_head.out.find("Content-Length: 100000"), std::string::npos) << curl_head.out;

  const std::vector<std::string> log = server_->access_log();
  ASSERT_GE(log.size(), 3u);
  EXPECT_NE(log[0].find("127.0.0.1 - - ["), std::string::npos) << log[0];
  EXPECT_NE(log[0].find("\"GET /bin.dat HTTP/1.1\" 200 100000 "), std::string::npos) << log[0];
  EXPECT_NE(log[1].find("\"HEAD /bin.dat HTTP/1.1\" 200 0 "), std::string::npos) << log[1];
}

TEST_F(ServeHttp, ByteRanges) {
  serve();
  const std::string all = pattern_bytes(kFileSize, 1);
  struct Case {
    std::string range;
    int status;
    std::string content_range;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"0-99", 206, "bytes 0-99/100000", all.substr(0, 100)},
      {"99990-", 206, "bytes 99990-99999/100000", all.substr(99990)},
      {"-500", 206, "bytes 99500-99999/100000", all.substr(99500)},
      {"50000-50000", 206, "bytes 50000-50000/100000", all.substr(50000, 1)},
      {"99000-200000", 206, "bytes 99000-99999/100000", all.substr(99000)},
      {"-200000", 206, "bytes 0-99999/100000", all},
      {"100000-", 416, "bytes */100000", "416 Range Not Satisfiable\n"},
      {"-0", 416, "bytes */100000", "416 Range Not Satisfiable\n"},
      {"0-9,5-14", 200, "", all},                                  // overlapping ranges: the whole file
      {"5-2", 200, "", all},                                       // an invalid range: ignored
      {"100000-,5-9", 206, "bytes 5-9/100000", all.substr(5, 5)},  // one of two satisfiable: one part
      {"100000-,200000-300000", 416, "bytes */100000", "416 Range Not Satisfiable\n"},
  };
  for (const Case &c : cases) {
    auto r = raw(get_request("/bin.dat", "Range: bytes=" + c.range + "\r\n"));
    ASSERT_TRUE(r.has_value()) << c.range;
    EXPECT_EQ(r->head.status, c.status) << c.range;
    EXPECT_EQ(r->head.find("Content-Range").value_or(""), c.content_range) << c.range;
    EXPECT_TRUE(r->body == c.body) << c.range << ": " << r->body.size() << " bytes";
  }
  // And through curl.
  EXPECT_EQ(status_of({"-r", "10-19", server_->url("/bin.dat")}), 206);
  EXPECT_EQ(status_of({"-r", "100000-", server_->url("/bin.dat")}), 416);
  const CommandResult part = curl({"-r", "10-19", server_->url("/bin.dat")});
  EXPECT_EQ(part.out, all.substr(10, 10));
}

// The boundary of a multipart/byteranges Content-Type, "" for another type.
std::string boundary_of(std::string_view content_type) {
  constexpr std::string_view kPrefix = "multipart/byteranges; boundary=";
  return content_type.starts_with(kPrefix) ? std::string(content_type.substr(kPrefix.size())) : "";
}

// The multipart/byteranges body for `parts` (first, last) of `all`.
std::string multipart_body(const std::string &boundary, const std::string &all,
                           const std::vector<std::pair<size_t, size_t>> &parts) {
  std::string out;
  for (const auto &[first, last] : parts)
    out += "\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes " +
           std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(all.size()) + "\r\n\r\n" +
           all.substr(first, last - first + 1);
  return out + "\r\n--" + boundary + "--\r\n";
}

TEST_F(ServeHttp, MultipleRangesThroughCurl) {
  serve();
  const std::string all = pattern_bytes(kFileSize, 1);
  const CommandResult r = curl({"-D", "-", "-r", "0-9,20-29", server_->url("/bin.dat")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t body_at = r.out.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos) << r.out;
  auto head = http::parse_response_head(r.out.substr(0, body_at + 4));
  ASSERT_TRUE(head.ok()) << head.error().message();
  EXPECT_EQ(head->status, 206);
  EXPECT_FALSE(head->find("Content-Range").has_value());
  const std::string boundary = boundary_of(head->find("Content-Type").value_or(""));
  ASSERT_GE(boundary.size(), 20u) << head->find("Content-Type").value_or("");
  const std::string body = r.out.substr(body_at + 4);
  EXPECT_EQ(body, multipart_body(boundary, all, {{0, 9}, {20, 29}}));
  EXPECT_EQ(http::content_length(*head).value_or(-1), static_cast<int64_t>(body.size()));
  // Each response has a boundary of its own.
  const CommandResult again = curl({"-D", "-", "-o", "/dev/null", "-r", "0-9,20-29", server_->url("/bin.dat")});
  EXPECT_EQ(again.out.find(boundary), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("multipart/byteranges; boundary="), std::string::npos) << again.out;
}

TEST_F(ServeHttp, MultipleRangesGetAndHead) {
  serve();
  const std::string all = pattern_bytes(kFileSize, 1);
  // Parts in the order asked, larger than a write (64 KiB), one from "-n".
  const std::string range = "Range: bytes=10-99, 1000-70999,\t99990-\r\n";
  const std::vector<std::pair<size_t, size_t>> parts = {{10, 99}, {1000, 70999}, {99990, 99999}};
  auto get = raw(get_request("/bin.dat", range));
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->head.status, 206);
  const std::string boundary = boundary_of(get->head.find("Content-Type").value_or(""));
  ASSERT_GE(boundary.size(), 20u);
  EXPECT_EQ(boundary.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            std::string::npos)
      << boundary;
  const std::string expected = multipart_body(boundary, all, parts);
  EXPECT_TRUE(get->body == expected) << get->body.size() << " bytes, " << expected.size() << " expected";
  const int64_t length = http::content_length(get->head).value_or(-1);
  EXPECT_EQ(length, static_cast<int64_t>(expected.size()));

  // HEAD: the same head (but the boundary), no body: the GET pipelined
  // after it on the same connection comes back whole.
  RawClient c(server_->port());
  ASSERT_TRUE(c.send(get_request("/bin.dat", range, "HEAD") + get_request("/bin.dat", "Range: bytes=0-3\r\n")));
  auto head = c.read_response(true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->head.status, 206);
  EXPECT_EQ(http::content_length(head->head).value_or(-2), length);
  EXPECT_GE(boundary_of(head->head.find("Content-Type").value_or("")).size(), 20u);
  EXPECT_TRUE(head->body.empty());
  auto next = c.read_response();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->head.status, 206);
  EXPECT_EQ(next->body, all.substr(0, 4));

  // None satisfiable: 416, for HEAD too.
  auto none = raw(get_request("/bin.dat", "Range: bytes=100000-,-0\r\n", "HEAD"), true);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->head.status, 416);
  EXPECT_EQ(none->head.find("Content-Range").value_or(""), "bytes */100000");
  EXPECT_EQ(status_of({"-r", "100000-,200000-", server_->url("/bin.dat")}), 416);
  // Overlapping ranges: the whole file (more than kMaxRanges would not fit
  // in a header line; the unit tests count them).
  auto whole = raw(get_request("/bin.dat", "Range: bytes=0-99,50-149\r\n"));
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(whole->head.status, 200);
  EXPECT_TRUE(whole->body == all);

  // The access log counts the body's bytes.
  const std::vector<std::string> log = server_->access_log();
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log[0].find("\" 206 " + std::to_string(length) + " "), std::string::npos) << log[0];
}

TEST_F(ServeHttp, KeepAliveAndConnectionClose) {
  serve();
  const std::string url = server_->url("/sub/inner.txt");
  CommandResult r = curl({"-v", url, url, url});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "inner\ninner\ninner\n");
  EXPECT_NE(r.err.find("Re-using existing connection"), std::string::npos) << r.err;

  r = curl({"-v", "-H", "Connection: close", url, url});
  EXPECT_EQ(r.err.find("Re-using existing connection"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("< Connection: close"), std::string::npos) << r.err;

  // HTTP/1.0 closes unless asked to keep alive.
  r = curl({"-v", "-0", url, url});
  EXPECT_EQ(r.err.find("Re-using existing connection"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("< Connection: close"), std::string::npos) << r.err;
  r = curl({"-v", "-0", "-H", "Connection: keep-alive", url, url});
  EXPECT_NE(r.err.find("Re-using existing connection"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("< Connection: keep-alive"), std::string::npos) << r.err;

  // Pipelined requests on one raw connection, answered in order.
  RawClient c(server_->port());
  ASSERT_TRUE(c.send(get_request("/sub/inner.txt") + get_request("/bin.dat", "Range: bytes=0-3\r\n") +
                     get_request("/sub/inner.txt", "Connection: close\r\n")));
  auto a = c.read_response(), b = c.read_response(), d = c.read_response();
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->body, "inner\n");
  EXPECT_EQ(b->head.status, 206);
  EXPECT_EQ(b->body, pattern_bytes(4, 1));
  EXPECT_EQ(d->head.find("Connection").value_or(""), "close");
  EXPECT_TRUE(c.closed_within(std::chrono::seconds(5)));
}

TEST_F(ServeHttp, ConditionalRequests) {
  serve();
  auto first = raw(get_request("/bin.dat"));
  ASSERT_TRUE(first.has_value());
  const std::string etag(first->head.find("ETag").value_or(""));
  const std::string modified(first->head.find("Last-Modified").value_or(""));
  ASSERT_FALSE(etag.empty());
  auto status = [&](const std::string &headers, bool head = false) {
    auto r = raw(get_request("/bin.dat", headers, head ? "HEAD" : "GET"), head);
    return r ? r->head.status : -1;
  };
  EXPECT_EQ(status("If-None-Match: " + etag + "\r\n"), 304);
  EXPECT_EQ(status("If-None-Match: \"other\", W/" + etag + "\r\n"), 304);  // weak comparison
  EXPECT_EQ(status("If-None-Match: *\r\n"), 304);
  EXPECT_EQ(status("If-None-Match: \"other\"\r\n"), 200);
  EXPECT_EQ(status("If-None-Match: " + etag + "\r\n", true), 304);
  EXPECT_EQ(status("If-Modified-Since: " + modified + "\r\n"), 304);
  EXPECT_EQ(status("If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n"), 200);
  EXPECT_EQ(status("If-Modified-Since: not a date\r\n"), 200);
  // If-None-Match wins over If-Modified-Since.
  EXPECT_EQ(status("If-None-Match: \"other\"\r\nIf-Modified-Since: " + modified + "\r\n"), 200);
  auto not_modified = raw(get_request("/bin.dat", "If-None-Match: " + etag + "\r\n"));
  ASSERT_TRUE(not_modified.has_value());
  EXPECT_EQ(not_modified->head.find("ETag").value_or(""), etag);
  EXPECT_TRUE(not_modified->body.empty());

  // If-Range: the range while the validator matches, else the whole file.
  EXPECT_EQ(status("Range: bytes=0-9\r\nIf-Range: " + etag + "\r\n"), 206);
  EXPECT_EQ(status("Range: bytes=0-9\r\nIf-Range: " + modified + "\r\n"), 206);
  EXPECT_EQ(status("Range: bytes=0-9\r\nIf-Range: \"stale\"\r\n"), 200);
  EXPECT_EQ(status("Range: bytes=0-9\r\nIf-Range: W/" + etag + "\r\n"), 200);  // strong comparison
  EXPECT_EQ(status("Range: bytes=0-9\r\nIf-Range: Thu, 01 Jan 1970 00:00:00 GMT\r\n"), 200);
  EXPECT_EQ(status("Range: bytes=0-9,20-29\r\nIf-Range: " + etag + "\r\n"), 206);
  EXPECT_EQ(status("Range: bytes=0-9,20-29\r\nIf-Range: \"stale\"\r\n"), 200);
  // curl's own -z (If-Modified-Since).
  EXPECT_EQ(status_of({"-z", modified, server_->url("/bin.dat")}), 304);
}

TEST_F(ServeHttp, DirectoryListingAndRedirect) {
  root_.write("list/<b>&\"x'.txt", "x");
  root_.write("list/a b.mp4", "y");
  root_.write("list/.hidden", "z");
  root_.write("list/dir/f", "w");
  serve();
  auto page = raw(get_request("/list/"));
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->head.status, 200);
  EXPECT_EQ(page->head.find("Content-Type").value_or(""), "text/html; charset=utf-8");
  const std::string &html = page->body;
  EXPECT_NE(html.find("<a href=\"%3Cb%3E%26%22x%27.txt\">&lt;b&gt;&amp;&quot;x&#39;.txt</a>"), std::string::npos)
      << html;
  EXPECT_NE(html.find("<a href=\"a%20b.mp4\">a b.mp4</a>"), std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"dir/\">dir/</a>"), std::string::npos) << html;
  EXPECT_EQ(html.find(".hidden"), std::string::npos) << html;
  EXPECT_EQ(html.find("<b>"), std::string::npos) << html;
  EXPECT_LT(html.find("%3Cb"), html.find("a%20b.mp4"));  // sorted

  auto redirect = raw(get_request("/list?x=1"));
  ASSERT_TRUE(redirect.has_value());
  EXPECT_EQ(redirect->head.status, 301);
  EXPECT_EQ(redirect->head.find("Location").value_or(""), "/list/?x=1");
  // curl -L follows it to the listing.
  const CommandResult followed = curl({"-L", server_->url("/list/dir")});
  EXPECT_NE(followed.out.find("<a href=\"f\">f</a>"), std::string::npos) << followed.out;
  // A link of the listing is a file that comes back.
  EXPECT_EQ(curl({server_->url("/list/a%20b.mp4")}).out, "y");
}

TEST_F(ServeHttp, MimeTypes) {
  const std::vector<std::pair<std::string, std::string>> types = {
      {"v.mp4", "video/mp4"},
      {"a.M4A", "audio/mp4"},
      {"a.mp3", "audio/mpeg"},
      {"a.aac", "audio/aac"},
      {"a.flac", "audio/flac"},
      {"a.ogg", "audio/ogg"},
      {"a.opus", "audio/ogg"},
      {"a.wav", "audio/wav"},
      {"v.webm", "video/webm"},
      {"v.mkv", "video/x-matroska"},
      {"v.ts", "video/mp2t"},
      {"p.m3u8", "application/vnd.apple.mpegurl"},
      {"p.mpd", "application/dash+xml"},
      {"d.json", "application/json"},
      {"t.txt", "text/plain; charset=utf-8"},
      {"i.html", "text/html; charset=utf-8"},
      {"i.jpg", "image/jpeg"},
      {"i.png", "image/png"},
      {"x.bin", "application/octet-stream"},
      {"noext", "application/octet-stream"},
  };
  for (const auto &[name, type] : types) root_.write("m/" + name, "1");
  serve();
  for (const auto &[name, type] : types) {
    auto r = raw(get_request("/m/" + name, "", "HEAD"), true);
    ASSERT_TRUE(r.has_value()) << name;
    EXPECT_EQ(r->head.find("Content-Type").value_or(""), type) << name;
  }
}

}  // namespace
}  // namespace avio_serve_test
