// subfile: a byte range of another URL ("subfile,,start,S,end,E,,:url").
#include <climits>

#include "builtins.hpp"

namespace avio::protocols {

namespace {

constexpr OptionSpec kSubfileOptions[] = {
    {"start", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "start offset"},
    {"end", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "end offset"},
};

class SubfileProtocol final : public Protocol {
 public:
  Status open(UrlContext &h, const OpenRequest &request) override {
    start_ = h.options().integer("start");
    end_ = h.options().integer("end");
    if (end_ == 0) end_ = INT64_MAX;
    if (end_ <= start_)
      return Error(-EINVAL,
                   "subfile: end (" + std::to_string(end_) + ") is not after start (" + std::to_string(start_) + ")");
    Result<std::unique_ptr<UrlContext>> inner = request.open_nested(request.target, request.flags, request.options);
    if (!inner) return inner.error();
    inner_ = std::move(*inner);
    pos_ = start_;
    return seek_inner();
  }

  Result<size_t> read(UrlContext &, std::span<uint8_t> dst) override {
    const int64_t rest = end_ - pos_;
    if (rest <= 0) return Error::eof();
    if (static_cast<uint64_t>(rest) < dst.size()) dst = dst.first(static_cast<size_t>(rest));
    Result<size_t> r = inner_->read(dst);
    if (r) pos_ += static_cast<int64_t>(*r);
    return r;
  }

  Result<int64_t> seek(UrlContext &, int64_t offset, int whence) override {
    int64_t end = end_;
    if (whence == kSeekSizeQuery || whence == kSeekEnd) {
      if (end == INT64_MAX) {
        Result<int64_t> size = inner_->seek(0, kSeekSizeQuery);
        if (!size) return size;
        end = *size;
      }
    }
    int64_t target;
    switch (whence) {
      case kSeekSizeQuery: return end - start_;
      case kSeekSet: target = start_ + offset; break;
      case kSeekCur: target = pos_ + offset; break;
      case kSeekEnd: target = end + offset; break;
      default: return Error(-EINVAL, "subfile: bad whence " + std::to_string(whence));
    }
    if (target < start_) return Error(-EINVAL, "subfile: seek before the start of the range");
    pos_ = target;
    Status st = seek_inner();
    if (!st) return st.error();
    return pos_ - start_;
  }

  StreamProperties stream_properties() const override {
    StreamProperties p;
    p.concurrent_read_at = inner_->stream().concurrent_read_at;
    p.read_ahead = inner_->stream().read_ahead;
    return p;
  }

  // The inner URL's positional reads, clipped to the range; as thread-safe
  // as the inner protocol's.
  Result<size_t> read_at(UrlContext &h, int64_t offset, std::span<uint8_t> dst) override {
    if (!inner_->info().capabilities().read_at)
      return Error(-ENOSYS, "subfile: '" + std::string(inner_->url()) + "' has no positional reads");
    if (offset > end_ - start_ || offset > INT64_MAX - start_) return Error::eof();
    const int64_t rest = end_ - start_ - offset;
    if (rest <= 0) return Error::eof();
    if (static_cast<uint64_t>(rest) < dst.size()) dst = dst.first(static_cast<size_t>(rest));
    (void)h;
    return inner_->read_at(start_ + offset, dst);
  }

  Status close(UrlContext &) override { return inner_ ? inner_->close() : Status(); }

 private:
  Status seek_inner() {
    Result<int64_t> r = inner_->seek(pos_, kSeekSet);
    if (r && *r == pos_) return {};
    const int code = r ? kBug : r.error().code();
    return Error(code,
                 "subfile: impossible to seek to " + std::to_string(pos_) + " in '" + std::string(inner_->url()) + "'");
  }

  std::unique_ptr<UrlContext> inner_;
  int64_t start_ = 0, end_ = 0, pos_ = 0;
};

}  // namespace

ProtocolInfo subfile_protocol() {
  return ProtocolInfo::of<SubfileProtocol>(
      "subfile", {.accepts_inline_options = true, .default_whitelist = "file", .options = kSubfileOptions});
}

}  // namespace avio::protocols
