// blockcache: reads another URL through the process's block cache
// ("blockcache:https://host/a.mp4", "blockcache:s3://bucket/key"): blocks
// shared by every open of the same object version, read-ahead that grows
// while reading is sequential, coalesced and parallel range requests
// (remote/remote_reader.hpp). C++ open_url puts it under http, https and s3
// reads by default; the C API uses it when the URL asks.
//
// Read-ahead follows the reader: a block after a seek; then, while reads go
// on where they ended (or skip less than the link's hole), a window that
// doubles at each block up to readahead_max. From a window of
// kBackgroundFrom blocks on, the blocks ahead (the window times the
// connections, at most the reader's share of three quarters of the cache:
// ReadAheadShare) are fetched in the background in pieces of up to a
// window, so the connections keep fetching while the reader consumes. On a
// link whose first byte is slow next to what one connection carries
// (stream_pays), a sequential reader's read-ahead is instead one stream to
// the object's end, kept that far ahead of it. A URL that cannot be read at
// an offset (no ranges, unknown size) is read straight through instead.
//
// Reads within the bytes the open brought are served from them. Ranges the
// caller says it will read (will_read: a demuxer's index) are fetched when
// the first of them is read, as many as a quarter of the cache holds, in one
// read_ranges call (one multi-range request over http), and kept aside from
// the blocks until the reader has moved past them: a sparse reader then
// costs a request per batch of its ranges, not a block per seek. A batch
// is fetched in the background and read as its bytes come in, so that a
// decoder decodes the first ranges while the last are on their way; the
// next batch is asked for once the reader is in a batch's last range.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

#include "../remote/remote_reader.hpp"
#include "../url_internal.hpp"
#include "builtins.hpp"

namespace avio::protocols {

namespace {

using remote::RemoteReader;

constexpr int64_t kHead = int64_t{64} << 10;
// A reader has read on through this many blocks' worth of doubling before
// its read-ahead runs in the background: a probe that reads a little after
// a seek (a demuxer's header, an index) costs no more than its window.
constexpr int64_t kBackgroundFrom = 4;
// How far past the next advised range a read may start and still be taken
// for it (a demuxer reads a packet's ranges in order, give or take a few).
constexpr size_t kPlanLookahead = 16;
constexpr std::chrono::milliseconds kStreamLatencyMin{10};

constexpr OptionSpec kBlockCacheOptions[] = {
    {"block_size", OptionType::kInt64, "1048576", 4096, static_cast<double>(int64_t{64} << 20),
     "bytes of one cached block"},
    {"cache_size", OptionType::kInt64, "67108864", 0, static_cast<double>(INT64_MAX),
     "bytes the process's block cache may hold (shared by every open: setting it changes the bound for all)"},
    {"readahead_max", OptionType::kInt64, "0", 0, static_cast<double>(int64_t{1} << 30),
     "bytes sequential read-ahead grows to (0: the protocol's advice, 8 MiB for http, 16 MiB for s3)"},
    {"readahead_stream", OptionType::kInt, "-1", -1, 1,
     "a sequential reader's read-ahead as one stream to the object's end (1), as ranged pieces (0), or as the link's "
     "first-byte latency and bandwidth say (-1)"},
    {"max_connections", OptionType::kInt, "0", 0, 64,
     "connections one open object may use at once (0: the protocol's advice, 6 for http, 8 for s3)"},
    {"requests", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: requests made", true},
    {"connections", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: connections opened", true},
    {"bytes_fetched", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: bytes fetched", true},
    {"cache_hits", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: blocks found cached", true},
    {"cache_misses", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: blocks fetched", true},
    {"hole_limit", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX),
     "export: gap read rather than skipped, from the link's latency x bandwidth", true},
    {"range_limit", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: longest request", true},
};

// Advised ranges fetched by one read_ranges call in the background: an
// extent can be read as far as its bytes have come in, in order from its
// start, while the rest are on their way. Shared by the reader and the
// fetch, which owns it until it ends. Thread-safe.
class PlanBatch {
 public:
  class Extent final : public ReadProgress {
   public:
    Extent(PlanBatch *batch, int64_t offset, size_t size) : batch_(batch), offset_(offset), bytes_(size) {}
    int64_t offset() const { return offset_; }
    int64_t end() const { return offset_ + static_cast<int64_t>(bytes_.size()); }
    ReadRequest request() { return {offset_, std::span<uint8_t>(bytes_), this}; }
    void arrived(int64_t offset, int64_t length) override;

   private:
    friend class PlanBatch;
    PlanBatch *batch_;
    int64_t offset_;
    remote::BlockBytes bytes_;
    // Guarded by batch_->mu_: the bytes in from the start, and those in
    // past a gap (a piece fetched on another connection).
    int64_t ready_ = 0;
    std::vector<ByteRange> early_;
  };

  // The ranges from the plan's range `first` on.
  PlanBatch(size_t first, std::span<const ByteRange> ranges) : first_(first) {
    for (const ByteRange &r : ranges) extents_.emplace_back(this, r.offset, static_cast<size_t>(r.length));
  }
  size_t first() const { return first_; }
  std::deque<Extent> &extents() { return extents_; }
  // The extent holding byte `pos`, from the `from`th on; null when none does.
  Extent *find(int64_t pos, size_t from, size_t *at) {
    for (size_t k = from; k < extents_.size(); ++k) {
      if (pos < extents_[k].offset() || pos >= extents_[k].end()) continue;
      *at = k;
      return &extents_[k];
    }
    return nullptr;
  }

  // Fetches every extent through `reader`; the batch is whole, or failed,
  // once it returns.
  void fetch(remote::RemoteReader &reader) {
    std::vector<ReadRequest> reads;
    reads.reserve(extents_.size());
    for (Extent &e : extents_) reads.push_back(e.request());
    Status st = reader.read_ranges(reads);
    std::lock_guard lock(mu_);
    if (st) {
      for (Extent &e : extents_) e.ready_ = static_cast<int64_t>(e.bytes_.size());
    }
    status_ = std::move(st);
    done_ = true;
    cv_.notify_all();
  }

  // The bytes of `e` from `pos` (within it) on that are in, waiting for the
  // first of them; the fetch's error when it failed short of `pos`.
  Result<std::span<const uint8_t>> bytes_at(Extent &e, int64_t pos) {
    const int64_t at = pos - e.offset_;
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_ || e.ready_ > at; });
    if (e.ready_ <= at) return status_.error();
    return std::span<const uint8_t>(e.bytes_).subspan(static_cast<size_t>(at), static_cast<size_t>(e.ready_ - at));
  }

  bool done() {
    std::lock_guard lock(mu_);
    return done_;
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
  }

 private:
  const size_t first_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Extent> extents_;  // the fetch holds their addresses
  bool done_ = false;
  Status status_;
};

void PlanBatch::Extent::arrived(int64_t offset, int64_t length) {
  const int64_t first = std::max(offset, offset_) - offset_;
  const int64_t last = std::min(offset + length, end()) - offset_;
  if (last <= first) return;
  std::lock_guard lock(batch_->mu_);
  if (first > ready_) {
    early_.push_back({first, last - first});
    return;
  }
  ready_ = std::max(ready_, last);
  for (size_t k = 0; k < early_.size();) {
    if (early_[k].offset > ready_) {
      ++k;
      continue;
    }
    ready_ = std::max(ready_, early_[k].end());
    early_.erase(early_.begin() + static_cast<ptrdiff_t>(k));
    k = 0;
  }
  batch_->cv_.notify_all();
}

// The cursors of the process reading ahead in the background share three
// quarters of the cache between them (the rest holds what they have just
// read, and other readers' blocks): alone, one keeps the most bytes in
// flight that a far link wants; beside others, none claims so much that
// their blocks are evicted before they are read. A cursor counts from its
// first background read-ahead until it seeks away or closes. Not
// thread-safe (one context's cursor); the count is.
class ReadAheadShare {
 public:
  ReadAheadShare() = default;
  ReadAheadShare(const ReadAheadShare &) = delete;
  ReadAheadShare &operator=(const ReadAheadShare &) = delete;
  ~ReadAheadShare() { leave(); }

  void join() {
    if (!counted_) readers().fetch_add(1, std::memory_order_relaxed);
    counted_ = true;
  }
  void leave() {
    if (counted_) readers().fetch_sub(1, std::memory_order_relaxed);
    counted_ = false;
  }
  // Blocks of `block_size` one cursor may hold ahead: its share, or what
  // it would have alone (`alone`), and at least one.
  int64_t blocks(int64_t block_size, bool alone = false) const {
    const auto cache = static_cast<int64_t>(remote::BlockCache::shared().capacity());
    const int64_t sharing = alone ? 1 : std::max(1, readers().load(std::memory_order_relaxed));
    return std::max<int64_t>(1, cache / 4 * 3 / std::max<int64_t>(block_size, 1) / sharing);
  }

 private:
  static std::atomic<int> &readers() {
    static std::atomic<int> count{0};
    return count;
  }
  bool counted_ = false;
};

bool declares(const ProtocolInfo &info, std::string_view name) {
  for (const OptionSpec &o : info.options())
    if (o.name == name) return true;
  return false;
}

class BlockCacheProtocol final : public Protocol {
 public:
  Status open(UrlContext &h, const OpenRequest &request) override {
    if (request.flags & kOpenWrite) return Error(-EINVAL, "blockcache: reads only; open the URL itself to write");
    const std::string url(request.target);
    std::shared_ptr<const ProtocolInfo> inner = url_internal::registry_or_global(h.params().registry).find_for_url(url);
    if (!inner) return Error(kProtocolNotFound, "blockcache: no protocol for '" + url + "'");
    const ProtocolTraits::Remote advice = inner->remote().value_or(ProtocolTraits::Remote{});
    remote::RemoteReaderConfig config;
    config.block_size = h.options().integer("block_size");
    config.max_connections = static_cast<int>(h.options().integer("max_connections"));
    if (config.max_connections == 0) config.max_connections = std::max(1, advice.max_connections);
    if (advice.initial_hole > 0) config.initial_hole = advice.initial_hole;
    config.open_at_range = declares(*inner, "offset") && declares(*inner, "end_offset");
    config.open_known = declares(*inner, "known_size") && declares(*inner, "known_version");
    config.multi_range = advice.multi_range;
    config.ranges_per_request = advice.ranges_per_request;
    config.cancel = std::make_shared<CancellationToken>();
    stream_mode_ = static_cast<int>(h.options().integer("readahead_stream"));
    readahead_max_ = h.options().integer("readahead_max");
    if (readahead_max_ == 0) readahead_max_ = advice.readahead_max > 0 ? advice.readahead_max : config.block_size;
    if (h.options().was_set("cache_size"))
      remote::BlockCache::shared().set_capacity(static_cast<size_t>(h.options().integer("cache_size")));

    // The first request small: it brings the size and version, and the
    // head a probe reads, in one round trip.
    Dictionary later = request.options;
    Dictionary first = request.options;
    if (declares(*inner, "initial_request_size") && !first.contains("initial_request_size"))
      first.set("initial_request_size", std::to_string(kHead));
    // Opened as the reader opens its other connections: their waits end when
    // the reader goes, so no background fetch outlives the context.
    config.head_asked = std::chrono::steady_clock::now();
    Result<std::unique_ptr<UrlContext>> primary =
        UrlContext::open(url, kOpenRead, RemoteReader::connection_params(h, config.cancel), first);
    if (!primary) return primary.error();
    request.options = first;  // what no layer took

    Result<int64_t> size = (*primary)->size();
    if ((*primary)->stream().streamed || !(*primary)->info().capabilities().read_at || !size || *size < 0) {
      direct_ = std::move(*primary);
      return {};
    }
    Result<std::unique_ptr<RemoteReader>> reader =
        RemoteReader::open(std::move(*primary), h, url, std::move(later), config, kHead);
    if (!reader) return reader.error();
    reader_ = std::move(*reader);
    const auto cache_blocks =
        static_cast<int64_t>(remote::BlockCache::shared().capacity()) / std::max<int64_t>(reader_->block_size(), 1);
    positional_window_max_ = std::clamp<int64_t>(cache_blocks / 16, 1, readahead_blocks());
    publish(h);
    return {};
  }

  StreamProperties stream_properties() const override {
    if (direct_) return direct_->stream();
    return {.concurrent_read_at = true};
  }

  Result<size_t> read(UrlContext &h, std::span<uint8_t> dst) override {
    if (direct_) return direct_->read(dst);
    if (pos_ >= reader_->size()) return Error::eof();
    if (dst.empty()) return size_t{0};
    if (Result<std::span<const uint8_t>> planned = planned_bytes(h); !planned) {
      return planned.error();
    } else if (!planned->empty()) {
      return take(*planned, dst);
    }
    const std::span<const uint8_t> head = reader_->head();
    if (pos_ < static_cast<int64_t>(head.size()) && !(block_ && block_index_ == 0))
      return take(head.subspan(static_cast<size_t>(pos_)), dst);
    const int64_t bs = reader_->block_size();
    const int64_t index = pos_ / bs;
    if (!block_ || block_index_ != index) {
      settle_block();
      // Sequential: the read goes on where the last one ended, or skips less
      // than the link's hole. Anything else starts the read-ahead over.
      const int64_t skipped = pos_ - read_end_;
      const bool sequential = skipped >= 0 && skipped <= reader_->limits().hole;
      window_ = sequential ? std::min(window_ * 2, readahead_blocks()) : 1;
      if (window_ >= kBackgroundFrom) {
        share_.join();
      } else {
        share_.leave();
      }
      if (sequential && !streaming_)
        streaming_ = reader_->can_stream() && (stream_mode_ == 1 || (stream_mode_ == -1 && stream_pays()));
      const bool stream = sequential && streaming_;
      const int64_t ahead = horizon(window_);  // once: the share may change meanwhile
      if (!sequential) {
        reader_->stop_stream();
      } else if (stream) {
        reader_->stream_ahead(index, ahead);  // claims the block when missing: block() waits for it
      }
      bool fetched = false;
      // The window's blocks count against the cursor's share too.
      Result<RemoteReader::Block> b = reader_->block(index, std::min(window_, ahead), &fetched);
      if (!b) return b.error();
      block_ = std::move(*b);
      block_index_ = index;
      if (!stream) read_on(index, window_, ahead);
      publish(h);
    }
    const size_t n =
        take(std::span<const uint8_t>(*block_).subspan(static_cast<size_t>(pos_ - block_index_ * bs)), dst);
    block_read_ += n;
    return n;
  }

  Status will_read(UrlContext &, std::span<const ByteRange> ranges) override {
    if (direct_) return direct_->will_read(ranges);
    plan_.clear();
    for (const ByteRange &r : ranges) {
      const int64_t end = std::min(r.end(), reader_->size());
      if (r.offset < end) plan_.push_back({r.offset, end - r.offset});
    }
    plan_next_ = 0;
    drop_batches();
    return {};
  }

  Result<int64_t> seek(UrlContext &, int64_t offset, int whence) override {
    if (direct_) return direct_->seek(offset, whence);
    const int64_t size = reader_->size();
    if (whence == kSeekSizeQuery) return size;
    int64_t target = offset;
    if (whence == kSeekCur) target += pos_;
    if (whence == kSeekEnd) target += size;
    if (whence != kSeekSet && whence != kSeekCur && whence != kSeekEnd)
      return Error(-EINVAL, "blockcache: bad whence " + std::to_string(whence));
    if (target < 0) return Error(-EINVAL, "blockcache: seek before the start");
    pos_ = target;
    return pos_;
  }

  Result<size_t> read_at(UrlContext &h, int64_t offset, std::span<uint8_t> dst) override {
    if (direct_) return direct_->read_at(offset, dst);
    // Positional readers have no cursor to learn from: the cache is their
    // history, as the page cache is the kernel's (RemoteReader::read_at).
    // Their read-ahead is kept small and in the foreground: threads reading
    // slices of their own each read ahead, and a window of a sixteenth of
    // the cache lets eight of them do so without evicting each other's
    // blocks unread.
    Result<size_t> n = reader_->read_at(offset, dst, positional_window_max_);
    // What it cost, when it fetched (hits are published by the next fetch,
    // or the close): stat and --verbose read positional readers' costs too.
    if (reader_->requests() != published_requests_.load(std::memory_order_relaxed)) publish(h);
    return n;
  }

  Status read_ranges(UrlContext &h, std::span<const ReadRequest> reads) override {
    if (direct_) return Protocol::read_ranges(h, reads);
    Status st = reader_->read_ranges(reads);
    publish(h);
    return st;
  }

  Status close(UrlContext &h) override {
    if (direct_) return direct_->close();
    if (reader_) publish(h);
    share_.leave();
    settle_block();
    block_.reset();
    reader_.reset();  // ends and joins the batches' fetches
    batch_.reset();
    next_batch_.reset();
    return {};
  }

  std::string object_version() const override {
    return direct_ ? direct_->protocol().object_version() : reader_->version();
  }
  int file_handle(UrlContext &) override { return direct_ ? direct_->file_handle() : -1; }
  UrlContext *inner_url(UrlContext &) override {
    if (direct_) return direct_.get();
    return reader_ ? &reader_->primary() : nullptr;
  }

 private:
  int64_t readahead_blocks() const { return std::max<int64_t>(1, readahead_max_ / reader_->block_size()); }

  // A reader at block `index` with a window of `window` blocks: from
  // kBackgroundFrom on, the `ahead` blocks after it (horizon(window)) are
  // fetched in the background in pieces of up to a window. (A cursor's
  // only: read_at reads ahead in the foreground.)
  void read_on(int64_t index, int64_t window, int64_t ahead) const {
    if (window < kBackgroundFrom) return;
    reader_->read_ahead(index + 1, ahead, std::clamp<int64_t>(ahead / reader_->max_connections(), 1, window));
  }

  // Blocks a read-ahead of `window` may hold ahead of the reader.
  int64_t horizon(int64_t window) const {
    return std::min(window * reader_->max_connections(), share_.blocks(reader_->block_size()));
  }

  // One stream rather than pieces for a cursor's read-ahead: when a piece
  // (the largest read-ahead shared by the connections) is shorter than
  // twice the link's bandwidth-delay product, the pieces spend most of their
  // time waiting for first bytes, where one stream pays one (a fast link
  // with a slow first byte). Under a per-connection cap the pieces carry
  // more. Decided on the largest read-ahead, and once for the context (a
  // stream and pieces would only get in each other's way), when the link's
  // fit first says so; a first byte under kStreamLatencyMin is too short to
  // tell from a busy machine's scheduling, and costs little either way.
  bool stream_pays() const {
    const int64_t alone = share_.blocks(reader_->block_size(), /*alone=*/true);
    return reader_->link().prefers_one_stream(alone * reader_->block_size() / reader_->max_connections(),
                                              kStreamLatencyMin);
  }

  // Tells the cache how much of the block being read was read, as the
  // reader leaves it: one read through is evicted before the read-ahead.
  void settle_block() {
    if (block_ && block_read_ > 0) reader_->consumed(block_index_, block_read_);
    block_read_ = 0;
  }

  // Copies what `from` (the bytes at pos_ on) holds into dst, and moves on.
  size_t take(std::span<const uint8_t> from, std::span<uint8_t> dst) {
    const size_t n = std::min(dst.size(), from.size());
    std::memcpy(dst.data(), from.data(), n);
    pos_ += static_cast<int64_t>(n);
    read_end_ = pos_;
    return n;
  }

  // The bytes at pos_ on within an advised range that have come in, asking
  // for the next batch when pos_ is in one not asked for yet; empty when
  // pos_ is in none.
  Result<std::span<const uint8_t>> planned_bytes(UrlContext &h) {
    size_t at = 0;
    if (batch_) {
      if (PlanBatch::Extent *e = batch_->find(pos_, batch_at_, &at)) {
        batch_at_ = at;  // the reader has moved past those before
        return batch_bytes(h, *e);
      }
    }
    if (next_batch_) {
      if (PlanBatch::Extent *e = next_batch_->find(pos_, 0, &at)) {
        batch_ = std::move(next_batch_);
        batch_at_ = at;
        batch_published_ = false;
        return batch_bytes(h, *e);
      }
    }
    size_t first = plan_next_;
    const size_t last = std::min(plan_.size(), plan_next_ + kPlanLookahead);
    while (first < last && (pos_ < plan_[first].offset || pos_ >= plan_[first].end())) ++first;
    if (first == last) return std::span<const uint8_t>();
    drop_batches();  // the reader went elsewhere
    batch_ = ask(first);
    batch_at_ = 0;
    batch_published_ = false;
    return batch_bytes(h, batch_->extents().front());
  }

  // A batch of the advised ranges from plan_[first] on, up to a quarter of
  // the cache, being fetched in the background.
  std::shared_ptr<PlanBatch> ask(size_t first) {
    const int64_t budget = static_cast<int64_t>(remote::BlockCache::shared().capacity()) / 4;
    int64_t bytes = 0;
    size_t k = first;
    for (; k < plan_.size() && (k == first || bytes + plan_[k].length <= budget); ++k) bytes += plan_[k].length;
    auto batch = std::make_shared<PlanBatch>(first, std::span(plan_).subspan(first, k - first));
    plan_next_ = k;
    reader_->run_in_background([batch, reader = reader_.get()] { batch->fetch(*reader); });
    return batch;
  }

  // planned_bytes() within `e`, an extent of batch_. Once the reader is in
  // a batch's last range, the next batch is asked for, so that it comes
  // while this one is read. A failed batch is dropped (and the next with
  // it), to be asked for again by the next read.
  Result<std::span<const uint8_t>> batch_bytes(UrlContext &h, PlanBatch::Extent &e) {
    Result<std::span<const uint8_t>> got = batch_->bytes_at(e, pos_);
    if (!got) {
      plan_next_ = batch_->first();
      drop_batches();
      publish(h);
      return got.error();
    }
    if (!next_batch_ && batch_at_ + 1 == batch_->extents().size() && plan_next_ < plan_.size())
      next_batch_ = ask(plan_next_);
    if (!batch_published_ && batch_->done()) {
      batch_published_ = true;
      publish(h);
    }
    return got;
  }

  // Forgets the batches, once their fetches have ended: a reader that jumps
  // from plan to plan holds two batches at most (it waits as long as it
  // would have for a batch fetched whole before being read).
  void drop_batches() {
    for (std::shared_ptr<PlanBatch> *b : {&batch_, &next_batch_}) {
      if (*b) (*b)->wait();
      b->reset();
    }
  }

  // Thread-safe against itself (read_at may run on several threads); a
  // caller reading the options while others read races, as in FFmpeg.
  void publish(UrlContext &h) const {
    std::lock_guard lock(publish_mu_);
    const remote::RemoteReadStats s = reader_->stats();
    published_requests_.store(s.requests, std::memory_order_relaxed);
    OptionValues &o = h.mutable_options();
    (void)o.publish("requests", std::to_string(s.requests));
    (void)o.publish("connections", std::to_string(s.connections));
    (void)o.publish("bytes_fetched", std::to_string(s.bytes_fetched));
    (void)o.publish("cache_hits", std::to_string(s.cache_hits));
    (void)o.publish("cache_misses", std::to_string(s.cache_misses));
    (void)o.publish("hole_limit", std::to_string(s.limits.hole));
    (void)o.publish("range_limit", std::to_string(s.limits.range));
  }

  mutable std::mutex publish_mu_;
  mutable std::atomic<int64_t> published_requests_{0};
  std::unique_ptr<UrlContext> direct_;  // a URL read straight through
  std::unique_ptr<RemoteReader> reader_;
  RemoteReader::Block block_;  // the block being read
  int64_t block_index_ = -1;
  size_t block_read_ = 0;  // bytes read from it so far (settle_block)
  int64_t pos_ = 0;
  int64_t read_end_ = 0;  // where the last read ended
  int64_t window_ = 1;    // read-ahead, in blocks
  int64_t readahead_max_ = 0;
  ReadAheadShare share_;               // what the background read-ahead may hold
  int64_t positional_window_max_ = 1;  // read_at's read-ahead at most: a sixteenth of the cache
  int stream_mode_ = -1;               // readahead_stream
  bool streaming_ = false;             // a cursor's read-ahead is one stream (stream_pays)

  std::vector<ByteRange> plan_;            // will_read's ranges, within the object
  size_t plan_next_ = 0;                   // the first not asked for yet
  std::shared_ptr<PlanBatch> batch_;       // the batch being read
  size_t batch_at_ = 0;                    // its extent being read
  bool batch_published_ = false;           // its statistics, once it ended
  std::shared_ptr<PlanBatch> next_batch_;  // the one after it, asked for ahead
};

}  // namespace

ProtocolInfo blockcache_protocol() {
  return ProtocolInfo::of<BlockCacheProtocol>("blockcache", {.nested_scheme = true, .options = kBlockCacheOptions});
}

}  // namespace avio::protocols
