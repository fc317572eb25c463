// The benchmark harness shared by every bench program.
//
// A `Workload` is one thing a user does with a buffered context (read a file
// byte by byte, write 4 KiB chunks, ...), run by two or more `Side`s: avio,
// libavformat, and sometimes a baseline such as a plain memcpy. Every side of
// a workload does the same operations on the same data and returns the same
// checksum, which `--verify` checks before anything is timed, so that a
// figure can never come from a side that skipped work.
//
// A program built on the harness runs in one of these modes:
//   (default)          Google Benchmark, one benchmark per workload and side,
//                      named "workload/side"; Google Benchmark flags pass through.
//   --verify           one pass of every side with a full checksum; prints one
//                      JSON object per line and fails if the sides disagree.
//   --callgrind        one pass of every side, each bracketed by callgrind's
//                      zero/dump client requests (run it under
//                      `valgrind --tool=callgrind`), so that each dump holds
//                      the instructions of exactly one pass.
//   --once=W/S         one pass of workload W on side S, bracketed by two
//                      marker system calls, for strace to count what lies between.
//   --describe         the workloads as a JSON array (for bench/report.py).
//   --prepare          only the workloads' setup (makes their files), so that
//                      a later run under valgrind does not have to.
// --only=REGEX limits the non-benchmark modes to matching workload names.
// Sizes and files come from flags (`--memory_mib`, `--read_file`, ...), see `Config`.
#ifndef AVIO_BENCH_HARNESS_HARNESS_HPP
#define AVIO_BENCH_HARNESS_HARNESS_HPP

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace avio_bench {

struct Config {
  int64_t memory_bytes = int64_t{64} << 20;  // in-memory stream workloads
  int64_t seek_ops = 1'000'000;              // random seek workloads
  // File workloads run only when bench/run names their files.
  std::string read_file;  // sequential read
  int64_t read_file_bytes = int64_t{512} << 20;
  std::string seek_file;  // seek-heavy parse
  int64_t seek_file_bytes = int64_t{64} << 20;
  std::string write_file;  // sequential write (created, then removed)
  int64_t write_file_bytes = int64_t{64} << 20;
  // The http workloads run only when bench/run names their file (served by
  // a private nginx).
  std::string http_file;
  int64_t http_file_bytes = int64_t{256} << 20;
  int64_t http_seek_ops = 10'000;  // random 4 KiB reads over http
};

// One pass of a workload on one side. With `verify`, the returned checksum
// covers every byte read or written; without, it may cover less (it must
// still depend on the work, so that nothing is optimised away).
using Pass = std::function<uint64_t(bool verify)>;

// What the last pass of a side did beyond its bytes, as named numbers (the
// requests, connections and bytes a server saw): Google Benchmark's counters
// in a timed run, fields of --verify's output.
using Counters = std::function<std::vector<std::pair<std::string, double>>()>;

struct Side {
  std::string name;  // "avio", "lavf", "memcpy"; "avio_X": avio with other options (a variant)
  Pass pass;
  std::string variant;  // for a variant, what differs: "request_size=65536"
  Counters counters;    // optional
};

struct Workload {
  std::string name;         // short, stable, used in file names: "rl32"
  std::string description;  // what the table shows: "rl32 over 64 MiB from a memory read callback"
  std::string op;           // what one operation is: "rl32 call"
  int64_t ops_per_pass = 0;
  int64_t bytes_per_pass = 0;
  double target = 1.0;  // libavformat time / avio time must reach this
  std::string note;     // anything the table must say (e.g. a substitute backend)
  // Runs once before the first pass in any mode (creates files); returns an
  // empty string, or what went wrong.
  std::function<std::string()> setup;
  std::vector<Side> sides;
};

using RegisterFn = std::function<void(std::vector<Workload> &, const Config &)>;

// Parses the harness's own flags, registers the workloads and runs the mode.
int run_main(int argc, char **argv, const RegisterFn &register_workloads);

}  // namespace avio_bench

#endif  // AVIO_BENCH_HARNESS_HARNESS_HPP
