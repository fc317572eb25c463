// The http(s) URL the http protocol requests: parsing (RFC 3986 with the
// checks a request line needs), Location resolution for redirects (RFC 3986
// section 5), and no_proxy matching. Nothing here does I/O.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_URL_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_URL_HPP

#include <string>
#include <string_view>

#include "avio/error.hpp"

namespace avio::protocols::http {

struct HttpUrl {
  std::string scheme;          // "http" or "https" (lowercased)
  std::string user, password;  // percent-decoded userinfo ("" when absent)
  bool has_userinfo = false;   // an '@' was present (even "http://@h/")
  std::string host;            // lowercased; an IPv6 literal without its brackets
  int port = 0;                // explicit, or the scheme's default (80/443)
  bool explicit_port = false;  // the URL gave a port (even the default one)
  // The origin-form request target: path + "?query", "/" when the path is
  // empty; percent-encoded so that it never holds a space, a control
  // character, DEL or a non-ASCII byte (see parse_http_url).
  std::string target;

  bool secure() const { return scheme == "https"; }
  int default_port() const { return secure() ? 443 : 80; }
  // The target without its query ("/a/b" for "/a/b?x"): what cookies match.
  std::string_view path() const;
  // The Host header value: the host (bracketed when IPv6) and ":port" unless
  // it is the scheme's default (RFC 9110 section 7.2; FFmpeg also writes an
  // explicit ":80").
  std::string authority() const;
  // scheme://[userinfo@]host[:port]target, canonical: lowercase scheme and
  // host, userinfo re-encoded, the port written when the URL gave one (so
  // that to_string re-parses to an equal HttpUrl), no fragment.
  std::string to_string() const;

  friend bool operator==(const HttpUrl &, const HttpUrl &) = default;
};

// An absolute http:// or https:// URL. -EINVAL, with a detail naming the part
// at fault, for: another scheme or none, a missing "//" or host, a host with
// characters outside [A-Za-z0-9._~-] (or a malformed IPv6 literal), a port
// that is not 1..65535 in decimal, CR, LF or NUL anywhere, and userinfo with
// an invalid percent-escape. The fragment ("#...") is dropped. Bytes not
// allowed raw in a request target (space, controls, DEL, non-ASCII, and
// "<>\"\\^`{}|", and a '%' not starting an escape) are percent-encoded as
// FFmpeg's http.c (bprint_escaped_path, the wget rule) does when it writes
// the request line; FFmpeg before that helper sent them raw. Dot segments
// stay ("/a/../b" is requested as is, as FFmpeg does; curl squashes them).
Result<HttpUrl> parse_http_url(std::string_view url);

// The URL a Location header (or any URI reference) designates, resolved
// against `base` as RFC 3986 section 5.2 says (strict: "http:g" is not
// resolved as a relative path): absolute, scheme-relative ("//h/p"),
// absolute-path, relative path with dot segments, query-only, empty. The
// result is checked like parse_http_url: a redirect to a scheme other than
// http and https is an error (-EINVAL naming the Location). Dot segments
// are removed from every reference but the empty one, an absolute one too.
Result<HttpUrl> resolve_location(const HttpUrl &base, std::string_view location);

// Whether `host` (port `port`) is exempt from the proxy by `no_proxy`, as
// FFmpeg's ff_http_match_no_proxy and curl read it: entries separated by
// commas and spaces; "*" matches every host; an entry matches the host
// exactly or as a domain suffix at a dot boundary ("example.com" and
// ".example.com" and "*.example.com" match "a.example.com", not
// "badexample.com"). Unlike FFmpeg, the comparison ignores case and an
// entry may name a port ("example.com:8080", "[::1]:8080") that must then
// equal `port`. IPv6 entries are bracketed or bare ("::1").
bool host_matches_no_proxy(std::string_view no_proxy, std::string_view host, int port);

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_URL_HPP
