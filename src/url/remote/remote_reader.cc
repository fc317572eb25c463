#include "remote_reader.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <thread>
#include <unordered_map>

namespace avio::remote {

namespace {

using Clock = std::chrono::steady_clock;

// Runs every job, job 0 on the calling thread and the others on threads of
// their own, and returns the first failure.
Status run_all(std::vector<std::function<Status()>> &jobs) {
  std::vector<Status> results(jobs.size());
  std::vector<std::thread> threads;
  threads.reserve(jobs.size());
  for (size_t i = 1; i < jobs.size(); ++i) threads.emplace_back([&, i] { results[i] = jobs[i](); });
  if (!jobs.empty()) results[0] = jobs[0]();
  for (std::thread &t : threads) t.join();
  for (Status &st : results)
    if (!st) return st;
  return {};
}

}  // namespace

RemoteReader::RemoteReader(const RemoteReaderConfig &config) : link_(config.initial_hole) {}

RemoteReader::~RemoteReader() = default;

Result<std::unique_ptr<RemoteReader>> RemoteReader::open(std::unique_ptr<UrlContext> primary, UrlContext &owner,
                                                         std::string url, Dictionary options,
                                                         const RemoteReaderConfig &config, int64_t head) {
  const Clock::time_point start = Clock::now();
  Result<int64_t> size = primary->size();
  if (!size) return size.error();
  std::unique_ptr<RemoteReader> r(new RemoteReader(config));
  r->owner_ = &owner;
  r->url_ = std::move(url);
  r->options_ = std::move(options);
  r->cache_ = config.cache ? config.cache : &BlockCache::shared();
  r->size_ = *size;
  r->block_size_ = config.block_size;
  r->max_connections_ = std::max(1, config.max_connections);
  r->open_at_range_ = config.open_at_range;
  r->version_ = primary->protocol().object_version();
  // Without a version, blocks cannot be shared safely with another open: the
  // name is then this reader's own.
  static std::atomic<uint64_t> unversioned{0};
  r->object_ = r->url_ + '\n' + (r->version_.empty() ? "#" + std::to_string(++unversioned) : r->version_);
  r->head_.resize(static_cast<size_t>(std::min(head, *size)));
  if (!r->head_.empty()) {
    Result<size_t> n = primary->read_complete(r->head_);
    if (!n) return n.error();
    r->head_.resize(*n);
  }
  r->link_.observe(static_cast<int64_t>(r->head_.size()), Clock::now() - start);
  r->requests_ = 1;
  r->connections_ = 1;
  r->bytes_ = static_cast<int64_t>(r->head_.size());
  r->open_connections_ = 1;
  r->primary_ = primary.get();
  r->idle_.push_back(std::move(primary));
  return r;
}

ByteRange RemoteReader::block_range(int64_t index) const {
  const int64_t offset = index * block_size_;
  return {offset, std::min(block_size_, size_ - offset)};
}

Result<RemoteReader::Block> RemoteReader::block(int64_t index, int64_t readahead, bool *fetched) {
  const int64_t blocks = (size_ + block_size_ - 1) / block_size_;
  const int64_t wanted[] = {index};
  Result<std::vector<Block>> got = acquire(wanted, std::min(blocks, index + std::max<int64_t>(readahead, 1)), fetched);
  if (!got) return got.error();
  return std::move((*got)[0]);
}

Result<size_t> RemoteReader::read_at(int64_t offset, std::span<uint8_t> dst) {
  if (offset >= size_) return Error::eof();
  const size_t want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(dst.size()), size_ - offset));
  if (want == 0) return size_t{0};
  const int64_t first = offset / block_size_;
  const int64_t last = (offset + static_cast<int64_t>(want) - 1) / block_size_;
  std::vector<int64_t> wanted(static_cast<size_t>(last - first + 1));
  std::iota(wanted.begin(), wanted.end(), first);
  bool fetched = false;
  Result<std::vector<Block>> blocks = acquire(wanted, 0, &fetched);
  if (!blocks) return blocks.error();
  size_t done = 0;
  for (const Block &b : *blocks) {
    const int64_t at = offset + static_cast<int64_t>(done);
    const size_t from = static_cast<size_t>(at % block_size_);
    const size_t n = std::min(want - done, b->size() - from);
    std::memcpy(dst.data() + done, b->data() + from, n);
    done += n;
  }
  return done;
}

Status RemoteReader::read_ranges(std::span<const PlannedRead> reads) {
  std::vector<ByteRange> wanted;
  wanted.reserve(reads.size());
  for (const PlannedRead &r : reads) {
    const int64_t end = std::min(size_, r.offset + static_cast<int64_t>(r.dst.size()));
    if (r.offset < end) wanted.push_back({r.offset, end - r.offset});
  }
  // The plan in blocks: a hole the link finds cheaper to read than to skip
  // brings its blocks along, so its neighbours come in one request.
  std::vector<int64_t> indices;
  for (const ByteRange &span : coalesce(std::move(wanted), link_.limits())) {
    for (int64_t i = span.offset / block_size_; i <= (span.end() - 1) / block_size_; ++i) indices.push_back(i);
  }
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  // The reads each block serves.
  std::unordered_map<int64_t, std::vector<size_t>> readers;
  for (size_t k = 0; k < reads.size(); ++k) {
    const int64_t end = std::min(size_, reads[k].offset + static_cast<int64_t>(reads[k].dst.size()));
    for (int64_t at = reads[k].offset; at < end; at = (at / block_size_ + 1) * block_size_)
      readers[at / block_size_].push_back(k);
  }
  // In batches of half the cache (but a piece per connection at least), so
  // that a plan over more than the cache holds neither more memory than the
  // bound nor blocks the cache has already dropped.
  const int64_t batch = std::max<int64_t>(
      max_connections_, static_cast<int64_t>(cache_->capacity()) / 2 / std::max<int64_t>(block_size_, 1));
  for (size_t from = 0; from < indices.size(); from += static_cast<size_t>(batch)) {
    const std::span<const int64_t> wanted =
        std::span<const int64_t>(indices).subspan(from, std::min(indices.size() - from, static_cast<size_t>(batch)));
    bool fetched = false;
    Result<std::vector<Block>> held = acquire(wanted, 0, &fetched);
    if (!held) return held.error();
    for (size_t w = 0; w < wanted.size(); ++w) {
      const int64_t index = wanted[w];
      const Block &block = (*held)[w];
      auto it = readers.find(index);
      if (it == readers.end()) continue;  // a hole's block
      const int64_t block_start = index * block_size_;
      for (size_t k : it->second) {
        const PlannedRead &r = reads[k];
        const int64_t from_byte = std::max(r.offset, block_start);
        const int64_t to_byte = std::min(
            {r.offset + static_cast<int64_t>(r.dst.size()), block_start + static_cast<int64_t>(block->size()), size_});
        if (from_byte < to_byte)
          std::memcpy(r.dst.data() + (from_byte - r.offset), block->data() + (from_byte - block_start),
                      static_cast<size_t>(to_byte - from_byte));
      }
    }
  }
  return {};
}

Result<std::vector<RemoteReader::Block>> RemoteReader::acquire(std::span<const int64_t> indices, int64_t prefetch_end,
                                                               bool *fetched) {
  std::vector<Block> out(indices.size());
  std::vector<std::shared_ptr<BlockCache::Pending>> pending(indices.size());
  std::vector<int64_t> claimed;
  std::vector<size_t> claimed_at;  // where each claimed block goes in `out`
  for (size_t k = 0; k < indices.size(); ++k) {
    BlockCache::Lookup l = cache_->lookup(object_, indices[k]);
    if (l.block) {
      ++hits_;
      out[k] = std::move(l.block);
    } else if (l.pending) {
      pending[k] = std::move(l.pending);
    } else {
      claimed.push_back(indices[k]);
      claimed_at.push_back(k);
    }
  }
  // Read-ahead rides on a request that has to be made anyway: the missing
  // blocks after the needed ones, up to the first that is not missing.
  if (!claimed.empty()) {
    for (int64_t i = indices.back() + 1; i < prefetch_end; ++i) {
      BlockCache::Lookup l = cache_->lookup(object_, i);
      if (!l.claimed) break;
      claimed.push_back(i);
    }
  }
  *fetched = !claimed.empty();
  std::vector<Block> got;
  if (Status st = fetch(claimed, &got); !st) return st.error();
  for (size_t k = 0; k < claimed_at.size(); ++k) out[claimed_at[k]] = std::move(got[k]);
  for (size_t k = 0; k < pending.size(); ++k) {
    if (!pending[k]) continue;
    Result<Block> b = cache_->wait(pending[k], owner_->interrupt());
    if (!b) return b.error();
    out[k] = std::move(*b);
  }
  return out;
}

Status RemoteReader::fetch(const std::vector<int64_t> &claimed, std::vector<Block> *got) {
  got->assign(claimed.size(), nullptr);
  if (claimed.empty()) return {};
  misses_ += static_cast<int64_t>(claimed.size());
  // Runs of consecutive blocks, each cut to the range limit and, when there
  // are fewer pieces than connections, further so that all of them work.
  const CoalesceLimits limits = link_.limits();
  std::vector<std::pair<size_t, size_t>> runs;  // [begin, end) into `claimed`
  for (size_t k = 0; k < claimed.size();) {
    size_t e = k + 1;
    while (e < claimed.size() && claimed[e] == claimed[e - 1] + 1) ++e;
    runs.emplace_back(k, e);
    k = e;
  }
  struct Piece {
    size_t begin, end;  // blocks, into `claimed`
  };
  std::vector<Piece> pieces;
  // More pieces than connections would only queue: then the pieces grow
  // past the range limit instead.
  const size_t per_connection =
      (claimed.size() + static_cast<size_t>(max_connections_) - 1) / static_cast<size_t>(max_connections_);
  const size_t limit_blocks =
      std::max(per_connection, static_cast<size_t>(std::max<int64_t>(1, limits.range / block_size_)));
  for (auto [b, e] : runs) {
    for (size_t k = b; k < e; k += limit_blocks) pieces.push_back({k, std::min(e, k + limit_blocks)});
  }
  while (static_cast<int>(pieces.size()) < max_connections_) {
    auto widest = std::max_element(pieces.begin(), pieces.end(),
                                   [](const Piece &x, const Piece &y) { return x.end - x.begin < y.end - y.begin; });
    if (widest->end - widest->begin < 2) break;
    const size_t mid = widest->begin + (widest->end - widest->begin) / 2;
    const Piece tail{mid, widest->end};
    widest->end = mid;
    pieces.push_back(tail);
  }
  std::vector<std::function<Status()>> jobs;
  jobs.reserve(pieces.size());
  for (const Piece &p : pieces) {
    jobs.emplace_back([this, p, &claimed, got]() -> Status {
      const ByteRange first = block_range(claimed[p.begin]);
      const ByteRange last = block_range(claimed[p.end - 1]);
      ByteRange range{first.offset, last.end() - first.offset};
      // Block 0 begins with the bytes the open brought.
      const int64_t skip = range.offset == 0 ? std::min<int64_t>(static_cast<int64_t>(head_.size()), range.length) : 0;
      Result<std::vector<uint8_t>> data =
          skip == range.length ? std::vector<uint8_t>() : fetch_piece({range.offset + skip, range.length - skip});
      for (size_t k = p.begin; k < p.end; ++k) {
        const int64_t index = claimed[k];
        if (!data) {
          cache_->fail(object_, index, data.error());
          continue;
        }
        const ByteRange br = block_range(index);
        std::vector<uint8_t> bytes(static_cast<size_t>(br.length));
        int64_t at = br.offset;
        if (at < skip) {
          std::memcpy(bytes.data(), head_.data() + at, static_cast<size_t>(skip - at));
          at = skip;
        }
        if (at < br.end())  // else the head held the whole block (and data is empty)
          std::memcpy(bytes.data() + (at - br.offset), data->data() + (at - range.offset - skip),
                      static_cast<size_t>(br.end() - at));
        (*got)[k] = cache_->fulfil(object_, index, std::move(bytes));
      }
      return data ? Status() : Status(data.error());
    });
  }
  return run_all(jobs);
}

Result<std::vector<uint8_t>> RemoteReader::fetch_piece(ByteRange piece) {
  std::vector<uint8_t> data(static_cast<size_t>(piece.length));
  const Clock::time_point start = Clock::now();
  bool fetched = false;
  Result<std::unique_ptr<UrlContext>> url = take_connection(piece, &data, &fetched);
  if (!url) return url.error();
  if (!fetched) {
    Result<size_t> n = (*url)->read_at(piece.offset, data);
    if (!n || *n != data.size()) {
      drop_connection(std::move(*url));  // its state is unknown
      if (!n) return n.error();
      return Error(-EIO, "blockcache: " + url_ + " ended at byte " + std::to_string(piece.offset + *n) + " of " +
                             std::to_string(size_));
    }
    link_.observe(piece.length, Clock::now() - start);
  }
  ++requests_;
  bytes_ += piece.length;
  give_back(std::move(*url));
  return data;
}

Result<std::unique_ptr<UrlContext>> RemoteReader::take_connection(ByteRange first, std::vector<uint8_t> *data,
                                                                  bool *fetched) {
  {
    std::unique_lock lock(pool_mu_);
    for (;;) {
      if (!idle_.empty()) {
        std::unique_ptr<UrlContext> url = std::move(idle_.back());
        idle_.pop_back();
        return url;
      }
      if (open_connections_ < max_connections_) break;
      pool_cv_.wait_for(lock, std::chrono::milliseconds(10));
      if (owner_->interrupted()) return owner_->interrupted_error();
    }
    ++open_connections_;
  }
  Dictionary options = options_;
  if (open_at_range_) {
    options.set("offset", std::to_string(first.offset));
    options.set("end_offset", std::to_string(first.end()));
  }
  Result<std::unique_ptr<UrlContext>> url = owner_->open_nested(url_, kOpenRead, options);
  Status st = url ? Status() : Status(url.error());
  if (st && (*url)->protocol().object_version() != version_)
    st = Error(-EIO, "blockcache: " + url_ + " changed on the server while being read (version " +
                         (*url)->protocol().object_version() + ", had " + version_ + ")");
  if (st && open_at_range_) {
    Result<size_t> n = (*url)->read_complete(*data);
    if (!n) {
      st = n.error();
    } else if (*n != data->size()) {
      st = Error(-EIO, "blockcache: " + url_ + " ended early");
    }
    *fetched = true;
  }
  if (url) ++connections_;
  if (!st) {
    drop_connection(url ? std::move(*url) : nullptr);
    return st.error();
  }
  return url;
}

void RemoteReader::drop_connection(std::unique_ptr<UrlContext> url) {
  std::lock_guard lock(pool_mu_);
  if (url && url.get() == primary_) retired_primary_ = std::move(url);
  url.reset();
  --open_connections_;
  pool_cv_.notify_one();
}

void RemoteReader::give_back(std::unique_ptr<UrlContext> url) {
  std::lock_guard lock(pool_mu_);
  idle_.push_back(std::move(url));
  pool_cv_.notify_one();
}

RemoteReadStats RemoteReader::stats() const {
  return {requests_.load(), connections_.load(), bytes_.load(), hits_.load(), misses_.load(), link_.limits()};
}

}  // namespace avio::remote
