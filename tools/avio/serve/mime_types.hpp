// The Content-Type of a served file, by its extension (case-insensitive):
// the media types avio is about, a few text and image types, and
// application/octet-stream for everything else.
#ifndef AVIO_TOOLS_SERVE_MIME_TYPES_HPP
#define AVIO_TOOLS_SERVE_MIME_TYPES_HPP

#include <string_view>

namespace avio::tools::serve {

std::string_view mime_type_for(std::string_view file_name);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_MIME_TYPES_HPP
