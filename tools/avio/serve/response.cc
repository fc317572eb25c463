#include "response.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <utility>

namespace avio::tools::serve {

namespace {

namespace http = protocols::http;

constexpr size_t kFileBlock = 65536;

// 1xx, 204 and 304 responses have no body (RFC 9110 section 6.4.1).
bool has_body(int status) { return status >= 200 && status != 204 && status != 304; }

int64_t body_length(const Response &r) { return r.file.valid() ? r.file_length : static_cast<int64_t>(r.body.size()); }

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

// The head, then the file's range; the head goes out with the first block.
Result<int64_t> send_file(ClientConnection &conn, std::string head, const Response &r) {
  std::vector<uint8_t> block(static_cast<size_t>(std::min<int64_t>(kFileBlock, std::max<int64_t>(r.file_length, 1))));
  int64_t sent = 0;
  while (sent < r.file_length) {
    const size_t want =
        static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(block.size()), r.file_length - sent));
    Result<size_t> n = read_block(r.file.get(), block.data(), want, r.file_offset + sent);
    if (!n) return n.error();
    Status st;
    if (!head.empty()) {
      head.append(reinterpret_cast<const char *>(block.data()), *n);
      st = conn.write(head);
      head.clear();
    } else {
      st = conn.write(std::span<const uint8_t>(block.data(), *n));
    }
    if (!st) return st.error();
    sent += static_cast<int64_t>(*n);
  }
  if (!head.empty())
    if (Status st = conn.write(head); !st) return st.error();
  return sent;
}

}  // namespace

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
  if (response.file.valid()) return send_file(conn, std::move(*head), response);
  head->append(response.body);
  if (Status st = conn.write(*head); !st) return st.error();
  return static_cast<int64_t>(response.body.size());
}

}  // namespace avio::tools::serve
