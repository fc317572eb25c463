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

// Read-ahead (avio's C++ side only): runs a read-mode scenario on two avio
// C++ contexts, one with FFmpeg's refills (which run_differential holds to
// libavformat's) and one reading ahead up to buffer_size << doublings, and
// compares what the caller sees: every result and every byte read. What
// read-ahead changes on purpose is not compared: the backend's calls and the
// buffer's fields, and the scenario's faults that count those calls
// (zero_read_call, seek_fail_every) are left out; a read error is lasting
// (after a passing one FFmpeg reads on only through its large-read path, for
// as long as a read's remainder is large, which depends on how the calls
// before it were split). Not run either, because
// their results depend on how much is buffered, in FFmpeg as in avio: a
// read_partial (it returns what the buffer holds), a flush (on a reader it
// drops what is buffered and moves on to the backend's position), and a
// seek past the end of the data or past a read error (it reports the end or
// the error, or succeeds and leaves them to the next read). Other modes are
// not run (and not counted).
std::string run_read_ahead(const Scenario &scenario, int doublings, RunStats &stats);

}  // namespace avio_diff

#endif  // AVIO_TESTS_DIFF_RUNNER_HPP
