#include "harness.hpp"

#include <benchmark/benchmark.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <regex>
#include <string_view>

namespace avio_bench {
namespace {

enum class Mode { kBenchmark, kVerify, kCallgrind, kOnce, kDescribe, kPrepare };

struct Options {
  Mode mode = Mode::kBenchmark;
  std::string once;  // "workload/side"
  std::string only = ".*";
  Config config;
};

bool take_flag(std::string_view arg, std::string_view name, std::string *value) {
  if (arg.substr(0, name.size()) != name || arg.size() <= name.size() || arg[name.size()] != '=') return false;
  *value = std::string(arg.substr(name.size() + 1));
  return true;
}

// The flags that set a size or a path of the Config.
bool take_config_flag(std::string_view arg, Config &c) {
  const struct {
    const char *name;
    int64_t *value;
    int shift;  // MiB flags: 20
  } numbers[] = {
      {"--memory_mib", &c.memory_bytes, 20},         {"--seek_ops", &c.seek_ops, 0},
      {"--read_file_mib", &c.read_file_bytes, 20},   {"--seek_file_mib", &c.seek_file_bytes, 20},
      {"--write_file_mib", &c.write_file_bytes, 20}, {"--http_file_mib", &c.http_file_bytes, 20},
      {"--http_seek_ops", &c.http_seek_ops, 0},
  };
  const struct {
    const char *name;
    std::string *value;
  } paths[] = {{"--read_file", &c.read_file},
               {"--seek_file", &c.seek_file},
               {"--write_file", &c.write_file},
               {"--http_file", &c.http_file}};
  std::string v;
  for (const auto &n : numbers) {
    if (!take_flag(arg, n.name, &v)) continue;
    *n.value = std::atoll(v.c_str()) << n.shift;
    return true;
  }
  for (const auto &p : paths) {
    if (!take_flag(arg, p.name, &v)) continue;
    *p.value = v;
    return true;
  }
  return false;
}

// Removes the harness's flags from argv (leaving Google Benchmark's).
Options parse(int &argc, char **argv) {
  Options o;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string v;
    if (arg == "--verify") {
      o.mode = Mode::kVerify;
    } else if (arg == "--callgrind") {
      o.mode = Mode::kCallgrind;
    } else if (arg == "--describe") {
      o.mode = Mode::kDescribe;
    } else if (arg == "--prepare") {
      o.mode = Mode::kPrepare;
    } else if (take_flag(arg, "--once", &v)) {
      o.mode = Mode::kOnce;
      o.once = v;
    } else if (take_flag(arg, "--only", &v)) {
      o.only = v;
    } else if (!take_config_flag(arg, o.config)) {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return o;
}

std::string json_string(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// strace shows these as write(-1, "avio-bench:begin", 16) = -1 EBADF.
void marker(const char *text) { syscall(SYS_write, -1, text, std::strlen(text)); }

bool set_up(Workload &w) {
  if (!w.setup) return true;
  const std::string why = w.setup();
  if (why.empty()) return true;
  std::fprintf(stderr, "%s: setup failed: %s\n", w.name.c_str(), why.c_str());
  return false;
}

// {"avio_rs64k": "request_size=65536"}: what each variant side changes.
std::string variants_json(const Workload &w) {
  std::string out;
  for (const Side &s : w.sides) {
    if (s.variant.empty()) continue;
    out += (out.empty() ? "" : ", ") + json_string(s.name) + ": " + json_string(s.variant);
  }
  return "{" + out + "}";
}

int describe(const std::vector<Workload> &workloads) {
  std::printf("[\n");
  for (size_t i = 0; i < workloads.size(); ++i) {
    const Workload &w = workloads[i];
    std::string sides;
    for (const Side &s : w.sides) sides += (sides.empty() ? "" : ", ") + json_string(s.name);
    std::printf("  {\"name\": %s, \"description\": %s, \"op\": %s, \"ops_per_pass\": %" PRId64
                ", \"bytes_per_pass\": %" PRId64
                ", \"target\": %g, \"note\": %s, \"sides\": [%s], \"variants\": %s}%s\n",
                json_string(w.name).c_str(), json_string(w.description).c_str(), json_string(w.op).c_str(),
                w.ops_per_pass, w.bytes_per_pass, w.target, json_string(w.note).c_str(), sides.c_str(),
                variants_json(w).c_str(), i + 1 < workloads.size() ? "," : "");
  }
  std::printf("]\n");
  return 0;
}

// ", \"requests\": 3, ..." for a side with counters, else "".
std::string counters_json(const Side &s) {
  if (!s.counters) return {};
  std::string out;
  for (const auto &[name, value] : s.counters()) {
    char number[32];
    std::snprintf(number, sizeof number, "%.17g", value);
    out += ", " + json_string(name) + ": " + number;
  }
  return out;
}

int verify(std::vector<Workload> &workloads) {
  int status = 0;
  for (Workload &w : workloads) {
    if (!set_up(w)) return 1;
    std::map<uint64_t, std::string> seen;
    for (const Side &s : w.sides) {
      const uint64_t sum = s.pass(true);
      seen.emplace(sum, s.name);
      std::printf("{\"workload\": %s, \"side\": %s, \"checksum\": \"%016" PRIx64 "\"%s}\n", json_string(w.name).c_str(),
                  json_string(s.name).c_str(), sum, counters_json(s).c_str());
    }
    if (seen.size() > 1) {
      std::fprintf(stderr, "%s: the sides disagree on what they read or wrote\n", w.name.c_str());
      status = 1;
    }
  }
  std::fflush(stdout);
  return status;
}

int callgrind(std::vector<Workload> &workloads) {
  for (Workload &w : workloads) {
    if (!set_up(w)) return 1;
    for (const Side &s : w.sides) {
      const std::string label = w.name + "/" + s.name;
      CALLGRIND_ZERO_STATS;
      const uint64_t sum = s.pass(false);
      CALLGRIND_DUMP_STATS_AT(label.c_str());
      benchmark::DoNotOptimize(sum);
    }
  }
  return 0;
}

int once(std::vector<Workload> &workloads, const std::string &which) {
  for (Workload &w : workloads) {
    for (const Side &s : w.sides) {
      if (w.name + "/" + s.name != which) continue;
      if (!set_up(w)) return 1;
      marker("avio-bench:begin");
      const uint64_t sum = s.pass(false);
      marker("avio-bench:end");
      std::printf("%016" PRIx64 "\n", sum);
      return 0;
    }
  }
  std::fprintf(stderr, "--once=%s: no such workload/side\n", which.c_str());
  return 2;
}

int benchmarks(std::vector<Workload> &workloads, int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  for (Workload &w : workloads) {
    // Set up on first use, outside the timed loop: a workload that the
    // benchmark filter skips never creates its files.
    auto ready = std::make_shared<int>(0);  // 0 not yet, 1 ready, -1 failed
    Workload *workload = &w;
    for (const Side &s : w.sides) {
      const std::string name = w.name + "/" + s.name;
      const Pass pass = s.pass;
      const Counters counters = s.counters;
      benchmark::RegisterBenchmark(name.c_str(),
                                   [pass, counters, workload, ready](benchmark::State &state) {
                                     if (*ready == 0) *ready = set_up(*workload) ? 1 : -1;
                                     if (*ready < 0) {
                                       state.SkipWithError("setup failed");
                                       return;
                                     }
                                     for (auto _ : state) benchmark::DoNotOptimize(pass(false));
                                     state.SetBytesProcessed(state.iterations() * workload->bytes_per_pass);
                                     state.counters["ops_per_pass"] = static_cast<double>(workload->ops_per_pass);
                                     // The last pass's, outside the timed loop.
                                     if (counters)
                                       for (const auto &[key, value] : counters()) state.counters[key] = value;
                                   })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace

int run_main(int argc, char **argv, const RegisterFn &register_workloads) {
  Options o = parse(argc, argv);
  std::vector<Workload> all;
  register_workloads(all, o.config);
  std::vector<Workload> workloads;
  const std::regex only(o.only);
  for (Workload &w : all)
    if (std::regex_search(w.name, only)) workloads.push_back(std::move(w));
  switch (o.mode) {
    case Mode::kDescribe: return describe(workloads);
    case Mode::kPrepare:
      for (Workload &w : workloads)
        if (!set_up(w)) return 1;
      return 0;
    case Mode::kVerify: return verify(workloads);
    case Mode::kCallgrind: return callgrind(workloads);
    case Mode::kOnce: return once(workloads, o.once);
    case Mode::kBenchmark: return benchmarks(workloads, argc, argv);
  }
  return 2;
}

}  // namespace avio_bench
