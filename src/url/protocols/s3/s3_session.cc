#include "s3_session.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <random>

#include "digest.hpp"
#include "error_map.hpp"
#include "responses.hpp"
#include "sigv4.hpp"

namespace avio::protocols::s3 {

namespace {

constexpr int64_t kDrainLimit = int64_t{256} * 1024;
constexpr size_t kErrorBodyLimit = 65536;

std::string query_string(const Pairs &query) {
  std::string q;
  for (const auto &[name, value] : query) {
    q += q.empty() ? "?" : "&";
    q += uri_encode(name, true);
    q += "=" + uri_encode(value, true);
  }
  return q;
}

}  // namespace

Status S3Session::connect(Dictionary *first_options) {
  if (conn_ && conn_->reusable) return {};
  conn_.reset();
  Dictionary copy = nested_options_;
  const http::HttpUrl &e = config_.endpoint;
  Result<std::unique_ptr<http::Connection>> c = http::Connection::open(
      params_, e.scheme + "://" + e.authority(), e.host, e.port, e.secure(), first_options ? *first_options : copy);
  if (!c) return c.error();
  conn_ = std::move(*c);
  return {};
}

Result<std::string> S3Session::head_text(const S3Request &request) const {
  const std::string payload =
      request.body.empty() && request.method != "PUT" && request.method != "POST"
          ? sha256_hex("")
          : sha256_hex(std::string_view(reinterpret_cast<const char *>(request.body.data()), request.body.size()));
  SigningRequest s;
  s.method = request.method;
  s.host = config_.endpoint.authority();
  s.path = request.key.empty() && !config_.path_style ? "/" : config_.path_of(request.key);
  if (request.key.empty() && config_.path_style) s.path = "/" + uri_encode(config_.bucket, true);
  s.query = request.query;
  s.headers = request.headers;
  s.payload_sha256 = payload;
  http::RequestHead head{request.method, s.path + query_string(request.query), {{"Host", s.host}}};
  for (const auto &[name, value] : request.headers) head.headers.push_back({name, value});
  if (!config_.anonymous) {
    Result<Pairs> signed_headers =
        sign_headers(s, config_.credentials, config_.region, "s3", static_cast<int64_t>(std::time(nullptr)));
    if (!signed_headers) return Error(signed_headers.error().code(), "s3: " + signed_headers.error().message());
    head.headers.clear();
    head.headers.push_back({"Host", s.host});
    for (const auto &[name, value] : *signed_headers) head.headers.push_back({name, value});
  } else {
    head.headers.push_back({"x-amz-content-sha256", payload});
  }
  if (!request.body.empty() || request.method == "PUT" || request.method == "POST")
    head.headers.push_back({"Content-Length", std::to_string(request.body.size())});
  Result<std::string> text = http::serialize_request_head(head);
  if (!text) return Error(text.error().code(), "s3: " + text.error().message());
  return text;
}

Error S3Session::error_of(S3Response &response, bool *retryable) {
  const int status = response.head.status;
  Result<std::string> body = read_all(response, kErrorBodyLimit);
  S3Error parsed;
  if (body && !body->empty()) {
    if (Result<S3Error> e = parse_error(*body); e) parsed = std::move(*e);
  }
  ErrorMapping m = map_error(status, parsed);
  *retryable = m.retryable;
  return Error(m.code, m.text + " [" + std::to_string(status) + " for " + config_.display() + "]");
}

Status S3Session::backoff(int attempt, int64_t retry_after_s, const Error &why) {
  if (attempt > config_.max_retries)
    return Error(why.code(), why.message() + " (gave up after " + std::to_string(attempt) + " attempts)");
  // Full jitter: a uniform delay up to min(5 s, 100 ms * 2^attempt).
  const int64_t cap_ms = std::min<int64_t>(5000, int64_t{100} << std::min(attempt, 10));
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t delay_ms = std::uniform_int_distribution<int64_t>(0, cap_ms)(rng);
  if (retry_after_s >= 0) delay_ms = std::max(delay_ms, retry_after_s * 1000);
  if (params_.interrupt.sleep_until(Deadline::after(std::chrono::milliseconds(delay_ms))) == WaitResult::kInterrupted)
    return Error(kExit, "s3: interrupted while waiting to retry " + config_.display());
  return {};
}

Result<S3Response> S3Session::send_once(const S3Request &request, Dictionary *first_options) {
  Result<std::string> head = head_text(request);
  if (!head) return head.error();
  for (int stale = 0;; ++stale) {
    if (Status st = connect(first_options); !st) return st.error();
    const bool reused = conn_->requests > 0;
    ++conn_->requests;
    Status sent = conn_->write(*head);
    if (sent && !request.body.empty()) sent = conn_->write(request.body);
    Result<http::ResponseHead> response = sent ? conn_->read_head({}) : Result<http::ResponseHead>(sent.error());
    while (response && response->status / 100 == 1) response = conn_->read_head({});
    if (!response) {
      conn_.reset();
      // A kept-alive connection the store closed while idle: once more.
      if (reused && stale == 0 && !params_.interrupt.raised()) continue;
      return response.error();
    }
    conn_->reusable = http::keeps_alive(*response);
    Result<http::ResponseBody> body = http::ResponseBody::of(*response, request.method, 0);
    if (!body) return body.error();
    return S3Response{std::move(*response), std::move(*body)};
  }
}

Result<S3Response> S3Session::send(const S3Request &request, Dictionary *first_options) {
  for (int attempt = 1;; ++attempt) {
    Result<S3Response> r = send_once(request, first_options);
    first_options = nullptr;
    Error why(0);
    int64_t retry_after = -1;
    if (!r) {
      if (r.error().code() == kExit) return r;
      why = Error(r.error().code(), "s3: " + request.method + " " + config_.display() + ": " + r.error().message());
    } else {
      const int status = r->head.status;
      if (status / 100 == 2 || status == request.also_accept) return r;
      bool retryable = false;
      why = error_of(*r, &retryable);
      if (!retryable) return why;
      retry_after = http::retry_after_seconds(r->head, static_cast<int64_t>(std::time(nullptr)));
    }
    if (Status st = backoff(attempt, retry_after, why); !st) return st.error();
  }
}

Result<size_t> S3Session::read(S3Response &response, std::span<uint8_t> dst) {
  if (!conn_) return Error(-EIO, "s3: " + config_.display() + ": the answer's connection is gone");
  Result<size_t> n = response.body.read(*conn_, dst);
  if (!n && n.error().code() != kEof) conn_.reset();
  return n;
}

Result<std::string> S3Session::read_all(S3Response &response, size_t limit) {
  std::string out;
  char buf[16384];
  for (;;) {
    Result<size_t> n = response.body.read(*conn_, std::span<uint8_t>(reinterpret_cast<uint8_t *>(buf), sizeof buf));
    if (!n) {
      if (n.error().code() == kEof) return out;
      conn_.reset();
      return n.error();
    }
    if (out.size() + *n > limit) {
      conn_.reset();
      return Error(kInvalidData, "s3: an answer longer than " + std::to_string(limit) + " bytes");
    }
    out.append(buf, *n);
  }
}

void S3Session::abandon(S3Response &response) {
  if (!conn_) return;
  Result<bool> drained = response.body.drain(*conn_, kDrainLimit);
  if (!drained || !*drained) conn_.reset();
}

}  // namespace avio::protocols::s3
