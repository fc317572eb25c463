// UrlContext: FFmpeg's URLContext (ffurl_alloc / ffurl_connect / the
// retry_transfer_wrapper around every read and write).
#include <chrono>
#include <climits>
#include <cstring>
#include <thread>

#include "avio/protocol.hpp"
#include "avio/protocol_registry.hpp"
#include "url_internal.hpp"

namespace avio {

namespace {

constexpr OptionSpec kUrlContextOptions[] = {
    {"protocol_whitelist", OptionType::kString, "", 0, 0, "List of protocols that are allowed to be used"},
    {"protocol_blacklist", OptionType::kString, "", 0, 0, "List of protocols that are not allowed to be used"},
    {"rw_timeout", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX),
     "Timeout for IO operations (in microseconds)"},
};

// Appends rather than `"'" + std::string(s)`, which g++ 12 -O3 misreads (-Wrestrict).
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.append(1, '\'').append(s).append(1, '\'');
  return out;
}

// "name,SEP key SEP value SEP ... SEP:rest" -> options set, returns "name:rest".
Result<std::string> strip_inline_options(const ProtocolInfo &info, std::string_view url, OptionValues &values) {
  const std::string_view name = info.name();
  if (url.substr(0, name.size()) != name || url.size() <= name.size() || url[name.size()] != ',')
    return std::string(url);
  if (!info.accepts_inline_options())
    return Error(-EINVAL, info.name() + ": inline options are not supported in " + quoted(url));
  if (url.size() < name.size() + 2) return Error(-EINVAL, "malformed inline options in " + quoted(url));
  const char sep = url[name.size() + 1];
  size_t p = name.size() + 2;
  size_t key = std::string_view::npos;
  while (true) {
    key = url.find(sep, p);
    if (key == std::string_view::npos || key <= p) break;
    const size_t val = url.find(sep, key + 1);
    if (val == std::string_view::npos) break;
    const std::string_view k = url.substr(p, key - p);
    const std::string_view v = url.substr(key + 1, val - key - 1);
    if (!values.declares(k))
      return Error(-EINVAL, info.name() + ": unknown inline option " + quoted(k) + " in " + quoted(url));
    Status st = values.set(k, v);
    if (!st) return Error(-EINVAL, std::string(st.error().detail()) + " in " + quoted(url));
    p = val + 1;
  }
  if (key != p) return Error(-EINVAL, info.name() + ": malformed inline options in " + quoted(url));
  return std::string(name) + std::string(url.substr(key + 1));
}

const std::shared_ptr<const UrlOpenParams> &default_params() {
  static const auto kDefault = std::make_shared<const UrlOpenParams>();
  return kDefault;
}

std::shared_ptr<const UrlOpenParams> shared_params(const UrlOpenParams &p) {
  const bool is_default =
      p.interrupt.empty() && !p.whitelist && !p.blacklist && !p.registry && p.rw_timeout == 0 && p.open_timeout == 0;
  return is_default ? default_params() : std::make_shared<const UrlOpenParams>(p);
}

bool is_fatal_wait(const UrlContext &h, int64_t waited_us) { return h.rw_timeout() > 0 && waited_us > h.rw_timeout(); }

// Where the target starts in a URL that selected `info`: after "name:" or,
// for a nested scheme, after "name+"; a plain path is all target.
size_t target_offset(const ProtocolInfo &info, std::string_view url) {
  const std::string_view name = info.name();
  if (url.size() > name.size() && url.substr(0, name.size()) == name) {
    const char next = url[name.size()];
    if (next == ':' || (next == '+' && info.nested_scheme())) return name.size() + 1;
  }
  return 0;
}

}  // namespace

std::span<const OptionSpec> url_context_options() { return kUrlContextOptions; }

UrlContext::~UrlContext() { (void)close(); }

Result<std::unique_ptr<UrlContext>> UrlContext::alloc(std::string_view url, int flags, const UrlOpenParams &params) {
  return alloc_shared(url, flags, shared_params(params));
}

Result<std::unique_ptr<UrlContext>> UrlContext::alloc_shared(std::string_view url, int flags,
                                                             std::shared_ptr<const UrlOpenParams> params) {
  const ProtocolRegistry &registry = url_internal::registry_or_global(params->registry);
  std::shared_ptr<const ProtocolInfo> info = registry.find_for_url(url);
  if (!info) {
    const size_t colon = url.find(':');
    return Error(kProtocolNotFound, "no protocol " + quoted(url.substr(0, colon)) + " for URL " + quoted(url));
  }
  if ((flags & kOpenRead) && !info->capabilities().read)
    return Error(-EIO, "impossible to open the " + quoted(info->name()) + " protocol for reading");
  if ((flags & kOpenWrite) && !info->capabilities().write)
    return Error(-EIO, "impossible to open the " + quoted(info->name()) + " protocol for writing");
  std::unique_ptr<UrlContext> h(new UrlContext);
  h->info_ = info;
  h->flags_ = flags;
  h->params_ = std::move(params);
  h->options_ = OptionValues(info->options());
  Result<std::string> stripped = strip_inline_options(*info, url, h->options_);
  if (!stripped) return stripped.error();
  h->url_ = std::make_unique_for_overwrite<char[]>(stripped->size() + 1);
  std::memcpy(h->url_.get(), stripped->c_str(), stripped->size() + 1);
  // A scheme is a registered protocol's name: short.
  h->target_offset_ = static_cast<uint16_t>(target_offset(*info, *stripped));
  h->protocol_ = info->make();
  if (!h->protocol_) return Error(-ENOMEM, info->name() + ": the protocol factory returned nothing");
  return h;
}

Status UrlContext::apply_generic_options(Dictionary &options) {
  OptionValues generic(kUrlContextOptions);
  Status st = generic.take_from(options);
  if (!st) return st;
  const bool timeout = generic.was_set("rw_timeout");
  const bool whitelist = generic.was_set("protocol_whitelist");
  const bool blacklist = generic.was_set("protocol_blacklist");
  if (!timeout && !whitelist && !blacklist) return {};
  auto changed = std::make_shared<UrlOpenParams>(*params_);
  if (timeout) changed->rw_timeout = generic.integer("rw_timeout");
  if (whitelist) changed->whitelist = generic.string("protocol_whitelist");
  if (blacklist) changed->blacklist = generic.string("protocol_blacklist");
  params_ = std::move(changed);
  return {};
}

Status UrlContext::set_generic_option(std::string_view name, std::optional<std::string_view> text) {
  OptionValues generic(kUrlContextOptions);
  if (!generic.declares(name)) return Error(kOptionNotFound, "no URL option " + quoted(name));
  if (text) {
    if (Status st = generic.set(name, *text); !st) return st;
  }
  auto changed = std::make_shared<UrlOpenParams>(*params_);
  std::optional<std::string> list;
  if (text) list = generic.string(name);
  if (name == "rw_timeout") {
    if (!text) return Error(-EINVAL, "option 'rw_timeout' needs a value");
    changed->rw_timeout = generic.integer(name);
  } else if (name == "protocol_whitelist") {
    changed->whitelist = std::move(list);
    default_whitelist_ = false;  // the caller's list replaces the protocol's default
  } else {
    changed->blacklist = std::move(list);
  }
  params_ = std::move(changed);
  return {};
}

Result<std::unique_ptr<UrlContext>> UrlContext::open(std::string_view url, int flags, const UrlOpenParams &params,
                                                     Dictionary &options) {
  return open_shared(url, flags, shared_params(params), options, Deadline::never());
}

Result<std::unique_ptr<UrlContext>> UrlContext::open_shared(std::string_view url, int flags,
                                                            std::shared_ptr<const UrlOpenParams> params,
                                                            Dictionary &options, const Deadline &parent_deadline) {
  Result<std::unique_ptr<UrlContext>> h = alloc_shared(url, flags, std::move(params));
  if (!h) return h;
  UrlContext &c = **h;
  Status st = c.apply_generic_options(options);
  if (st) st = c.options_.take_from(options);
  if (st) st = c.connect(options, parent_deadline);
  if (!st) {
    (void)c.close();
    if (st.error().detail().empty()) return Error(st.code(), c.info().name() + ": cannot open " + quoted(url));
    return st.error();
  }
  return h;
}

Result<std::unique_ptr<UrlContext>> UrlContext::open_nested(std::string_view url, int flags, Dictionary &options,
                                                            const Deadline &deadline) {
  if (!default_whitelist_) return open_shared(url, flags, params_, options, deadline);
  return open_shared(url, flags, shared_params(params()), options, deadline);
}

Result<std::unique_ptr<UrlContext>> OpenRequest::open_nested(std::string_view url, int open_flags,
                                                             Dictionary &opts) const {
  return owner.open_nested(url, open_flags, opts, deadline);
}

UrlOpenParams UrlContext::params() const {
  UrlOpenParams p = *params_;
  if (default_whitelist_) p.whitelist = info_->default_whitelist();
  return p;
}

Status UrlContext::connect(Dictionary &options) { return connect(options, Deadline::never()); }

Status UrlContext::connect(Dictionary &options, const Deadline &parent_deadline) {
  const std::string &name = info_->name();
  const std::optional<std::string> &white = whitelist(), &black = blacklist();
  if (white && !url_internal::list_contains(*white, name))
    return Error(-EINVAL, "protocol " + quoted(name) + " not on whitelist " + quoted(*white));
  if (black && url_internal::list_contains(*black, name))
    return Error(-EINVAL, "protocol " + quoted(name) + " on blacklist " + quoted(*black));
  if (!white && info_->default_whitelist()) default_whitelist_ = true;
  const Deadline deadline = Deadline::earlier(parent_deadline, Deadline::after_us(params_->open_timeout));
  const OpenRequest request{target(), flags_, options, deadline, *this};
  Status st = protocol_->open(*this, request);
  if (!st) return st;
  connected_ = holds_resources_ = true;
  stream_ = protocol_->stream_properties();
  // Like ffurl_connect: writers, and protocols that ask, find out whether seeking works.
  if (((flags_ & kOpenWrite) || stream_.confirm_seekable) && !stream_.streamed && !seek(0, kSeekSet))
    stream_.streamed = true;
  return {};
}

Status UrlContext::wait_ready(int fd, short events, const Deadline &deadline, int timeout_code,
                              std::string_view what) const {
  switch (wait(fd, events, deadline)) {
    case WaitResult::kReady: return {};
    case WaitResult::kInterrupted: return interrupted_error();
    case WaitResult::kTimedOut: break;
  }
  return timed_out_error(timeout_code, what);
}

Error UrlContext::interrupted_error() const { return Error(kExit, info_->name() + ": interrupted"); }

Error UrlContext::timed_out_error(int code, std::string_view what) const {
  return Error(code, info_->name() + ": " + std::string(what) + " timed out");
}

Result<size_t> UrlContext::transfer(std::span<uint8_t> buf, size_t size_min, bool writing) {
  using Clock = std::chrono::steady_clock;
  size_t len = 0;
  int fast_retries = 5;
  // A plain time and a flag: g++ 12 -O3 warns about std::optional here (-Wmaybe-uninitialized).
  Clock::time_point wait_since{};
  bool waiting = false;
  while (len < size_min) {
    if (interrupted()) return interrupted_error();
    Result<size_t> r = writing ? protocol_->write(*this, {buf.data() + len, buf.size() - len})
                               : protocol_->read(*this, buf.subspan(len));
    if (!r && r.error().code() == -EINTR) continue;
    if (flags_ & kOpenNonBlock) {
      if (!r) return len ? Result<size_t>(len) : r;
      return len + *r;
    }
    // A protocol that returns 0 bytes is waiting, not progressing (FFmpeg
    // would spin on it without sleeping).
    if (r && *r == 0) r = Error(-EAGAIN);
    size_t got = 0;
    if (!r && r.error().code() == -EAGAIN) {
      if (fast_retries) {
        --fast_retries;
      } else {
        if (params_->rw_timeout > 0) {
          const Clock::time_point now = Clock::now();
          if (!waiting) {
            waiting = true;
            wait_since = now;
          } else if (is_fatal_wait(*this,
                                   std::chrono::duration_cast<std::chrono::microseconds>(now - wait_since).count())) {
            return Error(
                -EIO, info_->name() + ": no data within rw_timeout (" + std::to_string(params_->rw_timeout) + " us)");
          }
        }
        // FFmpeg's av_usleep(1000); a token also ends it (the callback is
        // asked once per round, above, as FFmpeg asks it).
        if (interrupt().token) {
          Interrupt token_only{nullptr, interrupt().token};
          if (token_only.sleep_until(Deadline::after(std::chrono::milliseconds(1))) == WaitResult::kInterrupted)
            return interrupted_error();
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }
    } else if (!r && r.error().is_eof()) {
      if (len) return len;
      return r;
    } else if (!r) {
      return r;
    } else {
      got = *r;
    }
    if (got) {
      fast_retries = std::max(fast_retries, 2);
      waiting = false;
    }
    len += got;
  }
  return len;
}

Result<size_t> UrlContext::read(std::span<uint8_t> dst) {
  if (!(flags_ & kOpenRead)) return Error(-EIO, info_->name() + ": not opened for reading");
  return transfer(dst, dst.empty() ? 0 : 1, false);
}

Result<size_t> UrlContext::read_complete(std::span<uint8_t> dst) {
  if (!(flags_ & kOpenRead)) return Error(-EIO, info_->name() + ": not opened for reading");
  return transfer(dst, dst.size(), false);
}

Result<size_t> UrlContext::read_at(int64_t offset, std::span<uint8_t> dst) {
  if (!(flags_ & kOpenRead)) return Error(-EIO, info_->name() + ": not opened for reading");
  if (!info_->capabilities().read_at) return Error(-ENOSYS, info_->name() + ": positional reads are not supported");
  if (offset < 0) return Error(-EINVAL, info_->name() + ": read_at a negative offset");
  size_t done = 0;
  while (done < dst.size()) {
    if (interrupted()) return interrupted_error();
    Result<size_t> r = protocol_->read_at(*this, offset + static_cast<int64_t>(done), dst.subspan(done));
    if (!r) {
      if (r.error().code() == -EINTR) continue;
      if (r.error().is_eof() && done) break;
      return r;
    }
    if (*r == 0) return Error(kBug, info_->name() + ": read_at returned no bytes and no end of stream");
    done += *r;
  }
  return done;
}

Status UrlContext::read_ranges(std::span<const ReadRequest> reads) {
  if (!(flags_ & kOpenRead)) return Error(-EIO, info_->name() + ": not opened for reading");
  if (!info_->capabilities().read_at) return Error(-ENOSYS, info_->name() + ": positional reads are not supported");
  for (const ReadRequest &r : reads)
    if (r.offset < 0) return Error(-EINVAL, info_->name() + ": read_ranges at a negative offset");
  return protocol_->read_ranges(*this, reads);
}

Status UrlContext::will_read(std::span<const ByteRange> ranges) {
  for (const ByteRange &r : ranges)
    if (r.offset < 0 || r.length < 0) return Error(-EINVAL, info_->name() + ": will_read of a negative range");
  return protocol_->will_read(*this, ranges);
}

Status UrlContext::write(std::span<const uint8_t> src) {
  if (!(flags_ & kOpenWrite)) return Error(-EIO, info_->name() + ": not opened for writing");
  const int max_packet_size = stream_.max_packet_size;
  if (max_packet_size && src.size() > static_cast<size_t>(max_packet_size))
    return Error(-EIO, info_->name() + ": write of " + std::to_string(src.size()) + " bytes exceeds the packet size " +
                           std::to_string(max_packet_size));
  // The protocol only reads the bytes; transfer() is shared with reading.
  Result<size_t> r = transfer({const_cast<uint8_t *>(src.data()), src.size()}, src.size(), true);
  if (!r) return r.error();
  return {};
}

Result<int64_t> UrlContext::seek(int64_t offset, int whence) {
  if (!info_->capabilities().seek) return Error(-ENOSYS);
  return protocol_->seek(*this, offset, whence & ~kSeekForceFlag);
}

Result<int64_t> UrlContext::size() {
  Result<int64_t> size = seek(0, kSeekSizeQuery);
  if (size) return size;
  Result<int64_t> pos = seek(0, kSeekCur);
  Result<int64_t> end = seek(-1, kSeekEnd);
  if (!end) return end;
  if (pos) (void)seek(*pos, kSeekSet);
  return *end + 1;
}

Status UrlContext::close() {
  if (closed_) return close_status_;
  closed_ = true;
  if (holds_resources_ && protocol_) close_status_ = protocol_->close(*this);
  return close_status_;
}

Status UrlContext::read_pause(bool pause) {
  if (!info_->capabilities().pause) return Error(-ENOSYS);
  return protocol_->read_pause(*this, pause);
}

Result<int64_t> UrlContext::read_seek(int stream_index, int64_t timestamp, int flags) {
  if (!info_->capabilities().read_seek) return Error(-ENOSYS);
  return protocol_->read_seek(*this, stream_index, timestamp, flags);
}

int UrlContext::file_handle() { return protocol_->file_handle(*this); }

Result<int> UrlContext::short_seek_size() {
  if (!info_->capabilities().short_seek) return Error(-ENOSYS);
  return protocol_->short_seek_size(*this);
}

Status UrlContext::shutdown(int flags) { return protocol_->shutdown(*this, flags); }

Result<std::unique_ptr<UrlContext>> UrlContext::accept() {
  if (!holds_resources_) return Error(-EINVAL, info_->name() + ": accept on a context that is not open");
  Result<std::unique_ptr<Protocol>> client = protocol_->accept(*this);
  if (!client) return client.error();
  if (!*client) return Error(kBug, info_->name() + ": accept returned no client");
  std::unique_ptr<UrlContext> c(new UrlContext);
  c->info_ = info_;
  c->protocol_ = std::move(*client);
  c->params_ = params_;
  c->options_ = OptionValues(info_->options());
  const size_t url_size = std::strlen(url_.get());
  c->url_ = std::make_unique_for_overwrite<char[]>(url_size + 1);
  std::memcpy(c->url_.get(), url_.get(), url_size + 1);
  c->target_offset_ = target_offset_;
  c->flags_ = flags_;
  c->default_whitelist_ = default_whitelist_;
  c->holds_resources_ = true;
  c->stream_ = c->protocol_->stream_properties();
  return c;
}

Result<int> UrlContext::handshake() {
  if (!holds_resources_) return Error(-EINVAL, info_->name() + ": handshake on a context that is not open");
  if (connected_) return 0;
  Result<int> r = protocol_->handshake(*this);
  if (r && *r == 0) connected_ = true;
  return r;
}

}  // namespace avio
