// The http protocol's cookie jar (src/url/protocols/http/cookies.hpp): the
// cookies option, Set-Cookie headers, the Cookie header, and the option text
// read back.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/http/cookies.hpp"

namespace {

using avio::protocols::http::CookieJar;

constexpr int64_t kNow = 1700000000;       // 2023-11-14T22:13:20Z
constexpr int64_t kYear2037 = 2114380800;  // 2037-01-01T00:00:00Z, a Thursday
constexpr const char *kFuture = "Thu, 01 Jan 2037 00:00:00 GMT";
constexpr const char *kPast = "Sun, 06 Nov 1994 08:49:37 GMT";

CookieJar jar_from(std::string_view option) {
  auto r = CookieJar::from_option(option);
  EXPECT_TRUE(r.ok()) << option << ": " << r.error().message();
  return r.ok() ? *r : CookieJar{};
}

std::string option_error(std::string_view option) {
  auto r = CookieJar::from_option(option);
  EXPECT_FALSE(r.ok()) << "accepted: " << option;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code(), -EINVAL);
  return std::string(r.error().detail());
}

std::string header(const CookieJar &jar, std::string_view host, std::string_view path, int64_t now = kNow) {
  return jar.header_for(host, path, false, now);
}

TEST(HttpCookies, OptionCookiesAreSentWhereTheyApply) {
  const CookieJar jar = jar_from("a=1; path=/; domain=example.com\nb=2; Path=/sub\n\n  \nc=3; PATH=/sub/deeper");
  EXPECT_EQ(jar.size(), 3u);
  EXPECT_EQ(header(jar, "example.com", "/sub/x"), "a=1; b=2");
  EXPECT_EQ(header(jar, "www.example.com", "/sub/deeper/f"), "a=1; b=2; c=3");
  // A cookie without Domain goes to every host, as in FFmpeg.
  EXPECT_EQ(header(jar, "other.org", "/sub"), "b=2");
  EXPECT_EQ(header(jar, "example.com", "/other"), "a=1");
  EXPECT_EQ(header(jar, "other.org", "/"), "");
}

TEST(HttpCookies, OptionCookieWithoutPathAppliesToEveryPath) {
  // FFmpeg's get_cookies skips a cookie without Path: it is never sent.
  const CookieJar jar = jar_from("a=1");
  EXPECT_EQ(header(jar, "h", "/x/y?z"), "a=1");
  EXPECT_EQ(header(jar, "h", ""), "a=1");
}

TEST(HttpCookies, OptionLinesMayEndInCrlf) {
  const CookieJar jar = jar_from("a=1; path=/\r\nb=2; path=/\r\n");
  EXPECT_EQ(header(jar, "h", "/"), "a=1; b=2");
}

TEST(HttpCookies, OptionRejectsMalformedCookiesNamingThem) {
  EXPECT_NE(option_error("a=1\rb=2").find("'a'"), std::string::npos);
  EXPECT_NE(option_error(std::string_view("ok=1\nnul=x\0y", 12)).find("'nul'"), std::string::npos);
  EXPECT_NE(option_error("bad name=1").find("'bad name'"), std::string::npos);
  EXPECT_NE(option_error("bad name=1").find("token"), std::string::npos);
  EXPECT_NE(option_error("x:y=1").find("token"), std::string::npos);
  EXPECT_NE(option_error("=1; path=/").find("token"), std::string::npos);
  EXPECT_NE(option_error("novalue; path=/").find("'novalue' has no '='"), std::string::npos);
  EXPECT_NE(option_error("a=b\x01").find("control character"), std::string::npos);
  EXPECT_NE(option_error("a=b\tc").find("control character"), std::string::npos);
  EXPECT_NE(option_error("a=" + std::string(CookieJar::kMaxCookieBytes, 'v')).find("exceeds 4096"), std::string::npos);
  EXPECT_TRUE(CookieJar::from_option("a=" + std::string(CookieJar::kMaxCookieBytes - 1, 'v')).ok());
}

TEST(HttpCookies, SetCookieCannotInjectHeaderLines) {
  CookieJar jar;
  EXPECT_FALSE(jar.set_from_header("a=1\r\nX-Injected: 1", "h", "/", kNow));
  EXPECT_FALSE(jar.set_from_header("a=1; path=/\nb=2", "h", "/", kNow));
  EXPECT_FALSE(jar.set_from_header(std::string_view("a=1\0b", 5), "h", "/", kNow));
  EXPECT_FALSE(jar.set_from_header("a=\x7f", "h", "/", kNow));
  EXPECT_FALSE(jar.set_from_header("a b=1", "h", "/", kNow));
  EXPECT_FALSE(jar.set_from_header("noequals", "h", "/", kNow));
  EXPECT_FALSE(jar.set_from_header("a=1", "", "/", kNow));
  EXPECT_EQ(jar.size(), 0u);
  // Surrounding blanks go; quotes and inner '=' are part of the value.
  EXPECT_TRUE(jar.set_from_header("  a = \"x=y\" ;path=/", "h", "/", kNow));
  EXPECT_EQ(header(jar, "h", "/"), "a=\"x=y\"");
}

TEST(HttpCookies, ExpiresInThePastOrFuture) {
  const CookieJar jar =
      jar_from(std::string("old=1; path=/; expires=") + kPast + "\nnew=2; path=/; expires=" + kFuture);
  EXPECT_EQ(jar.size(), 2u);  // kept in the option, as FFmpeg does, but not sent
  EXPECT_EQ(header(jar, "h", "/"), "new=2");
  EXPECT_EQ(header(jar, "h", "/", kYear2037), "new=2");  // not before its date: FFmpeg compares with <
  EXPECT_EQ(header(jar, "h", "/", kYear2037 + 1), "");
}

TEST(HttpCookies, ExpiresFormats) {
  CookieJar jar;
  // The three HTTP-date forms, and the Netscape form servers still send.
  EXPECT_TRUE(jar.set_from_header("a=1; Expires=Wed, 21-Oct-2037 07:28:00 GMT", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("b=1; expires=Wednesday, 21-Oct-37 07:28:00 GMT", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("c=1; EXPIRES=Wed Oct 21 07:28:00 2037", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("d=1; expires=Wed, 21 Oct 2037 07:28:00 GMT", "h", "/", kNow));
  // An unparsable date is ignored: a session cookie.
  EXPECT_TRUE(jar.set_from_header("e=1; expires=tomorrow", "h", "/", kNow));
  const int64_t at = 2139722880;  // 2037-10-21T07:28:00Z
  EXPECT_EQ(header(jar, "h", "/", at), "a=1; b=1; c=1; d=1; e=1");
  EXPECT_EQ(header(jar, "h", "/", at + 1), "e=1");
}

TEST(HttpCookies, MaxAgeTakesPrecedenceOverExpires) {
  CookieJar jar;
  EXPECT_TRUE(jar.set_from_header(std::string("a=1; Max-Age=10; Expires=") + kPast, "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header(std::string("b=1; Expires=") + kFuture + "; Max-Age=5", "h", "/", kNow));
  EXPECT_EQ(header(jar, "h", "/", kNow + 5), "a=1; b=1");
  EXPECT_EQ(header(jar, "h", "/", kNow + 6), "a=1");
  EXPECT_EQ(header(jar, "h", "/", kNow + 11), "");
  // An invalid Max-Age is ignored, so Expires applies.
  EXPECT_TRUE(jar.set_from_header(std::string("c=1; Max-Age=10x; Expires=") + kFuture, "h", "/", kNow));
  EXPECT_EQ(header(jar, "h", "/", kNow + 100), "c=1");
  // A huge Max-Age saturates.
  EXPECT_TRUE(jar.set_from_header("d=1; Max-Age=99999999999999999999999", "h", "/", kNow));
  EXPECT_EQ(header(jar, "h", "/", kYear2037 * 2), "d=1");
}

TEST(HttpCookies, ExpiredSetCookieRemovesTheCookie) {
  CookieJar jar;
  EXPECT_TRUE(jar.set_from_header("a=1; path=/", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("b=1; path=/", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("c=1; path=/", "h", "/", kNow));
  // FFmpeg leaves the old cookie when the new one has expired.
  EXPECT_TRUE(jar.set_from_header(std::string("a=; path=/; expires=") + kPast, "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("b=x; path=/; Max-Age=0", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("c=x; path=/; max-age=-1", "h", "/", kNow));
  EXPECT_EQ(jar.size(), 0u);
  // Deleting one that is not there is fine, and stores nothing.
  EXPECT_TRUE(jar.set_from_header("d=1; Max-Age=0", "h", "/", kNow));
  EXPECT_EQ(jar.size(), 0u);
}

TEST(HttpCookies, ExpiredCookiesArePurged) {
  CookieJar jar;
  EXPECT_TRUE(jar.set_from_header("a=1; Max-Age=10", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("b=1", "h", "/", kNow + 20));
  EXPECT_EQ(jar.size(), 1u);
  EXPECT_EQ(jar.to_option(), "b=1; Domain=h; Path=/; HostOnly\n");
}

TEST(HttpCookies, DomainAttributeMatchesTheDomainAndItsSubdomains) {
  for (const char *domain : {"example.com", ".example.com", "EXAMPLE.COM", "..example.com", ". example.com"}) {
    CookieJar jar;
    EXPECT_TRUE(jar.set_from_header(std::string("a=1; Domain=") + domain, "www.example.com", "/", kNow)) << domain;
    EXPECT_EQ(header(jar, "example.com", "/"), "a=1") << domain;
    EXPECT_EQ(header(jar, "a.b.example.com", "/"), "a=1") << domain;
    EXPECT_EQ(header(jar, "WWW.Example.com", "/"), "a=1") << domain;
    EXPECT_EQ(header(jar, "badexample.com", "/"), "") << domain;  // FFmpeg matches a bare suffix
    EXPECT_EQ(header(jar, "example.com.evil", "/"), "") << domain;
  }
}

TEST(HttpCookies, SetCookieForAnotherDomainIsRefused) {
  CookieJar jar;
  EXPECT_FALSE(jar.set_from_header("a=1; Domain=other.com", "www.example.com", "/", kNow));
  EXPECT_FALSE(jar.set_from_header("a=1; Domain=www.example.com", "example.com", "/", kNow));
  EXPECT_FALSE(jar.set_from_header("a=1; Domain=ample.com", "example.com", "/", kNow));
  // IP addresses match only themselves.
  EXPECT_FALSE(jar.set_from_header("a=1; Domain=2.3.4", "1.2.3.4", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("a=1; Domain=1.2.3.4", "1.2.3.4", "/", kNow));
  EXPECT_EQ(jar.size(), 1u);
  EXPECT_EQ(header(jar, "1.2.3.4", "/"), "a=1");
  EXPECT_EQ(header(jar, "0.1.2.3.4", "/"), "");
}

TEST(HttpCookies, HostOnlyCookiesStayOnTheirHost) {
  CookieJar jar;
  EXPECT_TRUE(jar.set_from_header("a=1", "www.example.com", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("v6=1", "[::1]", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("empty=1; Domain=", "www.example.com", "/", kNow));
  EXPECT_EQ(header(jar, "www.example.com", "/"), "a=1; empty=1");
  EXPECT_EQ(header(jar, "WWW.EXAMPLE.COM", "/"), "a=1; empty=1");
  EXPECT_EQ(header(jar, "a.www.example.com", "/"), "");
  EXPECT_EQ(header(jar, "example.com", "/"), "");
  EXPECT_EQ(header(jar, "::1", "/"), "v6=1");
  EXPECT_EQ(header(jar, "[::1]", "/"), "v6=1");
}

TEST(HttpCookies, PathMatching) {
  CookieJar jar;
  // Without Path: the request path's directory (RFC 6265 5.1.4).
  EXPECT_TRUE(jar.set_from_header("d=1", "h", "/a/b/c.mp4?x=/y/z", kNow));
  EXPECT_TRUE(jar.set_from_header("top=1", "h", "/c.mp4", kNow));
  EXPECT_TRUE(jar.set_from_header("rel=1; Path=relative", "h", "/r/s", kNow));  // not absolute: the default
  EXPECT_TRUE(jar.set_from_header("slash=1; Path=/a/", "h", "/", kNow));
  EXPECT_EQ(header(jar, "h", "/a/b"), "d=1; top=1; slash=1");
  EXPECT_EQ(header(jar, "h", "/a/b/x/y"), "d=1; top=1; slash=1");
  EXPECT_EQ(header(jar, "h", "/a/b?q"), "d=1; top=1; slash=1");
  EXPECT_EQ(header(jar, "h", "/a/bc"), "top=1; slash=1");
  EXPECT_EQ(header(jar, "h", "/a"), "top=1");
  EXPECT_EQ(header(jar, "h", "/A/B"), "top=1");  // case-sensitive; FFmpeg compares without case
  EXPECT_EQ(header(jar, "h", "/r"), "top=1; rel=1");
}

TEST(HttpCookies, SecureCookiesOnlyOverHttps) {
  CookieJar jar;
  EXPECT_TRUE(jar.set_from_header("s=1; Secure; HttpOnly", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("p=1", "h", "/", kNow));
  EXPECT_EQ(jar.header_for("h", "/", false, kNow), "p=1");
  EXPECT_EQ(jar.header_for("h", "/", true, kNow), "s=1; p=1");
}

TEST(HttpCookies, SameNameDomainAndPathIsReplacedInPlace) {
  CookieJar jar;
  EXPECT_TRUE(jar.set_from_header("a=1; path=/", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("b=1; path=/", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("a=2; path=/", "h", "/", kNow));
  EXPECT_EQ(jar.size(), 2u);
  EXPECT_EQ(header(jar, "h", "/"), "a=2; b=1");
  // Another path, another domain or another case: another cookie.
  EXPECT_TRUE(jar.set_from_header("a=3; path=/x", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("A=4; path=/", "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("a=5; path=/; domain=h", "h", "/", kNow));  // host-only "h" is the same key
  EXPECT_EQ(jar.size(), 4u);
  EXPECT_EQ(header(jar, "h", "/x"), "a=5; b=1; a=3; A=4");
}

TEST(HttpCookies, ToOptionWritesSetCookieLines) {
  CookieJar jar;
  EXPECT_TRUE(jar.set_from_header("a=1; Domain=.Example.com; Path=/p; Secure; Max-Age=60", "www.example.com", "/",
                                  kYear2037 - 60));
  EXPECT_TRUE(jar.set_from_header("b=2", "www.example.com", "/dir/file", kNow));
  EXPECT_EQ(jar.to_option(),
            "a=1; Domain=example.com; Path=/p; Expires=Thu, 01 Jan 2037 00:00:00 GMT; Secure\n"
            "b=2; Domain=www.example.com; Path=/dir; HostOnly\n");
  EXPECT_EQ(jar_from("a=1").to_option(), "a=1; Path=/\n");
  EXPECT_EQ(CookieJar().to_option(), "");
}

TEST(HttpCookies, OptionRoundTrip) {
  CookieJar jar = jar_from(std::string("opt=1\nold=1; path=/x; expires=") + kPast);
  EXPECT_TRUE(jar.set_from_header("host=1", "www.example.com", "/a/b", kNow));
  EXPECT_TRUE(jar.set_from_header("dom=1; Domain=example.com; Secure", "www.example.com", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("age=1; Max-Age=3600", "[::1]", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("exp=1; expires=Thu, 01-Jan-1970 00:00:00 GMT", "h", "/", -10));
  const std::string option = jar.to_option();
  const CookieJar back = jar_from(option);
  EXPECT_EQ(back.size(), jar.size());
  EXPECT_EQ(back.to_option(), option);
  for (const char *host : {"www.example.com", "a.www.example.com", "example.com", "::1", "h", "other"}) {
    for (const char *path : {"/", "/a", "/a/b/c", "/x/y"}) {
      for (const int64_t now : {kNow, kNow + 3601, int64_t{-5}}) {
        for (const bool secure : {false, true})
          EXPECT_EQ(back.header_for(host, path, secure, now), jar.header_for(host, path, secure, now))
              << host << path << now;
      }
    }
  }
}

TEST(HttpCookies, LimitsDropTheOldest) {
  CookieJar jar;
  for (int i = 0; i < 300; ++i) EXPECT_TRUE(jar.set_from_header("c" + std::to_string(i) + "=1", "h", "/", kNow));
  EXPECT_EQ(jar.size(), CookieJar::kMaxCookies);
  const std::string h = header(jar, "h", "/");
  EXPECT_EQ(h.rfind("c44=1; c45=1", 0), 0u);
  EXPECT_NE(h.find("c299=1"), std::string::npos);
  EXPECT_EQ(h.find("c43=1"), std::string::npos);
  // Too long a cookie is refused; too long an attribute is ignored.
  EXPECT_FALSE(jar.set_from_header("big=" + std::string(CookieJar::kMaxCookieBytes, 'v'), "h", "/", kNow));
  EXPECT_TRUE(jar.set_from_header("c299=2; Path=/" + std::string(CookieJar::kMaxAttributeBytes, 'p'), "h", "/", kNow));
  EXPECT_EQ(jar.size(), CookieJar::kMaxCookies);  // the default path "/": replaced
  EXPECT_NE(header(jar, "h", "/").find("c299=2"), std::string::npos);
  EXPECT_FALSE(jar.set_from_header("long=1", "h", "/" + std::string(CookieJar::kMaxAttributeBytes, 'd') + "/f", kNow));
}

}  // namespace
