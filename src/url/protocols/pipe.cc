// pipe: and fd: an inherited file descriptor (FFmpeg 7's file.c).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "builtins.hpp"
#include "fd_io.hpp"

namespace avio::protocols {

namespace {

constexpr OptionSpec kPipeOptions[] = {
    {"blocksize", OptionType::kInt, "2147483647", 1, INT_MAX, "set I/O operation maximum block size"},
    {"fd", OptionType::kInt, "-1", -1, INT_MAX, "set file descriptor"},
};

// The descriptor is duplicated, so closing the context never closes the
// caller's (FFmpeg 7 behaviour).
Result<int> dup_fd(int fd, std::string_view name) {
  const int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return errno_error(errno, std::string(name) + ": file descriptor " + std::to_string(fd));
  return copy;
}

// What pipe: and fd: share: which descriptor the URL and options name, and
// taking a duplicate of it.
template <class Base>
class InheritedDescriptor : public Base {
 public:
  explicit InheritedDescriptor(bool pipe) : pipe_(pipe) {}

  Status open(UrlContext &h, const OpenRequest &request) override {
    int fd = static_cast<int>(h.options().integer("fd"));
    const int standard = (request.flags & kOpenWrite) ? 1 : 0;
    if (pipe_) {
      if (fd < 0) {
        if (request.target.empty()) {
          fd = standard;
        } else {
          const std::string text(request.target);
          char *end = nullptr;
          errno = 0;
          const long v = std::strtol(text.c_str(), &end, 10);
          if (*end || end == text.c_str() || errno || v < 0 || v > INT_MAX)
            return Error(-EINVAL, "pipe: '" + text + "' is not a file descriptor number");
          fd = static_cast<int>(v);
        }
      }
    } else {
      if (!request.target.empty())
        return Error(-EINVAL,
                     "fd: the descriptor is given by the 'fd' option, not in the URL '" + std::string(h.url()) + "'");
      if (fd < 0) fd = standard;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) return errno_error(errno, info_name() + ": file descriptor " + std::to_string(fd));
    this->streamed_ = pipe_ || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
    Result<int> copy = dup_fd(fd, info_name());
    if (!copy) return copy.error();
    this->io_.reset(*copy, /*positioned=*/!pipe_);
    this->blocksize_ = static_cast<int>(h.options().integer("blocksize"));
    return {};
  }

  Result<int> check(UrlContext &, int mask) override {
    // FFmpeg checks the access of the path "pipe:N", which never exists.
    (void)mask;
    return Error(-ENOENT, info_name() + ": check is not meaningful for a descriptor");
  }

 private:
  std::string info_name() const { return pipe_ ? "pipe" : "fd"; }
  bool pipe_;
};

// pipe: never seeks (FFmpeg's pipe protocol has no seek).
class PipeProtocol final : public InheritedDescriptor<DescriptorProtocol> {
 public:
  PipeProtocol() : InheritedDescriptor(true) {}
};

class FdProtocol final : public InheritedDescriptor<SeekableDescriptorProtocol> {
 public:
  FdProtocol() : InheritedDescriptor(false) {}
};

}  // namespace

ProtocolInfo pipe_protocol() {
  return ProtocolInfo::of<PipeProtocol>("pipe", {.default_whitelist = "crypto,data", .options = kPipeOptions});
}

ProtocolInfo fd_protocol() {
  return ProtocolInfo::of<FdProtocol>("fd", {.default_whitelist = "crypto,data", .options = kPipeOptions});
}

}  // namespace avio::protocols
