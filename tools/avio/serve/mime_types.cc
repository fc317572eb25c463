#include "mime_types.hpp"

#include <array>
#include <string>
#include <utility>

namespace avio::tools::serve {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kTypes = {{
    {"mp4", "video/mp4"},
    {"m4a", "audio/mp4"},
    {"mp3", "audio/mpeg"},
    {"aac", "audio/aac"},
    {"flac", "audio/flac"},
    {"ogg", "audio/ogg"},
    {"opus", "audio/ogg"},  // Opus in Ogg, as .opus files are (RFC 7845)
    {"wav", "audio/wav"},
    {"webm", "video/webm"},
    {"mkv", "video/x-matroska"},
    {"ts", "video/mp2t"},
    {"m3u8", "application/vnd.apple.mpegurl"},
    {"mpd", "application/dash+xml"},
    {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"png", "image/png"},
}};

}  // namespace

std::string_view mime_type_for(std::string_view file_name) {
  const size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == file_name.size()) return "application/octet-stream";
  std::string ext(file_name.substr(dot + 1));
  for (char &c : ext)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (const auto &[e, type] : kTypes)
    if (e == ext) return type;
  return "application/octet-stream";
}

}  // namespace avio::tools::serve
