#include "runner.hpp"

#include <cstdint>

#include "side.hpp"

namespace avio_diff {

namespace {

std::string report(const Scenario &s, size_t index, const std::string &op, const Outcome &ref, const Outcome &av,
                   const std::string &what) {
  return "divergence at op " + std::to_string(index) + ": " + op + "\n  differs in: " + what +
         "\n  config: " + describe(s.config) + "\n  libavformat: " + describe(ref) +
         "\n  avio:        " + describe(av) + "\n";
}

}  // namespace

std::string run_differential(const Scenario &scenario, RunStats &stats) {
  const auto reference = make_c_api_side(scenario.config);
  const auto avio = make_cpp_side(scenario.config);
  ++stats.scenarios;
  for (size_t i = 0; i < scenario.ops.size(); ++i) {
    const Op &op = scenario.ops[i];
    if (excluded(scenario.config, op)) {
      ++stats.excluded;
      continue;
    }
    const Outcome ref = reference->run(op);
    const Outcome av = avio->run(op);
    ++stats.ops;
    ++stats.by_mode[static_cast<int>(scenario.config.mode)];
    const std::string what = compare(ref, av);
    if (!what.empty()) return report(scenario, i, describe(op), ref, av, what);
  }
  if (scenario.config.mode == Mode::kDynBuf) {
    // IOContext::close_dynamic_buffer pads after the end of the data where
    // avio_close_dyn_buf pads at the current position (docs/compat.md; the C
    // API keeps FFmpeg's way and diff.c_api_vs_libavformat compares it).
    // Move to the end first, so that both ways agree: in dynbuf mode a seek
    // is clamped to the furthest byte written.
    const Op to_end{.kind = OpKind::kSeek, .a = INT64_MAX, .b = 0};
    const Outcome ref = reference->run(to_end);
    const Outcome av = avio->run(to_end);
    const std::string what = compare(ref, av);
    if (!what.empty()) return report(scenario, scenario.ops.size(), "seek to the end before closing", ref, av, what);
  }
  const Outcome ref = reference->finish();
  const Outcome av = avio->finish();
  const std::string what = compare(ref, av);
  if (!what.empty()) return report(scenario, scenario.ops.size(), "finish (flush / close_dyn_buf)", ref, av, what);
  return {};
}

}  // namespace avio_diff
