// Reading and writing a file descriptor the way the file, pipe and fd
// protocols share: bounded waits (so interrupts and rw_timeout work on
// pipes), and positioned I/O on regular files.
#ifndef AVIO_SRC_URL_PROTOCOLS_FD_IO_HPP
#define AVIO_SRC_URL_PROTOCOLS_FD_IO_HPP

#include <climits>
#include <cstdint>
#include <span>

#include "avio/protocol.hpp"

namespace avio::protocols {

// One descriptor and, for a regular file, our own offset: reads and writes
// use pread / pwrite at that offset, so two contexts sharing one open file
// (dup'ed descriptors share the kernel's offset) never move each other.
class FdIo {
 public:
  ~FdIo();
  // Takes ownership of `fd`. With `positioned`, a regular file is read and
  // written at our own offset; without, the descriptor's offset moves as
  // with read(2) (the pipe protocol: a shell's stdin advances as expected).
  void reset(int fd, bool positioned = true);
  int fd() const { return fd_; }
  bool positioned() const { return positioned_; }

  // `follow`: end of file means "not yet" (-EAGAIN), as the file protocol's
  // option. A descriptor that is not a regular file is waited on through
  // `h` (its interrupt and rw_timeout; -EIO when that passes, -EAGAIN at once
  // in non-blocking mode).
  Result<size_t> read(const UrlContext &h, std::span<uint8_t> dst, int blocksize, bool follow);
  Result<size_t> write(const UrlContext &h, std::span<const uint8_t> src, int blocksize);
  // pread at `offset`: safe from several threads at once (positioned only).
  Result<size_t> read_at(int64_t offset, std::span<uint8_t> dst, int blocksize) const;
  // whence: kSeekSet / kSeekCur / kSeekEnd / kSeekSizeQuery.
  Result<int64_t> seek(int64_t offset, int whence);
  Status close();

 private:
  int fd_ = -1;
  bool positioned_ = false;  // a regular file: pread / pwrite at pos_
  bool is_regular_ = false;  // never waits: poll says "ready" anyway
  int64_t pos_ = 0;
};

// A protocol whose bytes go through one descriptor (pipe; file and fd
// through SeekableDescriptorProtocol): data calls forward to its FdIo. The
// derived protocol's open sets io_, streamed_ and reads blocksize_ and follow_
// from its options once: they are final by then, and looking them up by
// name on every call cost a seek-heavy reader a tenth of its instructions
// (bench/).
class DescriptorProtocol : public Protocol {
 public:
  StreamProperties stream_properties() const override { return {.streamed = streamed_}; }
  Result<size_t> read(UrlContext &h, std::span<uint8_t> dst) override { return io_.read(h, dst, blocksize_, follow_); }
  Result<size_t> write(UrlContext &h, std::span<const uint8_t> src) override { return io_.write(h, src, blocksize_); }
  Status close(UrlContext &) override { return io_.close(); }
  int file_handle(UrlContext &) override { return io_.fd(); }

 protected:
  FdIo io_;
  int blocksize_ = INT_MAX;
  bool follow_ = false;
  bool streamed_ = false;
};

// A descriptor that may be a regular file: seeks, and positional reads
// (pread, so concurrent ones are safe).
class SeekableDescriptorProtocol : public DescriptorProtocol {
 public:
  StreamProperties stream_properties() const override { return {.streamed = streamed_, .read_ahead = !streamed_}; }
  Result<int64_t> seek(UrlContext &, int64_t offset, int whence) override { return io_.seek(offset, whence); }
  Result<size_t> read_at(UrlContext &, int64_t offset, std::span<uint8_t> dst) override {
    return io_.read_at(offset, dst, blocksize_);
  }
};

// The options file, pipe and fd have in common (FFmpeg 7's tables).
Error errno_error(int e, std::string_view what);

}  // namespace avio::protocols

#endif  // AVIO_SRC_URL_PROTOCOLS_FD_IO_HPP
