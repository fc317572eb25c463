// The protocol layer: `Protocol` (what a URL scheme does), `UrlContext`
// (one open URL: FFmpeg's URLContext) and `ProtocolRegistry` (scheme ->
// protocol).
//
// A `Protocol` object is the private state of one open URL; the registry
// makes a fresh one for every open through the factory of its
// `ProtocolInfo`. It sees the `UrlContext` that owns it (the URL, the open
// flags, its parsed options, the interrupt and the lists) and sets the
// context's stream properties (`is_streamed`, packet sizes) in `open`.
// Every operation it does not override reports -ENOSYS, except that close
// and close_dir succeed, accept gives -EBADF (as ffurl_accept does) and
// handshake reports "done". The flags of its ProtocolInfo (can_read,
// can_seek, has_pause, ...) say which overrides exist, as FFmpeg's non-null
// callbacks do; the URL layer consults them, not the overrides.
//
// The contract of `read` is FFmpeg's url_read: return as soon as some data,
// end of stream (`Error::eof()`) or an error is available; when nothing is,
// return -EAGAIN after waiting about 20 ms at most (immediately in
// non-blocking mode). `UrlContext::read` loops over it with FFmpeg's
// retry_transfer_wrapper semantics: the interrupt is checked before every
// call, -EINTR retries, -EAGAIN retries (5 at once, then 1 ms apart) until
// `rw_timeout` gives -EIO. A protocol that blocks therefore never blocks
// for long, and an interrupt ends any read within one wait.
//
// A protocol that wraps another URL opens it with `UrlContext::open_nested`,
// which passes on the interrupt, `rw_timeout`, the whitelist and the
// blacklist, so a nested open cannot reach a protocol the caller forbade.
#ifndef AVIO_PROTOCOL_HPP
#define AVIO_PROTOCOL_HPP

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "avio/error.hpp"
#include "avio/url_options.hpp"

namespace avio {

// AVIO_FLAG_*: how a URL is opened.
enum OpenFlag : int {
  kOpenRead = 1,
  kOpenWrite = 2,
  kOpenReadWrite = 3,
  kOpenNonBlock = 8,
  kOpenDirect = 0x8000,
};

// avio_seek's `whence` values understood by Protocol::seek.
inline constexpr int kSeekSet = 0;
inline constexpr int kSeekCur = 1;
inline constexpr int kSeekEnd = 2;
inline constexpr int kSeekSizeQuery = 0x10000;  // AVSEEK_SIZE
inline constexpr int kSeekForceFlag = 0x20000;  // AVSEEK_FORCE

// A flag another thread raises to stop blocking operations. Cheap to poll.
class CancellationToken {
 public:
  void cancel() { cancelled_.store(true, std::memory_order_release); }
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> cancelled_{false};
};

// What a blocking operation polls to know it should give up (FFmpeg's
// AVIOInterruptCB, plus a token). Raised when either says so.
struct Interrupt {
  std::function<bool()> callback;
  std::shared_ptr<const CancellationToken> token;

  bool raised() const { return (token && token->cancelled()) || (callback && callback()); }
};

// AVIODirEntryType.
enum class DirEntryType : int {
  kUnknown,
  kBlockDevice,
  kCharacterDevice,
  kDirectory,
  kNamedPipe,
  kSymbolicLink,
  kSocket,
  kFile,
  kServer,
  kShare,
  kWorkgroup,
};

// One directory entry (AVIODirEntry). Unknown numbers are -1; times are
// microseconds since the epoch.
struct DirEntry {
  std::string name;
  DirEntryType type = DirEntryType::kUnknown;
  bool utf8 = false;
  int64_t size = -1;
  int64_t modification_timestamp = -1;
  int64_t access_timestamp = -1;
  int64_t status_change_timestamp = -1;
  int64_t user_id = -1;
  int64_t group_id = -1;
  int64_t filemode = -1;
};

class UrlContext;

class Protocol {
 public:
  virtual ~Protocol() = default;

  // Connects. `url` is the whole URL (scheme included, inline options
  // removed). `options` holds the caller's unconsumed options, for nested opens.
  virtual Status open(UrlContext &h, std::string_view url, int flags, Dictionary &options) = 0;
  virtual Result<size_t> read(UrlContext &h, std::span<uint8_t> dst);
  // May write fewer bytes than given; the context loops.
  virtual Result<size_t> write(UrlContext &h, std::span<const uint8_t> src);
  // whence is kSeekSet / kSeekCur / kSeekEnd or kSeekSizeQuery (the size).
  virtual Result<int64_t> seek(UrlContext &h, int64_t offset, int whence);
  // Called once, only after a successful open.
  virtual Status close(UrlContext &h);

  virtual Status read_pause(UrlContext &h, bool pause);
  virtual Result<int64_t> read_seek(UrlContext &h, int stream_index, int64_t timestamp, int flags);
  // The OS handle, or -1.
  virtual int file_handle(UrlContext &h);
  virtual Result<int> short_seek_size(UrlContext &h);
  virtual Status shutdown(UrlContext &h, int flags);
  // url_check: the subset of `mask` that is accessible. Only called when
  // ProtocolInfo::has_check is set; otherwise checking means connecting.
  virtual Result<int> check(UrlContext &h, int mask);
  virtual Status remove(UrlContext &h);
  virtual Status move(UrlContext &h, UrlContext &destination);
  virtual Status open_dir(UrlContext &h);
  // Fills `entry` and returns true, or returns false at the end.
  virtual Result<bool> read_dir(UrlContext &h, DirEntry &entry);
  virtual Status close_dir(UrlContext &h);
  // Server mode: a new, not yet handshaken client context.
  virtual Result<std::unique_ptr<UrlContext>> accept(UrlContext &h);
  // One handshake step: >0 while in progress, 0 when done.
  virtual Result<int> handshake(UrlContext &h);
};

// How the registry knows a protocol: its name, what it can do, its options.
struct ProtocolInfo {
  std::string name;
  bool can_read = false;   // has url_read
  bool can_write = false;  // has url_write
  bool can_seek = false;   // has url_seek
  bool has_check = false;
  bool has_dir = false;                 // url_open_dir / read_dir / close_dir
  bool has_pause = false;               // url_read_pause (avio_pause)
  bool has_read_seek = false;           // url_read_seek (avio_seek_time)
  bool has_short_seek = false;          // url_get_short_seek
  bool accepts_inline_options = false;  // "name,,key,value,,:url" (subfile)
  bool nested_scheme = false;           // "name+inner://..." selects this protocol
  // Applied when the caller gave no whitelist; nested opens inherit it.
  std::optional<std::string> default_whitelist;
  std::span<const OptionSpec> options;
  std::function<std::unique_ptr<Protocol>()> factory;
};

// The generic options every URL has (the URLContext class).
std::span<const OptionSpec> url_context_options();

// Scheme -> protocol. `ProtocolRegistry::global()` holds the built-ins and
// whatever a program adds; a caller may also build its own registry and
// pass it in OpenOptions. Thread-safe.
class ProtocolRegistry {
 public:
  ProtocolRegistry() = default;
  ProtocolRegistry(const ProtocolRegistry &other);
  ProtocolRegistry &operator=(const ProtocolRegistry &other);
  // A registry holding the built-in protocols.
  static ProtocolRegistry with_builtins();
  // The process-wide registry, with the built-ins.
  static ProtocolRegistry &global();

  // Adds a protocol; -EEXIST if one of that name is registered.
  Status add(ProtocolInfo info);
  // Replaces a protocol of the same name, or adds it.
  void add_or_replace(ProtocolInfo info);
  std::shared_ptr<const ProtocolInfo> find(std::string_view name) const;
  // url_find_protocol: the protocol FFmpeg's scheme rules select for `url`.
  std::shared_ptr<const ProtocolInfo> find_for_url(std::string_view url) const;
  // In registration order.
  std::vector<std::shared_ptr<const ProtocolInfo>> list() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const ProtocolInfo>> protocols_;
};

// What an open inherits from its caller or its parent.
struct UrlOpenParams {
  Interrupt interrupt;
  std::optional<std::string> whitelist;
  std::optional<std::string> blacklist;
  const ProtocolRegistry *registry = nullptr;  // null: the global one
  int64_t rw_timeout = 0;                      // microseconds, 0 = none
};

// One open URL (FFmpeg's URLContext). Owned by the buffered context over it,
// or by the protocol that opened it nested.
class UrlContext {
 public:
  // ffurl_alloc: resolves the URL, applies the inline options, makes the
  // protocol; does not connect.
  static Result<std::unique_ptr<UrlContext>> alloc(std::string_view url, int flags, const UrlOpenParams &params);
  // ffurl_open_whitelist: alloc, apply `options` (consuming what is
  // recognised), check the lists, connect.
  static Result<std::unique_ptr<UrlContext>> open(std::string_view url, int flags, const UrlOpenParams &params,
                                                  Dictionary &options);

  ~UrlContext();
  UrlContext(const UrlContext &) = delete;
  UrlContext &operator=(const UrlContext &) = delete;

  // Opens `url` as a child of this context (interrupt, timeout and lists inherited).
  Result<std::unique_ptr<UrlContext>> open_nested(std::string_view url, int flags, Dictionary &options);
  // ffurl_connect: checks the lists and calls Protocol::open.
  Status connect(Dictionary &options);

  // ffurl_read: at least one byte, EOF, or an error.
  Result<size_t> read(std::span<uint8_t> dst);
  // ffurl_read_complete: all of dst unless EOF or an error.
  Result<size_t> read_complete(std::span<uint8_t> dst);
  // ffurl_write: all of src; -EIO above max_packet_size.
  Status write(std::span<const uint8_t> src);
  // ffurl_seek (AVSEEK_FORCE removed; -ENOSYS without seek support).
  Result<int64_t> seek(int64_t offset, int whence);
  // ffurl_size: the size query, else SEEK_END and back.
  Result<int64_t> size();
  // Closes the protocol (once); later calls return the first result.
  Status close();

  Status read_pause(bool pause);
  Result<int64_t> read_seek(int stream_index, int64_t timestamp, int flags);
  int file_handle();
  Result<int> short_seek_size();
  Status shutdown(int flags);
  Result<std::unique_ptr<UrlContext>> accept();
  Result<int> handshake();

  const ProtocolInfo &info() const { return *info_; }
  Protocol &protocol() { return *protocol_; }
  // As given (scheme included, inline options removed); NUL-terminated, so
  // url().data() may go to C functions.
  std::string_view url() const { return url_.get(); }
  int flags() const { return flags_; }
  const OptionValues &options() const { return options_; }
  OptionValues &mutable_options() { return options_; }
  const Interrupt &interrupt() const { return params_->interrupt; }
  bool interrupted() const { return params_->interrupt.raised(); }
  // What a nested open inherits (the protocol's default whitelist included
  // once connect() applied it).
  UrlOpenParams params() const;
  int64_t rw_timeout() const { return params_->rw_timeout; }
  const std::optional<std::string> &whitelist() const {
    return default_whitelist_ ? info_->default_whitelist : params_->whitelist;
  }
  const std::optional<std::string> &blacklist() const { return params_->blacklist; }
  bool connected() const { return connected_; }
  void set_connected() { connected_ = true; }

 private:
  UrlContext() = default;
  static Result<std::unique_ptr<UrlContext>> alloc_shared(std::string_view url, int flags,
                                                          std::shared_ptr<const UrlOpenParams> params);
  static Result<std::unique_ptr<UrlContext>> open_shared(std::string_view url, int flags,
                                                         std::shared_ptr<const UrlOpenParams> params,
                                                         Dictionary &options);
  Result<size_t> transfer(std::span<uint8_t> buf, size_t size_min, bool writing);
  Status apply_generic_options(Dictionary &options);

  std::shared_ptr<const ProtocolInfo> info_;
  std::unique_ptr<Protocol> protocol_;
  std::unique_ptr<char[]> url_;
  // Never null. Shared with the parent and the children, and replaced by a
  // copy only when an open's options change it: an open with the default
  // parameters allocates none.
  std::shared_ptr<const UrlOpenParams> params_;
  OptionValues options_;
  Status close_status_;
  int flags_ = 0;
  bool default_whitelist_ = false;  // connect() applied info().default_whitelist
  bool connected_ = false;
  bool closed_ = false;

 public:
  // Set by the protocol in open. (Declared last so that they pack with the
  // flags above: a context is allocated per open.)
  bool is_streamed = false;
  int max_packet_size = 0;
  int min_packet_size = 0;
};

}  // namespace avio

#endif  // AVIO_PROTOCOL_HPP
