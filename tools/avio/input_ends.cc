#include "input_tail.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace avio::tools {

Result<std::unique_ptr<InputTail>> InputTail::over(IOContext &source, size_t keep) {
  std::unique_ptr<InputTail> t(new InputTail(source, keep));
  InputTail *self = t.get();
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

Result<size_t> InputTail::read(std::span<uint8_t> dst) {
  const int64_t pos = source_->tell();
  Result<size_t> n = source_->read_partial(dst);
  if (!n) {
    if (n.error().is_eof()) eof_at_ = pos;
    return n;
  }
  if (pos != tail_end_) tail_.clear();  // not contiguous with what is kept
  tail_.insert(tail_.end(), dst.begin(), dst.begin() + static_cast<std::ptrdiff_t>(*n));
  if (tail_.size() > keep_) tail_.erase(tail_.begin(), tail_.end() - static_cast<std::ptrdiff_t>(keep_));
  tail_end_ = pos + static_cast<int64_t>(*n);
  return n;
}

Result<int64_t> InputTail::seek(int64_t offset, Whence whence) {
  int64_t target = offset;
  if (whence == Whence::kCur) target += source_->tell();
  if (whence == Whence::kEnd) {
    Result<int64_t> size = source_->size();
    if (!size) return size.error();
    target += *size;
  }
  return source_->seek(target);
}

std::span<const uint8_t> InputTail::end_of_input() const {
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

}  // namespace avio::tools
