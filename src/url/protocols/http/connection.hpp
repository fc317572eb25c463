// One HTTP/1.1 connection: the transport (a nested tcp or tls URL) and the
// bytes read from it that no response has consumed yet.
//
// Responses are read through it in order: a head (read_head), then the body
// (buffered bytes first, then the transport). Large body reads bypass the
// buffer. The connection remembers which origin it talks to, so that a
// request for the same origin reuses it (keep-alive) and any other opens a
// new one. Not thread-safe: one protocol object uses it.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_CONNECTION_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_CONNECTION_HPP

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "avio/protocol.hpp"
#include "message.hpp"

namespace avio::protocols::http {

class Connection {
 public:
  // Opens "tcp://host:port" or "tls://host:port" (`secure`) as a child of
  // `parent`; `options` are the caller's options for the nested protocols
  // (consumed as they recognise them). `origin` is the key for reuse.
  static Result<std::unique_ptr<Connection>> open(UrlContext &parent, std::string origin, std::string_view host,
                                                  int port, bool secure, Dictionary &options, const Deadline &deadline);
  // The same, opened with `params` rather than as a child of a context (for
  // work that must outlive or ignore an open's interrupt: an S3 abort, an
  // upload thread).
  static Result<std::unique_ptr<Connection>> open(const UrlOpenParams &params, std::string origin,
                                                  std::string_view host, int port, bool secure, Dictionary &options);
  // A connection over a transport opened by the caller (a CONNECT tunnel).
  Connection(std::string origin, std::unique_ptr<UrlContext> transport)
      : origin_(std::move(origin)), transport_(std::move(transport)) {}

  const std::string &origin() const { return origin_; }
  UrlContext &transport() { return *transport_; }
  std::unique_ptr<UrlContext> release_transport() { return std::move(transport_); }

  Status write(std::span<const uint8_t> bytes) { return transport_->write(bytes); }
  Status write(std::string_view text) {
    return write(std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(text.data()), text.size()));
  }

  // One chunk of a chunked body (RFC 9112 section 7.1): its size line, the
  // bytes and CRLF; `bytes` must not be empty (that is the last chunk).
  Status write_chunk(std::span<const uint8_t> bytes);
  // The last chunk and the end of the (empty) trailer section.
  Status write_last_chunk() { return write("0\r\n\r\n"); }

  // Reads one head, up to and including its blank line, and returns its
  // bytes (a response's or, on a server, a request's), by `deadline`.
  Result<std::string> read_head_bytes(const HeadLimits &limits, const Deadline &deadline = Deadline::never());
  // Reads one response head.
  Result<ResponseHead> read_head(const HeadLimits &limits) {
    Result<std::string> bytes = read_head_bytes(limits);
    if (!bytes) return bytes.error();
    return parse_response_head(*bytes, limits);
  }

  // Body bytes: what is buffered, else one transport read (EOF when the
  // peer closed).
  Result<size_t> read_some(std::span<uint8_t> dst);
  // The buffered bytes, and how to mark some of them used.
  std::span<const uint8_t> buffered() const { return {buffer_.get() + begin_, end_ - begin_}; }
  void consume(size_t n) { begin_ += n; }
  // Appends one transport read to the buffer: the bytes added, or EOF.
  Result<size_t> fill();

  // Requests sent and responses completed on it (for reuse decisions).
  int requests = 0;
  // False once a response said "Connection: close", or was abandoned.
  bool reusable = true;

 private:
  void compact();

  std::string origin_;
  std::unique_ptr<UrlContext> transport_;
  // Not a vector: a new connection (one per far seek) should not pay for
  // zero-filling bytes the socket overwrites.
  std::unique_ptr<uint8_t[]> buffer_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_CONNECTION_HPP
