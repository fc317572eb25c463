#include "session.hpp"

#include <chrono>
#include <ctime>
#include <string>
#include <utility>

namespace avio::tools::serve {

namespace {

namespace http = protocols::http;
using Clock = std::chrono::steady_clock;

struct Arrival {
  Clock::time_point start = Clock::now();
  std::time_t when = std::time(nullptr);
};

void log_request(const SessionContext &ctx, const ClientConnection &conn, const Arrival &arrival,
                 std::string request_line, int status, int64_t bytes) {
  ctx.log->record({conn.peer(), arrival.when, std::move(request_line), status, bytes,
                   std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - arrival.start)});
}

// Answers `status` with a short text and "Connection: close".
void refuse(const SessionContext &ctx, ClientConnection &conn, const Arrival &arrival, std::string request_line,
            int status) {
  Response r = text_response(status);
  Result<int64_t> sent = send_response(conn, r, {.keep_alive = false});
  log_request(ctx, conn, arrival, std::move(request_line), status, sent.value_or(0));
}

// The request line of a refused head, for the log.
std::string first_line(std::string_view head) {
  constexpr size_t kMax = 1024;
  return std::string(head.substr(0, std::min(head.find_first_of("\r\n"), kMax)));
}

// What a connection does after a request.
enum class After { kNextRequest, kClose, kLingerAndClose };

// Serves the connection's next request.
After serve_request(const SessionContext &ctx, ClientConnection &conn, int served) {
  bool started = false;
  Result<std::string> head = conn.read_head(ctx.limits.max_head_bytes, &started);
  const Arrival arrival;
  if (!head) {
    // Nothing to answer when the client closed or idled out between requests.
    if (head.error().code() == -EMSGSIZE) {
      refuse(ctx, conn, arrival, "-", 431);
      return After::kLingerAndClose;
    }
    if (head.error().code() == -ETIMEDOUT && started) refuse(ctx, conn, arrival, "-", 408);
    return After::kClose;
  }
  Result<http::ParsedRequest> request = http::parse_request_head(*head, ctx.limits);
  if (!request) {
    refuse(ctx, conn, arrival, first_line(*head), http::request_error_status(request.error()));
    return After::kLingerAndClose;
  }
  const bool may_keep_alive = served + 1 < kMaxRequests && !ctx.should_close();
  const Exchange ex = ctx.handler->handle(*request, conn, may_keep_alive);
  log_request(ctx, conn, arrival, request->method + " " + request->target + " " + request->http_version, ex.status,
              ex.body_bytes);
  if (ex.keep_alive) return After::kNextRequest;
  return ex.unread_input ? After::kLingerAndClose : After::kClose;
}

}  // namespace

void serve_connection(std::unique_ptr<UrlContext> client, const SessionContext &context) {
  ClientConnection conn(std::move(client), context.timeouts);
  if (!conn.handshake()) return;
  After after = After::kNextRequest;
  for (int served = 0; served < kMaxRequests && after == After::kNextRequest; ++served)
    after = serve_request(context, conn, served);
  if (after == After::kLingerAndClose) conn.linger();
}

}  // namespace avio::tools::serve
