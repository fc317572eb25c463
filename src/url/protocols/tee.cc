// tee: writes to several URLs at once ("tee:[opt=val:opt=val]url1|url2").
// A failing child's error is returned, but the others still get the data.
#include <memory>
#include <vector>

#include "builtins.hpp"
#include "token.hpp"

namespace avio::protocols {

namespace {

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '/' || c == '.';
}

// "[k=v:k2=v2]url" -> options and url (ff_tee_parse_slave_options).
Result<std::string> parse_child(std::string_view child, Dictionary &options) {
  if (child.empty() || child.front() != '[') return std::string(child);
  std::string_view p = child.substr(1);
  if (!p.empty() && p.front() == ']') return std::string(p.substr(1));
  while (true) {
    size_t i = p.find_first_not_of(" \n\t\r");
    if (i == std::string_view::npos) i = p.size();
    const size_t key_start = i;
    while (i < p.size() && is_key_char(p[i])) ++i;
    const std::string_view key = p.substr(key_start, i - key_start);
    while (i < p.size() && (p[i] == ' ' || p[i] == '\n' || p[i] == '\t' || p[i] == '\r')) ++i;
    if (i >= p.size() || p[i] != '=') return Error(-EINVAL, "tee: no option found near '" + std::string(p) + "'");
    p.remove_prefix(i + 1);
    const std::string value = get_token(p, ":]");
    options.set(key, value);
    if (p.empty()) return Error(-EINVAL, "tee: child options lack their closing ']' in '" + std::string(child) + "'");
    if (p.front() == ']') break;
    p.remove_prefix(1);
  }
  return std::string(p.substr(1));
}

class TeeProtocol final : public Protocol {
 public:
  Status open(UrlContext &, const OpenRequest &request) override {
    std::string_view url = request.target;
    const int flags = request.flags;
    if (flags & kOpenRead) return Error(-ENOSYS, "tee: the protocol only writes");
    while (!url.empty()) {
      const std::string child = get_token(url, "|");
      Dictionary options;
      Result<std::string> target = parse_child(child, options);
      if (!target) return fail(target.error());
      Result<std::unique_ptr<UrlContext>> opened = request.open_nested(*target, flags, options);
      if (!opened) return fail(opened.error());
      children_.push_back(std::move(*opened));
      if (!url.empty() && url.front() == '|') url.remove_prefix(1);
    }
    for (const auto &c : children_) streamed_ |= c->stream().streamed;
    return {};
  }

  StreamProperties stream_properties() const override { return {.streamed = streamed_}; }

  Result<size_t> write(UrlContext &, std::span<const uint8_t> src) override {
    Result<size_t> result = src.size();
    for (const auto &c : children_) {
      Status st = c->write(src);
      if (!st) result = st.error();
    }
    return result;
  }

  Status close(UrlContext &) override {
    Status result;
    for (const auto &c : children_) {
      Status st = c->close();
      if (!st) result = st;
    }
    children_.clear();
    return result;
  }

 private:
  Status fail(Error e) {
    children_.clear();
    return e;
  }

  std::vector<std::unique_ptr<UrlContext>> children_;
  bool streamed_ = false;
};

}  // namespace

ProtocolInfo tee_protocol() {
  return ProtocolInfo::of<TeeProtocol>("tee", {.default_whitelist = "crypto,file,http,https,httpproxy,rtmp,tcp,tls"});
}

}  // namespace avio::protocols
