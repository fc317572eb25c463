#include "remote_reader.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <numeric>
#include <thread>

#include "../read_plan.hpp"

namespace avio::remote {

namespace {

using Clock = std::chrono::steady_clock;

// The hole read rather than skipped when one request takes many ranges: a
// part costs its header (about 100 bytes) and the server a seek.
constexpr int64_t kMultiRangeHole = int64_t{4} << 10;

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

RemoteReader::~RemoteReader() {
  if (cancel_) cancel_->cancel();
  stop_stream();
  std::lock_guard lock(tasks_mu_);
  for (Task &t : tasks_) t.thread.join();
}

UrlOpenParams RemoteReader::connection_params(const UrlContext &owner,
                                              std::shared_ptr<const CancellationToken> cancel) {
  UrlOpenParams params = owner.params();
  const Interrupt outer = params.interrupt;
  params.interrupt.token = std::move(cancel);
  // The owner's own token can only be polled now, as its callback is.
  if (!outer.empty()) params.interrupt.callback = [outer] { return outer.raised(); };
  return params;
}

Result<std::unique_ptr<RemoteReader>> RemoteReader::open(std::unique_ptr<UrlContext> primary, UrlContext &owner,
                                                         std::string url, Dictionary options,
                                                         const RemoteReaderConfig &config, int64_t head) {
  const Clock::time_point start = config.head_asked == Clock::time_point() ? Clock::now() : config.head_asked;
  Result<int64_t> size = primary->size();
  if (!size) return size.error();
  std::unique_ptr<RemoteReader> r(new RemoteReader(config));
  r->owner_ = &owner;
  r->cancel_ = config.cancel ? config.cancel : std::make_shared<CancellationToken>();
  r->params_ = connection_params(owner, r->cancel_);
  r->url_ = std::move(url);
  r->options_ = std::move(options);
  r->cache_ = config.cache ? config.cache : &BlockCache::shared();
  r->size_ = *size;
  r->block_size_ = config.block_size;
  r->max_connections_ = std::max(1, config.max_connections);
  r->open_at_range_ = config.open_at_range;
  r->open_known_ = config.open_known;
  r->multi_range_ = config.multi_range;
  r->ranges_per_request_ = config.ranges_per_request;
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
  const int64_t wanted[] = {index};
  Result<std::vector<Block>> got =
      acquire(wanted, std::min(block_count(), index + std::max<int64_t>(readahead, 1)), fetched);
  if (!got) return got.error();
  return std::move((*got)[0]);
}

Result<size_t> RemoteReader::read_at(int64_t offset, std::span<uint8_t> dst, int64_t readahead_limit) {
  if (offset >= size_) return Error::eof();
  const size_t want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(dst.size()), size_ - offset));
  if (want == 0) return size_t{0};
  const int64_t first = offset / block_size_;
  const int64_t last = (offset + static_cast<int64_t>(want) - 1) / block_size_;
  std::vector<int64_t> wanted(static_cast<size_t>(last - first + 1));
  std::iota(wanted.begin(), wanted.end(), first);
  bool fetched = false;
  Result<std::vector<Block>> blocks = acquire(wanted, 0, &fetched, std::max<int64_t>(1, readahead_limit));
  if (!blocks) return blocks.error();
  copy_out(*blocks, offset, dst.first(want));
  return want;
}

void RemoteReader::copy_out(std::span<const Block> blocks, int64_t offset, std::span<uint8_t> dst) {
  size_t done = 0;
  for (const Block &b : blocks) {
    const int64_t at = offset + static_cast<int64_t>(done);
    const size_t from = static_cast<size_t>(at % block_size_);
    const size_t n = std::min(dst.size() - done, b->size() - from);
    std::memcpy(dst.data() + done, b->data() + from, n);
    done += n;
    // A block whose every byte has been read goes before the read-ahead the
    // positional readers have not reached yet (an LRU would keep it longer,
    // as just read, and evict those unread).
    consumed(at / block_size_, n);
  }
}

int64_t RemoteReader::known_run_before(int64_t index, int64_t limit) const {
  int64_t run = 0;
  while (run < limit && index - run - 1 >= 0 && cache_->known(object_, index - run - 1)) ++run;
  return run;
}

Status RemoteReader::read_ranges(std::span<const ReadRequest> reads) {
  // What the cache holds is copied; the rest is wanted from the server.
  std::vector<ReadRequest> missing;
  for (const ReadRequest &r : reads) {
    const int64_t end = std::min(size_, r.offset + static_cast<int64_t>(r.dst.size()));
    if (r.offset >= end) continue;
    std::vector<Block> held;
    for (int64_t i = r.offset / block_size_; i <= (end - 1) / block_size_; ++i) {
      Block b = cache_->peek(object_, i);
      if (!b) break;
      held.push_back(std::move(b));
    }
    if (static_cast<int64_t>(held.size()) != (end - 1) / block_size_ - r.offset / block_size_ + 1) {
      missing.push_back({r.offset, r.dst.first(static_cast<size_t>(end - r.offset)), r.progress});
      continue;
    }
    hits_ += static_cast<int64_t>(held.size());
    copy_out(held, r.offset, r.dst.first(static_cast<size_t>(end - r.offset)));
    if (r.progress) r.progress->arrived(r.offset, end - r.offset);
  }
  if (missing.empty()) return {};
  ReadPlan plan(missing, size_);
  // The spans to ask for: neighbours closer than the hole are one span. Where
  // one request takes many ranges, a hole costs its bytes and saves nothing
  // but a part header, so only small ones are read.
  CoalesceLimits limits = link_.limits();
  std::vector<ByteRange> wanted;
  wanted.reserve(plan.spans().size());
  for (const ByteSpan &s : plan.spans()) wanted.push_back({s.first, s.end - s.first});
  if (multi_range_) {
    // More ranges than the connections' requests hold would queue requests
    // one after another on a connection, a first byte each; gaps up to the
    // link's hole are cheaper read than that, smallest first.
    int64_t hole = kMultiRangeHole;
    if (ranges_per_request_ > 0)
      hole = std::max(
          hole, hole_for_count(wanted, static_cast<size_t>(max_connections_) * static_cast<size_t>(ranges_per_request_),
                               limits.hole));
    limits = {hole, std::numeric_limits<int64_t>::max()};
  }
  const std::vector<ByteRange> spans = coalesce(std::move(wanted), limits);
  // A span is received in place: into the reads' buffers where it has
  // wanted bytes (their progress told as they come), into buffers of their
  // own for the holes it reads through (so that a merged span costs its
  // holes' bytes, not a copy of itself). put() then gives every piece's
  // bytes to the other reads that want them.
  std::vector<ReadRequest> requests;
  std::deque<BlockBytes> holes;
  size_t next_wanted = 0;  // into plan.spans(): the first that ends after `at`
  for (const ByteRange &span : spans) {
    for (int64_t at = span.offset; at < span.end();) {
      ReadRequest piece = plan.direct(at, span.end() - at);
      if (piece.dst.empty()) {
        while (plan.spans()[next_wanted].end <= at) ++next_wanted;
        holes.emplace_back(static_cast<size_t>(std::min(plan.spans()[next_wanted].first, span.end()) - at));
        piece = {at, holes.back(), nullptr};
      }
      requests.push_back(piece);
      at += static_cast<int64_t>(piece.dst.size());
    }
  }
  // Shares of equal bytes, one per connection (a span longer than a share
  // is cut too, so that one large read is fetched in parallel), but none
  // under twice the link's hole: a share that short saves less transfer
  // time than the latency of its request (two, on a new connection).
  int64_t total = 0;
  for (const ByteRange &s : spans) total += s.length;
  const int64_t connections = std::clamp<int64_t>(total / (2 * link_.limits().hole), 1, max_connections_);
  const int64_t share = (total + connections - 1) / connections;
  std::vector<std::vector<ReadRequest>> shares(1);
  int64_t in_share = 0;
  for (ReadRequest r : requests) {
    while (!r.dst.empty()) {
      if (in_share >= share) {
        shares.emplace_back();
        in_share = 0;
      }
      const size_t n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(r.dst.size()), share - in_share));
      shares.back().push_back({r.offset, r.dst.first(n), r.progress});
      r.offset += static_cast<int64_t>(n);
      r.dst = r.dst.subspan(n);
      in_share += static_cast<int64_t>(n);
    }
  }
  std::vector<std::function<Status()>> jobs;
  jobs.reserve(shares.size());
  for (const std::vector<ReadRequest> &s : shares)
    jobs.emplace_back([this, &s]() -> Status { return fetch_ranges(s); });
  if (Status st = run_all(jobs); !st) return st;
  for (const ReadRequest &r : requests) plan.put(r.offset, r.dst);
  return {};
}

Result<std::vector<RemoteReader::Block>> RemoteReader::acquire(std::span<const int64_t> indices, int64_t prefetch_end,
                                                               bool *fetched, int64_t history_limit) {
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
    if (history_limit > 0) {
      const int64_t run = known_run_before(indices.front(), history_limit);
      prefetch_end = std::max(prefetch_end, indices.front() + std::clamp<int64_t>(2 * run, 1, history_limit));
    }
    prefetch_end = std::min(prefetch_end, block_count());
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
  std::vector<int64_t> again;  // abandoned by their fetcher: asked for anew
  std::vector<size_t> again_at;
  for (size_t k = 0; k < pending.size(); ++k) {
    if (!pending[k]) continue;
    Result<Block> b = cache_->wait(pending[k], owner_->interrupt());
    if (!b) return b.error();
    if (!*b) {
      again.push_back(indices[k]);
      again_at.push_back(k);
    }
    out[k] = std::move(*b);
  }
  if (!again.empty()) {
    bool more = false;
    Result<std::vector<Block>> got_again = acquire(again, 0, &more);
    if (!got_again) return got_again.error();
    for (size_t j = 0; j < again.size(); ++j) out[again_at[j]] = std::move((*got_again)[j]);
    *fetched = *fetched || more;
  }
  return out;
}

Status RemoteReader::fetch(const std::vector<int64_t> &claimed, std::vector<Block> *got) {
  got->assign(claimed.size(), nullptr);
  if (claimed.empty()) return {};
  misses_ += static_cast<int64_t>(claimed.size());
  // Pieces of at most the range limit, larger when there would be more
  // pieces than connections (they would only queue). Without multi-range
  // requests a piece is also cut where the blocks stop following each other.
  const size_t per_connection =
      (claimed.size() + static_cast<size_t>(max_connections_) - 1) / static_cast<size_t>(max_connections_);
  const size_t limit_blocks =
      std::max(per_connection, static_cast<size_t>(std::max<int64_t>(1, link_.limits().range / block_size_)));
  struct Piece {
    size_t begin, end;  // into `claimed`
  };
  std::vector<Piece> pieces;
  for (size_t k = 0; k < claimed.size();) {
    size_t e = k + 1;
    while (e < claimed.size() && e - k < limit_blocks && (multi_range_ || claimed[e] == claimed[e - 1] + 1)) ++e;
    pieces.push_back({k, e});
    k = e;
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
      return fetch_blocks(std::span<const int64_t>(claimed).subspan(p.begin, p.end - p.begin), got->data() + p.begin);
    });
  }
  return run_all(jobs);
}

Status RemoteReader::fetch_blocks(std::span<const int64_t> blocks, Block *got) {
  // The blocks' buffers (their bytes are reserved in the cache already);
  // block 0 begins with the bytes the open brought.
  const int64_t head = static_cast<int64_t>(head_.size());
  std::vector<BlockBytes> bytes(blocks.size());
  std::vector<ReadRequest> reads;
  reads.reserve(blocks.size());
  for (size_t k = 0; k < blocks.size(); ++k) {
    const ByteRange br = block_range(blocks[k]);
    bytes[k].resize(static_cast<size_t>(br.length));
    int64_t at = br.offset;
    if (at < head) {
      const int64_t n = std::min(head, br.end()) - at;
      std::memcpy(bytes[k].data(), head_.data() + at, static_cast<size_t>(n));
      at += n;
    }
    if (at < br.end()) reads.push_back({at, std::span<uint8_t>(bytes[k]).subspan(static_cast<size_t>(at - br.offset))});
  }
  Status st = fetch_ranges(reads);
  for (size_t k = 0; k < blocks.size(); ++k) {
    if (!st) {
      // Ended by the reader's close: another open's readers ask again.
      if (cancel_->cancelled()) {
        cache_->abandon(object_, blocks[k]);
      } else {
        cache_->fail(object_, blocks[k], st.error());
      }
      continue;
    }
    Block b = cache_->fulfil(object_, blocks[k], std::move(bytes[k]));
    if (got) got[k] = std::move(b);
  }
  return st;
}

Status RemoteReader::fetch_ranges(std::span<const ReadRequest> reads) {
  if (reads.empty()) return {};
  // The ranges asked for: reads that follow each other are one.
  std::vector<ByteRange> ranges;
  int64_t fetched = 0;
  for (const ReadRequest &r : reads) {
    const int64_t length = static_cast<int64_t>(r.dst.size());
    fetched += length;
    if (!ranges.empty() && ranges.back().end() == r.offset) {
      ranges.back().length += length;
    } else {
      ranges.push_back({r.offset, length});
    }
  }
  Result<Connection> c = take_connection(ranges[0], /*fresh=*/false, /*ask_later=*/true);
  if (!c) return c.error();
  const Clock::time_point start = Clock::now();
  Status st;
  size_t from = 0;
  if (c->at_first) {
    // The open's response holds the first range: read it off the stream.
    for (; from < reads.size() && reads[from].offset < ranges[0].end() && st; ++from) {
      Result<size_t> n = c->url->read_complete(reads[from].dst);
      if (!n) {
        st = n.error();
      } else if (*n != reads[from].dst.size()) {
        st = ended_at(reads[from].offset + static_cast<int64_t>(*n));
      } else if (reads[from].progress) {
        reads[from].progress->arrived(reads[from].offset, static_cast<int64_t>(*n));
      }
    }
  }
  if (st && from < reads.size()) {
    st = c->url->read_ranges(reads.subspan(from));
    requests_ += multi_range_ ? 1 : static_cast<int64_t>(ranges.size()) - (c->at_first ? 1 : 0);
    if (st && !c->at_first) link_.observe(fetched, Clock::now() - start);
  } else if (st) {
    // One request, the new connection's open: what it cost, handshake and
    // first byte included, is what a request on a new connection costs.
    link_.observe(fetched, Clock::now() - start + c->open_time);
  }
  if (!st) {
    drop_connection(std::move(c->url));  // its state is unknown
    return st;
  }
  bytes_ += fetched;
  give_back(std::move(c->url));
  return {};
}

void RemoteReader::read_ahead(int64_t from, int64_t horizon, int64_t piece) {
  std::lock_guard lock(tasks_mu_);
  reap_locked();
  const int64_t count = block_count();
  const int64_t end = std::min(count, std::max<int64_t>(from, 0) + horizon);
  int64_t i = std::max<int64_t>(from, 0);
  while (static_cast<int>(tasks_.size()) < max_connections_) {
    while (i < end && cache_->known(object_, i)) ++i;
    // Only whole pieces (or the object's last): a piece of the one block
    // the reader's progress freed would cost a request for a block's bytes.
    int64_t run = 0;
    while (run < piece && i + run < end && !cache_->known(object_, i + run)) ++run;
    if (run == 0 || (run < piece && i + run < count)) break;
    std::vector<int64_t> claimed;
    bool no_room = false;  // until the reader reads on: the read-ahead ends here for now
    for (; i < end && static_cast<int64_t>(claimed.size()) < run; ++i) {
      const BlockCache::Lookup l =
          cache_->lookup(object_, i, static_cast<size_t>(block_range(i).length), /*only_if_room=*/true);
      no_room = l.no_room;
      if (!l.claimed) break;  // another reader's, or no room
      claimed.push_back(i);
    }
    if (!claimed.empty()) {
      misses_ += static_cast<int64_t>(claimed.size());
      // A failure reaches whoever waits for the blocks.
      start_task_locked([this, blocks = std::move(claimed)] { (void)fetch_blocks(blocks, nullptr); });
    }
    if (no_room) break;
  }
}

void RemoteReader::run_in_background(std::function<void()> work) {
  std::lock_guard lock(tasks_mu_);
  reap_locked();
  start_task_locked(std::move(work));
}

void RemoteReader::start_task_locked(std::function<void()> work) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  tasks_.push_back({std::thread([work = std::move(work), done] {
                      work();
                      done->store(true, std::memory_order_release);
                    }),
                    done});
}

void RemoteReader::stream_ahead(int64_t from, int64_t horizon) {
  if (!open_at_range_) return;
  std::unique_lock lock(stream_mu_);
  stream_floor_ = from;
  stream_limit_ = std::min(block_count(), from + std::max<int64_t>(horizon, 1));
  stream_cv_.notify_all();
  if (stream_running_) return;
  // A new stream begins at the first block of the window nobody has.
  while (from < stream_limit_ && cache_->known(object_, from)) ++from;
  if (from >= stream_limit_ ||
      !cache_->lookup(object_, from, static_cast<size_t>(block_range(from).length), /*only_if_room=*/true).claimed)
    return;
  ++misses_;
  stream_running_ = true;
  const uint64_t generation = stream_generation_;
  lock.unlock();
  std::lock_guard tasks(tasks_mu_);
  reap_locked();
  start_task_locked([this, from, generation] { run_stream(from, generation); });
}

void RemoteReader::stop_stream() {
  std::lock_guard lock(stream_mu_);
  ++stream_generation_;
  stream_cv_.notify_all();
}

void RemoteReader::run_stream(int64_t next, uint64_t generation) {
  const ByteRange first = block_range(next);
  Result<Connection> c = take_connection({first.offset, size_ - first.offset}, /*fresh=*/true);
  Status st = c ? Status() : Status(c.error());
  // Blocks [next, claimed_end) are the stream's to settle: claimed ahead up
  // to the window, so that a reader reaching one waits for the stream
  // rather than asks for it on its own.
  int64_t claimed_end = next + 1;
  bool blocked = false;  // claimed_end is a block another reader has
  while (st && next < block_count()) {
    int64_t limit = 0;
    {
      std::unique_lock lock(stream_mu_);
      // Nothing claimed is left to read: wait for room ahead of the reader
      // (the token is polled: the destructor raising it wakes nobody).
      while (next == claimed_end && !blocked && next >= stream_limit_ && generation == stream_generation_ &&
             !cancel_->cancelled())
        stream_cv_.wait_for(lock, std::chrono::milliseconds(10));
      if (generation != stream_generation_ || cancel_->cancelled() || next < stream_floor_) break;
      limit = stream_limit_;
    }
    bool no_room = false;  // until the reader reads on
    for (; !blocked && claimed_end < limit; ++claimed_end) {
      const BlockCache::Lookup l =
          cache_->lookup(object_, claimed_end, static_cast<size_t>(block_range(claimed_end).length),
                         /*only_if_room=*/true);
      if (l.no_room) {
        no_room = true;
        break;
      }
      if (!l.claimed) {
        blocked = true;  // reading its bytes again would waste them
        break;
      }
      ++misses_;
    }
    if (next == claimed_end && no_room) {
      std::unique_lock lock(stream_mu_);
      stream_cv_.wait_for(lock, std::chrono::milliseconds(10));
      continue;
    }
    if (next == claimed_end) break;
    BlockBytes bytes(static_cast<size_t>(block_range(next).length));
    Result<size_t> n = c->url->read_complete(bytes);
    if (n && *n != bytes.size()) n = ended_at(block_range(next).offset + static_cast<int64_t>(*n));
    if (!n) {
      st = n.error();
      break;
    }
    bytes_ += static_cast<int64_t>(*n);
    cache_->fulfil(object_, next, std::move(bytes));
    ++next;
  }
  // What the stream claimed and did not bring: an error for the block it
  // failed on (unless the reader's close ended it), the others given up.
  for (int64_t i = next; i < claimed_end; ++i) {
    if (i == next && !st && !cancel_->cancelled()) {
      cache_->fail(object_, i, st.error());
    } else {
      cache_->abandon(object_, i);
    }
  }
  if (c) {
    // At the object's end its response is over, and the connection is as
    // good as any; anywhere else it is mid-body.
    if (st && next == block_count()) {
      give_back(std::move(c->url));
    } else {
      drop_connection(std::move(c->url));
    }
  }
  std::lock_guard lock(stream_mu_);
  stream_running_ = false;
}

void RemoteReader::reap_locked() {
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (it->done->load(std::memory_order_acquire)) {
      it->thread.join();
      it = tasks_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<RemoteReader::Connection> RemoteReader::take_connection(ByteRange first, bool fresh, bool ask_later) {
  std::unique_ptr<UrlContext> closing;  // an idle connection making room for a fresh one
  {
    std::unique_lock lock(pool_mu_);
    for (;;) {
      if (fresh && !idle_.empty() && open_connections_ >= max_connections_) {
        closing = release_locked(std::move(idle_.back()));
        idle_.pop_back();
      }
      if (!idle_.empty() && !fresh) {
        std::unique_ptr<UrlContext> url = std::move(idle_.back());
        idle_.pop_back();
        return Connection{std::move(url), false};
      }
      if (open_connections_ < max_connections_) break;
      pool_cv_.wait_for(lock, std::chrono::milliseconds(10));
      if (params_.interrupt.raised())
        return Error(kExit, "blockcache: interrupted while waiting for a connection to " + url_);
    }
    ++open_connections_;
  }
  Dictionary options = options_;
  // Told the object's size and version, a new connection asks for nothing
  // until the caller's request (checked against the version then); else its
  // open asks for `first`.
  const bool known = ask_later && open_known_ && !version_.empty();
  const bool at_first = open_at_range_ && !known;
  if (known) {
    options.set("known_size", std::to_string(size_));
    options.set("known_version", version_);
  } else if (at_first) {
    options.set("offset", std::to_string(first.offset));
    options.set("end_offset", std::to_string(first.end()));
  }
  const Clock::time_point opening = Clock::now();
  Result<std::unique_ptr<UrlContext>> url = UrlContext::open(url_, kOpenRead, params_, options);
  const auto open_time = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - opening);
  Status st = url ? Status() : Status(url.error());
  if (st && (*url)->protocol().object_version() != version_)
    st = Error(-EIO, "blockcache: " + url_ + " changed on the server while being read (version " +
                         (*url)->protocol().object_version() + ", had " + version_ + ")");
  if (url) ++connections_;
  if (st && at_first) ++requests_;
  if (!st) {
    drop_connection(url ? std::move(*url) : nullptr);
    return st.error();
  }
  return Connection{std::move(*url), at_first, open_time};
}

void RemoteReader::drop_connection(std::unique_ptr<UrlContext> url) {
  std::lock_guard lock(pool_mu_);
  release_locked(std::move(url)).reset();
  pool_cv_.notify_one();
}

std::unique_ptr<UrlContext> RemoteReader::release_locked(std::unique_ptr<UrlContext> url) {
  --open_connections_;
  if (url && url.get() == primary_) retired_primary_ = std::move(url);  // kept: primary() shows its options
  return url;
}

Error RemoteReader::ended_at(int64_t byte) const {
  return Error(-EIO, "blockcache: " + url_ + " ended at byte " + std::to_string(byte) + " of " + std::to_string(size_));
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
