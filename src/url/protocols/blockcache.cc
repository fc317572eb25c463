// blockcache: reads another URL through the process's block cache
// ("blockcache:https://host/a.mp4", "blockcache:s3://bucket/key"): blocks
// shared by every open of the same object version, read-ahead that grows
// while reading is sequential, coalesced and parallel range requests
// (remote/remote_reader.hpp). C++ open_url puts it under http, https and s3
// reads by default; the C API uses it when the URL asks.
//
// Sequential reads fetch a block and the read-ahead after it when the block
// is missing: one block after a seek, doubling on each further sequential
// fetch up to readahead_max. A URL that cannot be read at an offset (no
// ranges, unknown size) is read straight through instead.
#include <algorithm>
#include <cstring>

#include "../remote/remote_reader.hpp"
#include "../url_internal.hpp"
#include "builtins.hpp"

namespace avio::protocols {

namespace {

using remote::RemoteReader;

constexpr int64_t kHead = int64_t{64} << 10;

constexpr OptionSpec kBlockCacheOptions[] = {
    {"block_size", OptionType::kInt64, "1048576", 4096, static_cast<double>(int64_t{64} << 20),
     "bytes of one cached block"},
    {"cache_size", OptionType::kInt64, "67108864", 0, static_cast<double>(INT64_MAX),
     "bytes the process's block cache may hold (shared by every open: setting it changes the bound for all)"},
    {"readahead_max", OptionType::kInt64, "0", 0, static_cast<double>(int64_t{1} << 30),
     "bytes sequential read-ahead grows to (0: the protocol's advice, 8 MiB for http, 16 MiB for s3)"},
    {"max_connections", OptionType::kInt, "0", 0, 64,
     "connections one open object may use at once (0: the protocol's advice, 4 for http, 8 for s3)"},
    {"requests", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: requests made", true},
    {"connections", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: connections opened", true},
    {"bytes_fetched", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: bytes fetched", true},
    {"cache_hits", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: blocks found cached", true},
    {"cache_misses", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: blocks fetched", true},
    {"hole_limit", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX),
     "export: gap read rather than skipped, from the link's latency x bandwidth", true},
    {"range_limit", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "export: longest request", true},
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
    Result<std::unique_ptr<UrlContext>> primary = request.open_nested(url, kOpenRead, first);
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
    const int64_t bs = reader_->block_size();
    const int64_t index = pos_ / bs;
    if (!block_ || block_index_ != index) {
      // Sequential: the read goes on where the last one ended, or skips less
      // than the link's hole. Anything else starts the read-ahead over.
      const int64_t skipped = pos_ - read_end_;
      const bool sequential = skipped >= 0 && skipped <= reader_->stats().limits.hole;
      const int64_t grown = sequential ? std::min(window_ * 2, std::max<int64_t>(1, readahead_max_ / bs)) : 1;
      bool fetched = false;
      Result<RemoteReader::Block> b = reader_->block(index, grown, &fetched);
      if (!b) return b.error();
      if (fetched) window_ = grown;
      block_ = std::move(*b);
      block_index_ = index;
      publish(h);
    }
    const size_t from = static_cast<size_t>(pos_ - block_index_ * bs);
    const size_t n = std::min(dst.size(), block_->size() - from);
    std::memcpy(dst.data(), block_->data() + from, n);
    pos_ += static_cast<int64_t>(n);
    read_end_ = pos_;
    return n;
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

  Result<size_t> read_at(UrlContext &, int64_t offset, std::span<uint8_t> dst) override {
    if (direct_) return direct_->read_at(offset, dst);
    return reader_->read_at(offset, dst);
  }

  Status read_ranges(UrlContext &h, std::span<const ReadRequest> reads) override {
    if (direct_) return Protocol::read_ranges(h, reads);
    std::vector<remote::PlannedRead> plan;
    plan.reserve(reads.size());
    for (const ReadRequest &r : reads) plan.push_back({r.offset, r.dst});
    Status st = reader_->read_ranges(plan);
    publish(h);
    return st;
  }

  Status close(UrlContext &h) override {
    if (direct_) return direct_->close();
    if (reader_) publish(h);
    block_.reset();
    reader_.reset();
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
  void publish(UrlContext &h) const {
    const remote::RemoteReadStats s = reader_->stats();
    OptionValues &o = h.mutable_options();
    (void)o.publish("requests", std::to_string(s.requests));
    (void)o.publish("connections", std::to_string(s.connections));
    (void)o.publish("bytes_fetched", std::to_string(s.bytes_fetched));
    (void)o.publish("cache_hits", std::to_string(s.cache_hits));
    (void)o.publish("cache_misses", std::to_string(s.cache_misses));
    (void)o.publish("hole_limit", std::to_string(s.limits.hole));
    (void)o.publish("range_limit", std::to_string(s.limits.range));
  }

  std::unique_ptr<UrlContext> direct_;  // a URL read straight through
  std::unique_ptr<RemoteReader> reader_;
  RemoteReader::Block block_;  // the block being read
  int64_t block_index_ = -1;
  int64_t pos_ = 0;
  int64_t read_end_ = 0;  // where the last read ended
  int64_t window_ = 1;    // read-ahead, in blocks
  int64_t readahead_max_ = 0;
};

}  // namespace

ProtocolInfo blockcache_protocol() {
  return ProtocolInfo::of<BlockCacheProtocol>("blockcache", {.nested_scheme = true, .options = kBlockCacheOptions});
}

}  // namespace avio::protocols
