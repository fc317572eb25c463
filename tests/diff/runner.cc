#include "runner.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "side.hpp"

namespace avio_diff {

namespace {

std::string report(const Scenario &s, size_t index, const std::string &op, const Outcome &ref, const Outcome &av,
                   const std::string &what,
                   const char *ref_name = "libavformat:", const char *av_name = "avio:       ") {
  return "divergence at op " + std::to_string(index) + ": " + op + "\n  differs in: " + what +
         "\n  config: " + describe(s.config) + "\n  " + ref_name + " " + describe(ref) + "\n  " + av_name + " " +
         describe(av) + "\n";
}

bool is_read_mode(Mode m) { return m == Mode::kRawRead || m == Mode::kTypedRead; }

int64_t tell_of(const Fields &f) { return f.pos - f.buf_end + f.buf_ptr; }

}  // namespace

std::string run_read_ahead(const Scenario &scenario, int doublings, RunStats &stats) {
  if (!is_read_mode(scenario.config.mode)) return {};
  Scenario fixed = scenario;
  Config &config = fixed.config;
  config.zero_read_call = -1;
  config.seek_fail_every = 0;
  config.error_once = false;
  Config ahead = config;
  ahead.read_ahead_max = int64_t{config.buffer_size} << doublings;
  const auto reference = make_cpp_side(config);
  const auto avio = make_cpp_side(ahead);
  const Scenario reported{.config = ahead, .ops = {}};  // names the read-ahead in a report
  ++stats.scenarios;
  int64_t limit = static_cast<int64_t>(config.data.size());
  if (config.error_pos >= 0) limit = std::min(limit, config.error_pos);

  const auto differs = [](const Outcome &a, const Outcome &b) { return a.ret != b.ret || a.data != b.data; };
  const Op tell{.kind = OpKind::kTell};
  Outcome ref = reference->run(tell);
  Outcome av = avio->run(tell);
  constexpr const char *kFixed = "fixed refills:", *kAhead = "read-ahead:   ";
  if (differs(ref, av)) return report(reported, 0, "tell at the start", ref, av, "ret", kFixed, kAhead);
  for (size_t i = 0; i < fixed.ops.size(); ++i) {
    Op op = fixed.ops[i];
    // A partial read returns what is buffered, and a flush of a reader drops
    // it (the position moves on to the backend's): both go by the buffer.
    if (excluded(config, op) || op.kind == OpKind::kReadPartial || op.kind == OpKind::kFlush) {
      ++stats.excluded;
      continue;
    }
    // A seek relative to the buffer goes where the reference's buffer says.
    const Fields &f = ref.fields;
    if (op.kind == OpKind::kSeekBufRel)
      op = {.kind = OpKind::kSeek,
            .a = buffer_relative_target(false, f.pos, f.buf_end, std::max(f.buf_ptr, f.buf_ptr_max), op.a, op.b),
            .b = SEEK_SET};
    if (op.kind == OpKind::kSeek && !(op.b & kAvseekSize)) {
      const int whence = static_cast<int>(op.b & ~kAvseekForce);
      const int64_t here = tell_of(f);
      const bool past = (whence == SEEK_SET && op.a > limit) || (whence == SEEK_CUR && op.a > limit - here);
      if (past) {
        ++stats.excluded;
        continue;
      }
    }
    ref = reference->run(op);
    av = avio->run(op);
    ++stats.ops;
    ++stats.by_mode[static_cast<int>(config.mode)];
    if (differs(ref, av))
      return report(reported, i, describe(op), ref, av, ref.ret != av.ret ? "ret" : "data (bytes read)", kFixed,
                    kAhead);
  }
  return {};
}

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
