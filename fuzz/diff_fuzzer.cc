// libFuzzer target: the input bytes are decoded into a differential scenario
// (tests/diff/scenario.hpp: how the context is configured, then the ops),
// which runs on avio's C++ IOContext and on the installed libavformat side by
// side. Any difference in a return value, a public field or a callback call
// aborts with the report, so libFuzzer saves the input as a crash. A
// read-mode scenario then runs again on avio with FFmpeg's refills and with
// read-ahead (runner.hpp, run_read_ahead), which must agree on what the
// caller sees.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "runner.hpp"
#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Inputs stay small enough for many executions per second.
  const avio_diff::GenerateLimits limits{.min_ops = 0, .max_ops = 300, .max_data = 100000};
  const avio_diff::Scenario scenario = avio_diff::decode(std::span<const uint8_t>(data, size), limits);
  avio_diff::RunStats stats;
  const std::string failure = avio_diff::run_differential(scenario, stats);
  if (!failure.empty()) {
    std::fprintf(stderr, "avio_diff_fuzzer: avio and libavformat differ\n%s", failure.c_str());
    std::abort();
  }
  const std::string ahead = avio_diff::run_read_ahead(scenario, static_cast<int>(1 + size % 6), stats);
  if (!ahead.empty()) {
    std::fprintf(stderr, "avio_diff_fuzzer: read-ahead changes what the caller sees\n%s", ahead.c_str());
    std::abort();
  }
  return 0;
}
