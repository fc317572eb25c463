// The parts of a network URL's target that FFmpeg's av_url_split and
// av_find_info_tag give its socket protocols, for tcp, tls and udp alike.
#ifndef AVIO_SRC_URL_PROTOCOLS_NET_URL_SPLIT_HPP
#define AVIO_SRC_URL_PROTOCOLS_NET_URL_SPLIT_HPP

#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

namespace avio::protocols::net {

// "//[user@]host[:port][/path][?query]" (the target, without its scheme).
struct HostTarget {
  std::string host;        // without the brackets of an IPv6 literal
  int port = -1;           // -1: none given
  std::string_view path;   // from the first '/' after the authority, or empty
  std::string_view query;  // from '?' on, or empty
};
HostTarget split_host_target(std::string_view target);

// strtol(s, &end, 10) as FFmpeg calls it on query values: leading blanks,
// a sign, digits; the value saturates. `digits` says whether any were read.
int64_t parse_long(std::string_view s, bool *digits = nullptr);

// A parsed value as an int option takes it: saturated to int's range.
inline int clamp_int(int64_t v) { return static_cast<int>(v < INT_MIN ? INT_MIN : v > INT_MAX ? INT_MAX : v); }

// av_find_info_tag: the value of the first `tag` in "?k=v&k2=v2" ('+' is a
// space; a key without '=' has the empty value).
bool find_info_tag(std::string_view query, std::string_view tag, std::string *value);

}  // namespace avio::protocols::net

#endif  // AVIO_SRC_URL_PROTOCOLS_NET_URL_SPLIT_HPP
