#include "url_backend.hpp"

#include <climits>

namespace avio::url_internal {

Capabilities UrlBackend::capabilities() const {
  const ProtocolCapabilities &p = url_->info().capabilities();
  Capabilities c;
  c.read = c.write = c.seek = true;
  c.read_at = p.read_at;
  c.concurrent_read_at = p.read_at && url_->stream().concurrent_read_at;
  c.pause = p.pause;
  c.seek_time = p.read_seek;
  c.short_seek = p.short_seek;
  return c;
}

Result<ContextOptions> buffered_options(const UrlContext &h) {
  const StreamProperties &s = h.stream();
  ContextOptions o;
  o.max_packet_size = s.max_packet_size;
  o.min_packet_size = s.min_packet_size;
  o.buffer_size = s.max_packet_size ? s.max_packet_size : detail::kDefaultBufferSize;
  o.write = (h.flags() & kOpenWrite) != 0;
  if (!o.write && s.streamed) {
    if (o.buffer_size > INT_MAX / 2) return Error(-EINVAL, h.info().name() + ": packet size too large to buffer");
    o.buffer_size *= 2;  // room for probing on a stream that cannot seek back
  }
  o.direct = (h.flags() & kOpenDirect) != 0;
  o.seekable = s.streamed ? 0 : detail::kSeekableNormal;
  if (h.info().capabilities().read_seek) o.seekable |= detail::kSeekableTime;
  return o;
}

}  // namespace avio::url_internal
