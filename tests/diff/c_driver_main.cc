// avio_diff_cdriver: runs seeded scenarios through the FFmpeg C API and
// prints one digest line per seed (or, with --trace, every outcome).
//
// Built twice from the same source: against the installed libavformat and
// against avio's C API (avio_c through its <libavformat/avio.h> compat
// header). The two programs cannot share a process, since avio_c exports
// FFmpeg's symbol names, so ctest runs both and compares their output
// (compare_outputs.cmake): equal text means equal return values, fields and
// callback calls for every op.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "side.hpp"

int main(int argc, char **argv) {
  uint64_t first = 1, seeds = 1000;
  bool trace = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--trace")) {
      trace = true;
    } else if (i + 1 < argc && !std::strcmp(argv[i], "--seeds")) {
      seeds = std::strtoull(argv[++i], nullptr, 0);
    } else if (i + 1 < argc && !std::strcmp(argv[i], "--first")) {
      first = std::strtoull(argv[++i], nullptr, 0);
    } else {
      std::fprintf(stderr, "usage: %s [--seeds N] [--first S] [--trace]\n", argv[0]);
      return 2;
    }
  }
  long long total = 0;
  for (uint64_t seed = first; seed < first + seeds; ++seed) {
    const avio_diff::Scenario s = avio_diff::generate(seed);
    const auto side = avio_diff::make_c_api_side(s.config);
    uint64_t h = 0xcbf29ce484222325ull;
    long long ops = 0;
    for (size_t i = 0; i < s.ops.size(); ++i) {
      if (avio_diff::excluded(s.config, s.ops[i])) continue;
      const avio_diff::Outcome o = side->run(s.ops[i]);
      h = avio_diff::digest(o, h);
      ++ops;
      if (trace)
        std::printf("%llu/%zu %s -> %s\n", static_cast<unsigned long long>(seed), i,
                    avio_diff::describe(s.ops[i]).c_str(), avio_diff::describe(o).c_str());
    }
    const avio_diff::Outcome end = side->finish();
    h = avio_diff::digest(end, h);
    if (trace) std::printf("%llu/end -> %s\n", static_cast<unsigned long long>(seed), avio_diff::describe(end).c_str());
    std::printf("seed %llu %s ops %lld digest %016llx\n", static_cast<unsigned long long>(seed),
                avio_diff::mode_name(s.config.mode), ops, static_cast<unsigned long long>(h));
    total += ops;
  }
  std::printf("total ops %lld\n", total);
  return 0;
}
