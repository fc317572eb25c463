// A response as the server builds it, and the one way it is sent: the head
// through the message layer (serialize_response_head) with the fields every
// response has (Date, Server, Content-Length, Connection), then the body: a
// generated text, or segments of an open file (each a text, such as a
// multipart part's head, then a range of the file), sent in order with the
// file's bytes read as they go out, never the whole file at once.
#ifndef AVIO_TOOLS_SERVE_RESPONSE_HPP
#define AVIO_TOOLS_SERVE_RESPONSE_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "avio/error.hpp"
#include "client_connection.hpp"
#include "protocols/http/message.hpp"
#include "unique_fd.hpp"

namespace avio::tools::serve {

// `text`, then `file_length` bytes of Response::file from `file_offset`.
struct BodySegment {
  std::string text;
  int64_t file_offset = 0;
  int64_t file_length = 0;
};

struct Response {
  int status = 200;
  std::vector<protocols::http::Header> headers;  // besides the ones send_response adds
  std::string body;                              // a generated body, when `file` is not set
  UniqueFd file;                                 // or these segments of this file
  std::vector<BodySegment> segments;

  void add(std::string name, std::string value) { headers.push_back({std::move(name), std::move(value)}); }
};

// The Content-Length of `r`'s body (also for HEAD, which does not send it).
int64_t body_length(const Response &r);

// RFC 9110's reason phrase ("Not Found"), or "Unknown".
const char *reason_phrase(int status);

// A response with a short text body: "404 Not Found\n".
Response text_response(int status);

// The status for an error of a request's handling: -ENOENT and -ENOTDIR 404,
// kHttpForbidden, -EACCES, -EPERM and -ELOOP 403, -EISDIR 405, -EFBIG 413,
// kInvalidData and -EINVAL 400, anything else 500.
int status_for(const Error &error);

struct SendOptions {
  bool head_only = false;  // HEAD: the head a GET would get, without its body
  bool keep_alive = true;  // else "Connection: close"
  bool http10 = false;     // an HTTP/1.0 client kept alive gets "Connection: keep-alive"
};

// Sends `response` on `conn`: the bytes of body sent, or the error that cut
// the connection.
Result<int64_t> send_response(ClientConnection &conn, Response &response, const SendOptions &options);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_RESPONSE_HPP
