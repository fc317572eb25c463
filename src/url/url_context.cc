// UrlContext: FFmpeg's URLContext (ffurl_alloc / ffurl_connect / the
// retry_transfer_wrapper around every read and write).
#include <chrono>
#include <climits>
#include <cstring>
#include <thread>

#include "avio/protocol.hpp"
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
  const std::string_view name = info.name;
  if (url.substr(0, name.size()) != name || url.size() <= name.size() || url[name.size()] != ',')
    return std::string(url);
  if (!info.accepts_inline_options)
    return Error(-EINVAL, info.name + ": inline options are not supported in " + quoted(url));
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
      return Error(-EINVAL, info.name + ": unknown inline option " + quoted(k) + " in " + quoted(url));
    Status st = values.set(k, v);
    if (!st) return Error(-EINVAL, std::string(st.error().detail()) + " in " + quoted(url));
    p = val + 1;
  }
  if (key != p) return Error(-EINVAL, info.name + ": malformed inline options in " + quoted(url));
  return std::string(name) + std::string(url.substr(key + 1));
}

const std::shared_ptr<const UrlOpenParams> &default_params() {
  static const auto kDefault = std::make_shared<const UrlOpenParams>();
  return kDefault;
}

std::shared_ptr<const UrlOpenParams> shared_params(const UrlOpenParams &p) {
  const bool is_default = !p.interrupt.callback && !p.interrupt.token && !p.whitelist && !p.blacklist &&
                          !p.registry && p.rw_timeout == 0;
  return is_default ? default_params() : std::make_shared<const UrlOpenParams>(p);
}

bool is_fatal_wait(const UrlContext &h, int64_t waited_us) { return h.rw_timeout() > 0 && waited_us > h.rw_timeout(); }

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
  if ((flags & kOpenRead) && !info->can_read)
    return Error(-EIO, "impossible to open the " + quoted(info->name) + " protocol for reading");
  if ((flags & kOpenWrite) && !info->can_write)
    return Error(-EIO, "impossible to open the " + quoted(info->name) + " protocol for writing");
  std::unique_ptr<UrlContext> h(new UrlContext);
  h->info_ = info;
  h->flags_ = flags;
  h->params_ = std::move(params);
  h->options_ = OptionValues(info->options);
  Result<std::string> stripped = strip_inline_options(*info, url, h->options_);
  if (!stripped) return stripped.error();
  h->url_ = std::make_unique_for_overwrite<char[]>(stripped->size() + 1);
  std::memcpy(h->url_.get(), stripped->c_str(), stripped->size() + 1);
  h->protocol_ = info->factory();
  if (!h->protocol_) return Error(-ENOMEM, info->name + ": the protocol factory returned nothing");
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

Result<std::unique_ptr<UrlContext>> UrlContext::open(std::string_view url, int flags, const UrlOpenParams &params,
                                                     Dictionary &options) {
  return open_shared(url, flags, shared_params(params), options);
}

Result<std::unique_ptr<UrlContext>> UrlContext::open_shared(std::string_view url, int flags,
                                                            std::shared_ptr<const UrlOpenParams> params,
                                                            Dictionary &options) {
  Result<std::unique_ptr<UrlContext>> h = alloc_shared(url, flags, std::move(params));
  if (!h) return h;
  UrlContext &c = **h;
  Status st = c.apply_generic_options(options);
  if (st) st = c.options_.take_from(options);
  if (st) st = c.connect(options);
  if (!st) {
    (void)c.close();
    if (st.error().detail().empty()) return Error(st.code(), c.info().name + ": cannot open " + quoted(url));
    return st.error();
  }
  return h;
}

Result<std::unique_ptr<UrlContext>> UrlContext::open_nested(std::string_view url, int flags, Dictionary &options) {
  if (!default_whitelist_) return open_shared(url, flags, params_, options);
  return open(url, flags, params(), options);
}

UrlOpenParams UrlContext::params() const {
  UrlOpenParams p = *params_;
  if (default_whitelist_) p.whitelist = info_->default_whitelist;
  return p;
}

Status UrlContext::connect(Dictionary &options) {
  const std::string &name = info_->name;
  const std::optional<std::string> &white = whitelist(), &black = blacklist();
  if (white && !url_internal::list_contains(*white, name))
    return Error(-EINVAL, "protocol " + quoted(name) + " not on whitelist " + quoted(*white));
  if (black && url_internal::list_contains(*black, name))
    return Error(-EINVAL, "protocol " + quoted(name) + " on blacklist " + quoted(*black));
  if (!white && info_->default_whitelist) default_whitelist_ = true;
  Status st = protocol_->open(*this, url(), flags_, options);
  if (!st) return st;
  connected_ = true;
  // Like ffurl_connect: writers and files find out whether seeking works.
  if (((flags_ & kOpenWrite) || name == "file") && !is_streamed && !seek(0, kSeekSet)) is_streamed = true;
  return {};
}

Result<size_t> UrlContext::transfer(std::span<uint8_t> buf, size_t size_min, bool writing) {
  using Clock = std::chrono::steady_clock;
  size_t len = 0;
  int fast_retries = 5;
  // A plain time and a flag: g++ 12 -O3 warns about std::optional here (-Wmaybe-uninitialized).
  Clock::time_point wait_since{};
  bool waiting = false;
  while (len < size_min) {
    if (interrupted()) return Error(kExit, info_->name + ": interrupted");
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
            return Error(-EIO,
                         info_->name + ": no data within rw_timeout (" + std::to_string(params_->rw_timeout) + " us)");
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
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
  if (!(flags_ & kOpenRead)) return Error(-EIO, info_->name + ": not opened for reading");
  return transfer(dst, dst.empty() ? 0 : 1, false);
}

Result<size_t> UrlContext::read_complete(std::span<uint8_t> dst) {
  if (!(flags_ & kOpenRead)) return Error(-EIO, info_->name + ": not opened for reading");
  return transfer(dst, dst.size(), false);
}

Status UrlContext::write(std::span<const uint8_t> src) {
  if (!(flags_ & kOpenWrite)) return Error(-EIO, info_->name + ": not opened for writing");
  if (max_packet_size && src.size() > static_cast<size_t>(max_packet_size))
    return Error(-EIO, info_->name + ": write of " + std::to_string(src.size()) + " bytes exceeds the packet size " +
                           std::to_string(max_packet_size));
  // The protocol only reads the bytes; transfer() is shared with reading.
  Result<size_t> r = transfer({const_cast<uint8_t *>(src.data()), src.size()}, src.size(), true);
  if (!r) return r.error();
  return {};
}

Result<int64_t> UrlContext::seek(int64_t offset, int whence) {
  if (!info_->can_seek) return Error(-ENOSYS);
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
  if (connected_ && protocol_) close_status_ = protocol_->close(*this);
  return close_status_;
}

Status UrlContext::read_pause(bool pause) {
  if (!info_->has_pause) return Error(-ENOSYS);
  return protocol_->read_pause(*this, pause);
}

Result<int64_t> UrlContext::read_seek(int stream_index, int64_t timestamp, int flags) {
  if (!info_->has_read_seek) return Error(-ENOSYS);
  return protocol_->read_seek(*this, stream_index, timestamp, flags);
}

int UrlContext::file_handle() { return protocol_->file_handle(*this); }

Result<int> UrlContext::short_seek_size() {
  if (!info_->has_short_seek) return Error(-ENOSYS);
  return protocol_->short_seek_size(*this);
}

Status UrlContext::shutdown(int flags) { return protocol_->shutdown(*this, flags); }

Result<std::unique_ptr<UrlContext>> UrlContext::accept() { return protocol_->accept(*this); }

Result<int> UrlContext::handshake() {
  Result<int> r = protocol_->handshake(*this);
  if (r && *r == 0) connected_ = true;
  return r;
}

}  // namespace avio
