// cache: makes a non-seekable source seekable by keeping everything read in
// a temporary file ("cache:URL"), FFmpeg's cache.c. Seeks inside what was
// read cost nothing; a forward seek the source refuses reads ahead up to
// read_ahead_limit bytes (-1: no limit).
#include <fcntl.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "builtins.hpp"
#include "fd_io.hpp"

namespace avio::protocols {

namespace {

constexpr OptionSpec kCacheOptions[] = {
    {"read_ahead_limit", OptionType::kInt, "65536", -1, INT_MAX,
     "Amount in bytes that may be read ahead when seeking isn't supported, -1 for unlimited"},
};

class CacheProtocol final : public Protocol {
 public:
  ~CacheProtocol() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status open(UrlContext &h, const OpenRequest &request) override {
    read_ahead_limit_ = h.options().integer("read_ahead_limit");
    std::string tmpl = (std::filesystem::temp_directory_path() / "ffcacheXXXXXX").string();
    fd_ = mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd_ < 0) return errno_error(errno, "cache: cannot create a temporary file");
    unlink(tmpl.c_str());  // the descriptor keeps it alive
    Result<std::unique_ptr<UrlContext>> inner = request.open_nested(request.target, request.flags, request.options);
    if (!inner) return inner.error();
    inner_ = std::move(*inner);
    return {};
  }

  Result<size_t> read(UrlContext &, std::span<uint8_t> dst) override {
    // The cached block at or before the position, if it reaches it.
    auto it = entries_.upper_bound(logical_pos_);
    if (it != entries_.begin()) {
      --it;
      const Entry &e = it->second;
      const int64_t in_block = logical_pos_ - it->first;
      if (in_block < e.size) {
        const size_t n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(dst.size()), e.size - in_block));
        const ssize_t r = pread(fd_, dst.data(), n, e.physical_pos + in_block);
        if (r > 0) {
          logical_pos_ += r;
          return static_cast<size_t>(r);
        }
      }
    }
    // A miss (or a fault of the cache file): go to the source.
    if (logical_pos_ != inner_pos_) {
      Result<int64_t> r = inner_->seek(logical_pos_, kSeekSet);
      if (!r) return r.error();
      inner_pos_ = *r;
    }
    Result<size_t> r = inner_->read(dst);
    if (!r && r.error().is_eof() && !dst.empty()) true_eof_ = true;
    if (!r || *r == 0) return r;
    inner_pos_ += static_cast<int64_t>(*r);
    add_entry(dst.first(*r));
    logical_pos_ += static_cast<int64_t>(*r);
    end_ = std::max(end_, logical_pos_);
    return r;
  }

  Result<int64_t> seek(UrlContext &h, int64_t pos, int whence) override {
    if (whence == kSeekSizeQuery) {
      Result<int64_t> size = inner_->seek(pos, whence);
      int64_t value = size ? *size : size.error().code();
      if (value <= 0) {
        Result<int64_t> end = inner_->seek(-1, kSeekEnd);
        value = end ? *end : end.error().code();
        (void)inner_->seek(inner_pos_, kSeekSet);
      }
      if (value > 0) true_eof_ = true;
      end_ = std::max(end_, value);
      if (value < 0) return Error(static_cast<int>(value));
      return value;
    }
    if (whence == kSeekCur) {
      whence = kSeekSet;
      pos += logical_pos_;
    } else if (whence == kSeekEnd && true_eof_) {
      whence = kSeekSet;
      pos += end_;
    }
    if (whence == kSeekSet && pos >= 0 && pos < end_) {
      logical_pos_ = pos;  // inside what is known to exist
      return pos;
    }
    Result<int64_t> r = inner_->seek(pos, whence);
    if (!r && ((whence == kSeekSet && pos >= logical_pos_) || (whence == kSeekEnd && pos <= 0)) &&
        ((whence == kSeekSet && read_ahead_limit_ >= pos - logical_pos_) || read_ahead_limit_ < 0)) {
      // The source cannot seek: read ahead, caching as we go.
      uint8_t tmp[32768];
      while (logical_pos_ < pos || whence == kSeekEnd) {
        size_t size = sizeof tmp;
        if (whence == kSeekSet) size = static_cast<size_t>(std::min<int64_t>(sizeof tmp, pos - logical_pos_));
        Result<size_t> got = read(h, {tmp, size});
        if (!got && got.error().is_eof() && whence == kSeekEnd) return seek(h, pos + end_, kSeekSet);
        if (!got) return got.error();
      }
      return logical_pos_;
    }
    if (r) {
      logical_pos_ = *r;
      end_ = std::max(end_, *r);
    }
    return r;
  }

  Status close(UrlContext &) override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return inner_ ? inner_->close() : Status();
  }

 private:
  struct Entry {
    int64_t physical_pos;
    int64_t size;
  };

  void add_entry(std::span<const uint8_t> bytes) {
    const int64_t physical = file_size_;
    const ssize_t w = pwrite(fd_, bytes.data(), bytes.size(), physical);
    if (w < 0) return;  // the data simply is not cached
    file_size_ += w;
    auto it = entries_.upper_bound(logical_pos_);
    if (it != entries_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second.size == logical_pos_ &&
          prev->second.physical_pos + prev->second.size == physical) {
        prev->second.size += w;
        return;
      }
    }
    entries_.emplace(logical_pos_, Entry{physical, w});  // an existing key stays, as in FFmpeg
  }

  std::unique_ptr<UrlContext> inner_;
  int fd_ = -1;
  std::map<int64_t, Entry> entries_;  // logical position -> cached block
  int64_t logical_pos_ = 0, inner_pos_ = 0, end_ = 0, file_size_ = 0;
  bool true_eof_ = false;
  int64_t read_ahead_limit_ = 65536;
};

}  // namespace

ProtocolInfo cache_protocol() { return ProtocolInfo::of<CacheProtocol>("cache", {.options = kCacheOptions}); }

}  // namespace avio::protocols
