#include "block_cache.hpp"

#include <chrono>
#include <functional>

namespace avio::remote {

struct BlockCache::Pending {
  bool done = false;
  Block block;
  std::optional<Error> error;
};

size_t BlockCache::KeyHash::operator()(const Key &k) const {
  return std::hash<std::string>()(k.object) ^ (std::hash<int64_t>()(k.index) * 0x9e3779b97f4a7c15ULL);
}

BlockCache::BlockCache(size_t capacity) : capacity_(capacity) {}

BlockCache &BlockCache::shared() {
  static BlockCache *cache = new BlockCache(size_t{64} << 20);  // never destroyed: contexts may outlive statics
  return *cache;
}

size_t BlockCache::capacity() const {
  std::lock_guard lock(mu_);
  return capacity_;
}

void BlockCache::set_capacity(size_t bytes) {
  std::lock_guard lock(mu_);
  capacity_ = bytes;
  make_room_locked(0);
}

BlockCache::Lookup BlockCache::lookup(const std::string &object, int64_t index, size_t reserve, bool only_if_room) {
  std::lock_guard lock(mu_);
  Key key{object, index};
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (only_if_room && stats_.reserved + reserve > capacity_) {
      ++stats_.refused;
      return {.no_room = true};
    }
    make_room_locked(reserve);
    Entry e;
    e.pending = std::make_shared<Pending>();
    e.reserved = reserve;
    entries_.emplace(std::move(key), std::move(e));
    stats_.reserved += reserve;
    stats_.peak = std::max(stats_.peak, stats_.resident + stats_.reserved);
    ++stats_.misses;
    return {.claimed = true};
  }
  Entry &e = it->second;
  if (e.block) {
    lru_.splice(lru_.begin(), lru_, e.lru);
    ++stats_.hits;
    return {.block = e.block};
  }
  ++stats_.merged;
  return {.pending = e.pending};
}

BlockCache::Block BlockCache::peek(const std::string &object, int64_t index) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key{object, index});
  if (it == entries_.end() || !it->second.block) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  ++stats_.hits;
  return it->second.block;
}

void BlockCache::consumed(const std::string &object, int64_t index, size_t bytes) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key{object, index});
  if (it == entries_.end() || !it->second.block) return;
  Entry &e = it->second;
  const bool was_done = e.consumed >= e.block->size();
  e.consumed += bytes;
  if (!was_done && e.consumed >= e.block->size()) lru_.splice(lru_.end(), lru_, e.lru);
}

bool BlockCache::known(const std::string &object, int64_t index) const {
  std::lock_guard lock(mu_);
  return entries_.contains(Key{object, index});
}

BlockCache::Block BlockCache::fulfil(const std::string &object, int64_t index, BlockBytes data) {
  Block block = std::make_shared<const BlockBytes>(std::move(data));
  std::lock_guard lock(mu_);
  settle_locked(Key{object, index}, block, nullptr);
  return block;
}

void BlockCache::fail(const std::string &object, int64_t index, const Error &why) {
  std::lock_guard lock(mu_);
  settle_locked(Key{object, index}, nullptr, &why);
}

void BlockCache::abandon(const std::string &object, int64_t index) {
  std::lock_guard lock(mu_);
  settle_locked(Key{object, index}, nullptr, nullptr);
}

void BlockCache::settle_locked(const Key &key, Block block, const Error *why) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.block) return;  // forgotten meanwhile, or settled by another path
  std::shared_ptr<Pending> pending = std::move(it->second.pending);
  stats_.reserved -= it->second.reserved;
  pending->done = true;
  pending->block = block;
  if (why) pending->error = *why;
  const size_t bytes = block ? block->size() : 0;
  // Make room first: the new block is not among the candidates. Claims in
  // flight cannot be evicted: beside them it may not fit.
  entries_.erase(it);
  if (block && stats_.reserved + bytes <= capacity_) {
    make_room_locked(bytes);
    lru_.push_front(key);
    entries_.emplace(key, Entry{.block = std::move(block), .pending = nullptr, .lru = lru_.begin()});
    stats_.resident += bytes;
    stats_.peak = std::max(stats_.peak, stats_.resident + stats_.reserved);
  }
  settled_.notify_all();
}

void BlockCache::make_room_locked(size_t incoming) {
  while (stats_.resident + stats_.reserved + incoming > capacity_ && !lru_.empty()) {
    auto it = entries_.find(lru_.back());
    erase_locked(it);
    ++stats_.evictions;
  }
}

void BlockCache::erase_locked(std::unordered_map<Key, Entry, KeyHash>::iterator it) {
  stats_.resident -= it->second.block->size();
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

Result<BlockCache::Block> BlockCache::wait(const std::shared_ptr<Pending> &pending, const Interrupt &interrupt) {
  std::unique_lock lock(mu_);
  while (!pending->done) {
    settled_.wait_for(lock, std::chrono::milliseconds(10));
    if (!pending->done && interrupt.raised())
      return Error(kExit, "blockcache: interrupted while waiting for a block another reader fetches");
  }
  if (const std::optional<Error> error = pending->error; error) return *error;
  return pending->block;
}

void BlockCache::forget(const std::string &object) {
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (it->first.object == object && it->second.block) erase_locked(it);
    it = next;
  }
}

void BlockCache::reset_peak() {
  std::lock_guard lock(mu_);
  stats_.peak = stats_.resident + stats_.reserved;
}

BlockCache::Stats BlockCache::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace avio::remote
