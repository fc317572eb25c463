// The blocks of remote objects kept in memory: fixed-size pieces of an
// object version, shared by every context of the process that reads it.
//
// An object is named by a string that must change whenever its bytes may
// (the URL with the ETag or Last-Modified the server gave), so a block is
// never served for another version. The cache holds at most capacity()
// bytes of blocks, evicting the least recently used; a block that would not
// fit (beside the claims in flight) is handed to its readers without being
// kept. A block being fetched is fetched once: whoever asks first claims
// it (Lookup::claimed) and must fulfil() or fail() it; later askers wait()
// for that outcome. A failure is given to the waiters and forgotten, so the
// next reader asks again. A claim reserves the bytes its block will take,
// so blocks in flight count against the bound as resident ones do; a claim
// for read-ahead is made only where its bytes fit.
//
// Thread-safety: every method may be called from any thread.
#ifndef AVIO_SRC_URL_REMOTE_BLOCK_CACHE_HPP
#define AVIO_SRC_URL_REMOTE_BLOCK_CACHE_HPP

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "avio/error.hpp"
#include "avio/interrupt.hpp"

namespace avio::remote {

// Bytes a fetch writes into whole: not zeroed first.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  void construct(U *p) noexcept {
    ::new (static_cast<void *>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U *p, Args &&...args) {
    ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
  }
};
using BlockBytes = std::vector<uint8_t, UninitializedAllocator<uint8_t>>;

class BlockCache {
 public:
  using Block = std::shared_ptr<const BlockBytes>;
  struct Pending;  // a block being fetched

  struct Lookup {
    Block block;                       // in the cache
    std::shared_ptr<Pending> pending;  // being fetched by another reader: wait()
    bool claimed = false;              // the caller fetches it: fulfil() or fail()
    bool no_room = false;              // only_if_room, and the bound is full of claims
  };

  struct Stats {
    int64_t hits = 0;       // lookups that found the block
    int64_t misses = 0;     // lookups that claimed it
    int64_t merged = 0;     // lookups that waited for another reader's fetch
    int64_t evictions = 0;  // blocks dropped to make room
    int64_t refused = 0;    // only_if_room claims refused, the bound being full of claims
    size_t resident = 0;    // bytes held now
    size_t reserved = 0;    // bytes claimed blocks will take
    size_t peak = 0;        // the most bytes held and reserved at once (since reset_peak())
  };

  explicit BlockCache(size_t capacity);
  BlockCache(const BlockCache &) = delete;
  BlockCache &operator=(const BlockCache &) = delete;

  // The process's cache (64 MiB until set_capacity).
  static BlockCache &shared();

  size_t capacity() const;
  // Evicts down to `bytes` at once.
  void set_capacity(size_t bytes);

  // Claiming reserves `reserve` bytes (the block's size) until the claim is
  // settled, evicting to keep resident + reserved within the bound.
  // `only_if_room` (read-ahead, which can wait): a block missing is not
  // claimed when evicting every held block would still leave no room for
  // `reserve` (Lookup::no_room).
  Lookup lookup(const std::string &object, int64_t index, size_t reserve = 0, bool only_if_room = false);
  // The block if it is held; claims nothing.
  Block peek(const std::string &object, int64_t index);
  // Counts `bytes` of a held block as read. Once as many as it holds have
  // been, by whichever readers, it is the first to be evicted: used once,
  // as a sequential reader or interleaved positional readers use blocks,
  // it is done with, and read-ahead not yet read must outlive it.
  void consumed(const std::string &object, int64_t index, size_t bytes);
  // Whether the block is held or being fetched; claims nothing.
  bool known(const std::string &object, int64_t index) const;
  // Stores `data` as the block (if it fits), wakes the waiters, and returns
  // the block either way.
  Block fulfil(const std::string &object, int64_t index, BlockBytes data);
  void fail(const std::string &object, int64_t index, const Error &why);
  // Gives a claim up unfetched (a read-ahead cut short): its waiters get no
  // block and no error, and look it up again.
  void abandon(const std::string &object, int64_t index);
  // The outcome of another reader's fetch: the block, its error, or null
  // when the fetch was abandoned. Ends early (with the interrupt's error,
  // AVERROR_EXIT) within 10 ms of `interrupt` being raised.
  Result<Block> wait(const std::shared_ptr<Pending> &pending, const Interrupt &interrupt);
  // Drops every block of `object` (a version found to be stale).
  void forget(const std::string &object);

  Stats stats() const;
  // Starts the peak over from what is held and reserved now.
  void reset_peak();

 private:
  struct Key {
    std::string object;
    int64_t index = 0;
    friend bool operator==(const Key &, const Key &) = default;
  };
  struct KeyHash {
    size_t operator()(const Key &k) const;
  };
  struct Entry {
    Block block;
    std::shared_ptr<Pending> pending;
    std::list<Key>::iterator lru;  // valid when block is set
    size_t reserved = 0;           // while pending
    size_t consumed = 0;           // bytes read from it (consumed())
  };

  void settle_locked(const Key &key, Block block, const Error *why);
  // Evicts until resident + reserved + `incoming` fits the bound.
  void make_room_locked(size_t incoming);
  void erase_locked(std::unordered_map<Key, Entry, KeyHash>::iterator it);

  mutable std::mutex mu_;
  std::condition_variable settled_;
  size_t capacity_;
  std::unordered_map<Key, Entry, KeyHash> entries_;
  std::list<Key> lru_;  // most recent first
  Stats stats_;
};

}  // namespace avio::remote

#endif  // AVIO_SRC_URL_REMOTE_BLOCK_CACHE_HPP
