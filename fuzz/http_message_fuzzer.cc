// The HTTP/1.1 message layer on what a server sends: the response head
// parser and its header helpers, and the chunked decoder fed the input whole
// and split in two at a position taken from the first byte, through a small
// output buffer. Both feedings must agree. On what a client sends: the
// request head parser and the request path decoder. Aborts on a broken
// invariant; the sanitizers catch the rest.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/http/message.hpp"

namespace {

namespace http = avio::protocols::http;

void check(bool ok) {
  if (!ok) std::abort();
}

struct Decoded {
  std::vector<uint8_t> body;
  bool ok = true;
  bool done = false;
  size_t consumed = 0;
};

// Feeds `pieces` in order through an output buffer of `out_size` bytes.
Decoded decode(const std::vector<std::span<const uint8_t>> &pieces, size_t out_size) {
  http::ChunkedDecoder d;
  Decoded result;
  std::vector<uint8_t> out(out_size);
  for (std::span<const uint8_t> in : pieces) {
    while (!in.empty()) {
      size_t consumed = 0;
      auto r = d.decode(in, &consumed, out);
      if (!r.ok()) {
        check(r.error().code() < 0 && !r.error().detail().empty());
        result.ok = false;
        return result;
      }
      check(consumed <= in.size());
      check(*r <= out.size());
      check(*r <= consumed);
      result.body.insert(result.body.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*r));
      result.consumed += consumed;
      in = in.subspan(consumed);
      if (d.done()) {
        result.done = true;
        check(d.body_bytes() == static_cast<int64_t>(result.body.size()));
        return result;
      }
      check(consumed > 0 || *r > 0);  // progress: the output buffer is never empty
    }
  }
  check(d.body_bytes() == static_cast<int64_t>(result.body.size()));
  return result;
}

// A serialized head's only line breaks are its own CRLFs: one per line.
void check_line_breaks(const std::string &head, size_t expected_lines) {
  size_t lines = 0;
  for (size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\n') {
      check(i > 0 && head[i - 1] == '\r');
      ++lines;
    }
    if (head[i] == '\r') check(i + 1 < head.size() && head[i + 1] == '\n');
  }
  check(lines == expected_lines);
}

// The request side: the input as a `headers` option block, and as a header
// value; whatever is accepted serializes without a line break of its own.
void check_request_side(std::string_view text) {
  auto block = http::parse_header_block(text);
  if (!block.ok()) return;
  http::RequestHead request{"GET", "/", std::move(block).value()};
  request.headers.push_back({"X-Fuzz", std::string(text.substr(0, text.find_first_of("\r\n")))});
  auto head = http::serialize_request_head(request);
  if (!head.ok()) return;
  check_line_breaks(head.value(), request.headers.size() + 2);  // the request line, each header, the blank line
}

// A refused request head names what was wrong and maps to 400, 431 or 505.
void check_request_refusal(const avio::Error &error) {
  const int code = error.code();
  check(code == avio::kInvalidData || code == -EMSGSIZE || code == -EPROTONOSUPPORT);
  check(!error.detail().empty());
  const int status = http::request_error_status(error);
  check(status == 400 || status == 431 || status == 505);
}

// An accepted HTTP/1.1 request serializes back to a head that parses alike.
void check_request_round_trip(const http::ParsedRequest &request) {
  http::RequestHead again{request.method, request.target, request.headers};
  auto bytes_again = http::serialize_request_head(again);
  check(bytes_again.ok());
  auto reparsed = http::parse_request_head(bytes_again.value());
  check(reparsed.ok());
  check(reparsed.value().target == request.target && reparsed.value().headers.size() == request.headers.size());
}

void check_one_request(std::string_view bytes) {
  auto request = http::parse_request_head(bytes);
  if (!request.ok()) {
    check_request_refusal(request.error());
    return;
  }
  const http::ParsedRequest &r = request.value();
  check(r.http_version == "HTTP/1.1" || r.http_version == "HTTP/1.0");
  check(http::check_header_name(r.method).ok() && !r.target.empty());
  check(http::content_length(r).ok());
  if (r.http_version == "HTTP/1.1") check_request_round_trip(r);
}

// The server side: a request head, whole and up to its blank line. What is
// accepted is well-formed and serializes back (HTTP/1.1) to the same head.
void check_request_head(std::string_view text) {
  const size_t end = http::find_head_end(text);
  check_one_request(text.substr(0, end));
  check_one_request(text);
}

// A decoded path starts with '/', holds no NUL, and has exactly the slashes
// the target's path spelled out (none came from an escape).
void check_request_path(std::string_view text) {
  auto path = http::decode_request_path(text);
  if (!path.ok()) {
    check(path.error().code() == avio::kInvalidData || path.error().code() == avio::kHttpForbidden);
    return;
  }
  check(!path->empty() && path->front() == '/' && path->find('\0') == std::string::npos);
  if (text.empty() || text.front() != '/') return;
  const std::string_view raw = text.substr(0, text.find('?'));
  check(std::count(raw.begin(), raw.end(), '/') == std::count(path->begin(), path->end(), '/'));
}

void check_response_headers(const http::ResponseHead &head) {
  for (const http::Header &h : head.headers) {
    check(http::check_header_name(h.name).ok());
    check(http::check_header_value("fuzz", h.value).ok());
    check(h.value.empty() || (h.value.front() != ' ' && h.value.back() != ' '));
    check(head.find(h.name).has_value());
  }
}

void check_content_range(const http::ResponseHead &head) {
  const std::optional<std::string_view> cr = head.find("Content-Range");
  if (!cr.has_value()) return;
  auto range = http::parse_content_range(cr.value());
  if (!range.ok()) return;
  check(range.value().first <= range.value().last);
  check(range.value().complete_length < 0 || range.value().last < range.value().complete_length);
}

// A response head: refused with a detail, or well-formed throughout.
void check_response_head(std::string_view bytes) {
  auto parsed = http::parse_response_head(bytes);
  if (!parsed.ok()) {
    check(parsed.error().code() == avio::kInvalidData && !parsed.error().detail().empty());
    return;
  }
  const http::ResponseHead &head = parsed.value();
  check(http::find_head_end(bytes) == bytes.size());
  check(head.status >= 100 && head.status <= 999);
  check(head.http_version.size() == 8 && head.headers.size() <= 100);
  check_response_headers(head);
  auto length = http::content_length(head);
  check(!length.ok() || length.value() >= -1);
  (void)http::transfer_encoding_chunked(head);
  (void)http::accepts_byte_ranges(head);
  check(http::retry_after_seconds(head, 784111777) >= -1);
  check_content_range(head);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);

  check_request_side(text);
  check_request_head(text);
  check_request_path(text);

  // The head: up to its blank line, and the whole input as given.
  const size_t end = http::find_head_end(text);
  check(end == std::string_view::npos || (end >= 2 && end <= size && text[end - 1] == '\n'));
  check_response_head(text.substr(0, end));
  check_response_head(text);
  check(http::parse_retry_after(text, 0) >= -1);
  (void)http::parse_content_range(text);

  // The chunked decoder: whole, and split at a position from the first byte.
  const std::span<const uint8_t> all(data, size);
  const Decoded whole = decode({all}, 4096);
  check(whole.body.size() <= size);
  const size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  const size_t out_size = size == 0 ? 1 : 1 + data[size - 1] % 16;
  const Decoded split = decode({all.subspan(0, cut), all.subspan(cut)}, out_size);
  check(split.body.size() <= size);
  check(whole.ok == split.ok && whole.done == split.done);
  if (whole.ok) {
    check(whole.body == split.body);
    check(whole.consumed == split.consumed);
  }
  return 0;
}
