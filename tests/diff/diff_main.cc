// avio_diff: runs seeded random scenarios on libavformat and on avio and
// fails on the first op where they differ.
//
//   avio_diff [--seeds N] [--first S] [--seed S] [--max-ops M] [--min-total N] [--read-ahead 1]
//
// --read-ahead 1 runs the read-mode scenarios on avio alone instead: FFmpeg's
// refills against read-ahead (up to the buffer size times 2 to 64, by seed),
// comparing what the caller sees (runner.hpp, run_read_ahead).
// --min-total N fails unless at least N ops were compared (so that ctest
// proves the volume it claims).
// --seed S reruns one scenario (what a failure report names).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runner.hpp"

int main(int argc, char **argv) {
  uint64_t first = 1, seeds = 10000, min_total = 0;
  bool read_ahead = false;
  avio_diff::GenerateLimits limits;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *flag = argv[i];
    const unsigned long long v = std::strtoull(argv[i + 1], nullptr, 0);
    if (!std::strcmp(flag, "--seeds")) {
      seeds = v;
    } else if (!std::strcmp(flag, "--first")) {
      first = v;
    } else if (!std::strcmp(flag, "--seed")) {
      first = v;
      seeds = 1;
    } else if (!std::strcmp(flag, "--min-total")) {
      min_total = v;
    } else if (!std::strcmp(flag, "--max-ops")) {
      limits.max_ops = static_cast<int>(v);
    } else if (!std::strcmp(flag, "--read-ahead")) {
      read_ahead = v != 0;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--seeds N] [--first S] [--seed S] [--max-ops M] [--min-total N] "
                   "[--read-ahead 1]\n",
                   argv[0]);
      return 2;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  avio_diff::RunStats stats;
  for (uint64_t seed = first; seed < first + seeds; ++seed) {
    const avio_diff::Scenario scenario = avio_diff::generate(seed, limits);
    const std::string failure = read_ahead ? avio_diff::run_read_ahead(scenario, static_cast<int>(1 + seed % 6), stats)
                                           : avio_diff::run_differential(scenario, stats);
    if (!failure.empty()) {
      std::printf("FAIL seed %llu (rerun: %s --seed %llu%s)\n%s", static_cast<unsigned long long>(seed), argv[0],
                  static_cast<unsigned long long>(seed), read_ahead ? " --read-ahead 1" : "", failure.c_str());
      return 1;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("avio_diff: %lld scenarios, %lld ops compared, %lld excluded, 0 divergences (%.1f s)\n",
              static_cast<long long>(stats.scenarios), static_cast<long long>(stats.ops),
              static_cast<long long>(stats.excluded), secs);
  std::printf("  ops by mode:");
  for (int m = 0; m < avio_diff::kModes; ++m)
    std::printf(" %s=%lld", avio_diff::mode_name(static_cast<avio_diff::Mode>(m)),
                static_cast<long long>(stats.by_mode[m]));
  std::printf("\n");
  if (static_cast<uint64_t>(stats.ops) < min_total) {
    std::printf("FAIL: only %lld ops compared, expected at least %llu\n", static_cast<long long>(stats.ops),
                static_cast<unsigned long long>(min_total));
    return 1;
  }
  return 0;
}
