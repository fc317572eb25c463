// httpproxy: a tunnel through an HTTP proxy (FFmpeg's httpproxy protocol),
// what tls opens instead of tcp when it has a proxy (https through a proxy).
//
// "httpproxy://[user:password@]proxyhost:port/host:port": connects to the
// proxy over tcp, asks "CONNECT host:port", retries once with Basic
// credentials after a 407 when the URL has them, and then carries bytes both
// ways unchanged. A refusal is FFmpeg's AVERROR_HTTP_* of the status, with
// the status line in the text.
#include "../builtins.hpp"
#include "connection.hpp"
#include "http_options.hpp"
#include "http_url.hpp"

namespace avio::protocols {

namespace {

class HttpProxyProtocol final : public Protocol {
 public:
  Status open(UrlContext &h, const OpenRequest &request) override {
    // "//[auth@]proxy:port/host:port": the proxy as an http URL, the
    // destination as its path.
    Result<http::HttpUrl> proxy = http::parse_http_url("http:" + std::string(request.target));
    if (!proxy) return Error(proxy.error().code(), "httpproxy: " + proxy.error().message());
    const std::string destination = proxy->target.size() > 1 ? proxy->target.substr(1) : "";
    if (destination.empty() || destination.find(':') == std::string::npos)
      return Error(-EINVAL, "httpproxy: no host:port to tunnel to in '" + std::string(h.url()) + "'");
    Result<std::unique_ptr<http::Connection>> c =
        http::Connection::open(h, "", proxy->host, proxy->port, false, request.options, request.deadline);
    if (!c) return c.error();
    conn_ = std::move(*c);
    for (int attempt = 0; attempt < 2; ++attempt) {
      http::RequestHead head{"CONNECT", destination, {{"Host", destination}}};
      if (attempt == 1)
        head.headers.push_back({"Proxy-Authorization", http::basic_credentials(proxy->user, proxy->password)});
      Result<std::string> text = http::serialize_request_head(head);
      if (!text) return Error(text.error().code(), "httpproxy: " + text.error().message());
      if (Status st = conn_->write(*text); !st) return st;
      Result<http::ResponseHead> response = conn_->read_head({});
      if (!response)
        return Error(response.error().code(), "httpproxy: CONNECT " + destination + ": " + response.error().message());
      if (response->status / 100 == 2) return {};
      if (response->status == 407 && proxy->has_userinfo && attempt == 0) {
        // The refusal's body, if any, must be read past before retrying.
        Result<int64_t> length = http::content_length(*response);
        if (!length || *length != 0) return refused(destination, *response);
        continue;
      }
      return refused(destination, *response);
    }
    return Error(-EIO, "httpproxy: CONNECT " + destination + " was refused twice");
  }

  StreamProperties stream_properties() const override { return {.streamed = true}; }
  Result<size_t> read(UrlContext &, std::span<uint8_t> dst) override { return conn_->read_some(dst); }
  Result<size_t> write(UrlContext &, std::span<const uint8_t> src) override {
    if (Status st = conn_->write(src); !st) return st.error();
    return src.size();
  }
  Status close(UrlContext &) override {
    conn_.reset();
    return {};
  }
  int file_handle(UrlContext &) override { return conn_ ? conn_->transport().file_handle() : -1; }
  Result<int> short_seek_size(UrlContext &) override { return conn_->transport().short_seek_size(); }

 private:
  static Error refused(const std::string &destination, const http::ResponseHead &r) {
    return Error(http::http_error_code(r.status < 400 ? 400 : r.status),
                 "httpproxy: CONNECT " + destination + " answered '" + r.http_version + " " + std::to_string(r.status) +
                     (r.reason.empty() ? "" : " " + r.reason) + "'");
  }

  std::unique_ptr<http::Connection> conn_;
};

}  // namespace

ProtocolInfo httpproxy_protocol() { return ProtocolInfo::of<HttpProxyProtocol>("httpproxy"); }

}  // namespace avio::protocols
