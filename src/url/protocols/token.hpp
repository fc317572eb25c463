// av_get_token: the quoting rules FFmpeg uses for lists inside URLs
// (concatf's lines, tee's children).
#ifndef AVIO_SRC_URL_PROTOCOLS_TOKEN_HPP
#define AVIO_SRC_URL_PROTOCOLS_TOKEN_HPP

#include <string>
#include <string_view>

namespace avio::protocols {

// Reads a token from the front of `buf` up to (not including) the first
// character of `terminators` outside quotes, and advances `buf` to it.
// Leading white space is skipped, trailing unquoted white space dropped,
// '\' escapes the next character, '...' is taken literally.
std::string get_token(std::string_view &buf, std::string_view terminators);

}  // namespace avio::protocols

#endif  // AVIO_SRC_URL_PROTOCOLS_TOKEN_HPP
