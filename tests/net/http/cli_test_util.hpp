// Helpers of the tests that run the avio CLI against a real server (the
// http and s3 CLI tests): local files, what `avio stat` prints, where a box
// sits in an MP4, and a failed command's story.
#ifndef AVIO_TESTS_NET_HTTP_CLI_TEST_UTIL_HPP
#define AVIO_TESTS_NET_HTTP_CLI_TEST_UTIL_HPP

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nginx_fixture.hpp"
#include "random_bytes.hpp"

namespace avio_http_test {

inline std::string text_of(const std::vector<uint8_t> &v) { return {v.begin(), v.end()}; }

inline std::string read_local(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_local(const std::filesystem::path &path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A line of `avio stat`: "name:" padded to 18 columns, a space, the value.
inline std::string stat_line(const std::string &name, const std::string &value) {
  std::string line = name + ":";
  line.resize(18, ' ');
  return "\n" + line + " " + value + "\n";
}

// What a failed command said, for a failure message.
inline std::string describe(const CommandResult &r) {
  return "exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") + ", stderr: " + r.err;
}

// The offset of the first top-level MP4 box of `type`, or nullopt.
inline std::optional<size_t> top_level_box(const std::string &mp4, std::string_view type) {
  size_t pos = 0;
  while (pos + 8 <= mp4.size()) {
    uint64_t size = 0;
    for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<uint8_t>(mp4[pos + i]);
    if (size == 1 && pos + 16 <= mp4.size()) {  // a 64-bit size follows the type
      size = 0;
      for (int i = 8; i < 16; ++i) size = (size << 8) | static_cast<uint8_t>(mp4[pos + i]);
    }
    if (mp4.compare(pos + 4, 4, type) == 0) return pos;
    if (size < 8) return std::nullopt;  // 0 ("to the end") or malformed: no further box
    pos += size;
  }
  return std::nullopt;
}

}  // namespace avio_http_test

#endif  // AVIO_TESTS_NET_HTTP_CLI_TEST_UTIL_HPP
