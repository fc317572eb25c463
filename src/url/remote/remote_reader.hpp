// One remote object read through a BlockCache: its size and version, the
// connections that fetch its blocks, and the plan that decides how.
//
// A read needs blocks; those the cache lacks are fetched, and with them the
// read-ahead the caller asks for. Missing blocks that follow each other are
// one range; a range beyond the link's range limit, or one that several
// idle connections could share, is cut into pieces fetched at once, one
// per connection. Connections are opened lazily, up to max_connections,
// each the inner protocol's own context (kept alive, each with its own
// bounded ranges); every piece is a positional read validated against the
// object's version, so a changed object is an error, never a splice.
//
// Thread-safety: read_at, read_ranges, block and stats may be called from
// any number of threads; fetches of one call run on threads of their own
// that are joined before it returns, so nothing runs once a call is done.
#ifndef AVIO_SRC_URL_REMOTE_REMOTE_READER_HPP
#define AVIO_SRC_URL_REMOTE_REMOTE_READER_HPP

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

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
};

struct RemoteReadStats {
  int64_t requests = 0;       // ranges asked of the server, opens included
  int64_t connections = 0;    // inner contexts opened
  int64_t bytes_fetched = 0;  // bytes those requests returned
  int64_t cache_hits = 0;     // blocks found in the cache
  int64_t cache_misses = 0;   // blocks this object fetched
  CoalesceLimits limits;      // the hole and range in use
};

struct PlannedRead {
  int64_t offset = 0;
  std::span<uint8_t> dst;
};

class RemoteReader {
 public:
  using Block = BlockCache::Block;

  // `primary` is the object's first context, just opened, its stream at
  // byte 0; `owner` opens the others (its interrupt and limits are theirs),
  // from `url` with `options`. The first min(head, size) bytes are read at
  // once (they came with the open's response).
  static Result<std::unique_ptr<RemoteReader>> open(std::unique_ptr<UrlContext> primary, UrlContext &owner,
                                                    std::string url, Dictionary options,
                                                    const RemoteReaderConfig &config, int64_t head);
  ~RemoteReader();

  int64_t size() const { return size_; }
  const std::string &version() const { return version_; }
  int64_t block_size() const { return block_size_; }

  // Block `index`, fetching it (and the blocks after it up to `readahead`
  // blocks in all, those missing) when the cache lacks it. *fetched says
  // whether that happened.
  Result<Block> block(int64_t index, int64_t readahead, bool *fetched);
  // All of dst from `offset` unless the object ends first.
  Result<size_t> read_at(int64_t offset, std::span<uint8_t> dst);
  // Every read at once: ranges coalesced by the link's limits, fetched in
  // parallel, then copied. Each is read whole, or up to the object's end.
  Status read_ranges(std::span<const PlannedRead> reads);

  RemoteReadStats stats() const;
  // The context the object was opened with (kept even if its connection
  // fails), to show its options.
  UrlContext &primary() { return *primary_; }

 private:
  explicit RemoteReader(const RemoteReaderConfig &config);

  // The blocks `indices` (ascending), in that order: found, fetched (with the
  // missing blocks after the last one, up to prefetch_end, when any had to
  // be), or waited for.
  Result<std::vector<Block>> acquire(std::span<const int64_t> indices, int64_t prefetch_end, bool *fetched);
  // Fetches the claimed blocks (sorted) and settles them in the cache.
  Status fetch(const std::vector<int64_t> &claimed, std::vector<Block> *got);
  Result<std::vector<uint8_t>> fetch_piece(ByteRange piece);
  Result<std::unique_ptr<UrlContext>> take_connection(ByteRange first, std::vector<uint8_t> *data, bool *fetched);
  void give_back(std::unique_ptr<UrlContext> url);
  void drop_connection(std::unique_ptr<UrlContext> url);
  ByteRange block_range(int64_t index) const;

  UrlContext *owner_ = nullptr;
  std::string url_;
  Dictionary options_;
  BlockCache *cache_ = nullptr;
  std::string object_;  // the cache's name for this version
  std::string version_;
  int64_t size_ = 0;
  int64_t block_size_ = 0;
  int max_connections_ = 1;
  bool open_at_range_ = false;
  std::vector<uint8_t> head_;  // bytes [0, head_.size()) from the open
  UrlContext *primary_ = nullptr;
  std::unique_ptr<UrlContext> retired_primary_;  // the primary, once its connection failed
  LinkModel link_;

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<UrlContext>> idle_;
  int open_connections_ = 0;

  std::atomic<int64_t> requests_{0}, connections_{0}, bytes_{0}, hits_{0}, misses_{0};
};

}  // namespace avio::remote

#endif  // AVIO_SRC_URL_REMOTE_REMOTE_READER_HPP
