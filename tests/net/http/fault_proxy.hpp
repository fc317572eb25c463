// An HTTP/1.1-aware TCP proxy for the http protocol tests (and the
// benchmark's latency and bandwidth shaping): it listens on 127.0.0.1 (an
// ephemeral port) in front of an upstream 127.0.0.1:port, forwards requests
// and responses byte for byte, and breaks the responses on demand (a cut
// connection, a stall, a status instead of the upstream's answer, a close
// after the response). It is also a forward proxy (absolute-form requests and
// CONNECT) to loopback hosts.
//
// One accept thread, and one thread per client connection with its own
// persistent upstream connection. Every wait polls a stop eventfd with a
// timeout; the destructor stops and joins every thread and closes every
// descriptor.
#ifndef AVIO_TESTS_NET_HTTP_FAULT_PROXY_HPP
#define AVIO_TESTS_NET_HTTP_FAULT_PROXY_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace avio_http_test {

// What to do to one response (counted in bytes forwarded to the client, the
// response head included).
struct Fault {
  enum class Kind {
    kPass,                // forward it unchanged
    kCutAfter,            // forward `bytes` bytes, then close both sides (also when the response was shorter)
    kStall,               // after `bytes` bytes, forward nothing for `stall` (0: until the proxy stops), then the rest
    kStatus,              // answer `status` with `body` (or a short text) instead of forwarding the request
    kCloseAfterResponse,  // forward it whole, then close both sides without announcing it
  };
  Kind kind = Kind::kPass;
  int64_t bytes = 0;
  std::chrono::milliseconds stall{0};
  int status = 0;            // kStatus: e.g. 500, 503
  std::string retry_after;   // kStatus: a Retry-After value when non-empty
  std::string body;          // kStatus: the body when non-empty (an S3 XML <Error>, say), else a short text
  std::string content_type;  // kStatus: the body's Content-Type when non-empty, else text/plain
  std::string headers;       // kStatus: more header lines, each "Name: value\r\n" (an ETag, a Content-Range)
};

class FaultProxy {
 public:
  // Listens on 127.0.0.1:0 and forwards to 127.0.0.1:upstream_port. Throws
  // std::runtime_error when it cannot listen.
  explicit FaultProxy(int upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy &) = delete;
  FaultProxy &operator=(const FaultProxy &) = delete;

  int port() const;
  std::string url(std::string_view path) const;  // "http://127.0.0.1:PORT" + path

  // Faults for the next requests, first in, first out (one per request, over
  // all connections); with the queue empty, requests pass. CONNECT requests
  // and requests refused by the forward proxy take none.
  void push(Fault f);
  // Time added before forwarding each response (its first byte).
  void set_latency(std::chrono::milliseconds first_byte);
  // A per-connection cap on the bytes sent to the client (responses and
  // CONNECT tunnels); 0: none.
  void set_bandwidth(int64_t bytes_per_second);

  // Counters (thread-safe), updated before the client can see what they
  // count: once a client has a response, it is counted.
  int connections() const;         // client connections accepted
  int requests() const;            // request heads read (CONNECT and absolute-form ones included)
  int64_t response_bytes() const;  // bytes sent to clients (heads, bodies, proxy answers, tunnel downstream)
  std::vector<std::string> request_heads() const;  // every request head as received, in order

  // Forward-proxy mode, for a client's http_proxy option: a request line in
  // absolute form ("GET http://127.0.0.1:P/path HTTP/1.1") goes to that
  // host:port rewritten to origin form ("GET /path HTTP/1.1", headers
  // unchanged); "CONNECT 127.0.0.1:P HTTP/1.1" is answered "200 Connection
  // established" and then tunnels bytes both ways until either side closes.
  // Only 127.0.0.1, localhost and [::1] are allowed, anything else gets 403.

  struct State;  // the implementation's

 private:
  std::unique_ptr<State> state_;
};

}  // namespace avio_http_test

#endif  // AVIO_TESTS_NET_HTTP_FAULT_PROXY_HPP
