// One remote object read through a BlockCache: its size and version, the
// connections that fetch its blocks, and the plan that decides how.
//
// A read needs blocks; those the cache lacks are fetched, and with them the
// read-ahead the caller asks for. The missing blocks are shared out among
// idle connections as pieces (a piece is at most the link's range limit,
// unless that would leave pieces queueing for connections); a piece is one
// read_ranges call on one connection, so blocks apart from each other cost
// one request where the inner protocol takes several ranges at once (http's
// multipart ranges). Connections are opened lazily, up to max_connections,
// each the inner protocol's own context, kept alive; every piece is checked
// against the object's version, so a changed object is an error, never a
// splice.
//
// read_ahead() fetches in the background: pieces run on threads of their
// own while the reader consumes what came before, and a reader that needs a
// block such a piece brings waits for it. A plan (read_ranges) is fetched
// straight into the caller's buffers, bytes the cache holds excepted.
//
// Thread-safety: every method may be called from any number of threads.
// Background fetches end with the reader: its destructor raises the token
// every connection it opened waits on and joins them.
#ifndef AVIO_SRC_URL_REMOTE_REMOTE_READER_HPP
#define AVIO_SRC_URL_REMOTE_REMOTE_READER_HPP

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "avio/interrupt.hpp"
#include "avio/protocol.hpp"
#include "block_cache.hpp"
#include "range_plan.hpp"

namespace avio::remote {

struct RemoteReaderConfig {
  int64_t block_size = int64_t{1} << 20;
  int max_connections = 4;
  int64_t initial_hole = int64_t{1} << 20;
  BlockCache *cache = nullptr;  // null: BlockCache::shared()
  // The inner protocol takes http's "offset" / "end_offset": a new
  // connection's open then fetches its first piece instead of a throwaway.
  bool open_at_range = false;
  // The inner protocol takes http's "known_size" / "known_version": a new
  // connection for a plan then opens without a request, and the plan's
  // request is its first (one first byte instead of two).
  bool open_known = false;
  // One read_ranges call of the inner protocol is one request even for
  // ranges apart (ProtocolTraits::Remote::multi_range), about this many
  // (ranges_per_request; 0: any number).
  bool multi_range = false;
  int ranges_per_request = 0;
  // What every connection's waits end on besides the owner's interrupt
  // (connection_params); raised by the reader's destructor.
  std::shared_ptr<CancellationToken> cancel;
  // When the primary's open was asked for: the head's request time, first
  // byte included, is the link model's first observation.
  std::chrono::steady_clock::time_point head_asked{};
};

struct RemoteReadStats {
  int64_t requests = 0;       // requests made, opens included (a multi-range call counts once)
  int64_t connections = 0;    // inner contexts opened
  int64_t bytes_fetched = 0;  // bytes those requests returned
  int64_t cache_hits = 0;     // blocks found in the cache
  int64_t cache_misses = 0;   // blocks this object fetched
  CoalesceLimits limits;      // the hole and range in use
};

class RemoteReader {
 public:
  using Block = BlockCache::Block;

  // What a connection of the reader is opened with: the owner's, its waits
  // ending also on `cancel`.
  static UrlOpenParams connection_params(const UrlContext &owner, std::shared_ptr<const CancellationToken> cancel);

  // `primary` is the object's first context, opened with
  // connection_params(owner, config.cancel), its stream at byte 0; the
  // others are opened so, from `url` with `options`. The first
  // min(head, size) bytes are read at once (they came with the open's
  // response).
  static Result<std::unique_ptr<RemoteReader>> open(std::unique_ptr<UrlContext> primary, UrlContext &owner,
                                                    std::string url, Dictionary options,
                                                    const RemoteReaderConfig &config, int64_t head);
  ~RemoteReader();

  int64_t size() const { return size_; }
  const std::string &version() const { return version_; }
  int64_t block_size() const { return block_size_; }
  // Bytes [0, head().size()) as the open brought them.
  std::span<const uint8_t> head() const { return head_; }

  // Block `index`, fetching it (and the blocks after it up to `readahead`
  // blocks in all, those missing) when the cache lacks it. *fetched says
  // whether that happened.
  Result<Block> block(int64_t index, int64_t readahead, bool *fetched);
  // Starts fetching, in the background, the missing blocks of
  // [from, from + horizon) in pieces of at most `piece` blocks, while fewer
  // pieces than connections are in flight; returns at once.
  void read_ahead(int64_t from, int64_t horizon, int64_t piece);
  // Keeps one stream fetching the blocks of [from, from + horizon) in order:
  // a request from a block to the object's end, on a connection of its own,
  // each block settled as soon as its bytes are in, so the whole read-ahead
  // pays one first byte. A new stream begins at the window's first block
  // nobody has, claimed before this returns (a reader that needs it waits
  // for the stream rather than asks for it). Later calls move
  // the window on; the stream ends at the object's end, at a block another
  // reader holds or fetches, behind `from`, or at stop_stream(). Needs the
  // inner protocol's offset / end_offset (can_stream()).
  void stream_ahead(int64_t from, int64_t horizon);
  void stop_stream();
  bool can_stream() const { return open_at_range_; }
  // All of dst from `offset` unless the object ends first. When blocks must
  // be fetched, the missing ones of a window from the first come with them:
  // twice the run of blocks the cache knows right before it (a positional
  // reader's history, known_run_before), within [1, readahead_limit].
  Result<size_t> read_at(int64_t offset, std::span<uint8_t> dst, int64_t readahead_limit = 1);
  // Counts `bytes` of block `index` as read by a reader that copies from the
  // block itself (a cursor): a block read through goes before the
  // read-ahead not reached yet (BlockCache::consumed).
  void consumed(int64_t index, size_t bytes) { cache_->consumed(object_, index, bytes); }
  // How many blocks right before `index` the cache holds or is fetching,
  // counting back at most `limit`: the history of readers without a cursor.
  int64_t known_run_before(int64_t index, int64_t limit) const;
  // Every read at once, each read whole or up to the object's end: those
  // the cache holds are copied, the others fetched in parallel straight
  // into their buffers, coalesced by the link's limits (by a small hole
  // where a request takes many ranges), their progress told as they come.
  Status read_ranges(std::span<const ReadRequest> reads);
  // Runs `work` on a thread of its own, at once; the destructor (which ends
  // every connection's waits first) joins it. For a fetch the caller does
  // not wait for whole, such as read_ranges() whose reads tell their
  // progress: `work` must own what it fetches into.
  void run_in_background(std::function<void()> work);

  RemoteReadStats stats() const;
  int64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  CoalesceLimits limits() const { return link_.limits(); }
  const LinkModel &link() const { return link_; }
  int max_connections() const { return max_connections_; }
  // The context the object was opened with (kept even if its connection
  // fails), to show its options.
  UrlContext &primary() { return *primary_; }

 private:
  explicit RemoteReader(const RemoteReaderConfig &config);

  // The blocks `indices` (ascending), in that order: found, fetched (with the
  // missing blocks after the last one, up to prefetch_end, when any had to
  // be), or waited for. With history_limit > 0, prefetch_end reaches at least
  // read_at's window from the history (worked out only when a block is
  // missing).
  Result<std::vector<Block>> acquire(std::span<const int64_t> indices, int64_t prefetch_end, bool *fetched,
                                     int64_t history_limit = 0);
  // Copies the object's bytes from `offset` into dst from `blocks`, the
  // consecutive blocks from offset's on, counting them read
  // (BlockCache::consumed).
  void copy_out(std::span<const Block> blocks, int64_t offset, std::span<uint8_t> dst);
  // Fetches the claimed blocks (sorted) and settles them in the cache.
  Status fetch(const std::vector<int64_t> &claimed, std::vector<Block> *got);
  // One piece: the claimed `blocks` (ascending) over one connection,
  // settled in the cache; into got[0..] when got is set.
  Status fetch_blocks(std::span<const int64_t> blocks, Block *got);
  // Reads `reads` (ascending, apart or following each other) over one
  // connection: one read_ranges call, after the first range when a new
  // connection's open brought it.
  Status fetch_ranges(std::span<const ReadRequest> reads);
  struct Connection {
    std::unique_ptr<UrlContext> url;
    bool at_first = false;                  // opened on `first`: its stream holds those bytes
    std::chrono::nanoseconds open_time{0};  // how long its open took (zero for an idle one)
  };
  // An idle connection, else a new one opened on `first`; `fresh`: always a
  // new one (an idle one is closed to make room). `ask_later`: the caller
  // makes the first request, so a new one need not ask for `first`.
  Result<Connection> take_connection(ByteRange first, bool fresh = false, bool ask_later = false);
  // The stream's body: blocks from `next` (claimed already) on, while the
  // stream's generation is `generation`.
  void run_stream(int64_t next, uint64_t generation);
  void give_back(std::unique_ptr<UrlContext> url);
  void drop_connection(std::unique_ptr<UrlContext> url);
  // With pool_mu_ held: `url` no longer counts as open; returned to be
  // closed (outside the lock if the caller likes), unless it is the primary.
  std::unique_ptr<UrlContext> release_locked(std::unique_ptr<UrlContext> url);
  // -EIO: the object ended at `byte`, short of what was asked.
  Error ended_at(int64_t byte) const;
  ByteRange block_range(int64_t index) const;
  int64_t block_count() const { return (size_ + block_size_ - 1) / block_size_; }
  void reap_locked();
  // With tasks_mu_ held: runs `work` on a thread of its own, joined by
  // reap_locked() once done or by the destructor.
  void start_task_locked(std::function<void()> work);

  UrlContext *owner_ = nullptr;
  std::shared_ptr<CancellationToken> cancel_;
  UrlOpenParams params_;  // connection_params(owner, cancel)
  std::string url_;
  Dictionary options_;
  BlockCache *cache_ = nullptr;
  std::string object_;  // the cache's name for this version
  std::string version_;
  int64_t size_ = 0;
  int64_t block_size_ = 0;
  int max_connections_ = 1;
  bool open_at_range_ = false;
  bool open_known_ = false;
  bool multi_range_ = false;
  int ranges_per_request_ = 0;
  std::vector<uint8_t> head_;  // bytes [0, head_.size()) from the open
  UrlContext *primary_ = nullptr;
  std::unique_ptr<UrlContext> retired_primary_;  // the primary, once its connection failed
  LinkModel link_;

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<UrlContext>> idle_;
  int open_connections_ = 0;

  struct Task {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex tasks_mu_;
  std::vector<Task> tasks_;  // background pieces and the stream

  std::mutex stream_mu_;
  std::condition_variable stream_cv_;
  bool stream_running_ = false;
  uint64_t stream_generation_ = 0;  // stop_stream() moves it on: the running stream ends
  int64_t stream_floor_ = 0;        // blocks below it are behind the reader
  int64_t stream_limit_ = 0;        // and from it on, too far ahead for now

  std::atomic<int64_t> requests_{0}, connections_{0}, bytes_{0}, hits_{0}, misses_{0};
};

}  // namespace avio::remote

#endif  // AVIO_SRC_URL_REMOTE_REMOTE_READER_HPP
