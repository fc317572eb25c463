// The URL parsers the network protocols run on what callers and servers
// hand them: scheme resolution and inline options (UrlContext::alloc, no
// connection), the socket protocols' target splitting (av_url_split's
// part) and query reading (av_find_info_tag), and the option parser that
// takes the query values. Aborts on a broken invariant; the sanitizers
// catch the rest.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "avio/protocol.hpp"
#include "avio/protocol_registry.hpp"
#include "protocols/net/url_split.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string url(reinterpret_cast<const char *>(data), size);

  // Scheme resolution, inline options, protocol state: never connects.
  auto h = avio::UrlContext::alloc(url, avio::kOpenRead, {});
  if (h.ok()) {
    const std::string_view whole = (*h)->url(), target = (*h)->target();
    check(target.size() <= whole.size());
    check(whole.substr(whole.size() - target.size()) == target);
  } else {
    check(h.error().code() < 0);
  }
  (void)avio::ProtocolRegistry::global().find_for_url(url);

  // The socket protocols' view of a target.
  const avio::protocols::net::HostTarget t = avio::protocols::net::split_host_target(url);
  check(t.query.empty() || t.query.front() == '?');
  check(t.path.empty() || t.path.front() == '/');
  check(t.host.find_first_of("/?#") == std::string::npos);  // the authority ends at the first of them
  std::string value;
  for (const char *tag : {"listen", "timeout", "local_port", "pkt_size", "fifo_size", "tcp_nodelay", ""}) {
    if (avio::protocols::net::find_info_tag(t.query, tag, &value)) {
      bool digits = false;
      (void)avio::protocols::net::parse_long(value, &digits);
      // The value an option table would take from the query.
      avio::OptionSpec spec{"v", avio::OptionType::kInt, "0", -1, 65535, "fuzzed"};
      avio::OptionValues values(std::span<const avio::OptionSpec>(&spec, 1));
      (void)values.set("v", value);
    }
  }
  return 0;
}
