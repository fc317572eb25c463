// The defaults of Protocol: every operation a protocol does not provide.
#include "avio/protocol.hpp"

namespace avio {

namespace {
Error not_supported(const UrlContext &h, const char *what) {
  return Error(-ENOSYS, h.info().name() + ": " + what + " is not supported");
}
}  // namespace

Result<size_t> Protocol::read(UrlContext &h, std::span<uint8_t>) { return not_supported(h, "reading"); }
Result<size_t> Protocol::write(UrlContext &h, std::span<const uint8_t>) { return not_supported(h, "writing"); }
Result<int64_t> Protocol::seek(UrlContext &h, int64_t, int) { return not_supported(h, "seeking"); }
Result<size_t> Protocol::read_at(UrlContext &h, int64_t, std::span<uint8_t>) {
  return not_supported(h, "positional reading");
}
Status Protocol::will_read(UrlContext &, std::span<const ByteRange>) { return {}; }
Status Protocol::read_ranges(UrlContext &h, std::span<const ReadRequest> reads) {
  for (const ReadRequest &r : reads) {
    Result<size_t> n = h.read_at(r.offset, r.dst);
    if (!n && !n.error().is_eof()) return n.error();
    if (n && *n > 0 && r.progress) r.progress->arrived(r.offset, static_cast<int64_t>(*n));
  }
  return {};
}
UrlContext *Protocol::inner_url(UrlContext &) { return nullptr; }
std::string Protocol::object_version() const { return {}; }
Status Protocol::close(UrlContext &) { return {}; }
Status Protocol::read_pause(UrlContext &h, bool) { return not_supported(h, "pausing"); }
Result<int64_t> Protocol::read_seek(UrlContext &h, int, int64_t, int) { return not_supported(h, "seeking by time"); }
int Protocol::file_handle(UrlContext &) { return -1; }
Result<int> Protocol::short_seek_size(UrlContext &h) { return not_supported(h, "short seek size"); }
Status Protocol::shutdown(UrlContext &h, int) { return not_supported(h, "shutdown"); }
Result<int> Protocol::check(UrlContext &h, int) { return not_supported(h, "check"); }
Status Protocol::remove(UrlContext &h) { return not_supported(h, "delete"); }
Status Protocol::move(UrlContext &h, UrlContext &) { return not_supported(h, "move"); }
Status Protocol::open_dir(UrlContext &h) { return not_supported(h, "directory listing"); }
Result<bool> Protocol::read_dir(UrlContext &h, DirEntry &) { return not_supported(h, "directory listing"); }
Status Protocol::close_dir(UrlContext &) { return {}; }
Result<std::unique_ptr<Protocol>> Protocol::accept(UrlContext &h) {
  return Error(-EBADF, h.info().name() + ": accept needs a listening protocol");
}
Result<int> Protocol::handshake(UrlContext &) { return 0; }

}  // namespace avio
