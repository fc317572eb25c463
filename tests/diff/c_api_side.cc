// The C API side. This file is compiled once per implementation: against
// the installed libavformat (the reference) and against avio's compat
// header, which maps <libavformat/avio.h> to avio's C API.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

extern "C" {
#include <libavformat/avio.h>
#include <libavutil/mem.h>
}
#ifndef AVIO_C_AVIO_H
extern "C" {
#include <libavutil/log.h>
}
#endif

#include "side.hpp"

namespace avio_diff {
namespace {

// FFmpeg 7 made the write callbacks' buffer const; 5.1 (and 6) do not.
#if defined(AVIO_C_AVIO_H) || LIBAVFORMAT_VERSION_MAJOR >= 61
using WriteBuffer = const uint8_t *;
#else
using WriteBuffer = uint8_t *;
#endif

Endpoint &endpoint(void *opaque) { return *static_cast<Endpoint *>(opaque); }
int read_cb(void *opaque, uint8_t *buf, int size) { return endpoint(opaque).read(buf, size); }
int write_cb(void *opaque, WriteBuffer buf, int size) { return endpoint(opaque).write(buf, size); }
int write_data_type_cb(void *opaque, WriteBuffer buf, int size, enum AVIODataMarkerType type, int64_t time) {
  return endpoint(opaque).write_typed(buf, size, static_cast<int>(type), time);
}
int64_t seek_cb(void *opaque, int64_t offset, int whence) { return endpoint(opaque).seek(offset, whence); }

class CApiSide final : public Side {
 public:
  explicit CApiSide(const Config &config) : config_(config), endpoint_(config_) {
#ifndef AVIO_C_AVIO_H
    av_log_set_level(AV_LOG_QUIET);  // invalid UTF-8 is logged; the tests want it
#endif
    const Config &c = config_;
    if (c.mode == Mode::kDynBuf) {
      if (avio_open_dyn_buf(&s_) < 0) s_ = nullptr;
    } else if (c.mode == Mode::kStatic) {
      auto *buf = static_cast<uint8_t *>(av_malloc(std::max<size_t>(c.data.size(), 1)));
      if (!c.data.empty()) std::memcpy(buf, c.data.data(), c.data.size());
      s_ = avio_alloc_context(buf, static_cast<int>(c.data.size()), 0, nullptr, nullptr, nullptr, nullptr);
    } else {
      const bool w = is_write(c.mode), r = !w || c.mode == Mode::kReadWrite;
      auto *buf = static_cast<uint8_t *>(av_malloc(static_cast<size_t>(c.buffer_size)));
      s_ = avio_alloc_context(buf, c.buffer_size, w, &endpoint_, r ? read_cb : nullptr,
                              w && !c.null_write_callback ? write_cb : nullptr, c.has_seek ? seek_cb : nullptr);
      if (s_ && c.use_write_data_type) s_->write_data_type = write_data_type_cb;
      if (s_) s_->ignore_boundary_point = c.ignore_boundary_point;
    }
    if (!s_) {
      std::fprintf(stderr, "avio_diff: could not create the context\n");
      std::abort();
    }
    s_->direct = c.direct;
    s_->max_packet_size = c.max_packet_size;
    s_->min_packet_size = c.min_packet_size;
    if (c.clear_seekable) s_->seekable = 0;
  }

  ~CApiSide() override { release(); }

  Outcome run(const Op &op) override {
    Outcome o;
    o.ret = execute(op, o.data);
    dyn_.after(config_, op, avio_tell(s_), o);
    collect(o);
    return o;
  }

  Outcome finish() override {
    Outcome o;
    if (config_.mode == Mode::kDynBuf) {
      uint8_t *p = nullptr;
      const int n = avio_close_dyn_buf(s_, &p);
      s_ = nullptr;
      // After the size footgun the two close functions pad at different
      // places (see runner.cc), so neither the bytes nor the size compare.
      o.ret = dyn_.contents_undefined ? 0 : n;
      if (p && n >= 0 && !dyn_.contents_undefined) o.data.assign(p, p + n + (config_.max_packet_size ? 0 : 64));
      av_free(p);
    } else if (is_write(config_.mode)) {
      avio_flush(s_);
      o.data = endpoint_.written();
    }
    collect(o);
    return o;
  }

 private:
  void release() {
    if (!s_) return;
    if (config_.mode == Mode::kDynBuf) {
      uint8_t *p = nullptr;
      avio_close_dyn_buf(s_, &p);
      av_free(p);
    } else {
      av_freep(&s_->buffer);
      avio_context_free(&s_);
    }
    s_ = nullptr;
  }

  void collect(Outcome &o) {
    o.events = endpoint_.take_events();
    if (!s_) return;
    Fields &f = o.fields;
    f.buffer_size = s_->buffer_size;
    f.pos = s_->pos;
    f.eof_reached = s_->eof_reached;
    f.error = s_->error;
    f.seekable = s_->seekable;
    f.direct = s_->direct;
    f.write_flag = s_->write_flag;
    f.max_packet_size = s_->max_packet_size;
    f.min_packet_size = s_->min_packet_size;
    f.bytes_read = s_->bytes_read;
    f.bytes_written = s_->bytes_written;
    f.buf_ptr = s_->buf_ptr - s_->buffer;
    f.buf_end = s_->buf_end - s_->buffer;
    f.buf_ptr_max = s_->buf_ptr_max - s_->buffer;
  }

  int64_t execute(const Op &op, std::vector<uint8_t> &data) {
    AVIOContext *s = s_;
    static const uint8_t kByte = 0;
    switch (op.kind) {
      case OpKind::kR8: return avio_r8(s);
      case OpKind::kRl16: return avio_rl16(s);
      case OpKind::kRl24: return avio_rl24(s);
      case OpKind::kRl32: return avio_rl32(s);
      case OpKind::kRl64: return static_cast<int64_t>(avio_rl64(s));
      case OpKind::kRb16: return avio_rb16(s);
      case OpKind::kRb24: return avio_rb24(s);
      case OpKind::kRb32: return avio_rb32(s);
      case OpKind::kRb64: return static_cast<int64_t>(avio_rb64(s));
      case OpKind::kRead:
      case OpKind::kReadPartial:
      case OpKind::kEngineRead:
      case OpKind::kEngineReadPartial: {
        std::vector<uint8_t> buf(static_cast<size_t>(std::max<int64_t>(op.a, 1)));
        const bool partial = op.kind == OpKind::kReadPartial || op.kind == OpKind::kEngineReadPartial;
        const int n = partial ? avio_read_partial(s, buf.data(), static_cast<int>(op.a))
                              : avio_read(s, buf.data(), static_cast<int>(op.a));
        if (n > 0) data.assign(buf.begin(), buf.begin() + n);
        return n;
      }
      case OpKind::kGetStr:
      case OpKind::kGetStr16le:
      case OpKind::kGetStr16be: {
        std::vector<char> buf(static_cast<size_t>(std::max<int64_t>(op.b, 1)), '\x7f');
        const int maxlen = static_cast<int>(op.a), buflen = static_cast<int>(std::max<int64_t>(op.b, 0));
        const int n = op.kind == OpKind::kGetStr       ? avio_get_str(s, maxlen, buf.data(), buflen)
                      : op.kind == OpKind::kGetStr16le ? avio_get_str16le(s, maxlen, buf.data(), buflen)
                                                       : avio_get_str16be(s, maxlen, buf.data(), buflen);
        if (n >= 0 && buflen > 0) data.assign(buf.data(), buf.data() + std::strlen(buf.data()));
        return n;
      }
      case OpKind::kFeof: return avio_feof(s) != 0;
      case OpKind::kSeek:
        if (op.b == SEEK_CUR) return avio_skip(s, seek_offset(SEEK_CUR, op.a));
        return avio_seek(s, seek_offset(static_cast<int>(op.b), op.a), static_cast<int>(op.b));
      case OpKind::kSeekBufRel: {
        const int64_t high_water = std::max(s->buf_ptr, s->buf_ptr_max) - s->buffer;
        const int64_t target =
            buffer_relative_target(s->write_flag, s->pos, s->buf_end - s->buffer, high_water, op.a, op.b);
        return avio_seek(s, seek_offset(SEEK_SET, target), SEEK_SET);
      }
      case OpKind::kTell: return avio_tell(s);
      case OpKind::kSize: return avio_size(s);
      case OpKind::kFlush: avio_flush(s); return 0;
      case OpKind::kW8: avio_w8(s, static_cast<uint8_t>(op.c)); return 0;
      case OpKind::kWl16: avio_wl16(s, static_cast<uint16_t>(op.c)); return 0;
      case OpKind::kWl24: avio_wl24(s, static_cast<uint32_t>(op.c) & 0xFFFFFF); return 0;
      case OpKind::kWl32: avio_wl32(s, static_cast<uint32_t>(op.c)); return 0;
      case OpKind::kWl64: avio_wl64(s, op.c); return 0;
      case OpKind::kWb16: avio_wb16(s, static_cast<uint16_t>(op.c)); return 0;
      case OpKind::kWb24: avio_wb24(s, static_cast<uint32_t>(op.c) & 0xFFFFFF); return 0;
      case OpKind::kWb32: avio_wb32(s, static_cast<uint32_t>(op.c)); return 0;
      case OpKind::kWb64: avio_wb64(s, op.c); return 0;
      case OpKind::kWrite: {
        const std::vector<uint8_t> bytes = write_content(op);
        avio_write(s, bytes.empty() ? &kByte : bytes.data(), static_cast<int>(op.a));
        return 0;
      }
      case OpKind::kEngineWrite: avio_write(s, &kByte, static_cast<int>(op.a)); return 0;
      case OpKind::kPutStr: return avio_put_str(s, op.text.c_str());
      case OpKind::kPutStrNull: return avio_put_str(s, nullptr);
      case OpKind::kPutStr16le: return avio_put_str16le(s, op.text.c_str());
      case OpKind::kPutStr16be: return avio_put_str16be(s, op.text.c_str());
      case OpKind::kPrintf:
        switch (op.a) {
          case 0: return avio_printf(s, "%s", "");
          case 1: return avio_printf(s, "%lld", static_cast<long long>(op.c));
          case 2: return avio_printf(s, "[%s|%08llx]", op.text.c_str(), static_cast<unsigned long long>(op.c));
          case 3: return avio_printf(s, "%*lld", static_cast<int>(op.b), static_cast<long long>(op.c));
          default: return avio_printf(s, "%s%s", op.text.c_str(), op.text.c_str());
        }
      case OpKind::kPrint: {
        std::vector<const char *> strings;
        strings.reserve(op.texts.size() + 1);
        for (const std::string &t : op.texts) strings.push_back(t.c_str());
        strings.push_back(nullptr);
        avio_print_string_array(s, strings.data());
        return 0;
      }
      case OpKind::kWriteMarker: avio_write_marker(s, op.a, static_cast<enum AVIODataMarkerType>(op.b)); return 0;
      case OpKind::kGetDynBuf: {
        uint8_t *p = nullptr;
        const int n = avio_get_dyn_buf(s, &p);
        if (p && n > 0) data.assign(p, p + n);
        return n;
      }
    }
    return 0;
  }

  int64_t seek_offset(int whence, int64_t offset) {
    if (config_.mode != Mode::kDynBuf) return offset;
    return dynbuf_seek_offset(whence, offset, avio_tell(s_), dyn_.written_end);
  }

  Config config_;
  Endpoint endpoint_;
  AVIOContext *s_ = nullptr;
  DynBufTracker dyn_;
};

}  // namespace

std::unique_ptr<Side> make_c_api_side(const Config &config) { return std::make_unique<CApiSide>(config); }

}  // namespace avio_diff
