#include "directory_index.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <vector>

namespace avio::tools::serve {

namespace {

struct DirCloser {
  void operator()(DIR *d) const { ::closedir(d); }
};

struct Entry {
  std::string name;
  bool directory = false;
};

// The entries of the directory open at `fd` (at most kMaxEntries + 1, so
// that the page can say there were more).
Result<std::vector<Entry>> read_entries(int fd) {
  const int own = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (own < 0) return Error(-errno, "opening the directory");
  std::unique_ptr<DIR, DirCloser> dir(::fdopendir(own));
  if (!dir) {
    const int e = errno;
    ::close(own);
    return Error(-e, "reading the directory");
  }
  std::vector<Entry> entries;
  while (entries.size() <= kMaxEntries) {
    errno = 0;
    const dirent *d = ::readdir(dir.get());
    if (!d) {
      if (errno != 0) return Error(-errno, "reading the directory");
      break;
    }
    if (d->d_name[0] == '.') continue;
    struct stat st {};
    const bool directory = ::fstatat(own, d->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
    entries.push_back({d->d_name, directory});
  }
  return entries;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string percent_encode(std::string_view segment) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : segment) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
                            u == '.' || u == '_' || u == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

Result<std::string> directory_index(int fd, std::string_view path) {
  Result<std::vector<Entry>> entries = read_entries(fd);
  if (!entries) return entries.error();
  const bool truncated = entries->size() > kMaxEntries;
  if (truncated) entries->resize(kMaxEntries);
  std::sort(entries->begin(), entries->end(), [](const Entry &a, const Entry &b) { return a.name < b.name; });
  const std::string title = "Index of " + html_escape(path);
  std::string page = "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>" + title +
                     "</title></head>\n<body>\n<h1>" + title + "</h1>\n<ul>\n";
  if (path != "/") page += "<li><a href=\"../\">../</a></li>\n";
  for (const Entry &e : *entries) {
    const std::string slash = e.directory ? "/" : "";
    page.append("<li><a href=\"").append(percent_encode(e.name)).append(slash).append("\">");
    page.append(html_escape(e.name)).append(slash).append("</a></li>\n");
  }
  page += "</ul>\n";
  if (truncated) page += "<p>Only the first " + std::to_string(kMaxEntries) + " entries are listed.</p>\n";
  page += "</body>\n</html>\n";
  return page;
}

}  // namespace avio::tools::serve
