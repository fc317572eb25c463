// The built-in protocols, in FFmpeg's order (protocol_list.c is alphabetical).
#include "protocols/builtins.hpp"

#include "url_internal.hpp"

namespace avio::url_internal {

void register_builtins(ProtocolRegistry &registry) {
  using namespace protocols;
  for (ProtocolInfo (*make)() :
       {async_protocol, blockcache_protocol, cache_protocol, concat_protocol,  concatf_protocol, crypto_protocol,
        data_protocol,  fd_protocol,         file_protocol,  http_protocol,    https_protocol,   httpproxy_protocol,
        md5_protocol,   pipe_protocol,       s3_protocol,    subfile_protocol, tcp_protocol,     tee_protocol,
        tls_protocol,   udp_protocol,        unix_protocol})
    registry.add_or_replace(make());
}

}  // namespace avio::url_internal
