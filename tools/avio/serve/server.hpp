// `avio serve`'s server: the listener, the accept loop on a thread of its
// own, the worker pool (worker_pool.hpp says why a pool), and the stop.
//
// Stopping: the accept loop ends at once (a CancellationToken wakes its wait
// on the listener), the listener closes, and connections not yet taken by a
// worker are closed. Workers finish the responses in flight, with
// "Connection: close", while those waiting idle for a next request are let
// go at once (their wait budget sees the server draining). After the grace
// period a second token, the interrupt of every client context, cuts what
// is left; then every thread is joined and every descriptor closed.
#ifndef AVIO_TOOLS_SERVE_SERVER_HPP
#define AVIO_TOOLS_SERVE_SERVER_HPP

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "access_log.hpp"
#include "avio/interrupt.hpp"
#include "client_connection.hpp"
#include "document_root.hpp"
#include "listener.hpp"
#include "protocols/http/message.hpp"
#include "request_handler.hpp"
#include "session.hpp"
#include "worker_pool.hpp"

namespace avio::tools::serve {

struct ServerConfig {
  std::string root;
  ListenAddress address{"127.0.0.1", 8080};
  std::string cert_file, key_file;  // both set: https
  std::string log_path;             // empty: stderr
  size_t threads = 16;
  size_t queue_capacity = 64;
  Timeouts timeouts;
  std::chrono::milliseconds grace{2000};
  HandlerOptions handler;
  protocols::http::HeadLimits limits;
};

class Server {
 public:
  // Opens the root, the log and the listener; starts the workers and the
  // accept loop.
  static Result<std::unique_ptr<Server>> start(const ServerConfig &config);
  // stop().
  ~Server();
  Server(const Server &) = delete;
  Server &operator=(const Server &) = delete;

  // "http://127.0.0.1:8080/" (https with a certificate).
  const std::string &url() const { return url_; }
  // Cancelled when the accept loop ended by itself, on an error it cannot
  // get past (after saying so on stderr).
  std::shared_ptr<const CancellationToken> failed() const { return failed_; }
  // See the header comment. Idempotent; returns once every thread ended.
  void stop();

 private:
  explicit Server(const ServerConfig &config);
  Status open(const ServerConfig &config);
  void accept_loop();

  ServerConfig config_;
  std::optional<DocumentRoot> root_;
  std::unique_ptr<AccessLog> log_;
  std::unique_ptr<RequestHandler> handler_;
  SessionContext session_;
  std::shared_ptr<std::atomic<bool>> draining_ = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<CancellationToken> stop_accepting_ = std::make_shared<CancellationToken>();
  std::shared_ptr<CancellationToken> cut_ = std::make_shared<CancellationToken>();
  std::shared_ptr<CancellationToken> failed_ = std::make_shared<CancellationToken>();
  std::unique_ptr<UrlContext> listener_;
  std::unique_ptr<WorkerPool> pool_;
  std::thread acceptor_;
  std::string url_;
  bool stopped_ = false;
};

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_SERVER_HPP
