#include "message.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "../../civil_time.hpp"

namespace avio::protocols::http {

namespace {

constexpr std::string_view kWhitespace = " \t";

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// A control character a field value may not hold (HTAB is allowed).
bool is_bad_value_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && u != '\t') || u == 0x7f;
}

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(kWhitespace);
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(kWhitespace);
  return s.substr(b, e - b + 1);
}

Error invalid(std::string detail) { return {kInvalidData, "http: " + std::move(detail)}; }

// A strict non-negative decimal that fits int64_t, or nullopt.
std::optional<int64_t> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  for (const char c : s) {
    if (!is_digit(c)) return std::nullopt;
    const int d = c - '0';
    if (v > (INT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// Splits a comma-separated list and calls f on each trimmed, non-empty element.
template <class F>
void for_each_element(std::string_view list, F &&f) {
  while (true) {
    const size_t comma = list.find(',');
    const std::string_view element = trim(list.substr(0, comma));
    if (!element.empty()) f(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// The next line of `rest` without its line end ("\n" or "\r\n"); advances rest.
std::string_view next_line(std::string_view *rest) {
  const size_t lf = rest->find('\n');
  std::string_view line = rest->substr(0, lf);
  rest->remove_prefix(lf == std::string_view::npos ? rest->size() : lf + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

Result<bool> parse_status_line(std::string_view line, ResponseHead *head) {
  // HTTP-version SP 3DIGIT [SP reason-phrase]; a missing reason is tolerated.
  auto malformed = [&] { return invalid("malformed status line " + quoted(line)); };
  constexpr std::string_view kPrefix = "HTTP/";
  if (line.size() < 12 || line.substr(0, kPrefix.size()) != kPrefix || !is_digit(line[5]) || line[6] != '.' ||
      !is_digit(line[7]) || line[8] != ' ')
    return malformed();
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return malformed();
  if (line.size() > 12 && line[12] != ' ') return malformed();
  const int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status < 100) return invalid("status code " + std::to_string(status) + " out of range in " + quoted(line));
  const std::string_view reason = line.size() > 12 ? trim(line.substr(13)) : std::string_view();
  for (const char c : reason)
    if (is_bad_value_char(c)) return invalid("control character in the reason phrase of " + quoted(line));
  head->http_version.assign(line.substr(0, 8));
  head->status = status;
  head->reason.assign(reason);
  return true;
}

Status parse_header_line(std::string_view line, std::vector<Header> *headers) {
  if (line.front() == ' ' || line.front() == '\t')
    return invalid("obsolete line folding (a header line starting with whitespace) " + quoted(line));
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return invalid("header line without ':' " + quoted(line));
  const std::string_view name = line.substr(0, colon);
  if (name.empty()) return invalid("header line with an empty name " + quoted(line));
  for (const char c : name)
    if (!is_tchar(c)) return invalid("invalid character in the header name " + quoted(name));
  const std::string_view value = trim(line.substr(colon + 1));
  for (const char c : value)
    if (is_bad_value_char(c)) return invalid("control character in the value of header " + quoted(name));
  headers->push_back({std::string(name), std::string(value)});
  return {};
}

// What a head parser is reading: the names in its errors, and the code of an
// error for a head beyond its limits.
struct HeadKind {
  const char *head;        // "response" / "request"
  const char *start_line;  // "status" / "request"
  int limit_code;          // kInvalidData / -EMSGSIZE
};
constexpr HeadKind kResponseKind = {"response", "status", kInvalidData};
constexpr HeadKind kRequestKind = {"request", "request", -EMSGSIZE};

// `bytes` is one whole head (nothing after its blank line) within limits.
Status check_head_extent(std::string_view bytes, const HeadLimits &limits, const HeadKind &kind) {
  const size_t end = find_head_end(bytes);
  if ((end == std::string_view::npos ? bytes.size() : end) > limits.max_head_bytes)
    return Error(kind.limit_code, std::string("http: ") + kind.head + " head exceeds " +
                                      std::to_string(limits.max_head_bytes) + " bytes");
  if (end == std::string_view::npos)
    return invalid(std::string(kind.head) + " head is incomplete (no blank line at its end)");
  if (end != bytes.size())
    return invalid(std::to_string(bytes.size() - end) + " bytes follow the blank line that ends the " + kind.head +
                   " head");
  return {};
}

// The first line of a head, within the line limit; advances *rest past it.
Result<std::string_view> start_line(std::string_view *rest, const HeadLimits &limits, const HeadKind &kind) {
  const std::string_view line = next_line(rest);
  if (line.size() > limits.max_line_bytes)
    return Error(kind.limit_code, std::string("http: ") + kind.start_line + " line exceeds " +
                                      std::to_string(limits.max_line_bytes) + " bytes");
  if (line.empty()) return invalid(std::string("empty ") + kind.start_line + " line");
  return line;
}

// The header lines after the start line, up to the blank line (which
// check_head_extent found to be the last).
Status parse_header_lines(std::string_view rest, const HeadLimits &limits, const HeadKind &kind,
                          std::vector<Header> *headers) {
  while (true) {
    const std::string_view line = next_line(&rest);
    if (line.size() > limits.max_line_bytes)
      return Error(kind.limit_code, "http: header line exceeds " + std::to_string(limits.max_line_bytes) + " bytes");
    if (line.empty()) return {};
    if (headers->size() == limits.max_headers)
      return Error(kind.limit_code, std::string("http: ") + kind.head + " head has more than " +
                                        std::to_string(limits.max_headers) + " headers");
    if (Status st = parse_header_line(line, headers); !st) return st;
  }
}

std::optional<std::string_view> find_header(const std::vector<Header> &headers, std::string_view name) {
  for (const Header &h : headers)
    if (iequals(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

std::vector<std::string_view> find_all_headers(const std::vector<Header> &headers, std::string_view name) {
  std::vector<std::string_view> values;
  for (const Header &h : headers)
    if (iequals(h.name, name)) values.emplace_back(h.value);
  return values;
}

// request-line = method SP request-target SP HTTP-version (RFC 9112 section 3).
Status parse_request_line(std::string_view line, ParsedRequest *request) {
  auto malformed = [&](const char *why) { return invalid(std::string(why) + " in the request line " + quoted(line)); };
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return malformed("not three parts");
  const std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                         version = line.substr(sp2 + 1);
  if (method.empty()) return malformed("an empty method");
  for (const char c : method)
    if (!is_tchar(c)) return malformed("a method that is not a token");
  if (target.empty()) return malformed("an empty target");
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return malformed("a space, control or non-ASCII character in the target");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !is_digit(version[5]) || version[6] != '.' ||
      !is_digit(version[7]))
    return malformed("a malformed HTTP version");
  if (version != "HTTP/1.1" && version != "HTTP/1.0")
    return Error(-EPROTONOSUPPORT,
                 "http: unsupported HTTP version " + quoted(version) + " (HTTP/1.0 and HTTP/1.1 are)");
  request->method.assign(method);
  request->target.assign(target);
  request->http_version.assign(version);
  return {};
}

// The framing and Host rules a server must enforce (RFC 9112 sections 3.2, 6.1, 6.3).
Status check_request_fields(const ParsedRequest &request) {
  const size_t hosts = request.find_all("Host").size();
  if (request.http_version == "HTTP/1.1" && hosts != 1)
    return invalid(hosts == 0 ? std::string("HTTP/1.1 request without Host")
                              : "request with " + std::to_string(hosts) + " Host headers");
  if (hosts > 1) return invalid("request with " + std::to_string(hosts) + " Host headers");
  if (Result<int64_t> length = content_length(request); !length) return length.error();
  if (!request.find("Transfer-Encoding")) return {};
  if (request.find("Content-Length")) return invalid("request with both Transfer-Encoding and Content-Length");
  if (!transfer_encoding_chunked(request))
    return invalid("request whose last transfer coding is not chunked (its length cannot be known)");
  return {};
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  const char l = lower(c);
  return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

// The path part of a request target, still encoded, or nullopt when the
// target has none.
std::optional<std::string_view> target_path(std::string_view target) {
  if (!target.empty() && target.front() == '/') return target.substr(0, target.find('?'));
  for (const std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() < scheme.size() || !iequals(target.substr(0, scheme.size()), scheme)) continue;
    const std::string_view rest = target.substr(scheme.size());
    const size_t slash = rest.find_first_of("/?");
    if (slash == std::string_view::npos || rest[slash] == '?') return std::string_view("/");
    return rest.substr(slash, rest.find('?', slash) - slash);
  }
  return std::nullopt;
}

using url_internal::days_from_civil;

// A cursor over an HTTP-date.
class DateReader {
 public:
  explicit DateReader(std::string_view s) : s_(s) {}
  bool literal(std::string_view l) {
    if (s_.substr(0, l.size()) != l) return false;
    s_.remove_prefix(l.size());
    return true;
  }
  // Exactly n digits (a leading space stands for a zero when `space_pad`).
  bool digits(size_t n, int *out, bool space_pad = false) {
    if (s_.size() < n) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      const char c = s_[i];
      if (space_pad && i == 0 && c == ' ') continue;
      if (!is_digit(c)) return false;
      v = v * 10 + (c - '0');
    }
    s_.remove_prefix(n);
    *out = v;
    return true;
  }
  bool month(int *out) {
    static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (size_t i = 0; i < kMonths.size(); ++i) {
      if (literal(kMonths[i])) {
        *out = static_cast<int>(i) + 1;
        return true;
      }
    }
    return false;
  }
  // A day name: three letters, or the full name when `full`.
  bool day_name(bool full) {
    static constexpr std::array<std::string_view, 7> kDays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                              "Friday", "Saturday", "Sunday"};
    for (const std::string_view day : kDays)
      if (literal(full ? day : day.substr(0, 3))) return true;
    return false;
  }
  bool time(int *h, int *m, int *s) {
    return digits(2, h) && literal(":") && digits(2, m) && literal(":") && digits(2, s) && *h <= 23 && *m <= 59 &&
           *s <= 60;
  }
  bool at_end() const { return s_.empty(); }

 private:
  std::string_view s_;
};

std::optional<int64_t> to_unix(int year, int month, int day, int h, int m, int s) {
  static constexpr std::array<int, 12> kDaysIn = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day < 1 || day > kDaysIn[static_cast<size_t>(month - 1)]) return std::nullopt;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  return days_from_civil(year, month, day) * 86400 + int64_t{h} * 3600 + int64_t{m} * 60 + s;
}

}  // namespace

// `s` for an error message: at most 64 characters, non-printables as \xNN.
std::string quoted(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u < 0x20 || u >= 0x7f) {
      static constexpr std::string_view kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += static_cast<char>(u);
    }
  }
  if (s.size() > kMax) out += "...";
  out += '\'';
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char &c : out) c = lower(c);
  return out;
}

std::optional<std::string_view> ResponseHead::find(std::string_view name) const { return find_header(headers, name); }

std::vector<std::string_view> ResponseHead::find_all(std::string_view name) const {
  return find_all_headers(headers, name);
}

std::optional<std::string_view> ParsedRequest::find(std::string_view name) const { return find_header(headers, name); }

std::vector<std::string_view> ParsedRequest::find_all(std::string_view name) const {
  return find_all_headers(headers, name);
}

size_t find_head_end(std::string_view bytes) {
  // A blank line: "\n" right after the previous line's "\n", with an optional "\r" between.
  for (size_t lf = bytes.find('\n'); lf != std::string_view::npos; lf = bytes.find('\n', lf + 1)) {
    size_t next = lf + 1;
    if (next < bytes.size() && bytes[next] == '\r') ++next;
    if (next < bytes.size() && bytes[next] == '\n') return next + 1;
  }
  return std::string_view::npos;
}

Result<ResponseHead> parse_response_head(std::string_view bytes, const HeadLimits &limits) {
  if (Status st = check_head_extent(bytes, limits, kResponseKind); !st) return st.error();
  ResponseHead head;
  std::string_view rest = bytes;
  Result<std::string_view> line = start_line(&rest, limits, kResponseKind);
  if (!line) return line.error();
  if (auto r = parse_status_line(*line, &head); !r.ok()) return r.error();
  if (Status st = parse_header_lines(rest, limits, kResponseKind, &head.headers); !st) return st.error();
  return head;
}

Result<ParsedRequest> parse_request_head(std::string_view bytes, const HeadLimits &limits) {
  if (Status st = check_head_extent(bytes, limits, kRequestKind); !st) return st.error();
  ParsedRequest request;
  std::string_view rest = bytes;
  Result<std::string_view> line = start_line(&rest, limits, kRequestKind);
  if (!line) return line.error();
  if (Status st = parse_request_line(*line, &request); !st) return st.error();
  if (Status st = parse_header_lines(rest, limits, kRequestKind, &request.headers); !st) return st.error();
  if (Status st = check_request_fields(request); !st) return st.error();
  return request;
}

int request_error_status(const Error &error) {
  if (error.code() == -EMSGSIZE) return 431;
  if (error.code() == -EPROTONOSUPPORT) return 505;
  return 400;
}

Result<std::string> decode_request_path(std::string_view target) {
  if (target.find('#') != std::string_view::npos) return invalid("a fragment in the request target " + quoted(target));
  const std::optional<std::string_view> path = target_path(target);
  if (!path) return invalid("the request target " + quoted(target) + " has no path");
  std::string out;
  out.reserve(path->size());
  for (size_t i = 0; i < path->size(); ++i) {
    char c = (*path)[i];
    if (c == '%') {
      const int hi = i + 2 < path->size() ? hex_value((*path)[i + 1]) : -1;
      const int lo = hi >= 0 ? hex_value((*path)[i + 2]) : -1;
      if (lo < 0) return invalid("a malformed percent-escape in the request target " + quoted(target));
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
      if (c == '/' || c == '\\')
        return Error(kHttpForbidden, "http: an encoded slash or backslash in the request path " + quoted(*path));
    }
    if (c == '\0') return Error(kHttpForbidden, "http: a NUL byte in the request path " + quoted(*path));
    out += c;
  }
  return out;
}

Result<int64_t> content_length(const std::vector<Header> &headers) {
  int64_t length = -1;
  std::string bad;
  for (const std::string_view value : find_all_headers(headers, "Content-Length")) {
    if (trim(value).empty()) return invalid("empty Content-Length");
    for_each_element(value, [&](std::string_view element) {
      if (!bad.empty()) return;
      const std::optional<int64_t> v = parse_decimal(element);
      if (!v) {
        bad = "invalid Content-Length " + quoted(element);
      } else if (length >= 0 && *v != length) {
        bad = "conflicting Content-Length values " + std::to_string(length) + " and " + std::to_string(*v);
      } else {
        length = *v;
      }
    });
    if (!bad.empty()) return invalid(bad);
    if (length < 0) return invalid("invalid Content-Length " + quoted(value));
  }
  return length;
}

bool transfer_encoding_chunked(const std::vector<Header> &headers) {
  bool chunked = false;
  for (const std::string_view value : find_all_headers(headers, "Transfer-Encoding")) {
    for_each_element(value, [&](std::string_view coding) {
      // Parameters (";q=...") do not apply to chunked; the coding name is the token before them.
      chunked = iequals(trim(coding.substr(0, coding.find(';'))), "chunked");
    });
  }
  return chunked;
}

Result<ContentRange> parse_content_range(std::string_view value) {
  const std::string_view v = trim(value);
  auto bad = [&](const char *why) { return invalid(std::string("invalid Content-Range ") + quoted(v) + ": " + why); };
  if (v.size() < 6 || !iequals(v.substr(0, 5), "bytes") || (v[5] != ' ' && v[5] != '\t'))
    return bad("not a byte range");
  const std::string_view spec = trim(v.substr(6));
  const size_t slash = spec.find('/');
  if (slash == std::string_view::npos) return bad("no '/'");
  const std::string_view range = spec.substr(0, slash), complete = spec.substr(slash + 1);
  ContentRange r;
  if (complete != "*") {
    const std::optional<int64_t> n = parse_decimal(complete);
    if (!n) return bad("the complete length is not a decimal number");
    r.complete_length = *n;
  }
  if (range == "*") {
    if (r.complete_length < 0) return bad("neither a range nor a complete length");
    return r;
  }
  const size_t dash = range.find('-');
  if (dash == std::string_view::npos) return bad("no '-' in the range");
  const std::optional<int64_t> first = parse_decimal(range.substr(0, dash));
  const std::optional<int64_t> last = parse_decimal(range.substr(dash + 1));
  if (!first || !last) return bad("the range bounds are not decimal numbers");
  if (*first > *last) return bad("the first byte is after the last");
  if (r.complete_length >= 0 && *last >= r.complete_length) return bad("the range ends beyond the complete length");
  r.first = *first;
  r.last = *last;
  return r;
}

bool accepts_byte_ranges(const ResponseHead &head) {
  bool bytes = false;
  for (const std::string_view value : head.find_all("Accept-Ranges"))
    for_each_element(value, [&](std::string_view unit) { bytes = bytes || iequals(unit, "bytes"); });
  return bytes;
}

std::optional<int64_t> parse_http_date(std::string_view value) {
  const std::string_view v = trim(value);
  int year = 0, month = 0, day = 0, h = 0, m = 0, s = 0;
  {  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    DateReader r(v);
    if (r.day_name(false) && r.literal(", ") && r.digits(2, &day) && r.literal(" ") && r.month(&month) &&
        r.literal(" ") && r.digits(4, &year) && r.literal(" ") && r.time(&h, &m, &s) && r.literal(" GMT") && r.at_end())
      return to_unix(year, month, day, h, m, s);
  }
  {  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year below 70 is 20yy.
    DateReader r(v);
    if (r.day_name(true) && r.literal(", ") && r.digits(2, &day) && r.literal("-") && r.month(&month) &&
        r.literal("-") && r.digits(2, &year) && r.literal(" ") && r.time(&h, &m, &s) && r.literal(" GMT") && r.at_end())
      return to_unix(year + (year < 70 ? 2000 : 1900), month, day, h, m, s);
  }
  {  // asctime: "Sun Nov  6 08:49:37 1994"
    DateReader r(v);
    if (r.day_name(false) && r.literal(" ") && r.month(&month) && r.literal(" ") && r.digits(2, &day, true) &&
        r.literal(" ") && r.time(&h, &m, &s) && r.literal(" ") && r.digits(4, &year) && r.at_end())
      return to_unix(year, month, day, h, m, s);
  }
  return std::nullopt;
}

std::string format_http_date(int64_t unix_time) {
  static constexpr std::array<std::string_view, 7> kDays = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int64_t days = url_internal::day_of(unix_time);
  const int64_t secs = unix_time - days * 86400;
  const auto [year, month, day] = url_internal::civil_from_days(days);
  const auto weekday = static_cast<size_t>(((days % 7) + 7) % 7);
  char text[64];
  std::snprintf(text, sizeof text, "%.3s, %02d %.3s %04lld %02d:%02d:%02d GMT", kDays[weekday].data(),
                static_cast<int>(day), kMonths[static_cast<size_t>(month - 1)].data(), static_cast<long long>(year),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return text;
}

int64_t parse_retry_after(std::string_view value, int64_t now) {
  const std::string_view v = trim(value);
  if (!v.empty() && is_digit(v.front())) {
    // delay-seconds; a huge delay saturates rather than being refused.
    for (const char c : v)
      if (!is_digit(c)) return -1;
    return parse_decimal(v).value_or(INT64_MAX);
  }
  const std::optional<int64_t> date = parse_http_date(v);
  if (!date) return -1;
  return *date > now ? *date - now : 0;
}

int64_t retry_after_seconds(const ResponseHead &head, int64_t now) {
  const std::optional<std::string_view> value = head.find("Retry-After");
  return value ? parse_retry_after(*value, now) : -1;
}

Error ChunkedDecoder::fail(std::string detail) {
  state_ = State::kFailed;
  error_ = invalid("chunked body: " + std::move(detail));
  return error_;
}

Result<size_t> ChunkedDecoder::decode(std::span<const uint8_t> in, size_t *consumed, std::span<uint8_t> out) {
  size_t i = 0, written = 0;
  *consumed = 0;
  if (state_ == State::kFailed) return error_;
  auto line_byte = [&](size_t max) { return ++line_bytes_ <= max; };
  while (i < in.size() && state_ != State::kDone) {
    if (state_ == State::kData) {
      if (written == out.size()) break;
      const size_t n = static_cast<size_t>(
          std::min<int64_t>(chunk_size_, static_cast<int64_t>(std::min(in.size() - i, out.size() - written))));
      std::memcpy(out.data() + written, in.data() + i, n);
      i += n;
      written += n;
      chunk_size_ -= static_cast<int64_t>(n);
      body_bytes_ += static_cast<int64_t>(n);
      if (chunk_size_ == 0) state_ = State::kDataEnd;
      continue;
    }
    const char c = static_cast<char>(in[i++]);
    if (state_ == State::kTrailerStart || state_ == State::kTrailerLine || state_ == State::kTrailerLf ||
        state_ == State::kFinalLf) {
      if (++trailer_bytes_ > kMaxTrailerBytes)
        return fail("trailer section exceeds " + std::to_string(kMaxTrailerBytes) + " bytes");
    }
    switch (state_) {
      case State::kSize: {
        if (!line_byte(kMaxLineBytes))
          return fail("chunk size line exceeds " + std::to_string(kMaxLineBytes) + " bytes");
        int d = -1;
        if (is_digit(c)) d = c - '0';
        if (lower(c) >= 'a' && lower(c) <= 'f') d = lower(c) - 'a' + 10;
        if (d >= 0) {
          if (chunk_size_ > (INT64_MAX - d) / 16) return fail("chunk size overflows int64");
          chunk_size_ = chunk_size_ * 16 + d;
          ++digits_;
          break;
        }
        if (digits_ == 0) return fail("invalid chunk size: " + quoted(std::string_view(&c, 1)) + " is not a hex digit");
        if (c == ' ' || c == '\t') {
          state_ = State::kSizeSpace;
        } else if (c == ';') {
          state_ = State::kExtension;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (c == '\n') {
          --i;  // handled as the line end below
          state_ = State::kSizeLf;
        } else {
          return fail("invalid chunk size: " + quoted(std::string_view(&c, 1)) + " after the hex digits");
        }
        break;
      }
      case State::kSizeSpace:
      case State::kExtension:
        if (!line_byte(kMaxLineBytes))
          return fail("chunk size line exceeds " + std::to_string(kMaxLineBytes) + " bytes");
        if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (c == '\n') {
          --i;
          state_ = State::kSizeLf;
        } else if (c == '\0') {
          return fail("NUL in a chunk extension");
        } else if (state_ == State::kSizeSpace && c == ';') {
          state_ = State::kExtension;
        } else if (state_ == State::kSizeSpace && c != ' ' && c != '\t') {
          return fail("invalid chunk size: " + quoted(std::string_view(&c, 1)) + " after the hex digits");
        }
        break;
      case State::kSizeLf:
        if (c != '\n') return fail("CR without LF at the end of a chunk size line");
        line_bytes_ = 0;
        digits_ = 0;
        state_ = chunk_size_ == 0 ? State::kTrailerStart : State::kData;
        break;
      case State::kDataEnd:
        if (c == '\r') {
          state_ = State::kDataLf;
        } else if (c == '\n') {
          state_ = State::kSize;
        } else {
          return fail("missing CRLF after chunk data");
        }
        break;
      case State::kDataLf:
        if (c != '\n') return fail("missing CRLF after chunk data (CR without LF)");
        state_ = State::kSize;
        break;
      case State::kTrailerStart:
        line_bytes_ = 0;
        if (c == '\r') {
          state_ = State::kFinalLf;
        } else if (c == '\n') {
          state_ = State::kDone;
        } else if (c == '\0') {
          return fail("NUL in a trailer line");
        } else {
          state_ = State::kTrailerLine;
          line_bytes_ = 1;
        }
        break;
      case State::kTrailerLine:
        if (!line_byte(kMaxLineBytes)) return fail("trailer line exceeds " + std::to_string(kMaxLineBytes) + " bytes");
        if (c == '\r') {
          state_ = State::kTrailerLf;
        } else if (c == '\n') {
          state_ = State::kTrailerStart;
        } else if (c == '\0') {
          return fail("NUL in a trailer line");
        }
        break;
      case State::kTrailerLf:
        if (c != '\n') return fail("CR without LF in the trailer section");
        state_ = State::kTrailerStart;
        break;
      case State::kFinalLf:
        if (c != '\n') return fail("CR without LF at the end of the trailer section");
        state_ = State::kDone;
        break;
      case State::kData:
      case State::kDone:
      case State::kFailed: break;
    }
  }
  *consumed = i;
  return written;
}

Status check_header_value(std::string_view what, std::string_view value) {
  if (value.find_first_of("\r\n") != std::string_view::npos)
    return Error::invalid_argument("http: the " + std::string(what) + " value contains a line break");
  if (value.find('\0') != std::string_view::npos)
    return Error::invalid_argument("http: the " + std::string(what) + " value contains a NUL byte");
  return {};
}

Status check_header_name(std::string_view name) {
  if (name.empty()) return Error::invalid_argument("http: empty header name");
  if (name.find_first_of("\r\n") != std::string_view::npos)
    return Error::invalid_argument("http: the header name " + quoted(name) + " contains a line break");
  if (name.find('\0') != std::string_view::npos)
    return Error::invalid_argument("http: the header name " + quoted(name) + " contains a NUL byte");
  for (const char c : name) {
    if (!is_tchar(c))
      return Error::invalid_argument("http: the header name " + quoted(name) + " contains " +
                                     quoted(std::string_view(&c, 1)) + ", which is not a token character");
  }
  return {};
}

Result<std::string> serialize_request_head(const RequestHead &request) {
  if (Status st = check_header_name(request.method); !st)
    return Error::invalid_argument("http: the method " + quoted(request.method) + " is not a token");
  if (request.target.empty()) return Error::invalid_argument("http: empty request target");
  for (const char c : request.target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f)
      return Error::invalid_argument("http: the request target " + quoted(request.target) +
                                     " contains a space or a control character");
  }
  std::string out;
  out.reserve(64 + request.target.size());
  out.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
  for (const Header &h : request.headers) {
    if (Status st = check_header_name(h.name); !st) return st.error();
    if (Status st = check_header_value(h.name, h.value); !st) return st.error();
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  out.append("\r\n");
  return out;
}

Result<std::string> serialize_response_head(const ResponseHead &head) {
  const std::string version = head.http_version.empty() ? "HTTP/1.1" : head.http_version;
  if (version.size() != 8 || version.compare(0, 5, "HTTP/") != 0 || !is_digit(version[5]) || version[6] != '.' ||
      !is_digit(version[7]))
    return Error::invalid_argument("http: the response version " + quoted(version) + " is not HTTP/d.d");
  if (head.status < 100 || head.status > 999)
    return Error::invalid_argument("http: the status " + std::to_string(head.status) + " is not three digits");
  for (const char c : head.reason)
    if (is_bad_value_char(c))
      return Error::invalid_argument("http: the reason " + quoted(head.reason) + " has a control character");
  std::string out;
  out.reserve(256);
  out.append(version).append(" ").append(std::to_string(head.status)).append(" ").append(head.reason).append("\r\n");
  for (const Header &h : head.headers) {
    if (Status st = check_header_name(h.name); !st) return st.error();
    if (Status st = check_header_value(h.name, h.value); !st) return st.error();
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  out.append("\r\n");
  return out;
}

Result<std::vector<Header>> parse_header_block(std::string_view block) {
  std::vector<Header> headers;
  while (!block.empty()) {
    const size_t end = block.find('\n');
    std::string_view line = block.substr(0, end);
    block = end == std::string_view::npos ? std::string_view() : block.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.find('\r') != std::string_view::npos || line.find('\0') != std::string_view::npos)
      return Error::invalid_argument("http: the headers option has a line with a stray CR or NUL: " + quoted(line));
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return Error::invalid_argument("http: the headers option has a line without ':': " + quoted(line));
    std::string_view name = line.substr(0, colon), value = line.substr(colon + 1);
    if (Status st = check_header_name(name); !st) return st.error();
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    headers.push_back({std::string(name), std::string(value)});
  }
  return headers;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : bytes) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

std::string basic_credentials(std::string_view user, std::string_view password) {
  return "Basic " + base64_encode(std::string(user) + ":" + std::string(password));
}

bool keeps_alive(const ResponseHead &head) {
  bool keep_alive = false;
  for (std::string_view v : head.find_all("Connection")) {
    if (iequals(v, "close")) return false;
    keep_alive = keep_alive || iequals(v, "keep-alive");
  }
  return head.http_version != "HTTP/1.0" || keep_alive;
}

}  // namespace avio::protocols::http
