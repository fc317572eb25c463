#include "token.hpp"

namespace avio::protocols {

namespace {
constexpr std::string_view kWhitespace = " \n\t\r";
bool is_space(char c) { return kWhitespace.find(c) != std::string_view::npos; }
}  // namespace

std::string get_token(std::string_view &buf, std::string_view terminators) {
  size_t p = 0;
  while (p < buf.size() && is_space(buf[p])) ++p;
  std::string out;
  size_t keep = 0;  // everything before this came from escapes or quotes
  while (p < buf.size() && buf[p] != '\0' && terminators.find(buf[p]) == std::string_view::npos) {
    const char c = buf[p++];
    if (c == '\\' && p < buf.size()) {
      out += buf[p++];
      keep = out.size();
    } else if (c == '\'') {
      while (p < buf.size() && buf[p] != '\'') out += buf[p++];
      if (p < buf.size()) {
        ++p;
        keep = out.size();
      }
    } else {
      out += c;
    }
  }
  while (out.size() > keep && is_space(out.back())) out.pop_back();
  buf.remove_prefix(p);
  return out;
}

}  // namespace avio::protocols
