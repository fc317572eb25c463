// The directory `avio serve` serves, and the only way a request path becomes
// a file: never one outside it.
//
// A decoded request path (decode_request_path: no NUL, no encoded slash) is
// split into segments: ".." is refused outright (403), "." and empty segments
// are dropped, so "//etc/passwd" names etc/passwd inside the root. The
// result is resolved with realpath(3) and must be the root's real path or
// below it: a symbolic link may lead anywhere inside the root, never out of
// it (403). The file is then opened relative to the root's descriptor with
// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) on the resolved path, so a
// link swapped in after the check is refused as well (on kernels without
// openat2, openat with O_NOFOLLOW guards the last component only).
//
// Thread-safety: const members may be called from any thread.
#ifndef AVIO_TOOLS_SERVE_DOCUMENT_ROOT_HPP
#define AVIO_TOOLS_SERVE_DOCUMENT_ROOT_HPP

#include <sys/stat.h>

#include <string>
#include <string_view>
#include <vector>

#include "avio/error.hpp"
#include "unique_fd.hpp"

namespace avio::tools::serve {

// The segments of a decoded path, without empty and "." ones; a ".." is an
// error (kHttpForbidden).
Result<std::vector<std::string>> path_segments(std::string_view path);

class DocumentRoot {
 public:
  // `dir` must be a directory.
  static Result<DocumentRoot> open(const std::string &dir);

  const std::string &real_path() const { return real_; }

  struct Opened {
    UniqueFd fd;
    struct stat st {};
  };
  // GET and HEAD: a regular file or a directory, open for reading. Errors:
  // -ENOENT / -ENOTDIR (404), kHttpForbidden / -EACCES / -ELOOP (403).
  Result<Opened> open_for_read(std::string_view path) const;

  struct Destination {
    UniqueFd dir;      // where the file goes (O_PATH)
    std::string name;  // its name there
    bool exists = false;
  };
  // PUT: the directory, resolved as above, and the name. Refused: a path
  // ending in '/' or naming a directory (-EISDIR), a symbolic link or a
  // special file (kHttpForbidden); a missing directory is -ENOENT.
  Result<Destination> open_for_write(std::string_view path) const;

 private:
  DocumentRoot(std::string real, UniqueFd fd) : real_(std::move(real)), fd_(std::move(fd)) {}
  // The real path of `segments` below the root, relative to it ("." for the
  // root itself).
  Result<std::string> resolve(const std::vector<std::string> &segments) const;
  bool contains(const std::string &real) const;

  std::string real_;
  UniqueFd fd_;  // O_PATH
};

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_DOCUMENT_ROOT_HPP
