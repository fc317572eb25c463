#include "progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace avio::tools {

namespace {

constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(seconds, 0.0)));
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
  return text;
}

}  // namespace

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

ProgressBar::ProgressBar(bool enabled, std::string label, int64_t total, std::FILE *out)
    : enabled_(enabled), label_(std::move(label)), total_(total), out_(out), start_(Clock::now()) {}

ProgressBar::~ProgressBar() { clear(); }

std::string ProgressBar::human_bytes(double bytes) {
  static const char *const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  if (unit == 0)
    std::snprintf(text, sizeof text, "%.0f B", bytes);
  else
    std::snprintf(text, sizeof text, "%.1f %s", bytes, kUnits[unit]);
  return text;
}

std::string ProgressBar::render(int64_t done, double seconds) const {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string line = label_.empty() ? std::string() : label_ + " ";
  if (total_ > 0) {
    const double fraction = std::clamp(static_cast<double>(done) / static_cast<double>(total_), 0.0, 1.0);
    const int filled = static_cast<int>(fraction * kBarWidth);
    line += '[';
    for (int i = 0; i < kBarWidth; ++i) line += i < filled ? '=' : (i == filled ? '>' : ' ');
    char pct[16];
    std::snprintf(pct, sizeof pct, "] %3d%% ", static_cast<int>(fraction * 100));
    line += pct;
    line += human_bytes(static_cast<double>(done)) + " / " + human_bytes(static_cast<double>(total_));
  } else {
    line += human_bytes(static_cast<double>(done));
  }
  line += "  " + human_bytes(rate) + "/s";
  if (total_ > 0) {
    if (done >= total_)
      line += "  in " + clock_text(seconds);
    else if (rate > 0)
      line += "  ETA " + clock_text(static_cast<double>(total_ - done) / rate);
    else
      line += "  ETA --:--";
  }
  return line;
}

void ProgressBar::draw(int64_t done) {
  const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  // "\r" returns to the start of the line, "\33[K" erases what a longer
  // previous line left behind.
  std::fprintf(out_, "\r%s\33[K", render(done, seconds).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::update(int64_t done) {
  done_ = done;
  if (!enabled_ || finished_) return;
  const auto now = Clock::now();
  if (drawn_ && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  draw(done);
}

void ProgressBar::finish() {
  if (!enabled_ || finished_) return;
  draw(done_);
  std::fputc('\n', out_);
  std::fflush(out_);
  finished_ = true;
}

void ProgressBar::clear() {
  if (!enabled_ || finished_ || !drawn_) return;
  std::fputs("\r\33[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace avio::tools
