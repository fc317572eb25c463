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

class FdProtocol final : public DescriptorProtocol {
 public:
  explicit FdProtocol(bool pipe) : pipe_(pipe) {}

  Status open(UrlContext &h, std::string_view url, int flags, Dictionary &) override {
    int fd = static_cast<int>(h.options().integer("fd"));
    const int standard = (flags & kOpenWrite) ? 1 : 0;
    if (pipe_) {
      if (fd < 0) {
        std::string_view arg = url.substr(url.substr(0, 5) == "pipe:" ? 5 : 0);
        if (arg.empty()) {
          fd = standard;
        } else {
          const std::string text(arg);
          char *end = nullptr;
          errno = 0;
          const long v = std::strtol(text.c_str(), &end, 10);
          if (*end || end == text.c_str() || errno || v < 0 || v > INT_MAX)
            return Error(-EINVAL, "pipe: '" + text + "' is not a file descriptor number");
          fd = static_cast<int>(v);
        }
      }
    } else {
      if (url != "fd:")
        return Error(-EINVAL,
                     "fd: the descriptor is given by the 'fd' option, not in the URL '" + std::string(url) + "'");
      if (fd < 0) fd = standard;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) return errno_error(errno, info_name() + ": file descriptor " + std::to_string(fd));
    h.is_streamed = pipe_ || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
    Result<int> copy = dup_fd(fd, info_name());
    if (!copy) return copy.error();
    io_.reset(*copy, /*positioned=*/!pipe_);
    blocksize_ = static_cast<int>(h.options().integer("blocksize"));
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

}  // namespace

ProtocolInfo pipe_protocol() {
  ProtocolInfo p;
  p.name = "pipe";
  p.can_read = p.can_write = true;
  p.has_check = true;
  p.default_whitelist = "crypto,data";
  p.options = kPipeOptions;
  p.factory = [] { return std::make_unique<FdProtocol>(true); };
  return p;
}

ProtocolInfo fd_protocol() {
  ProtocolInfo p;
  p.name = "fd";
  p.can_read = p.can_write = p.can_seek = true;
  p.default_whitelist = "crypto,data";
  p.options = kPipeOptions;
  p.factory = [] { return std::make_unique<FdProtocol>(false); };
  return p;
}

}  // namespace avio::protocols
