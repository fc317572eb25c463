// The udp protocol's receive FIFO (FFmpeg's circular buffer thread, udp.c
// circular_buffer_task_rx): a thread that takes every datagram off a socket
// as it arrives and queues it, with its length, in a ring of a fixed number
// of bytes, so that a reader that is late loses nothing until the ring is
// full.
//
// Accounting as FFmpeg 7's: a datagram of n bytes costs n + 4 bytes of the
// ring. When one does not fit it is dropped; with `overrun_nonfatal` the
// thread goes on (the drops are counted and reported once to stderr by the
// next pop), otherwise it records the overrun as an error (-EIO) and stops:
// the datagrams already queued are still popped, then every pop reports the
// error. A receive error other than EAGAIN/EINTR also ends the thread with
// that error.
//
// Waiting. `ready_fd()` is an eventfd that is readable exactly when a pop
// would not find the ring empty (a datagram or the error is there); the
// reader polls it together with its interrupt through UrlContext::wait, so
// a token ends the wait at once and a callback within kCallbackPollInterval.
// The thread itself polls the socket and a second eventfd, written by
// stop(), so stopping never waits for a datagram.
//
// Thread-safety: pop() and stop() are for the one thread that owns the
// protocol; the ring, the counters and the error are guarded by a mutex
// shared with the receiving thread. stop() (and the destructor) join it.
#ifndef AVIO_SRC_URL_PROTOCOLS_NET_UDP_FIFO_HPP
#define AVIO_SRC_URL_PROTOCOLS_NET_UDP_FIFO_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "avio/error.hpp"
#include "socket.hpp"

namespace avio::protocols::net {

class UdpReceiveFifo {
 public:
  // Starts the thread on `socket_fd` (which must outlive the FIFO, or at
  // least stop()) with a ring of `capacity` bytes. Errors: -ENOMEM when the
  // ring cannot be allocated, the eventfd's or the thread's error.
  static Result<std::unique_ptr<UdpReceiveFifo>> start(int socket_fd, size_t capacity, bool overrun_nonfatal);

  ~UdpReceiveFifo();
  UdpReceiveFifo(const UdpReceiveFifo &) = delete;
  UdpReceiveFifo &operator=(const UdpReceiveFifo &) = delete;

  // The oldest datagram, truncated to `dst` (the rest of it is dropped, as
  // FFmpeg's udp_read does); or the thread's error once the ring is empty;
  // or nothing yet (an empty optional).
  struct Popped {
    bool have = false;
    size_t size = 0;
  };
  Result<Popped> pop(std::span<uint8_t> dst);
  // Readable while pop() has something to say.
  int ready_fd() const { return ready_.fd(); }
  // Ends the thread and joins it (idempotent).
  void stop();

 private:
  UdpReceiveFifo() = default;
  void run();
  // Under mutex_.
  bool push_locked(const uint8_t *data, size_t n);
  void copy_out_locked(size_t offset, uint8_t *dst, size_t n) const;
  void signal_locked();
  void fail_locked(int code, std::string message);

  int socket_fd_ = -1;
  bool overrun_nonfatal_ = false;
  Socket ready_;  // eventfd: readable while the ring is not empty or the thread failed
  Socket stop_;   // eventfd: written by stop()
  std::thread thread_;

  std::mutex mutex_;
  // The ring: entries of a 4-byte length (host order) and the bytes.
  std::unique_ptr<uint8_t[]> ring_;
  size_t capacity_ = 0;
  size_t head_ = 0;  // offset of the oldest entry
  size_t used_ = 0;
  uint64_t dropped_ = 0;           // datagrams dropped by overruns
  uint64_t dropped_reported_ = 0;  // of which a warning told
  bool failed_ = false;
  int error_code_ = 0;
  std::string error_message_;
};

}  // namespace avio::protocols::net

#endif  // AVIO_SRC_URL_PROTOCOLS_NET_UDP_FIFO_HPP
