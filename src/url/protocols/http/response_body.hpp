// The body of one HTTP response, read from its connection: the framing
// (Content-Length, chunked, until the peer closes, or none), then the
// content coding (gzip, deflate) and ICY metadata, each only when the
// response has it, so a plain body is read straight into the caller's
// memory.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_RESPONSE_BODY_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_RESPONSE_BODY_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "connection.hpp"
#include "icy.hpp"
#include "inflate.hpp"
#include "message.hpp"

namespace avio::protocols::http {

class ResponseBody {
 public:
  enum class Framing { kNone, kLength, kChunked, kUntilClose };

  ResponseBody() = default;
  // The body of `head`, answered to a request with `method`. `icy_metaint`
  // > 0 strips ICY metadata every that many bytes.
  static Result<ResponseBody> of(const ResponseHead &head, std::string_view method, int64_t icy_metaint);
  // The body of a request with `headers` (a server's upload): framed by
  // Content-Length or chunked, else empty (RFC 9112 section 6.3).
  static Result<ResponseBody> of_request(const std::vector<Header> &headers);

  // At least one byte of the decoded body, EOF at its end, or an error (a
  // connection that ends before the framing says is -EIO).
  Result<size_t> read(Connection &conn, std::span<uint8_t> dst);
  // A plain body (framed by length or by the close, without content coding
  // or ICY) can be read in place: peek gives its next bytes where they lie,
  // in the connection's buffer (filled when empty), at least one or EOF at
  // the body's end; consume(n) marks n of them read. The view lasts until
  // the next call on the body or the connection.
  bool in_place() const {
    return !decoder_ && !icy_ && (framing_ == Framing::kLength || framing_ == Framing::kUntilClose);
  }
  Result<std::span<const uint8_t>> peek(Connection &conn);
  void consume(Connection &conn, size_t n);
  // Reads and drops what is left of the framed body, at most `limit` bytes:
  // true when the body is complete (the connection can carry the next
  // response), false when more than `limit` was left.
  Result<bool> drain(Connection &conn, int64_t limit);

  // The framed body has been read to its end.
  bool complete() const { return complete_; }
  // Framed bytes left when the framing says (Content-Length), else -1.
  int64_t remaining() const { return framing_ == Framing::kLength ? remaining_ : -1; }
  Framing framing() const { return framing_; }
  bool decoded() const { return decoder_ != nullptr || icy_ != nullptr; }
  IcyDemuxer *icy() { return icy_.get(); }

 private:
  Result<size_t> read_framed(Connection &conn, std::span<uint8_t> dst);
  Result<size_t> read_chunked(Connection &conn, std::span<uint8_t> dst);
  Result<size_t> read_decoded(Connection &conn, std::span<uint8_t> dst);

  // Bytes between two stages: [begin, end) of `bytes`.
  struct Stage {
    std::vector<uint8_t> bytes;
    size_t begin = 0;
    size_t end = 0;
    std::span<const uint8_t> pending() const { return {bytes.data() + begin, end - begin}; }
  };

  Framing framing_ = Framing::kNone;
  int64_t remaining_ = 0;
  bool complete_ = true;
  ChunkedDecoder chunked_;
  std::unique_ptr<BodyDecoder> decoder_;
  std::unique_ptr<IcyDemuxer> icy_;
  Stage raw_;      // framed bytes waiting for the decoder
  Stage decoded_;  // decoded bytes waiting for the ICY demuxer
};

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_RESPONSE_BODY_HPP
