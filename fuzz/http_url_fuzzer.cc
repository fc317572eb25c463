// The http(s) URL parser, Location resolution and no_proxy matching
// (src/url/protocols/http/http_url.hpp): the input as a URL, as a Location
// against a fixed base, and its second half resolved against its first.
// Invariants: a parsed URL's to_string re-parses to the same HttpUrl, a
// request target never holds a byte below 0x21 or from 0x7f up, and a
// resolved URL resolved against itself stays itself. Aborts on a broken
// invariant.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/http/http_url.hpp"

namespace {

namespace http = avio::protocols::http;

void check(bool ok) {
  if (!ok) std::abort();
}

bool clean(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u >= 0x7f) return false;
  }
  return true;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// What holds for every URL the parser or the resolver gives.
void check_url(const http::HttpUrl &url) {
  check(url.scheme == "http" || url.scheme == "https");
  check(!url.host.empty() && url.port >= 1 && url.port <= 65535);
  check(url.explicit_port || url.port == url.default_port());
  check(!url.target.empty() && url.target.front() == '/' && clean(url.target));
  check(url.path().size() <= url.target.size());
  check(!has_line_break(url.authority()) && !has_line_break(url.to_string()));
  auto again = http::parse_http_url(url.to_string());
  check(again.ok() && *again == url);
  // Resolution removes dot segments (parsing keeps them, as FFmpeg sends
  // them): once resolved, a URL resolves to itself.
  auto self = http::resolve_location(url, url.to_string());
  check(self.ok());
  auto again_self = http::resolve_location(*self, self->to_string());
  check(again_self.ok() && *again_self == *self);
  auto same = http::resolve_location(url, "");
  check(same.ok() && *same == url);
  // The host as its own no_proxy entry ("." and ".." are hosts too, but no entry).
  if (url.host.find_first_not_of('.') != std::string::npos)
    check(http::host_matches_no_proxy(url.host, url.host, url.port));
  check(http::host_matches_no_proxy("*", url.host, url.port));
}

void check_parse(std::string_view text) {
  auto url = http::parse_http_url(text);
  if (url.ok()) {
    check(!has_line_break(text));
    check_url(*url);
  } else {
    check(url.error().code() == -EINVAL && !url.error().detail().empty());
  }
}

void check_resolve(const http::HttpUrl &base, std::string_view location) {
  auto url = http::resolve_location(base, location);
  if (url.ok()) {
    check(!has_line_break(location));
    check_url(*url);
  } else {
    check(url.error().code() == -EINVAL && !url.error().detail().empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  check_parse(text);

  static const http::HttpUrl kBase = http::parse_http_url("http://u:p@a:8080/b/c/d;p?q").value();
  check_resolve(kBase, text);

  const size_t half = size / 2;
  auto base = http::parse_http_url(text.substr(0, half));
  if (base.ok()) check_resolve(*base, text.substr(half));

  const int port = size == 0 ? 80 : data[0] * 257 % 65536;
  (void)http::host_matches_no_proxy(text.substr(0, half), text.substr(half), port);
  return 0;
}
