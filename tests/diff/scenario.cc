#include "scenario.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

namespace avio_diff {

bool is_write(Mode m) {
  return m == Mode::kRawWrite || m == Mode::kTypedWrite || m == Mode::kDynBuf || m == Mode::kReadWrite;
}
bool is_typed(Mode m) { return m == Mode::kTypedRead || m == Mode::kTypedWrite; }

const char *mode_name(Mode m) {
  switch (m) {
    case Mode::kRawRead: return "raw-read";
    case Mode::kTypedRead: return "typed-read";
    case Mode::kStatic: return "static";
    case Mode::kRawWrite: return "raw-write";
    case Mode::kTypedWrite: return "typed-write";
    case Mode::kDynBuf: return "dynbuf";
    case Mode::kReadWrite: return "read-write";
  }
  return "?";
}

uint64_t Entropy::next() {
  if (from_bytes_) {
    uint64_t v = 0;
    const size_t n = std::min<size_t>(bytes_.size(), 4);
    for (size_t i = 0; i < n; ++i) v = v << 8 | bytes_[i];
    bytes_ = bytes_.subspan(n);
    return v;
  }
  // splitmix64: the same sequence everywhere.
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int64_t buffer_relative_target(bool write_flag, int64_t pos, int64_t buffered, int64_t high_water, int64_t rule,
                               int64_t param) {
  const uint64_t p = static_cast<uint64_t>(param);
  if (write_flag) {
    // pos is the stream position of the buffer start; high_water the bytes pending.
    switch (rule) {
      case 0: return pos + static_cast<int64_t>(p % static_cast<uint64_t>(high_water + 1));  // patch inside
      case 1: return pos + high_water + 1 + static_cast<int64_t>(p % 16);                    // just beyond
      case 2: return pos - 1 - static_cast<int64_t>(p % 100);                                // before the buffer
      default: return pos + high_water;                                                      // the end
    }
  }
  const int64_t start = pos - buffered;  // stream position of the buffer start
  switch (rule) {
    case 0: return start + static_cast<int64_t>(p % static_cast<uint64_t>(buffered + 1));  // inside
    case 1: return start + buffered + 1 + static_cast<int64_t>(p % 64);                    // just past
    case 2: {  // a little way back: less than half a buffer before its start (case C) or exactly half
      const int64_t half = buffered / 2;
      if (p % 5 == 0) return start - half;
      return start - 1 - static_cast<int64_t>(p % static_cast<uint64_t>(std::max<int64_t>(half - 1, 1)));
    }
    case 3: return start - buffered - static_cast<int64_t>(p % 70000);                // far back
    case 4: return start + buffered + 32768 - 2 + static_cast<int64_t>(p % 5);        // the short-seek edge
    default: return start + buffered + 32768 + 1 + static_cast<int64_t>(p % 100000);  // far forward
  }
}

int64_t dynbuf_seek_offset(int whence, int64_t offset, int64_t tell, int64_t written_end) {
  whence &= ~kAvseekForce;
  if (whence == 0) return std::min(offset, written_end);
  if (whence == 1 && offset > 0 && offset <= INT64_MAX - tell && tell + offset > written_end) return written_end - tell;
  return offset;
}

bool is_write_op(OpKind kind) { return kind >= OpKind::kW8 && kind <= OpKind::kPrint; }

bool moves_dyn_buf_to_zero(const Op &op) {
  return op.kind == OpKind::kSize || (op.kind == OpKind::kSeek && (op.b & kAvseekSize));
}

const char *printf_format(int n) {
  switch (n) {
    case 0: return "";
    case 1: return "%lld";
    case 2: return "[%s|%08llx]";
    case 3: return "%*lld";  // width b: output longer than small buffers
    default: return "%s%s";
  }
}

bool printf_output_is_empty(const Op &op) { return op.a == 0 || (op.a == 4 && op.text.empty()); }

std::vector<uint8_t> write_content(const Op &op) {
  std::vector<uint8_t> v(static_cast<size_t>(std::max<int64_t>(op.a, 0)));
  uint64_t x = op.c | 1;
  for (auto &b : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<uint8_t>(x);
  }
  return v;
}

namespace {

// ------------------------------------------------------------ data --

void append_utf16(std::vector<uint8_t> &out, uint32_t unit, bool be) {
  const uint8_t lo = static_cast<uint8_t>(unit), hi = static_cast<uint8_t>(unit >> 8);
  out.push_back(be ? hi : lo);
  out.push_back(be ? lo : hi);
}

// Input data with what the string readers care about: NULs, text, UTF-16
// with valid and broken surrogates.
std::vector<uint8_t> make_data(Entropy &e, size_t size) {
  std::vector<uint8_t> out;
  out.reserve(size);
  while (out.size() < size) {
    const size_t left = size - out.size();
    const size_t len = std::min<size_t>(left, static_cast<size_t>(e.range(1, left > 64 && e.chance(30) ? 4096 : 64)));
    switch (e.below(6)) {
      case 0: {  // random bytes; derived from one draw so that big inputs stay cheap
        uint64_t x = e.next() | 1;
        for (size_t i = 0; i < len; ++i) {
          x = x * 6364136223846793005ull + 1442695040888963407ull;
          out.push_back(static_cast<uint8_t>(x >> 56));
        }
        break;
      }
      case 1: out.insert(out.end(), len, 0); break;
      case 2:  // text with terminators
        for (size_t i = 0; i < len; ++i) out.push_back(i % 11 == 10 ? 0 : static_cast<uint8_t>('a' + (i * 7) % 26));
        break;
      case 3:
      case 4: {  // UTF-16 units
        const bool be = e.chance(50);
        for (size_t i = 0; i + 1 < len; i += 2) {
          switch (e.below(8)) {
            case 0: append_utf16(out, 0, be); break;
            case 1: append_utf16(out, static_cast<uint32_t>(e.range(0xD800, 0xDBFF)), be); break;  // high
            case 2: append_utf16(out, static_cast<uint32_t>(e.range(0xDC00, 0xDFFF)), be); break;  // low
            case 3: append_utf16(out, static_cast<uint32_t>(e.range(0x80, 0x7FF)), be); break;
            case 4: append_utf16(out, static_cast<uint32_t>(e.range(0x800, 0xFFFF)), be); break;
            default: append_utf16(out, static_cast<uint32_t>(e.range(0x20, 0x7E)), be); break;
          }
        }
        break;
      }
      default:  // UTF-8-ish bytes
        for (size_t i = 0; i < len; ++i) out.push_back(static_cast<uint8_t>(e.range(0x80, 0xFF)));
        break;
    }
  }
  out.resize(size);
  return out;
}

// A NUL-free string for the writers: ASCII, valid UTF-8, broken UTF-8.
std::string make_text(Entropy &e, int buffer_size) {
  std::string s;
  size_t len = static_cast<size_t>(e.range(0, 24));
  if (e.chance(10)) len = static_cast<size_t>(e.range(0, std::min(3 * buffer_size + 3, 70000)));
  while (s.size() < len) {
    switch (e.below(9)) {
      case 0: s += "\xC3\xA9"; break;                              // é
      case 1: s += "\xE2\x82\xAC"; break;                          // €
      case 2: s += "\xF0\x9F\x98\x80"; break;                      // a 4-byte sequence: a surrogate pair in UTF-16
      case 3: s += static_cast<char>(e.range(0x80, 0xBF)); break;  // lone continuation
      case 4: s += static_cast<char>(e.range(0xC0, 0xFF)); break;  // lead byte, maybe without a tail
      case 5: s += "\xF8\x88\x80\x80\x80"; break;                  // a 5-byte form GET_UTF8 accepts
      default: s += static_cast<char>(e.range(0x20, 0x7E)); break;
    }
  }
  return s;
}

// ---------------------------------------------------------- config --

int pick_buffer_size(Entropy &e) {
  switch (e.below(6)) {
    case 0: return 1;
    case 1: return 7;
    case 2: return 4096;
    case 3: return 32768;
    case 4: return static_cast<int>(e.range(2, 300));
    default: return static_cast<int>(e.range(1, 70000));
  }
}

int pick_error_code(Entropy &e) {
  switch (e.below(4)) {
    case 0: return -EIO;
    case 1: return -EAGAIN;
    case 2: return kErrorExit;
    default: return -12345;
  }
}

Config make_config(Entropy &e, const GenerateLimits &limits) {
  Config c;
  c.mode = static_cast<Mode>(e.below(kModes));
  c.buffer_size = pick_buffer_size(e);
  if (!is_write(c.mode) || c.mode == Mode::kReadWrite) {
    size_t size = 0;
    switch (e.below(20)) {
      case 0: size = 0; break;
      case 1:
      case 2:
      case 3:
      case 4:
      case 5: size = static_cast<size_t>(e.range(1, 64)); break;
      case 6:
      case 7:
      case 8:
      case 9:
      case 10:
      case 11:
      case 12: size = static_cast<size_t>(e.range(65, 5000)); break;
      case 13: size = static_cast<size_t>(e.range(70000, std::max(70000, limits.max_data))); break;
      default: size = static_cast<size_t>(e.range(5000, 70000)); break;
    }
    size = std::min<size_t>(size, static_cast<size_t>(limits.max_data));
    c.data = make_data(e, size);
  }
  if (c.mode == Mode::kDynBuf) c.buffer_size = 1024;

  if (e.chance(40)) c.chunk_max = static_cast<int>(e.chance(50) ? e.range(1, 16) : e.range(1, 5000));
  if (e.chance(25)) {
    c.error_pos = e.range(0, static_cast<int64_t>(c.data.size()) + 10);
    c.error_code = pick_error_code(e);
    c.error_once = e.chance(40);
  }
  c.has_seek = c.mode == Mode::kDynBuf || e.chance(75);
  c.size_mode = static_cast<int>(e.below(3));
  if (e.chance(15)) c.seek_fail_every = static_cast<int>(e.range(1, 5));
  c.seek_returns_zero = e.chance(20);
  c.reject_past_end = e.chance(20);
  c.clear_seekable = c.has_seek && e.chance(10);
  // A read+write context copies nothing from its buffer: FFmpeg's avio_read
  // serves it only through the direct path (elsewhere it refills for ever).
  c.direct = c.mode == Mode::kReadWrite || e.chance(20);
  if (e.chance(20)) c.max_packet_size = static_cast<int>(e.range(1, 2 * c.buffer_size + 1));
  if (e.chance(20)) c.min_packet_size = static_cast<int>(e.range(0, c.buffer_size + 1));
  // A read callback that returns 0 ("no data") loops FFmpeg's large-read and
  // seek-by-reading paths for as long as it keeps doing so; once is safe
  // except in the large-read path, which the callback refuses (model.cc).
  if (c.mode == Mode::kRawRead && !c.direct && e.chance(15)) c.zero_read_call = static_cast<int>(e.range(1, 8));
  if (is_write(c.mode) && c.mode != Mode::kDynBuf && e.chance(20)) {
    c.write_fail_call = static_cast<int>(e.range(1, 6));
    c.write_fail_code = pick_error_code(e);
    c.write_fail_once = e.chance(40);
  }
  if (c.mode == Mode::kRawWrite) {
    c.null_write_callback = e.chance(10);
    c.use_write_data_type = e.chance(40);
    c.ignore_boundary_point = e.chance(30);
  }
  return c;
}

// -------------------------------------------------------------- ops --

int64_t pick_size(Entropy &e, int buffer_size) {
  switch (e.below(8)) {
    case 0: return 0;
    case 1:
    case 2: return e.range(1, 16);
    case 3: return e.range(1, buffer_size);
    case 4: return std::max<int64_t>(buffer_size + e.range(-1, 1), 0);
    case 5: return e.range(buffer_size, 3LL * buffer_size + 1);
    case 6: return e.range(1, 100000);
    default: return e.range(1, 64);
  }
}

int64_t pick_skip(Entropy &e, int buffer_size) {
  const int64_t sign = e.chance(50) ? 1 : -1;
  switch (e.below(9)) {
    case 0: return 0;
    case 1: return sign * e.range(1, 16);
    case 2: return sign * (buffer_size / 2 + e.range(-1, 1));
    case 3: return sign * (buffer_size + e.range(-1, 1));
    case 4: return sign * e.range(32760, 40000);
    case 5: return sign * e.range(40000, 300000);
    case 6: return e.chance(50) ? INT64_MAX : INT64_MIN;
    case 7: return INT64_MAX - e.range(0, 3);
    default: return sign * e.range(1, buffer_size * 2 + 1);
  }
}

int64_t pick_target(Entropy &e, const Config &c) {
  const int64_t size = static_cast<int64_t>(c.data.size());
  switch (e.below(9)) {
    case 0: return 0;
    case 1: return e.range(0, size);
    case 2: return size;
    case 3: return size + e.range(1, 100);
    case 4: return size + e.range(32000, 70000);
    case 5: return -e.range(1, 1000);
    case 6: return e.range(0, 300000);
    case 7: return INT64_MAX;
    default: return e.range(0, size + 1);
  }
}

Op make_seek(Entropy &e, const Config &c) {
  Op op;
  switch (e.below(10)) {
    case 0:
    case 1:
    case 2:
      op.kind = OpKind::kSeek;
      op.a = pick_target(e, c);
      op.b = 0;  // SEEK_SET
      if (e.chance(10)) op.b |= kAvseekForce;
      break;
    case 3:
    case 4:
    case 5:
      op.kind = OpKind::kSeek;
      op.a = pick_skip(e, c.buffer_size);
      op.b = 1;  // SEEK_CUR
      if (e.chance(10)) op.b |= kAvseekForce;
      break;
    case 6: {
      op.kind = OpKind::kSeek;
      static constexpr int64_t kOdd[] = {
          2, 3, -1, kAvseekSize, kAvseekSize | 1, kAvseekSize | kAvseekForce, 2 | kAvseekForce};
      op.b = kOdd[e.below(std::size(kOdd))];
      op.a = e.chance(50) ? 0 : e.range(-5, 5);
      break;
    }
    default:
      op.kind = OpKind::kSeekBufRel;
      op.a = static_cast<int64_t>(e.below(is_write(c.mode) ? 4 : 6));
      op.b = static_cast<int64_t>(e.next());
      break;
  }
  return op;
}

Op make_read_op(Entropy &e, const Config &c) {
  Op op;
  const uint64_t r = e.below(100);
  if (r < 22) {
    op.kind = static_cast<OpKind>(static_cast<int>(OpKind::kR8) + static_cast<int>(e.below(9)));
  } else if (r < 42) {
    op.kind = OpKind::kRead;
    op.a = pick_size(e, c.buffer_size);
  } else if (r < 50) {
    op.kind = OpKind::kReadPartial;
    op.a = pick_size(e, c.buffer_size);
  } else if (r < 51) {
    op.kind = OpKind::kEngineRead;
    op.a = -e.range(0, 5);
  } else if (r < 52) {
    op.kind = OpKind::kEngineReadPartial;
    op.a = -e.range(1, 5);
  } else if (r < 60) {
    op.kind = static_cast<OpKind>(static_cast<int>(OpKind::kGetStr) + static_cast<int>(e.below(3)));
    op.a = e.chance(10) ? e.range(-2, 1) : e.range(0, e.chance(20) ? 3 * c.buffer_size + 2 : 80);
    op.b = e.chance(10) ? e.range(-1, 1) : e.range(1, 100);
  } else if (r < 64) {
    op.kind = OpKind::kFeof;
  } else if (r < 88) {
    op = make_seek(e, c);
  } else if (r < 92) {
    op.kind = OpKind::kTell;
  } else if (r < 96) {
    op.kind = OpKind::kSize;
  } else {
    op.kind = OpKind::kFlush;
  }
  return op;
}

Op make_write_op(Entropy &e, const Config &c) {
  Op op;
  const uint64_t r = e.below(100);
  if (r < 25) {
    op.kind = static_cast<OpKind>(static_cast<int>(OpKind::kW8) + static_cast<int>(e.below(9)));
    op.c = e.next() * 0x9E3779B97F4A7C15ull;
  } else if (r < 45) {
    op.kind = OpKind::kWrite;
    op.a = pick_size(e, c.buffer_size);
    op.c = e.next();
  } else if (r < 46) {
    op.kind = OpKind::kEngineWrite;
    op.a = -e.range(1, 5);
  } else if (r < 51) {
    op.kind = OpKind::kPutStr;
    op.text = make_text(e, c.buffer_size);
  } else if (r < 52) {
    op.kind = OpKind::kPutStrNull;
  } else if (r < 58) {
    op.kind = e.chance(50) ? OpKind::kPutStr16le : OpKind::kPutStr16be;
    op.text = make_text(e, c.buffer_size);
  } else if (r < 62) {
    op.kind = OpKind::kPrintf;
    op.a = static_cast<int64_t>(e.below(kPrintfFormats));
    op.b = e.range(0, e.chance(20) ? 3 * c.buffer_size + 2 : 40);
    op.c = e.next();
    op.text = e.chance(30) ? std::string() : make_text(e, c.buffer_size);
  } else if (r < 64) {
    op.kind = OpKind::kPrint;
    const int n = static_cast<int>(e.range(0, 4));
    for (int i = 0; i < n; ++i) op.texts.push_back(make_text(e, c.buffer_size));
  } else if (r < 69) {
    op.kind = OpKind::kFlush;
  } else if (r < 78) {
    op.kind = OpKind::kWriteMarker;
    op.a = e.chance(20) ? INT64_MIN : e.range(-5, 1000000);
    op.b = static_cast<int64_t>(e.below(6));
  } else if (r < 92) {
    op = make_seek(e, c);
  } else if (r < 94) {
    op.kind = OpKind::kTell;
  } else if (r < 97) {
    op.kind = OpKind::kSize;
  } else {
    op.kind = c.mode == Mode::kDynBuf ? OpKind::kGetDynBuf : OpKind::kFlush;
  }
  return op;
}

// Read+write contexts: the writers, plus the reads FFmpeg can serve there
// (direct reads and read_partial; r8 and friends would read the write buffer).
Op make_read_write_op(Entropy &e, const Config &c) {
  const uint64_t r = e.below(100);
  if (r >= 25) return make_write_op(e, c);
  Op op;
  if (r < 12) {
    op.kind = OpKind::kRead;
    op.a = pick_size(e, c.buffer_size);
  } else if (r < 22) {
    op.kind = OpKind::kReadPartial;
    op.a = pick_size(e, c.buffer_size);
  } else if (r < 23) {
    op.kind = OpKind::kEngineReadPartial;
    op.a = -e.range(1, 5);
  } else {
    op.kind = OpKind::kFeof;
  }
  return op;
}

Scenario build(Entropy &e, const GenerateLimits &limits, bool until_exhausted) {
  Scenario s;
  s.config = make_config(e, limits);
  const int count = static_cast<int>(e.range(limits.min_ops, limits.max_ops));
  for (int i = 0; until_exhausted ? !e.exhausted() && i < limits.max_ops : i < count; ++i)
    s.ops.push_back(s.config.mode == Mode::kReadWrite ? make_read_write_op(e, s.config)
                    : is_write(s.config.mode)         ? make_write_op(e, s.config)
                                                      : make_read_op(e, s.config));
  return s;
}

}  // namespace

Scenario generate(uint64_t seed, const GenerateLimits &limits) {
  Entropy e(seed);
  return build(e, limits, false);
}

Scenario decode(std::span<const uint8_t> bytes, const GenerateLimits &limits) {
  Entropy e(bytes);
  return build(e, limits, true);
}

bool excluded(const Config &config, const Op &op) {
#if DIFF_REFERENCE_LAVF_MAJOR < 60
  // FFmpeg 5.1's avio_write in direct mode flushes and calls write_packet
  // even for size <= 0 (a 0-byte or negative-size packet); FFmpeg 6.0 made
  // size <= 0 a no-op first thing, and avio follows 6.0. Every op below
  // reaches avio_write with size <= 0 in direct mode. Pinned by
  // version_rules_test.cc (DirectWriteOfNothingCallsNoCallback).
  if (config.direct) {
    switch (op.kind) {
      case OpKind::kWrite: return op.a == 0;
      case OpKind::kEngineWrite: return true;
      case OpKind::kPrintf: return printf_output_is_empty(op);
      case OpKind::kPrint:
        return std::any_of(op.texts.begin(), op.texts.end(), [](const std::string &t) { return t.empty(); });
      default: break;
    }
  }
#else
  (void)config;
  (void)op;
#endif
  return false;
}

std::string describe(const Config &c) {
  char buf[640];
  std::snprintf(
      buf, sizeof buf,
      "mode=%s buffer_size=%d data=%zu chunk_max=%d error_pos=%lld error_code=%d error_once=%d "
      "zero_read_call=%d has_seek=%d size_mode=%d seek_fail_every=%d seek_returns_zero=%d "
      "reject_past_end=%d clear_seekable=%d direct=%d max_packet_size=%d min_packet_size=%d "
      "write_fail_call=%d write_fail_code=%d write_fail_once=%d null_write=%d write_data_type=%d ignore_boundary=%d "
      "read_ahead_max=%lld",
      mode_name(c.mode), c.buffer_size, c.data.size(), c.chunk_max, static_cast<long long>(c.error_pos), c.error_code,
      c.error_once, c.zero_read_call, c.has_seek, c.size_mode, c.seek_fail_every, c.seek_returns_zero,
      c.reject_past_end, c.clear_seekable, c.direct, c.max_packet_size, c.min_packet_size, c.write_fail_call,
      c.write_fail_code, c.write_fail_once, c.null_write_callback, c.use_write_data_type, c.ignore_boundary_point,
      static_cast<long long>(c.read_ahead_max));
  return buf;
}

std::string describe(const Op &op) {
  // OpKind's names in its order, packed (clang-format would give each a line).
  // clang-format off
  static const char *const kNames[] = {
      "r8", "rl16", "rl24", "rl32", "rl64", "rb16", "rb24", "rb32", "rb64", "read", "read_partial",
      "engine_read", "engine_read_partial", "get_str", "get_str16le", "get_str16be", "feof", "seek",
      "seek_bufrel", "tell", "size", "flush", "w8", "wl16", "wl24", "wl32", "wl64", "wb16", "wb24", "wb32",
      "wb64", "write", "engine_write", "put_str", "put_str_null", "put_str16le", "put_str16be", "printf",
      "print", "write_marker", "get_dyn_buf"};
  // clang-format on
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s(a=%lld, b=%lld, c=%llu, text=%zu bytes, texts=%zu)",
                kNames[static_cast<int>(op.kind)], static_cast<long long>(op.a), static_cast<long long>(op.b),
                static_cast<unsigned long long>(op.c), op.text.size(), op.texts.size());
  return buf;
}

}  // namespace avio_diff
