// The body of a 206 answer to a request for several ranges: a
// multipart/byteranges body (RFC 9110 section 14.6, in the multipart syntax
// of RFC 2046 section 5.1.1). An optional preamble, then for each part a
// delimiter line ("--" boundary, transport padding), header lines of which
// only Content-Range counts, a blank line and exactly as many bytes as the
// Content-Range says; then the closing delimiter ("--" boundary "--"), after
// which everything (the epilogue) is ignored. Lines may end in a bare "\n"
// as well as "\r\n", as in the rest of the message layer.
//
// The parser is fed the body as it arrives, in pieces of any size, and
// hands back each part's range and then its bytes as views of what it was
// fed, so that the caller copies them where they belong without staging the
// body. It is bounded: a part head, the preamble and the number of parts
// have limits. Malformed input is an error (kInvalidData) whose detail names
// what was wrong; after an error every call returns it. Nothing here does
// I/O. Not thread-safe: one reader feeds one parser.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_BYTERANGES_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_BYTERANGES_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "avio/error.hpp"
#include "message.hpp"

namespace avio::protocols::http {

// The boundary of a Content-Type value (a token or a quoted string, the
// parameter name in any case): nullopt when the media type is not
// multipart/byteranges; kInvalidData when it is but the boundary is missing,
// repeated, or not 1 to 70 of RFC 2046's bchars without a final space.
Result<std::optional<std::string>> byteranges_boundary(std::string_view content_type);

struct ByterangesLimits {
  size_t max_head_bytes = 16384;  // one part's header lines; also the preamble
  size_t max_parts = 10000;
};

class ByterangesParser {
 public:
  struct Event {
    enum class Kind {
      kMore,  // all of the input was used: feed more
      kPart,  // a part begins: `range`
      kBody,  // bytes of the current part: `body`, the object's bytes from `offset`
      kEnd,   // the closing delimiter has been read (the rest is ignored)
    };
    Kind kind = Kind::kMore;
    ContentRange range;
    int64_t offset = 0;
    std::span<const uint8_t> body;  // a view of the input given to next()
  };

  // `object_size`: the size of the object the ranges are of (-1: unknown);
  // every part must lie within it and name it as its complete length.
  ByterangesParser(std::string boundary, int64_t object_size, ByterangesLimits limits = {});

  // Reads from `in` up to the next event and sets *consumed to the bytes of
  // `in` used (a kBody event's bytes included; all of `in` for kMore and
  // kEnd).
  Result<Event> next(std::span<const uint8_t> in, size_t *consumed);

  // Within a part's body, a caller may take its bytes without next() (read
  // straight from the transport into their destination): where the next one
  // belongs, how many are left, and take_body(n) (n <= body_left()) to say
  // it took n of them.
  bool in_body() const { return state_ == State::kBody; }
  int64_t body_offset() const { return body_offset_; }
  int64_t body_left() const { return body_left_; }
  void take_body(size_t n);

  bool done() const { return state_ == State::kEpilogue; }
  // At the end of the body: an error unless the closing delimiter was read.
  Status finish() const;
  size_t parts() const { return parts_; }

 private:
  enum class State : uint8_t {
    kPreamble,   // lines before the first delimiter
    kHead,       // a part's header lines
    kBody,       // a part's bytes
    kBodyCr,     // after the bytes: the line end that starts the delimiter
    kBodyLf,     // CR seen after the bytes
    kDelimiter,  // "--" boundary, then padding and a line end, or "--"
    kEpilogue,
    kFailed,
  };
  Error fail(std::string detail);
  Result<bool> end_of_line(Event *event);
  Result<bool> head_line(std::string_view line, Event *event);
  Status check_range(const ContentRange &r);
  // Whether `line` is the delimiter: "--" boundary and transport padding.
  bool is_delimiter(std::string_view line) const;
  std::string part_name() const;
  std::string delimiter_expected() const;

  std::string dash_boundary_;  // "--" boundary
  int64_t object_size_;
  ByterangesLimits limits_;
  State state_ = State::kPreamble;
  std::string line_;          // the line being read (preamble, head, delimiter)
  size_t section_bytes_ = 0;  // of the preamble, or of the current head
  std::optional<ContentRange> range_;
  int64_t body_offset_ = 0;
  int64_t body_left_ = 0;
  size_t parts_ = 0;
  Error error_{0};
};

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_BYTERANGES_HPP
