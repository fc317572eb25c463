// Optional white space (RFC 9110 section 5.6.3: spaces and horizontal tabs)
// around a header field value or an element of a comma-separated list.
#ifndef AVIO_TOOLS_SERVE_OWS_HPP
#define AVIO_TOOLS_SERVE_OWS_HPP

#include <string_view>

namespace avio::tools::serve {

// `s` without its leading and trailing spaces and tabs.
inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_OWS_HPP
