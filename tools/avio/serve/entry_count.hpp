// How many entries a directory holds: avio serve counts its own descriptors
// and threads (/proc/self/fd, /proc/self/task) to prove a stop left nothing
// behind, and its tests count the server's from outside (/proc/PID/...).
#ifndef AVIO_TOOLS_SERVE_ENTRY_COUNT_HPP
#define AVIO_TOOLS_SERVE_ENTRY_COUNT_HPP

namespace avio::tools::serve {

// The entries of directory `path` whose names do not start with '.'; -1
// when it cannot be opened.
int count_entries(const char *path);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_ENTRY_COUNT_HPP
