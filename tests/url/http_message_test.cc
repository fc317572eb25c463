// The HTTP/1.1 message layer: response heads, request heads and paths (the
// server side), header helpers, the chunked decoder and the header-injection
// checks (src/url/protocols/http/message.hpp).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "protocols/http/message.hpp"

namespace {

using avio::kInvalidData;
using avio::protocols::http::accepts_byte_ranges;
using avio::protocols::http::check_header_name;
using avio::protocols::http::check_header_value;
using avio::protocols::http::ChunkedDecoder;
using avio::protocols::http::content_length;
using avio::protocols::http::decode_request_path;
using avio::protocols::http::find_head_end;
using avio::protocols::http::format_http_date;
using avio::protocols::http::HeadLimits;
using avio::protocols::http::parse_content_range;
using avio::protocols::http::parse_header_block;
using avio::protocols::http::parse_http_date;
using avio::protocols::http::parse_request_head;
using avio::protocols::http::parse_response_head;
using avio::protocols::http::parse_retry_after;
using avio::protocols::http::ParsedRequest;
using avio::protocols::http::request_error_status;
using avio::protocols::http::RequestHead;
using avio::protocols::http::ResponseHead;
using avio::protocols::http::retry_after_seconds;
using avio::protocols::http::serialize_request_head;
using avio::protocols::http::serialize_response_head;
using avio::protocols::http::transfer_encoding_chunked;

ResponseHead parse_ok(std::string_view bytes) {
  auto r = parse_response_head(bytes);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : ResponseHead{};
}

// The error detail of a rejected head (and checks the code).
std::string parse_error(std::string_view bytes, const HeadLimits &limits = {}) {
  auto r = parse_response_head(bytes, limits);
  EXPECT_FALSE(r.ok()) << "accepted: " << bytes;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code(), kInvalidData);
  return std::string(r.error().detail());
}

ResponseHead head_with(const std::vector<std::pair<std::string, std::string>> &headers) {
  ResponseHead h;
  h.http_version = "HTTP/1.1";
  h.status = 200;
  for (const auto &[n, v] : headers) h.headers.push_back({n, v});
  return h;
}

// Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example date).
constexpr int64_t kRfcDate = 784111777;

TEST(HttpHead, Nginx200) {
  const std::string bytes =
      "HTTP/1.1 200 OK\r\n"
      "Server: nginx/1.22.1\r\n"
      "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
      "Content-Type: video/mp4\r\n"
      "Content-Length: 1048576\r\n"
      "Last-Modified: Sat, 05 Nov 1994 08:49:37 GMT\r\n"
      "Connection: keep-alive\r\n"
      "ETag: \"6365ab21-100000\"\r\n"
      "Accept-Ranges: bytes\r\n"
      "\r\n";
  EXPECT_EQ(find_head_end(bytes), bytes.size());
  const ResponseHead h = parse_ok(bytes);
  EXPECT_EQ(h.http_version, "HTTP/1.1");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.reason, "OK");
  ASSERT_EQ(h.headers.size(), 8u);
  EXPECT_EQ(h.headers[0].name, "Server");
  EXPECT_EQ(h.headers[0].value, "nginx/1.22.1");
  EXPECT_EQ(h.find("content-type").value_or(""), "video/mp4");
  EXPECT_EQ(h.find("ETAG").value_or(""), "\"6365ab21-100000\"");
  EXPECT_FALSE(h.find("Location").has_value());
  EXPECT_EQ(content_length(h).value_or(-2), 1048576);
  EXPECT_TRUE(accepts_byte_ranges(h));
  EXPECT_FALSE(transfer_encoding_chunked(h));
  EXPECT_EQ(retry_after_seconds(h, 0), -1);
}

TEST(HttpHead, PartialContent206) {
  const ResponseHead h = parse_ok(
      "HTTP/1.1 206 Partial Content\r\n"
      "Content-Range: bytes 100-199/1000\r\n"
      "Content-Length: 100\r\n"
      "\r\n");
  EXPECT_EQ(h.status, 206);
  EXPECT_EQ(h.reason, "Partial Content");
  auto range = parse_content_range(h.find("Content-Range").value_or(""));
  ASSERT_TRUE(range.ok()) << range.error().message();
  EXPECT_EQ(range->first, 100);
  EXPECT_EQ(range->last, 199);
  EXPECT_EQ(range->complete_length, 1000);
  EXPECT_EQ(content_length(h).value_or(-2), 100);
  EXPECT_FALSE(accepts_byte_ranges(h));
}

TEST(HttpHead, Redirect301) {
  const ResponseHead h = parse_ok(
      "HTTP/1.1 301 Moved Permanently\r\n"
      "Location: https://example.com/new/path?x=1\r\n"
      "Content-Length: 0\r\n"
      "\r\n");
  EXPECT_EQ(h.status, 301);
  EXPECT_EQ(h.find("location").value_or(""), "https://example.com/new/path?x=1");
  EXPECT_EQ(content_length(h).value_or(-2), 0);
}

TEST(HttpHead, RangeNotSatisfiable416) {
  const ResponseHead h = parse_ok(
      "HTTP/1.1 416 Range Not Satisfiable\r\n"
      "Content-Range: bytes */47022\r\n"
      "\r\n");
  EXPECT_EQ(h.status, 416);
  auto range = parse_content_range(h.find("Content-Range").value_or(""));
  ASSERT_TRUE(range.ok()) << range.error().message();
  EXPECT_EQ(range->first, -1);
  EXPECT_EQ(range->last, -1);
  EXPECT_EQ(range->complete_length, 47022);
}

TEST(HttpHead, Chunked) {
  const ResponseHead h = parse_ok(
      "HTTP/1.1 200 OK\r\n"
      "Transfer-Encoding: chunked\r\n"
      "Retry-After: 120\r\n"
      "\r\n");
  EXPECT_TRUE(transfer_encoding_chunked(h));
  EXPECT_EQ(content_length(h).value_or(-2), -1);
  EXPECT_EQ(retry_after_seconds(h, 0), 120);
}

TEST(HttpHead, BareLfLinesNoReasonAndValueTrimming) {
  const std::string bytes = "HTTP/1.0 204\nX-A:\t v a l \t\nX-Empty:\nx-a: second\n\n";
  EXPECT_EQ(find_head_end(bytes), bytes.size());
  const ResponseHead h = parse_ok(bytes);
  EXPECT_EQ(h.http_version, "HTTP/1.0");
  EXPECT_EQ(h.status, 204);
  EXPECT_EQ(h.reason, "");
  ASSERT_EQ(h.headers.size(), 3u);
  EXPECT_EQ(h.headers[0].value, "v a l");
  EXPECT_EQ(h.headers[1].value, "");
  EXPECT_EQ(h.headers[2].name, "x-a");
  EXPECT_EQ(h.find_all("X-A"), (std::vector<std::string_view>{"v a l", "second"}));
  // Mixed line ends, and a head with no headers.
  EXPECT_EQ(parse_ok("HTTP/1.1 200 OK\r\n\n").status, 200);
  EXPECT_EQ(parse_ok("HTTP/1.1 200 OK\n\r\n").status, 200);
  EXPECT_EQ(parse_ok("HTTP/1.1 999 \r\n\r\n").reason, "");
}

TEST(HttpHead, FindHeadEnd) {
  EXPECT_EQ(find_head_end(""), std::string_view::npos);
  EXPECT_EQ(find_head_end("HTTP/1.1 200 OK\r\n"), std::string_view::npos);
  EXPECT_EQ(find_head_end("HTTP/1.1 200 OK\r\nA: b\r\n\r"), std::string_view::npos);
  EXPECT_EQ(find_head_end("HTTP/1.1 200 OK\r\n\r\nbody"), 19u);
  EXPECT_EQ(find_head_end("HTTP/1.1 200 OK\n\nbody"), 17u);
  EXPECT_EQ(find_head_end("\r\n\r\n"), 4u);
}

TEST(HttpHead, StatusLineErrors) {
  EXPECT_EQ(parse_error("HTP/1.1 200\r\n\r\n"), "http: malformed status line 'HTP/1.1 200'");
  for (const char *line : {"HTTP/1.1", "HTTP/1.1 20", "HTTP/1.1 2000 OK", "HTTP/1.1  200 OK", "HTTP/11 200 OK",
                           "HTTP/2 200", "http/1.1 200 OK", "HTTP/1.1 20a OK", "ICY 200 OK"}) {
    const std::string detail = parse_error(std::string(line) + "\r\n\r\n");
    EXPECT_EQ(detail, "http: malformed status line '" + std::string(line) + "'");
  }
  EXPECT_EQ(parse_error("HTTP/1.1\t200 OK\r\n\r\n"), "http: malformed status line 'HTTP/1.1\\x09200 OK'");
  EXPECT_EQ(parse_error("HTTP/1.1 099 Low\r\n\r\n"), "http: status code 99 out of range in 'HTTP/1.1 099 Low'");
  EXPECT_EQ(parse_error("\r\n\r\n"), "http: empty status line");
  EXPECT_EQ(parse_error(std::string("HTTP/1.1 200 O\x01K\r\n\r\n")),
            "http: control character in the reason phrase of 'HTTP/1.1 200 O\\x01K'");
  // A long line is cut in the message.
  const std::string detail = parse_error("XTTP/1.1 200 " + std::string(200, 'a') + "\r\n\r\n");
  EXPECT_NE(detail.find("...'"), std::string::npos);
  EXPECT_LT(detail.size(), 120u);
}

TEST(HttpHead, HeaderLineErrors) {
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n"), "http: header line without ':' 'NoColonHere'");
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\n: value\r\n\r\n"), "http: header line with an empty name ': value'");
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n"),
            "http: invalid character in the header name 'Content-Length '");
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\nX(y): 5\r\n\r\n"), "http: invalid character in the header name 'X(y)'");
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\n\r\n"),
            "http: obsolete line folding (a header line starting with whitespace) ' two'");
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\nX-A: one\r\n\ttwo\r\n\r\n"),
            "http: obsolete line folding (a header line starting with whitespace) '\\x09two'");
  EXPECT_EQ(parse_error(std::string("HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n", 29)),
            "http: control character in the value of header 'X-A'");
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n"),
            "http: control character in the value of header 'X-A'");
}

TEST(HttpHead, Limits) {
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 100; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(parse_ok(many + "\r\n").headers.size(), 100u);
  EXPECT_EQ(parse_error(many + "X-100: v\r\n\r\n"), "http: response head has more than 100 headers");
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\nA: b\r\nC: d\r\n\r\n", {.max_headers = 1}),
            "http: response head has more than 1 headers");

  const std::string long_value(8192 - 3, 'v');
  EXPECT_EQ(parse_ok("HTTP/1.1 200 OK\r\nX: " + long_value + "\r\n\r\n").headers[0].value.size(), long_value.size());
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\nX: " + long_value + "v\r\n\r\n"), "http: header line exceeds 8192 bytes");
  EXPECT_EQ(parse_error("HTTP/1.1 200 " + std::string(8192, 'r') + "\r\n\r\n"), "http: status line exceeds 8192 bytes");

  std::string big = "HTTP/1.1 200 OK\r\n";
  while (big.size() < 65536) big += "X-Filler: " + std::string(1000, 'f') + "\r\n";
  EXPECT_EQ(parse_error(big + "\r\n", {.max_headers = 1000}), "http: response head exceeds 65536 bytes");
  EXPECT_EQ(parse_error(big), "http: response head exceeds 65536 bytes");  // incomplete and too big
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\n\r\n", {.max_head_bytes = 18}), "http: response head exceeds 18 bytes");
  EXPECT_EQ(parse_ok("HTTP/1.1 200 OK\r\n\r\n").status, 200);
}

TEST(HttpHead, IncompleteOrTrailingBytes) {
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\n"), "http: response head is incomplete (no blank line at its end)");
  EXPECT_EQ(parse_error(""), "http: response head is incomplete (no blank line at its end)");
  EXPECT_EQ(parse_error("HTTP/1.1 200 OK\r\n\r\nbody"),
            "http: 4 bytes follow the blank line that ends the response head");
}

TEST(HttpHeaders, ContentLength) {
  EXPECT_EQ(content_length(head_with({})).value_or(-2), -1);
  EXPECT_EQ(content_length(head_with({{"content-length", "42"}})).value_or(-2), 42);
  EXPECT_EQ(content_length(head_with({{"Content-Length", "42"}, {"Content-Length", "42"}})).value_or(-2), 42);
  EXPECT_EQ(content_length(head_with({{"Content-Length", "42, 42"}})).value_or(-2), 42);
  EXPECT_EQ(content_length(head_with({{"Content-Length", "9223372036854775807"}})).value_or(-2), INT64_MAX);
  struct Bad {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string detail;
  };
  const std::vector<Bad> bad = {
      {{{"Content-Length", "42"}, {"Content-Length", "43"}}, "http: conflicting Content-Length values 42 and 43"},
      {{{"Content-Length", "42, 7"}}, "http: conflicting Content-Length values 42 and 7"},
      {{{"Content-Length", "+5"}}, "http: invalid Content-Length '+5'"},
      {{{"Content-Length", "-1"}}, "http: invalid Content-Length '-1'"},
      {{{"Content-Length", "0x10"}}, "http: invalid Content-Length '0x10'"},
      {{{"Content-Length", "1 2"}}, "http: invalid Content-Length '1 2'"},
      {{{"Content-Length", "9223372036854775808"}}, "http: invalid Content-Length '9223372036854775808'"},
      {{{"Content-Length", ""}}, "http: empty Content-Length"},
      {{{"Content-Length", ","}}, "http: invalid Content-Length ','"},
  };
  for (const Bad &b : bad) {
    auto r = content_length(head_with(b.headers));
    ASSERT_FALSE(r.ok()) << b.detail;
    EXPECT_EQ(r.error().code(), kInvalidData);
    EXPECT_EQ(r.error().detail(), b.detail);
  }
}

TEST(HttpHeaders, TransferEncoding) {
  EXPECT_TRUE(transfer_encoding_chunked(head_with({{"Transfer-Encoding", "Chunked"}})));
  EXPECT_TRUE(transfer_encoding_chunked(head_with({{"Transfer-Encoding", "gzip, chunked"}})));
  EXPECT_TRUE(transfer_encoding_chunked(head_with({{"Transfer-Encoding", "gzip"}, {"transfer-encoding", "chunked"}})));
  EXPECT_FALSE(transfer_encoding_chunked(head_with({{"Transfer-Encoding", "chunked, gzip"}})));
  EXPECT_FALSE(transfer_encoding_chunked(head_with({{"Transfer-Encoding", "identity"}})));
  EXPECT_FALSE(transfer_encoding_chunked(head_with({{"Transfer-Encoding", "chunkedx"}})));
  EXPECT_FALSE(transfer_encoding_chunked(head_with({})));
}

TEST(HttpHeaders, ContentRange) {
  auto r = parse_content_range("bytes 0-0/1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, 0);
  EXPECT_EQ(r->last, 0);
  EXPECT_EQ(r->complete_length, 1);
  r = parse_content_range("  BYTES 5-9/*  ");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, 5);
  EXPECT_EQ(r->last, 9);
  EXPECT_EQ(r->complete_length, -1);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "not a byte range"},
      {"items 1-2/3", "not a byte range"},
      {"bytes", "not a byte range"},
      {"bytes 1-2", "no '/'"},
      {"bytes 1-2/x", "the complete length is not a decimal number"},
      {"bytes */*", "neither a range nor a complete length"},
      {"bytes 12/30", "no '-' in the range"},
      {"bytes -2/30", "the range bounds are not decimal numbers"},
      {"bytes 1-/30", "the range bounds are not decimal numbers"},
      {"bytes 1 - 2/30", "the range bounds are not decimal numbers"},
      {"bytes 5-4/30", "the first byte is after the last"},
      {"bytes 0-30/30", "the range ends beyond the complete length"},
  };
  for (const auto &[value, why] : bad) {
    auto e = parse_content_range(value);
    ASSERT_FALSE(e.ok()) << value;
    EXPECT_EQ(e.error().code(), kInvalidData);
    EXPECT_EQ(e.error().detail(), "http: invalid Content-Range '" + value + "': " + why);
  }
}

TEST(HttpHeaders, AcceptRanges) {
  EXPECT_TRUE(accepts_byte_ranges(head_with({{"accept-ranges", "Bytes"}})));
  EXPECT_TRUE(accepts_byte_ranges(head_with({{"Accept-Ranges", "none, bytes"}})));
  EXPECT_FALSE(accepts_byte_ranges(head_with({{"Accept-Ranges", "none"}})));
  EXPECT_FALSE(accepts_byte_ranges(head_with({{"Accept-Ranges", "bytesx"}})));
}

TEST(HttpHeaders, RetryAfter) {
  EXPECT_EQ(parse_retry_after("0", 0), 0);
  EXPECT_EQ(parse_retry_after(" 120 ", 5), 120);
  EXPECT_EQ(parse_retry_after("99999999999999999999999", 0), INT64_MAX);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kRfcDate - 30), 30);
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", kRfcDate - 31), 31);
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:37 1994", kRfcDate - 32), 32);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kRfcDate + 100), 0);  // already past
  for (const char *bad :
       {"", "-5", "12s", "1.5", "soon", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Xyz 1994 08:49:37 GMT"})
    EXPECT_EQ(parse_retry_after(bad, 0), -1) << bad;
  EXPECT_EQ(retry_after_seconds(head_with({{"Retry-After", "7"}}), 0), 7);
  EXPECT_EQ(retry_after_seconds(head_with({{"Retry-After", "x"}}), 0), -1);
  EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT").value_or(-1), 0);
  EXPECT_EQ(parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT").value_or(-1), 951782400);
  EXPECT_FALSE(parse_http_date("Thu, 29 Feb 2001 00:00:00 GMT").has_value());
  EXPECT_EQ(parse_http_date("Friday, 01-Jan-38 00:00:00 GMT").value_or(-1), 2145916800);
}

// Decodes `encoded` fed in pieces cut at `cuts`, through an output buffer of
// `out_size` bytes. Returns the body, or the error's detail prefixed by "!".
std::string decode(std::string_view encoded, const std::vector<size_t> &cuts, size_t out_size = 4096,
                   size_t *left = nullptr) {
  ChunkedDecoder d;
  std::string body;
  std::vector<uint8_t> out(out_size);
  size_t start = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(encoded.size());
  for (const size_t end : ends) {
    std::span<const uint8_t> in(reinterpret_cast<const uint8_t *>(encoded.data()) + start, end - start);
    while (!in.empty() && !d.done()) {
      size_t consumed = 0;
      auto r = d.decode(in, &consumed, out);
      if (!r.ok()) return "!" + std::string(r.error().detail());
      EXPECT_LE(*r, consumed);
      body.append(reinterpret_cast<const char *>(out.data()), *r);
      in = in.subspan(consumed);
      if (*r == 0 && consumed == 0) break;
    }
    if (d.done()) {
      if (left) *left = encoded.size() - (end - in.size());
      break;
    }
    start = end;
  }
  if (!d.done()) return "!unfinished";
  EXPECT_EQ(d.body_bytes(), static_cast<int64_t>(body.size()));
  return body;
}

std::string decode_whole(std::string_view encoded) { return decode(encoded, {}); }

const std::string kBody = "Wikipedia in\r\n\r\nchunks. And then some more bytes.";
const std::string kEncoded =
    "4\r\nWiki\r\n"
    "5;name=value;x\r\npedia\r\n"
    "000E \t; ext\r\n in\r\n\r\nchunks.\r\n"
    "1a\r\n And then some more bytes.\r\n"
    "0\r\n"
    "Expires: never\r\n"
    "X-Checksum: abc\r\n"
    "\r\n";

TEST(HttpChunked, WholeAndEverySplit) {
  EXPECT_EQ(decode_whole(kEncoded), kBody);
  for (size_t cut = 0; cut <= kEncoded.size(); ++cut) EXPECT_EQ(decode(kEncoded, {cut}), kBody) << "cut at " << cut;
  for (size_t a = 0; a <= kEncoded.size(); a += 3)
    for (size_t b = a; b <= kEncoded.size(); b += 5) EXPECT_EQ(decode(kEncoded, {a, b}), kBody) << a << "," << b;
}

TEST(HttpChunked, OneByteAtATimeAndTinyOutput) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < kEncoded.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(decode(kEncoded, cuts), kBody);
  EXPECT_EQ(decode(kEncoded, cuts, 1), kBody);
  EXPECT_EQ(decode(kEncoded, {}, 1), kBody);
  EXPECT_EQ(decode(kEncoded, {}, 3), kBody);
}

TEST(HttpChunked, BareLfAndNoTrailer) {
  EXPECT_EQ(decode_whole("3\nabc\n0\n\n"), "abc");
  EXPECT_EQ(decode_whole("0\r\n\r\n"), "");
  EXPECT_EQ(decode_whole("A\r\n0123456789\r\n0\r\n\r\n"), "0123456789");
}

TEST(HttpChunked, StopsAtTheEnd) {
  size_t left = 0;
  EXPECT_EQ(decode("3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n", {}, 4096, &left), "abc");
  EXPECT_EQ(left, 17u);
  ChunkedDecoder d;
  const std::string_view all = "0\r\n\r\nmore";
  std::vector<uint8_t> out(8);
  size_t consumed = 99;
  auto r = d.decode(std::span(reinterpret_cast<const uint8_t *>(all.data()), all.size()), &consumed, out);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 0u);
  EXPECT_EQ(consumed, 5u);
  EXPECT_TRUE(d.done());
  r = d.decode(std::span(reinterpret_cast<const uint8_t *>(all.data()) + 5, 4), &consumed, out);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(consumed, 0u);
}

TEST(HttpChunked, Errors) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"\r\n", "invalid chunk size: '\\x0d' is not a hex digit"},
      {"g\r\n", "invalid chunk size: 'g' is not a hex digit"},
      {"-1\r\n", "invalid chunk size: '-' is not a hex digit"},
      {"0x10\r\n", "invalid chunk size: 'x' after the hex digits"},
      {"1 2\r\n", "invalid chunk size: '2' after the hex digits"},
      {"8000000000000000\r\n", "chunk size overflows int64"},
      {"ffffffffffffffffff\r\n", "chunk size overflows int64"},
      {"3\rabc", "CR without LF at the end of a chunk size line"},
      {"3\r\nabcd\r\n", "missing CRLF after chunk data"},
      {"3\r\nabc\rx", "missing CRLF after chunk data (CR without LF)"},
      {std::string("3;a\0b\r\n", 7), "NUL in a chunk extension"},
      {"0\r\nX: y\rz", "CR without LF in the trailer section"},
      {"0\r\n\rz", "CR without LF at the end of the trailer section"},
      {std::string("0\r\nX: \0\r\n", 9), "NUL in a trailer line"},
      {std::string("0\r\n\0", 4), "NUL in a trailer line"},
      {"1;" + std::string(9000, 'e') + "\r\n", "chunk size line exceeds 8192 bytes"},
      {std::string(8193, '0') + "\r\n", "chunk size line exceeds 8192 bytes"},
      {"0\r\nX: " + std::string(9000, 'e') + "\r\n\r\n", "trailer line exceeds 8192 bytes"},
      {"0\r\n" +
           [] {
             std::string t;
             for (int i = 0; i < 100; ++i) t += "X: " + std::string(1000, 't') + "\r\n";
             return t;
           }() +
           "\r\n",
       "trailer section exceeds 65536 bytes"},
  };
  for (const auto &[encoded, why] : bad) {
    const std::string &data = encoded;
    EXPECT_EQ(decode_whole(data), "!http: chunked body: " + why) << data.substr(0, 40);
    std::vector<size_t> cuts;
    for (size_t i = 1; i < data.size() && i < 64; ++i) cuts.push_back(i);
    EXPECT_EQ(decode(data, cuts), "!http: chunked body: " + why) << "bytewise " << data.substr(0, 40);
  }
  // The largest size is accepted (the data never comes here).
  EXPECT_EQ(decode_whole("7fffffffffffffff\r\nabc"), "!unfinished");
}

TEST(HttpChunked, ErrorIsSticky) {
  ChunkedDecoder d;
  std::vector<uint8_t> out(8);
  const std::string_view in = "zz";
  size_t consumed = 0;
  auto span = std::span(reinterpret_cast<const uint8_t *>(in.data()), in.size());
  auto r = d.decode(span, &consumed, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), kInvalidData);
  r = d.decode(span, &consumed, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail(), "http: chunked body: invalid chunk size: 'z' is not a hex digit");
  EXPECT_EQ(consumed, 0u);
  EXPECT_FALSE(d.done());
}

TEST(HttpInjection, HeaderValues) {
  EXPECT_TRUE(check_header_value("user_agent", "Lavf/61.1.100").ok());
  EXPECT_TRUE(check_header_value("referer", "").ok());
  EXPECT_TRUE(check_header_value("cookies", "a=b; c=d\t").ok());
  for (const std::string_view v : {"x\r\nHost: evil", "x\nEvil: 1", "x\r"}) {
    const avio::Status s = check_header_value("user_agent", v);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), -EINVAL);
    EXPECT_EQ(s.error().detail(), "http: the user_agent value contains a line break");
  }
  const avio::Status s = check_header_value("referer", std::string_view("a\0b", 3));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), -EINVAL);
  EXPECT_EQ(s.error().detail(), "http: the referer value contains a NUL byte");
}

TEST(HttpInjection, HeaderNames) {
  for (const std::string_view n : {"X-Custom", "content-type", "a!#$%&'*+-.^_`|~9"})
    EXPECT_TRUE(check_header_name(n).ok()) << n;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "http: empty header name"},
      {"X-A\r\nEvil", "http: the header name 'X-A\\x0d\\x0aEvil' contains a line break"},
      {std::string("X\0A", 3), "http: the header name 'X\\x00A' contains a NUL byte"},
      {"X A", "http: the header name 'X A' contains ' ', which is not a token character"},
      {"X:A", "http: the header name 'X:A' contains ':', which is not a token character"},
      {"X(A)", "http: the header name 'X(A)' contains '(', which is not a token character"},
      {"X\xc3\xa9", "http: the header name 'X\\xc3\\xa9' contains '\\xc3', which is not a token character"},
  };
  for (const auto &[name, detail] : bad) {
    const avio::Status s = check_header_name(name);
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_EQ(s.code(), -EINVAL);
    EXPECT_EQ(s.error().detail(), detail);
  }
}

// The request side: what is written is exactly what was given, and nothing
// that could split or smuggle a line is.
TEST(HttpRequestHead, SerializesCheckedPieces) {
  RequestHead r;
  r.method = "GET";
  r.target = "/media/a%20b.mp4?x=1";
  r.headers = {{"Host", "127.0.0.1:8080"}, {"Range", "bytes=0-"}, {"User-Agent", "avio"}};
  auto head = serialize_request_head(r);
  ASSERT_TRUE(head.ok()) << head.error().message();
  EXPECT_EQ(*head,
            "GET /media/a%20b.mp4?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nRange: bytes=0-\r\nUser-Agent: avio\r\n\r\n");
  // What it writes, the response parser's sibling reads back (the same grammar).
  EXPECT_EQ(find_head_end(*head), head->size());

  RequestHead bad = r;
  bad.method = "GET /x HTTP/1.1\r\nX: y\r\n\r\nGET";
  EXPECT_EQ(serialize_request_head(bad).error().code(), -EINVAL);
  bad = r;
  bad.target = "/a b";
  EXPECT_NE(serialize_request_head(bad).error().detail().find("space or a control character"), std::string::npos);
  bad.target = "/a\r\nInjected: 1";
  EXPECT_EQ(serialize_request_head(bad).error().code(), -EINVAL);
  bad.target = "";
  EXPECT_EQ(serialize_request_head(bad).error().code(), -EINVAL);
  bad = r;
  bad.headers.push_back({"User-Agent", "avio\r\nCookie: stolen=1"});
  auto injected = serialize_request_head(bad);
  ASSERT_FALSE(injected.ok());
  EXPECT_EQ(injected.error().detail(), "http: the User-Agent value contains a line break");
  bad = r;
  bad.headers.push_back({"Bad Name", "x"});
  EXPECT_EQ(serialize_request_head(bad).error().code(), -EINVAL);
}

TEST(HttpRequestHead, HeadersOptionBlock) {
  auto h = parse_header_block("X-A: 1\r\nX-B:two  \nX-C: \t3");  // no final CRLF, a bare LF, spaces
  ASSERT_TRUE(h.ok()) << h.error().message();
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0].name, "X-A");
  EXPECT_EQ((*h)[0].value, "1");
  EXPECT_EQ((*h)[1].value, "two");
  EXPECT_EQ((*h)[2].value, "3");
  EXPECT_TRUE(parse_header_block("").ok());
  EXPECT_TRUE(parse_header_block("\r\n")->empty());
  EXPECT_NE(parse_header_block("no colon here").error().detail().find("without ':'"), std::string::npos);
  EXPECT_NE(parse_header_block("X: a\rb").error().detail().find("stray CR"), std::string::npos);
  EXPECT_EQ(parse_header_block("X Y: 1").error().code(), -EINVAL);
  EXPECT_EQ(parse_header_block(std::string("X: a\0b", 6)).error().code(), -EINVAL);
}

// ---- the server side: request heads, paths, response heads

ParsedRequest request_ok(std::string_view bytes) {
  auto r = parse_request_head(bytes);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : ParsedRequest{};
}

// The refusal of a request head: its status (request_error_status) and detail.
std::pair<int, std::string> request_error(std::string_view bytes, const HeadLimits &limits = {}) {
  auto r = parse_request_head(bytes, limits);
  EXPECT_FALSE(r.ok()) << "accepted: " << bytes;
  if (r.ok()) return {0, ""};
  EXPECT_FALSE(r.error().detail().empty());
  return {request_error_status(r.error()), std::string(r.error().detail())};
}

TEST(HttpRequestParse, CurlGet) {
  const std::string bytes =
      "GET /media/a%20b.mp4?x=1 HTTP/1.1\r\n"
      "Host: 127.0.0.1:8080\r\n"
      "User-Agent: curl/7.88.1\r\n"
      "Accept: */*\r\n"
      "Range: bytes=0-99\r\n"
      "\r\n";
  EXPECT_EQ(find_head_end(bytes), bytes.size());
  const ParsedRequest r = request_ok(bytes);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/media/a%20b.mp4?x=1");
  EXPECT_EQ(r.http_version, "HTTP/1.1");
  ASSERT_EQ(r.headers.size(), 4u);
  EXPECT_EQ(r.find("range").value_or(""), "bytes=0-99");
  EXPECT_EQ(r.find_all("HOST").size(), 1u);
  EXPECT_EQ(content_length(r).value_or(-2), -1);
  EXPECT_FALSE(transfer_encoding_chunked(r));
}

TEST(HttpRequestParse, BodiesHttp10AndOtherForms) {
  ParsedRequest r = request_ok("PUT /up HTTP/1.1\nHost: h\nContent-Length: 5\n\n");  // bare LFs
  EXPECT_EQ(content_length(r).value_or(-2), 5);
  r = request_ok("PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
  EXPECT_TRUE(transfer_encoding_chunked(r));
  // HTTP/1.0 needs no Host; the absolute, asterisk and authority forms parse.
  EXPECT_EQ(request_ok("GET / HTTP/1.0\r\n\r\n").http_version, "HTTP/1.0");
  EXPECT_EQ(request_ok("GET http://h/x HTTP/1.1\r\nHost: h\r\n\r\n").target, "http://h/x");
  EXPECT_EQ(request_ok("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").target, "*");
  EXPECT_EQ(request_ok("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n").method, "CONNECT");
}

TEST(HttpRequestParse, MalformedIs400) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GET /\r\nHost: h\r\n\r\n", "not three parts"},
      {"GET  / HTTP/1.1\r\nHost: h\r\n\r\n", "an empty target"},
      {"GET / HTTP/1.1 \r\nHost: h\r\n\r\n", "malformed HTTP version"},
      {"G(T / HTTP/1.1\r\nHost: h\r\n\r\n", "not a token"},
      {" GET / HTTP/1.1\r\nHost: h\r\n\r\n", "an empty method"},
      {"GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", "control or non-ASCII"},
      {"GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", "control or non-ASCII"},
      {"GET / http/1.1\r\nHost: h\r\n\r\n", "malformed HTTP version"},
      {"GET / HTTP/1.10\r\nHost: h\r\n\r\n", "malformed HTTP version"},
      {"\r\n\r\n", "empty request line"},
      {"GET / HTTP/1.1\r\n\r\n", "without Host"},
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "2 Host headers"},
      {"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", "2 Host headers"},
      {"GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded\r\n\r\n", "obsolete line folding"},
      {"GET / HTTP/1.1\r\nHost : h\r\n\r\n", "invalid character in the header name"},
      {"GET / HTTP/1.1\r\nHost: h\r\nNo colon\r\n\r\n", "without ':'"},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: a\x01\r\n\r\n", "control character in the value"},
      {"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 2\r\n\r\n", "conflicting Content-Length"},
      {"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"},
      {"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       "both Transfer-Encoding and Content-Length"},
      {"PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "not chunked"},
      {"GET / HTTP/1.1\r\nHost: h\r\n", "incomplete"},
      {"GET / HTTP/1.1\r\nHost: h\r\n\r\nGET", "follow the blank line"},
  };
  for (const auto &[bytes, detail] : cases) {
    const auto [status, text] = request_error(bytes);
    EXPECT_EQ(status, 400) << bytes;
    EXPECT_NE(text.find(detail), std::string::npos) << bytes << " -> " << text;
  }
  EXPECT_EQ(parse_request_head("GET / HTTP/1.1\r\n\r\n").error().code(), kInvalidData);
}

TEST(HttpRequestParse, VersionsAre505) {
  for (const char *bytes : {"GET / HTTP/2.0\r\nHost: h\r\n\r\n", "PRI * HTTP/2.0\r\n\r\n",
                            "GET / HTTP/0.9\r\nHost: h\r\n\r\n", "GET / HTTP/1.2\r\nHost: h\r\n\r\n"}) {
    auto r = parse_request_head(bytes);
    ASSERT_FALSE(r.ok()) << bytes;
    EXPECT_EQ(r.error().code(), -EPROTONOSUPPORT);
    EXPECT_EQ(request_error_status(r.error()), 505);
    EXPECT_NE(r.error().detail().find("unsupported HTTP version"), std::string::npos);
  }
}

TEST(HttpRequestParse, LimitsAre431) {
  HeadLimits small;
  small.max_head_bytes = 64;
  small.max_headers = 2;
  small.max_line_bytes = 30;
  EXPECT_TRUE(parse_request_head("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n\r\n", small).ok());
  auto [status, detail] = request_error("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", small);
  EXPECT_EQ(status, 431);
  EXPECT_EQ(detail, "http: request head has more than 2 headers");
  std::tie(status, detail) = request_error("GET /" + std::string(30, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", small);
  EXPECT_EQ(status, 431);
  EXPECT_EQ(detail, "http: request line exceeds 30 bytes");
  std::tie(status, detail) =
      request_error("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(30, 'v') + "\r\n\r\n", small);
  EXPECT_EQ(status, 431);
  EXPECT_EQ(detail, "http: header line exceeds 30 bytes");
  std::tie(status, detail) = request_error("GET / HTTP/1.1\r\n" + std::string(70, 'x'), small);
  EXPECT_EQ(status, 431);
  EXPECT_EQ(detail, "http: request head exceeds 64 bytes");
  // The response side keeps kInvalidData for the same limits.
  EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\n" + std::string(70, 'x') + "\r\n\r\n", small).error().code(),
            kInvalidData);
}

TEST(HttpRequestPath, Decodes) {
  EXPECT_EQ(decode_request_path("/").value_or("?"), "/");
  EXPECT_EQ(decode_request_path("/a%20b.mp4?x=%2f").value_or("?"), "/a b.mp4");
  EXPECT_EQ(decode_request_path("/%C3%A9t%c3%a9/x").value_or("?"), "/\xc3\xa9t\xc3\xa9/x");
  EXPECT_EQ(decode_request_path("/a/../b/./c//d").value_or("?"), "/a/../b/./c//d");  // dot segments kept
  EXPECT_EQ(decode_request_path("/%2e%2E/etc").value_or("?"), "/../etc");
  EXPECT_EQ(decode_request_path("/a+b").value_or("?"), "/a+b");  // '+' is not a space in a path
  EXPECT_EQ(decode_request_path("http://h:8080/x/y?q").value_or("?"), "/x/y");
  EXPECT_EQ(decode_request_path("HTTPS://h").value_or("?"), "/");
  EXPECT_EQ(decode_request_path("http://h?q=/x").value_or("?"), "/");
}

TEST(HttpRequestPath, Refuses) {
  for (const char *target : {"/a%2fb", "/a%2Fb", "/..%2f..%2fetc/passwd", "/a%5cb", "/a%5C..", "/a%00b"}) {
    auto r = decode_request_path(target);
    ASSERT_FALSE(r.ok()) << target;
    EXPECT_EQ(r.error().code(), avio::kHttpForbidden) << target;
  }
  EXPECT_EQ(decode_request_path(std::string("/a\0b", 4)).error().code(), avio::kHttpForbidden);
  for (const char *target : {"*", "host:443", "a/b", "", "/a%", "/a%2", "/a%zz", "/a%%41", "/a#frag", "ftp://h/x"}) {
    auto r = decode_request_path(target);
    ASSERT_FALSE(r.ok()) << target;
    EXPECT_EQ(r.error().code(), kInvalidData) << target;
  }
}

TEST(HttpResponseHead, Serializes) {
  ResponseHead h;
  h.status = 206;
  h.reason = "Partial Content";
  h.headers = {{"Content-Range", "bytes 0-9/100"}, {"Content-Length", "10"}};
  auto bytes = serialize_response_head(h);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message();
  EXPECT_EQ(*bytes, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-9/100\r\nContent-Length: 10\r\n\r\n");
  // The client-side parser reads it back.
  const ResponseHead back = parse_ok(*bytes);
  EXPECT_EQ(back.status, 206);
  EXPECT_EQ(back.headers.size(), 2u);

  ResponseHead bad = h;
  bad.headers.push_back({"X", "a\r\nSet-Cookie: x=1"});
  EXPECT_EQ(serialize_response_head(bad).error().code(), -EINVAL);
  bad = h;
  bad.reason = "OK\r\nX: 1";
  EXPECT_EQ(serialize_response_head(bad).error().code(), -EINVAL);
  bad = h;
  bad.status = 99;
  EXPECT_EQ(serialize_response_head(bad).error().code(), -EINVAL);
  bad = h;
  bad.http_version = "HTTP/1.1\r\n";
  EXPECT_EQ(serialize_response_head(bad).error().code(), -EINVAL);
  bad = h;
  bad.headers.push_back({"Bad:Name", "x"});
  EXPECT_EQ(serialize_response_head(bad).error().code(), -EINVAL);
}

TEST(HttpDate, FormatsAndRoundTrips) {
  EXPECT_EQ(format_http_date(kRfcDate), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(format_http_date(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
  for (int64_t t = int64_t{-86400} * 800; t < int64_t{4102444800}; t += int64_t{86400} * 37 + 3607)
    EXPECT_EQ(parse_http_date(format_http_date(t)).value_or(-1), t) << t;
}

TEST(Base64, Rfc4648Vectors) {
  namespace http = avio::protocols::http;
  EXPECT_EQ(http::base64_encode(""), "");
  EXPECT_EQ(http::base64_encode("f"), "Zg==");
  EXPECT_EQ(http::base64_encode("fo"), "Zm8=");
  EXPECT_EQ(http::base64_encode("foo"), "Zm9v");
  EXPECT_EQ(http::base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(http::base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(http::base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(http::base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_EQ(http::basic_credentials("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");  // RFC 7617
}

TEST(KeepsAlive, ByVersionAndConnectionHeader) {
  namespace http = avio::protocols::http;
  auto head = [](const char *text) { return http::parse_response_head(text).value(); };
  EXPECT_TRUE(http::keeps_alive(head("HTTP/1.1 200 OK\r\n\r\n")));
  EXPECT_FALSE(http::keeps_alive(head("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")));
  EXPECT_FALSE(http::keeps_alive(head("HTTP/1.0 200 OK\r\n\r\n")));
  EXPECT_TRUE(http::keeps_alive(head("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n")));
  EXPECT_FALSE(http::keeps_alive(head("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n")));
}

}  // namespace
