// async: reads another URL ahead in a background thread ("async:URL"),
// FFmpeg's async.c: a 4 MiB ring buffer plus 4 MiB kept for reading back,
// and seeks inside (buffered + 256 KiB) served without touching the source.
//
// Threads: the caller's thread and one background thread. The background
// thread alone uses the inner context while it runs (a seek is handed to it
// as a request); the ring is only touched under the mutex (the thread reads
// the source into a chunk of its own first), so ThreadSanitizer has nothing
// to report. Every wait on the condition variables lasts at most kWaitSlice,
// so an interrupt (callback or token) is seen within it; the inner context's
// own waits see the token at once. Closing joins the thread.
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "builtins.hpp"

namespace avio::protocols {

namespace {

constexpr int kBufferCapacity = 4 * 1024 * 1024;
constexpr int kReadBackCapacity = 4 * 1024 * 1024;
constexpr int kShortSeekThreshold = 256 * 1024;
constexpr int kChunk = 4096;
constexpr auto kWaitSlice = std::chrono::milliseconds(20);

// Bytes in arrival order: [head, head + read_pos) were read already and are
// kept for seeking back, [head + read_pos, head + count) are unread.
class Ring {
 public:
  Ring() : data_(static_cast<size_t>(kBufferCapacity + kReadBackCapacity)) {}
  int unread() const { return count_ - read_pos_; }
  int space() const { return static_cast<int>(data_.size()) - count_; }
  int read_back() const { return read_pos_; }
  void reset() { head_ = count_ = read_pos_ = 0; }

  void append(const uint8_t *src, int n) {
    const size_t cap = data_.size();
    size_t at = (head_ + static_cast<size_t>(count_)) % cap;
    for (int done = 0; done < n;) {
      const size_t run = std::min(static_cast<size_t>(n - done), cap - at);
      std::memcpy(data_.data() + at, src + done, run);
      done += static_cast<int>(run);
      at = (at + run) % cap;
    }
    count_ += n;
  }

  // Copies n unread bytes to dst (or skips them when dst is null).
  void read(uint8_t *dst, int n) {
    if (dst) {
      const size_t cap = data_.size();
      size_t at = (head_ + static_cast<size_t>(read_pos_)) % cap;
      for (int done = 0; done < n;) {
        const size_t run = std::min(static_cast<size_t>(n - done), cap - at);
        std::memcpy(dst + done, data_.data() + at, run);
        done += static_cast<int>(run);
        at = (at + run) % cap;
      }
    }
    read_pos_ += n;
    if (read_pos_ > kReadBackCapacity) {
      const int drop = read_pos_ - kReadBackCapacity;
      head_ = (head_ + static_cast<size_t>(drop)) % data_.size();
      count_ -= drop;
      read_pos_ = kReadBackCapacity;
    }
  }

  void move(int offset) { read_pos_ += offset; }

 private:
  std::vector<uint8_t> data_;
  size_t head_ = 0;
  int count_ = 0;
  int read_pos_ = 0;
};

class AsyncProtocol final : public Protocol {
 public:
  ~AsyncProtocol() override { stop(); }

  Status open(UrlContext &h, const OpenRequest &request) override {
    user_interrupt_ = h.interrupt();
    // The source sees our abort flag as well as the caller's interrupt (its
    // token too, so that the source's waits end at once on cancellation).
    UrlOpenParams params = h.params();
    params.interrupt.callback = [this] { return check_interrupt(); };
    Result<std::unique_ptr<UrlContext>> inner =
        UrlContext::open(request.target, request.flags, params, request.options);
    if (!inner) return inner.error();
    inner_ = std::move(*inner);
    Result<int64_t> size = inner_->size();
    logical_size_ = size ? *size : size.error().code();
    streamed_ = inner_->stream().streamed;
    thread_ = std::thread([this] { fill(); });
    return {};
  }

  StreamProperties stream_properties() const override { return {.streamed = streamed_}; }

  Result<size_t> read(UrlContext &, std::span<uint8_t> dst) override {
    const int n = read_internal(dst.data(), static_cast<int>(std::min<size_t>(dst.size(), INT_MAX)));
    if (n < 0) return Error(n);
    return static_cast<size_t>(n);
  }

  Result<int64_t> seek(UrlContext &, int64_t pos, int whence) override {
    int64_t target;
    if (whence == kSeekSizeQuery)
      return logical_size_ < 0 ? Result<int64_t>(Error(static_cast<int>(logical_size_)))
                               : Result<int64_t>(logical_size_);
    if (whence == kSeekCur)
      target = pos + logical_pos_;
    else if (whence == kSeekSet)
      target = pos;
    else
      return Error(-EINVAL, "async: cannot seek from the end");
    if (target < 0) return Error(-EINVAL, "async: seek before the start");
    int unread, read_back;
    {
      std::lock_guard<std::mutex> lock(mu_);
      unread = ring_.unread();
      read_back = ring_.read_back();
    }
    if (target == logical_pos_) return logical_pos_;
    if (target >= logical_pos_ - read_back && target < logical_pos_ + unread + kShortSeekThreshold) {
      const int delta = static_cast<int>(target - logical_pos_);
      if (delta > 0) {
        (void)read_internal(nullptr, delta);  // fast seek forward: read and drop
      } else {
        std::lock_guard<std::mutex> lock(mu_);
        ring_.move(delta);
        logical_pos_ = target;
      }
      return logical_pos_;
    }
    if (logical_size_ <= 0) return Error(-EINVAL, "async: the source cannot seek that far");
    if (target > logical_size_) return Error(-EINVAL, "async: seek beyond the end");

    std::unique_lock<std::mutex> lock(mu_);
    seek_request_ = true;
    seek_pos_ = target;
    seek_completed_ = false;
    seek_ret_ = 0;
    while (true) {
      if (check_interrupt_locked()) return Error(kExit, "async: interrupted");
      if (seek_completed_) {
        if (seek_ret_ >= 0) logical_pos_ = seek_ret_;
        if (seek_ret_ < 0) return Error(static_cast<int>(seek_ret_));
        return seek_ret_;
      }
      wake_background_.notify_one();
      wake_main_.wait_for(lock, kWaitSlice);
    }
  }

  Status close(UrlContext &) override {
    stop();
    return inner_ ? inner_->close() : Status();
  }

 private:
  bool check_interrupt() {
    std::lock_guard<std::mutex> lock(mu_);
    return check_interrupt_locked();
  }
  bool check_interrupt_locked() {
    if (abort_) return true;
    if (user_interrupt_.raised()) abort_ = true;
    return abort_;
  }

  void stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      abort_ = true;
    }
    wake_background_.notify_one();
    thread_.join();
  }

  // The background thread: serves seeks, keeps the ring full.
  void fill() {
    std::vector<uint8_t> chunk(kChunk);
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (check_interrupt_locked()) {
        eof_ = true;
        io_error_ = kExit;
        wake_main_.notify_one();
        return;
      }
      if (seek_request_) {
        const int64_t target = seek_pos_;
        lock.unlock();
        Result<int64_t> r = inner_->seek(target, kSeekSet);
        lock.lock();
        if (r) {
          eof_ = false;
          io_error_ = 0;
          ring_.reset();
        }
        seek_completed_ = true;
        seek_ret_ = r ? *r : r.error().code();
        seek_request_ = false;
        wake_main_.notify_one();
        continue;
      }
      const int space = ring_.space();
      if (eof_ || space <= 0) {
        wake_main_.notify_one();
        wake_background_.wait_for(lock, kWaitSlice);
        continue;
      }
      lock.unlock();
      Result<size_t> r = inner_->read({chunk.data(), static_cast<size_t>(std::min(kChunk, space))});
      lock.lock();
      if (seek_request_) continue;  // the data belongs to the position before the seek
      if (r && *r > 0) {
        ring_.append(chunk.data(), static_cast<int>(*r));
      } else {
        eof_ = true;
        io_error_ = r ? 0 : r.error().code();
      }
      wake_main_.notify_one();
    }
  }

  int read_internal(uint8_t *dst, int size) {
    const bool complete = dst == nullptr;
    int to_read = size;
    int ret = 0;
    std::unique_lock<std::mutex> lock(mu_);
    while (to_read > 0) {
      if (check_interrupt_locked()) {
        ret = kExit;
        break;
      }
      const int copy = std::min(to_read, ring_.unread());
      if (copy > 0) {
        ring_.read(dst, copy);
        if (dst) dst += copy;
        logical_pos_ += copy;
        to_read -= copy;
        ret = size - to_read;
        if (to_read <= 0 || !complete) break;
      } else if (eof_) {
        if (ret <= 0) ret = io_error_ ? io_error_ : kEof;
        break;
      }
      wake_background_.notify_one();
      wake_main_.wait_for(lock, kWaitSlice);
    }
    wake_background_.notify_one();
    return ret;
  }

  std::unique_ptr<UrlContext> inner_;
  Interrupt user_interrupt_;
  int64_t logical_size_ = 0;
  bool streamed_ = false;
  std::thread thread_;

  std::mutex mu_;  // guards everything below, and inner_ is used by one thread at a time
  std::condition_variable wake_main_, wake_background_;
  Ring ring_;
  int64_t logical_pos_ = 0;
  bool abort_ = false;
  bool eof_ = false;
  int io_error_ = 0;
  bool seek_request_ = false;
  bool seek_completed_ = false;
  int64_t seek_pos_ = 0;
  int64_t seek_ret_ = 0;
};

}  // namespace

ProtocolInfo async_protocol() { return ProtocolInfo::of<AsyncProtocol>("async"); }

}  // namespace avio::protocols
