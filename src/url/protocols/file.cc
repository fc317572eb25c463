// file: a path on the local file system (FFmpeg's file.c semantics).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "builtins.hpp"
#include "fd_io.hpp"

namespace avio::protocols {

namespace {

constexpr OptionSpec kFileOptions[] = {
    {"truncate", OptionType::kBool, "1", 0, 1, "truncate existing files on write"},
    {"blocksize", OptionType::kInt, "2147483647", 1, INT_MAX, "set I/O operation maximum block size"},
    {"follow", OptionType::kInt, "0", 0, 1, "Follow a file as it is being written"},
    {"seekable", OptionType::kInt, "-1", -1, 0, "Sets if the file is seekable"},
};

DirEntryType type_of(mode_t m) {
  if (S_ISDIR(m)) return DirEntryType::kDirectory;
  if (S_ISFIFO(m)) return DirEntryType::kNamedPipe;
  if (S_ISCHR(m)) return DirEntryType::kCharacterDevice;
  if (S_ISBLK(m)) return DirEntryType::kBlockDevice;
  if (S_ISLNK(m)) return DirEntryType::kSymbolicLink;
  if (S_ISSOCK(m)) return DirEntryType::kSocket;
  if (S_ISREG(m)) return DirEntryType::kFile;
  return DirEntryType::kUnknown;
}

class FileProtocol final : public SeekableDescriptorProtocol {
 public:
  ~FileProtocol() override {
    if (dir_) closedir(dir_);
  }

  Status open(UrlContext &h, const OpenRequest &request) override {
    const int flags = request.flags;
    const std::string path(request.target);
    int access = O_RDONLY;
    if (flags & kOpenWrite) {
      access = ((flags & kOpenRead) ? O_RDWR : O_WRONLY) | O_CREAT;
      if (h.options().integer("truncate")) access |= O_TRUNC;
    }
    const int fd = ::open(path.c_str(), access | O_CLOEXEC, 0666);
    if (fd < 0) return errno_error(errno, "file: cannot open '" + path + "'");
    io_.reset(fd);
    struct stat st;
    streamed_ = fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
    // Larger writes help networked file systems (FFmpeg's 256 KiB).
    large_writes_ = !streamed_ && (flags & kOpenWrite);
    if (const int64_t seekable = h.options().integer("seekable"); seekable >= 0) streamed_ = seekable == 0;
    blocksize_ = static_cast<int>(h.options().integer("blocksize"));
    follow_ = h.options().integer("follow") != 0;
    return {};
  }

  StreamProperties stream_properties() const override {
    StreamProperties p;
    if (large_writes_) p.min_packet_size = p.max_packet_size = 262144;
    p.streamed = streamed_;
    p.confirm_seekable = true;    // ffurl_connect seeks files to 0
    p.concurrent_read_at = true;  // pread
    p.read_ahead = !streamed_;    // a regular file (or a device): pread of any size
    return p;
  }

  Result<int> check(UrlContext &h, int mask) override {
    const std::string path = std::string(h.target());
    if (::access(path.c_str(), F_OK) < 0) return errno_error(errno, "file: '" + path + "'");
    int ret = 0;
    if ((mask & kOpenRead) && ::access(path.c_str(), R_OK) >= 0) ret |= kOpenRead;
    if ((mask & kOpenWrite) && ::access(path.c_str(), W_OK) >= 0) ret |= kOpenWrite;
    return ret;
  }

  Status remove(UrlContext &h) override {
    const std::string path = std::string(h.target());
    int r = rmdir(path.c_str());
    if (r < 0 && errno == ENOTDIR) r = unlink(path.c_str());
    if (r < 0) return errno_error(errno, "file: cannot delete '" + path + "'");
    return {};
  }

  Status move(UrlContext &h, UrlContext &destination) override {
    const std::string from = std::string(h.target()), to = std::string(destination.target());
    if (rename(from.c_str(), to.c_str()) < 0)
      return errno_error(errno, "file: cannot move '" + from + "' to '" + to + "'");
    return {};
  }

  // Like FFmpeg, the listing uses the URL as given (a "file:" prefix is kept
  // and then fails); entries are lstat'ed, so links are reported as links.
  Status open_dir(UrlContext &h) override {
    dir_ = opendir(h.url().data());
    if (!dir_) return errno_error(errno, "file: cannot list '" + std::string(h.url()) + "'");
    return {};
  }

  Result<bool> read_dir(UrlContext &h, DirEntry &entry) override {
    if (!dir_) return Error::invalid_argument("file: the directory is not open");
    const dirent *d;
    do {
      errno = 0;
      d = readdir(dir_);
      if (!d) {
        if (errno) return errno_error(errno, "file: reading '" + std::string(h.url()) + "'");
        return false;
      }
    } while (!std::strcmp(d->d_name, ".") || !std::strcmp(d->d_name, ".."));
    entry = DirEntry{};
    entry.name = d->d_name;
    std::string full(h.url());
    if (!full.empty() && full.back() != '/') full += '/';
    full += d->d_name;
    struct stat st;
    if (lstat(full.c_str(), &st) == 0) {
      entry.type = type_of(st.st_mode);
      entry.group_id = st.st_gid;
      entry.user_id = st.st_uid;
      entry.size = st.st_size;
      entry.filemode = st.st_mode & 0777;
      entry.modification_timestamp = INT64_C(1000000) * st.st_mtime;
      entry.access_timestamp = INT64_C(1000000) * st.st_atime;
      entry.status_change_timestamp = INT64_C(1000000) * st.st_ctime;
    }
    return true;
  }

  Status close_dir(UrlContext &) override {
    if (dir_) closedir(dir_);
    dir_ = nullptr;
    return {};
  }

 private:
  DIR *dir_ = nullptr;  // listing: the URL's directory
  bool large_writes_ = false;
};

}  // namespace

ProtocolInfo file_protocol() {
  return ProtocolInfo::of<FileProtocol>("file", {.default_whitelist = "file,crypto,data", .options = kFileOptions});
}

}  // namespace avio::protocols
