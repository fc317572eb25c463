#include "server.hpp"

#include <poll.h>

#include <cstdio>
#include <utility>

#include "wait_budget.hpp"

namespace avio::tools::serve {

namespace {

// After an accept error (out of descriptors, a client gone before it was
// accepted): the pause before the next try, so as not to spin.
constexpr std::chrono::milliseconds kAcceptRetryPause{50};

// Errors that say the listener itself is broken.
bool fatal_accept_error(int code) { return code == -EBADF || code == -EINVAL || code == -ENOTSOCK; }

}  // namespace

Server::Server(const ServerConfig &config) : config_(config) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(const ServerConfig &config) {
  std::unique_ptr<Server> server(new Server(config));
  if (Status st = server->open(config); !st) return st.error();
  return server;
}

Status Server::open(const ServerConfig &c) {
  Result<DocumentRoot> root = DocumentRoot::open(c.root);
  if (!root) return root.error();
  root_.emplace(std::move(*root));
  Result<std::unique_ptr<AccessLog>> log = AccessLog::open(c.log_path);
  if (!log) return log.error();
  log_ = std::move(*log);
  handler_ = std::make_unique<RequestHandler>(*root_, c.handler);
  Result<Listener> listener =
      open_listener({c.address, c.cert_file, c.key_file, WaitBudget::callback(draining_), cut_});
  if (!listener) return listener.error();
  listener_ = std::move(listener->url);
  url_ = std::string(c.cert_file.empty() ? "http" : "https") + "://" + url_host(c.address.host) + ":" +
         std::to_string(listener->port) + "/";
  // pool_ is set before the accept loop starts, so before any worker asks.
  session_ = {handler_.get(), log_.get(), c.timeouts, c.limits,
              [this] { return draining_->load(std::memory_order_acquire) || pool_->queued() > 0; }};
  pool_ = std::make_unique<WorkerPool>(c.threads, c.queue_capacity, [this](std::unique_ptr<UrlContext> client) {
    serve_connection(std::move(client), session_);
  });
  acceptor_ = std::thread([this] { accept_loop(); });
  return {};
}

void Server::accept_loop() {
  const Interrupt stop{nullptr, stop_accepting_};
  while (pool_->wait_for_room()) {
    if (stop.wait(listener_->file_handle(), POLLIN, Deadline::never()) != WaitResult::kReady) return;
    Result<std::unique_ptr<UrlContext>> client = listener_->accept();
    if (client) {
      pool_->push(std::move(*client));
      continue;
    }
    const int code = client.error().code();
    if (code == kExit) return;
    if (fatal_accept_error(code)) {
      std::fprintf(stderr, "avio serve: accept: %s\n", client.error().message().c_str());
      failed_->cancel();
      return;
    }
    if (stop.sleep_until(Deadline::after(kAcceptRetryPause)) == WaitResult::kInterrupted) return;
  }
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  draining_->store(true, std::memory_order_release);
  stop_accepting_->cancel();
  if (pool_) pool_->close();
  if (acceptor_.joinable()) acceptor_.join();
  if (listener_) {
    (void)listener_->close();
    listener_.reset();
  }
  if (!pool_) return;
  (void)pool_->wait_idle(std::chrono::steady_clock::now() + config_.grace);
  cut_->cancel();
  pool_->join();
}

}  // namespace avio::tools::serve
