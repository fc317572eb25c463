// The http and https client: FFmpeg's http protocol (http.c) over avio's
// tcp and tls.
//
// A reader sends GET with "Range: bytes=OFF-" as FFmpeg does (open-ended,
// so a sequential read costs one request; bounded when end_offset,
// request_size or initial_request_size say so), follows redirects, retries
// with Basic credentials after a 401, and maps an error status to FFmpeg's
// AVERROR_HTTP_* with the status line and the URL in the text. Where FFmpeg
// wastes, avio does not: the connection is kept alive (HTTP/1.1's default;
// multiple_requests=0 restores "Connection: close"), a seek reuses it when
// the response in flight is finished or nearly so, and a reconnect resumes
// at the exact offset with If-Range so that a file changed on the server is
// an error instead of spliced data. docs/compat.md lists each difference.
//
// A writer (AVIO_FLAG_WRITE) sends POST (or `method`) with a chunked body
// as the caller writes, or, with chunked_post=0, the whole body with its
// Content-Length at close; close (and shutdown) end the body and read the
// server's answer, so a refused upload is an error of avio_close.
#include "http_client.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "http_protocol.hpp"

namespace avio::protocols::http {

namespace {

int64_t now_unix() { return static_cast<int64_t>(std::time(nullptr)); }

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool has_header(const std::vector<http::Header> &headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [name](const http::Header &h) { return http::iequals(h.name, name); });
}

// The proxy to use for `url`: the http_proxy option, else the environment's
// http_proxy unless no_proxy names the host (FFmpeg's rule, for http and
// https alike).
std::optional<HttpUrl> proxy_for(const HttpSettings &s, const HttpUrl &url) {
  std::string proxy = s.http_proxy;
  if (proxy.empty()) {
    const char *env = std::getenv("http_proxy");
    if (!env || !*env) return std::nullopt;
    const char *no_proxy = std::getenv("no_proxy");
    if (no_proxy && http::host_matches_no_proxy(no_proxy, url.host, url.port)) return std::nullopt;
    proxy = env;
  }
  Result<HttpUrl> p = http::parse_http_url(proxy);
  if (!p || p->scheme != "http") return std::nullopt;
  return *p;
}

}  // namespace

// ------------------------------------------------------------------ requests

Result<RequestHead> HttpClient::build_request(std::string_view method, int64_t from, int64_t to, bool validate,
                                              size_t body_size) const {
  RequestHead r;
  r.method = std::string(method);
  r.target = url_.target;
  if (proxy_ && url_.scheme == "http") {
    // Absolute form through a proxy, without the credentials.
    HttpUrl bare = url_;
    bare.user.clear();
    bare.password.clear();
    bare.has_userinfo = false;
    r.target = bare.to_string();
  }
  const auto add = [&r, this](std::string_view name, std::string value) {
    if (!has_header(s_.headers, name)) r.headers.push_back({std::string(name), std::move(value)});
  };
  add("User-Agent", s_.user_agent);
  add("Accept", "*/*");
  if (!ranges_.empty()) {
    add("Range", ranges_);
  } else if (from >= 0) {
    add("Range", "bytes=" + std::to_string(from) + "-" + (to > 0 ? std::to_string(to - 1) : ""));
  }
  if (validate && (from > 0 || !ranges_.empty())) {
    if (!etag_.empty() && etag_.rfind("W/", 0) != 0) {
      add("If-Range", etag_);
    } else if (!last_modified_.empty()) {
      add("If-Range", last_modified_);
    }
  }
  if (writing_ && s_.send_expect_100 == 1) add("Expect", "100-continue");
  if (s_.multiple_requests == 0) add("Connection", "close");
  add("Host", url_.authority());
  if (writing_ && s_.chunked_post && method != "GET") {
    add("Transfer-Encoding", "chunked");
  } else if (body_size > 0 || (writing_ && !s_.chunked_post)) {
    add("Content-Length", std::to_string(body_size));
  }
  if (!s_.content_type.empty()) add("Content-Type", s_.content_type);
  if (!s_.referer.empty()) add("Referer", s_.referer);
  if (std::string c = cookies_.header_for(url_.host, url_.target, url_.scheme == "https", now_unix()); !c.empty())
    add("Cookie", std::move(c));
  if (s_.icy && !writing_) add("Icy-MetaData", "1");
  r.headers.insert(r.headers.end(), s_.headers.begin(), s_.headers.end());
  if (auth_basic_ && url_.has_userinfo) add("Authorization", http::basic_credentials(url_.user, url_.password));
  if (proxy_ && proxy_->has_userinfo && url_.scheme == "http")
    add("Proxy-Authorization", http::basic_credentials(proxy_->user, proxy_->password));
  return r;
}

Status HttpClient::ensure_connection(UrlContext &h, const Deadline &deadline, Dictionary *first_options) {
  const HttpUrl &peer = proxy_ && url_.scheme == "http" ? *proxy_ : url_;
  const std::string origin = peer.scheme + "://" + peer.authority();
  if (conn_ && conn_->reusable && conn_->origin() == origin && !body_) return {};
  conn_.reset();
  body_.reset();
  Dictionary copy = nested_options_;
  Dictionary &options = first_options ? *first_options : copy;
  // https through a proxy: tls tunnels with CONNECT (httpproxy).
  if (proxy_ && url_.scheme == "https") options.set("http_proxy", proxy_->to_string());
  Result<std::unique_ptr<Connection>> c =
      Connection::open(h, origin, peer.host, peer.port, peer.scheme == "https", options, deadline);
  if (!c) return c.error();
  conn_ = std::move(*c);
  return {};
}

Result<Exchange> HttpClient::send_once(UrlContext &h, const RequestHead &head, std::string_view method,
                                       std::span<const uint8_t> body, const Deadline &deadline,
                                       Dictionary *first_options) {
  Result<std::string> text = http::serialize_request_head(head);
  if (!text) return Error(text.error().code(), "http: " + text.error().message());
  // A kept-alive connection the server has closed in the meantime fails
  // at once; the request is then sent again on a new one.
  for (int attempt = 0;; ++attempt) {
    if (Status st = ensure_connection(h, deadline, first_options); !st) return st.error();
    const bool reused = conn_->requests > 0;
    ++conn_->requests;
    Status sent = conn_->write(*text);
    if (sent && !body.empty()) sent = conn_->write(body);
    if (sent && writing_ && body.empty() && s_.send_expect_100 != 1) {
      // A streamed upload: the answer comes after the body (finish_upload).
      return Exchange{};
    }
    Result<ResponseHead> response = sent ? conn_->read_head({}) : Result<ResponseHead>(sent.error());
    while (response && response->status / 100 == 1 && response->status != 101 && !writing_)
      response = conn_->read_head({});
    if (!response) {
      conn_.reset();
      if (reused && attempt == 0 && response.error().code() != kExit && !h.interrupted()) continue;
      return Error(response.error().code(),
                   "http: " + std::string(method) + " " + url_.to_string() + ": " + response.error().message());
    }
    conn_->reusable = http::keeps_alive(*response) && s_.multiple_requests != 0;
    Result<ResponseBody> b = ResponseBody::of(*response, method, 0);
    if (!b) return b.error();
    return Exchange{std::move(*response), std::move(*b)};
  }
}

std::string HttpClient::error_text(std::string_view method, const ResponseHead &head) const {
  return "http: " + std::string(method) + " " + url_.to_string() + " answered '" + head.http_version + " " +
         std::to_string(head.status) + (head.reason.empty() ? "" : " " + head.reason) + "'";
}

// One request for [from, to) (to <= 0: open-ended; from < 0: no Range),
// following redirects and a Basic challenge.
Result<Exchange> HttpClient::request(UrlContext &h, std::string_view method, int64_t from, int64_t to, bool validate,
                                     const Deadline &deadline, Dictionary *first_options) {
  std::string current_method(method);
  for (int redirects = 0, challenges = 0;;) {
    const std::span<const uint8_t> body = current_method == "POST" && s_.has_post_data && !writing_
                                              ? std::span<const uint8_t>(s_.post_data)
                                              : std::span<const uint8_t>();
    Result<RequestHead> head = build_request(current_method, from, to, validate, body.size());
    if (!head) return head.error();
    Result<Exchange> ex = send_once(h, *head, current_method, body, deadline, first_options);
    first_options = nullptr;
    if (!ex) return ex;
    if (writing_ && ex->head.status == 0) return ex;
    for (std::string_view c : ex->head.find_all("Set-Cookie"))
      cookies_.set_from_header(c, url_.host, url_.target, now_unix());
    const int status = ex->head.status;
    if (is_redirect(status) && ex->head.find("Location")) {
      if (redirects++ >= s_.max_redirects)
        return Error(-EIO, "http: more than " + std::to_string(s_.max_redirects) + " redirects from " +
                               url_.to_string() + " (max_redirects)");
      Result<HttpUrl> next = http::resolve_location(url_, *ex->head.find("Location"));
      if (!next)
        return Error(next.error().code(), "http: redirect from " + url_.to_string() + ": " + next.error().message());
      if (Result<bool> d = ex->body.drain(*conn_, kDrainLimit); !d || !*d) conn_->reusable = false;
      if (status == 303 && current_method != "HEAD") current_method = "GET";
      url_ = std::move(*next);
      continue;
    }
    if (status == 401 && url_.has_userinfo && !auth_basic_ && challenges++ == 0) {
      bool basic = false;
      for (std::string_view c : ex->head.find_all("WWW-Authenticate"))
        basic = basic || (c.size() >= 5 && iequals(c.substr(0, 5), "basic"));
      if (basic) {
        auth_basic_ = true;
        if (Result<bool> d = ex->body.drain(*conn_, kDrainLimit); !d || !*d) conn_->reusable = false;
        continue;
      }
    }
    return ex;
  }
}

// ------------------------------------------------------------------- reading

int64_t HttpClient::range_end() const {
  int64_t end = s_.end_offset > 0 ? s_.end_offset : -1;
  if (filesize_ >= 0 && (end < 0 || filesize_ < end)) end = filesize_;
  return end;
}

void HttpClient::note_headers(UrlContext &h, const ResponseHead &head) {
  OptionValues &o = h.mutable_options();
  const std::string_view version = head.http_version.size() > 5 ? std::string_view(head.http_version).substr(5) : "";
  (void)o.publish("http_version", version);
  if (std::optional<std::string_view> type = head.find("Content-Type"); type) (void)o.publish("mime_type", *type);
  std::string icy;
  for (const http::Header &x : head.headers) {
    if (x.name.size() > 4 && iequals(std::string_view(x.name).substr(0, 4), "icy-"))
      icy += x.name + ": " + x.value + "\n";
  }
  if (!icy.empty()) (void)o.publish("icy_metadata_headers", icy);
  if (cookies_.size() > 0) (void)o.publish("cookies", cookies_.to_option());
  (void)o.publish("location", url_.to_string());
}

Status HttpClient::accept_response(UrlContext &h, Exchange ex, int64_t offset, bool resume) {
  const ResponseHead &head = ex.head;
  std::optional<http::ContentRange> range;
  if (std::optional<std::string_view> cr = head.find("Content-Range"); cr && head.status == 206) {
    Result<http::ContentRange> r = http::parse_content_range(*cr);
    if (!r) return Error(kInvalidData, "http: " + url_.to_string() + ": Content-Range: " + r.error().message());
    range = *r;
  }
  std::string etag(head.find("ETag").value_or(""));
  std::string modified(head.find("Last-Modified").value_or(""));
  if (resume) {
    // If-Range: a 200, or another validator, means the file is not the one
    // being read any more.
    const bool same_validator = !etag_.empty() ? etag == etag_ : last_modified_.empty() || modified == last_modified_;
    const bool same_place = range ? range->first == offset : offset == 0;
    if (!same_validator || !same_place)
      return Error(-EIO, "http: " + url_.to_string() + " changed on the server while being read (asked for byte " +
                             std::to_string(offset) + ", got status " + std::to_string(head.status) + " with ETag " +
                             (etag.empty() ? "none" : etag) + ", had " + (etag_.empty() ? "none" : etag_) + ")");
  }
  etag_ = std::move(etag);
  last_modified_ = std::move(modified);
  const std::optional<std::string_view> coding = head.find("Content-Encoding");
  const bool encoded = coding.has_value() && !iequals(*coding, "identity");
  Result<int64_t> length = http::content_length(head);
  if (!length) return Error(kInvalidData, "http: " + url_.to_string() + ": " + length.error().message());
  if (range) {
    off_ = range->first;
    filesize_ = range->complete_length;
    if (s_.seekable == -1) streamed_ = false;
  } else {
    off_ = 0;
    filesize_ = *length >= 0 && !encoded ? *length : -1;
  }
  if (http::accepts_byte_ranges(head) && s_.seekable == -1 && !encoded) streamed_ = false;
  if (std::optional<std::string_view> metaint = head.find("Icy-MetaInt"); metaint && s_.icy)
    icy_metaint_ = std::strtoll(std::string(*metaint).c_str(), nullptr, 10);
  Result<ResponseBody> body = ResponseBody::of(head, "GET", icy_metaint_);
  if (!body) return body.error();
  body_ = std::move(*body);
  note_headers(h, head);
  // A server that ignored the Range answers from byte 0: skip to the offset.
  if (!range && offset > 0) {
    uint8_t scratch[16384];
    while (off_ < offset) {
      const size_t want = static_cast<size_t>(std::min<int64_t>(offset - off_, sizeof scratch));
      Result<size_t> n = body_->read(*conn_, std::span<uint8_t>(scratch, want));
      if (!n) return n.error().code() == kEof ? Status() : n.error();
      off_ += static_cast<int64_t>(*n);
    }
  }
  return {};
}

Status HttpClient::retry_wait(UrlContext &h, int attempt, int64_t *delay_s, int64_t *total_s, int64_t retry_after,
                              const Error &why, bool reading) {
  const http::ReconnectPolicy &r = s_.reconnect;
  int64_t delay = *delay_s;
  if (r.respect_retry_after && retry_after >= 0) delay = retry_after;
  if (delay > r.delay_max_s || (r.max_retries >= 0 && attempt > r.max_retries) ||
      *total_s + delay > r.delay_total_max_s)
    return Error(reading ? -EIO : why.code(), "http: gave up on " + url_.to_string() + " after " +
                                                  std::to_string(attempt) + " reconnect attempt(s): " + why.message());
  if (delay > 0) {
    if (h.interrupt().sleep_until(Deadline::after(std::chrono::seconds(delay))) == WaitResult::kInterrupted)
      return h.interrupted_error();
  }
  *total_s += delay;
  *delay_s = 1 + 2 * *delay_s;
  return {};
}

Status HttpClient::open_at(UrlContext &h, int64_t offset, const Deadline &deadline, Dictionary *first_options,
                           bool resume) {
  const http::ReconnectPolicy &r = s_.reconnect;
  int64_t delay = 0, total = 0;
  for (int attempt = 1;; ++attempt) {
    int64_t to = s_.end_offset > 0 ? s_.end_offset : 0;
    const int64_t size = body_ || resume || offset > 0 ? s_.request_size : s_.initial_request_size;
    const int64_t chunk = size > 0 ? size : s_.request_size;
    if (chunk > 0) to = to > 0 ? std::min(to, offset + chunk) : offset + chunk;
    if (positional_end_ > 0) to = positional_end_;
    body_.reset();
    const bool ranged = offset > 0 || to > 0 || s_.seekable != 0;
    const std::string method = !s_.method.empty() ? s_.method : (s_.has_post_data ? "POST" : "GET");
    Result<Exchange> ex = request(h, method, ranged ? offset : -1, to, resume, deadline, first_options);
    first_options = nullptr;
    int64_t retry_after = -1;
    Error why(0);
    if (!ex) {
      why = ex.error();
      if (why.code() == kExit || !r.on_network_error) return why;
    } else if (ex->head.status >= 400) {
      why = Error(http::http_error_code(ex->head.status), error_text(method, ex->head));
      if (!r.retries_status(ex->head.status)) {
        note_headers(h, ex->head);
        return why;
      }
      retry_after = http::retry_after_seconds(ex->head, now_unix());
      conn_.reset();
    } else {
      request_end_ = to > 0 ? to : -1;
      return accept_response(h, std::move(*ex), offset, resume);
    }
    if (Status st = retry_wait(h, attempt, &delay, &total, retry_after, why, false); !st) return st;
  }
}

bool HttpClient::may_reconnect(const Error &e) const {
  const http::ReconnectPolicy &r = s_.reconnect;
  if (e.code() == kExit) return false;
  if (streamed_ && !r.streamed) return false;
  const bool before_end = r.reconnect && filesize_ > 0 && off_ < filesize_;
  return before_end || (r.at_eof && e.code() == kEof);
}

Result<size_t> HttpClient::read_or_reconnect(UrlContext &h, std::span<uint8_t> dst) {
  int64_t delay = 0, total = 0;
  for (int attempt = 1;; ++attempt) {
    Error why(kEof);
    if (body_) {
      Result<size_t> n = body_->read(*conn_, dst);
      if (n) {
        off_ += static_cast<int64_t>(*n);
        if (body_->icy() && body_->icy()->metadata_changed())
          (void)h.mutable_options().publish("icy_metadata_packet", body_->icy()->metadata_packet());
        return n;
      }
      why = n.error();
      if (why.code() == kEof && body_->complete()) {
        const int64_t end = range_end();
        // A bounded range ended: ask for the next one on the same connection.
        if (request_end_ > 0 && off_ == request_end_ && (end < 0 || off_ < end)) {
          if (Status st = open_at(h, off_, h.io_deadline(), nullptr, true); !st) return st.error();
          continue;
        }
        if (end >= 0 && off_ < end)
          why = Error(-EIO, "http: " + url_.to_string() + ": the response ended at byte " + std::to_string(off_) +
                                " of " + std::to_string(end));
      }
    } else if (range_end() >= 0 && off_ >= range_end()) {
      return Error::eof();
    }
    if (body_ || why.code() != kEof) {
      if (!may_reconnect(why)) return why;
      body_.reset();
      conn_.reset();
      if (Status st = retry_wait(h, attempt, &delay, &total, -1, why, true); !st) return st.error();
    }
    if (Status st = open_at(h, streamed_ ? 0 : off_, h.io_deadline(), nullptr, !streamed_); !st) return st.error();
  }
}

Result<size_t> HttpClient::read(UrlContext &h, std::span<uint8_t> dst) {
  if (writing_) return Error(-EIO, "http: the context was opened for writing");
  if (dst.empty()) return size_t{0};
  return read_or_reconnect(h, dst);
}

Result<size_t> HttpClient::read_at(UrlContext &h, int64_t offset, std::span<uint8_t> dst) {
  if (writing_) return Error(-EIO, "http: the context was opened for writing");
  if (streamed_) return Error(-ENOSYS, "http: " + url_.to_string() + " takes no ranges: no positional reads");
  if (filesize_ >= 0 && offset >= filesize_) return Error::eof();
  if (dst.empty()) return size_t{0};
  int64_t end = offset + static_cast<int64_t>(dst.size());
  if (filesize_ >= 0) end = std::min(end, filesize_);
  const int64_t position = off_;
  drop_response(true, h);
  positional_end_ = end;
  Status st = open_at(h, offset, h.io_deadline(), nullptr, !etag_.empty() || !last_modified_.empty());
  size_t got = 0;
  const size_t want = static_cast<size_t>(end - offset);
  while (st && got < want) {
    Result<size_t> n = read_or_reconnect(h, dst.subspan(got, want - got));
    if (!n) {
      if (n.error().code() != kEof || got == 0) st = n.error();
      break;
    }
    got += *n;
  }
  positional_end_ = 0;
  drop_response(true, h);
  off_ = position;
  if (!st) return st.error();
  return got;
}

void HttpClient::drop_response(bool keep_connection_if_cheap, UrlContext &) {
  if (body_ && conn_) {
    bool reusable = false;
    if (keep_connection_if_cheap && conn_->reusable) {
      Result<bool> drained = body_->drain(*conn_, kDrainLimit);
      reusable = drained && *drained;
    }
    if (!reusable) conn_.reset();
  }
  body_.reset();
}

Result<int64_t> HttpClient::seek(UrlContext &h, int64_t offset, int whence) {
  if (whence == kSeekSizeQuery) {
    if (filesize_ < 0) return Error(-1, "http: the size of " + url_.to_string() + " is unknown");
    return filesize_;
  }
  int64_t target = offset;
  if (whence == kSeekCur) {
    target += off_;
  } else if (whence == kSeekEnd) {
    if (filesize_ < 0) return Error(-ENOSYS, "http: SEEK_END on " + url_.to_string() + " of unknown size");
    target += filesize_;
  } else if (whence != kSeekSet) {
    return Error(-EINVAL);
  }
  if (target < 0) return Error(-EINVAL);
  if (target == off_ && (body_ || writing_)) return off_;
  if (writing_) return Error(-ENOSYS, "http: cannot seek an upload");
  if (target != 0 && streamed_) return Error(-ENOSYS, "http: " + url_.to_string() + " cannot seek (streamed)");
  const int64_t end = range_end();
  if (end >= 0 && target >= end) {
    drop_response(true, h);
    off_ = target;
    return off_;
  }
  // A short step forward inside the response in flight: read past it
  // rather than ask again (the same bytes, one request less).
  if (body_ && !body_->decoded() && target > off_ && target - off_ <= std::max(s_.short_seek_size, kDrainLimit) &&
      (request_end_ < 0 || target < request_end_)) {
    uint8_t scratch[16384];
    while (off_ < target) {
      const size_t want = static_cast<size_t>(std::min<int64_t>(target - off_, sizeof scratch));
      Result<size_t> n = body_->read(*conn_, std::span<uint8_t>(scratch, want));
      if (!n) break;
      off_ += static_cast<int64_t>(*n);
    }
    if (off_ == target) return off_;
  }
  drop_response(true, h);
  const int64_t old = off_;
  const bool validate = !etag_.empty() || !last_modified_.empty();
  if (Status st = open_at(h, target, h.io_deadline(), nullptr, validate); !st) {
    off_ = old;
    return st.error();
  }
  return off_;
}

Result<int> HttpClient::short_seek_size(UrlContext &) {
  if (s_.short_seek_size > 0) return static_cast<int>(s_.short_seek_size);
  // With bounded ranges, reading forward past one costs a request as a seek
  // does: no further than a range (the receive window grows with use and
  // would make the choice depend on the connection's age).
  if (s_.request_size > 0) return static_cast<int>(std::min<int64_t>(s_.request_size, INT32_MAX));
  if (!conn_) return Error(-ENOSYS);
  return conn_->transport().short_seek_size();
}

// ------------------------------------------------------------------- writing

Status HttpClient::open_upload(UrlContext &h, const Deadline &deadline, Dictionary &options) {
  method_ = s_.method.empty() ? "POST" : s_.method;
  if (!s_.chunked_post) {
    // The length must come first: the body waits in memory for close.
    if (Status st = ensure_connection(h, deadline, &options); !st) return st;
    return {};
  }
  Result<Exchange> ex = request(h, method_, -1, 0, false, deadline, &options);
  if (!ex) return ex.error();
  if (ex->head.status != 0) {
    // Expect: 100-continue answered with a final status.
    if (ex->head.status >= 300)
      return Error(http::http_error_code(std::max(ex->head.status, 400)), error_text(method_, ex->head));
  }
  return {};
}

Result<size_t> HttpClient::write(UrlContext &, std::span<const uint8_t> src) {
  if (!writing_) return Error(-EIO, "http: the context was opened for reading");
  if (upload_ended_) return Error(-EIO, "http: the upload was already ended (shutdown)");
  if (src.empty()) return size_t{0};
  if (!s_.chunked_post) {
    upload_buffer_.insert(upload_buffer_.end(), src.begin(), src.end());
    return src.size();
  }
  if (Status st = conn_->write_chunk(src); !st) return st.error();
  return src.size();
}

Status HttpClient::finish_upload(UrlContext &h) {
  if (upload_answered_) return {};
  upload_answered_ = true;
  if (!conn_) return Error(-EIO, "http: the upload to " + url_.to_string() + " has no connection");
  if (!s_.chunked_post) {
    Result<RequestHead> head = build_request(method_, -1, 0, false, upload_buffer_.size());
    if (!head) return head.error();
    Result<std::string> text = http::serialize_request_head(*head);
    if (!text) return text.error();
    if (Status st = conn_->write(*text); !st) return st;
    if (Status st = conn_->write(upload_buffer_); !st) return st;
  } else if (!upload_ended_) {
    upload_ended_ = true;
    if (Status st = conn_->write_last_chunk(); !st) return st;
  }
  Result<ResponseHead> response = conn_->read_head({});
  while (response && response->status / 100 == 1) response = conn_->read_head({});
  if (!response)
    return Error(response.error().code(), "http: " + method_ + " " + url_.to_string() +
                                              ": no answer to the upload: " + response.error().message());
  note_headers(h, *response);
  if (response->status >= 300)
    return Error(http::http_error_code(std::max(response->status, 400)), error_text(method_, *response));
  return {};
}

Status HttpClient::shutdown(UrlContext &, int flags) {
  if (!writing_ || !(flags & kOpenWrite) || upload_ended_ || !s_.chunked_post || !conn_) return {};
  upload_ended_ = true;
  return conn_->write_last_chunk();
}

Status HttpClient::close(UrlContext &h) {
  Status st;
  if (writing_) st = finish_upload(h);
  body_.reset();
  conn_.reset();
  return st;
}

// ---------------------------------------------------------------------- open

Status HttpClient::open(UrlContext &h, const OpenRequest &request) {
  Result<HttpSettings> settings = http::read_http_settings(h);
  if (!settings) return settings.error();
  s_ = std::move(*settings);
  Result<HttpUrl> url = http::parse_http_url(h.url());
  if (!url) return Error(url.error().code(), "http: " + url.error().message());
  url_ = std::move(*url);
  auth_basic_ = s_.auth_basic;
  Result<http::CookieJar> jar = http::CookieJar::from_option(h.options().string("cookies"));
  if (!jar) return Error(jar.error().code(), "http: cookies option: " + jar.error().message());
  cookies_ = std::move(*jar);
  proxy_ = proxy_for(s_, url_);
  nested_options_ = request.options;
  streamed_ = s_.seekable != 1;
  writing_ = (request.flags & kOpenWrite) != 0;
  if (writing_) return open_upload(h, request.deadline, request.options);
  off_ = s_.offset;
  if (s_.known_size >= 0 && !s_.known_version.empty() && s_.seekable != 0) {
    // Known from another open of the object: nothing to ask now. The first
    // read's request goes out validated (If-Range), so a changed object is
    // an error there.
    filesize_ = s_.known_size;
    const std::string_view v = s_.known_version;
    (v.front() == '"' || v.substr(0, 2) == "W/" ? etag_ : last_modified_) = s_.known_version;
    streamed_ = false;
    return {};
  }
  return open_at(h, off_, request.deadline, &request.options, false);
}

std::unique_ptr<Protocol> make_client() { return std::make_unique<HttpClient>(); }

}  // namespace avio::protocols::http
