// A response body's Content-Encoding, decoded as it streams in (over zlib):
// gzip and x-gzip (concatenated members all decoded, like `gzip -d`; a
// zlib-wrapped body labelled gzip is accepted, as FFmpeg's inflateInit2(32 +
// 15) does), deflate (zlib-wrapped as RFC 9110 says, or raw deflate as
// browsers also accept), and identity. Nothing here does I/O.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_INFLATE_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_INFLATE_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "avio/error.hpp"

namespace avio::protocols::http {

class BodyDecoder {
 public:
  // The decoder for a Content-Encoding header value (case-insensitive; a
  // list whose other codings are all "identity" is fine). "" and "identity"
  // pass the body through. -ENOSYS naming the coding for an unknown one
  // ("br", "compress", "zstd") or for two stacked codings ("deflate, gzip").
  // FFmpeg passes an unknown coding through with a warning.
  static Result<BodyDecoder> for_encoding(std::string_view content_encoding);

  BodyDecoder(BodyDecoder &&) noexcept = default;
  BodyDecoder &operator=(BodyDecoder &&) noexcept = default;
  ~BodyDecoder() = default;

  // Decodes from `in` into `out`, as ChunkedDecoder::decode (message.hpp)
  // does: returns the bytes written to `out` and sets *consumed to the bytes
  // of `in` used (all of `in` unless `out` filled up). Returns 0 with all of
  // `in` consumed when more input is needed. Once done(), input is consumed
  // and ignored. kInvalidData naming the coding and zlib's complaint
  // ("http: gzip body: invalid compressed data (incorrect header check)") on
  // corrupt data (FFmpeg logs a warning and returns what it has); after an
  // error every call returns that error.
  Result<size_t> decode(std::span<const uint8_t> in, size_t *consumed, std::span<uint8_t> out);

  // The compressed stream has ended: a zlib or raw deflate stream's end, or
  // a gzip member's end with no next member begun. A body that ends before
  // done() is truncated. Never true for identity.
  bool done() const;
  bool identity() const { return coding_ == Coding::kIdentity; }
  // "identity", "gzip" or "deflate".
  std::string_view coding() const;

 private:
  enum class Coding : uint8_t { kIdentity, kGzip, kDeflate };
  enum class State : uint8_t {
    kSniff,    // reading the first two bytes of a stream or gzip member
    kInflate,  // zlib has the stream
    kDone,
    kFailed,
  };
  struct ZStream;
  struct ZStreamDeleter {
    void operator()(ZStream *stream) const;
  };
  struct Step {
    size_t used = 0;     // bytes of `in` (not of the sniffed bytes) zlib took
    size_t written = 0;  // bytes zlib wrote to `out`
    bool progress = false;
  };

  explicit BodyDecoder(Coding coding) : coding_(coding) {}
  size_t sniff(std::span<const uint8_t> in);
  Status start_member();
  Result<Step> inflate_step(std::span<const uint8_t> in, std::span<uint8_t> out);
  Status finish_step(int zlib_result);
  Error fail(Error error);

  Coding coding_;
  State state_ = State::kSniff;
  std::unique_ptr<ZStream, ZStreamDeleter> stream_;
  std::array<uint8_t, 2> head_{};  // the sniffed bytes, fed to zlib before `in`
  size_t head_len_ = 0;
  size_t head_pos_ = 0;  // of head_, what zlib has taken
  bool gzip_member_ = false;
  int64_t members_ = 0;  // streams (gzip members) ended
  Error error_{0};
};

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_INFLATE_HPP
