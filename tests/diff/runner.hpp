// Runs one scenario on libavformat and on avio's C++ IOContext, op by op,
// and reports the first op on which they disagree.
#ifndef AVIO_TESTS_DIFF_RUNNER_HPP
#define AVIO_TESTS_DIFF_RUNNER_HPP

#include <cstdint>
#include <string>

#include "scenario.hpp"

namespace avio_diff {

struct RunStats {
  int64_t scenarios = 0;
  int64_t ops = 0;       // compared
  int64_t excluded = 0;  // skipped by excluded()
  int64_t by_mode[kModes] = {};
};

// Empty when both implementations agree on every op; else a report naming
// the op index, the op, the configuration and both outcomes.
std::string run_differential(const Scenario &scenario, RunStats &stats);

}  // namespace avio_diff

#endif  // AVIO_TESTS_DIFF_RUNNER_HPP
