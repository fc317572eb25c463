// The two sides of the http protocols, chosen at open by `listen`: the
// client (http_client.hpp) and the server (http_server.cc, FFmpeg's listen
// mode). http_protocol.cc registers http and https over both.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_PROTOCOL_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_PROTOCOL_HPP

#include <memory>

#include "avio/protocol.hpp"

namespace avio::protocols::http {

std::unique_ptr<Protocol> make_client();
std::unique_ptr<Protocol> make_server();

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_PROTOCOL_HPP
