#include "worker_pool.hpp"

#include <cstdio>
#include <exception>
#include <utility>

namespace avio::tools::serve {

WorkerPool::WorkerPool(size_t threads, size_t capacity, Handler handler)
    : handler_(std::move(handler)), capacity_(capacity == 0 ? 1 : capacity) {
  threads_.reserve(threads);
  try {
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  } catch (...) {
    close();
    join();
    throw;
  }
}

WorkerPool::~WorkerPool() {
  close();
  join();
}

bool WorkerPool::wait_for_room() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return closed_ || queue_.size() < capacity_; });
  return !closed_;
}

bool WorkerPool::push(std::unique_ptr<UrlContext> client) {
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      queue_.push_back(std::move(client));
      changed_.notify_all();
      return true;
    }
  }
  return false;  // `client` closes here, outside the lock
}

size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkerPool::close() {
  std::deque<std::unique_ptr<UrlContext>> dropped;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    dropped.swap(queue_);
    changed_.notify_all();
  }
  // The connections nobody served close here, outside the lock.
}

bool WorkerPool::wait_idle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, deadline, [this] { return busy_ == 0 && queue_.empty(); });
}

void WorkerPool::join() {
  for (std::thread &t : threads_)
    if (t.joinable()) t.join();
}

void WorkerPool::run() {
  while (true) {
    std::unique_ptr<UrlContext> client;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return closed_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closed
      client = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
      changed_.notify_all();  // room in the queue
    }
    try {
      handler_(std::move(client));
    } catch (const std::exception &e) {  // out of memory, most likely: the connection is dropped
      std::fprintf(stderr, "avio serve: %s\n", e.what());
    }
    std::lock_guard lock(mutex_);
    --busy_;
    changed_.notify_all();
  }
}

}  // namespace avio::tools::serve
