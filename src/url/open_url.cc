// open_url (avio_open2) and the URL functions around it.
#include <climits>

#include "avio/url.hpp"
#include "url_backend.hpp"
#include "url_internal.hpp"

namespace avio {

namespace {

using url_internal::UrlBackend;

UrlOpenParams params_of(const OpenOptions &o) {
  UrlOpenParams p;
  p.interrupt.callback = o.interrupt_callback;
  p.interrupt.token = o.cancel;
  p.whitelist = o.protocol_whitelist;
  p.blacklist = o.protocol_blacklist;
  p.registry = o.registry;
  p.rw_timeout = o.rw_timeout;
  p.open_timeout = o.open_timeout;
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

// The buffered context over an open (or accepted) URL, the one way both
// faces make one. A reader of a stream whose reads cost only their copy
// reads ahead (C++ only: the C API keeps FFmpeg's reads).
Result<IOContext> buffered(std::unique_ptr<UrlContext> h, int64_t read_ahead_max = 0) {
  Result<ContextOptions> co = url_internal::buffered_options(*h);
  if (!co) return co.error();
  if (read_ahead_max && !co->write && h->stream().read_ahead)
    co->read_ahead_max = read_ahead_max < 0 ? kDefaultReadAhead : read_ahead_max;
  return IOContext::from_backend(std::make_unique<UrlBackend>(std::move(h)), *co);
}

// A read of an object behind a server goes through the block cache, unless
// the caller said no or the URL is a server's own (a listen option).
bool reads_through_cache(std::string_view url, const OpenOptions &o) {
  if (!o.block_cache || o.flags != kOpenRead) return false;
  if (o.options.contains("listen") || url.find("listen=") != std::string_view::npos) return false;
  auto info = url_internal::registry_or_global(o.registry).find_for_url(url);
  return info && info->remote().has_value();
}

}  // namespace

Result<std::unique_ptr<UrlContext>> open_url_context(std::string_view url, const OpenOptions &options) {
  Dictionary dict = options.options;
  std::string cached;
  if (reads_through_cache(url, options)) {
    cached = "blockcache:" + std::string(url);
    url = cached;
  }
  Result<std::unique_ptr<UrlContext>> h = UrlContext::open(url, options.flags, params_of(options), dict);
  if (!h) return h;
  Status st = check_leftover(dict, options);
  if (!st) return st.error();
  return h;
}

Result<IOContext> open_url(std::string_view url, const OpenOptions &options) {
  Result<std::unique_ptr<UrlContext>> h = open_url_context(url, options);
  if (!h) return h.error();
  return buffered(std::move(*h), options.read_ahead_max);
}

Status read_ranges(IOContext &ctx, std::span<const ReadRequest> reads) {
  UrlContext *h = url_context_of(ctx);
  if (!h) return Error(-ENOSYS, "read_ranges: the context was not opened from a URL");
  return h->read_ranges(reads);
}

Status will_read(IOContext &ctx, std::span<const ByteRange> ranges) {
  UrlContext *h = url_context_of(ctx);
  if (!h) return {};  // advice: nothing to tell
  return h->will_read(ranges);
}

UrlContext *url_context_of(IOContext &ctx) {
  auto *b = dynamic_cast<UrlBackend *>(ctx.backend());
  return b ? &b->url() : nullptr;
}

Result<IOContext> accept(IOContext &server) {
  UrlContext *h = url_context_of(server);
  if (!h) return Error(-EINVAL, "accept: the context was not opened from a URL");
  Result<std::unique_ptr<UrlContext>> client = h->accept();
  if (!client) return client.error();
  return buffered(std::move(*client));
}

Result<int> handshake(IOContext &client) {
  UrlContext *h = url_context_of(client);
  if (!h) return Error(-EINVAL, "handshake: the context was not opened from a URL");
  return h->handshake();
}

Status shutdown(IOContext &ctx, int flags) {
  UrlContext *h = url_context_of(ctx);
  if (!h) return Error(-EINVAL, "shutdown: the context was not opened from a URL");
  if (ctx.writable()) ctx.flush();
  if (Status st = ctx.status(); !st) return st;
  return h->shutdown(flags);
}

Status pause(IOContext &ctx, bool pause) { return ctx.pause(pause); }

Result<int64_t> seek_time(IOContext &ctx, int stream_index, int64_t timestamp, int flags) {
  return ctx.seek_time(stream_index, timestamp, flags);
}

std::string find_protocol_name(std::string_view url, const ProtocolRegistry *registry) {
  auto info = url_internal::registry_or_global(registry).find_for_url(url);
  return info ? info->name() : std::string();
}

std::vector<std::string> protocol_names(bool output, const ProtocolRegistry *registry) {
  std::vector<std::string> names;
  for (const auto &p : url_internal::registry_or_global(registry).list())
    if (output ? p->capabilities().write : p->capabilities().read) names.push_back(p->name());
  return names;
}

Result<int> check_url(std::string_view url, int flags, const ProtocolRegistry *registry) {
  UrlOpenParams params;
  params.registry = registry;
  Result<std::unique_ptr<UrlContext>> h = UrlContext::alloc(url, flags, params);
  if (!h) return h.error();
  if ((*h)->info().capabilities().check) return (*h)->protocol().check(**h, flags);
  Dictionary none;
  Status st = (*h)->connect(none);
  if (!st) return st.error();
  return flags;
}

std::span<const OptionSpec> protocol_options(std::string_view name, const ProtocolRegistry *registry) {
  auto info = url_internal::registry_or_global(registry).find(name);
  return info ? info->options() : std::span<const OptionSpec>();
}

Status delete_url(std::string_view url, const ProtocolRegistry *registry) {
  UrlOpenParams params;
  params.registry = registry;
  Result<std::unique_ptr<UrlContext>> h = UrlContext::alloc(url, kOpenWrite, params);
  if (!h) return h.error();
  return (*h)->protocol().remove(**h);
}

Status delete_url(std::string_view url, const OpenOptions &options) {
  Result<std::unique_ptr<UrlContext>> h = UrlContext::alloc(url, kOpenWrite, params_of(options));
  if (!h) return h.error();
  Dictionary dict = options.options;
  if (Status st = (*h)->mutable_options().take_from(dict); !st) return st;
  if (Status st = check_leftover(dict, options); !st) return st;
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
  if (!(*h)->info().capabilities().dir)
    return Error(-ENOSYS, (*h)->info().name() + ": directory listing is not supported");
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
