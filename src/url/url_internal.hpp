// Helpers the URL layer shares between its files and with the C API.
#ifndef AVIO_SRC_URL_URL_INTERNAL_HPP
#define AVIO_SRC_URL_URL_INTERNAL_HPP

#include <string>
#include <string_view>

#include "avio/protocol.hpp"
#include "avio/protocol_registry.hpp"

namespace avio::url_internal {

// av_match_list(name, list, ','): `name` is one of the comma-separated names.
bool list_contains(std::string_view list, std::string_view name);

// The registry to use when the caller named none.
const ProtocolRegistry &registry_or_global(const ProtocolRegistry *registry);

// Registers the built-in protocols (in FFmpeg's order) into `registry`.
void register_builtins(ProtocolRegistry &registry);

}  // namespace avio::url_internal

#endif  // AVIO_SRC_URL_URL_INTERNAL_HPP
