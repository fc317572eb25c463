// The C++ side: avio::IOContext, driven through its own API wherever it has
// the operation, so that the inline fast paths in io_context.hpp are under
// test as much as the engine. Operations only the engine has (AVSEEK_SIZE,
// SEEK_END, odd whence values, negative sizes) go to avio::detail on
// ctx.core().
//
// Raw modes: the context is made by IOContext::from_callbacks and its Core is
// then re-initialised with detail::init over the same buffer and raw C
// callbacks, which is exactly avio_alloc_context's set-up: that keeps
// FFmpeg's C-level callback contract (a read may return 0) which the typed
// callbacks deliberately cannot express. Typed modes use
// IOContext::from_callbacks as an application would.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "avio/io_context.hpp"
#include "side.hpp"

namespace avio_diff {
namespace {

namespace detail = avio::detail;

Endpoint &endpoint(void *opaque) { return *static_cast<Endpoint *>(opaque); }
int read_cb(void *opaque, uint8_t *buf, int size) { return endpoint(opaque).read(buf, size); }
int write_cb(void *opaque, const uint8_t *buf, int size) { return endpoint(opaque).write(buf, size); }
int write_data_type_cb(void *opaque, const uint8_t *buf, int size, int type, int64_t time) {
  return endpoint(opaque).write_typed(buf, size, type, time);
}
int64_t seek_cb(void *opaque, int64_t offset, int whence) { return endpoint(opaque).seek(offset, whence); }

template <class T>
int64_t code_of(const avio::Result<T> &r) {
  return r.ok() ? static_cast<int64_t>(*r) : r.error().code();
}

class CppSide final : public Side {
 public:
  explicit CppSide(const Config &config) : config_(config), endpoint_(config_) {
    const Config &c = config_;
    const bool w = is_write(c.mode);
    switch (c.mode) {
      case Mode::kDynBuf: ctx_.emplace(avio::IOContext::dynamic_buffer()); break;
      case Mode::kStatic: ctx_.emplace(avio::IOContext::from_memory(c.data)); break;
      case Mode::kRawRead:
      case Mode::kRawWrite:
      case Mode::kReadWrite: {
        const bool r = !w || c.mode == Mode::kReadWrite;
        avio::Callbacks cb;
        if (w)
          cb.write = [](std::span<const uint8_t>) -> avio::Status { return {}; };
        else
          cb.read = [](std::span<uint8_t>) -> avio::Result<size_t> { return avio::Error::eof(); };
        make(std::move(cb));
        detail::Core &core = detail::CoreAccess::of(*ctx_);
        // The raw modes drive the engine with C callbacks over the endpoint:
        // the context keeps its buffer, and the backend it was made with
        // (which init unhooks) is freed here.
        raw_backend_.reset(detail::backend_of(core.opaque));
        detail::init(core, core.buffer, c.buffer_size, w, &endpoint_, r ? read_cb : nullptr,
                     w && !c.null_write_callback ? write_cb : nullptr, c.has_seek ? seek_cb : nullptr);
        if (c.use_write_data_type) core.write_data_type = write_data_type_cb;
        core.ignore_boundary_point = c.ignore_boundary_point;
        break;
      }
      case Mode::kTypedRead:
      case Mode::kTypedWrite: {
        avio::Callbacks cb;
        if (w) {
          cb.write = [this](std::span<const uint8_t> src) -> avio::Status {
            const int r = endpoint_.write(src.data(), static_cast<int>(src.size()));
            return r < 0 ? avio::Status(avio::Error(r)) : avio::Status();
          };
        } else {
          cb.read = [this](std::span<uint8_t> dst) -> avio::Result<size_t> {
            const int r = endpoint_.read(dst.data(), static_cast<int>(dst.size()));
            if (r == kErrorEof) return avio::Error::eof();
            if (r < 0) return avio::Error(r);
            return static_cast<size_t>(r);
          };
        }
        if (c.has_seek) {
          cb.seek = [this](int64_t offset, avio::Whence whence) -> avio::Result<int64_t> {
            const int64_t r = endpoint_.seek(offset, static_cast<int>(whence));
            if (r < 0) return avio::Error(static_cast<int>(r));
            return r;
          };
          cb.size = [this]() -> avio::Result<int64_t> {
            const int64_t r = endpoint_.seek(0, kAvseekSize);
            if (r < 0) return avio::Error(static_cast<int>(r));
            return r;
          };
        }
        make(std::move(cb));
        break;
      }
    }
    detail::Core &core = detail::CoreAccess::of(*ctx_);
    core.direct = c.direct;
    core.max_packet_size = c.max_packet_size;
    core.min_packet_size = c.min_packet_size;
    if (c.clear_seekable) core.seekable = 0;
    if (c.read_ahead_max) detail::set_read_ahead(core, c.read_ahead_max);
  }

  Outcome run(const Op &op) override {
    Outcome o;
    o.ret = execute(op, o.data);
    dyn_.after(config_, op, ctx_->tell(), o);
    collect(o);
    return o;
  }

  Outcome finish() override {
    Outcome o;
    if (config_.mode == Mode::kDynBuf) {
      avio::Result<avio::PaddedBytes> bytes = ctx_->close_dynamic_buffer();
      if (bytes.ok()) {
        o.ret = dyn_.contents_undefined ? 0 : static_cast<int64_t>(bytes->size());
        if (!dyn_.contents_undefined)
          o.data.assign(bytes->data(), bytes->data() + bytes->size() + (config_.max_packet_size ? 0 : 64));
      } else {
        o.ret = bytes.error().code();
      }
      o.events = endpoint_.take_events();
      ctx_.reset();
      return o;  // FFmpeg's context is freed: no fields to compare
    }
    if (is_write(config_.mode)) {
      ctx_->flush();
      o.data = endpoint_.written();
    }
    collect(o);
    return o;
  }

 private:
  void make(avio::Callbacks cb) {
    avio::Result<avio::IOContext> r =
        avio::IOContext::from_callbacks(std::move(cb), {.buffer_size = config_.buffer_size,
                                                        .write = is_write(config_.mode),
                                                        .direct = config_.direct,
                                                        .max_packet_size = config_.max_packet_size,
                                                        .min_packet_size = config_.min_packet_size});
    if (!r.ok()) {
      std::fprintf(stderr, "avio_diff: from_callbacks failed: %s\n", r.error().message().c_str());
      std::abort();
    }
    ctx_.emplace(std::move(r).value());
  }

  void collect(Outcome &o) {
    o.events = endpoint_.take_events();
    const detail::Core &c = ctx_->core();
    Fields &f = o.fields;
    f.buffer_size = c.buffer_size;
    f.pos = c.pos;
    f.eof_reached = c.eof_reached;
    f.error = c.error;
    f.seekable = c.seekable;
    f.direct = c.direct;
    f.write_flag = c.write_flag;
    f.max_packet_size = c.max_packet_size;
    f.min_packet_size = c.min_packet_size;
    f.bytes_read = c.bytes_read;
    f.bytes_written = c.bytes_written;
    f.buf_ptr = c.buf_ptr - c.buffer;
    f.buf_end = c.buf_end - c.buffer;
    f.buf_ptr_max = c.buf_ptr_max - c.buffer;
  }

  int64_t execute(const Op &op, std::vector<uint8_t> &data) {
    avio::IOContext &ctx = *ctx_;
    detail::Core &core = detail::CoreAccess::of(ctx);
    static const uint8_t kByte = 0;
    switch (op.kind) {
      case OpKind::kR8: return ctx.r8();
      case OpKind::kRl16: return ctx.rl16();
      case OpKind::kRl24: return ctx.rl24();
      case OpKind::kRl32: return ctx.rl32();
      case OpKind::kRl64: return static_cast<int64_t>(ctx.rl64());
      case OpKind::kRb16: return ctx.rb16();
      case OpKind::kRb24: return ctx.rb24();
      case OpKind::kRb32: return ctx.rb32();
      case OpKind::kRb64: return static_cast<int64_t>(ctx.rb64());
      case OpKind::kRead:
      case OpKind::kReadPartial: {
        std::vector<uint8_t> buf(static_cast<size_t>(std::max<int64_t>(op.a, 1)));
        const std::span<uint8_t> dst(buf.data(), static_cast<size_t>(op.a));
        const int64_t n = op.kind == OpKind::kRead ? code_of(ctx.read(dst)) : code_of(ctx.read_partial(dst));
        if (n > 0) data.assign(buf.begin(), buf.begin() + n);
        return n;
      }
      case OpKind::kEngineRead: {
        uint8_t buf[1];
        return detail::read(core, buf, static_cast<int>(op.a));
      }
      case OpKind::kEngineReadPartial: {
        uint8_t buf[1];
        return detail::read_partial(core, buf, static_cast<int>(op.a));
      }
      case OpKind::kGetStr:
      case OpKind::kGetStr16le:
      case OpKind::kGetStr16be: {
        std::vector<char> buf(static_cast<size_t>(std::max<int64_t>(op.b, 1)), '\x7f');
        const int maxlen = static_cast<int>(op.a);
        const std::span<char> out(buf.data(), static_cast<size_t>(std::max<int64_t>(op.b, 0)));
        const int64_t n = op.kind == OpKind::kGetStr       ? code_of(ctx.get_str(maxlen, out))
                          : op.kind == OpKind::kGetStr16le ? code_of(ctx.get_str16le(maxlen, out))
                                                           : code_of(ctx.get_str16be(maxlen, out));
        if (n >= 0 && !out.empty()) data.assign(buf.data(), buf.data() + std::strlen(buf.data()));
        return n;
      }
      case OpKind::kFeof: return ctx.eof();
      case OpKind::kSeek: {
        const int64_t offset = seek_offset(static_cast<int>(op.b), op.a);
        if (op.b == SEEK_SET) return code_of(ctx.seek(offset));
        if (op.b == SEEK_CUR) return code_of(ctx.skip(offset));
        return detail::seek(core, offset, static_cast<int>(op.b));
      }
      case OpKind::kSeekBufRel: {
        const int64_t high_water = std::max(core.buf_ptr, core.buf_ptr_max) - core.buffer;
        const int64_t target =
            buffer_relative_target(core.write_flag, core.pos, core.buf_end - core.buffer, high_water, op.a, op.b);
        return code_of(ctx.seek(seek_offset(SEEK_SET, target)));
      }
      case OpKind::kTell: return ctx.tell();
      case OpKind::kSize:
        // IOContext::from_memory knows its size where FFmpeg's static-buffer
        // mode answers ENOSYS (docs/compat.md); compare the engine there.
        if (config_.mode == Mode::kStatic) return detail::size(core);
        return code_of(ctx.size());
      case OpKind::kFlush: ctx.flush(); return 0;
      case OpKind::kW8: ctx.w8(static_cast<uint8_t>(op.c)); return 0;
      case OpKind::kWl16: ctx.wl16(static_cast<uint16_t>(op.c)); return 0;
      case OpKind::kWl24: ctx.wl24(static_cast<uint32_t>(op.c) & 0xFFFFFF); return 0;
      case OpKind::kWl32: ctx.wl32(static_cast<uint32_t>(op.c)); return 0;
      case OpKind::kWl64: ctx.wl64(op.c); return 0;
      case OpKind::kWb16: ctx.wb16(static_cast<uint16_t>(op.c)); return 0;
      case OpKind::kWb24: ctx.wb24(static_cast<uint32_t>(op.c) & 0xFFFFFF); return 0;
      case OpKind::kWb32: ctx.wb32(static_cast<uint32_t>(op.c)); return 0;
      case OpKind::kWb64: ctx.wb64(op.c); return 0;
      case OpKind::kWrite: ctx.write(write_content(op)); return 0;
      case OpKind::kEngineWrite: detail::write(core, &kByte, static_cast<int>(op.a)); return 0;
      case OpKind::kPutStr: return ctx.put_str(op.text);
      case OpKind::kPutStrNull: return detail::put_str(core, nullptr);
      case OpKind::kPutStr16le: return code_of(ctx.put_str16le(op.text));
      case OpKind::kPutStr16be: return code_of(ctx.put_str16be(op.text));
      case OpKind::kPrintf:
        switch (op.a) {
          case 0: return ctx.printf("%s", "");
          case 1: return ctx.printf("%lld", static_cast<long long>(op.c));
          case 2: return ctx.printf("[%s|%08llx]", op.text.c_str(), static_cast<unsigned long long>(op.c));
          case 3: return ctx.printf("%*lld", static_cast<int>(op.b), static_cast<long long>(op.c));
          default: return ctx.printf("%s%s", op.text.c_str(), op.text.c_str());
        }
      case OpKind::kPrint: {
        const std::vector<std::string> &t = op.texts;
        switch (t.size()) {
          case 0: ctx.print({}); break;
          case 1: ctx.print({t[0]}); break;
          case 2: ctx.print({t[0], t[1]}); break;
          case 3: ctx.print({t[0], t[1], t[2]}); break;
          default: ctx.print({t[0], t[1], t[2], t[3]}); break;
        }
        return 0;
      }
      case OpKind::kWriteMarker: ctx.write_marker(op.a, static_cast<avio::Marker>(op.b)); return 0;
      case OpKind::kGetDynBuf: {
        const std::span<const uint8_t> bytes = ctx.dynamic_buffer_contents();
        data.assign(bytes.begin(), bytes.end());
        return static_cast<int64_t>(bytes.size());
      }
    }
    return 0;
  }

  int64_t seek_offset(int whence, int64_t offset) {
    if (config_.mode != Mode::kDynBuf) return offset;
    return dynbuf_seek_offset(whence, offset, ctx_->tell(), dyn_.written_end);
  }

  Config config_;
  Endpoint endpoint_;
  std::unique_ptr<avio::Backend> raw_backend_;
  std::optional<avio::IOContext> ctx_;
  DynBufTracker dyn_;
};

}  // namespace

std::unique_ptr<Side> make_cpp_side(const Config &config) { return std::make_unique<CppSide>(config); }

}  // namespace avio_diff
