// The http and https server: FFmpeg's listen mode (http.c's http_listen,
// http_accept, http_handshake, http_write_reply).
//
// listen=1 opens tcp (or tls, for https) in listen mode, waits for one
// client and completes its handshake inside open, replying 200. listen=2
// makes a server context: accept hands out a client, whose handshake the
// caller steps: the transport's own handshake (returns 2 + its value, then
// 2), the request head (returns 1; `resource` and `method` are set), the
// reply head with `reply_code` (returns 1), done (0). A negative reply_code
// (AVERROR_HTTP_*) sends that status with a short text body; 200 sends a
// chunked reply that writes fill. Reading gives the request body.
//
// What FFmpeg's server leaves open, avio bounds: a request head larger than
// max_request_head is answered 431, one that takes longer than
// request_head_timeout 408, a malformed one 400, an unknown method 501, and
// the client's handshake fails with the matching code; the server context
// is untouched and keeps accepting.
#include <cstdio>

#include "../builtins.hpp"
#include "../net/url_split.hpp"
#include "connection.hpp"
#include "http_options.hpp"
#include "http_protocol.hpp"
#include "response_body.hpp"

namespace avio::protocols {

namespace {

using http::Connection;

struct Reply {
  int code;
  const char *text;
};

// http_write_reply's statuses, and avio's for what it refuses itself.
std::optional<Reply> reply_for(int code) {
  switch (code) {
    case kHttpBadRequest:
    case 400: return Reply{400, "Bad Request"};
    case kHttpForbidden:
    case 403: return Reply{403, "Forbidden"};
    case kHttpNotFound:
    case 404: return Reply{404, "Not Found"};
    case kHttpTooManyRequests:
    case 429: return Reply{429, "Too Many Requests"};
    case 200: return Reply{200, "OK"};
    case kHttpServerError:
    case 500: return Reply{500, "Internal server error"};
    case 408: return Reply{408, "Request Timeout"};
    case 431: return Reply{431, "Request Header Fields Too Large"};
    case 501: return Reply{501, "Not Implemented"};
    case 505: return Reply{505, "HTTP Version Not Supported"};
    default: return std::nullopt;
  }
}

bool known_method(std::string_view m) {
  for (std::string_view k : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    if (m == k) return true;
  }
  return false;
}

class HttpServer final : public Protocol {
 public:
  HttpServer() = default;
  // An accepted client, not yet handshaken.
  // An accepted client, not yet handshaken, with its server's limits.
  HttpServer(std::unique_ptr<UrlContext> client, const http::HeadLimits &limits, int64_t head_timeout_us)
      : conn_(std::make_unique<Connection>("", std::move(client))),
        limits_(limits),
        head_timeout_us_(head_timeout_us) {}

  Status open(UrlContext &h, const OpenRequest &request) override {
    limits_.max_head_bytes = static_cast<size_t>(h.options().integer("max_request_head"));
    head_timeout_us_ = h.options().integer("request_head_timeout");
    int listen = static_cast<int>(h.options().integer("listen"));
    if (std::string v; net::find_info_tag(net::split_host_target(request.target).query, "listen", &v))
      listen = v == "2" ? 2 : 1;
    const net::HostTarget t = net::split_host_target(request.target);
    if (t.port <= 0) return Error(-EINVAL, "http: a server needs a port in '" + std::string(h.url()) + "'");
    std::string host = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
    const bool secure = h.info().name() == "https";
    const std::string lower = std::string(secure ? "tls://" : "tcp://") + host + ":" + std::to_string(t.port) +
                              "?listen=" + std::to_string(listen);
    Result<std::unique_ptr<UrlContext>> transport = request.open_nested(lower, kOpenReadWrite, request.options);
    if (!transport) return transport.error();
    if (listen == 2) {
      server_ = std::move(*transport);
      return {};
    }
    conn_ = std::make_unique<Connection>("", std::move(*transport));
    (void)h.mutable_options().set("reply_code", "200");
    for (;;) {
      Result<int> step = handshake(h);
      if (!step) return step.error();
      if (*step == 0) return {};
    }
  }

  StreamProperties stream_properties() const override { return {.streamed = true}; }

  Result<std::unique_ptr<Protocol>> accept(UrlContext &h) override {
    if (!server_)
      return Error(-EINVAL, "http: accept needs a server opened with listen=2: '" + std::string(h.url()) + "'");
    Result<std::unique_ptr<UrlContext>> client = server_->accept();
    if (!client) return client.error();
    return std::unique_ptr<Protocol>(std::make_unique<HttpServer>(std::move(*client), limits_, head_timeout_us_));
  }

  Result<int> handshake(UrlContext &h) override {
    if (!conn_) return 0;  // the server context itself
    switch (step_) {
      case Step::kLowerProtocol: {
        Result<int> lower = conn_->transport().handshake();
        if (!lower) return lower.error();
        if (*lower > 0) return 2 + *lower;
        step_ = Step::kReadHeaders;
        return 2;
      }
      case Step::kReadHeaders: {
        if (Status st = read_request(h); !st) {
          step_ = Step::kFinish;
          return st.error();
        }
        step_ = Step::kWriteReply;
        return 1;
      }
      case Step::kWriteReply: {
        if (Status st = write_reply(h, static_cast<int>(h.options().integer("reply_code"))); !st) return st.error();
        step_ = Step::kFinish;
        return 1;
      }
      case Step::kFinish: return 0;
    }
    return Error(-EINVAL);
  }

  Result<size_t> read(UrlContext &h, std::span<uint8_t> dst) override {
    if (!body_) return Error(-EIO, "http: no request to read from in '" + std::string(h.url()) + "'");
    Result<size_t> n = body_->read(*conn_, dst);
    if (!n && n.error().code() == kEof && !conn_->buffered().empty())
      return Error(kInvalidData, "http: the client sent more than its request body declared");
    return n;
  }

  Result<size_t> write(UrlContext &h, std::span<const uint8_t> src) override {
    if (step_ != Step::kFinish || !conn_)
      return Error(-EIO, "http: write before the handshake finished on '" + std::string(h.url()) + "'");
    if (src.empty()) return size_t{0};
    if (!chunked_reply_) {
      if (Status st = conn_->write(src); !st) return st.error();
      return src.size();
    }
    if (Status st = conn_->write_chunk(src); !st) return st.error();
    return src.size();
  }

  Status shutdown(UrlContext &, int) override { return end_reply(); }

  Status close(UrlContext &) override {
    Status st = step_ == Step::kFinish && conn_ && reply_sent_ ? end_reply() : Status();
    conn_.reset();
    server_.reset();
    return st;
  }

  int file_handle(UrlContext &) override {
    if (server_) return server_->file_handle();
    return conn_ ? conn_->transport().file_handle() : -1;
  }

 private:
  enum class Step { kLowerProtocol, kReadHeaders, kWriteReply, kFinish };

  // READ_HEADERS: the request line and headers; `resource` and `method`.
  Status read_request(UrlContext &h) {
    const OptionValues &o = h.options();
    Result<std::string> bytes = conn_->read_head_bytes(limits_, Deadline::after_us(head_timeout_us_));
    if (!bytes) {
      const int code = bytes.error().code();
      const int status = code == -ETIMEDOUT ? 408 : code == kInvalidData ? 431 : 0;
      if (status) (void)write_reply(h, status);
      return Error(code, "http: reading a request: " + bytes.error().message());
    }
    Result<http::ParsedRequest> request = http::parse_request_head(*bytes, limits_);
    if (!request)
      return refuse(h, http::request_error_status(request.error()),
                    "a malformed request: " + request.error().message());
    if (!known_method(request->method)) return refuse(h, 501, "unsupported method '" + request->method + "'");
    // FFmpeg's rule: the method must be `method`, else the one the open's
    // direction implies (a reader takes an upload, a writer serves a GET);
    // avio also takes PUT for an upload (curl -T).
    const std::string &expected = o.string("method");
    const bool reading = (h.flags() & kOpenRead) != 0;
    const bool ok = !expected.empty() ? request->method == expected
                    : reading         ? request->method == "POST" || request->method == "PUT"
                                      : request->method == "GET" || request->method == "HEAD";
    if (!ok)
      return refuse(h, 400,
                    "method " + request->method + " where " +
                        (expected.empty() ? std::string(reading ? "POST or PUT" : "GET") : expected) + " was expected");
    (void)h.mutable_options().publish("method", request->method);
    (void)h.mutable_options().publish("resource", request->target);
    Result<http::ResponseBody> body = http::ResponseBody::of_request(request->headers);
    if (!body) return refuse(h, 400, body.error().message());
    body_ = std::move(*body);
    head_only_ = request->method == "HEAD";
    // curl -T asks first; FFmpeg's server never answers, so curl waits 1 s.
    const std::optional<std::string_view> expect = request->find("Expect");
    if (reading && expect && http::iequals(*expect, "100-continue"))
      return conn_->write("HTTP/1.1 100 Continue\r\n\r\n");
    return {};
  }

  Status refuse(UrlContext &h, int status, const std::string &why) {
    (void)write_reply(h, status);
    return Error(http::http_error_code(status), "http: refused a client: " + why);
  }

  // http_write_reply: an error status with its text as the body; 200 as a
  // chunked reply the writes fill.
  Status write_reply(UrlContext &h, int code) {
    const std::optional<Reply> reply = reply_for(code);
    if (!reply) return Error(-EINVAL, "http: reply_code " + std::to_string(code) + " is not one a server can send");
    Result<std::vector<http::Header>> extra = http::parse_header_block(h.options().string("headers"));
    if (!extra) return Error(extra.error().code(), "http: headers option: " + extra.error().message());
    std::string headers;
    for (const http::Header &x : *extra) headers += x.name + ": " + x.value + "\r\n";
    std::string head = "HTTP/1.1 " + std::to_string(reply->code) + " " + reply->text + "\r\n";
    const bool body = code < 0 || reply->code != 200;
    if (body) {
      const std::string text = std::to_string(reply->code) + " " + reply->text + "\r\n";
      head += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(text.size()) + "\r\n" + headers + "\r\n" +
              text;
      chunked_reply_ = false;
    } else {
      const std::string &type = h.options().string("content_type");
      if (Status st = http::check_header_value("content_type", type); !st) return st;
      head += "Content-Type: " + (type.empty() ? std::string("application/octet-stream") : type) +
              "\r\nTransfer-Encoding: chunked\r\n" + headers + "\r\n";
      chunked_reply_ = !head_only_;
    }
    reply_sent_ = true;
    ended_ = body;
    return conn_->write(head);
  }

  Status end_reply() {
    if (ended_ || !chunked_reply_ || !conn_) return {};
    ended_ = true;
    return conn_->write_last_chunk();
  }

  std::unique_ptr<UrlContext> server_;  // listen=2: the listening transport
  std::unique_ptr<Connection> conn_;    // the client
  std::optional<http::ResponseBody> body_;
  http::HeadLimits limits_;
  int64_t head_timeout_us_ = 0;
  Step step_ = Step::kLowerProtocol;
  bool chunked_reply_ = false;
  bool reply_sent_ = false;
  bool ended_ = false;
  bool head_only_ = false;
};

}  // namespace

namespace http {
std::unique_ptr<Protocol> make_server() { return std::make_unique<HttpServer>(); }
}  // namespace http

}  // namespace avio::protocols
