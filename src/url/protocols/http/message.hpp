// The HTTP/1.1 message layer under the http protocol (RFC 9110, RFC 9112):
// the response head (status line and header fields), the request head a
// server receives (request line, header fields, its target's path), the
// header fields the protocol acts on (Content-Length, Transfer-Encoding,
// Content-Range, Accept-Ranges, Retry-After), an incremental chunked-body
// decoder, and the checks that keep option values from injecting header
// lines into the heads it serializes.
//
// Like FFmpeg's http.c, lines may end in a bare "\n" as well as "\r\n".
// Unlike it, malformed input is rejected (kInvalidData, with a detail that
// names what was wrong) instead of being read past. Nothing here does I/O.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_MESSAGE_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_MESSAGE_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "avio/error.hpp"

namespace avio::protocols::http {

// ASCII case-insensitive comparison and lowering (header names, tokens,
// host names): locale-free, as HTTP needs.
bool iequals(std::string_view a, std::string_view b);
std::string lowercase(std::string_view s);
// `s` for an error message: quoted, at most 64 characters, non-printables
// as \xNN (what came off the network must not reach a terminal raw).
std::string quoted(std::string_view s);

struct Header {
  std::string name;   // as received (case preserved)
  std::string value;  // without surrounding spaces and tabs
};

struct ResponseHead {
  std::string http_version;  // "HTTP/1.1"
  int status = 0;            // 100..999
  std::string reason;        // may be empty
  std::vector<Header> headers;

  // The value of the first header named `name` (compared case-insensitively).
  std::optional<std::string_view> find(std::string_view name) const;
  // The values of every header named `name`, in order.
  std::vector<std::string_view> find_all(std::string_view name) const;
};

struct HeadLimits {
  size_t max_head_bytes = 65536;  // the whole head, blank line included
  size_t max_headers = 100;
  size_t max_line_bytes = 8192;  // one line, without its line end
};

// The length of the head at the start of `bytes` (up to and including the
// blank line: "\r\n\r\n", or the same with bare "\n"s), or npos while the
// blank line has not arrived.
size_t find_head_end(std::string_view bytes);

// Parses a response head: `bytes` holds exactly the head, up to and including
// its blank line (find_head_end(bytes) == bytes.size()). Rejects, with
// kInvalidData: a malformed status line, header lines without ':' or with an
// invalid name, obsolete line folding, control characters in values, and
// anything beyond `limits`.
Result<ResponseHead> parse_response_head(std::string_view bytes, const HeadLimits &limits = {});

// A request head as a server receives it (RFC 9112 section 3).
struct ParsedRequest {
  std::string method;        // a token, case-sensitive: "GET"
  std::string target;        // as received: "/a%20b?q", "http://host/p", "*" or "host:port"
  std::string http_version;  // "HTTP/1.0" or "HTTP/1.1"
  std::vector<Header> headers;

  std::optional<std::string_view> find(std::string_view name) const;
  std::vector<std::string_view> find_all(std::string_view name) const;
};

// Parses a request head: `bytes` holds exactly the head, up to and including
// its blank line (find_head_end(bytes) == bytes.size()). A method that is a
// token, one space, a target of visible ASCII, one space, "HTTP/d.d"; header
// lines as parse_response_head takes them (no obsolete folding, token names,
// no control characters in values). Refused as malformed (kInvalidData), as a
// server must answer 400 (RFC 9112 sections 3.2 and 6): an HTTP/1.1 request
// without exactly one Host, an invalid or conflicting Content-Length (as
// content_length), both Transfer-Encoding and Content-Length, and a
// Transfer-Encoding whose last coding is not chunked. Two refusals have codes
// of their own, so that a server can answer them as RFC 9110 says (see
// request_error_status): -EMSGSIZE for a head beyond `limits` (431) and
// -EPROTONOSUPPORT for a well-formed version other than HTTP/1.0 and
// HTTP/1.1 (505). Every error has a detail naming what was wrong.
Result<ParsedRequest> parse_request_head(std::string_view bytes, const HeadLimits &limits = {});

// The status a server answers a head that parse_request_head refused with:
// 431 for -EMSGSIZE, 505 for -EPROTONOSUPPORT, else 400.
int request_error_status(const Error &error);

// The path of a request target, percent-decoded, for a server that maps it
// to a file: origin form "/a%20b?q" gives "/a b"; absolute form
// "http://host/p?q" gives "/p" ("/" when it has no path). Dot segments are
// left as they are: the caller decides what ".." means. Errors: kInvalidData
// for a target without a path (asterisk or authority form), a malformed
// escape or a fragment; kHttpForbidden (a server answers 403) for what must
// never reach a file name: NUL, literal or %00, and an encoded slash or
// backslash (%2F, %5C), which would hide a segment boundary from the caller.
Result<std::string> decode_request_path(std::string_view target);

// Content-Length: -1 when absent; an error unless every value (repeated
// headers, or a comma-separated list) is the same strict decimal number.
Result<int64_t> content_length(const std::vector<Header> &headers);
inline Result<int64_t> content_length(const ResponseHead &head) { return content_length(head.headers); }
inline Result<int64_t> content_length(const ParsedRequest &request) { return content_length(request.headers); }

// Whether the last transfer coding (of every Transfer-Encoding header) is
// "chunked", so the body is chunked-encoded.
bool transfer_encoding_chunked(const std::vector<Header> &headers);
inline bool transfer_encoding_chunked(const ResponseHead &head) { return transfer_encoding_chunked(head.headers); }
inline bool transfer_encoding_chunked(const ParsedRequest &request) {
  return transfer_encoding_chunked(request.headers);
}

// Content-Range: "bytes first-last/complete" or "bytes */complete" (416);
// "*" as the complete length gives -1.
struct ContentRange {
  int64_t first = -1;  // -1 for "bytes */N"
  int64_t last = -1;   // inclusive; -1 for "bytes */N"
  int64_t complete_length = -1;
};
Result<ContentRange> parse_content_range(std::string_view value);

// Whether Accept-Ranges lists "bytes".
bool accepts_byte_ranges(const ResponseHead &head);

// Retry-After as seconds from `now` (Unix time): delay-seconds as given, or an
// HTTP-date (IMF-fixdate, RFC 850 or asctime form) minus now, 0 when already
// past. -1 when absent or invalid.
int64_t parse_retry_after(std::string_view value, int64_t now);
int64_t retry_after_seconds(const ResponseHead &head, int64_t now);

// An HTTP-date as Unix time, or nullopt.
std::optional<int64_t> parse_http_date(std::string_view value);
// Unix time as an IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(int64_t unix_time);

// Decodes a chunked body (RFC 9112 section 7.1) fed in pieces of any size:
// chunk extensions are ignored, trailer fields skipped. After the last chunk
// (size 0) and its trailer section, done() is true and decode consumes no
// more input (what follows belongs to the next response).
class ChunkedDecoder {
 public:
  static constexpr size_t kMaxLineBytes = 8192;      // a chunk size line, or one trailer line
  static constexpr size_t kMaxTrailerBytes = 65536;  // the whole trailer section

  // Decodes from `in` into `out`. Returns the bytes written to `out` and sets
  // *consumed to the bytes of `in` used (all of `in` unless `out` filled up or
  // the body ended). Returns 0 with all of `in` consumed when more input is
  // needed. After an error every call returns that error.
  Result<size_t> decode(std::span<const uint8_t> in, size_t *consumed, std::span<uint8_t> out);

  bool done() const { return state_ == State::kDone; }
  // Body bytes decoded so far.
  int64_t body_bytes() const { return body_bytes_; }

 private:
  enum class State : uint8_t {
    kSize,          // hex digits of a chunk size
    kSizeSpace,     // blanks after the digits
    kExtension,     // ";..." up to the line end
    kSizeLf,        // CR seen, LF expected
    kData,          // chunk data
    kDataEnd,       // the CRLF after chunk data
    kDataLf,        // CR seen after data, LF expected
    kTrailerStart,  // start of a trailer line, or of the final blank line
    kTrailerLine,   // inside a trailer line
    kTrailerLf,     // CR seen in a trailer line, LF expected
    kFinalLf,       // CR seen on the final blank line, LF expected
    kDone,
    kFailed,
  };
  Error fail(std::string detail);

  State state_ = State::kSize;
  int64_t chunk_size_ = 0;  // of the chunk being read (size line), or left of it (data)
  size_t digits_ = 0;       // hex digits read on this size line
  size_t line_bytes_ = 0;   // bytes of the current size or trailer line
  size_t trailer_bytes_ = 0;
  int64_t body_bytes_ = 0;
  Error error_{0};
};

// Option values that become header lines (user_agent, referer, cookies, ...):
// an error (-EINVAL) naming `what` when `value` holds CR, LF or NUL.
Status check_header_value(std::string_view what, std::string_view value);
// A header name: a non-empty RFC 9110 token (no spaces, controls, or
// separators such as ':').
Status check_header_name(std::string_view name);

// Base64 (RFC 4648 section 4, padded).
std::string base64_encode(std::string_view bytes);
// The value of an Authorization or Proxy-Authorization header for Basic
// authentication: "Basic " + base64("user:password").
std::string basic_credentials(std::string_view user, std::string_view password);

// Whether a response lets its connection carry another request: HTTP/1.1
// unless "Connection: close", HTTP/1.0 only with "Connection: keep-alive".
bool keeps_alive(const ResponseHead &head);

// A request head (RFC 9112 section 3) to send.
struct RequestHead {
  std::string method;  // a token: GET, HEAD, PUT, POST, ...
  std::string target;  // origin form "/path?query", or absolute form through a proxy
  std::vector<Header> headers;
};
// "METHOD target HTTP/1.1\r\n", the header lines, and the blank line. Nothing
// unchecked is written: the method and every header name must be tokens, the
// target must hold no space, control character or DEL, and values no CR, LF
// or NUL; an error (-EINVAL) names the piece at fault.
Result<std::string> serialize_request_head(const RequestHead &request);

// A response head to send: "HTTP/1.1 200 OK\r\n" (http_version, "HTTP/1.1"
// when empty), the header lines and the blank line. Checked as
// serialize_request_head: a status of 100..999, a reason without control
// characters, token names, values without CR, LF or NUL (-EINVAL).
Result<std::string> serialize_response_head(const ResponseHead &head);

// FFmpeg's `headers` option: "Name: value" lines separated by CRLF (a
// missing final CRLF is fine, as in FFmpeg, and so is a bare LF), each
// checked as above; an empty block gives no headers.
Result<std::vector<Header>> parse_header_block(std::string_view block);

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_MESSAGE_HPP
