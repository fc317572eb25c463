#include "entry_count.hpp"

#include <dirent.h>

namespace avio::tools::serve {

int count_entries(const char *path) {
  DIR *dir = ::opendir(path);
  if (!dir) return -1;
  int n = 0;
  while (const dirent *d = ::readdir(dir))
    if (d->d_name[0] != '.') ++n;
  ::closedir(dir);
  return n;
}

}  // namespace avio::tools::serve
