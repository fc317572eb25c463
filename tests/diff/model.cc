#include "model.hpp"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace avio_diff {

uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

Endpoint::Endpoint(const Config &config) : config_(config) {}

int Endpoint::read(uint8_t *buf, int size) {
  ++read_calls_;
  Event ev{.kind = 'R', .a = size};
  const int64_t end = static_cast<int64_t>(config_.data.size());
  int ret;
  // "No data" once, but never where FFmpeg would spin: its large-read path
  // (a request bigger than the buffer) loops on 0 for ever.
  // The branches are ordered (a zero read, then an error, then size <= 0):
  // two returning 0 cannot merge.
  if (read_calls_ == config_.zero_read_call && size <= config_.buffer_size) {  // NOLINT(bugprone-branch-clone)
    ret = 0;
  } else if (config_.error_pos >= 0 && pos_ >= config_.error_pos && !(config_.error_once && read_error_fired_)) {
    read_error_fired_ = true;
    ret = config_.error_code;
  } else if (size <= 0) {
    ret = 0;
  } else if (pos_ >= end) {
    ret = kErrorEof;
  } else {
    int64_t n = std::min<int64_t>(size, end - pos_);
    if (config_.error_pos > pos_ && !(config_.error_once && read_error_fired_))
      n = std::min(n, config_.error_pos - pos_);  // stop exactly at the failing position
    if (config_.chunk_max)
      n = std::min<int64_t>(n, 1 + (static_cast<uint64_t>(read_calls_) * 2654435761u >> 4) % config_.chunk_max);
    std::memcpy(buf, config_.data.data() + pos_, static_cast<size_t>(n));
    ev.hash = fnv1a(buf, static_cast<size_t>(n));
    pos_ += n;
    ret = static_cast<int>(n);
  }
  ev.ret = ret;
  events_.push_back(ev);
  return ret;
}

int Endpoint::write(const uint8_t *buf, int size) { return write_common('W', buf, size, 0, 0); }

int Endpoint::write_typed(const uint8_t *buf, int size, int type, int64_t time) {
  return write_common('T', buf, size, type, time);
}

int Endpoint::write_common(char kind, const uint8_t *buf, int size, int type, int64_t time) {
  ++write_calls_;
  Event ev{.kind = kind, .a = size, .b = type, .time = time};
  if (size > 0) ev.hash = fnv1a(buf, static_cast<size_t>(size));
  int ret;
  if (config_.write_fail_call >= 0 && write_calls_ >= config_.write_fail_call &&
      !(config_.write_fail_once && write_error_fired_)) {
    write_error_fired_ = true;
    ret = config_.write_fail_code;
  } else if (size < 0) {
    ret = -EINVAL;
  } else {
    // The sink keeps the first 16 MiB; writes beyond (after a far seek) are
    // accepted and compared through their events only.
    constexpr int64_t kKept = 16 << 20;
    const int64_t kept = std::clamp<int64_t>(kKept - pos_, 0, size);
    if (kept > 0) {
      if (out_.size() < static_cast<size_t>(pos_ + kept)) out_.resize(static_cast<size_t>(pos_ + kept));
      std::memcpy(out_.data() + pos_, buf, static_cast<size_t>(kept));
    }
    pos_ += size;
    ret = size;
  }
  ev.ret = ret;
  events_.push_back(ev);
  return ret;
}

int64_t Endpoint::seek(int64_t offset, int whence) {
  ++seek_calls_;
  const bool typed = is_typed(config_.mode);
  // A typed size callback is not told the offset; record it as FFmpeg's 0.
  Event ev{.kind = 'S', .a = (whence == kAvseekSize && typed) ? 0 : offset, .b = whence};
  const int64_t size =
      is_write(config_.mode) ? static_cast<int64_t>(out_.size()) : static_cast<int64_t>(config_.data.size());
  int64_t ret;
  if (whence == kAvseekSize) {
    ret = config_.size_mode == 0 ? size : -ENOSYS;
  } else if (config_.seek_fail_every && seek_calls_ % config_.seek_fail_every == 0) {
    ret = -EIO;
  } else {
    int64_t target = -1;
    bool known = true;
    switch (whence) {
      case 0: target = offset; break;
      case 1: target = pos_ + offset; break;
      case 2:
        known = config_.size_mode != 2;
        target = size + offset;
        break;
      default: known = false;
    }
    if (!known) {
      ret = -ENOSYS;
    } else if (target < 0 || target > (int64_t{1} << 40) || (config_.reject_past_end && target > size)) {
      // Like a file system's maximum file size: positions stay far from
      // INT64_MAX, where FFmpeg's position arithmetic would overflow.
      ret = -EINVAL;
    } else {
      pos_ = target;
      ret = config_.seek_returns_zero ? 0 : target;
    }
  }
  ev.ret = ret;
  events_.push_back(ev);
  return ret;
}

std::vector<Event> Endpoint::take_events() {
  std::vector<Event> e;
  e.swap(events_);
  return e;
}

namespace {

std::string describe(const Event &e) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "%c(a=%" PRId64 ", b=%" PRId64 ", ret=%" PRId64 ", time=%" PRId64 ", hash=%016" PRIx64 ")", e.kind, e.a,
                e.b, e.ret, e.time, e.hash);
  return buf;
}

std::string describe(const Fields &f) {
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "buffer_size=%" PRId64 " pos=%" PRId64 " eof_reached=%" PRId64 " error=%" PRId64 " seekable=%" PRId64
                " direct=%" PRId64 " write_flag=%" PRId64 " max_packet_size=%" PRId64 " min_packet_size=%" PRId64
                " bytes_read=%" PRId64 " bytes_written=%" PRId64 " buf_ptr=%" PRId64 " buf_end=%" PRId64
                " buf_ptr_max=%" PRId64,
                f.buffer_size, f.pos, f.eof_reached, f.error, f.seekable, f.direct, f.write_flag, f.max_packet_size,
                f.min_packet_size, f.bytes_read, f.bytes_written, f.buf_ptr, f.buf_end, f.buf_ptr_max);
  return buf;
}

}  // namespace

std::string describe(const Outcome &o) {
  std::string s = "ret=" + std::to_string(o.ret) + " data=" + std::to_string(o.data.size()) + " bytes (hash " +
                  std::to_string(fnv1a(o.data.data(), o.data.size())) + ")\n      fields: " + describe(o.fields) +
                  "\n      events:";
  for (const Event &e : o.events) s += " " + describe(e);
  return s;
}

std::string compare(const Outcome &reference, const Outcome &avio) {
  std::string diff;
  if (reference.ret != avio.ret) diff += "return value; ";
  if (reference.data != avio.data) diff += "data; ";
  if (!(reference.fields == avio.fields)) diff += "fields; ";
  if (reference.events != avio.events) diff += "callback events; ";
  return diff;
}

uint64_t digest(const Outcome &o, uint64_t h) {
  auto mix = [&h](int64_t v) { h = fnv1a(reinterpret_cast<const uint8_t *>(&v), sizeof v, h); };
  mix(o.skipped);
  mix(o.ret);
  mix(static_cast<int64_t>(fnv1a(o.data.data(), o.data.size())));
  const Fields &f = o.fields;
  for (int64_t v : {f.buffer_size, f.pos, f.eof_reached, f.error, f.seekable, f.direct, f.write_flag, f.max_packet_size,
                    f.min_packet_size, f.bytes_read, f.bytes_written, f.buf_ptr, f.buf_end, f.buf_ptr_max})
    mix(v);
  for (const Event &e : o.events) {
    mix(e.kind);
    mix(e.a);
    mix(e.b);
    mix(e.ret);
    mix(e.time);
    mix(static_cast<int64_t>(e.hash));
  }
  return h;
}

}  // namespace avio_diff
