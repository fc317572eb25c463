// ProgressBar: one self-rewriting status line on stderr while a long
// operation runs, like curl's or wget's.
//
// It draws only when enabled (the tool enables it when stderr is a terminal
// and --quiet is not given), at most about ten times a second, and always
// once more at finish() so the last line shows the final count. With a known
// total it shows a bar, the percentage, the bytes, the rate and the time
// left; without one, the bytes and the rate.
#ifndef AVIO_TOOLS_PROGRESS_BAR_HPP
#define AVIO_TOOLS_PROGRESS_BAR_HPP

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace avio::tools {

class ProgressBar {
 public:
  // total < 0: unknown.
  ProgressBar(bool enabled, std::string label, int64_t total, std::FILE *out = stderr);
  ~ProgressBar();
  ProgressBar(const ProgressBar &) = delete;
  ProgressBar &operator=(const ProgressBar &) = delete;

  void update(int64_t done);
  // Draws the final state and ends the line.
  void finish();
  // Clears the line (before an error message is printed).
  void clear();

  // "1.5 MiB" style.
  static std::string human_bytes(double bytes);
  // The line that would be drawn for `done` after `seconds`; for the tests.
  std::string render(int64_t done, double seconds) const;

 private:
  using Clock = std::chrono::steady_clock;
  void draw(int64_t done);

  bool enabled_;
  std::string label_;
  int64_t total_;
  std::FILE *out_;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
  int64_t done_ = 0;
  bool drawn_ = false;
  bool finished_ = false;
};

// True when stderr is a terminal (the condition for drawing a bar).
bool stderr_is_terminal();

}  // namespace avio::tools

#endif  // AVIO_TOOLS_PROGRESS_BAR_HPP
