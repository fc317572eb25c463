#include "url_split.hpp"

#include <algorithm>
#include <cctype>
#include <climits>

namespace avio::protocols::net {

int64_t parse_long(std::string_view s, bool *digits) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  int64_t v = 0;
  const size_t first = i;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i)
    v = v > (INT64_MAX - 9) / 10 ? INT64_MAX : v * 10 + (s[i] - '0');
  if (digits) *digits = i > first;
  return negative ? -v : v;
}

HostTarget split_host_target(std::string_view target) {
  HostTarget t;
  if (const size_t q = target.find('?'); q != std::string_view::npos) t.query = target.substr(q);
  std::string_view p = target;
  for (int i = 0; i < 2 && !p.empty() && p.front() == '/'; ++i) p.remove_prefix(1);
  const size_t authority_end = p.find_first_of("/?#");
  const std::string_view authority = p.substr(0, authority_end);
  if (authority_end != std::string_view::npos && p[authority_end] == '/') {
    t.path = p.substr(authority_end);
    t.path = t.path.substr(0, t.path.find('?'));
  }
  const size_t at = authority.rfind('@');
  std::string_view host = authority.substr(at == std::string_view::npos ? 0 : at + 1);
  const auto port_of = [](std::string_view s) {
    return static_cast<int>(std::clamp<int64_t>(parse_long(s), INT_MIN, INT_MAX));
  };
  if (!host.empty() && host.front() == '[' && host.find(']') != std::string_view::npos) {
    const size_t close = host.find(']');
    t.host = std::string(host.substr(1, close - 1));
    if (close + 1 < host.size() && host[close + 1] == ':') t.port = port_of(host.substr(close + 2));
  } else if (const size_t colon = host.find(':'); colon != std::string_view::npos) {
    t.host = std::string(host.substr(0, colon));
    t.port = port_of(host.substr(colon + 1));
  } else {
    t.host = std::string(host);
  }
  return t;
}

bool find_info_tag(std::string_view query, std::string_view tag, std::string *value) {
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  while (true) {
    const size_t end = query.find('&');
    const std::string_view item = query.substr(0, end);
    const size_t eq = item.find('=');
    if (item.substr(0, eq) == tag) {
      value->clear();
      if (eq != std::string_view::npos)
        for (char c : item.substr(eq + 1)) value->push_back(c == '+' ? ' ' : c);
      return true;
    }
    if (end == std::string_view::npos) return false;
    query.remove_prefix(end + 1);
  }
}

}  // namespace avio::protocols::net
