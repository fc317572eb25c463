// What the URL layer shares between its C++ face (open_url) and the C API
// (avio_open2): how a connected URL becomes a buffered context.
#ifndef AVIO_SRC_URL_URL_INTERNAL_HPP
#define AVIO_SRC_URL_URL_INTERNAL_HPP

#include <string>
#include <string_view>

#include "avio/protocol.hpp"

namespace avio::url_internal {

// ffio_fdopen's choices for a connected URL.
struct StreamParams {
  int buffer_size = 0;
  int seekable = 0;  // AVIO_SEEKABLE_NORMAL | AVIO_SEEKABLE_TIME bits
  bool direct = false;
  int max_packet_size = 0;
  int min_packet_size = 0;
};
Result<StreamParams> stream_params(const UrlContext &h);

// av_match_list(name, list, ','): `name` is one of the comma-separated names.
bool list_contains(std::string_view list, std::string_view name);

// The registry to use when the caller named none.
const ProtocolRegistry &registry_or_global(const ProtocolRegistry *registry);

// Registers the built-in protocols (in FFmpeg's order) into `registry`.
void register_builtins(ProtocolRegistry &registry);

}  // namespace avio::url_internal

#endif  // AVIO_SRC_URL_URL_INTERNAL_HPP
