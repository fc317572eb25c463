// A TLS server on loopback built on OpenSSL itself (a real peer, as
// `openssl s_server` is, but one that serves a known byte stream and then
// closes with close_notify, so that both libraries read the same bytes).
#ifndef AVIO_TESTS_NET_TLS_PEER_HPP
#define AVIO_TESTS_NET_TLS_PEER_HPP

#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "net_test_util.hpp"

namespace avio_net_test {

// Serves `bytes` over TLS (certificate and key files given) to each client.
inline Handler tls_serve(const std::string &cert, const std::string &key, std::vector<uint8_t> bytes) {
  return [cert, key, bytes = std::move(bytes)](int fd, const std::atomic<bool> &stop) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_file(ctx, cert.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      SSL_CTX_free(ctx);
      return;
    }
    // The accepted socket is blocking: bound the handshake and the writes.
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (!stop.load() && SSL_accept(ssl) == 1) {
      for (size_t sent = 0; sent < bytes.size() && !stop.load();) {
        const int n =
            SSL_write(ssl, bytes.data() + sent, static_cast<int>(std::min<size_t>(bytes.size() - sent, 16384)));
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  };
}

}  // namespace avio_net_test

#endif  // AVIO_TESTS_NET_TLS_PEER_HPP
