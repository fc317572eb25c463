// What the server does with one parsed request: GET and HEAD of files and
// directories (a listing, or a redirect to the path with its trailing '/'),
// PUT when writable, 405 for anything else; then the response is sent.
//
// Thread-safety: const, so any number of workers share one handler.
#ifndef AVIO_TOOLS_SERVE_REQUEST_HANDLER_HPP
#define AVIO_TOOLS_SERVE_REQUEST_HANDLER_HPP

#include <cstdint>

#include "client_connection.hpp"
#include "document_root.hpp"
#include "protocols/http/message.hpp"
#include "response.hpp"

namespace avio::tools::serve {

struct HandlerOptions {
  bool writable = false;                // PUT stores files
  int64_t max_body = int64_t{1} << 32;  // the largest PUT body
};

// What happened to one request, for the access log and the connection.
struct Exchange {
  int status = 0;
  int64_t body_bytes = 0;     // of the response
  bool keep_alive = false;    // the connection may carry the next request
  bool unread_input = false;  // the client may still be sending (see ClientConnection::linger)
};

// Whether the client lets the connection stay open: HTTP/1.1 unless
// "Connection: close", HTTP/1.0 only with "Connection: keep-alive".
bool wants_keep_alive(const protocols::http::ParsedRequest &request);

class RequestHandler {
 public:
  RequestHandler(const DocumentRoot &root, const HandlerOptions &options) : root_(root), options_(options) {}

  // Answers `request` on `conn`, reading its body first when it has one.
  // `may_keep_alive` is false when the server wants the connection closed
  // after this response (it drains, or others wait for a worker).
  Exchange handle(const protocols::http::ParsedRequest &request, ClientConnection &conn, bool may_keep_alive) const;

 private:
  Response respond(const protocols::http::ParsedRequest &request, ClientConnection &conn, bool *body_read) const;
  Response get(const protocols::http::ParsedRequest &request) const;
  Response put(const protocols::http::ParsedRequest &request, ClientConnection &conn, bool *body_read) const;
  Response not_allowed() const;

  const DocumentRoot &root_;
  HandlerOptions options_;
};

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_REQUEST_HANDLER_HPP
