// concat: and concatf: several URLs read as one, seekable across the parts
// (FFmpeg's concat.c). concatf takes the list from a URL, one per line.
#include <climits>
#include <string>
#include <vector>

#include "avio/url.hpp"
#include "builtins.hpp"
#include "token.hpp"

namespace avio::protocols {

namespace {

class ConcatProtocol final : public Protocol {
 public:
  explicit ConcatProtocol(bool list_file) : list_file_(list_file) {}

  Status open(UrlContext &, const OpenRequest &request) override {
    const std::string_view prefix = list_file_ ? "concatf:" : "concat:";
    std::string_view url = request.target;
    const int flags = request.flags;
    if (url.empty()) return Error(-ENOENT, std::string(prefix) + " no parts given");
    std::vector<std::string> parts;
    if (list_file_) {
      Result<std::vector<std::string>> listed = read_list(request, url);
      if (!listed) return listed.error();
      parts = std::move(*listed);
    } else {
      while (!url.empty()) {
        const size_t bar = url.find('|');
        parts.emplace_back(url.substr(0, bar));
        if (bar == std::string_view::npos) break;
        url.remove_prefix(bar);
        while (!url.empty() && url.front() == '|') url.remove_prefix(1);
      }
    }
    int64_t total = 0;
    for (const std::string &part : parts) {
      Dictionary none;  // as in FFmpeg, the parts get no options
      Result<std::unique_ptr<UrlContext>> node = request.open_nested(part, flags, none);
      if (!node) return node.error();
      Result<int64_t> size = (*node)->size();
      if (!size) return Error(-ENOSYS, std::string(prefix) + " the size of '" + part + "' is unknown");
      if (total > INT64_MAX - *size) return Error(kInvalidData, std::string(prefix) + " total size overflows");
      total += *size;
      nodes_.push_back({std::move(*node), *size});
    }
    if (nodes_.empty()) return Error(kInvalidData, std::string(prefix) + " the list names no URL");
    total_ = total;
    for (const Node &n : nodes_) {
      read_at_ = read_at_ && n.url->info().capabilities().read_at;
      concurrent_read_at_ = concurrent_read_at_ && n.url->stream().concurrent_read_at;
      read_ahead_ = read_ahead_ && n.url->stream().read_ahead;
    }
    return {};
  }

  StreamProperties stream_properties() const override {
    return {.concurrent_read_at = read_at_ && concurrent_read_at_, .read_ahead = read_ahead_};
  }

  // From the part that holds `offset`; at most to that part's end (the
  // caller asks again for the rest).
  Result<size_t> read_at(UrlContext &h, int64_t offset, std::span<uint8_t> dst) override {
    if (!read_at_) return Error(-ENOSYS, h.info().name() + ": a part has no positional reads");
    for (const Node &n : nodes_) {
      if (offset < n.size) {
        if (static_cast<uint64_t>(n.size - offset) < dst.size()) dst = dst.first(static_cast<size_t>(n.size - offset));
        return n.url->read_at(offset, dst);
      }
      offset -= n.size;
    }
    return Error::eof();
  }

  Result<size_t> read(UrlContext &, std::span<uint8_t> dst) override {
    size_t total = 0;
    size_t i = current_;
    Result<size_t> result = size_t{0};
    while (!dst.empty()) {
      result = nodes_[i].url->read(dst);
      if (!result && result.error().is_eof()) {
        if (i + 1 == nodes_.size() || !nodes_[++i].url->seek(0, kSeekSet)) break;
        result = size_t{0};
      }
      if (!result) {
        if (total) return total;
        return result;
      }
      total += *result;
      dst = dst.subspan(*result);
    }
    current_ = i;
    if (total) return total;
    return result;
  }

  Result<int64_t> seek(UrlContext &, int64_t pos, int whence) override {
    if (whence & kSeekSizeQuery) return total_;
    size_t i = 0;
    switch (whence) {
      case kSeekEnd:
        for (i = nodes_.size() - 1; i && pos < -nodes_[i].size; i--) pos += nodes_[i].size;
        break;
      case kSeekCur: {
        for (i = 0; i != current_; i++) pos += nodes_[i].size;
        Result<int64_t> here = nodes_[i].url->seek(0, kSeekCur);
        if (!here) return here;
        pos += *here;
        whence = kSeekSet;
      }
        [[fallthrough]];
      case kSeekSet:
        for (i = 0; i != nodes_.size() - 1 && pos >= nodes_[i].size; i++) pos -= nodes_[i].size;
        break;
      default: return Error(-EINVAL, "concat: bad whence " + std::to_string(whence));
    }
    Result<int64_t> r = nodes_[i].url->seek(pos, whence);
    if (!r) return r;
    current_ = i;
    int64_t result = *r;
    while (i) result += nodes_[--i].size;
    return result;
  }

  Status close(UrlContext &) override {
    Status first;
    for (Node &n : nodes_) {
      Status st = n.url->close();
      if (!st && first) first = st;
    }
    return first;
  }

 private:
  struct Node {
    std::unique_ptr<UrlContext> url;
    int64_t size;
  };

  // concatf: the list is read through the URL layer, one URL per line;
  // blank lines are skipped.
  static Result<std::vector<std::string>> read_list(const OpenRequest &request, std::string_view list_url) {
    Dictionary none;
    Result<std::unique_ptr<UrlContext>> in = request.open_nested(list_url, kOpenRead, none);
    if (!in) return in.error();
    std::string text;
    uint8_t buf[4096];
    while (true) {
      Result<size_t> r = (*in)->read(buf);
      if (!r && r.error().is_eof()) break;
      if (!r) return r.error();
      text.append(reinterpret_cast<const char *>(buf), *r);
    }
    std::vector<std::string> parts;
    std::string_view cursor = text;
    cursor = cursor.substr(0, cursor.find('\0'));  // the list is a C string in FFmpeg
    while (!cursor.empty()) {
      if (cursor.find_first_not_of(" \n\t\r") == std::string_view::npos) break;
      parts.push_back(get_token(cursor, "\r\n"));
      if (!cursor.empty()) cursor.remove_prefix(1);
    }
    return parts;
  }

  bool list_file_;
  bool read_at_ = true;             // every part has positional reads
  bool concurrent_read_at_ = true;  // ... and may take them concurrently
  bool read_ahead_ = true;          // every part says read_ahead
  std::vector<Node> nodes_;
  size_t current_ = 0;
  int64_t total_ = 0;
};

}  // namespace

ProtocolInfo concat_protocol() {
  return ProtocolInfo::of<ConcatProtocol>("concat", {.default_whitelist = "concat,file,subfile"},
                                          [] { return std::make_unique<ConcatProtocol>(false); });
}

ProtocolInfo concatf_protocol() {
  return ProtocolInfo::of<ConcatProtocol>("concatf", {.default_whitelist = "concatf,concat,file,subfile"},
                                          [] { return std::make_unique<ConcatProtocol>(true); });
}

}  // namespace avio::protocols
