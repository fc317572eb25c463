// FFmpeg's behaviour kept: the option's format (newline-separated Set-Cookie
// strings, read back after responses), an option cookie without Domain is
// sent to every host, attribute names are case-insensitive and the last of a
// repeated attribute wins, an unparsable Expires is ignored, a cookie whose
// Expires is before now is not sent, the Cookie header joins "name=value"
// pairs with "; " in the jar's order.
//
// Deliberately different (RFC 6265): FFmpeg never sends a cookie without a
// Path attribute (ours apply to every path from the option, to the default
// path from a response); matches a Domain as a bare suffix ("example.com"
// matches "badexample.com") and a Path as a case-insensitive prefix; ignores
// Max-Age and Secure; accepts a Set-Cookie for any domain; keys cookies by
// name alone; and an expired Set-Cookie leaves the old cookie in place
// (here it removes it).
#include "cookies.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "message.hpp"

namespace avio::protocols::http {

namespace {

// The dates to_option writes (format_http_date, message.hpp): years 0000 to
// 9999, what an IMF-fixdate holds.
constexpr int64_t kMinDate = -62167219200;  // 0000-01-01T00:00:00Z
constexpr int64_t kMaxDate = 253402300799;  // 9999-12-31T23:59:59Z

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}
bool has_control(std::string_view s) { return std::any_of(s.begin(), s.end(), is_control); }

// RFC 9110 token.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c);
    if (!alnum && (c == '\0' || std::strchr("!#$%&'*+-.^_`|~", c) == nullptr)) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

int64_t saturating_add(int64_t a, int64_t b) {
  if (b > 0 && a > INT64_MAX - b) return INT64_MAX;
  if (b < 0 && a < INT64_MIN - b) return INT64_MIN;
  return a + b;
}

// ---- dates

// An Expires value: an HTTP-date (message.hpp), or the Netscape form
// "Wed, 21-Oct-2015 07:28:00 GMT" that servers still send, read as the
// IMF-fixdate it becomes with spaces for its dashes.
std::optional<int64_t> parse_cookie_date(std::string_view value) {
  if (std::optional<int64_t> t = parse_http_date(value)) return t;
  std::string spaced(value);
  std::replace(spaced.begin(), spaced.end(), '-', ' ');
  return parse_http_date(spaced);
}

// ---- Set-Cookie strings (RFC 6265 section 5.2)

struct SetCookie {
  std::string_view name, value;
  std::optional<int64_t> expires;
  std::optional<int64_t> max_age;
  std::optional<std::string> domain;  // normalized: lowercase, no leading dots
  std::optional<std::string_view> path;
  bool secure = false;
  bool host_only = false;  // our "HostOnly" (to_option), honoured from the option only
};

// Max-Age: an optional '-' and digits, saturated; nullopt (ignored) otherwise.
std::optional<int64_t> parse_max_age(std::string_view v) {
  const bool negative = !v.empty() && v.front() == '-';
  if (negative) v.remove_prefix(1);
  if (v.empty()) return std::nullopt;
  int64_t n = 0;
  for (const char c : v) {
    if (!is_digit(c)) return std::nullopt;
    n = n > (INT64_MAX - 9) / 10 ? INT64_MAX : n * 10 + (c - '0');
  }
  return negative ? -n : n;
}

void apply_attribute(std::string_view name, std::string_view value, SetCookie *c) {
  if (value.size() > CookieJar::kMaxAttributeBytes || has_control(value)) return;
  if (iequals(name, "expires")) {
    if (std::optional<int64_t> t = parse_cookie_date(value)) c->expires = *t;
  } else if (iequals(name, "max-age")) {
    if (std::optional<int64_t> n = parse_max_age(value)) c->max_age = *n;
  } else if (iequals(name, "domain")) {
    std::string domain = lowercase(value);
    domain.erase(0, domain.find_first_not_of(". \t"));  // ". x" too: what to_option writes reads back the same
    c->domain = std::move(domain);
  } else if (iequals(name, "path")) {
    c->path = value;
  } else if (iequals(name, "secure")) {
    c->secure = true;
  } else if (iequals(name, "hostonly")) {
    c->host_only = true;
  }
}

Result<SetCookie> parse_set_cookie(std::string_view text) {
  if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
    return Error::invalid_argument("holds a CR, LF or NUL");
  const size_t semicolon = text.find(';');
  const std::string_view pair = text.substr(0, semicolon);
  const size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return Error::invalid_argument("has no '='");
  SetCookie c;
  c.name = trim(pair.substr(0, eq));
  c.value = trim(pair.substr(eq + 1));
  if (!is_token(c.name)) return Error::invalid_argument("has a name that is not a token");
  if (has_control(c.value)) return Error::invalid_argument("has a control character in its value");
  if (c.name.size() + c.value.size() > CookieJar::kMaxCookieBytes)
    return Error::invalid_argument("exceeds " + std::to_string(CookieJar::kMaxCookieBytes) + " bytes");
  std::string_view rest = semicolon == std::string_view::npos ? std::string_view() : text.substr(semicolon + 1);
  while (!rest.empty()) {
    const size_t end = rest.find(';');
    const std::string_view attribute = rest.substr(0, end);
    const size_t attribute_eq = attribute.find('=');
    apply_attribute(
        trim(attribute.substr(0, attribute_eq)),
        attribute_eq == std::string_view::npos ? std::string_view() : trim(attribute.substr(attribute_eq + 1)), &c);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
  return c;
}

// ---- matching (RFC 6265 section 5.1)

std::string_view strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

// An IP address, which only matches a Domain attribute equal to it.
bool is_ip_address(std::string_view host) {
  return host.find(':') != std::string_view::npos ||
         std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; });
}

// `host` and `domain` lowercase.
bool domain_match(std::string_view host, std::string_view domain) {
  if (host == domain) return true;
  if (is_ip_address(host) || host.size() <= domain.size()) return false;
  const size_t at = host.size() - domain.size();
  return host.substr(at) == domain && host[at - 1] == '.';
}

bool path_match(std::string_view request_path, std::string_view cookie_path) {
  if (!starts_with(request_path, cookie_path)) return false;
  return request_path.size() == cookie_path.size() || cookie_path.back() == '/' ||
         request_path[cookie_path.size()] == '/';
}

// A request's path: without its query, "/" unless it is absolute.
std::string_view request_path_of(std::string_view path) {
  path = path.substr(0, path.find('?'));
  return path.empty() || path.front() != '/' ? std::string_view("/") : path;
}

// RFC 6265 section 5.1.4: the directory of the request path.
std::string_view default_path(std::string_view request_path) {
  const std::string_view path = request_path_of(request_path);
  const size_t last = path.rfind('/');
  return last == 0 ? std::string_view("/") : path.substr(0, last);
}

// A Path attribute when it is absolute (RFC 6265 5.2.4), `fallback` otherwise.
std::string path_or(const std::optional<std::string_view> &path, std::string_view fallback) {
  if (path.has_value() && !path->empty() && path->front() == '/') return std::string(*path);
  return std::string(fallback);
}

}  // namespace

Result<CookieJar> CookieJar::from_option(std::string_view option) {
  CookieJar jar;
  while (!option.empty()) {
    const size_t end = option.find('\n');
    std::string_view line = option.substr(0, end);
    option.remove_prefix(end == std::string_view::npos ? option.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    auto parsed = parse_set_cookie(line);
    if (!parsed.ok())
      return Error::invalid_argument("http: the cookies option's cookie " +
                                     quoted(trim(line.substr(0, line.find_first_of("=;")))) + " " +
                                     std::string(parsed.error().detail()));
    const SetCookie &c = *parsed;
    if (c.max_age && *c.max_age <= 0) continue;  // deleted before it was set
    Cookie cookie{std::string(c.name),
                  std::string(c.value),
                  c.domain.value_or(""),
                  path_or(c.path, "/"),
                  c.expires.value_or(kSession),
                  false,
                  c.secure};
    cookie.host_only = c.host_only && !cookie.domain.empty();
    if (cookie.expires != kSession) cookie.expires = std::clamp(cookie.expires, kMinDate, kMaxDate);
    jar.store(std::move(cookie));
  }
  return jar;
}

bool CookieJar::set_from_header(std::string_view set_cookie, std::string_view request_host,
                                std::string_view request_path, int64_t now_unix) {
  auto parsed = parse_set_cookie(set_cookie);
  const std::string host = lowercase(strip_brackets(request_host));
  if (!parsed.ok() || host.empty()) return false;
  const SetCookie &c = *parsed;
  Cookie cookie{std::string(c.name), std::string(c.value), host, "", kSession, true, c.secure};
  if (c.domain && !c.domain->empty()) {
    if (!domain_match(host, *c.domain)) return false;  // RFC 6265 5.3 step 6: not ours to set
    cookie.domain = *c.domain;
    cookie.host_only = false;
  }
  cookie.path = path_or(c.path, default_path(request_path));
  if (cookie.domain.size() > kMaxAttributeBytes || cookie.path.size() > kMaxAttributeBytes) return false;
  // Max-Age wins over Expires (RFC 6265 5.3 step 3).
  const bool deleted = c.max_age ? *c.max_age <= 0 : (c.expires && *c.expires < now_unix);
  if (c.max_age) cookie.expires = std::clamp(saturating_add(now_unix, *c.max_age), kMinDate, kMaxDate);
  if (!c.max_age && c.expires) cookie.expires = std::clamp(*c.expires, kMinDate, kMaxDate);
  drop_expired(now_unix);
  if (deleted) {
    remove(cookie);
  } else {
    store(std::move(cookie));
  }
  return true;
}

std::string CookieJar::header_for(std::string_view host, std::string_view path, bool secure, int64_t now_unix) const {
  const std::string h = lowercase(strip_brackets(host));
  const std::string_view p = request_path_of(path);
  std::string header;
  for (const Cookie &c : cookies_) {
    if (c.expires < now_unix || (c.secure && !secure) || !path_match(p, c.path)) continue;
    if (c.host_only ? h != c.domain : (!c.domain.empty() && !domain_match(h, c.domain))) continue;
    if (!header.empty()) header += "; ";
    header.append(c.name).append("=").append(c.value);
  }
  return header;
}

std::string CookieJar::to_option() const {
  std::string out;
  for (const Cookie &c : cookies_) {
    out.append(c.name).append("=").append(c.value);
    if (!c.domain.empty()) out.append("; Domain=").append(c.domain);
    out.append("; Path=").append(c.path);
    if (c.expires != kSession) out.append("; Expires=").append(format_http_date(c.expires));
    if (c.secure) out.append("; Secure");
    if (c.host_only) out.append("; HostOnly");
    out.append("\n");
  }
  return out;
}

void CookieJar::store(Cookie cookie) {
  for (Cookie &c : cookies_) {
    if (c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path) {
      c = std::move(cookie);  // keeps its place: the creation time stays (RFC 6265 5.3 step 11.3)
      return;
    }
  }
  cookies_.push_back(std::move(cookie));
  // A server (or a long redirect chain) could otherwise grow the jar, every
  // Cookie header and the exported option without bound; browsers evict the
  // same way (RFC 6265 section 6.1 asks for at least 3000 cookies in all,
  // 50 per domain: 256 is plenty for one media session).
  if (cookies_.size() > kMaxCookies) cookies_.erase(cookies_.begin());
}

void CookieJar::remove(const Cookie &key) {
  std::erase_if(cookies_,
                [&](const Cookie &c) { return c.name == key.name && c.domain == key.domain && c.path == key.path; });
}

void CookieJar::drop_expired(int64_t now_unix) {
  std::erase_if(cookies_, [&](const Cookie &c) { return c.expires < now_unix; });
}

}  // namespace avio::protocols::http
