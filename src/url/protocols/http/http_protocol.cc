// http and https as the registry knows them: one protocol object that is
// either a client or, with listen=1 / listen=2, a server (FFmpeg's one
// http.c does both), so their options and capabilities are declared once.
#include "http_protocol.hpp"

#include "../builtins.hpp"
#include "../net/url_split.hpp"
#include "http_options.hpp"
#include "range_header.hpp"

namespace avio::protocols {

namespace {

// `listen` from the options, or (avio only) from the URL's query, as tcp
// takes it: "http://0.0.0.0:8080/up?listen=1".
int listen_mode(const UrlContext &h, std::string_view target) {
  int64_t listen = h.options().integer("listen");
  const net::HostTarget t = net::split_host_target(target);
  if (std::string value; net::find_info_tag(t.query, "listen", &value)) {
    bool digits = false;
    listen = net::parse_long(value, &digits);
    if (!digits) listen = 1;
  }
  return static_cast<int>(listen);
}

class HttpProtocol final : public Protocol {
 public:
  HttpProtocol() = default;
  explicit HttpProtocol(std::unique_ptr<Protocol> side) : side_(std::move(side)) {}

  Status open(UrlContext &h, const OpenRequest &request) override {
    const int listen = listen_mode(h, request.target);
    if (listen < 0 || listen > 2)
      return Error(-EINVAL, "http: listen must be 0, 1 or 2, got " + std::to_string(listen));
    side_ = listen ? http::make_server() : http::make_client();
    return side_->open(h, request);
  }
  StreamProperties stream_properties() const override { return side_->stream_properties(); }
  Result<size_t> read(UrlContext &h, std::span<uint8_t> dst) override { return side_->read(h, dst); }
  Result<size_t> write(UrlContext &h, std::span<const uint8_t> src) override { return side_->write(h, src); }
  Result<int64_t> seek(UrlContext &h, int64_t offset, int whence) override { return side_->seek(h, offset, whence); }
  Result<size_t> read_at(UrlContext &h, int64_t offset, std::span<uint8_t> dst) override {
    return side_->read_at(h, offset, dst);
  }
  Status read_ranges(UrlContext &h, std::span<const ReadRequest> reads) override {
    return side_->read_ranges(h, reads);
  }
  Status close(UrlContext &h) override { return side_ ? side_->close(h) : Status(); }
  int file_handle(UrlContext &h) override { return side_->file_handle(h); }
  Result<int> short_seek_size(UrlContext &h) override { return side_->short_seek_size(h); }
  std::string object_version() const override { return side_ ? side_->object_version() : std::string(); }
  Status shutdown(UrlContext &h, int flags) override { return side_->shutdown(h, flags); }
  Result<std::unique_ptr<Protocol>> accept(UrlContext &h) override {
    Result<std::unique_ptr<Protocol>> client = side_->accept(h);
    if (!client) return client.error();
    return std::unique_ptr<Protocol>(std::make_unique<HttpProtocol>(std::move(*client)));
  }
  Result<int> handshake(UrlContext &h) override { return side_->handshake(h); }

 private:
  std::unique_ptr<Protocol> side_;
};

}  // namespace

// Arrow's and GDAL's measurements put one HTTP/1.1 connection's useful
// read-ahead at a few MiB; a few connections per host is what servers
// tolerate from one client. A read_ranges request holds as many ranges as
// its Range line does.
constexpr ProtocolTraits::Remote kHttpRemote{.readahead_max = int64_t{8} << 20,
                                             .max_connections = 6,
                                             .initial_hole = int64_t{1} << 20,
                                             .multi_range = true,
                                             .ranges_per_request = http::kRangesPerHeader};

ProtocolInfo http_protocol() {
  return ProtocolInfo::of<HttpProtocol>("http",
                                        {.default_whitelist = "http,https,tls,rtp,tcp,udp,crypto,httpproxy,data",
                                         .options = http::http_option_specs(),
                                         .remote = kHttpRemote});
}

ProtocolInfo https_protocol() {
  return ProtocolInfo::of<HttpProtocol>("https", {.default_whitelist = "http,https,tls,rtp,tcp,udp,crypto,httpproxy",
                                                  .options = http::http_option_specs(),
                                                  .remote = kHttpRemote});
}

}  // namespace avio::protocols
