// ProtocolRegistry and FFmpeg's scheme rules (url_find_protocol).
#include <cstring>

#include "avio/protocol.hpp"
#include "url_internal.hpp"

namespace avio {

ProtocolRegistry::ProtocolRegistry(const ProtocolRegistry &other) {
  std::lock_guard<std::mutex> lock(other.mu_);
  protocols_ = other.protocols_;
}

ProtocolRegistry &ProtocolRegistry::operator=(const ProtocolRegistry &other) {
  if (this != &other) {
    std::scoped_lock lock(mu_, other.mu_);
    protocols_ = other.protocols_;
  }
  return *this;
}

ProtocolRegistry ProtocolRegistry::with_builtins() {
  ProtocolRegistry r;
  url_internal::register_builtins(r);
  return r;
}

ProtocolRegistry &ProtocolRegistry::global() {
  static ProtocolRegistry *registry = [] {
    auto *r = new ProtocolRegistry;  // never destroyed: protocols may be opened during exit
    url_internal::register_builtins(*r);
    return r;
  }();
  return *registry;
}

Status ProtocolRegistry::add(ProtocolInfo info) {
  if (info.name().empty()) return Error::invalid_argument("ProtocolRegistry::add: a protocol needs a name");
  if (info.name().find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") !=
      std::string::npos)
    return Error::invalid_argument("ProtocolRegistry::add: '" + info.name() +
                                   "' is not a URL scheme (letters, digits, '+', '-', '.')");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto &p : protocols_)
    if (p->name() == info.name()) return Error(-EEXIST, "protocol '" + info.name() + "' is already registered");
  protocols_.push_back(std::make_shared<const ProtocolInfo>(std::move(info)));
  return {};
}

void ProtocolRegistry::add_or_replace(ProtocolInfo info) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto &p : protocols_)
    if (p->name() == info.name()) {
      p = std::make_shared<const ProtocolInfo>(std::move(info));
      return;
    }
  protocols_.push_back(std::make_shared<const ProtocolInfo>(std::move(info)));
}

std::shared_ptr<const ProtocolInfo> ProtocolRegistry::find(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto &p : protocols_)
    if (p->name() == name) return p;
  return nullptr;
}

std::shared_ptr<const ProtocolInfo> ProtocolRegistry::find_for_url(std::string_view url) const {
  static constexpr std::string_view kSchemeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.";
  size_t scheme_len = url.find_first_not_of(kSchemeChars);
  if (scheme_len == std::string_view::npos) scheme_len = url.size();
  const bool colon_follows = scheme_len < url.size() && url[scheme_len] == ':';
  // "subfile,,start,1,,:url": the inline-options form names its protocol
  // before the comma (FFmpeg spells out subfile, the one such protocol).
  const bool inline_options =
      scheme_len < url.size() && url[scheme_len] == ',' && url.find(':', scheme_len + 1) != std::string_view::npos;
  const std::string_view named = url.substr(0, scheme_len);
  // A plain path never names a scheme; neither does "C:..." on DOS (not here).
  constexpr std::string_view kPlainPath = "file";
  const std::string_view outer = named.substr(0, named.find('+'));

  std::lock_guard<std::mutex> lock(mu_);
  for (const auto &p : protocols_) {
    if (colon_follows && (p->name() == named || (p->nested_scheme() && p->name() == outer))) return p;
    if (inline_options && p->name() == named && p->accepts_inline_options()) return p;
  }
  if (colon_follows) return nullptr;
  for (const auto &p : protocols_)
    if (p->name() == kPlainPath) return p;
  return nullptr;
}

std::vector<std::shared_ptr<const ProtocolInfo>> ProtocolRegistry::list() const {
  std::lock_guard<std::mutex> lock(mu_);
  return protocols_;
}

namespace url_internal {

bool list_contains(std::string_view list, std::string_view name) {
  if (name.empty()) return false;
  while (true) {
    const size_t comma = list.find(',');
    if (list.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

const ProtocolRegistry &registry_or_global(const ProtocolRegistry *registry) {
  return registry ? *registry : ProtocolRegistry::global();
}

}  // namespace url_internal
}  // namespace avio
