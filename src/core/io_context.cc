#include "avio/io_context.hpp"

#include <climits>
#include <cstdlib>
#include <utility>

namespace avio {

// ------------------------------------------------------------ Backend --

Result<size_t> Backend::read(std::span<uint8_t>) { return Error::from_errno(ENOSYS); }
Status Backend::write(std::span<const uint8_t>) { return Error::from_errno(ENOSYS); }
Result<int64_t> Backend::seek(int64_t, Whence) { return Error::from_errno(ENOSYS); }
Result<int64_t> Backend::size() { return Error::from_errno(ENOSYS); }

void PaddedBytes::Free::operator()(uint8_t *p) const { std::free(p); }

namespace detail {

// What the engine's C-style callbacks point at: the backend, and the last
// error it gave, so that status() can report the backend's own words.
struct BackendSlot {
  std::unique_ptr<Backend> backend;
  Error last_error{0};
  bool closed = false;

  int fail(const Error &e) {
    last_error = e;
    return e.code();
  }
};

Backend *backend_of(void *opaque) { return static_cast<BackendSlot *>(opaque)->backend.get(); }

namespace {

BackendSlot &slot_of(void *opaque) { return *static_cast<BackendSlot *>(opaque); }

int read_trampoline(void *opaque, uint8_t *buf, int size) {
  BackendSlot &s = slot_of(opaque);
  Result<size_t> r = s.backend->read({buf, static_cast<size_t>(size)});
  if (!r) return r.error().is_eof() ? kEof : s.fail(r.error());
  if (*r == 0 && size > 0) return s.fail(Error(kZeroRead));
  return static_cast<int>(*r);
}

int write_trampoline(void *opaque, const uint8_t *buf, int size) {
  BackendSlot &s = slot_of(opaque);
  Status st = s.backend->write({buf, static_cast<size_t>(size)});
  if (!st) return s.fail(st.error());
  return size;
}

int64_t seek_trampoline(void *opaque, int64_t offset, int whence) {
  BackendSlot &s = slot_of(opaque);
  Result<int64_t> r = (whence & kSeekSize) ? s.backend->size() : [&]() -> Result<int64_t> {
    switch (whence & ~kSeekForce) {
      case SEEK_SET: return s.backend->seek(offset, Whence::kSet);
      case SEEK_CUR: return s.backend->seek(offset, Whence::kCur);
      case SEEK_END: return s.backend->seek(offset, Whence::kEnd);
      default: return Error::from_errno(EINVAL);
    }
  }();
  if (!r) return r.error().code() == -ENOSYS ? r.error().code() : s.fail(r.error());
  return *r;
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
}  // namespace detail

// ------------------------------------------------------------ factories --

Result<IOContext> IOContext::from_backend(std::unique_ptr<Backend> backend, const ContextOptions &options) {
  if (!backend) return Error::invalid_argument("IOContext::from_backend: no backend");
  if (options.buffer_size <= 0)
    return Error::invalid_argument("IOContext: buffer_size must be positive, got " +
                                   std::to_string(options.buffer_size));
  if (options.max_packet_size < 0 || options.min_packet_size < 0)
    return Error::invalid_argument("IOContext: packet sizes must not be negative");
  const Capabilities caps = backend->capabilities();
  if (options.write && !caps.write) return Error(-EINVAL, "IOContext: the backend cannot write");
  if (!options.write && !caps.read) return Error(-EINVAL, "IOContext: the backend cannot read");

  auto *buffer = static_cast<uint8_t *>(detail::buffer_alloc(static_cast<size_t>(options.buffer_size)));
  if (!buffer) return Error::from_errno(ENOMEM);
  IOContext ctx;
  ctx.slot_ = std::make_unique<detail::BackendSlot>();
  ctx.slot_->backend = std::move(backend);
  detail::init(ctx.c_, buffer, options.buffer_size, options.write, ctx.slot_.get(),
               caps.read ? detail::read_trampoline : nullptr, caps.write ? detail::write_trampoline : nullptr,
               caps.seek ? detail::seek_trampoline : nullptr);
  ctx.c_.direct = options.direct ? 1 : 0;
  ctx.c_.max_packet_size = options.max_packet_size;
  ctx.c_.min_packet_size = options.min_packet_size;
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
  ctx.memory_size_ = static_cast<int64_t>(std::min<size_t>(data.size(), INT_MAX));
  return ctx;
}

namespace {
constexpr int kDynIoBufferSize = 1024;  // FFmpeg's dyn-buf I/O buffer
}

IOContext IOContext::dynamic_buffer() {
  IOContext ctx;
  ctx.dyn_ = std::make_unique<detail::DynBuffer>();
  ctx.dyn_->io_buffer_size = kDynIoBufferSize;
  ctx.dyn_->io_buffer = static_cast<uint8_t *>(detail::buffer_alloc(kDynIoBufferSize));
  detail::init(ctx.c_, ctx.dyn_->io_buffer, kDynIoBufferSize, true, ctx.dyn_.get(), nullptr, detail::dyn_buf_write,
               detail::dyn_buf_seek);
  return ctx;
}

Result<IOContext> IOContext::dynamic_packet_buffer(int max_packet_size) {
  if (max_packet_size <= 0)
    return Error::invalid_argument("dynamic_packet_buffer: max_packet_size must be positive");
  IOContext ctx;
  ctx.dyn_ = std::make_unique<detail::DynBuffer>();
  ctx.dyn_->io_buffer_size = max_packet_size;
  ctx.dyn_->io_buffer = static_cast<uint8_t *>(detail::buffer_alloc(static_cast<size_t>(max_packet_size)));
  if (!ctx.dyn_->io_buffer) return Error::from_errno(ENOMEM);
  detail::init(ctx.c_, ctx.dyn_->io_buffer, max_packet_size, true, ctx.dyn_.get(), nullptr,
               detail::dyn_packet_buf_write, nullptr);
  ctx.c_.max_packet_size = max_packet_size;
  return ctx;
}

IOContext IOContext::null_sink() {
  IOContext ctx;
  ctx.dyn_ = std::make_unique<detail::DynBuffer>();
  ctx.dyn_->io_buffer_size = detail::kDefaultBufferSize;
  ctx.dyn_->io_buffer = static_cast<uint8_t *>(detail::buffer_alloc(detail::kDefaultBufferSize));
  detail::init(ctx.c_, ctx.dyn_->io_buffer, detail::kDefaultBufferSize, true, ctx.dyn_.get(), nullptr,
               detail::null_write, nullptr);
  return ctx;
}

// ------------------------------------------------------------ lifetime --

IOContext::IOContext(IOContext &&other) noexcept
    : c_(other.c_),
      slot_(std::move(other.slot_)),
      dyn_(std::move(other.dyn_)),
      memory_size_(other.memory_size_),
      closed_(other.closed_) {
  other.c_ = detail::Core{};
  other.closed_ = true;
}

IOContext &IOContext::operator=(IOContext &&other) noexcept {
  if (this != &other) {
    release();
    c_ = other.c_;
    slot_ = std::move(other.slot_);
    dyn_ = std::move(other.dyn_);
    memory_size_ = other.memory_size_;
    closed_ = other.closed_;
    other.c_ = detail::Core{};
    other.closed_ = true;
  }
  return *this;
}

IOContext::~IOContext() { release(); }

void IOContext::release() {
  if (!closed_) (void)close();
  // The buffer may have been replaced (seekback, shrinking): free the current one.
  if (!c_.fixed_buffer) detail::buffer_free(c_.buffer);
  if (dyn_) std::free(dyn_->data);
  c_ = detail::Core{};
  slot_.reset();
  dyn_.reset();
}

Status IOContext::close() {
  if (closed_) return status();
  closed_ = true;
  if (c_.write_flag) detail::flush(c_);
  if (slot_ && !slot_->closed) {
    slot_->closed = true;
    Status st = slot_->backend->close();
    if (!st) return st;
  }
  return status();
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
  return result_from_code(detail::get_str(c_, maxlen, out.data(), static_cast<int>(std::min<size_t>(out.size(), INT_MAX))));
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
  if (memory_size_ >= 0) return memory_size_;
  const int64_t s = detail::size(c_);
  if (s < 0 && slot_ && slot_->last_error.code() == s) return slot_->last_error;
  return result_from_code(s);
}

Status IOContext::status() const {
  if (!c_.error) return {};
  if (slot_ && slot_->last_error.code() == c_.error) return slot_->last_error;
  return Error(c_.error);
}

Statistics IOContext::statistics() const {
  return {c_.total_read, c_.total_written, c_.seek_count, c_.refill_count, c_.writeout_count};
}

std::span<const uint8_t> IOContext::dynamic_buffer_contents() {
  if (!dyn_ || closed_) return {};
  uint8_t *data = nullptr;
  const int n = detail::dyn_buf_get(c_, *dyn_, &data);
  return {data, static_cast<size_t>(std::max(n, 0))};
}

Result<PaddedBytes> IOContext::close_dynamic_buffer() {
  if (!dyn_ || closed_) return Error::invalid_argument("close_dynamic_buffer: not an open dynamic buffer");
  // FFmpeg pads at the current position, so after a seek back the padding
  // overwrites data and the size comes out 64 short. Pad after the end instead.
  detail::flush(c_);
  if (!c_.max_packet_size && detail::tell(c_) < dyn_->size) (void)detail::seek(c_, dyn_->size, SEEK_SET);
  uint8_t *data = nullptr;
  const int n = detail::dyn_buf_finish(c_, *dyn_, &data);
  const int err = c_.error;
  closed_ = true;
  PaddedBytes bytes(data, static_cast<size_t>(std::max(n, 0)));
  if (err) return Error(err);
  return bytes;
}

}  // namespace avio
