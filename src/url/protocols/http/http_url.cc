#include "http_url.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <optional>

#include "message.hpp"

namespace avio::protocols::http {

namespace {

constexpr std::string_view kHexDigits = "0123456789ABCDEF";

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }
int hex_value(char c) { return is_digit(c) ? c - '0' : lower(c) - 'a' + 10; }

// RFC 3986 unreserved and sub-delims.
bool is_unreserved(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
bool is_sub_delim(char c) { return c != '\0' && std::strchr("!$&'()*+,;=", c) != nullptr; }

Error bad(const std::string &detail) { return Error::invalid_argument("http: " + detail); }

void append_escape(std::string *out, unsigned char u) {
  out->push_back('%');
  out->push_back(kHexDigits[u >> 4]);
  out->push_back(kHexDigits[u & 15]);
}

// The characters a request target may not hold raw: FFmpeg's NEEDS_ESCAPE.
bool needs_escape(unsigned char u) { return u <= 0x20 || u >= 0x7f || std::strchr("\"%<>\\^`{}|", u) != nullptr; }

// Percent-encodes what needs_escape names; an existing escape ("%2F") is kept.
std::string encode_target(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      out.push_back('%');
    } else if (needs_escape(u)) {
      append_escape(&out, u);
    } else {
      out.push_back(static_cast<char>(u));
    }
  }
  return out;
}

// Userinfo as to_string writes it: everything but unreserved and sub-delims escaped.
std::string encode_userinfo(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (is_unreserved(c) || is_sub_delim(c)) {
      out.push_back(c);
    } else {
      append_escape(&out, static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return std::nullopt;
    out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
    i += 2;
  }
  return out;
}

Status parse_userinfo(std::string_view userinfo, HttpUrl *url) {
  const size_t colon = userinfo.find(':');
  std::optional<std::string> user = percent_decode(userinfo.substr(0, colon));
  std::optional<std::string> password =
      colon == std::string_view::npos ? std::string() : percent_decode(userinfo.substr(colon + 1));
  // The userinfo is not quoted: it may hold a password.
  if (!user || !password) return bad("invalid percent-escape in the URL's userinfo");
  url->user = std::move(*user);
  url->password = std::move(*password);
  url->has_userinfo = true;
  return {};
}

Status parse_port(std::string_view digits, HttpUrl *url) {
  url->port = url->default_port();
  if (digits.empty()) return {};  // "http://h:/": RFC 3986 allows an empty port
  int port = 0;
  for (const char c : digits) {
    if (!is_digit(c) || port > 65535) return bad("invalid port " + quoted(digits) + " in the URL");
    port = port * 10 + (c - '0');
  }
  if (port < 1 || port > 65535) return bad("port " + quoted(digits) + " out of range (1-65535) in the URL");
  url->port = port;
  url->explicit_port = true;
  return {};
}

Status parse_ipv6(std::string_view literal, HttpUrl *url) {
  std::array<unsigned char, 16> address{};
  const std::string text(literal);
  if (literal.empty() || literal.size() > 45 || inet_pton(AF_INET6, text.c_str(), address.data()) != 1)
    return bad("invalid IPv6 address " + quoted(literal) + " in the URL's host");
  url->host = lowercase(literal);
  return {};
}

Status parse_reg_name(std::string_view host, HttpUrl *url) {
  if (host.empty()) return bad("missing host in the URL");
  for (const char c : host) {
    if (!is_unreserved(c))
      return bad("invalid character " + quoted(std::string_view(&c, 1)) + " in the URL's host " + quoted(host));
  }
  url->host = lowercase(host);
  return {};
}

// host[:port] or [v6][:port].
Status parse_host_port(std::string_view hostport, HttpUrl *url) {
  std::string_view port;
  bool has_port = false;
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address " + quoted(hostport) + " in the URL");
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty() && after.front() != ':')
      return bad("unexpected " + quoted(after) + " after the IPv6 address in the URL");
    if (Status st = parse_ipv6(hostport.substr(1, close - 1), url); !st) return st;
    has_port = !after.empty();
    port = has_port ? after.substr(1) : std::string_view();
  } else {
    const size_t colon = hostport.find(':');
    if (Status st = parse_reg_name(hostport.substr(0, colon), url); !st) return st;
    has_port = colon != std::string_view::npos;
    port = has_port ? hostport.substr(colon + 1) : std::string_view();
  }
  return parse_port(port, url);
}

// The target from what follows the authority: the fragment dropped, "/" for
// an empty path ("http://h?q" asks for "/?q", as FFmpeg does).
std::string make_target(std::string_view tail) {
  tail = tail.substr(0, tail.find('#'));
  if (tail.empty() || tail.front() == '?') return "/" + encode_target(tail);
  return encode_target(tail);
}

bool valid_scheme(std::string_view scheme) {
  if (scheme.empty() || !is_alpha(scheme.front())) return false;
  for (const char c : scheme)
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  return true;
}

Status parse_scheme(std::string_view url, HttpUrl *out, std::string_view *rest) {
  const size_t colon = url.find(':');
  if (colon == std::string_view::npos || !valid_scheme(url.substr(0, colon)))
    return bad("not an absolute URL (no scheme): " + quoted(url.substr(0, url.find_first_of(":@/?#"))));
  out->scheme = lowercase(url.substr(0, colon));
  if (out->scheme != "http" && out->scheme != "https")
    return bad("unsupported scheme " + quoted(out->scheme) + " (http and https only)");
  *rest = url.substr(colon + 1);
  if (rest->substr(0, 2) != "//") return bad("missing \"//\" and host after \"" + out->scheme + ":\" in the URL");
  rest->remove_prefix(2);
  return {};
}

// The host as the authority writes it.
std::string bracketed_host(const HttpUrl &url) {
  return url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
}

// scheme://[userinfo@]host[:port], the port when it was given.
std::string origin(const HttpUrl &url) {
  std::string out = url.scheme + "://";
  if (url.has_userinfo) {
    out += encode_userinfo(url.user);
    if (!url.password.empty()) out += ":" + encode_userinfo(url.password);
    out += "@";
  }
  out += bracketed_host(url);
  if (url.explicit_port) out += ":" + std::to_string(url.port);
  return out;
}

// ---- reference resolution (RFC 3986 section 5.2)

struct Reference {
  std::optional<std::string_view> scheme, authority, query;
  std::string_view path;
};

// RFC 3986 appendix B, the fragment dropped.
Reference split_reference(std::string_view r) {
  Reference ref;
  r = r.substr(0, r.find('#'));
  const size_t colon = r.find_first_of(":/?");
  if (colon != std::string_view::npos && colon > 0 && r[colon] == ':') {
    ref.scheme = r.substr(0, colon);
    r.remove_prefix(colon + 1);
  }
  if (r.substr(0, 2) == "//") {
    const size_t end = r.find_first_of("/?", 2);
    ref.authority = r.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2);
    r.remove_prefix(end == std::string_view::npos ? r.size() : end);
  }
  const size_t question = r.find('?');
  ref.path = r.substr(0, question);
  if (question != std::string_view::npos) ref.query = r.substr(question + 1);
  return ref;
}

// Drops the last segment of `out` and its '/' (RFC 3986 5.2.4 step 2C).
void pop_segment(std::string *out) {
  const size_t slash = out->rfind('/');
  out->erase(slash == std::string::npos ? 0 : slash);
}

// Moves the first path segment of `*in` (with its leading '/') to `out`.
void move_segment(std::string_view *in, std::string *out) {
  const size_t end = in->find('/', 1);
  const size_t n = end == std::string_view::npos ? in->size() : end;
  out->append(in->substr(0, n));
  in->remove_prefix(n);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  while (!in.empty()) {
    if (starts_with(in, "../")) {
      in.remove_prefix(3);
    } else if (starts_with(in, "./") || starts_with(in, "/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (starts_with(in, "/../")) {
      in.remove_prefix(3);
      pop_segment(&out);
    } else if (in == "/..") {
      in = "/";
      pop_segment(&out);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      move_segment(&in, &out);
    }
  }
  return out;
}

// RFC 3986 section 5.2.3, for a base with an authority and a non-empty path.
std::string merge_paths(std::string_view base_path, std::string_view ref_path) {
  const size_t slash = base_path.rfind('/');
  std::string merged(slash == std::string_view::npos ? std::string_view() : base_path.substr(0, slash + 1));
  merged.append(ref_path);
  return merged;
}

// The target URL as text (RFC 3986 section 5.2.2), for parse_http_url.
std::string resolve_text(const HttpUrl &base, const Reference &ref) {
  std::string out;
  std::string path;
  std::optional<std::string_view> query = ref.query;
  if (ref.scheme) {
    out = std::string(*ref.scheme) + ":" + (ref.authority ? "//" + std::string(*ref.authority) : "");
    path = remove_dot_segments(ref.path);
  } else if (ref.authority) {
    out = base.scheme + "://" + std::string(*ref.authority);
    path = remove_dot_segments(ref.path);
  } else {
    out = origin(base);
    const std::string_view base_path = base.path();
    if (ref.path.empty()) {
      path = base_path;
      if (!query && base_path.size() < base.target.size())
        query = std::string_view(base.target).substr(base_path.size() + 1);
    } else {
      path = remove_dot_segments(ref.path.front() == '/' ? ref.path : merge_paths(base_path, ref.path));
    }
  }
  out += path;
  if (query) out += "?" + std::string(*query);
  return out;
}

// ---- no_proxy

std::string_view strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

// Splits "host:port", "[v6]:port", "[v6]" or a bare IPv6 address ("::1", no
// port). *port is -1 without a port, -2 for an unparsable one.
std::string_view split_entry_port(std::string_view entry, int *port) {
  *port = -1;
  std::string_view host = entry, digits;
  if (!entry.empty() && entry.front() == '[') {
    const size_t close = entry.find(']');
    if (close == std::string_view::npos) return entry;
    host = entry.substr(1, close - 1);
    if (close + 1 < entry.size()) {
      if (entry[close + 1] != ':') *port = -2;
      digits = entry.substr(close + 2);
    }
  } else if (entry.find(':') != entry.rfind(':')) {
    return entry;  // a bare IPv6 address
  } else if (const size_t colon = entry.find(':'); colon != std::string_view::npos) {
    host = entry.substr(0, colon);
    digits = entry.substr(colon + 1);
  }
  if (*port == -1 && !digits.empty()) {
    int v = 0;
    for (const char c : digits) v = (!is_digit(c) || v > 65535) ? 65536 : v * 10 + (c - '0');
    *port = v > 65535 ? -2 : v;
  }
  return host;
}

bool entry_matches(std::string_view entry, const std::string &host, int port) {
  int entry_port = -1;
  std::string_view pattern = split_entry_port(entry, &entry_port);
  if (entry_port == -2 || (entry_port >= 0 && entry_port != port)) return false;
  if (pattern == "*") return true;
  if (!pattern.empty() && pattern.front() == '*') pattern.remove_prefix(1);
  if (!pattern.empty() && pattern.front() == '.') pattern.remove_prefix(1);
  if (pattern.empty() || pattern.size() > host.size()) return false;
  const std::string p = lowercase(pattern);
  const size_t at = host.size() - p.size();
  return host.compare(at, p.size(), p) == 0 && (at == 0 || host[at - 1] == '.');
}

}  // namespace

std::string_view HttpUrl::path() const {
  const std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string HttpUrl::authority() const {
  std::string out = bracketed_host(*this);
  if (port != default_port()) out += ":" + std::to_string(port);
  return out;
}

std::string HttpUrl::to_string() const { return origin(*this) + target; }

Result<HttpUrl> parse_http_url(std::string_view url) {
  if (url.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
    return bad("the URL contains a line break or a NUL byte");
  HttpUrl out;
  std::string_view rest;
  if (Status st = parse_scheme(url, &out, &rest); !st) return st.error();
  const size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    if (Status st = parse_userinfo(authority.substr(0, at), &out); !st) return st.error();
  }
  if (Status st = parse_host_port(at == std::string_view::npos ? authority : authority.substr(at + 1), &out); !st)
    return st.error();
  out.target = make_target(tail);
  return out;
}

Result<HttpUrl> resolve_location(const HttpUrl &base, std::string_view location) {
  if (location.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
    return bad("the Location " + quoted(location) + " contains a line break or a NUL byte");
  auto url = parse_http_url(resolve_text(base, split_reference(location)));
  if (url.ok()) return url;
  std::string_view detail = url.error().detail();
  if (starts_with(detail, "http: ")) detail.remove_prefix(6);
  return bad("redirect to " + quoted(location) + ": " + std::string(detail));
}

bool host_matches_no_proxy(std::string_view no_proxy, std::string_view host, int port) {
  const std::string h = lowercase(strip_brackets(host));
  if (h.empty()) return false;
  while (!no_proxy.empty()) {
    const size_t start = no_proxy.find_first_not_of(" ,");
    if (start == std::string_view::npos) break;
    no_proxy.remove_prefix(start);
    const size_t end = no_proxy.find_first_of(" ,");
    if (entry_matches(no_proxy.substr(0, end), h, port)) return true;
    no_proxy.remove_prefix(end == std::string_view::npos ? no_proxy.size() : end);
  }
  return false;
}

}  // namespace avio::protocols::http
