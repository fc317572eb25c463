// One client connection from accept to close: the transport's handshake,
// then requests one after another while both ends keep the connection
// alive. Each head is read (431 past the size limit, 408 when a started head
// takes longer than the header timeout), parsed by the message layer (400,
// 431 or 505 when refused; these close the connection), handled, and
// logged. A connection serves at most kMaxRequests requests, so that with a
// fixed pool no client keeps a worker for ever.
#ifndef AVIO_TOOLS_SERVE_SESSION_HPP
#define AVIO_TOOLS_SERVE_SESSION_HPP

#include <functional>
#include <memory>

#include "access_log.hpp"
#include "avio/protocol.hpp"
#include "client_connection.hpp"
#include "protocols/http/message.hpp"
#include "request_handler.hpp"

namespace avio::tools::serve {

inline constexpr int kMaxRequests = 1000;

struct SessionContext {
  const RequestHandler *handler = nullptr;
  AccessLog *log = nullptr;
  Timeouts timeouts;
  protocols::http::HeadLimits limits;
  // Asked before each response: whether to close the connection after it
  // (the server drains, or connections wait for a worker).
  std::function<bool()> should_close;
};

void serve_connection(std::unique_ptr<UrlContext> client, const SessionContext &context);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_SESSION_HPP
