#include "request_handler.hpp"

#include <sys/stat.h>

#include <optional>
#include <string>
#include <utility>

#include "directory_index.hpp"
#include "file_response.hpp"
#include "upload.hpp"

namespace avio::tools::serve {

namespace {

namespace http = protocols::http;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

// Whether a comma-separated header list holds `token` (case-insensitive).
bool list_has(const http::ParsedRequest &request, std::string_view name, std::string_view token) {
  for (std::string_view value : request.find_all(name)) {
    while (true) {
      const size_t comma = value.find(',');
      std::string_view item = value.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (iequals(item, token)) return true;
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return false;
}

bool has_body(const http::ParsedRequest &request) {
  return http::transfer_encoding_chunked(request) || http::content_length(request).value_or(0) > 0;
}

Response refusal(const Error &error) { return text_response(status_for(error)); }

// The target with a '/' after its path (the query kept): where a directory
// requested without its trailing slash is.
std::string with_trailing_slash(std::string_view target) {
  if (const size_t scheme = target.find("://"); scheme != std::string_view::npos && target.front() != '/') {
    const size_t path = target.find_first_of("/?", scheme + 3);
    target = path == std::string_view::npos ? std::string_view("/") : target.substr(path);
  }
  const size_t query = target.find('?');
  std::string out(target.substr(0, query));
  out += '/';
  if (query != std::string_view::npos) out += target.substr(query);
  return out;
}

std::string_view base_name(std::string_view path) { return path.substr(path.rfind('/') + 1); }

Response directory_response(const http::ParsedRequest &request, std::string_view path, int fd) {
  if (path.back() != '/') {
    Response r = text_response(301);
    r.add("Location", with_trailing_slash(request.target));
    return r;
  }
  Result<std::string> page = directory_index(fd, path);
  if (!page) return refusal(page.error());
  Response r;
  r.body = std::move(*page);
  r.add("Content-Type", "text/html; charset=utf-8");
  return r;
}

// "HTTP/1.1 100 Continue", for a client that waits for it before its body.
Status send_continue(ClientConnection &conn) {
  http::ResponseHead head;
  head.status = 100;
  head.reason = reason_phrase(100);
  Result<std::string> bytes = http::serialize_response_head(head);
  if (!bytes) return bytes.error();
  return conn.write(*bytes);
}

}  // namespace

bool wants_keep_alive(const http::ParsedRequest &request) {
  if (list_has(request, "Connection", "close")) return false;
  return request.http_version == "HTTP/1.1" || list_has(request, "Connection", "keep-alive");
}

Exchange RequestHandler::handle(const http::ParsedRequest &request, ClientConnection &conn, bool may_keep_alive) const {
  bool body_read = !has_body(request);
  Response response = respond(request, conn, &body_read);
  Exchange ex;
  ex.status = response.status;
  // A body left unread would be taken for the next request: close instead.
  ex.keep_alive = may_keep_alive && body_read && wants_keep_alive(request);
  ex.unread_input = !body_read || !conn.buffered().empty();
  const SendOptions options{
      .head_only = request.method == "HEAD", .keep_alive = ex.keep_alive, .http10 = request.http_version == "HTTP/1.0"};
  Result<int64_t> sent = send_response(conn, response, options);
  if (!sent) {
    ex.keep_alive = false;
    return ex;
  }
  ex.body_bytes = *sent;
  return ex;
}

Response RequestHandler::respond(const http::ParsedRequest &request, ClientConnection &conn, bool *body_read) const {
  if (request.method == "GET" || request.method == "HEAD") return get(request);
  if (request.method == "PUT") return put(request, conn, body_read);
  return not_allowed();
}

Response RequestHandler::not_allowed() const {
  Response r = text_response(405);
  r.add("Allow", options_.writable ? "GET, HEAD, PUT" : "GET, HEAD");
  return r;
}

Response RequestHandler::get(const http::ParsedRequest &request) const {
  Result<std::string> path = http::decode_request_path(request.target);
  if (!path) return refusal(path.error());
  Result<DocumentRoot::Opened> opened = root_.open_for_read(*path);
  if (!opened) return refusal(opened.error());
  if (S_ISDIR(opened->st.st_mode)) return directory_response(request, *path, opened->fd.get());
  return file_response(request, std::move(opened->fd), opened->st, base_name(*path));
}

Response RequestHandler::put(const http::ParsedRequest &request, ClientConnection &conn, bool *body_read) const {
  if (!options_.writable) return not_allowed();
  Result<std::string> path = http::decode_request_path(request.target);
  if (!path) return refusal(path.error());
  Result<DocumentRoot::Destination> destination = root_.open_for_write(*path);
  if (!destination) return refusal(destination.error());
  if (http::content_length(request).value_or(0) > options_.max_body) return text_response(413);
  if (request.http_version == "HTTP/1.1" && list_has(request, "Expect", "100-continue")) {
    if (Status st = send_continue(conn); !st) return refusal(st.error());
  }
  Result<bool> created = receive_upload(conn, request, *destination, options_.max_body);
  if (!created) return refusal(created.error());
  *body_read = true;
  if (*created) return text_response(201);
  Response r;
  r.status = 204;
  return r;
}

}  // namespace avio::tools::serve
