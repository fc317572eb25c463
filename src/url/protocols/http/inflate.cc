#include "inflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace avio::protocols::http {

namespace {

// windowBits for zlib: a gzip or zlib header, detected (32 + 15); raw deflate.
constexpr int kAutoHeader = 32 + 15;
constexpr int kRawDeflate = -15;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// A zlib header (RFC 1950): deflate with a window of at most 32 KiB, and a
// check value. A raw deflate stream can start with the same two bytes only
// if it begins with a non-final stored block whose length's low byte happens
// to fit; browsers sniff the same way.
bool is_zlib_header(uint8_t cmf, uint8_t flg) {
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
}

bool is_gzip_magic(uint8_t b0, uint8_t b1) { return b0 == 0x1f && b1 == 0x8b; }

}  // namespace

struct BodyDecoder::ZStream {
  z_stream z{};
  bool initialized = false;
};

void BodyDecoder::ZStreamDeleter::operator()(ZStream *stream) const {
  if (stream->initialized) inflateEnd(&stream->z);
  delete stream;
}

Result<BodyDecoder> BodyDecoder::for_encoding(std::string_view content_encoding) {
  std::string_view chosen;
  for (std::string_view list = content_encoding; !list.empty();) {
    const size_t comma = list.find(',');
    const std::string_view coding = trim(list.substr(0, comma));
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    if (coding.empty() || iequals(coding, "identity")) continue;
    if (!chosen.empty())
      return Error(-ENOSYS,
                   "http: stacked content codings '" + std::string(trim(content_encoding)) + "' are not supported");
    chosen = coding;
  }
  if (chosen.empty()) return BodyDecoder(Coding::kIdentity);
  if (iequals(chosen, "gzip") || iequals(chosen, "x-gzip")) return BodyDecoder(Coding::kGzip);
  if (iequals(chosen, "deflate")) return BodyDecoder(Coding::kDeflate);
  return Error(-ENOSYS, "http: unsupported content coding '" + std::string(chosen.substr(0, 64)) + "'");
}

std::string_view BodyDecoder::coding() const {
  switch (coding_) {
    case Coding::kGzip: return "gzip";
    case Coding::kDeflate: return "deflate";
    case Coding::kIdentity: break;
  }
  return "identity";
}

bool BodyDecoder::done() const {
  return state_ == State::kDone || (state_ == State::kSniff && members_ > 0 && head_len_ == 0);
}

Error BodyDecoder::fail(Error error) {
  state_ = State::kFailed;
  error_ = std::move(error);
  return error_;
}

// Collects the first two bytes of a stream (or of what follows a gzip
// member) and decides how to inflate it. Returns the bytes of `in` taken.
size_t BodyDecoder::sniff(std::span<const uint8_t> in) {
  size_t taken = 0;
  while (head_len_ < head_.size() && taken < in.size()) head_[head_len_++] = in[taken++];
  // After a gzip member only another member may follow; anything else is
  // trailing garbage, which `gzip -d` ignores too.
  if (members_ > 0 && head_len_ >= 1 && head_[0] != 0x1f) {
    state_ = State::kDone;
    return taken;
  }
  if (head_len_ < head_.size()) return taken;
  if (members_ > 0 && !is_gzip_magic(head_[0], head_[1])) {
    state_ = State::kDone;
    return taken;
  }
  gzip_member_ = is_gzip_magic(head_[0], head_[1]);
  head_pos_ = 0;
  state_ = State::kInflate;
  if (Status st = start_member(); !st) fail(st.error());
  return taken;
}

Status BodyDecoder::start_member() {
  if (stream_) return inflateReset(&stream_->z) == Z_OK ? Status() : Status(Error(kInvalidData, "http: inflateReset"));
  stream_.reset(new ZStream);
  const bool headered = coding_ == Coding::kGzip || gzip_member_ || is_zlib_header(head_[0], head_[1]);
  const int rc = inflateInit2(&stream_->z, headered ? kAutoHeader : kRawDeflate);
  if (rc == Z_MEM_ERROR) return Error(-ENOMEM, "http: " + std::string(coding()) + " body: out of memory");
  if (rc != Z_OK) return Error(kInvalidData, "http: " + std::string(coding()) + " body: zlib initialisation failed");
  stream_->initialized = true;
  return {};
}

// One inflate call: from the sniffed bytes while zlib has not taken them
// all, from `in` after.
Result<BodyDecoder::Step> BodyDecoder::inflate_step(std::span<const uint8_t> in, std::span<uint8_t> out) {
  const bool from_head = head_pos_ < head_len_;
  const std::span<const uint8_t> src =
      from_head ? std::span<const uint8_t>(head_).subspan(head_pos_, head_len_ - head_pos_) : in;
  z_stream &z = stream_->z;
  z.next_in = const_cast<Bytef *>(src.data());  // zlib's API is not const-correct; it does not write
  z.avail_in = static_cast<uInt>(std::min<size_t>(src.size(), UINT32_MAX));
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(std::min<size_t>(out.size(), UINT32_MAX));
  const uInt avail_in = z.avail_in, avail_out = z.avail_out;
  const int rc = inflate(&z, Z_NO_FLUSH);
  Step step;
  step.written = avail_out - z.avail_out;
  step.progress = step.written > 0 || z.avail_in != avail_in;
  if (from_head) {
    head_pos_ += avail_in - z.avail_in;
  } else {
    step.used = avail_in - z.avail_in;
  }
  if (Status st = finish_step(rc); !st) return fail(st.error());
  return step;
}

Status BodyDecoder::finish_step(int zlib_result) {
  const std::string what = "http: " + std::string(coding()) + " body: ";
  const char *msg = stream_->z.msg != nullptr ? stream_->z.msg : "corrupt stream";
  switch (zlib_result) {
    case Z_OK:
    case Z_BUF_ERROR: return {};  // progress, or none possible without more input or room
    case Z_STREAM_END:
      ++members_;
      head_len_ = head_pos_ = 0;
      state_ = gzip_member_ ? State::kSniff : State::kDone;
      return {};
    case Z_NEED_DICT: return Error(kInvalidData, what + "invalid compressed data (needs a preset dictionary)");
    case Z_MEM_ERROR: return Error(-ENOMEM, what + "out of memory");
    default: return Error(kInvalidData, what + "invalid compressed data (" + msg + ")");
  }
}

Result<size_t> BodyDecoder::decode(std::span<const uint8_t> in, size_t *consumed, std::span<uint8_t> out) {
  *consumed = 0;
  if (state_ == State::kFailed) return error_;
  if (coding_ == Coding::kIdentity) {
    const size_t n = std::min(in.size(), out.size());
    if (n > 0) std::memcpy(out.data(), in.data(), n);
    *consumed = n;
    return n;
  }
  size_t used = 0, written = 0;
  while (state_ != State::kDone) {
    if (state_ == State::kSniff) {
      used += sniff(in.subspan(used));
      if (state_ == State::kFailed) return error_;
      if (state_ == State::kSniff) break;
      continue;
    }
    if (written == out.size()) break;
    auto step = inflate_step(in.subspan(used), out.subspan(written));
    if (!step.ok()) return step.error();
    used += step->used;
    written += step->written;
    if (!step->progress && state_ == State::kInflate) break;  // needs more input
  }
  *consumed = state_ == State::kDone ? in.size() : used;
  return written;
}

}  // namespace avio::protocols::http
