// The listening side of `avio serve`: --listen's HOST:PORT, and the server
// context opened with avio's URL layer: "tcp://HOST:PORT?listen=2" (or
// "tls://...?listen=2" with cert_file and key_file), whose clients come
// from UrlContext::accept.
//
// Port 0 means any free port. avio's tcp refuses port 0 as FFmpeg's does,
// so the kernel is asked for a free port first (bind to port 0, read it
// back, close) and the listener binds that one; losing it to another
// process in between (EADDRINUSE) makes it try again, a few times.
#ifndef AVIO_TOOLS_SERVE_LISTENER_HPP
#define AVIO_TOOLS_SERVE_LISTENER_HPP

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "avio/error.hpp"
#include "avio/url.hpp"

namespace avio::tools::serve {

struct ListenAddress {
  std::string host;  // a name or an address, IPv6 without brackets
  int port = 0;      // 0: any free port
};

// "HOST:PORT" or "[IPv6]:PORT".
Result<ListenAddress> parse_listen_address(std::string_view text);

// The host as it goes in a URL: IPv6 addresses in brackets.
std::string url_host(const std::string &host);

struct ListenerOptions {
  ListenAddress address;
  std::string cert_file, key_file;  // both set: tls
  std::function<bool()> interrupt_callback;
  std::shared_ptr<const CancellationToken> cancel;
};

struct Listener {
  std::unique_ptr<UrlContext> url;
  int port = 0;  // the port bound
};

Result<Listener> open_listener(const ListenerOptions &options);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_LISTENER_HPP
