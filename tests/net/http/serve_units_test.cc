// The pieces of `avio serve` (tools/avio/serve/) on their own: byte ranges,
// validators and conditional requests, MIME types, the listing's escaping,
// path segments and the document root's confinement, the access log line,
// --listen, the wait budget, and the worker pool's bounded queue.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "serve/access_log.hpp"
#include "serve/byte_range.hpp"
#include "serve/directory_index.hpp"
#include "serve/document_root.hpp"
#include "serve/file_response.hpp"
#include "serve/listener.hpp"
#include "serve/mime_types.hpp"
#include "serve/multipart_byteranges.hpp"
#include "serve/response.hpp"
#include "serve/validators.hpp"
#include "serve/wait_budget.hpp"
#include "serve/worker_pool.hpp"

namespace {

namespace fs = std::filesystem;
namespace serve = avio::tools::serve;
namespace http = avio::protocols::http;
using Kind = serve::RangeRequest::Kind;

TEST(ServeRange, SingleRanges) {
  struct Case {
    const char *value;
    int64_t size;
    Kind kind;
    int64_t first, last;
  };
  const std::vector<Case> cases = {
      {"bytes=0-99", 1000, Kind::kPartial, 0, 99},
      {"bytes=500-", 1000, Kind::kPartial, 500, 999},
      {"bytes=-100", 1000, Kind::kPartial, 900, 999},
      {"bytes=-5000", 1000, Kind::kPartial, 0, 999},
      {"bytes=990-5000", 1000, Kind::kPartial, 990, 999},
      {"BYTES = 1-2", 1000, Kind::kPartial, 1, 2},
      {"bytes=999-999", 1000, Kind::kPartial, 999, 999},
      {"bytes=1000-", 1000, Kind::kUnsatisfiable, 0, -1},
      {"bytes=1000-2000", 1000, Kind::kUnsatisfiable, 0, -1},
      {"bytes=-0", 1000, Kind::kUnsatisfiable, 0, -1},
      {"bytes=0-", 0, Kind::kUnsatisfiable, 0, -1},  // nothing in an empty file
      {"bytes=-1", 0, Kind::kUnsatisfiable, 0, -1},
      {"bytes=5-1", 1000, Kind::kWhole, 0, -1},  // invalid: ignored
      {"bytes=a-b", 1000, Kind::kWhole, 0, -1},
      {"bytes=-", 1000, Kind::kWhole, 0, -1},
      {"bytes=99999999999999999999-", 1000, Kind::kWhole, 0, -1},
      {"items=0-1", 1000, Kind::kWhole, 0, -1},
      {"bytes 0-1", 1000, Kind::kWhole, 0, -1},
      {"", 1000, Kind::kWhole, 0, -1},
  };
  for (const Case &c : cases) {
    const serve::RangeRequest r = serve::evaluate_range(c.value, c.size);
    EXPECT_EQ(r.kind, c.kind) << c.value;
    if (r.kind != Kind::kPartial) continue;
    EXPECT_EQ(r.first, c.first) << c.value;
    EXPECT_EQ(r.last, c.last) << c.value;
  }
  EXPECT_EQ(serve::content_range(serve::evaluate_range("bytes=2-5", 10), 10), "bytes 2-5/10");
  EXPECT_EQ(serve::content_range(serve::evaluate_range("bytes=20-", 10), 10), "bytes */10");
}

TEST(ServeRange, RangeLists) {
  using Parts = std::vector<std::pair<int64_t, int64_t>>;
  struct Case {
    std::string value;
    int64_t size;
    Kind kind;
    Parts parts;  // kPartial: the one range; kMultipart: every part
  };
  std::string most = "bytes=", too_many;
  Parts most_parts;
  for (int i = 0; i < static_cast<int>(serve::kMaxRanges); ++i) {
    most += (i ? "," : "") + std::to_string(i * 10) + "-" + std::to_string(i * 10 + 4);
    most_parts.emplace_back(i * 10, i * 10 + 4);
  }
  too_many = most + ",15000-15001";
  const std::vector<Case> cases = {
      {"bytes=0-1,4-5", 1000, Kind::kMultipart, {{0, 1}, {4, 5}}},
      {"bytes= 0-9 ,\t20-29 , 990-", 1000, Kind::kMultipart, {{0, 9}, {20, 29}, {990, 999}}},
      {"bytes=0-9,,20-29,", 1000, Kind::kMultipart, {{0, 9}, {20, 29}}},  // empty list elements
      {"bytes=0-9,-10", 1000, Kind::kMultipart, {{0, 9}, {990, 999}}},
      {"bytes=0-9,990-5000", 1000, Kind::kMultipart, {{0, 9}, {990, 999}}},
      {"bytes=0-9,10-19", 1000, Kind::kMultipart, {{0, 9}, {10, 19}}},  // touching: parts as asked
      // Unsatisfiable specs are dropped, the others served.
      {"bytes=0-9,5000-,20-29", 1000, Kind::kMultipart, {{0, 9}, {20, 29}}},
      {"bytes=5000-,20-29,-0", 1000, Kind::kPartial, {{20, 29}}},
      {"bytes=5000-,1000-1001,-0", 1000, Kind::kUnsatisfiable, {}},
      {"bytes=0-1,2-3", 0, Kind::kUnsatisfiable, {}},
      // A syntax error anywhere: the whole representation.
      {"bytes=0-9,x", 1000, Kind::kWhole, {}},
      {"bytes=0-9,5-2", 1000, Kind::kWhole, {}},
      {"bytes=0-9,-", 1000, Kind::kWhole, {}},
      {"bytes=0-9 20-29", 1000, Kind::kWhole, {}},
      {"bytes=0-9;20-29", 1000, Kind::kWhole, {}},
      {"bytes=5000-,x", 1000, Kind::kWhole, {}},
      {"bytes=,", 1000, Kind::kWhole, {}},
      // Overlapping or descending: the whole representation.
      {"bytes=0-9,5-14", 1000, Kind::kWhole, {}},
      {"bytes=0-9,9-19", 1000, Kind::kWhole, {}},
      {"bytes=20-29,0-9", 1000, Kind::kWhole, {}},
      {"bytes=0-,5-9", 1000, Kind::kWhole, {}},
      {"bytes=990-,-5", 1000, Kind::kWhole, {}},        // overlapping once clipped
      {"bytes=0-9,20-29,0-9", 1000, Kind::kWhole, {}},  // a repeat
      // kMaxRanges specs, and one more (unsatisfiable ones count too).
      {most, 20000, Kind::kMultipart, most_parts},
      {too_many, 20000, Kind::kWhole, {}},
  };
  for (const Case &c : cases) {
    const serve::RangeRequest r = serve::evaluate_range(c.value, c.size);
    EXPECT_EQ(r.kind, c.kind) << c.value;
    Parts got;
    if (r.kind == Kind::kPartial) got.emplace_back(r.first, r.last);
    for (const serve::ByteRange &p : r.parts) got.emplace_back(p.first, p.last);
    EXPECT_EQ(got, c.parts) << c.value;
  }
  EXPECT_EQ(serve::kMaxRanges, 1000u);
}

TEST(ServeMultipart, Boundaries) {
  const std::string a = serve::new_boundary(), b = serve::new_boundary();
  EXPECT_NE(a, b);
  for (const std::string &x : {a, b}) {
    EXPECT_EQ(x.size(), 32u) << x;
    EXPECT_EQ(x.find_first_not_of("0123456789abcdef"), std::string::npos) << x;
  }
  EXPECT_EQ(serve::multipart_content_type("xyz"), "multipart/byteranges; boundary=xyz");
}

// The body `r` sends: each segment's text, then its range of r.file.
std::string body_of(const serve::Response &r) {
  std::string out;
  for (const serve::BodySegment &s : r.segments) {
    out += s.text;
    std::string bytes(static_cast<size_t>(s.file_length), '\0');
    EXPECT_EQ(::pread(r.file.get(), bytes.data(), bytes.size(), s.file_offset), s.file_length);
    out += bytes;
  }
  return out;
}

std::string header(const serve::Response &r, std::string_view name) {
  for (const http::Header &h : r.headers)
    if (h.name == name) return h.value;
  return "";
}

class ServeFileResponse : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "avio-serve-file-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    std::ofstream(dir_ / "a.txt") << kText;
  }
  void TearDown() override { fs::remove_all(dir_); }

  serve::Response respond(const std::string &method, std::vector<http::Header> headers) const {
    serve::UniqueFd fd(::open((dir_ / "a.txt").c_str(), O_RDONLY | O_CLOEXEC));
    EXPECT_TRUE(fd.valid());
    struct stat st {};
    EXPECT_EQ(::fstat(fd.get(), &st), 0);
    return serve::file_response({method, "/a.txt", "HTTP/1.1", std::move(headers)}, std::move(fd), st, "a.txt");
  }

  static constexpr const char *kText = "0123456789abcdefghijklmnopqrstuvwxyz";  // 36 bytes
  fs::path dir_;
};

TEST_F(ServeFileResponse, MultipartBodyAndLength) {
  const serve::Response r = respond("GET", {{"Range", "bytes=0-3,10-12,-2"}});
  EXPECT_EQ(r.status, 206);
  const std::string type = header(r, "Content-Type");
  const std::string prefix = "multipart/byteranges; boundary=";
  ASSERT_EQ(type.rfind(prefix, 0), 0u) << type;
  const std::string b = type.substr(prefix.size());
  EXPECT_EQ(b.size(), 32u);
  EXPECT_EQ(header(r, "Content-Range"), "");  // only in the parts
  EXPECT_EQ(header(r, "Accept-Ranges"), "bytes");
  const std::string part_type = "\r\nContent-Type: text/plain; charset=utf-8\r\n";
  const std::string expected = "\r\n--" + b + part_type + "Content-Range: bytes 0-3/36\r\n\r\n0123" +   //
                               "\r\n--" + b + part_type + "Content-Range: bytes 10-12/36\r\n\r\nabc" +  //
                               "\r\n--" + b + part_type + "Content-Range: bytes 34-35/36\r\n\r\nyz" +   //
                               "\r\n--" + b + "--\r\n";
  EXPECT_EQ(body_of(r), expected);
  EXPECT_EQ(serve::body_length(r), static_cast<int64_t>(expected.size()));
  EXPECT_EQ(serve::body_length(r), 383);  // 110 + 112 + 112 bytes of part heads, 9 of the file's, 40 to close

  // HEAD: the same status, type and length (a boundary of its own).
  const serve::Response h = respond("HEAD", {{"Range", "bytes=0-3,10-12,-2"}});
  EXPECT_EQ(h.status, 206);
  EXPECT_EQ(header(h, "Content-Type").rfind(prefix, 0), 0u);
  EXPECT_NE(header(h, "Content-Type"), type);
  EXPECT_EQ(serve::body_length(h), serve::body_length(r));

  // Every part from its segment of the file, in the order asked.
  const std::vector<serve::BodySegment> parts =
      serve::multipart_segments({{30, 35}, {1, 1}}, 36, "video/mp4", "BOUNDARY0123456789abcdef");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].text,
            "\r\n--BOUNDARY0123456789abcdef\r\nContent-Type: video/mp4\r\nContent-Range: bytes 30-35/36\r\n\r\n");
  EXPECT_EQ(parts[0].file_offset, 30);
  EXPECT_EQ(parts[0].file_length, 6);
  EXPECT_EQ(parts[1].file_offset, 1);
  EXPECT_EQ(parts[1].file_length, 1);
  EXPECT_EQ(parts[2].text, "\r\n--BOUNDARY0123456789abcdef--\r\n");
  EXPECT_EQ(parts[2].file_length, 0);
}

TEST_F(ServeFileResponse, SingleRangeWholeAndUnsatisfiable) {
  serve::Response one = respond("GET", {{"Range", "bytes=40-,5-9"}});
  EXPECT_EQ(one.status, 206);
  EXPECT_EQ(header(one, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(header(one, "Content-Range"), "bytes 5-9/36");
  EXPECT_EQ(body_of(one), "56789");
  EXPECT_EQ(serve::body_length(one), 5);
  EXPECT_EQ(respond("HEAD", {{"Range", "bytes=5-9"}}).status, 206);

  for (const char *whole : {"bytes=0-9,5-14", "bytes=20-29,0-9", "bytes=0-9,x"}) {
    serve::Response r = respond("GET", {{"Range", whole}});
    EXPECT_EQ(r.status, 200) << whole;
    EXPECT_EQ(body_of(r), kText) << whole;
    EXPECT_EQ(serve::body_length(r), 36) << whole;
  }
  // If-Range that does not hold: the whole file.
  serve::Response stale = respond("GET", {{"Range", "bytes=0-3,10-12"}, {"If-Range", "\"stale\""}});
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(body_of(stale), kText);

  serve::Response none = respond("GET", {{"Range", "bytes=36-,100-200"}});
  EXPECT_EQ(none.status, 416);
  EXPECT_EQ(header(none, "Content-Range"), "bytes */36");
}

http::ParsedRequest request_with(std::vector<http::Header> headers) {
  return {"GET", "/", "HTTP/1.1", std::move(headers)};
}

TEST(ServeValidators, EtagsAndDates) {
  struct stat st {};
  st.st_size = 0x1234;
  st.st_mtim.tv_sec = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  st.st_mtim.tv_nsec = 5;
  const serve::Validators v = serve::validators_of(st);
  EXPECT_EQ(v.etag, "\"1234-ae1b981bc490a05\"");
  EXPECT_EQ(v.last_modified, 784111777);
  const std::string date = "Sun, 06 Nov 1994 08:49:37 GMT";
  EXPECT_TRUE(serve::not_modified(request_with({{"If-None-Match", v.etag}}), v));
  EXPECT_TRUE(serve::not_modified(request_with({{"if-none-match", "\"x\" , W/" + v.etag}}), v));
  EXPECT_TRUE(serve::not_modified(request_with({{"If-None-Match", "*"}}), v));
  EXPECT_FALSE(serve::not_modified(request_with({{"If-None-Match", "\"x\""}}), v));
  EXPECT_TRUE(serve::not_modified(request_with({{"If-Modified-Since", date}}), v));
  EXPECT_TRUE(serve::not_modified(request_with({{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:38 GMT"}}), v));
  EXPECT_FALSE(serve::not_modified(request_with({{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:36 GMT"}}), v));
  EXPECT_FALSE(serve::not_modified(request_with({{"If-Modified-Since", "garbage"}}), v));
  EXPECT_FALSE(serve::not_modified(request_with({{"If-None-Match", "\"x\""}, {"If-Modified-Since", date}}), v));
  EXPECT_FALSE(serve::not_modified(request_with({}), v));
  EXPECT_TRUE(serve::if_range_holds(v.etag, v));
  EXPECT_TRUE(serve::if_range_holds(date, v));
  EXPECT_FALSE(serve::if_range_holds("W/" + v.etag, v));
  EXPECT_FALSE(serve::if_range_holds("\"other\"", v));
  EXPECT_FALSE(serve::if_range_holds("Sun, 06 Nov 1994 08:49:38 GMT", v));
  EXPECT_FALSE(serve::if_range_holds("", v));
}

TEST(ServeMime, ByExtension) {
  EXPECT_EQ(serve::mime_type_for("a.mp4"), "video/mp4");
  EXPECT_EQ(serve::mime_type_for("A.MP4"), "video/mp4");
  EXPECT_EQ(serve::mime_type_for("x.tar.opus"), "audio/ogg");
  EXPECT_EQ(serve::mime_type_for("seg.ts"), "video/mp2t");
  EXPECT_EQ(serve::mime_type_for("list.m3u8"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(serve::mime_type_for("manifest.mpd"), "application/dash+xml");
  EXPECT_EQ(serve::mime_type_for("noext"), "application/octet-stream");
  EXPECT_EQ(serve::mime_type_for("trailing."), "application/octet-stream");
  EXPECT_EQ(serve::mime_type_for(".mp4x"), "application/octet-stream");
}

TEST(ServeListing, Escaping) {
  EXPECT_EQ(serve::html_escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(serve::percent_encode("a b/c%?#:\xc3\xa9~-._"), "a%20b%2Fc%25%3F%23%3A%C3%A9~-._");
}

TEST(ServePath, Segments) {
  auto s = serve::path_segments("/a//./b/c/");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(serve::path_segments("/")->empty());
  EXPECT_EQ(serve::path_segments("/a/../b").error().code(), avio::kHttpForbidden);
  EXPECT_EQ(serve::path_segments("/..").error().code(), avio::kHttpForbidden);
  EXPECT_TRUE(serve::path_segments("/a..b/...").ok());  // only a whole '..' segment
}

class ServeRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "avio-serve-unit-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    outer_ = templ;
    fs::create_directories(outer_ / "root/dir");
    std::ofstream(outer_ / "root/file") << "f";
    std::ofstream(outer_ / "secret") << "s";
    fs::create_symlink("../secret", outer_ / "root/out");
    fs::create_symlink("file", outer_ / "root/in");
    fs::create_symlink(outer_, outer_ / "root/up");
    ::mkfifo((outer_ / "root/fifo").c_str(), 0644);
  }
  void TearDown() override { fs::remove_all(outer_); }
  fs::path outer_;
};

TEST_F(ServeRoot, ReadsStayInside) {
  auto root = serve::DocumentRoot::open((outer_ / "root").string());
  ASSERT_TRUE(root.ok()) << root.error().message();
  EXPECT_TRUE(root->open_for_read("/file").ok());
  EXPECT_TRUE(root->open_for_read("/in").ok());
  EXPECT_TRUE(root->open_for_read("/").ok());
  EXPECT_TRUE(S_ISDIR(root->open_for_read("/dir/")->st.st_mode));
  EXPECT_EQ(root->open_for_read("/out").error().code(), avio::kHttpForbidden);
  EXPECT_EQ(root->open_for_read("/up/secret").error().code(), avio::kHttpForbidden);
  EXPECT_TRUE(root->open_for_read("/up/root/file").ok());  // out and back in: its real path is inside
  EXPECT_EQ(root->open_for_read("/../secret").error().code(), avio::kHttpForbidden);
  EXPECT_EQ(root->open_for_read("/missing").error().code(), -ENOENT);
  EXPECT_EQ(root->open_for_read("/file/x").error().code(), -ENOTDIR);
  EXPECT_EQ(root->open_for_read("/fifo").error().code(), avio::kHttpForbidden);  // and it did not block
}

TEST_F(ServeRoot, WritesStayInside) {
  auto root = serve::DocumentRoot::open((outer_ / "root").string());
  ASSERT_TRUE(root.ok());
  auto d = root->open_for_write("/dir/new");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->name, "new");
  EXPECT_FALSE(d->exists);
  EXPECT_TRUE(root->open_for_write("/file")->exists);
  EXPECT_EQ(root->open_for_write("/in").error().code(), avio::kHttpForbidden);  // a link, even inside
  EXPECT_EQ(root->open_for_write("/up/x").error().code(), avio::kHttpForbidden);
  EXPECT_EQ(root->open_for_write("/dir").error().code(), -EISDIR);
  EXPECT_EQ(root->open_for_write("/dir/").error().code(), -EISDIR);
  EXPECT_EQ(root->open_for_write("/").error().code(), -EISDIR);
  EXPECT_EQ(root->open_for_write("/fifo").error().code(), avio::kHttpForbidden);
  EXPECT_EQ(root->open_for_write("/nodir/x").error().code(), -ENOENT);
  EXPECT_EQ(root->open_for_write("/../x").error().code(), avio::kHttpForbidden);
}

TEST(ServeLog, CommonLogFormat) {
  serve::AccessEntry e{"127.0.0.1", 784111777, "GET /a\"b\\c\x01\xff HTTP/1.1",
                       206,         1024,      std::chrono::microseconds(4500)};
  EXPECT_EQ(serve::format_access_line(e),
            "127.0.0.1 - - [06/Nov/1994:08:49:37 +0000] \"GET /a\\\"b\\\\c\\x01\\xff HTTP/1.1\" 206 1024 0.004\n");
}

TEST(ServeListen, Addresses) {
  auto a = serve::parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  a = serve::parse_listen_address("[::1]:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  EXPECT_EQ(serve::url_host("::1"), "[::1]");
  EXPECT_EQ(serve::parse_listen_address("localhost:443")->host, "localhost");
  for (const char *bad : {"8080", ":8080", "h:", "h:x", "h:65536", "h:-1", "::1:80", "[::1:80", "h:80x"})
    EXPECT_FALSE(serve::parse_listen_address(bad).ok()) << bad;
}

TEST(ServeBudget, CallbackAsksTheWaitingThread) {
  auto draining = std::make_shared<std::atomic<bool>>(false);
  const auto callback = serve::WaitBudget::callback(draining);
  serve::WaitBudget::clear();
  EXPECT_FALSE(callback());
  serve::WaitBudget::set(avio::Deadline::after(std::chrono::milliseconds(-1)));
  EXPECT_TRUE(callback());
  EXPECT_TRUE(serve::WaitBudget::expired());
  bool other_thread = true;
  std::thread([&] { other_thread = callback(); }).join();  // another thread's budget is its own
  EXPECT_FALSE(other_thread);
  serve::WaitBudget::set_after(std::chrono::seconds(10), /*idle=*/true);
  EXPECT_FALSE(callback());
  draining->store(true);
  EXPECT_TRUE(callback());  // an idle wait ends when the server drains
  serve::WaitBudget::set_after(std::chrono::seconds(10));
  EXPECT_FALSE(callback());  // a transfer does not
  serve::WaitBudget::clear();
}

TEST(ServePool, BoundedQueueAndStop) {
  std::atomic<int> served{0};
  std::atomic<bool> release{false};
  {
    serve::WorkerPool pool(2, 3, [&](std::unique_ptr<avio::UrlContext>) {
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ++served;
    });
    // Two workers busy, three queued: the queue is full.
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(pool.wait_for_room());
      ASSERT_TRUE(pool.push(nullptr));
      if (i < 2)
        while (pool.queued() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(pool.queued(), 3u);
    std::atomic<bool> room{false};
    std::thread waiter([&] { room = pool.wait_for_room(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(room);  // still waiting
    EXPECT_FALSE(pool.wait_idle(std::chrono::steady_clock::now() + std::chrono::milliseconds(20)));
    release = true;
    waiter.join();
    EXPECT_TRUE(room);
    EXPECT_TRUE(pool.wait_idle(std::chrono::steady_clock::now() + std::chrono::seconds(10)));
    EXPECT_EQ(served, 5);
    // Closed: no more, and a waiter for room is let go.
    pool.close();
    EXPECT_FALSE(pool.wait_for_room());
    EXPECT_FALSE(pool.push(nullptr));
  }
  EXPECT_EQ(served, 5);
}

}  // namespace
