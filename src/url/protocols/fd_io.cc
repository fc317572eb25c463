#include "fd_io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <string>

namespace avio::protocols {

Error errno_error(int e, std::string_view what) { return Error(-e, std::string(what) + ": " + error_text(-e)); }

FdIo::~FdIo() { (void)close(); }

void FdIo::reset(int fd, bool positioned) {
  (void)close();
  fd_ = fd;
  struct stat st;
  is_regular_ = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  positioned_ = positioned && is_regular_;  // one fstat: bench/ counts the system calls
  if (positioned_) {
    const off_t at = lseek(fd, 0, SEEK_CUR);
    pos_ = at < 0 ? 0 : at;
  }
}

namespace {

// Waits for `events` on a descriptor that can block: -EAGAIN at once in
// non-blocking mode, -EIO past rw_timeout (what FFmpeg's retry loop gives).
Status wait_ready(const UrlContext &h, int fd, short events) {
  if (h.flags() & kOpenNonBlock)
    return h.wait_ready(fd, events, Deadline::after(std::chrono::microseconds(0)), -EAGAIN, "non-blocking wait");
  return h.wait_ready(fd, events, h.io_deadline(), -EIO,
                      "waiting past rw_timeout (" + std::to_string(h.rw_timeout()) + " us)");
}

}  // namespace

Result<size_t> FdIo::read(const UrlContext &h, std::span<uint8_t> dst, int blocksize, bool follow) {
  const size_t want = std::min<size_t>(dst.size(), static_cast<size_t>(blocksize));
  ssize_t n;
  if (positioned_) {
    n = pread(fd_, dst.data(), want, pos_);
  } else {
    if (!is_regular_) {
      if (Status st = wait_ready(h, fd_, POLLIN); !st) return st.error();
    }
    n = ::read(fd_, dst.data(), want);
  }
  if (n < 0) return Error(-errno);
  if (n == 0) return follow ? Error(-EAGAIN) : Error::eof();
  if (positioned_) pos_ += n;
  return static_cast<size_t>(n);
}

Result<size_t> FdIo::read_at(int64_t offset, std::span<uint8_t> dst, int blocksize) const {
  if (!positioned_) return Error(-ESPIPE, "positional read of a descriptor that is not a regular file");
  const size_t want = std::min<size_t>(dst.size(), static_cast<size_t>(blocksize));
  const ssize_t n = pread(fd_, dst.data(), want, offset);
  if (n < 0) return Error(-errno);
  if (n == 0 && want > 0) return Error::eof();
  return static_cast<size_t>(n);
}

Result<size_t> FdIo::write(const UrlContext &h, std::span<const uint8_t> src, int blocksize) {
  const size_t want = std::min<size_t>(src.size(), static_cast<size_t>(blocksize));
  ssize_t n;
  if (positioned_) {
    n = pwrite(fd_, src.data(), want, pos_);
  } else {
    if (!is_regular_) {
      if (Status st = wait_ready(h, fd_, POLLOUT); !st) return st.error();
    }
    n = ::write(fd_, src.data(), want);
  }
  if (n < 0) return Error(-errno);
  if (positioned_) pos_ += n;
  return static_cast<size_t>(n);
}

Result<int64_t> FdIo::seek(int64_t offset, int whence) {
  if (whence == kSeekSizeQuery) {
    struct stat st;
    if (fstat(fd_, &st) < 0) return Error(-errno);
    return S_ISFIFO(st.st_mode) ? int64_t{0} : static_cast<int64_t>(st.st_size);
  }
  if (!positioned_) {
    const off_t r = lseek(fd_, offset, whence);
    if (r < 0) return Error(-errno);
    return static_cast<int64_t>(r);
  }
  int64_t base = 0;
  if (whence == kSeekCur) {
    base = pos_;
  } else if (whence == kSeekEnd) {
    struct stat st;
    if (fstat(fd_, &st) < 0) return Error(-errno);
    base = st.st_size;
  } else if (whence != kSeekSet) {
    return Error(-EINVAL);
  }
  if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0) return Error(-EINVAL);
  pos_ = base + offset;
  return pos_;
}

Status FdIo::close() {
  if (fd_ < 0) return {};
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) < 0) return Error(-errno);
  return {};
}

}  // namespace avio::protocols
