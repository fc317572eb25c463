// open_url (avio_open2) and the URL functions around it.
#include <climits>

#include "avio/url.hpp"
#include "url_internal.hpp"

namespace avio {

namespace {

// The buffered engine's Backend over an open URL (ffurl_read / ffurl_write /
// ffurl_seek as FFmpeg's ffio_fdopen installs them).
class UrlBackend final : public Backend {
 public:
  explicit UrlBackend(std::unique_ptr<UrlContext> url) : url_(std::move(url)) {}
  ~UrlBackend() override { (void)url_->close(); }

  // All three are always offered, as ffio_fdopen installs ffurl_read,
  // ffurl_write and ffurl_seek whatever the protocol: the URL layer answers
  // -EIO for a direction the open flags exclude and -ENOSYS for a protocol
  // that cannot seek, and the engine treats those differently from a
  // missing callback.
  Capabilities capabilities() const override { return {true, true, true}; }
  Result<size_t> read(std::span<uint8_t> dst) override { return url_->read(dst); }
  Status write(std::span<const uint8_t> src) override { return url_->write(src); }
  Result<int64_t> seek(int64_t offset, Whence whence) override { return url_->seek(offset, static_cast<int>(whence)); }
  Result<int64_t> size() override { return url_->seek(0, kSeekSizeQuery); }
  Status close() override { return url_->close(); }

  UrlContext &url() { return *url_; }

 private:
  std::unique_ptr<UrlContext> url_;
};

// The engine hooks below are installed only on contexts over a UrlBackend
// (and url_context_of recognises those by them), so the cast is known good.
UrlContext &url_of(void *opaque) { return static_cast<UrlBackend *>(detail::backend_of(opaque))->url(); }

int short_seek_trampoline(void *opaque) {
  Result<int> r = url_of(opaque).short_seek_size();
  return r ? *r : r.error().code();
}

// Also how url_context_of recognises a URL context.
constexpr detail::Hooks kUrlHooks{short_seek_trampoline, nullptr};

int read_pause_trampoline(void *opaque, int pause) { return url_of(opaque).read_pause(pause != 0).code(); }

int64_t read_seek_trampoline(void *opaque, int stream_index, int64_t timestamp, int flags) {
  Result<int64_t> r = url_of(opaque).read_seek(stream_index, timestamp, flags);
  return r ? *r : r.error().code();
}

UrlOpenParams params_of(const OpenOptions &o) {
  UrlOpenParams p;
  p.interrupt.callback = o.interrupt_callback;
  p.interrupt.token = o.cancel;
  p.whitelist = o.protocol_whitelist;
  p.blacklist = o.protocol_blacklist;
  p.registry = o.registry;
  p.rw_timeout = o.rw_timeout;
  return p;
}

Status check_leftover(Dictionary &dict, const OpenOptions &o) {
  if (o.leftover) {
    *o.leftover = std::move(dict);
    return {};
  }
  if (dict.empty()) return {};
  std::string names;
  for (const auto &e : dict.entries()) names += (names.empty() ? "'" : ", '") + e.first + "'";
  return Error(kOptionNotFound, "option" + std::string(dict.size() > 1 ? "s " : " ") + names +
                                    " not recognised by any protocol of the URL");
}

}  // namespace

namespace url_internal {

Result<StreamParams> stream_params(const UrlContext &h) {
  StreamParams p;
  p.max_packet_size = h.max_packet_size;
  p.min_packet_size = h.min_packet_size;
  p.buffer_size = h.max_packet_size ? h.max_packet_size : detail::kDefaultBufferSize;
  if (!(h.flags() & kOpenWrite) && h.is_streamed) {
    if (p.buffer_size > INT_MAX / 2) return Error(-EINVAL, h.info().name + ": packet size too large to buffer");
    p.buffer_size *= 2;  // room for probing on a stream that cannot seek back
  }
  p.direct = (h.flags() & kOpenDirect) != 0;
  p.seekable = h.is_streamed ? 0 : 1;
  if (h.info().has_read_seek) p.seekable |= 2;  // AVIO_SEEKABLE_TIME
  return p;
}

}  // namespace url_internal

Result<std::unique_ptr<UrlContext>> open_url_context(std::string_view url, const OpenOptions &options) {
  Dictionary dict = options.options;
  Result<std::unique_ptr<UrlContext>> h = UrlContext::open(url, options.flags, params_of(options), dict);
  if (!h) return h;
  Status st = check_leftover(dict, options);
  if (!st) return st.error();
  return h;
}

Result<IOContext> open_url(std::string_view url, const OpenOptions &options) {
  Result<std::unique_ptr<UrlContext>> h = open_url_context(url, options);
  if (!h) return h.error();
  Result<url_internal::StreamParams> p = url_internal::stream_params(**h);
  if (!p) return p.error();
  const bool has_pause = (*h)->info().has_pause;
  const bool has_read_seek = (*h)->info().has_read_seek;
  ContextOptions co;
  co.buffer_size = p->buffer_size;
  co.write = ((*h)->flags() & kOpenWrite) != 0;
  co.direct = p->direct;
  co.max_packet_size = p->max_packet_size;
  co.min_packet_size = p->min_packet_size;
  Result<IOContext> ctx = IOContext::from_backend(std::make_unique<UrlBackend>(std::move(*h)), co);
  if (!ctx) return ctx;
  detail::Core &c = ctx->core();
  c.seekable = p->seekable;
  if (p->direct) c.direct = kOpenDirect;  // ffio_fdopen stores the flag bit itself
  c.hooks = &kUrlHooks;
  c.read_pause = has_pause ? read_pause_trampoline : nullptr;
  c.read_seek = has_read_seek ? read_seek_trampoline : nullptr;
  return ctx;
}

UrlContext *url_context_of(IOContext &ctx) {
  if (!ctx.core().opaque || ctx.core().hooks != &kUrlHooks) return nullptr;
  return &url_of(ctx.core().opaque);
}

Status pause(IOContext &ctx, bool pause) {
  detail::Core &c = ctx.core();
  if (!c.read_pause) return Error(-ENOSYS);
  return Status::from_code(c.read_pause(c.opaque, pause ? 1 : 0));
}

Result<int64_t> seek_time(IOContext &ctx, int stream_index, int64_t timestamp, int flags) {
  detail::Core &c = ctx.core();
  if (!c.read_seek) return Error(-ENOSYS);
  int64_t ret = c.read_seek(c.opaque, stream_index, timestamp, flags);
  if (ret >= 0) {
    c.buf_ptr = c.buf_end;  // what is buffered belongs to the old position
    const int64_t pos = c.seek ? c.seek(c.opaque, 0, SEEK_CUR) : -ENOSYS;
    if (pos >= 0)
      c.pos = pos;
    else if (pos != -ENOSYS)
      ret = pos;
  }
  return result_from_code(ret);
}

std::string find_protocol_name(std::string_view url, const ProtocolRegistry *registry) {
  auto info = url_internal::registry_or_global(registry).find_for_url(url);
  return info ? info->name : std::string();
}

std::vector<std::string> protocol_names(bool output, const ProtocolRegistry *registry) {
  std::vector<std::string> names;
  for (const auto &p : url_internal::registry_or_global(registry).list())
    if (output ? p->can_write : p->can_read) names.push_back(p->name);
  return names;
}

Result<int> check_url(std::string_view url, int flags, const ProtocolRegistry *registry) {
  UrlOpenParams params;
  params.registry = registry;
  Result<std::unique_ptr<UrlContext>> h = UrlContext::alloc(url, flags, params);
  if (!h) return h.error();
  if ((*h)->info().has_check) return (*h)->protocol().check(**h, flags);
  Dictionary none;
  Status st = (*h)->connect(none);
  if (!st) return st.error();
  return flags;
}

std::span<const OptionSpec> protocol_options(std::string_view name, const ProtocolRegistry *registry) {
  auto info = url_internal::registry_or_global(registry).find(name);
  return info ? info->options : std::span<const OptionSpec>();
}

Status delete_url(std::string_view url, const ProtocolRegistry *registry) {
  UrlOpenParams params;
  params.registry = registry;
  Result<std::unique_ptr<UrlContext>> h = UrlContext::alloc(url, kOpenWrite, params);
  if (!h) return h.error();
  return (*h)->protocol().remove(**h);
}

Status move_url(std::string_view from, std::string_view to, const ProtocolRegistry *registry) {
  UrlOpenParams params;
  params.registry = registry;
  Result<std::unique_ptr<UrlContext>> src = UrlContext::alloc(from, kOpenReadWrite, params);
  if (!src) return src.error();
  Result<std::unique_ptr<UrlContext>> dst = UrlContext::alloc(to, kOpenWrite, params);
  if (!dst) return dst.error();
  if (&(*src)->info() != &(*dst)->info())
    return Error(-ENOSYS, "move: " + std::string(from) + " and " + std::string(to) + " use different protocols");
  return (*src)->protocol().move(**src, **dst);
}

// ------------------------------------------------------------ Directory --

Directory::Directory(std::unique_ptr<UrlContext> url) : url_(std::move(url)) {}
Directory::Directory(Directory &&) noexcept = default;
Directory &Directory::operator=(Directory &&o) noexcept {
  if (this != &o) {
    (void)close();
    url_ = std::move(o.url_);
  }
  return *this;
}
Directory::~Directory() { (void)close(); }

Result<Directory> Directory::open(std::string_view url, const OpenOptions &options) {
  Result<std::unique_ptr<UrlContext>> h = UrlContext::alloc(url, kOpenRead, params_of(options));
  if (!h) return h.error();
  if (!(*h)->info().has_dir) return Error(-ENOSYS, (*h)->info().name + ": directory listing is not supported");
  // Only the protocol's own options apply to a listing, as in avio_open_dir.
  Dictionary dict = options.options;
  Status st = (*h)->mutable_options().take_from(dict);
  if (!st) return st.error();
  st = (*h)->protocol().open_dir(**h);
  if (!st) return st.error();
  return Directory(std::move(*h));
}

Result<std::optional<DirEntry>> Directory::next() {
  if (!url_) return Error::invalid_argument("Directory::next: the directory is closed");
  DirEntry entry;
  Result<bool> r = url_->protocol().read_dir(*url_, entry);
  if (!r) return r.error();
  if (!*r) return std::optional<DirEntry>();
  return std::optional<DirEntry>(std::move(entry));
}

Status Directory::close() {
  if (!url_) return {};
  Status st = url_->protocol().close_dir(*url_);
  // The listing handle is all that was opened; the protocol's close is not owed.
  url_.reset();
  return st;
}

}  // namespace avio
