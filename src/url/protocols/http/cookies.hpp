// The http protocol's cookie jar: FFmpeg's `cookies` option (newline-
// separated Set-Cookie strings), the Set-Cookie headers of responses, and
// the Cookie header of requests. Semantics are FFmpeg's http.c
// (parse_cookie, get_cookies, parse_set_cookie) where it decides, RFC 6265
// where it is silent or loose; the differences are listed in cookies.cc.
// Nothing here does I/O; the caller passes the current time.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_COOKIES_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_COOKIES_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "avio/error.hpp"

namespace avio::protocols::http {

class CookieJar {
 public:
  // Beyond kMaxCookies the oldest cookie is dropped; a cookie whose name and
  // value exceed kMaxCookieBytes is refused; an attribute value longer than
  // kMaxAttributeBytes is ignored (RFC 6265bis section 5.6).
  static constexpr size_t kMaxCookies = 256;
  static constexpr size_t kMaxCookieBytes = 4096;
  static constexpr size_t kMaxAttributeBytes = 1024;

  // FFmpeg's `cookies` option: Set-Cookie strings separated by newlines (a
  // CR before the newline is fine; blank lines are skipped). -EINVAL naming
  // the cookie for a line that holds another CR or a NUL, has no '=', a name
  // that is not a token, a control character in the value, or is too long.
  // A cookie without Domain is sent to every host and one without Path to
  // every path; positive Max-Age is ignored (there is no time to count from,
  // and FFmpeg ignores Max-Age), and Max-Age <= 0 drops the line.
  static Result<CookieJar> from_option(std::string_view option);

  // A response's Set-Cookie header value received from `request_host` for
  // `request_path`: stores the cookie, replaces the one with the same name,
  // domain and path, or removes it (an Expires in the past, Max-Age <= 0).
  // A malformed cookie, or one whose Domain does not domain-match the
  // request host, is ignored: returns false. Expired cookies are purged.
  bool set_from_header(std::string_view set_cookie, std::string_view request_host, std::string_view request_path,
                       int64_t now_unix);

  // The Cookie header value for a request ("a=1; b=2", in the jar's order),
  // "" when no cookie applies: the domain matches (the host itself for a
  // host-only cookie, the domain or a subdomain of it for one with a Domain
  // attribute, any host for an option cookie without one), the path matches
  // (RFC 6265 section 5.1.4; a query in `path` is ignored), the cookie has
  // not expired, and Secure cookies only when `secure`.
  std::string header_for(std::string_view host, std::string_view path, bool secure, int64_t now_unix) const;

  // The jar as `cookies` option text, one Set-Cookie string per cookie each
  // ended by "\n" (Domain, Path, Expires as an IMF-fixdate, Secure, and
  // "HostOnly" for a cookie that applies to its domain only, which
  // from_option reads back), so that from_option(to_option()) gives back
  // the same cookies. FFmpeg updates its cookies option the same way.
  std::string to_option() const;

  size_t size() const { return cookies_.size(); }
  bool empty() const { return cookies_.empty(); }

 private:
  static constexpr int64_t kSession = INT64_MAX;
  struct Cookie {
    std::string name, value;
    std::string domain;          // lowercase, no leading dot; "" for any host
    std::string path;            // starts with '/'
    int64_t expires = kSession;  // Unix time
    bool host_only = false;
    bool secure = false;
  };

  void store(Cookie cookie);
  void remove(const Cookie &key);
  void drop_expired(int64_t now_unix);

  std::vector<Cookie> cookies_;  // oldest first
};

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_COOKIES_HPP
