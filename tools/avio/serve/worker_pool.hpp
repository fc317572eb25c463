// A fixed set of worker threads serving accepted connections from a bounded
// queue.
//
// Why threads that block, and not an event loop: every read and write goes
// through avio's UrlContext, whose contract is a blocking call bounded by its
// one wait (a deadline, the interrupt). avio offers no non-blocking protocol
// reads that an event loop could multiplex (a tls record can need several
// reads of its tcp context), so one connection per thread at a time is both
// what the library supports and the simplest to reason about. The fixed
// count bounds threads and memory whatever the number of clients: the queue
// holds accepted connections until a worker is free, and while it is full
// the accept loop stops accepting, leaving the rest in the kernel's backlog.
//
// Thread-safety: every member may be called from any thread.
#ifndef AVIO_TOOLS_SERVE_WORKER_POOL_HPP
#define AVIO_TOOLS_SERVE_WORKER_POOL_HPP

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "avio/protocol.hpp"

namespace avio::tools::serve {

class WorkerPool {
 public:
  using Handler = std::function<void(std::unique_ptr<UrlContext>)>;

  // Starts `threads` workers that call `handler` with each queued connection.
  WorkerPool(size_t threads, size_t capacity, Handler handler);
  // close() and join().
  ~WorkerPool();
  WorkerPool(const WorkerPool &) = delete;
  WorkerPool &operator=(const WorkerPool &) = delete;

  // Waits until the queue has room (true) or the pool is closed (false).
  bool wait_for_room();
  // Queues a connection; false, and the connection closed, once closed.
  bool push(std::unique_ptr<UrlContext> client);
  // Connections accepted and waiting for a worker.
  size_t queued() const;
  // Takes no more connections and closes the queued ones; each worker ends
  // after the connection it serves.
  void close();
  // Waits until no worker serves a connection (true), or `deadline` (false).
  bool wait_idle(std::chrono::steady_clock::time_point deadline);
  // Waits for every worker to end (after close()).
  void join();

 private:
  void run();

  Handler handler_;
  size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;  // the queue, `busy_` or `closed_` changed
  std::deque<std::unique_ptr<UrlContext>> queue_;
  size_t busy_ = 0;  // workers serving a connection
  bool closed_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_WORKER_POOL_HPP
