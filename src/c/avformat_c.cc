// libavformat/avformat.h's functions that avio_c implements: the network
// set-up calls FFmpeg programs make before using network protocols.
#include "avio/c/avformat.h"

extern "C" {

// Nothing to set up, so nothing to undo. FFmpeg's initialise the TLS library
// (gnutls_global_init, or OpenSSL's locks before 1.1.0) and Winsock on
// Windows. avio's tls protocol uses OpenSSL 3, which initialises itself on
// first use, thread-safely (OPENSSL_init_ssl is implicit since 1.1.0); with
// OpenSSL 3 FFmpeg's own call does nothing essential either. Sockets need no
// set-up on POSIX systems.
int avformat_network_init(void) { return 0; }

int avformat_network_deinit(void) { return 0; }

}  // extern "C"
