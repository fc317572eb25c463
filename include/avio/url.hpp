// Opening URLs: `open_url` resolves a URL to a protocol, connects it and
// wraps it in a buffered `IOContext` (FFmpeg's avio_open2), with the same
// buffer size, seekability, packet sizes and short-seek threshold FFmpeg
// gives each protocol. Closing the IOContext flushes and closes the URL.
//
// URL rules are FFmpeg's: a plain path is `file`; `scheme:rest` selects
// `scheme`; nested schemes (`crypto+file:...`, `crypto:file:...`) and the
// inline option syntax (`subfile,,start,10,end,20,,:URL`) work as there.
//
// Options: `OpenOptions::options` holds the caller's key/value options
// (AVDictionary). Each protocol takes the entries it declares (and nested
// protocols take theirs); `open_url` fails with kOptionNotFound naming any
// entry no protocol used, unless `leftover` is given, which then receives
// them (what avio_open2 hands back).
//
// Thread-safety: the free functions may be called from any thread (the
// registry they consult is thread-safe). A context they return is used by
// one thread at a time, except IOContext::read_at where its backend says
// concurrent_read_at, and an Interrupt's token, which any thread may cancel.
#ifndef AVIO_URL_HPP
#define AVIO_URL_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "avio/error.hpp"
#include "avio/io_context.hpp"
#include "avio/protocol.hpp"
#include "avio/protocol_registry.hpp"
#include "avio/url_options.hpp"

namespace avio {

// The largest refill of a reader that reads ahead, unless OpenOptions says
// otherwise.
inline constexpr int64_t kDefaultReadAhead = int64_t{1} << 20;

struct OpenOptions {
  int flags = kOpenRead;  // kOpenRead / kOpenWrite / kOpenReadWrite, | kOpenDirect / kOpenNonBlock
  Dictionary options;
  // Stops blocking reads and writes: FFmpeg's interrupt callback, or a token.
  std::function<bool()> interrupt_callback;
  std::shared_ptr<const CancellationToken> cancel;
  // Microseconds; 0 waits forever. Same as the "rw_timeout" option.
  int64_t rw_timeout = 0;
  // Microseconds the whole open (name resolution, connect, handshakes, nested
  // opens) may take, then -ETIMEDOUT; 0 waits forever (FFmpeg has no such
  // bound; its protocols have their own "timeout" options).
  int64_t open_timeout = 0;
  // Comma-separated protocol names; unset means no restriction (then each
  // protocol's default whitelist applies to what it opens nested).
  std::optional<std::string> protocol_whitelist;
  std::optional<std::string> protocol_blacklist;
  // Null: ProtocolRegistry::global().
  const ProtocolRegistry *registry = nullptr;
  // Receives the options no protocol recognised; null makes them an error.
  Dictionary *leftover = nullptr;
  // Read-ahead for a reader of a stream whose reads cost only their copy
  // (StreamProperties::read_ahead: file:, fd: and data:, subfile: and
  // concat: over them): its refills double from the buffer size up to this
  // many bytes while it reads on, and start again after a seek (see
  // ContextOptions::read_ahead_max). Negative: kDefaultReadAhead; 0: FFmpeg's
  // fixed refills, as the C API always does. Writers never read ahead.
  int64_t read_ahead_max = -1;
  // Reads of http, https and s3 objects go through the process's block
  // cache (the blockcache protocol: shared blocks, read-ahead, coalesced and
  // parallel ranges; its options, such as cache_size, may be given in
  // `options`). False reads them as FFmpeg does, as the C API always does.
  bool block_cache = true;
};

// avio_open2. Errors: kProtocolNotFound for an unknown scheme, -ENOENT for
// a missing file, -EINVAL for a protocol outside the lists, and so on, each
// with a detail naming the URL or option at fault.
Result<IOContext> open_url(std::string_view url, const OpenOptions &options = {});
inline Result<IOContext> open_url(std::string_view url, int flags) {
  OpenOptions o;
  o.flags = flags;
  return open_url(url, o);
}

// Opens the URL without buffering (ffurl_open_whitelist), for protocols and
// tools that want the raw stream (through the block cache as open_url does).
Result<std::unique_ptr<UrlContext>> open_url_context(std::string_view url, const OpenOptions &options = {});

// Reads every range of a plan at once (a demuxer's index, a Parquet footer):
// over the block cache, ranges closer than the link's hole are one request
// and requests run in parallel; elsewhere, one read_at after another. Each
// dst is filled whole unless the stream ends first. Does not move the
// stream position. -ENOSYS without positional reads. Thread-safety as
// IOContext::read_at's.
Status read_ranges(IOContext &ctx, std::span<const ReadRequest> reads);

// Advice that `ctx` will be read at `ranges`, in that order (a demuxer's
// index of the packets it will read, say): a remote URL read through the
// block cache then fetches them ahead, many in one request, instead of a
// block per seek. Contexts that cannot use it ignore it.
Status will_read(IOContext &ctx, std::span<const ByteRange> ranges);

// The URL object under an IOContext made by open_url or accept, or null.
UrlContext *url_context_of(IOContext &ctx);

// Server mode (avio_accept / avio_handshake): on a listening context made
// by open_url, a new client as a buffered context the caller owns, not yet
// handshaken; then call handshake(client) until it returns 0 (> 0: in
// progress). Errors of the listening protocol (-EBADF if it does not
// listen) and of each step are returned as they come.
Result<IOContext> accept(IOContext &server);
Result<int> handshake(IOContext &client);
// ffurl_shutdown on the URL under `ctx` (after flushing what is buffered):
// kOpenRead / kOpenWrite say which direction ends (a TCP half-close, the
// closing chunk of a chunked upload). -ENOSYS when the protocol has none.
Status shutdown(IOContext &ctx, int flags);

// avio_find_protocol_name: the protocol that would handle `url`, or "".
std::string find_protocol_name(std::string_view url, const ProtocolRegistry *registry = nullptr);
// avio_enum_protocols: the names of the protocols that can read (output =
// false) or write (output = true), in registration order.
std::vector<std::string> protocol_names(bool output, const ProtocolRegistry *registry = nullptr);
// avio_check: the subset of `flags` (kOpenRead / kOpenWrite) accessible.
Result<int> check_url(std::string_view url, int flags, const ProtocolRegistry *registry = nullptr);
// The option table of a protocol (avio_protocol_get_class), or empty.
std::span<const OptionSpec> protocol_options(std::string_view name, const ProtocolRegistry *registry = nullptr);
// ffurl_delete / ffurl_move.
Status delete_url(std::string_view url, const ProtocolRegistry *registry = nullptr);
// delete_url with the protocol's options (s3's endpoint and credentials),
// the interrupt, whitelists and registry of `options` (flags and
// open_timeout are not used). An entry no option of the protocol names is
// an error (kOptionNotFound), unless `leftover` takes it.
Status delete_url(std::string_view url, const OpenOptions &options);
Status move_url(std::string_view from, std::string_view to, const ProtocolRegistry *registry = nullptr);

// avio_pause / avio_seek_time on a context made by open_url.
Status pause(IOContext &ctx, bool pause);
Result<int64_t> seek_time(IOContext &ctx, int stream_index, int64_t timestamp, int flags);

// Directory listing (avio_open_dir / avio_read_dir / avio_close_dir).
class Directory {
 public:
  // -ENOSYS when the protocol cannot list directories.
  static Result<Directory> open(std::string_view url, const OpenOptions &options = {});
  Directory(Directory &&) noexcept;
  Directory &operator=(Directory &&) noexcept;
  ~Directory();
  // The next entry, or nullopt at the end ("." and ".." are skipped).
  Result<std::optional<DirEntry>> next();
  Status close();

 private:
  explicit Directory(std::unique_ptr<UrlContext> url);
  std::unique_ptr<UrlContext> url_;
};

}  // namespace avio

#endif  // AVIO_URL_HPP
