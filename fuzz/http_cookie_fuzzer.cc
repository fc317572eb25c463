// The http protocol's cookie jar (src/url/protocols/http/cookies.hpp): the
// input as a cookies option, then each of its lines as a Set-Cookie header
// from a host, path and time its bytes choose. Invariants: the Cookie header
// never holds CR, LF or NUL; the jar stays within its limits; to_option reads
// back (from_option) to the same cookies. Aborts on a broken invariant.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/http/cookies.hpp"

namespace {

namespace http = avio::protocols::http;

constexpr std::array<std::string_view, 6> kHosts = {"example.com", "www.example.com", "a.b.example.com",
                                                    "1.2.3.4",     "[::1]",           "other.org"};
constexpr std::array<std::string_view, 5> kPaths = {"/", "/a", "/a/b/c.mp4?x=/y", "", "/A/b/"};
constexpr int64_t kNow = 1700000000;

void check(bool ok) {
  if (!ok) std::abort();
}

// Everything the jar sends, for every host and path, now and later.
void check_headers(const http::CookieJar &jar, int64_t now) {
  for (const std::string_view host : kHosts) {
    for (const std::string_view path : kPaths) {
      for (const bool secure : {false, true}) {
        const std::string header = jar.header_for(host, path, secure, now);
        check(header.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
        check(header.empty() || (header.front() != ' ' && header.back() != ' '));
      }
    }
  }
}

void check_round_trip(const http::CookieJar &jar) {
  check(jar.size() <= http::CookieJar::kMaxCookies);
  const std::string option = jar.to_option();
  check(option.find('\r') == std::string::npos && option.find('\0') == std::string::npos);
  auto back = http::CookieJar::from_option(option);
  check(back.ok());
  check(back->size() == jar.size());
  check(back->to_option() == option);
}

// Each line of `text` as a Set-Cookie header; the line's first byte picks
// the host, path and time.
void feed_headers(http::CookieJar *jar, std::string_view text) {
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    const auto pick = line.empty() ? 0u : static_cast<unsigned char>(line.front());
    const int64_t now = kNow + static_cast<int64_t>(pick % 7) * 1000000000 - 3000000000;
    const size_t before = jar->size();
    const bool stored = jar->set_from_header(line, kHosts[pick % kHosts.size()], kPaths[pick / 8 % kPaths.size()], now);
    check(stored || jar->size() <= before);
    check_headers(*jar, now);
    check_round_trip(*jar);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  auto jar = http::CookieJar::from_option(text);
  if (jar.ok()) {
    check_headers(*jar, kNow);
    check_round_trip(*jar);
  } else {
    check(jar.error().code() == -EINVAL && !jar.error().detail().empty());
  }
  http::CookieJar fed = jar.ok() ? std::move(jar).value() : http::CookieJar();
  feed_headers(&fed, text);
  return 0;
}
