// InputEnds: an IOContext that passes another through and remembers the
// first and the last bytes read, so that both ends of a stream can be
// inspected after FFmpeg has read it, even when the input cannot seek.
//
// Some damage shows only there. An Ogg stream cut off after a page, or in
// the middle of one, reads as a shorter valid stream through libavformat
// (it treats a short page as end of file); `ogg_end_status` checks the tail
// for what a complete Ogg stream ends with. An MP3 states its length in its
// first frame (the Xing/Info header), which libavformat ignores when it
// cannot learn the input's size; `mp3_stated_length` reads it from the head.
#ifndef AVIO_TOOLS_INPUT_ENDS_HPP
#define AVIO_TOOLS_INPUT_ENDS_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "avio/error.hpp"
#include "avio/io_context.hpp"

namespace avio::tools {

class InputEnds {
 public:
  // Keeps up to `keep` bytes at each end; an Ogg page is at most 65307
  // bytes, and an MP3's first frame follows its ID3v2 tag.
  static constexpr size_t kDefaultKeep = 1 << 17;

  // `source` must outlive the InputEnds.
  static Result<std::unique_ptr<InputEnds>> over(IOContext &source, size_t keep = kDefaultKeep);

  // The pass-through context to read from.
  IOContext &io() { return *io_; }
  // The first bytes of the input (as read from position 0 on).
  std::span<const uint8_t> start_of_input() const { return head_; }
  // The last bytes of the input, when a read has reached its end right
  // after them; empty otherwise.
  std::span<const uint8_t> end_of_input() const;

 private:
  InputEnds(IOContext &source, size_t keep) : source_(&source), keep_(keep) {}
  Result<size_t> read(std::span<uint8_t> dst);
  Result<int64_t> seek(int64_t offset, Whence whence);

  IOContext *source_;
  size_t keep_;
  std::vector<uint8_t> head_;
  std::vector<uint8_t> tail_;
  int64_t tail_end_ = -1;  // the stream position just after tail_
  int64_t eof_at_ = -1;    // where a read met the end of the input
  std::unique_ptr<IOContext> io_;
};

// OK when `tail` (the end of an Ogg stream) ends with a complete page that
// carries the end-of-stream flag; otherwise an error saying how the stream
// was cut.
Status ogg_end_status(std::span<const uint8_t> tail);

// What an MP3's Xing/Info header (and the LAME tag after it) states.
struct Mp3StatedLength {
  int64_t frames = 0;
  int samples_per_frame = 0;
  int start_padding = -1;  // encoder delay, -1 without a LAME tag
  int end_padding = -1;
  // The samples per channel FFmpeg delivers when it reads the stream without
  // knowing its length: all frames, less the encoder delay and the decoder's
  // own 529 samples, which it skips at the start (it trims the end padding
  // only when it knows the length).
  int64_t decoded_samples() const;
};

// Reads the header from the start of an MP3 stream (an ID3v2 tag may come
// first); nullopt when the first frame carries no frame count.
std::optional<Mp3StatedLength> mp3_stated_length(std::span<const uint8_t> head);

}  // namespace avio::tools

#endif  // AVIO_TOOLS_INPUT_ENDS_HPP
