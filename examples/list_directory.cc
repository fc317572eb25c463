// Listing a directory through a URL (FFmpeg's avio_list_dir example).
//
//   list_directory [URL]     the current directory by default
//
// avio::Directory is avio_open_dir / avio_read_dir / avio_close_dir: "." and
// ".." are skipped, a symbolic link is reported as a link (the file protocol
// uses lstat), and a protocol that cannot list gives -ENOSYS.
#include <cstdio>
#include <optional>

#include "avio/url.hpp"

static const char *type_name(avio::DirEntryType type) {
  switch (type) {
    case avio::DirEntryType::kDirectory: return "DIR";
    case avio::DirEntryType::kFile: return "FILE";
    case avio::DirEntryType::kSymbolicLink: return "LINK";
    case avio::DirEntryType::kNamedPipe: return "PIPE";
    case avio::DirEntryType::kSocket: return "SOCKET";
    case avio::DirEntryType::kBlockDevice: return "BLOCK DEVICE";
    case avio::DirEntryType::kCharacterDevice: return "CHARACTER DEVICE";
    default: return "UNKNOWN";
  }
}

int main(int argc, char **argv) {
  const char *url = argc > 1 ? argv[1] : ".";
  avio::Result<avio::Directory> dir = avio::Directory::open(url);
  if (!dir) {
    std::fprintf(stderr, "list_directory: %s: %s\n", url, dir.error().message().c_str());
    return 1;
  }
  std::printf("%-16s %12s %6s  %s\n", "TYPE", "SIZE", "MODE", "NAME");
  for (;;) {
    avio::Result<std::optional<avio::DirEntry>> entry = dir->next();
    if (!entry) {
      std::fprintf(stderr, "list_directory: %s: %s\n", url, entry.error().message().c_str());
      return 1;
    }
    const std::optional<avio::DirEntry> &next = *entry;
    if (!next) break;  // the end of the listing
    const avio::DirEntry &e = *next;
    if (e.filemode >= 0)
      std::printf("%-16s %12lld %6llo  %s\n", type_name(e.type), static_cast<long long>(e.size),
                  static_cast<long long>(e.filemode & 0777), e.name.c_str());
    else
      std::printf("%-16s %12lld %6s  %s\n", type_name(e.type), static_cast<long long>(e.size), "???", e.name.c_str());
  }
  return dir->close() ? 0 : 1;
}
