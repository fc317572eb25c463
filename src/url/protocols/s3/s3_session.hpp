// Signed S3 requests over one kept-alive HTTP/1.1 connection (the http
// protocol's Connection and message layers), with S3's retry rules: a
// throttled or failed request (SlowDown, 500, 503, a connection that drops
// before the answer) is sent again after a full-jitter exponential backoff
// (100 ms doubling, capped at 5 s, Retry-After honoured) up to max_retries
// times; every other error status becomes the FFmpeg code of S3's XML error,
// with its code, message and request id in the text.
//
// Not thread-safe: one protocol object uses it.
#ifndef AVIO_SRC_URL_PROTOCOLS_S3_S3_SESSION_HPP
#define AVIO_SRC_URL_PROTOCOLS_S3_S3_SESSION_HPP

#include <memory>
#include <span>
#include <string>

#include "../http/connection.hpp"
#include "../http/response_body.hpp"
#include "canonical.hpp"
#include "s3_config.hpp"

namespace avio::protocols::s3 {

struct S3Response {
  http::ResponseHead head;
  http::ResponseBody body;
};

struct S3Request {
  std::string method;
  std::string key;  // the object key; "" for the bucket
  Pairs query;
  Pairs headers;
  std::span<const uint8_t> body;
  // Statuses the caller handles itself beside 2xx (416 for a first read).
  int also_accept = 0;
};

class S3Session {
 public:
  // Connections are opened with `params` (the interrupt, timeouts, lists and
  // registry of the open that made the session: UrlContext::params()).
  S3Session(UrlOpenParams params, S3Config config, Dictionary nested_options)
      : params_(std::move(params)), config_(std::move(config)), nested_options_(std::move(nested_options)) {}

  const S3Config &config() const { return config_; }

  // Sends `request` (retrying as the class comment says) and reads the
  // answer's head; a 2xx (or also_accept) answer's body is left to read.
  // `first_options`: the open's own dictionary, for the first connection.
  Result<S3Response> send(const S3Request &request, Dictionary *first_options = nullptr);
  // The body of an answer, at least one byte or EOF. After an error (an
  // interrupt, a timeout, a cut) the rest of the body is unknown: the
  // connection is dropped, so the next request does not read it as its answer.
  Result<size_t> read(S3Response &response, std::span<uint8_t> dst);
  // A whole (small) body.
  Result<std::string> read_all(S3Response &response, size_t limit);
  // Gives up the rest of a body: drained when short, else the connection
  // is closed.
  void abandon(S3Response &response);

 private:
  Result<S3Response> send_once(const S3Request &request, Dictionary *first_options);
  Status connect(Dictionary *first_options);
  Result<std::string> head_text(const S3Request &request) const;
  Error error_of(S3Response &response, bool *retryable);
  Status backoff(int attempt, int64_t retry_after_s, const Error &why);

  UrlOpenParams params_;
  S3Config config_;
  Dictionary nested_options_;
  std::unique_ptr<http::Connection> conn_;
};

}  // namespace avio::protocols::s3

#endif  // AVIO_SRC_URL_PROTOCOLS_S3_S3_SESSION_HPP
