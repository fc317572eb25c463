#include "input_ends.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace avio::tools {

Result<std::unique_ptr<InputEnds>> InputEnds::over(IOContext &source, size_t keep) {
  std::unique_ptr<InputEnds> t(new InputEnds(source, keep));
  InputEnds *self = t.get();
  Callbacks cb;
  cb.read = [self](std::span<uint8_t> dst) { return self->read(dst); };
  if (source.seekable()) {
    cb.seek = [self](int64_t offset, Whence whence) { return self->seek(offset, whence); };
    cb.size = [self]() { return self->source_->size(); };
  }
  Result<IOContext> io = IOContext::from_callbacks(std::move(cb), {});
  if (!io) return io.error();
  t->io_ = std::make_unique<IOContext>(std::move(*io));
  return t;
}

Result<size_t> InputEnds::read(std::span<uint8_t> dst) {
  const int64_t pos = source_->tell();
  Result<size_t> n = source_->read_partial(dst);
  if (!n) {
    if (n.error().is_eof()) eof_at_ = pos;
    return n;
  }
  if (pos == static_cast<int64_t>(head_.size()) && head_.size() < keep_) {
    const size_t take = std::min(keep_ - head_.size(), *n);
    head_.insert(head_.end(), dst.begin(), dst.begin() + static_cast<std::ptrdiff_t>(take));
  }
  if (pos != tail_end_) tail_.clear();  // not contiguous with what is kept
  tail_.insert(tail_.end(), dst.begin(), dst.begin() + static_cast<std::ptrdiff_t>(*n));
  if (tail_.size() > keep_) tail_.erase(tail_.begin(), tail_.end() - static_cast<std::ptrdiff_t>(keep_));
  tail_end_ = pos + static_cast<int64_t>(*n);
  return n;
}

Result<int64_t> InputEnds::seek(int64_t offset, Whence whence) {
  int64_t target = offset;
  if (whence == Whence::kCur) target += source_->tell();
  if (whence == Whence::kEnd) {
    Result<int64_t> size = source_->size();
    if (!size) return size.error();
    target += *size;
  }
  return source_->seek(target);
}

std::span<const uint8_t> InputEnds::end_of_input() const {
  if (eof_at_ < 0 || eof_at_ != tail_end_) return {};
  return tail_;
}

Status ogg_end_status(std::span<const uint8_t> tail) {
  static constexpr uint8_t kCapture[4] = {'O', 'g', 'g', 'S'};
  static constexpr size_t kHeaderSize = 27;
  static constexpr uint8_t kEndOfStream = 0x04;
  // The last page is the last capture pattern whose page ends exactly at
  // the end of the input (a match inside packet data cannot do that by chance
  // in a stream FFmpeg accepted).
  for (size_t start = tail.size() >= kHeaderSize ? tail.size() - kHeaderSize + 1 : 0; start-- > 0;) {
    if (std::memcmp(tail.data() + start, kCapture, 4) != 0) continue;
    const std::span<const uint8_t> page = tail.subspan(start);
    if (page.size() < kHeaderSize) continue;
    const size_t segments = page[26];
    if (page.size() < kHeaderSize + segments) continue;
    size_t body = 0;
    for (size_t i = 0; i < segments; ++i) body += page[kHeaderSize + i];
    const size_t length = kHeaderSize + segments + body;
    if (length > page.size()) {
      return Error(kInvalidData, "truncated: the input ends inside an Ogg page (" + std::to_string(page.size()) +
                                     " of its " + std::to_string(length) + " bytes)");
    }
    if (length < page.size()) continue;  // not the last page
    if (!(page[5] & kEndOfStream))
      return Error(kInvalidData, "truncated: the last Ogg page does not end the stream (no end-of-stream flag)");
    return {};
  }
  return Error(kInvalidData, "truncated: no complete Ogg page at the end of the input");
}

namespace {

uint32_t rb32(const uint8_t *p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 |
         p[3];
}

// The size of an ID3v2 tag at the start (0 if none): 10 header bytes, the
// syncsafe size, 10 more with a footer.
size_t id3v2_size(std::span<const uint8_t> s) {
  if (s.size() < 10 || std::memcmp(s.data(), "ID3", 3) != 0) return 0;
  const size_t body = (s[6] & 0x7F) << 21 | (s[7] & 0x7F) << 14 | (s[8] & 0x7F) << 7 | (s[9] & 0x7F);
  return 10 + body + ((s[5] & 0x10) ? 10 : 0);
}

}  // namespace

int64_t Mp3StatedLength::decoded_samples() const {
  constexpr int kDecoderDelay = 529;
  int64_t n = frames * samples_per_frame;
  if (start_padding >= 0) n -= start_padding + kDecoderDelay;
  return n;
}

std::optional<Mp3StatedLength> mp3_stated_length(std::span<const uint8_t> head) {
  size_t pos = id3v2_size(head);
  // Several tags may precede the audio.
  while (pos < head.size() && id3v2_size(head.subspan(pos)) > 0) pos += id3v2_size(head.subspan(pos));
  if (pos + 4 > head.size()) return std::nullopt;
  const uint8_t *h = head.data() + pos;
  // Frame sync, layer III.
  if (h[0] != 0xFF || (h[1] & 0xE0) != 0xE0 || ((h[1] >> 1) & 3) != 1) return std::nullopt;
  const int version = (h[1] >> 3) & 3;  // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  if (version == 1) return std::nullopt;
  const bool mpeg1 = version == 3;
  const bool mono = ((h[3] >> 6) & 3) == 3;
  const size_t side_info = mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17);
  size_t at = pos + 4 + side_info;
  if (at + 8 > head.size()) return std::nullopt;
  if (std::memcmp(head.data() + at, "Xing", 4) != 0 && std::memcmp(head.data() + at, "Info", 4) != 0)
    return std::nullopt;
  const uint32_t flags = rb32(head.data() + at + 4);
  at += 8;
  if (!(flags & 1) || at + 4 > head.size()) return std::nullopt;
  Mp3StatedLength length;
  length.frames = rb32(head.data() + at);
  length.samples_per_frame = mpeg1 ? 1152 : 576;
  at += 4;
  if (flags & 2) at += 4;    // byte count
  if (flags & 4) at += 100;  // seek table
  if (flags & 8) at += 4;    // quality
  // The LAME tag: encoder name (9), revision (1), lowpass (1), peak (4),
  // two gains (2 + 2), flags (1), bitrate (1), then 12 + 12 bits of padding.
  if (at + 24 <= head.size()) {
    const uint8_t *lame = head.data() + at;
    if (std::memcmp(lame, "LAME", 4) == 0 || std::memcmp(lame, "Lavf", 4) == 0 || std::memcmp(lame, "Lavc", 4) == 0) {
      const uint32_t pads = static_cast<uint32_t>(lame[21]) << 16 | static_cast<uint32_t>(lame[22]) << 8 | lame[23];
      length.start_padding = static_cast<int>(pads >> 12);
      length.end_padding = static_cast<int>(pads & 0xFFF);
    }
  }
  return length;
}

}  // namespace avio::tools
