// The http(s) URL: parsing, request targets, Location resolution (RFC 3986
// section 5.4's examples) and no_proxy matching (src/url/protocols/http/http_url.hpp).
#include "protocols/http/http_url.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <string_view>

namespace {

using avio::protocols::http::host_matches_no_proxy;
using avio::protocols::http::HttpUrl;
using avio::protocols::http::parse_http_url;
using avio::protocols::http::resolve_location;

HttpUrl parse_ok(std::string_view url) {
  auto r = parse_http_url(url);
  EXPECT_TRUE(r.ok()) << url << ": " << r.error().message();
  return r.ok() ? *r : HttpUrl{};
}

// The detail of a rejected URL (and checks the code).
std::string parse_error(std::string_view url) {
  auto r = parse_http_url(url);
  EXPECT_FALSE(r.ok()) << "accepted: " << url;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code(), -EINVAL);
  return std::string(r.error().detail());
}

std::string resolved(std::string_view base, std::string_view location) {
  auto r = resolve_location(parse_ok(base), location);
  if (!r.ok()) return "error: " + std::string(r.error().detail());
  return r->to_string();
}

TEST(HttpUrl, ParsesTheParts) {
  const HttpUrl u = parse_ok("HTTP://Example.COM/a/B?x=1&y#frag");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 80);
  EXPECT_FALSE(u.explicit_port);
  EXPECT_FALSE(u.has_userinfo);
  EXPECT_EQ(u.target, "/a/B?x=1&y");  // the path keeps its case; the fragment is dropped
  EXPECT_EQ(u.path(), "/a/B");
  EXPECT_EQ(u.authority(), "example.com");
  EXPECT_EQ(u.to_string(), "http://example.com/a/B?x=1&y");
  EXPECT_FALSE(u.secure());
}

TEST(HttpUrl, DefaultAndExplicitPorts) {
  EXPECT_EQ(parse_ok("https://h/").port, 443);
  EXPECT_TRUE(parse_ok("https://h/").secure());
  const HttpUrl alt = parse_ok("https://h:8443/x");
  EXPECT_EQ(alt.port, 8443);
  EXPECT_TRUE(alt.explicit_port);
  EXPECT_EQ(alt.authority(), "h:8443");
  // An explicit default port: kept by to_string, left out of the Host header.
  const HttpUrl def = parse_ok("http://h:80/");
  EXPECT_TRUE(def.explicit_port);
  EXPECT_EQ(def.authority(), "h");
  EXPECT_EQ(def.to_string(), "http://h:80/");
  EXPECT_EQ(parse_ok("https://h:80/").authority(), "h:80");
  EXPECT_EQ(parse_ok("http://h:0080/").port, 80);
  // An empty port (RFC 3986 allows it) is the default.
  const HttpUrl empty = parse_ok("http://h:/p");
  EXPECT_EQ(empty.port, 80);
  EXPECT_FALSE(empty.explicit_port);
}

TEST(HttpUrl, EmptyPathIsSlash) {
  EXPECT_EQ(parse_ok("http://h").target, "/");
  EXPECT_EQ(parse_ok("http://h#f").target, "/");
  EXPECT_EQ(parse_ok("http://h?q=1").target, "/?q=1");  // as FFmpeg's sanitized_path
  EXPECT_EQ(parse_ok("http://h/p?").target, "/p?");
}

TEST(HttpUrl, Ipv6Hosts) {
  const HttpUrl u = parse_ok("http://[::1]:8080/x");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.authority(), "[::1]:8080");
  EXPECT_EQ(u.to_string(), "http://[::1]:8080/x");
  EXPECT_EQ(parse_ok("https://[FE80::A:1]/").host, "fe80::a:1");
  EXPECT_EQ(parse_ok("http://[::ffff:1.2.3.4]").authority(), "[::ffff:1.2.3.4]");
  EXPECT_NE(parse_error("http://[::g]/").find("IPv6"), std::string::npos);
  EXPECT_NE(parse_error("http://[::1/").find("unterminated"), std::string::npos);
  parse_error("http://[::1]x/");
  parse_error("http://[]/");
  parse_error("http://[1.2.3.4]/");
  parse_error("http://[fe80::1%25eth0]/");  // zone IDs are not supported
}

TEST(HttpUrl, UserinfoIsDecoded) {
  const HttpUrl u = parse_ok("http://us%40er:p%3Ass%2F@h/");
  EXPECT_TRUE(u.has_userinfo);
  EXPECT_EQ(u.user, "us@er");
  EXPECT_EQ(u.password, "p:ss/");
  EXPECT_EQ(u.to_string(), "http://us%40er:p%3Ass%2F@h/");
  // The last '@' ends the userinfo.
  const HttpUrl at = parse_ok("http://a@b:c@h/");
  EXPECT_EQ(at.user, "a@b");
  EXPECT_EQ(at.password, "c");
  EXPECT_EQ(at.host, "h");
  const HttpUrl empty = parse_ok("http://@h/");
  EXPECT_TRUE(empty.has_userinfo);
  EXPECT_EQ(empty.user, "");
  EXPECT_EQ(parse_ok("http://u:@h/").to_string(), "http://u@h/");
  // A bad escape is refused, and the password is not repeated in the message.
  const std::string detail = parse_error("http://user:secret%zz@h/");
  EXPECT_NE(detail.find("userinfo"), std::string::npos);
  EXPECT_EQ(detail.find("secret"), std::string::npos);
  parse_error("http://user%4:x@h/");
  parse_error("http://user%@h/");
}

TEST(HttpUrl, RejectsWhatARequestCannotCarry) {
  EXPECT_NE(parse_error("ftp://h/x").find("unsupported scheme 'ftp'"), std::string::npos);
  EXPECT_NE(parse_error("example.com/x").find("no scheme"), std::string::npos);
  EXPECT_NE(parse_error("http:/h/x").find("//"), std::string::npos);
  EXPECT_NE(parse_error("http://").find("missing host"), std::string::npos);
  EXPECT_NE(parse_error("http:///p").find("missing host"), std::string::npos);
  EXPECT_NE(parse_error("http://u@/p").find("missing host"), std::string::npos);
  EXPECT_NE(parse_error("http://h:1:2/").find("port '1:2'"), std::string::npos);
  EXPECT_NE(parse_error("http://h:0/").find("port '0'"), std::string::npos);
  EXPECT_NE(parse_error("http://h:65536/").find("port"), std::string::npos);
  EXPECT_NE(parse_error("http://h:8a/").find("port '8a'"), std::string::npos);
  parse_error("http://h:99999999999999999999/");
  parse_error("http://h:-1/");
  parse_error("http://h:+80/");
  EXPECT_NE(parse_error("http://a b/").find("host"), std::string::npos);
  parse_error("http://h%41/");
  parse_error("http://h\xc3\xa9/");
  EXPECT_NE(parse_error("http://h/a\r\nX-Injected: 1").find("line break"), std::string::npos);
  parse_error("http://h/a\nb");
  parse_error(std::string_view("http://h/a\0b", 12));
  parse_error("http://h/#\r");  // anywhere, the fragment included
  parse_error("1http://h/");
}

TEST(HttpUrl, TargetIsPercentEncoded) {
  EXPECT_EQ(parse_ok("http://h/a b/\xc3\xbc?q=<x>\"|").target, "/a%20b/%C3%BC?q=%3Cx%3E%22%7C");
  EXPECT_EQ(parse_ok("http://h/%41%2f").target, "/%41%2f");  // existing escapes stay
  EXPECT_EQ(parse_ok("http://h/100%/%zz/%4").target, "/100%25/%25zz/%254");
  EXPECT_EQ(parse_ok("http://h/\t\x7f\x01{}^`\\").target, "/%09%7F%01%7B%7D%5E%60%5C");
  EXPECT_EQ(parse_ok("http://h/a;b=c,d@e:f!$&'()*+~").target, "/a;b=c,d@e:f!$&'()*+~");
  for (const char c : parse_ok("http://h/ \x01\x1f\x7f\x80\xff").target) {
    EXPECT_GT(static_cast<unsigned char>(c), 0x20);
    EXPECT_LT(static_cast<unsigned char>(c), 0x7f);
  }
}

TEST(HttpUrl, DotSegmentsStayInAParsedUrlAndGoWhenResolved) {
  EXPECT_EQ(parse_ok("http://h/a/../b/./c").target, "/a/../b/./c");         // as FFmpeg sends it
  EXPECT_EQ(resolved("http://x/", "http://h/a/../b/./c"), "http://h/b/c");  // RFC 3986 5.2.2
  EXPECT_EQ(resolved("http://h/a/../b/./c?q", ""), "http://h/a/../b/./c?q");
}

TEST(HttpUrl, ToStringReparsesToTheSameUrl) {
  for (const char *url : {"http://h", "HTTPS://U%3A:P%40@Host.Example:8443/a b?c=d#e", "http://[::1]/x",
                          "http://@h:80/%zz", "http://h/?", "https://x.y/\xff"}) {
    const HttpUrl u = parse_ok(url);
    EXPECT_EQ(parse_ok(u.to_string()), u) << url << " -> " << u.to_string();
  }
}

// RFC 3986 section 5.4.1.
TEST(HttpUrl, ResolvesTheRfc3986NormalExamples) {
  const char *base = "http://a/b/c/d;p?q";
  EXPECT_NE(resolved(base, "g:h").find("unsupported scheme 'g'"), std::string::npos);
  EXPECT_EQ(resolved(base, "g"), "http://a/b/c/g");
  EXPECT_EQ(resolved(base, "./g"), "http://a/b/c/g");
  EXPECT_EQ(resolved(base, "g/"), "http://a/b/c/g/");
  EXPECT_EQ(resolved(base, "/g"), "http://a/g");
  EXPECT_EQ(resolved(base, "//g"), "http://g/");
  EXPECT_EQ(resolved(base, "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(resolved(base, "g?y"), "http://a/b/c/g?y");
  EXPECT_EQ(resolved(base, "#s"), "http://a/b/c/d;p?q");  // fragments are dropped
  EXPECT_EQ(resolved(base, "g#s"), "http://a/b/c/g");
  EXPECT_EQ(resolved(base, "g?y#s"), "http://a/b/c/g?y");
  EXPECT_EQ(resolved(base, ";x"), "http://a/b/c/;x");
  EXPECT_EQ(resolved(base, "g;x"), "http://a/b/c/g;x");
  EXPECT_EQ(resolved(base, "g;x?y#s"), "http://a/b/c/g;x?y");
  EXPECT_EQ(resolved(base, ""), "http://a/b/c/d;p?q");
  EXPECT_EQ(resolved(base, "."), "http://a/b/c/");
  EXPECT_EQ(resolved(base, "./"), "http://a/b/c/");
  EXPECT_EQ(resolved(base, ".."), "http://a/b/");
  EXPECT_EQ(resolved(base, "../"), "http://a/b/");
  EXPECT_EQ(resolved(base, "../g"), "http://a/b/g");
  EXPECT_EQ(resolved(base, "../.."), "http://a/");
  EXPECT_EQ(resolved(base, "../../"), "http://a/");
  EXPECT_EQ(resolved(base, "../../g"), "http://a/g");
}

// RFC 3986 section 5.4.2.
TEST(HttpUrl, ResolvesTheRfc3986AbnormalExamples) {
  const char *base = "http://a/b/c/d;p?q";
  EXPECT_EQ(resolved(base, "../../../g"), "http://a/g");
  EXPECT_EQ(resolved(base, "../../../../g"), "http://a/g");
  EXPECT_EQ(resolved(base, "/./g"), "http://a/g");
  EXPECT_EQ(resolved(base, "/../g"), "http://a/g");
  EXPECT_EQ(resolved(base, "g."), "http://a/b/c/g.");
  EXPECT_EQ(resolved(base, ".g"), "http://a/b/c/.g");
  EXPECT_EQ(resolved(base, "g.."), "http://a/b/c/g..");
  EXPECT_EQ(resolved(base, "..g"), "http://a/b/c/..g");
  EXPECT_EQ(resolved(base, "./../g"), "http://a/b/g");
  EXPECT_EQ(resolved(base, "./g/."), "http://a/b/c/g/");
  EXPECT_EQ(resolved(base, "g/./h"), "http://a/b/c/g/h");
  EXPECT_EQ(resolved(base, "g/../h"), "http://a/b/c/h");
  EXPECT_EQ(resolved(base, "g;x=1/./y"), "http://a/b/c/g;x=1/y");
  EXPECT_EQ(resolved(base, "g;x=1/../y"), "http://a/b/c/y");
  EXPECT_EQ(resolved(base, "g?y/./x"), "http://a/b/c/g?y/./x");
  EXPECT_EQ(resolved(base, "g?y/../x"), "http://a/b/c/g?y/../x");
  EXPECT_EQ(resolved(base, "g#s/./x"), "http://a/b/c/g");
  EXPECT_EQ(resolved(base, "g#s/../x"), "http://a/b/c/g");
  // Strict parsers (RFC 3986) read "http:g" as absolute: no authority, refused.
  EXPECT_EQ(resolved(base, "http:g").rfind("error: http: redirect to 'http:g': missing", 0), 0u);
}

TEST(HttpUrl, ResolvesRedirectsBetweenOrigins) {
  EXPECT_EQ(resolved("http://a/x", "HTTPS://B.example:444/y?z"), "https://b.example:444/y?z");
  EXPECT_EQ(resolved("https://a/x", "//cdn.example/v.mp4"), "https://cdn.example/v.mp4");
  EXPECT_EQ(resolved("http://a/x", "//[::1]:81"), "http://[::1]:81/");
  // Relative references keep the userinfo and the port; absolute ones do not.
  EXPECT_EQ(resolved("http://u:p@a:8080/x/y", "z"), "http://u:p@a:8080/x/z");
  EXPECT_EQ(resolved("http://u:p@a:8080/x/y", "http://a/z"), "http://a/z");
  // What the server sends raw is encoded in the new target.
  EXPECT_EQ(resolved("http://a/x", "/a b?c d"), "http://a/a%20b?c%20d");
  EXPECT_EQ(resolve_location(parse_ok("http://a/x"), "/a b")->target, "/a%20b");
  // Not http(s), or not a URL: -EINVAL naming the Location.
  auto ftp = resolve_location(parse_ok("http://a/x"), "ftp://b/y");
  ASSERT_FALSE(ftp.ok());
  EXPECT_EQ(ftp.error().code(), -EINVAL);
  EXPECT_NE(ftp.error().detail().find("'ftp://b/y'"), std::string_view::npos);
  EXPECT_NE(ftp.error().detail().find("unsupported scheme"), std::string_view::npos);
  EXPECT_FALSE(resolve_location(parse_ok("http://a/x"), "/y\r\nSet-Cookie: a=b").ok());
  EXPECT_FALSE(resolve_location(parse_ok("http://a/x"), "//:80/").ok());
  EXPECT_FALSE(resolve_location(parse_ok("http://a/x"), "http://a:70000/").ok());
}

TEST(HttpUrl, NoProxyMatchesHostsAndDomains) {
  EXPECT_TRUE(host_matches_no_proxy("*", "anything.example", 80));
  EXPECT_FALSE(host_matches_no_proxy("", "example.com", 80));
  EXPECT_FALSE(host_matches_no_proxy(" , ", "example.com", 80));
  for (const char *entry : {"example.com", ".example.com", "*.example.com", "*example.com"}) {
    EXPECT_TRUE(host_matches_no_proxy(entry, "example.com", 80)) << entry;
    EXPECT_TRUE(host_matches_no_proxy(entry, "a.b.example.com", 80)) << entry;
    EXPECT_FALSE(host_matches_no_proxy(entry, "badexample.com", 80)) << entry;
    EXPECT_FALSE(host_matches_no_proxy(entry, "example.com.evil", 80)) << entry;
    EXPECT_FALSE(host_matches_no_proxy(entry, "com", 80)) << entry;
  }
  EXPECT_TRUE(host_matches_no_proxy("foo,  bar.org example.com", "www.example.com", 80));
  EXPECT_TRUE(host_matches_no_proxy("localhost,127.0.0.1", "127.0.0.1", 80));
  EXPECT_FALSE(host_matches_no_proxy("localhost,127.0.0.1", "127.0.0.2", 80));
  EXPECT_TRUE(host_matches_no_proxy("EXAMPLE.com", "www.Example.COM", 80));  // FFmpeg compares case
  EXPECT_FALSE(host_matches_no_proxy(".", "example.com", 80));
}

TEST(HttpUrl, NoProxyEntriesMayNameAPort) {
  EXPECT_TRUE(host_matches_no_proxy("example.com:8080", "a.example.com", 8080));
  EXPECT_FALSE(host_matches_no_proxy("example.com:8080", "a.example.com", 80));
  EXPECT_FALSE(host_matches_no_proxy("example.com:x", "example.com", 80));
  EXPECT_TRUE(host_matches_no_proxy("[::1]:8080", "::1", 8080));
  EXPECT_FALSE(host_matches_no_proxy("[::1]:8080", "::1", 80));
  EXPECT_TRUE(host_matches_no_proxy("[::1]", "[::1]", 80));
  EXPECT_TRUE(host_matches_no_proxy("::1", "::1", 443));
  EXPECT_FALSE(host_matches_no_proxy("::1", "::2", 443));
}

}  // namespace
