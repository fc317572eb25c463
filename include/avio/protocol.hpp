// The protocol layer: `Protocol` (what a URL scheme does), `ProtocolInfo`
// (how the registry knows one) and `UrlContext` (one open URL: FFmpeg's
// URLContext). The registry is in protocol_registry.hpp.
//
// A `Protocol` object is the private state of one open URL; the registry
// makes a fresh one for every open through the factory of its
// `ProtocolInfo`, and `accept` makes one per client. Its owner, the
// `UrlContext`, does everything generic: scheme resolution, options, the
// white- and blacklists, interrupts and timeouts, FFmpeg's retry rules. A
// protocol only moves bytes, and it says what it can do by what it
// overrides: `ProtocolInfo::of<P>()` derives the capabilities from P's
// overrides at compile time, so they cannot disagree. Every operation a
// protocol does not override reports -ENOSYS, except that close and
// close_dir succeed, accept gives -EBADF (as ffurl_accept does) and
// handshake reports "done".
//
// Blocking. Every step that can block (open, read, write, accept,
// handshake, close) waits only through `UrlContext::wait` (or the
// `Interrupt` it wraps): one poll on its descriptor, the cancellation
// token's eventfd and the deadline, so a token ends it at once and FFmpeg's
// interrupt callback within kCallbackPollInterval. `open` gets its deadline
// in the request; reads and writes take theirs from `UrlContext::
// io_deadline()` (rw_timeout). A protocol that cannot block for long may
// instead return -EAGAIN; `UrlContext` then retries with FFmpeg's
// retry_transfer_wrapper rules (the interrupt checked before each call, 5
// retries at once, then 1 ms apart until rw_timeout gives -EIO).
//
// Thread-safety. A protocol object is used by one thread at a time (its
// UrlContext's), except `read_at` when its StreamProperties say
// `concurrent_read_at`: then any number of threads may call `read_at` at
// once, and at the same time as one thread uses the other operations.
// `ProtocolInfo` is immutable once made.
#ifndef AVIO_PROTOCOL_HPP
#define AVIO_PROTOCOL_HPP

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "avio/error.hpp"
#include "avio/interrupt.hpp"
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

// What Protocol::open receives: the URL, the flags, the options, the
// deadline, and the way to open what the protocol wraps (the interrupt is
// the context's, UrlContext::interrupt()).
struct OpenRequest {
  // The URL without its scheme: "//host:port/path?q" for "tcp://host:port/path?q",
  // "/tmp/a" for "file:/tmp/a" and for the plain path "/tmp/a", "file:x" for
  // "crypto+file:x" and "crypto:file:x". The whole URL is UrlContext::url().
  std::string_view target;
  int flags = 0;  // OpenFlag bits
  // The caller's options that no layer has consumed: the protocol's own were
  // applied to UrlContext::options() already; pass this on to nested opens.
  Dictionary &options;
  // When the open gives up with -ETIMEDOUT (never, unless an open timeout or
  // the parent's deadline says otherwise). Nested opens inherit it.
  Deadline deadline;

  // Opens `url` as a child of the context being opened: the interrupt,
  // timeouts, registry, lists and this deadline are inherited.
  Result<std::unique_ptr<UrlContext>> open_nested(std::string_view url, int open_flags, Dictionary &opts) const;

  UrlContext &owner;
};

// What the buffered context over a URL needs to know of its stream, read
// once after open (and after accept, for a client).
struct StreamProperties {
  int max_packet_size = 0;  // packetised: each read returns at most one packet
  int min_packet_size = 0;
  bool streamed = false;  // cannot seek (FFmpeg's is_streamed)
  // Confirm seekability with a seek to 0 after open, as FFmpeg does for
  // files (writers always confirm).
  bool confirm_seekable = false;
  // read_at may run on several threads at once (file: with pread; a wrapper
  // when what it wraps may).
  bool concurrent_read_at = false;
  // A read costs only the bytes it copies, whatever its size, and does
  // nothing else (a regular file, memory): C++ open_url lets a sequential
  // reader's refills grow past its buffer (ContextOptions::read_ahead_max).
  // Wrappers say what they wrap says.
  bool read_ahead = false;
};

// Bytes [offset, offset + length) of a stream.
struct ByteRange {
  int64_t offset = 0;
  int64_t length = 0;
  int64_t end() const { return offset + length; }
  friend bool operator==(const ByteRange &, const ByteRange &) = default;
};

// Told, while a read_ranges call goes on, which bytes of one read have come
// in, so that another thread may use them before the call returns (a
// decoder, say, while the rest of its plan is on its way). The bytes told
// of are in the read's buffer and the call does not write them again. Told
// on the threads doing the reading, perhaps several at once: it must be
// thread-safe and must not block. Bytes may be told more than once, and a
// protocol may tell of none: the call's return is the only sign that the
// read is whole.
class ReadProgress {
 public:
  // Bytes [offset, offset + length) of the stream are in the read's buffer.
  virtual void arrived(int64_t offset, int64_t length) = 0;

 protected:
  ~ReadProgress() = default;
};

// One read of a plan handed over at once (Protocol::read_ranges).
struct ReadRequest {
  int64_t offset = 0;
  std::span<uint8_t> dst;            // filled whole, unless the stream ends first
  ReadProgress *progress = nullptr;  // optional
};

class Protocol {
 public:
  virtual ~Protocol() = default;

  // Connects. Consumes from request.options what it passes to nested opens.
  virtual Status open(UrlContext &h, const OpenRequest &request) = 0;
  // The stream's properties, asked once after a successful open or accept.
  virtual StreamProperties stream_properties() const { return {}; }

  // At least one byte, end of stream (Error::eof()), or an error.
  virtual Result<size_t> read(UrlContext &h, std::span<uint8_t> dst);
  // May write fewer bytes than given; the context loops.
  virtual Result<size_t> write(UrlContext &h, std::span<const uint8_t> src);
  // whence is kSeekSet / kSeekCur / kSeekEnd or kSeekSizeQuery (the size).
  virtual Result<int64_t> seek(UrlContext &h, int64_t offset, int whence);
  // A positional read: at least one byte at `offset` (a byte offset of the
  // stream), EOF at or past the end, without moving the stream position.
  // See the class comment for when it may be called concurrently.
  virtual Result<size_t> read_at(UrlContext &h, int64_t offset, std::span<uint8_t> dst);
  // Every read of a plan: a protocol that fetches remotely coalesces and
  // parallelises them (http and https ask for them all in one multi-range
  // request, s3 for each run of touching reads in one GET); by default,
  // read_at one after the other. Bytes past the end of the stream are left
  // as they were. Thread-safety as read_at's.
  virtual Status read_ranges(UrlContext &h, std::span<const ReadRequest> reads);
  // Advice: the stream will be read at these ranges, in this order (a
  // demuxer's index, say), so a protocol that fetches remotely may fetch them
  // ahead, together. Replaces earlier advice; the default ignores it.
  virtual Status will_read(UrlContext &h, std::span<const ByteRange> ranges);
  // The URL this protocol reads through, when it is a layer over one whose
  // own state (its options, exported ones included) is worth showing; else
  // null. Not to be used while another thread reads.
  virtual UrlContext *inner_url(UrlContext &h);
  // Names the version of the object being read (an HTTP ETag or
  // Last-Modified, an S3 ETag): bytes read under one version may be reused
  // by a later open that sees the same one (the block cache shares blocks
  // so). Empty (the default): unknown.
  virtual std::string object_version() const;
  // Called once, after a successful open or accept.
  virtual Status close(UrlContext &h);

  virtual Status read_pause(UrlContext &h, bool pause);
  virtual Result<int64_t> read_seek(UrlContext &h, int stream_index, int64_t timestamp, int flags);
  // The OS handle, or -1.
  virtual int file_handle(UrlContext &h);
  virtual Result<int> short_seek_size(UrlContext &h);
  virtual Status shutdown(UrlContext &h, int flags);
  // url_check: the subset of `mask` that is accessible, without connecting.
  virtual Result<int> check(UrlContext &h, int mask);
  virtual Status remove(UrlContext &h);
  virtual Status move(UrlContext &h, UrlContext &destination);
  virtual Status open_dir(UrlContext &h);
  // Fills `entry` and returns true, or returns false at the end.
  virtual Result<bool> read_dir(UrlContext &h, DirEntry &entry);
  virtual Status close_dir(UrlContext &h);
  // Server mode: the state of a new client, not yet handshaken. The URL layer
  // wraps it in a UrlContext that the caller owns.
  virtual Result<std::unique_ptr<Protocol>> accept(UrlContext &h);
  // One handshake step on an accepted client: > 0 while in progress, 0 when done.
  virtual Result<int> handshake(UrlContext &h);
};

// What a protocol can do, derived from what it overrides (ProtocolInfo::of).
struct ProtocolCapabilities {
  bool read = false;        // url_read
  bool write = false;       // url_write
  bool seek = false;        // url_seek
  bool read_at = false;     // positional reads
  bool check = false;       // url_check
  bool dir = false;         // url_open_dir / read_dir / close_dir
  bool pause = false;       // url_read_pause (avio_pause)
  bool read_seek = false;   // url_read_seek (avio_seek_time)
  bool short_seek = false;  // url_get_short_seek
  bool accept = false;      // url_accept: a listening protocol
  bool handshake = false;   // url_handshake
  bool remove = false;      // url_delete
  bool move = false;        // url_move
  bool shutdown = false;    // url_shutdown
};

namespace detail {
template <class M>
struct MemberOf;
template <class R, class C, class... A>
struct MemberOf<R (C::*)(A...)> {
  using type = C;
};
// `&P::f` names Protocol::f's type unless P (or a base between) overrides f.
template <class C>
inline constexpr bool kDeclaredBelowProtocol = !std::is_same_v<C, Protocol>;
}  // namespace detail

// The declarative part of a ProtocolInfo.
struct ProtocolTraits {
  bool accepts_inline_options = false;  // "name,SEP key SEP value ... SEP:url" (subfile)
  bool nested_scheme = false;           // "name+inner:..." selects this protocol
  // Applied when the caller gave no whitelist; nested opens inherit it.
  std::optional<std::string> default_whitelist;
  std::span<const OptionSpec> options;
  // For protocols whose reads are requests to a server (http, s3): C++
  // open_url reads them through the block cache (the blockcache protocol),
  // which follows this advice unless its options say otherwise.
  struct Remote {
    int64_t readahead_max = 0;   // bytes a sequential read-ahead grows to
    int max_connections = 0;     // connections one open object may use at once
    int64_t initial_hole = 0;    // the coalescing hole until the link is measured
    bool multi_range = false;    // read_ranges asks for ranges apart in one request
    int ranges_per_request = 0;  // with multi_range: about how many one request holds (0: any number)
  };
  std::optional<Remote> remote;
};

// How the registry knows a protocol: its name, what it can do, its options.
class ProtocolInfo {
 public:
  using Factory = std::function<std::unique_ptr<Protocol>()>;

  // A protocol of type P (made by `new P` unless `factory` is given, which
  // must make a P): its capabilities are P's overrides.
  template <class P>
  static ProtocolInfo of(std::string name, ProtocolTraits traits = {}, Factory factory = nullptr);

  const std::string &name() const { return name_; }
  const ProtocolCapabilities &capabilities() const { return caps_; }
  bool accepts_inline_options() const { return traits_.accepts_inline_options; }
  bool nested_scheme() const { return traits_.nested_scheme; }
  const std::optional<std::string> &default_whitelist() const { return traits_.default_whitelist; }
  const std::optional<ProtocolTraits::Remote> &remote() const { return traits_.remote; }
  std::span<const OptionSpec> options() const { return traits_.options; }
  std::unique_ptr<Protocol> make() const { return factory_ ? factory_() : nullptr; }

 private:
  std::string name_;
  ProtocolCapabilities caps_;
  ProtocolTraits traits_;
  Factory factory_;
};

template <class P>
ProtocolInfo ProtocolInfo::of(std::string name, ProtocolTraits traits, Factory factory) {
  static_assert(std::is_base_of_v<Protocol, P>, "ProtocolInfo::of<P>: P must derive from avio::Protocol");
#define AVIO_OVERRIDES(f) detail::kDeclaredBelowProtocol<typename detail::MemberOf<decltype(&P::f)>::type>
  ProtocolInfo info;
  info.name_ = std::move(name);
  info.caps_.read = AVIO_OVERRIDES(read);
  info.caps_.write = AVIO_OVERRIDES(write);
  info.caps_.seek = AVIO_OVERRIDES(seek);
  info.caps_.read_at = AVIO_OVERRIDES(read_at);
  info.caps_.check = AVIO_OVERRIDES(check);
  info.caps_.dir = AVIO_OVERRIDES(open_dir) && AVIO_OVERRIDES(read_dir);
  info.caps_.pause = AVIO_OVERRIDES(read_pause);
  info.caps_.read_seek = AVIO_OVERRIDES(read_seek);
  info.caps_.short_seek = AVIO_OVERRIDES(short_seek_size);
  info.caps_.accept = AVIO_OVERRIDES(accept);
  info.caps_.handshake = AVIO_OVERRIDES(handshake);
  info.caps_.remove = AVIO_OVERRIDES(remove);
  info.caps_.move = AVIO_OVERRIDES(move);
  info.caps_.shutdown = AVIO_OVERRIDES(shutdown);
#undef AVIO_OVERRIDES
  info.traits_ = std::move(traits);
  if constexpr (std::is_default_constructible_v<P>) {
    info.factory_ = factory ? std::move(factory) : Factory([] { return std::make_unique<P>(); });
  } else {
    info.factory_ = std::move(factory);
  }
  return info;
}

// The generic options every URL has (the URLContext class).
std::span<const OptionSpec> url_context_options();

class ProtocolRegistry;

// What an open inherits from its caller or its parent.
struct UrlOpenParams {
  Interrupt interrupt;
  std::optional<std::string> whitelist;
  std::optional<std::string> blacklist;
  const ProtocolRegistry *registry = nullptr;  // null: the global one
  int64_t rw_timeout = 0;                      // microseconds, 0 = none
  int64_t open_timeout = 0;                    // microseconds, 0 = none (C++ only; FFmpeg has none)
};

// One open URL (FFmpeg's URLContext). Owned by the buffered context over it,
// or by the protocol that opened it nested, or by the caller of accept.
//
// Thread-safety: one thread at a time, except `read_at` when
// stream().concurrent_read_at, and `interrupted()`, which any thread may ask.
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

  // Opens `url` as a child of this context: interrupt, timeouts, registry
  // and lists are inherited. (Within Protocol::open, use
  // OpenRequest::open_nested, which also passes on the open's deadline.)
  Result<std::unique_ptr<UrlContext>> open_nested(std::string_view url, int flags, Dictionary &options,
                                                  const Deadline &deadline = Deadline::never());
  // ffurl_connect: checks the lists and calls Protocol::open.
  Status connect(Dictionary &options);

  // ffurl_read: at least one byte, EOF, or an error.
  Result<size_t> read(std::span<uint8_t> dst);
  // ffurl_read_complete: all of dst unless EOF or an error.
  Result<size_t> read_complete(std::span<uint8_t> dst);
  // All of dst from `offset` unless EOF comes first (then what there was, or
  // EOF for none); the stream position does not move. -ENOSYS when the
  // protocol has no positional reads.
  Result<size_t> read_at(int64_t offset, std::span<uint8_t> dst);
  // Every read of the plan (Protocol::read_ranges); bytes past the end of
  // the stream are left as they were. -ENOSYS without positional reads.
  Status read_ranges(std::span<const ReadRequest> reads);
  // Protocol::will_read (negative offsets and lengths are -EINVAL).
  Status will_read(std::span<const ByteRange> ranges);
  // Protocol::inner_url: the URL under a layer such as blockcache, or null.
  UrlContext *inner() { return protocol_->inner_url(*this); }
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
  // ffurl_accept: a new client context, owned by the caller, to be stepped
  // with handshake() (FFmpeg's contract: its properties are final now).
  Result<std::unique_ptr<UrlContext>> accept();
  // ffurl_handshake: > 0 while in progress, 0 when done.
  Result<int> handshake();

  // ---- for protocols
  // Waits for `fd` (poll bits) until `deadline`, or the interrupt.
  WaitResult wait(int fd, short events, const Deadline &deadline) const {
    return params_->interrupt.wait(fd, events, deadline);
  }
  // wait(), as the error a protocol returns: none when ready, the interrupt's
  // (AVERROR_EXIT), or `timeout_code` with "<protocol>: <what> timed out".
  Status wait_ready(int fd, short events, const Deadline &deadline, int timeout_code, std::string_view what) const;
  // The deadline of one read or write: rw_timeout from now, or never.
  Deadline io_deadline() const { return Deadline::after_us(params_->rw_timeout); }
  // Errors for a wait that did not end ready, named after this protocol.
  Error interrupted_error() const;
  Error timed_out_error(int code, std::string_view what) const;

  const ProtocolInfo &info() const { return *info_; }
  Protocol &protocol() { return *protocol_; }
  // As given (scheme included, inline options removed); NUL-terminated, so
  // url().data() may go to C functions.
  std::string_view url() const { return url_.get(); }
  // url() without its scheme (what Protocol::open received as the target).
  std::string_view target() const { return url().substr(target_offset_); }
  int flags() const { return flags_; }
  const StreamProperties &stream() const { return stream_; }
  const OptionValues &options() const { return options_; }
  OptionValues &mutable_options() { return options_; }
  const Interrupt &interrupt() const { return params_->interrupt; }
  bool interrupted() const { return params_->interrupt.raised(); }
  // What a nested open inherits (the protocol's default whitelist included
  // once connect() applied it).
  UrlOpenParams params() const;
  int64_t rw_timeout() const { return params_->rw_timeout; }
  const std::optional<std::string> &whitelist() const {
    return default_whitelist_ ? info_->default_whitelist() : params_->whitelist;
  }
  const std::optional<std::string> &blacklist() const { return params_->blacklist; }
  // Changes a generic option (url_context_options()) of this URL, as
  // av_opt_set on a URLContext does: rw_timeout from the next read or write,
  // a list for the next nested open; no text (nullopt) clears a list.
  // Errors: kOptionNotFound for another name, OptionValues::set's otherwise.
  Status set_generic_option(std::string_view name, std::optional<std::string_view> text);
  bool connected() const { return connected_; }

 private:
  UrlContext() = default;
  static Result<std::unique_ptr<UrlContext>> alloc_shared(std::string_view url, int flags,
                                                          std::shared_ptr<const UrlOpenParams> params);
  static Result<std::unique_ptr<UrlContext>> open_shared(std::string_view url, int flags,
                                                         std::shared_ptr<const UrlOpenParams> params,
                                                         Dictionary &options, const Deadline &parent_deadline);
  Status connect(Dictionary &options, const Deadline &parent_deadline);
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
  StreamProperties stream_;
  int flags_ = 0;
  uint16_t target_offset_ = 0;
  bool default_whitelist_ = false;  // connect() applied info().default_whitelist()
  bool connected_ = false;          // open or handshake completed
  bool holds_resources_ = false;    // open succeeded or accept made it: close() is owed
  bool closed_ = false;
};

}  // namespace avio

#include "avio/protocol_registry.hpp"

#endif  // AVIO_PROTOCOL_HPP
