#include "response.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <ctime>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace avio::tools::serve {

namespace {

namespace http = protocols::http;

constexpr size_t kFileBlock = 65536;

// 1xx, 204 and 304 responses have no body (RFC 9110 section 6.4.1).
bool has_body(int status) { return status >= 200 && status != 204 && status != 304; }

http::ResponseHead head_of(const Response &r, const SendOptions &o) {
  http::ResponseHead head;
  head.http_version = "HTTP/1.1";
  head.status = r.status;
  head.reason = reason_phrase(r.status);
  head.headers.reserve(r.headers.size() + 4);
  head.headers.push_back({"Date", http::format_http_date(std::time(nullptr))});
  head.headers.push_back({"Server", "avio"});
  head.headers.insert(head.headers.end(), r.headers.begin(), r.headers.end());
  if (has_body(r.status)) head.headers.push_back({"Content-Length", std::to_string(body_length(r))});
  if (!o.keep_alive)
    head.headers.push_back({"Connection", "close"});
  else if (o.http10)
    head.headers.push_back({"Connection", "keep-alive"});
  return head;
}

// Up to `size` bytes of `fd` at `offset`: a count > 0, or an error (end of
// file included: the file shrank after its length went out).
Result<size_t> read_block(int fd, uint8_t *dst, size_t size, int64_t offset) {
  while (true) {
    const ssize_t n = ::pread(fd, dst, size, offset);
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) return Error(-EIO, "the file shrank while it was being sent");
    if (errno != EINTR) return Error(-errno, "reading the file");
  }
}

// Gathers the head, texts and file bytes into writes of up to kFileBlock
// bytes, so that a head goes out with the start of its body and small
// multipart parts do not cost a write each.
class Output {
 public:
  Output(ClientConnection &conn, size_t total) : conn_(conn), buffer_(std::min(total, kFileBlock)) {}

  Status text(std::string_view s) {
    if (s.size() > buffer_.size() - used_) {
      if (Status st = flush(); !st) return st;
      if (s.size() > buffer_.size()) return conn_.write(s);
    }
    std::copy(s.begin(), s.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(used_));
    used_ += s.size();
    return {};
  }

  Status file(int fd, int64_t offset, int64_t length) {
    while (length > 0) {
      if (used_ == buffer_.size())
        if (Status st = flush(); !st) return st;
      const size_t want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(buffer_.size() - used_), length));
      Result<size_t> n = read_block(fd, buffer_.data() + used_, want, offset);
      if (!n) return n.error();
      used_ += *n;
      offset += static_cast<int64_t>(*n);
      length -= static_cast<int64_t>(*n);
    }
    return {};
  }

  Status flush() {
    if (used_ == 0) return {};
    const size_t n = std::exchange(used_, 0);
    return conn_.write(std::span<const uint8_t>(buffer_.data(), n));
  }

 private:
  ClientConnection &conn_;
  std::vector<uint8_t> buffer_;
  size_t used_ = 0;
};

// The head, then each segment: its text, then its range of `fd`.
Result<int64_t> send_body(ClientConnection &conn, std::string_view head, const std::vector<BodySegment> &segments,
                          int fd, int64_t length) {
  Output out(conn, head.size() + static_cast<size_t>(length));
  if (Status st = out.text(head); !st) return st.error();
  for (const BodySegment &s : segments) {
    if (Status st = out.text(s.text); !st) return st.error();
    if (Status st = out.file(fd, s.file_offset, s.file_length); !st) return st.error();
  }
  if (Status st = out.flush(); !st) return st.error();
  return length;
}

}  // namespace

int64_t body_length(const Response &r) {
  if (!r.file.valid()) return static_cast<int64_t>(r.body.size());
  int64_t n = 0;
  for (const BodySegment &s : r.segments) n += static_cast<int64_t>(s.text.size()) + s.file_length;
  return n;
}

const char *reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

Response text_response(int status) {
  Response r;
  r.status = status;
  r.body = std::to_string(status) + " " + reason_phrase(status) + "\n";
  r.add("Content-Type", "text/plain; charset=utf-8");
  return r;
}

int status_for(const Error &error) {
  switch (error.code()) {
    case -ENOENT:
    case -ENOTDIR:
    case -ENAMETOOLONG: return 404;
    case kHttpForbidden:
    case -EACCES:
    case -EPERM:
    case -ELOOP:
    case -EXDEV: return 403;
    case -EISDIR: return 405;
    case -EFBIG: return 413;
    case kInvalidData:
    case -EINVAL: return 400;
    default: return 500;
  }
}

Result<int64_t> send_response(ClientConnection &conn, Response &response, const SendOptions &options) {
  Result<std::string> head = http::serialize_response_head(head_of(response, options));
  if (!head) return head.error();
  if (options.head_only || !has_body(response.status)) {
    if (Status st = conn.write(*head); !st) return st.error();
    return 0;
  }
  const int64_t length = body_length(response);
  if (response.file.valid()) return send_body(conn, *head, response.segments, response.file.get(), length);
  return send_body(conn, *head, {BodySegment{std::move(response.body)}}, -1, length);
}

}  // namespace avio::tools::serve
