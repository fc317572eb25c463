// ProtocolRegistry: scheme -> protocol, with FFmpeg's scheme rules.
//
// `ProtocolRegistry::global()` holds the built-ins and whatever a program
// adds; a caller may also build its own registry and pass it in
// OpenOptions. Thread-safe: every method may be called from any thread; an
// open that found a protocol keeps its ProtocolInfo alive, so replacing a
// protocol never disturbs contexts already open.
#ifndef AVIO_PROTOCOL_REGISTRY_HPP
#define AVIO_PROTOCOL_REGISTRY_HPP

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "avio/protocol.hpp"

namespace avio {

class ProtocolRegistry {
 public:
  ProtocolRegistry() = default;
  ProtocolRegistry(const ProtocolRegistry &other);
  ProtocolRegistry &operator=(const ProtocolRegistry &other);
  // A registry holding the built-in protocols.
  static ProtocolRegistry with_builtins();
  // The process-wide registry, with the built-ins.
  static ProtocolRegistry &global();

  // Adds a protocol; -EEXIST if one of that name is registered.
  Status add(ProtocolInfo info);
  // Replaces a protocol of the same name, or adds it.
  void add_or_replace(ProtocolInfo info);
  std::shared_ptr<const ProtocolInfo> find(std::string_view name) const;
  // url_find_protocol: the protocol FFmpeg's scheme rules select for `url`:
  // "scheme:..." selects `scheme`; "outer+inner:..." a nested_scheme
  // protocol `outer`; "name,..." a protocol with inline options; anything
  // else (a plain path) is `file`.
  std::shared_ptr<const ProtocolInfo> find_for_url(std::string_view url) const;
  // In registration order.
  std::vector<std::shared_ptr<const ProtocolInfo>> list() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const ProtocolInfo>> protocols_;
};

}  // namespace avio

#endif  // AVIO_PROTOCOL_REGISTRY_HPP
