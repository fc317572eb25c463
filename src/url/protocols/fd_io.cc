#include "fd_io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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

// Waits up to one slice for `events`; false when the slice passed.
bool wait_ready(int fd, short events) {
  pollfd p{fd, events, 0};
  const int r = poll(&p, 1, kWaitSliceMs);
  // A signal is not readiness: a blocking read would then wait for data
  // without seeing the interrupt the signal raised.
  if (r < 0 && errno == EINTR) return false;
  return r != 0;  // errors surface from the read or write that follows
}

}  // namespace

Result<size_t> FdIo::read(std::span<uint8_t> dst, int blocksize, bool follow) {
  const size_t want = std::min<size_t>(dst.size(), static_cast<size_t>(blocksize));
  ssize_t n;
  if (positioned_) {
    n = pread(fd_, dst.data(), want, pos_);
  } else {
    if (!is_regular_ && !wait_ready(fd_, POLLIN)) return Error(-EAGAIN);
    n = ::read(fd_, dst.data(), want);
  }
  if (n < 0) return Error(-errno);
  if (n == 0) return follow ? Error(-EAGAIN) : Error::eof();
  if (positioned_) pos_ += n;
  return static_cast<size_t>(n);
}

Result<size_t> FdIo::write(std::span<const uint8_t> src, int blocksize) {
  const size_t want = std::min<size_t>(src.size(), static_cast<size_t>(blocksize));
  ssize_t n;
  if (positioned_) {
    n = pwrite(fd_, src.data(), want, pos_);
  } else {
    if (!is_regular_ && !wait_ready(fd_, POLLOUT)) return Error(-EAGAIN);
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
