#include "command.hpp"

#include <cstdio>

#include "avio/ffmpeg/errors.hpp"

namespace avio::tools {

std::string error_message(const Error &error) {
  // "truncated: ..." says more than "Invalid data found when processing
  // input" would add; the code's text is kept for everything else.
  const bool self_explanatory = (error.code() == kInvalidData || error.code() == kEof) && !error.detail().empty();
  if (self_explanatory) return std::string(error.detail());
  // Protocols often end their detail with the same text already.
  const std::string text = ffmpeg::averror_text(error.code());
  const std::string_view detail = error.detail();
  if (detail.size() >= text.size() && detail.substr(detail.size() - text.size()) == text) return std::string(detail);
  return ffmpeg::describe(error);
}

int report(std::string_view command, std::string_view subject, const Error &error) {
  std::fprintf(stderr, "avio %.*s: %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(subject.size()), subject.data(), error_message(error).c_str());
  return 1;
}

long long parse_byte_size(std::string_view text) {
  if (text.empty()) return -1;
  long long value = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    value = value * 10 + (text[i] - '0');
    if (value > (1LL << 40)) return -1;
  }
  if (i == 0) return -1;
  const std::string_view suffix = text.substr(i);
  if (suffix.empty()) return value;
  if (suffix == "k" || suffix == "K" || suffix == "KiB") return value << 10;
  if (suffix == "M" || suffix == "MiB") return value << 20;
  return -1;
}

}  // namespace avio::tools
