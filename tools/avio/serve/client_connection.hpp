// One accepted client as the server reads and writes it: the UrlContext
// (tcp, or tls over tcp) with a read buffer, so that what arrives after a
// request head (its body, the next request) is kept for what reads next.
//
// Every read and write is bounded through the thread's WaitBudget: before
// the first byte of a request the idle timeout, from it to the end of the
// head the header timeout (a client that sends one byte a second is cut when
// it runs out), and for each body read or write the I/O timeout.
//
// Thread-safety: one thread at a time (the worker serving it).
#ifndef AVIO_TOOLS_SERVE_CLIENT_CONNECTION_HPP
#define AVIO_TOOLS_SERVE_CLIENT_CONNECTION_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "avio/error.hpp"
#include "avio/protocol.hpp"

namespace avio::tools::serve {

inline constexpr std::chrono::milliseconds kLingerTime{1000};
inline constexpr size_t kLingerBytes = size_t{4} << 20;

struct Timeouts {
  std::chrono::milliseconds header{10000};  // from a request's first byte to the end of its head
  std::chrono::milliseconds idle{15000};    // for the first byte of a request
  std::chrono::milliseconds io{30000};      // for each read or write of a body
};

class ClientConnection {
 public:
  ClientConnection(std::unique_ptr<UrlContext> url, const Timeouts &timeouts);
  ~ClientConnection();
  ClientConnection(const ClientConnection &) = delete;
  ClientConnection &operator=(const ClientConnection &) = delete;

  // The transport's handshake (tls), within the header timeout.
  Status handshake();
  // The next request head, up to and including its blank line; the bytes
  // after it stay buffered. Empty lines before it are skipped (RFC 9112
  // section 2.2). *started tells whether a byte of it arrived. Errors: kEof
  // when the client closed, -ETIMEDOUT for the idle or header timeout,
  // -EMSGSIZE past `max_bytes`, kExit when the server cuts, else the
  // transport's.
  Result<std::string> read_head(size_t max_bytes, bool *started);

  // What was received and not consumed yet.
  std::span<const uint8_t> buffered() const;
  void consume(size_t n);
  // Receives more into the buffer, within the I/O timeout: the byte count,
  // kEof at the end, -ETIMEDOUT.
  Result<size_t> fill();

  // All of `bytes`, within the I/O timeout for each part.
  Status write(std::span<const uint8_t> bytes);
  Status write(std::string_view bytes);

  // Before closing a connection whose client may still be sending (a body
  // not read, a refused head): ends our direction (tcp; tls cannot) and
  // drops what arrives for a moment, so that the kernel does not answer
  // unread bytes with a reset, which can destroy the response before the
  // client reads it (RFC 9112 section 9.6). At most kLingerTime and
  // kLingerBytes.
  void linger();

  // The client's address ("127.0.0.1", "::1"), or "-".
  const std::string &peer() const { return peer_; }

 private:
  // Receives into the buffer within the thread's budget as it is set.
  Result<size_t> receive();
  // Drops CR and LF bytes at the start of the buffer.
  void skip_empty_lines();

  std::unique_ptr<UrlContext> url_;
  Timeouts timeouts_;
  std::string buffer_;  // received; consumed up to start_
  size_t start_ = 0;
  std::string peer_;
};

// The address of the peer of `fd` (a socket), or "-".
std::string peer_address(int fd);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_CLIENT_CONNECTION_HPP
