#include "avio/io_context.hpp"

#include <climits>
#include <cstdlib>
#include <new>
#include <utility>

namespace avio {

// ------------------------------------------------------------ Backend --

Result<size_t> Backend::read(std::span<uint8_t>) { return Error::from_errno(ENOSYS); }
Status Backend::write(std::span<const uint8_t>) { return Error::from_errno(ENOSYS); }
Result<int64_t> Backend::seek(int64_t, Whence) { return Error::from_errno(ENOSYS); }
Result<int64_t> Backend::size() { return Error::from_errno(ENOSYS); }
Result<size_t> Backend::read_at(int64_t, std::span<uint8_t>) { return Error::from_errno(ENOSYS); }
Status Backend::pause(bool) { return Error::from_errno(ENOSYS); }
Result<int64_t> Backend::seek_time(int, int64_t, int) { return Error::from_errno(ENOSYS); }
Result<int> Backend::short_seek_size() { return Error::from_errno(ENOSYS); }

void PaddedBytes::Free::operator()(uint8_t *p) const { std::free(p); }

namespace detail {

// Reads and records a Backend's last failure (Backend::failure_).
struct BackendAccess {
  static const Error &failure(const Backend &b) { return b.failure_; }
  static int fail(Backend &b, Error e) {
    const int code = e.code();
    b.failure_ = std::move(e);
    return code;
  }
};

namespace {

// What core().opaque points at, when the IOContext owns it.
enum FaceOwns : uint8_t { kOwnsNothing, kOwnsBackend, kOwnsDynBuffer };

int read_trampoline(void *opaque, uint8_t *buf, int size) {
  Backend &b = *backend_of(opaque);
  Result<size_t> r = b.read({buf, static_cast<size_t>(size)});
  if (!r) return r.error().is_eof() ? kEof : BackendAccess::fail(b, r.error());
  if (*r == 0 && size > 0) return BackendAccess::fail(b, Error(kZeroRead));
  return static_cast<int>(*r);
}

int write_trampoline(void *opaque, const uint8_t *buf, int size) {
  Backend &b = *backend_of(opaque);
  Status st = b.write({buf, static_cast<size_t>(size)});
  if (!st) return BackendAccess::fail(b, st.error());
  return size;
}

int64_t seek_trampoline(void *opaque, int64_t offset, int whence) {
  Backend &b = *backend_of(opaque);
  Result<int64_t> r = (whence & kSeekSize) ? b.size() : [&]() -> Result<int64_t> {
    switch (whence & ~kSeekForce) {
      case SEEK_SET: return b.seek(offset, Whence::kSet);
      case SEEK_CUR: return b.seek(offset, Whence::kCur);
      case SEEK_END: return b.seek(offset, Whence::kEnd);
      default: return Error::from_errno(EINVAL);
    }
  }();
  if (!r) return r.error().code() == -ENOSYS ? r.error().code() : BackendAccess::fail(b, r.error());
  return *r;
}

int pause_trampoline(void *opaque, int pause) { return backend_of(opaque)->pause(pause != 0).code(); }

int64_t seek_time_trampoline(void *opaque, int stream_index, int64_t timestamp, int flags) {
  Result<int64_t> r = backend_of(opaque)->seek_time(stream_index, timestamp, flags);
  return r ? *r : r.error().code();
}

int null_write(void *opaque, const uint8_t *, int size) {
  auto &d = *static_cast<DynBuffer *>(opaque);
  d.pos += size;
  d.size = std::max(d.size, d.pos);
  return size;
}

// Adapts typed callbacks to a Backend.
class CallbackBackend final : public Backend {
 public:
  explicit CallbackBackend(Callbacks cb) : cb_(std::move(cb)) {}
  Capabilities capabilities() const override {
    return {static_cast<bool>(cb_.read), static_cast<bool>(cb_.write), static_cast<bool>(cb_.seek)};
  }
  Result<size_t> read(std::span<uint8_t> dst) override { return cb_.read(dst); }
  Status write(std::span<const uint8_t> src) override { return cb_.write(src); }
  Result<int64_t> seek(int64_t offset, Whence whence) override { return cb_.seek(offset, whence); }
  Result<int64_t> size() override { return cb_.size ? cb_.size() : Result<int64_t>(Error::from_errno(ENOSYS)); }

 private:
  Callbacks cb_;
};

}  // namespace

int backend_short_seek_get(void *opaque) {
  Result<int> r = backend_of(opaque)->short_seek_size();
  return r ? *r : r.error().code();
}

Status check_backend_options(const Backend &backend, const ContextOptions &options) {
  if (options.buffer_size <= 0)
    return Error::invalid_argument("IOContext: buffer_size must be positive, got " +
                                   std::to_string(options.buffer_size));
  if (options.max_packet_size < 0 || options.min_packet_size < 0)
    return Error::invalid_argument("IOContext: packet sizes must not be negative");
  if (options.read_ahead_max < 0) return Error::invalid_argument("IOContext: read_ahead_max must not be negative");
  const Capabilities caps = backend.capabilities();
  if (options.write && !caps.write) return Error(-EINVAL, "IOContext: the backend cannot write");
  if (!options.write && !caps.read) return Error(-EINVAL, "IOContext: the backend cannot read");
  return {};
}

void init_over_backend(Core &c, Backend &backend, uint8_t *buffer, const ContextOptions &options, const Hooks *hooks) {
  const Capabilities caps = backend.capabilities();
  init(c, buffer, options.buffer_size, options.write, &backend, caps.read ? read_trampoline : nullptr,
       caps.write ? write_trampoline : nullptr, caps.seek ? seek_trampoline : nullptr);
  c.direct = options.direct ? kDirectFlag : 0;
  c.max_packet_size = options.max_packet_size;
  c.min_packet_size = options.min_packet_size;
  c.seekable = options.seekable >= 0 ? options.seekable
                                     : (caps.seek ? kSeekableNormal : 0) | (caps.seek_time ? kSeekableTime : 0);
  c.read_pause = caps.pause ? pause_trampoline : nullptr;
  c.read_seek = caps.seek_time ? seek_time_trampoline : nullptr;
  c.hooks = hooks;
  set_read_ahead(c, options.read_ahead_max);
}

}  // namespace detail

// ------------------------------------------------------------ factories --

Result<IOContext> IOContext::from_backend(std::unique_ptr<Backend> backend, const ContextOptions &options) {
  if (!backend) return Error::invalid_argument("IOContext::from_backend: no backend");
  if (Status st = detail::check_backend_options(*backend, options); !st) return st.error();
  auto *buffer = static_cast<uint8_t *>(detail::buffer_alloc(static_cast<size_t>(options.buffer_size)));
  if (!buffer) return Error::from_errno(ENOMEM);
  static constexpr detail::Hooks kShortSeekHooks{detail::backend_short_seek_get, nullptr};
  IOContext ctx;
  const bool short_seek = backend->capabilities().short_seek;
  detail::init_over_backend(ctx.c_, *backend.release(), buffer, options, short_seek ? &kShortSeekHooks : nullptr);
  ctx.c_.face_owns = detail::kOwnsBackend;
  return ctx;
}

Result<IOContext> IOContext::from_callbacks(Callbacks callbacks, const ContextOptions &options) {
  return from_backend(std::make_unique<detail::CallbackBackend>(std::move(callbacks)), options);
}

IOContext IOContext::from_memory(std::span<const uint8_t> data) {
  IOContext ctx;
  // Static-buffer mode reads the caller's bytes in place and never writes them.
  auto *bytes = const_cast<uint8_t *>(data.data());
  detail::init(ctx.c_, bytes, static_cast<int>(std::min<size_t>(data.size(), INT_MAX)), false, nullptr, nullptr,
               nullptr, nullptr);
  ctx.c_.fixed_buffer = true;
  return ctx;
}

namespace {
constexpr int kDynIoBufferSize = 1024;  // FFmpeg's dyn-buf I/O buffer
}

// A sink over a fresh dynamic-buffer state, which the context owns through
// core().opaque; its I/O buffer goes out through `write`.
Result<IOContext> IOContext::over_dyn_buffer(int io_buffer_size, detail::WritePacket write, detail::SeekFn seek) {
  auto *io_buffer = static_cast<uint8_t *>(detail::buffer_alloc(static_cast<size_t>(io_buffer_size)));
  if (!io_buffer) return Error::from_errno(ENOMEM);
  auto *d = new detail::DynBuffer{0, 0, 0, nullptr, io_buffer_size, io_buffer};
  IOContext ctx;
  detail::init(ctx.c_, io_buffer, io_buffer_size, true, d, nullptr, write, seek);
  ctx.c_.face_owns = detail::kOwnsDynBuffer;
  return ctx;
}

namespace {
// The factories that return a context, not a Result, fail as `new` does.
IOContext or_bad_alloc(Result<IOContext> r) {
  if (!r) throw std::bad_alloc();
  return std::move(r).value();
}
}  // namespace

IOContext IOContext::dynamic_buffer() {
  return or_bad_alloc(over_dyn_buffer(kDynIoBufferSize, detail::dyn_buf_write, detail::dyn_buf_seek));
}

Result<IOContext> IOContext::dynamic_packet_buffer(int max_packet_size) {
  if (max_packet_size <= 0) return Error::invalid_argument("dynamic_packet_buffer: max_packet_size must be positive");
  Result<IOContext> ctx = over_dyn_buffer(max_packet_size, detail::dyn_packet_buf_write, nullptr);
  if (ctx) ctx->c_.max_packet_size = max_packet_size;
  return ctx;
}

IOContext IOContext::null_sink() {
  return or_bad_alloc(over_dyn_buffer(detail::kDefaultBufferSize, detail::null_write, nullptr));
}

// ------------------------------------------------------------ lifetime --

IOContext::IOContext(IOContext &&other) noexcept : c_(other.c_) {
  other.c_ = detail::Core{};
  other.c_.face_closed = true;
}

IOContext &IOContext::operator=(IOContext &&other) noexcept {
  if (this != &other) {
    release();
    c_ = other.c_;
    other.c_ = detail::Core{};
    other.c_.face_closed = true;
  }
  return *this;
}

IOContext::~IOContext() { release(); }

Backend *IOContext::backend() const {
  return c_.face_owns == detail::kOwnsBackend ? detail::backend_of(c_.opaque) : nullptr;
}

detail::DynBuffer *IOContext::dyn() const {
  return c_.face_owns == detail::kOwnsDynBuffer ? static_cast<detail::DynBuffer *>(c_.opaque) : nullptr;
}

void IOContext::release() {
  if (!c_.face_closed) (void)close();
  // The buffer may have been replaced (seekback, shrinking): free the current one.
  if (!c_.fixed_buffer) detail::buffer_free(c_.buffer);
  if (detail::DynBuffer *d = dyn()) {
    std::free(d->data);
    delete d;
  }
  delete backend();
  c_ = detail::Core{};
}

Status IOContext::close() {
  if (c_.face_closed) return status();
  c_.face_closed = true;
  if (c_.write_flag) detail::flush(c_);
  Status first = status();
  if (Backend *b = backend()) {
    Status st = b->close();
    if (first && !st) first = std::move(st);
  }
  return first;
}

Result<size_t> IOContext::read_at(int64_t offset, std::span<uint8_t> dst) const {
  Backend *b = backend();
  if (!b || !b->capabilities().read_at)
    return Error(-ENOSYS, "IOContext::read_at: the backend has no positional reads");
  return b->read_at(offset, dst);
}

Status IOContext::pause(bool pause) { return Status::from_code(detail::pause(c_, pause ? 1 : 0)); }

Result<int64_t> IOContext::seek_time(int stream_index, int64_t timestamp, int flags) {
  return result_from_code(detail::seek_time(c_, stream_index, timestamp, flags));
}

// ---------------------------------------------------------- slow paths --

Result<size_t> IOContext::read_slow(std::span<uint8_t> dst) {
  size_t done = 0;
  do {
    const int want = static_cast<int>(std::min<size_t>(dst.size() - done, 1u << 30));
    const int got = detail::read(c_, dst.data() + done, want);
    if (got < 0) {
      if (done) break;
      if (got == c_.error) return status().error();
      return Error(got);
    }
    done += static_cast<size_t>(got);
    if (got < want) break;
  } while (done < dst.size());
  return done;
}

Result<size_t> IOContext::read_partial(std::span<uint8_t> dst) {
  const int got = detail::read_partial(c_, dst.data(), static_cast<int>(std::min<size_t>(dst.size(), INT_MAX)));
  if (got < 0) return got == c_.error ? status().error() : Error(got);
  return static_cast<size_t>(got);
}

Result<std::span<const uint8_t>> IOContext::peek_slow(size_t n) {
  if (c_.write_flag) return Error::invalid_argument("peek on a write context");
  if (n > static_cast<size_t>(INT_MAX)) return Error::invalid_argument("peek: size exceeds INT_MAX");
  const int64_t got = detail::pull(c_, static_cast<int64_t>(n));
  if (got < 0) return Error(static_cast<int>(got));
  if (got == 0 && n > 0) {
    if (c_.error) return status().error();
    return Error::eof();
  }
  return std::span<const uint8_t>(c_.buf_ptr, std::min<size_t>(n, static_cast<size_t>(got)));
}

Result<int> IOContext::get_str(int maxlen, std::span<char> out) {
  return result_from_code(
      detail::get_str(c_, maxlen, out.data(), static_cast<int>(std::min<size_t>(out.size(), INT_MAX))));
}

Result<int> IOContext::get_str16(int maxlen, std::span<char> out, bool big_endian) {
  return result_from_code(
      detail::get_str16(c_, maxlen, out.data(), static_cast<int>(std::min<size_t>(out.size(), INT_MAX)), big_endian));
}

Status IOContext::ensure_seekback(int64_t n) { return Status::from_code(detail::ensure_seekback(c_, n)); }

bool IOContext::eof() { return detail::feof(c_) != 0; }

int IOContext::put_str(std::string_view s) {
  if (c_.direct) {  // direct mode sends the string and its NUL as one packet, as avio_put_str does
    const std::string terminated(s);
    write({reinterpret_cast<const uint8_t *>(terminated.c_str()), terminated.size() + 1});
  } else {
    write({reinterpret_cast<const uint8_t *>(s.data()), s.size()});
    w8(0);
  }
  return static_cast<int>(s.size() + 1);
}

Result<int> IOContext::put_str16(std::string_view s, bool big_endian) {
  const std::string terminated(s);
  return result_from_code(detail::put_str16(c_, terminated.c_str(), big_endian));
}

int IOContext::printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = detail::vprintf(c_, fmt, ap);
  va_end(ap);
  return n;
}

int IOContext::vprintf(const char *fmt, va_list ap) { return detail::vprintf(c_, fmt, ap); }

void IOContext::print(std::initializer_list<std::string_view> strings) {
  for (std::string_view s : strings) write({reinterpret_cast<const uint8_t *>(s.data()), s.size()});
}

Result<int64_t> IOContext::size() {
  if (c_.fixed_buffer) return int64_t{c_.orig_buffer_size};
  const int64_t s = detail::size(c_);
  const Backend *b = backend();
  if (s < 0 && b && detail::BackendAccess::failure(*b).code() == s) return detail::BackendAccess::failure(*b);
  return result_from_code(s);
}

Status IOContext::status() const {
  if (!c_.error) return {};
  const Backend *b = backend();
  if (b && detail::BackendAccess::failure(*b).code() == c_.error) return detail::BackendAccess::failure(*b);
  return Error(c_.error);
}

Statistics IOContext::statistics() const {
  return {c_.total_read, c_.total_written, c_.seek_count, c_.refill_count, c_.writeout_count};
}

std::span<const uint8_t> IOContext::dynamic_buffer_contents() {
  detail::DynBuffer *d = dyn();
  if (!d || c_.face_closed) return {};
  uint8_t *data = nullptr;
  const int n = detail::dyn_buf_get(c_, *d, &data);
  return {data, static_cast<size_t>(std::max(n, 0))};
}

Result<PaddedBytes> IOContext::close_dynamic_buffer() {
  detail::DynBuffer *d = dyn();
  if (!d || c_.face_closed) return Error::invalid_argument("close_dynamic_buffer: not an open dynamic buffer");
  // FFmpeg pads at the current position, so after a seek back the padding
  // overwrites data and the size comes out 64 short. Pad after the end instead.
  detail::flush(c_);
  if (!c_.max_packet_size && detail::tell(c_) < d->size) (void)detail::seek(c_, d->size, SEEK_SET);
  uint8_t *data = nullptr;
  const int n = detail::dyn_buf_finish(c_, *d, &data);
  const int err = c_.error;
  c_.face_closed = true;
  PaddedBytes bytes(data, static_cast<size_t>(std::max(n, 0)));
  if (err) return Error(err);
  return bytes;
}

}  // namespace avio
