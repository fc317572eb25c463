// The clients the remote benchmark compares, each reading one object over
// http in the same two ways: a read plan (ranges in offset order) and a
// sequential read in fixed-size requests. Every byte read is compared with
// the object's local copy, so no figure can come from a side that read
// something else (or nothing).
//
//   avio     avio::open_url (through the block cache, the default for http):
//            read_ranges (the plan handed over at once), seek + read per
//            range, read_at per range; read in requests for the sequential
//   lavf     libavformat's avio_open2 on http:// or cache:http://,
//            avio_seek + avio_read
//   gdal     GDAL's /vsicurl/ (VSIFSeekL + VSIFReadL, or the plan through
//            VSIFReadMultiRangeL), loaded at run time
#ifndef AVIO_BENCH_REMOTE_READERS_HPP
#define AVIO_BENCH_REMOTE_READERS_HPP

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace avio {
class IOContext;
}

namespace avio_bench {

struct PlanRange {
  int64_t offset = 0;
  size_t size = 0;
};

// What one pass of a side did, besides its time (the caller's clock) and
// what the proxy saw.
struct ReadOutcome {
  bool ok = false;
  std::string error;                     // why not ok: an error, or the first byte that differs
  int64_t bytes_read = 0;                // delivered to the caller
  std::map<std::string, int64_t> stats;  // avio's blockcache statistics (requests, cache_misses, ...)
  // The comparison of what was read with the truth, when it is left to the
  // caller to run once its clock has stopped (it costs the same whoever
  // read): an empty answer, or why not ok.
  std::function<std::string()> check;
};

// The read plan: every range into `dst` (sum of the sizes), one after the other.
// `options`: the blockcache's (block_size, max_connections, ...), beyond its defaults.
enum class AvioPlanMode { kReadRanges, kSeekRead, kReadAt };
using Options = std::vector<std::pair<std::string, std::string>>;
ReadOutcome avio_plan(const std::string &url, AvioPlanMode mode, std::span<const PlanRange> plan,
                      std::span<uint8_t> dst, std::span<const uint8_t> truth, const Options &options = {});
ReadOutcome lavf_plan(const std::string &url, std::span<const PlanRange> plan, std::span<uint8_t> dst,
                      std::span<const uint8_t> truth);
// `batch`: ranges per VSIFReadMultiRangeL call; 0 reads range by range (seek + read).
ReadOutcome gdal_plan(const std::string &url, int batch, std::span<const PlanRange> plan, std::span<uint8_t> dst,
                      std::span<const uint8_t> truth);

// The whole object from its start, `request` bytes per read.
// block_cache: OpenOptions::block_cache (false: avio's http as FFmpeg reads it).
ReadOutcome avio_sequential(const std::string &url, size_t request, std::span<const uint8_t> truth,
                            bool block_cache = true, const Options &options = {});
// Sets the bound of avio's block cache, which is the process's, by an open
// of `url` that names it (the only way a program sets it).
void avio_set_cache_size(const std::string &url, int64_t bytes);
ReadOutcome lavf_sequential(const std::string &url, size_t request, std::span<const uint8_t> truth);
ReadOutcome gdal_sequential(const std::string &url, size_t request, std::span<const uint8_t> truth);

// GDAL's release ("3.6.2"), or "" with the reason in *why when it cannot be loaded.
std::string gdal_version(std::string *why);

// avio's blockcache statistics (requests, connections, bytes_fetched,
// cache_hits, cache_misses, hole_limit, range_limit) of a context that reads
// through it; empty otherwise.
std::map<std::string, int64_t> blockcache_stats(avio::IOContext &ctx);

// Compares the plan's bytes in dst with the truth; "" when they agree.
std::string check_plan(std::span<const PlanRange> plan, std::span<const uint8_t> dst, std::span<const uint8_t> truth);

}  // namespace avio_bench

#endif  // AVIO_BENCH_REMOTE_READERS_HPP
