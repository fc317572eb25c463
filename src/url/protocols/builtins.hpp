// The built-in protocols, one factory per file of this directory.
#ifndef AVIO_SRC_URL_PROTOCOLS_BUILTINS_HPP
#define AVIO_SRC_URL_PROTOCOLS_BUILTINS_HPP

#include "avio/protocol.hpp"

namespace avio::protocols {

ProtocolInfo async_protocol();
ProtocolInfo blockcache_protocol();
ProtocolInfo cache_protocol();
ProtocolInfo concat_protocol();
ProtocolInfo concatf_protocol();
ProtocolInfo crypto_protocol();
ProtocolInfo data_protocol();
ProtocolInfo fd_protocol();
ProtocolInfo file_protocol();
ProtocolInfo http_protocol();
ProtocolInfo https_protocol();
ProtocolInfo httpproxy_protocol();
ProtocolInfo md5_protocol();
ProtocolInfo pipe_protocol();
ProtocolInfo s3_protocol();
ProtocolInfo subfile_protocol();
ProtocolInfo tcp_protocol();
ProtocolInfo tee_protocol();
ProtocolInfo tls_protocol();
ProtocolInfo udp_protocol();
ProtocolInfo unix_protocol();

}  // namespace avio::protocols

#endif  // AVIO_SRC_URL_PROTOCOLS_BUILTINS_HPP
