#include "document_root.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <utility>

namespace avio::tools::serve {

namespace {

// `rel` below `dirfd`, refusing any symbolic link on the way (see the header).
int open_beneath(int dirfd, const std::string &rel, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | O_NOFOLLOW);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof how);
  if (fd >= 0) return static_cast<int>(fd);
  // ENOSYS: no openat2 (Linux < 5.6); EPERM: a seccomp filter that does not know it.
  if (errno != ENOSYS && errno != EPERM) return -1;
  return ::openat(dirfd, rel.c_str(), flags | O_CLOEXEC | O_NOFOLLOW);
}

Error errno_error(int e, std::string_view what) { return Error(-e, std::string(what)); }

}  // namespace

Result<std::vector<std::string>> path_segments(std::string_view path) {
  std::vector<std::string> segments;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (segment == "..") return Error(kHttpForbidden, "a '..' segment in the request path");
    if (!segment.empty() && segment != ".") segments.emplace_back(segment);
  }
  return segments;
}

Result<DocumentRoot> DocumentRoot::open(const std::string &dir) {
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(dir.c_str(), nullptr), &std::free);
  if (!real) return errno_error(errno, "'" + dir + "'");
  UniqueFd fd(::open(real.get(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_error(errno, "'" + dir + "'");
  return DocumentRoot(real.get(), std::move(fd));
}

bool DocumentRoot::contains(const std::string &real) const {
  if (real.compare(0, real_.size(), real_) != 0) return false;
  return real.size() == real_.size() || real_.back() == '/' || real[real_.size()] == '/';
}

Result<std::string> DocumentRoot::resolve(const std::vector<std::string> &segments) const {
  std::string path = real_;
  for (const std::string &s : segments) path.append(path.back() == '/' ? "" : "/").append(s);
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
  if (!real) return errno_error(errno, "resolving the request path");
  const std::string resolved(real.get());
  if (!contains(resolved)) return Error(kHttpForbidden, "the request path leads outside the served directory");
  if (resolved.size() == real_.size()) return std::string(".");
  return resolved.substr(real_.size() + (real_.back() == '/' ? 0 : 1));
}

Result<DocumentRoot::Opened> DocumentRoot::open_for_read(std::string_view path) const {
  Result<std::vector<std::string>> segments = path_segments(path);
  if (!segments) return segments.error();
  Result<std::string> rel = resolve(*segments);
  if (!rel) return rel.error();
  Opened opened;
  opened.fd.reset(open_beneath(fd_.get(), *rel, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  if (!opened.fd.valid()) return errno_error(errno, "opening the file");
  if (::fstat(opened.fd.get(), &opened.st) != 0) return errno_error(errno, "fstat");
  if (!S_ISREG(opened.st.st_mode) && !S_ISDIR(opened.st.st_mode))
    return Error(kHttpForbidden, "not a regular file or a directory");
  return opened;
}

Result<DocumentRoot::Destination> DocumentRoot::open_for_write(std::string_view path) const {
  Result<std::vector<std::string>> segments = path_segments(path);
  if (!segments) return segments.error();
  if (segments->empty() || path.back() == '/') return Error(-EISDIR, "PUT to a directory");
  Destination d;
  d.name = std::move(segments->back());
  segments->pop_back();
  Result<std::string> rel = resolve(*segments);
  if (!rel) return rel.error();
  d.dir.reset(open_beneath(fd_.get(), *rel, O_PATH | O_DIRECTORY));
  if (!d.dir.valid()) return errno_error(errno, "opening the directory");
  struct stat st {};
  if (::fstatat(d.dir.get(), d.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != ENOENT) return errno_error(errno, "fstatat");
    return d;
  }
  if (S_ISLNK(st.st_mode)) return Error(kHttpForbidden, "PUT onto a symbolic link");
  if (S_ISDIR(st.st_mode)) return Error(-EISDIR, "PUT onto a directory");
  if (!S_ISREG(st.st_mode)) return Error(kHttpForbidden, "PUT onto a special file");
  d.exists = true;
  return d;
}

}  // namespace avio::tools::serve
