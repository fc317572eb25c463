// The http and https client's state (http_client.cc: requests, reading,
// writing; http_read_ranges.cc: read_ranges). Internal to the http
// protocol: make_client() (http_protocol.hpp) is how the rest of avio gets
// one.
//
// Thread-safety: one context's calls come one at a time (the Protocol
// contract); nothing here is shared between contexts.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_CLIENT_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_CLIENT_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../builtins.hpp"
#include "byteranges.hpp"
#include "connection.hpp"
#include "cookies.hpp"
#include "http_options.hpp"
#include "http_url.hpp"
#include "range_header.hpp"
#include "response_body.hpp"

namespace avio::protocols::http {

// A seek drains what is left of the response in flight, instead of giving
// up the connection, when no more than this is left: about what a new
// connection's handshake costs in time on a fast link.
constexpr int64_t kDrainLimit = int64_t{256} * 1024;

struct Exchange {
  ResponseHead head;
  ResponseBody body;
};

class HttpClient final : public Protocol {
 public:
  Status open(UrlContext &h, const OpenRequest &request) override;
  StreamProperties stream_properties() const override { return {.streamed = streamed_}; }
  std::string object_version() const override { return !etag_.empty() ? etag_ : last_modified_; }
  Result<size_t> read(UrlContext &h, std::span<uint8_t> dst) override;
  Result<size_t> write(UrlContext &h, std::span<const uint8_t> src) override;
  Result<int64_t> seek(UrlContext &h, int64_t offset, int whence) override;
  // One bounded range on the kept-alive connection, validated as a resumed
  // read is (If-Range with the ETag): a changed file is -EIO, never spliced.
  // The stream position does not move (the next read() asks afresh).
  Result<size_t> read_at(UrlContext &h, int64_t offset, std::span<uint8_t> dst) override;
  // Every read in as few requests as the Range line allows, or one per
  // span from a server that answered several ranges with 200 (its file,
  // http_read_ranges.cc, says how); validated as read_at is, the position kept.
  // Without a known size, read_at one read after the other.
  Status read_ranges(UrlContext &h, std::span<const ReadRequest> reads) override;
  Status close(UrlContext &h) override;
  int file_handle(UrlContext &) override { return conn_ ? conn_->transport().file_handle() : -1; }
  Result<int> short_seek_size(UrlContext &) override;
  Status shutdown(UrlContext &h, int flags) override;

 private:
  // ---- requests
  Result<Exchange> request(UrlContext &h, std::string_view method, int64_t from, int64_t to, bool validate,
                           const Deadline &deadline, Dictionary *first_options);
  Result<Exchange> send_once(UrlContext &h, const RequestHead &head, std::string_view method,
                             std::span<const uint8_t> body, const Deadline &deadline, Dictionary *first_options);
  Status ensure_connection(UrlContext &h, const Deadline &deadline, Dictionary *first_options);
  Result<RequestHead> build_request(std::string_view method, int64_t from, int64_t to, bool validate,
                                    size_t body_size) const;
  std::string error_text(std::string_view method, const ResponseHead &head) const;

  // ---- reading
  Status open_at(UrlContext &h, int64_t offset, const Deadline &deadline, Dictionary *first_options, bool resume);
  Status accept_response(UrlContext &h, Exchange exchange, int64_t offset, bool resume);
  void note_headers(UrlContext &h, const ResponseHead &head);
  // Sleeps FFmpeg's backoff before attempt `attempt` + 1, or gives up with
  // `why` (an open) or -EIO naming it (a read).
  Status retry_wait(UrlContext &h, int attempt, int64_t *delay_s, int64_t *total_s, int64_t retry_after,
                    const Error &why, bool reading);
  Result<size_t> read_or_reconnect(UrlContext &h, std::span<uint8_t> dst);
  bool may_reconnect(const Error &e) const;
  int64_t range_end() const;
  void drop_response(bool keep_connection_if_cheap, UrlContext &h);

  // ---- read_ranges
  // One request for `spans`: the bytes of them the answer left out (all of
  // them when a 200 to several was given up for one request per span).
  Result<std::vector<ByteSpan>> fetch_spans(UrlContext &h, http::ReadPlan &plan, std::span<const ByteSpan> spans);
  bool same_version(const ResponseHead &head) const;
  Status read_span_body(ResponseBody &body, int64_t first, int64_t end, int64_t stop, http::ReadPlan &plan,
                        http::Coverage &coverage);
  Status read_multipart(ResponseBody &body, std::string boundary, http::ReadPlan &plan, http::Coverage &coverage);
  Error about_url(const Error &e) const;

  // ---- writing
  Status open_upload(UrlContext &h, const Deadline &deadline, Dictionary &options);
  Status finish_upload(UrlContext &h);

  HttpSettings s_;
  HttpUrl url_;  // where the data is (after redirects)
  std::optional<HttpUrl> proxy_;
  http::CookieJar cookies_;
  Dictionary nested_options_;  // the caller's options for tcp/tls, for every later connection
  std::unique_ptr<Connection> conn_;
  std::optional<ResponseBody> body_;  // the response being read
  int64_t off_ = 0;                   // the stream position
  int64_t filesize_ = -1;             // -1: unknown
  int64_t request_end_ = -1;          // the end (exclusive) of the range asked for, -1: open-ended
  int64_t positional_end_ = 0;        // within read_at: the end of its range, which every request asks for
  std::string ranges_;                // within read_ranges: the Range value every request asks for
  bool multi_range_refused_ = false;  // several ranges were answered with 200: one range a request
  std::string etag_;
  std::string last_modified_;
  bool streamed_ = true;
  bool auth_basic_ = false;  // send credentials (auth_type=basic, or after a 401)
  bool writing_ = false;
  bool upload_ended_ = false;
  bool upload_answered_ = false;
  std::vector<uint8_t> upload_buffer_;  // chunked_post=0: the body, sent at close
  std::string method_;
  int64_t icy_metaint_ = 0;
};

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_CLIENT_HPP
