// The one adapter between an open URL and the buffered engine, for both
// faces: the C++ open_url / accept and the C API's avio_open2 /
// avio_accept build their context from `UrlBackend` and
// `buffered_options`, so buffer sizes, seekability, packet sizes and the
// optional hooks cannot differ between the two.
#ifndef AVIO_SRC_URL_URL_BACKEND_HPP
#define AVIO_SRC_URL_URL_BACKEND_HPP

#include <memory>

#include "avio/backend.hpp"
#include "avio/io_context.hpp"
#include "avio/protocol.hpp"

namespace avio::url_internal {

// The engine's Backend over an open URL (ffurl_read / ffurl_write /
// ffurl_seek as FFmpeg's ffio_fdopen installs them). Owns the URL and
// closes it once.
class UrlBackend final : public Backend {
 public:
  explicit UrlBackend(std::unique_ptr<UrlContext> url) : url_(std::move(url)) {}
  ~UrlBackend() override { (void)url_->close(); }

  // Read, write and seek are always offered, as ffio_fdopen installs
  // ffurl_read, ffurl_write and ffurl_seek whatever the protocol: the URL
  // layer answers -EIO for a direction the open flags exclude and -ENOSYS
  // for a protocol that cannot seek, and the engine treats those
  // differently from a missing callback.
  Capabilities capabilities() const override;
  Result<size_t> read(std::span<uint8_t> dst) override { return url_->read(dst); }
  Status write(std::span<const uint8_t> src) override { return url_->write(src); }
  Result<int64_t> seek(int64_t offset, Whence whence) override { return url_->seek(offset, static_cast<int>(whence)); }
  Result<int64_t> size() override { return url_->seek(0, kSeekSizeQuery); }
  Result<size_t> read_at(int64_t offset, std::span<uint8_t> dst) override { return url_->read_at(offset, dst); }
  Status pause(bool pause) override { return url_->read_pause(pause); }
  Result<int64_t> seek_time(int stream_index, int64_t timestamp, int flags) override {
    return url_->read_seek(stream_index, timestamp, flags);
  }
  Result<int> short_seek_size() override { return url_->short_seek_size(); }
  Status close() override { return url_->close(); }

  UrlContext &url() { return *url_; }

 private:
  std::unique_ptr<UrlContext> url_;
};

// ffio_fdopen's choices for a URL: buffer size (the packet size, doubled
// for a stream that cannot seek back), direction, direct mode, packet
// sizes, seekability.
Result<ContextOptions> buffered_options(const UrlContext &h);

}  // namespace avio::url_internal

#endif  // AVIO_SRC_URL_URL_BACKEND_HPP
