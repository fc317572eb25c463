// InputTail: an IOContext that passes another through and remembers the
// last bytes read, so that the end of a stream can be inspected after
// FFmpeg has read it, even when the input cannot seek.
//
// Some damage shows only at the very end: an Ogg stream cut off after a
// page, or in the middle of one, reads as a shorter valid stream through
// libavformat (it treats a short page as end of file). `ogg_end_status`
// checks the tail for what a complete Ogg stream ends with.
#ifndef AVIO_TOOLS_INPUT_TAIL_HPP
#define AVIO_TOOLS_INPUT_TAIL_HPP

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "avio/error.hpp"
#include "avio/io_context.hpp"

namespace avio::tools {

class InputTail {
 public:
  // Keeps up to `keep` bytes; an Ogg page is at most 65307 bytes.
  static constexpr size_t kDefaultKeep = 1 << 17;

  // `source` must outlive the InputTail.
  static Result<std::unique_ptr<InputTail>> over(IOContext &source, size_t keep = kDefaultKeep);

  // The pass-through context to read from.
  IOContext &io() { return *io_; }
  // The last bytes of the input, when a read has reached its end right
  // after them; empty otherwise.
  std::span<const uint8_t> end_of_input() const;

 private:
  InputTail(IOContext &source, size_t keep) : source_(&source), keep_(keep) {}
  Result<size_t> read(std::span<uint8_t> dst);
  Result<int64_t> seek(int64_t offset, Whence whence);

  IOContext *source_;
  size_t keep_;
  std::vector<uint8_t> tail_;
  int64_t tail_end_ = -1;  // the stream position just after tail_
  int64_t eof_at_ = -1;    // where a read met the end of the input
  std::unique_ptr<IOContext> io_;
};

// OK when `tail` (the end of an Ogg stream) ends with a complete page that
// carries the end-of-stream flag; otherwise an error saying how the stream
// was cut.
Status ogg_end_status(std::span<const uint8_t> tail);

}  // namespace avio::tools

#endif  // AVIO_TOOLS_INPUT_TAIL_HPP
