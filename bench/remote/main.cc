// avio_bench_remote: remote reads through avio's block cache against
// libavformat, the ffmpeg command-line tool and GDAL's /vsicurl/ (issue 14).
//
// A private nginx (the http tests' fixture) serves the files; every client
// reads them through the shaping proxy of the http tests (fault_proxy), which
// adds a first-byte latency to every response and caps each connection's
// bandwidth, and counts the requests, connections and bytes it forwards. The
// sides run one after the other through the same proxy, on the same files,
// in one run. Scenarios (--scenario, one per process in bench/run):
//
//   demux       a poorly interleaved MP4 (moov at the end, audio and video in
//               chunks seconds apart) decoded to PCM by `avio decode-audio`
//               and by `ffmpeg -i URL -vn -f s16le`: the PCM must be identical
//   plan        a read plan of ranges with gaps over a large object: avio with
//               and without the plan handed over, libavformat's http and
//               cache:http, GDAL range by range and through ReadMultiRange
//   sequential  the object start to end in 4 KiB and 1 MiB requests, by avio,
//               libavformat and GDAL, with the bandwidth cap and without
//   threads     8 threads read_at on one avio object: right bytes, each block
//               fetched once, peak heap within the cache's bound
//
// Prints a markdown table per scenario and condition, and writes the figures
// (and the tables) as JSON for bench/report.py (--json).
#include <malloc.h>
#include <sys/resource.h>

extern "C" {
#include <libavutil/log.h>
}

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "avio/url.hpp"
#include "fault_proxy.hpp"
#include "harness/data.hpp"
#include "interleaved_media.hpp"
#include "nginx_fixture.hpp"
#include "readers.hpp"

#ifndef AVIO_BENCH_CLI
#define AVIO_BENCH_CLI ""
#endif

namespace avio_bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kKiB = 1024;

// ---- flags

struct Config {
  std::string scenario = "all";
  std::string json;
  std::string files = "/tmp/avio-bench";
  std::vector<int> latencies{20, 100};
  int64_t bandwidth = 50 * kMiB;  // per connection
  int64_t object_mib = 256;
  int plan_ranges = 2000;
  int media_seconds = 60;
  int gdal_batch = 256;
  int reps = 1;
  int threads = 8;
  bool quick = false;
  // The peers that cost minutes at 100 ms (one request per range, one after
  // the other) run at the lowest latency only unless this is set.
  bool slow_peers_everywhere = false;
  bool dump_requests = false;  // print each pass's request lines and ranges (stderr)
  std::string avio_cli = AVIO_BENCH_CLI;
  std::string ffmpeg;
};

std::vector<int> parse_list(const std::string &s) {
  std::vector<int> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(std::stoi(item));
  return out;
}

bool parse_flags(int argc, char **argv, Config *c) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const size_t eq = a.find('=');
    const std::string key = a.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : a.substr(eq + 1);
    if (key == "--scenario") {
      c->scenario = value;
    } else if (key == "--json") {
      c->json = value;
    } else if (key == "--files") {
      c->files = value;
    } else if (key == "--latencies") {
      c->latencies = parse_list(value);
    } else if (key == "--bandwidth_mib") {
      c->bandwidth = static_cast<int64_t>(std::stod(value) * static_cast<double>(kMiB));
    } else if (key == "--object_mib") {
      c->object_mib = std::stoll(value);
    } else if (key == "--plan_ranges") {
      c->plan_ranges = std::stoi(value);
    } else if (key == "--media_seconds") {
      c->media_seconds = std::stoi(value);
    } else if (key == "--gdal_batch") {
      c->gdal_batch = std::stoi(value);
    } else if (key == "--reps") {
      c->reps = std::max(1, std::stoi(value));
    } else if (key == "--threads") {
      c->threads = std::max(1, std::stoi(value));
    } else if (key == "--quick") {
      c->quick = true;
      c->object_mib = 64;
      c->plan_ranges = 500;
      c->media_seconds = 20;
    } else if (key == "--slow_peers_everywhere") {
      c->slow_peers_everywhere = true;
    } else if (key == "--dump_requests") {
      c->dump_requests = true;
    } else if (key == "--avio_cli") {
      c->avio_cli = value;
    } else if (key == "--ffmpeg") {
      c->ffmpeg = value;
    } else if (key == "-h" || key == "--help") {
      std::printf(
          "avio_bench_remote [--scenario=all|demux|plan|sequential|threads] [--json=FILE] [--files=DIR]\n"
          "  [--latencies=20,100] [--bandwidth_mib=50] [--object_mib=256] [--plan_ranges=2000]\n"
          "  [--media_seconds=60] [--gdal_batch=256] [--reps=1] [--threads=8] [--quick]\n"
          "  [--slow_peers_everywhere] [--dump_requests] [--avio_cli=PATH] [--ffmpeg=PATH]\n");
      return false;
    } else {
      std::fprintf(stderr, "avio_bench_remote: unknown flag %s (see --help)\n", a.c_str());
      std::exit(2);
    }
  }
  return true;
}

// ---- output

std::string json_string(const std::string &s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char text[64];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

std::string fmt(const char *format, double v) {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

std::string mb(int64_t bytes) {
  const auto b = static_cast<double>(bytes);
  if (bytes >= 100'000'000) return fmt("%.0f MB", b / 1e6);
  if (bytes >= 1'000'000) return fmt("%.1f MB", b / 1e6);
  return fmt("%.0f kB", b / 1e3);
}

std::string seconds(double s) {
  return s >= 10 ? fmt("%.1f s", s) : s >= 1 ? fmt("%.2f s", s) : fmt("%.0f ms", s * 1e3);
}

std::string ratio(double r) { return std::isfinite(r) ? fmt("%.2f×", r) : "—"; }

// ---- the shaped link and what it saw

struct Traffic {
  int64_t requests = 0;
  int64_t connections = 0;
  int64_t bytes = 0;
};

Traffic seen(const avio_http_test::FaultProxy &p) { return {p.requests(), p.connections(), p.response_bytes()}; }

// The counts once they have stopped moving (a client that dropped a
// connection may still be sent what was in flight): unchanged over 100 ms,
// at most 3 s.
Traffic settled(const avio_http_test::FaultProxy &p) {
  Traffic last = seen(p);
  for (int i = 0; i < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const Traffic now = seen(p);
    if (now.requests == last.requests && now.connections == last.connections && now.bytes == last.bytes) break;
    last = now;
  }
  return last;
}

struct Row {
  std::string side;
  bool reference = false;  // the avio row the others are compared with
  bool peer = false;       // libavformat, ffmpeg, GDAL
  double wall_s = 0;
  Traffic traffic;
  bool ok = false;
  std::string error;
  std::map<std::string, int64_t> stats;  // avio's own count
  std::string note;
};

struct Target {
  std::string what;
  std::string value;
  std::string target;
  bool met = false;
  double ratio = NAN;  // for the chart: a time ratio (higher is better for avio), when there is one
  double ratio_target = NAN;
  std::string label;  // the chart's
};

struct Run {
  std::string condition;  // "20 ms, 50 MiB/s per connection"
  int latency_ms = 0;
  int64_t bandwidth = 0;
  std::string variant;  // "4 KiB requests", ...
  std::vector<Row> rows;
  std::vector<Target> targets;
  std::string notes;
};

struct Report {
  std::string scenario;
  std::string title;
  std::vector<std::pair<std::string, std::string>> info;
  std::vector<Run> runs;
};

std::string condition_text(int latency_ms, int64_t bandwidth) {
  return std::to_string(latency_ms) + " ms first-byte latency, " +
         (bandwidth > 0 ? fmt("%.0f MiB/s per connection", static_cast<double>(bandwidth) / kMiB)
                        : std::string("no bandwidth cap"));
}

// A run under the proxy's first-byte latency and bandwidth cap.
Run run_of(int latency_ms, int64_t bandwidth) {
  Run run;
  run.latency_ms = latency_ms;
  run.bandwidth = bandwidth;
  run.condition = condition_text(latency_ms, bandwidth);
  return run;
}

const Row *reference_of(const Run &run) {
  for (const Row &r : run.rows)
    if (r.reference) return &r;
  return nullptr;
}

std::string markdown(const Run &run) {
  std::string s = "**" + run.condition + (run.variant.empty() ? "" : ", " + run.variant) + "**\n\n";
  const Row *ref = reference_of(run);
  s += "| side | wall time | requests | connections | bytes | time / " + (ref ? ref->side : std::string("ref")) +
       " | requests / ref | bytes / ref | bytes right |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const Row &r : run.rows) {
    const auto rel = [&](double a, double b) { return ref && !r.reference && b > 0 ? ratio(a / b) : "—"; };
    s += "| " + r.side + " | " + (r.ok || r.wall_s > 0 ? seconds(r.wall_s) : "—") + " | " +
         std::to_string(r.traffic.requests) + " | " + std::to_string(r.traffic.connections) + " | " +
         mb(r.traffic.bytes) + " | " + rel(r.wall_s, ref ? ref->wall_s : 0) + " | " +
         rel(static_cast<double>(r.traffic.requests), ref ? static_cast<double>(ref->traffic.requests) : 0) + " | " +
         rel(static_cast<double>(r.traffic.bytes), ref ? static_cast<double>(ref->traffic.bytes) : 0) + " | " +
         (r.ok ? "yes" : "**no**: " + r.error) + (r.note.empty() ? "" : "; " + r.note) + " |\n";
  }
  if (!run.targets.empty()) {
    s += "\n| target | measured | wanted | met |\n|---|---|---|---|\n";
    for (const Target &t : run.targets)
      s += "| " + t.what + " | " + t.value + " | " + t.target + " | " + (t.met ? "yes" : "**no**") + " |\n";
  }
  if (!run.notes.empty()) s += "\n" + run.notes + "\n";
  return s;
}

std::string to_json(const Report &rep) {
  std::string s =
      "{\"scenario\": " + json_string(rep.scenario) + ", \"title\": " + json_string(rep.title) + ", \"info\": {";
  for (size_t i = 0; i < rep.info.size(); ++i)
    s += (i ? ", " : "") + json_string(rep.info[i].first) + ": " + json_string(rep.info[i].second);
  s += "}, \"runs\": [";
  for (size_t i = 0; i < rep.runs.size(); ++i) {
    const Run &run = rep.runs[i];
    s += std::string(i ? ", " : "") + "{\"condition\": " + json_string(run.condition) +
         ", \"latency_ms\": " + std::to_string(run.latency_ms) + ", \"bandwidth\": " + std::to_string(run.bandwidth) +
         ", \"variant\": " + json_string(run.variant) + ", \"markdown\": " + json_string(markdown(run)) +
         ", \"rows\": [";
    for (size_t k = 0; k < run.rows.size(); ++k) {
      const Row &r = run.rows[k];
      s += std::string(k ? ", " : "") + "{\"side\": " + json_string(r.side) +
           ", \"reference\": " + (r.reference ? "true" : "false") + ", \"peer\": " + (r.peer ? "true" : "false") +
           ", \"wall_s\": " + number(r.wall_s) + ", \"requests\": " + std::to_string(r.traffic.requests) +
           ", \"connections\": " + std::to_string(r.traffic.connections) +
           ", \"bytes\": " + std::to_string(r.traffic.bytes) + ", \"ok\": " + (r.ok ? "true" : "false") +
           ", \"error\": " + json_string(r.error) + ", \"note\": " + json_string(r.note) + ", \"stats\": {";
      size_t n = 0;
      for (const auto &[key, v] : r.stats)
        s += std::string(n++ ? ", " : "") + json_string(key) + ": " + std::to_string(v);
      s += "}}";
    }
    s += "], \"targets\": [";
    for (size_t k = 0; k < run.targets.size(); ++k) {
      const Target &t = run.targets[k];
      s += std::string(k ? ", " : "") + "{\"what\": " + json_string(t.what) + ", \"value\": " + json_string(t.value) +
           ", \"target\": " + json_string(t.target) + ", \"met\": " + (t.met ? "true" : "false") +
           ", \"ratio\": " + number(t.ratio) + ", \"ratio_target\": " + number(t.ratio_target) +
           ", \"label\": " + json_string(t.label) + "}";
    }
    s += "], \"notes\": " + json_string(run.notes) + "}";
  }
  return s + "]}";
}

// ---- the environment: nginx, the proxy, the files

class Env {
 public:
  static std::unique_ptr<Env> start(std::string *why, bool dump_requests) {
    std::unique_ptr<Env> e(new Env);
    e->dump_requests_ = dump_requests;
    e->nginx_ = avio_http_test::Nginx::start(why);
    if (!e->nginx_) return nullptr;
    e->proxy_ = std::make_unique<avio_http_test::FaultProxy>(e->nginx_->http_port());
    return e;
  }

  // Serves `file` at /name (a link in nginx's document root).
  std::string serve(const std::string &file, const std::string &name) const {
    std::error_code ec;
    fs::remove(nginx_->www() / name, ec);  // an earlier scenario's
    fs::create_symlink(fs::absolute(file), nginx_->www() / name, ec);
    return ec ? "cannot link " + file + ": " + ec.message() : std::string();
  }

  void shape(int latency_ms, int64_t bandwidth) const {
    proxy_->set_latency(std::chrono::milliseconds(latency_ms));
    proxy_->set_bandwidth(bandwidth);
  }

  // The URL of /name through the proxy, with a query string of its own, so
  // that no cache of an earlier pass (GDAL's, avio's) can answer it.
  std::string url(const std::string &name) { return proxy_->url("/" + name) + "?pass=" + std::to_string(++pass_); }

  // Runs one pass of a side, timing it and counting what went through the proxy.
  // `prepare` runs first, untimed (clearing the destination, say).
  Row measure(const std::string &side, const std::function<ReadOutcome()> &pass,
              const std::function<void()> &prepare = {}) const {
    Row row;
    row.side = side;
    if (prepare) prepare();
    const Traffic before = settled(*proxy_);
    const size_t heads_before = dump_requests_ ? proxy_->request_heads().size() : 0;
    const Clock::time_point t0 = Clock::now();
    ReadOutcome o = pass();
    row.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (o.ok && o.check) {
      o.error = o.check();
      o.ok = o.error.empty();
    }
    const Traffic after = settled(*proxy_);
    row.traffic = {after.requests - before.requests, after.connections - before.connections,
                   after.bytes - before.bytes};
    row.ok = o.ok;
    row.error = o.error;
    row.stats = std::move(o.stats);
    if (dump_requests_) dump(heads_before);
    std::fprintf(stderr, "  %-40s %8.3f s  %6lld requests  %5lld connections  %10s  %s\n", side.c_str(), row.wall_s,
                 static_cast<long long>(row.traffic.requests), static_cast<long long>(row.traffic.connections),
                 mb(row.traffic.bytes).c_str(), row.ok ? "ok" : row.error.c_str());
    return row;
  }

 private:
  Env() = default;

  // The request line and Range of each request since the first `from`.
  void dump(size_t from) const {
    const std::vector<std::string> heads = proxy_->request_heads();
    for (size_t i = from; i < heads.size(); ++i) {
      const std::string &h = heads[i];
      std::string line = h.substr(0, h.find("\r\n"));
      const size_t range = h.find("\r\nRange: ");
      if (range != std::string::npos) line += "  " + h.substr(range + 2, h.find("\r\n", range + 2) - range - 2);
      std::fprintf(stderr, "    %s\n", line.c_str());
    }
  }

  bool dump_requests_ = false;
  std::unique_ptr<avio_http_test::Nginx> nginx_;
  std::unique_ptr<avio_http_test::FaultProxy> proxy_;
  int pass_ = 0;
};

// Adds a remark to a row's note.
void add_note(Row &row, const std::string &text) { row.note += (row.note.empty() ? "" : "; ") + text; }

// A pass that takes longer than this runs once: its time is mostly waiting
// for the link, and repeating it would take minutes.
constexpr double kRepeatBelowSeconds = 5;

// Up to `reps` passes of a side (one when the first takes kRepeatBelowSeconds
// or more): the pass with the median wall time, counts and all; the note says
// how many ran and the range of their times.
Row measure_reps(Env &env, int reps, const std::string &side, const std::function<ReadOutcome()> &pass,
                 const std::function<void()> &prepare = {}) {
  std::vector<Row> rows;
  rows.reserve(static_cast<size_t>(reps));
  rows.push_back(env.measure(side, pass, prepare));
  while (static_cast<int>(rows.size()) < reps && rows.front().ok && rows.front().wall_s < kRepeatBelowSeconds)
    rows.push_back(env.measure(side, pass, prepare));
  std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.wall_s < b.wall_s; });
  for (const Row &r : rows)
    if (!r.ok) return r;
  Row median = rows[rows.size() / 2];
  if (rows.size() > 1)
    median.note = "median of " + std::to_string(rows.size()) + " passes, " + seconds(rows.front().wall_s) + " to " +
                  seconds(rows.back().wall_s);
  return median;
}

// The object's bytes, from its file (the page cache), for the comparisons.
class Truth {
 public:
  explicit Truth(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    bytes_.resize(static_cast<size_t>(fs::file_size(path)));
    in.read(reinterpret_cast<char *>(bytes_.data()), static_cast<std::streamsize>(bytes_.size()));
    if (!in) bytes_.clear();
  }
  std::span<const uint8_t> span() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// ---- heap

// The heap in use (every arena, and the chunks malloc maps on their own).
int64_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<int64_t>(m.uordblks + m.hblkhd);
}

// Samples heap_in_use every millisecond while it lives; peak() is the most seen.
class HeapWatch {
 public:
  HeapWatch() : base_(heap_in_use()), peak_(base_) {
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        const int64_t now = heap_in_use();
        if (now > peak_.load()) peak_ = now;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  ~HeapWatch() { stop(); }
  HeapWatch(const HeapWatch &) = delete;
  HeapWatch &operator=(const HeapWatch &) = delete;
  void stop() {
    if (thread_.joinable()) {
      stop_ = true;
      thread_.join();
    }
  }
  int64_t growth() const { return peak_.load() - base_; }

 private:
  int64_t base_;
  std::atomic<int64_t> peak_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The process's block cache bound: blockcache's default cache_size.
constexpr int64_t kCacheSize = 64 * kMiB;

// Empties the process's block cache, so that what a pass holds is its own:
// setting cache_size (an option of any open) sets the bound for the whole
// process, evicting down to it at once; 0 evicts every block, and a second
// open puts the default back. Two requests, made before a pass is measured.
void flush_block_cache(const std::string &url) {
  for (const int64_t bound : {int64_t{0}, kCacheSize}) {
    avio::OpenOptions o;
    o.options.set("cache_size", std::to_string(bound));
    avio::Result<avio::IOContext> f = avio::open_url(url, o);
    if (f) (void)f->close();
  }
}

// The large object of the plan, sequential and threads scenarios, made once
// in --files and served as /object.bin: its path, or "" with the error in
// the report.
std::string serve_object(Env &env, const Config &c, Report &rep) {
  std::string file = c.files + "/http-" + std::to_string(c.object_mib) + "MiB.bin";
  if (std::string why = prepare_file(file, c.object_mib * kMiB); !why.empty()) {
    rep.info.emplace_back("error", why);
    return "";
  }
  if (std::string why = env.serve(file, "object.bin"); !why.empty()) {
    rep.info.emplace_back("error", why);
    return "";
  }
  return file;
}

// ---- scenario 1: the seek-heavy demux

struct CliStats {
  int64_t requests = -1, connections = -1, bytes = -1;
};

// avio --verbose's line: "... N requests, M connections, B bytes fetched, ..."
CliStats parse_cli_stats(const std::string &err) {
  CliStats s;
  long long r = 0, c = 0, b = 0;
  const size_t at = err.find(": ", err.rfind("avio decode-audio"));
  for (size_t p = at; p != std::string::npos && p < err.size(); p = err.find(": ", p + 2)) {
    if (std::sscanf(err.c_str() + p, ": %lld requests, %lld connections, %lld bytes fetched", &r, &c, &b) == 3) {
      s = {r, c, b};
      break;
    }
  }
  return s;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Report scenario_demux(Env &env, const Config &c) {
  Report rep;
  rep.scenario = "demux";
  rep.title = "Seek-heavy demux: a poorly interleaved MP4 decoded to PCM";
  const std::string media = c.files + "/remote-demux-" + std::to_string(c.media_seconds) + "s.mp4";
  avio_http_test::MediaSpec spec;
  spec.seconds = c.media_seconds;
  std::fprintf(stderr, "[remote] making %s\n", media.c_str());
  if (std::string why = avio_http_test::make_interleaved_mp4(c.ffmpeg, media, spec); !why.empty()) {
    rep.info.emplace_back("error", why);
    return rep;
  }
  const avio_http_test::Interleave layout = avio_http_test::check_interleave(media);
  rep.info.emplace_back("media", layout.describe());
  if (!layout.error.empty()) rep.info.emplace_back("layout_error", layout.error);
  if (std::string why = env.serve(media, "demux.mp4"); !why.empty()) rep.info.emplace_back("error", why);
  const std::string out_dir = c.files + "/remote-pcm";
  fs::create_directories(out_dir);
  const std::string ref_pcm = out_dir + "/ffmpeg.pcm";

  for (const int latency : c.latencies) {
    env.shape(latency, c.bandwidth);
    Run run = run_of(latency, c.bandwidth);
    std::fprintf(stderr, "[remote] demux, %s\n", run.condition.c_str());
    std::string reference;  // ffmpeg's PCM
    Row ff = measure_reps(env, c.reps, "ffmpeg -i URL -vn -f s16le", [&]() -> ReadOutcome {
      ReadOutcome o;
      const avio_http_test::CommandResult r =
          avio_http_test::run_command({c.ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i",
                                       env.url("demux.mp4"), "-vn", "-f", "s16le", "-y", ref_pcm},
                                      std::chrono::minutes(5));
      o.ok = r.exit_code == 0;
      if (!o.ok) o.error = "ffmpeg failed: " + r.err;
      return o;
    });
    ff.peer = true;
    reference = read_file(ref_pcm);
    add_note(ff, fmt("%.0f samples per channel", static_cast<double>(reference.size()) / 4));
    run.rows.push_back(ff);
    // The default (auto: url mode over a remote input) is the side the
    // targets are about; memory mode, which loads the file whole, is a knob.
    for (const char *mode : {"auto", "memory"}) {
      const bool default_mode = mode == std::string("auto");
      const std::string pcm = out_dir + "/avio-" + std::string(mode) + ".pcm";
      CliStats cli;
      const std::string side = default_mode ? "avio decode-audio URL" : "avio decode-audio --mode memory URL";
      Row row = measure_reps(env, c.reps, side, [&]() -> ReadOutcome {
        ReadOutcome o;
        std::vector<std::string> argv = {c.avio_cli, "decode-audio", "-q", "-v", "--format", "raw"};
        if (!default_mode) argv.insert(argv.end(), {"--mode", mode});
        argv.insert(argv.end(), {env.url("demux.mp4"), pcm});
        const avio_http_test::CommandResult r = avio_http_test::run_command(argv, std::chrono::minutes(5));
        cli = parse_cli_stats(r.err);
        if (r.exit_code != 0) {
          o.error = "avio failed: " + r.err;
          return o;
        }
        // ffmpeg's side is timed without reading its PCM back: so is this.
        o.ok = true;
        o.check = [&reference, pcm]() -> std::string {
          const std::string got = read_file(pcm);
          if (!reference.empty() && got == reference) return "";
          return "PCM differs from ffmpeg's (" + std::to_string(got.size()) + " bytes against " +
                 std::to_string(reference.size()) + ")";
        };
        return o;
      });
      row.stats = {{"requests", cli.requests}, {"connections", cli.connections}, {"bytes_fetched", cli.bytes}};
      row.reference = default_mode;
      add_note(row, default_mode ? "the default: url mode, FFmpeg's demuxer seeks through the bridge"
                                 : "the input read whole, then demuxed from memory; a knob, not the default");
      run.rows.push_back(row);
      if (!default_mode) continue;
      const double req =
          static_cast<double>(row.traffic.requests) / static_cast<double>(std::max<int64_t>(1, ff.traffic.requests));
      const double bytes =
          static_cast<double>(row.traffic.bytes) / static_cast<double>(std::max<int64_t>(1, ff.traffic.bytes));
      const double speed = ff.wall_s / row.wall_s;
      const bool ran = row.ok && ff.ok;  // a side that failed meets nothing
      run.targets.push_back({"requests, avio / ffmpeg", ratio(req), "≤ 0.33×", ran && req <= 1.0 / 3});
      run.targets.push_back({"bytes, avio / ffmpeg", ratio(bytes), "≤ 0.33×", ran && bytes <= 1.0 / 3});
      run.targets.push_back({"time, ffmpeg / avio", ratio(speed), "≥ 3×", ran && speed >= 3, speed, 3.0,
                             "demux_" + std::to_string(latency) + "ms"});
      run.targets.push_back({"samples identical", row.ok ? "yes" : "no", "yes", row.ok && ff.ok});
    }
    std::printf("%s\n", markdown(run).c_str());
    rep.runs.push_back(std::move(run));
  }
  return rep;
}

// ---- scenario 2: a read plan

// `count` ranges of 4-64 KiB (uniform) in offset order, with gaps of 4 KiB
// to 1 MiB between them: log-uniform, skewed towards small gaps (the
// exponent k of u^k) just enough for the plan to fit in the object, so that
// it spans nearly all of it. The same plan on every run.
std::vector<PlanRange> make_plan(int count, int64_t object) {
  uint64_t state = 0x706c616e;
  auto uniform = [&state] {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return static_cast<double>((z ^ (z >> 31)) >> 11) / static_cast<double>(uint64_t{1} << 53);
  };
  std::vector<double> us(static_cast<size_t>(count)), ug(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    us[static_cast<size_t>(i)] = uniform();
    ug[static_cast<size_t>(i)] = uniform();
  }
  auto build = [&](double k) {
    std::vector<PlanRange> plan;
    int64_t at = 0;
    for (int i = 0; i < count; ++i) {
      const auto gap = static_cast<int64_t>(4 * kKiB * std::pow(256.0, std::pow(ug[static_cast<size_t>(i)], k)));
      const auto size = static_cast<size_t>(4 * kKiB + static_cast<int64_t>(us[static_cast<size_t>(i)] * 60 * kKiB));
      at += gap;
      plan.push_back({at, size});
      at += static_cast<int64_t>(size);
    }
    return plan;
  };
  double lo = 1, hi = 64;
  for (int i = 0; i < 40; ++i) {
    const double mid = (lo + hi) / 2;
    const std::vector<PlanRange> p = build(mid);
    if (p.back().offset + static_cast<int64_t>(p.back().size) <= object) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return build(hi);
}

Report scenario_plan(Env &env, const Config &c) {
  Report rep;
  rep.scenario = "plan";
  rep.title = "A read plan over a large object";
  const int64_t object = c.object_mib * kMiB;
  const std::string file = serve_object(env, c, rep);
  if (file.empty()) return rep;
  const Truth truth(file);
  const std::vector<PlanRange> plan = make_plan(c.plan_ranges, object);
  int64_t plan_bytes = 0;
  std::vector<int64_t> gaps;
  int64_t prev_end = 0;
  for (const PlanRange &r : plan) {
    plan_bytes += static_cast<int64_t>(r.size);
    gaps.push_back(r.offset - prev_end);
    prev_end = r.offset + static_cast<int64_t>(r.size);
  }
  std::sort(gaps.begin(), gaps.end());
  rep.info.emplace_back("plan", std::to_string(plan.size()) + " ranges of 4-64 KiB, " + mb(plan_bytes) +
                                    " in all, over " + mb(prev_end) + " of a " + mb(object) +
                                    " object; gaps 4 KiB to 1 MiB, median " + mb(gaps[gaps.size() / 2]) +
                                    ", 90th percentile " + mb(gaps[gaps.size() * 9 / 10]));
  std::string gdal_why;
  const std::string gdal = gdal_version(&gdal_why);
  rep.info.emplace_back("gdal", gdal.empty() ? gdal_why : gdal);
  std::vector<uint8_t> dst(static_cast<size_t>(plan_bytes));
  const auto clear = [&dst] { std::fill(dst.begin(), dst.end(), uint8_t{0}); };

  for (size_t li = 0; li < c.latencies.size(); ++li) {
    const int latency = c.latencies[li];
    const bool slow_too = li == 0 || c.slow_peers_everywhere;
    env.shape(latency, c.bandwidth);
    Run run = run_of(latency, c.bandwidth);
    std::fprintf(stderr, "[remote] plan, %s\n", run.condition.c_str());
    auto side = [&](const std::string &name, const std::function<ReadOutcome(const std::string &)> &pass) {
      return measure_reps(
          env, c.reps, name, [&] { return pass(env.url("object.bin")); }, clear);
    };
    // avio's sides also say how far the heap grew (the plan's destination
    // is allocated before).
    auto avio_side = [&](const std::string &name, const std::function<ReadOutcome(const std::string &)> &pass) {
      flush_block_cache(env.url("object.bin"));  // the first pass's growth is then its own
      int64_t growth = -1;
      Row r = side(name, [&](const std::string &url) {
        HeapWatch watch;
        ReadOutcome o = pass(url);
        watch.stop();
        if (growth < 0) growth = watch.growth();
        return o;
      });
      add_note(r, "heap +" + mb(growth) + " at its peak");
      return r;
    };
    Row ranges = avio_side("avio read_ranges (the plan up front)", [&](const std::string &url) {
      return avio_plan(url, AvioPlanMode::kReadRanges, plan, dst, truth.span());
    });
    ranges.reference = true;
    run.rows.push_back(ranges);
    // What the blockcache's knobs do to the plan (no target): smaller
    // blocks, more connections (8: the most of "a few per host").
    for (const Options &knob :
         std::vector<Options>{{{"block_size", "65536"}}, {{"max_connections", "8"}}, {{"max_connections", "16"}}}) {
      Row r = avio_side("avio read_ranges, " + knob[0].first + "=" + knob[0].second, [&](const std::string &url) {
        return avio_plan(url, AvioPlanMode::kReadRanges, plan, dst, truth.span(), knob);
      });
      add_note(r, "a knob, not the default");
      run.rows.push_back(r);
    }
    run.rows.push_back(avio_side("avio seek + read per range", [&](const std::string &url) {
      return avio_plan(url, AvioPlanMode::kSeekRead, plan, dst, truth.span());
    }));
    if (slow_too) {
      run.rows.push_back(avio_side("avio read_at per range", [&](const std::string &url) {
        return avio_plan(url, AvioPlanMode::kReadAt, plan, dst, truth.span());
      }));
    }
    std::vector<Row> peers;
    peers.push_back(side("libavformat http: seek + read",
                         [&](const std::string &url) { return lavf_plan(url, plan, dst, truth.span()); }));
    if (slow_too) {
      peers.push_back(side("libavformat cache:http: seek + read",
                           [&](const std::string &url) { return lavf_plan("cache:" + url, plan, dst, truth.span()); }));
    }
    if (!gdal.empty()) {
      if (slow_too) {
        peers.push_back(side("GDAL /vsicurl/: seek + read",
                             [&](const std::string &url) { return gdal_plan(url, 0, plan, dst, truth.span()); }));
      }
      peers.push_back(
          side("GDAL /vsicurl/: ReadMultiRange, " + std::to_string(c.gdal_batch) + " ranges a call",
               [&](const std::string &url) { return gdal_plan(url, c.gdal_batch, plan, dst, truth.span()); }));
    }
    for (Row &p : peers) {
      p.peer = true;
      run.rows.push_back(p);
    }
    // Targets: fewer requests than GDAL, at least twice as fast as the fastest peer.
    const Row *fastest = nullptr;
    int64_t gdal_min_requests = -1;
    for (const Row &p : peers) {
      if (!p.ok) continue;
      if (!fastest || p.wall_s < fastest->wall_s) fastest = &p;
      if (p.side.rfind("GDAL", 0) == 0 && (gdal_min_requests < 0 || p.traffic.requests < gdal_min_requests))
        gdal_min_requests = p.traffic.requests;
    }
    if (gdal_min_requests >= 0) {
      run.targets.push_back({"requests: avio read_ranges against GDAL's fewest",
                             std::to_string(ranges.traffic.requests) + " vs " + std::to_string(gdal_min_requests),
                             "fewer", ranges.ok && ranges.traffic.requests < gdal_min_requests});
    }
    if (fastest) {
      const double r = fastest->wall_s / ranges.wall_s;
      run.targets.push_back({"time: fastest peer (" + fastest->side + ") / avio read_ranges", ratio(r), "≥ 2×",
                             ranges.ok && r >= 2, r, 2.0, "plan_" + std::to_string(latency) + "ms"});
    }
    if (!slow_too) {
      run.notes =
          "libavformat's cache:http, GDAL range by range and avio's read_at per range make one "
          "request after another (see the " +
          std::to_string(c.latencies[0]) +
          " ms table for their counts): at this latency each costs at least its requests × " + std::to_string(latency) +
          " ms, so they run at the first latency only (--slow_peers_everywhere "
          "runs them here too).";
      // The bound from the counts at the first latency.
      if (!rep.runs.empty()) {
        for (const Row &p : rep.runs.front().rows) {
          if (p.side.find("cache:http") == std::string::npos &&
              p.side.find("GDAL /vsicurl/: seek") == std::string::npos && p.side.find("read_at") == std::string::npos)
            continue;
          run.notes += " " + p.side + ": ≥ " + seconds(static_cast<double>(p.traffic.requests) * latency / 1e3) + ".";
        }
      }
    }
    std::printf("%s\n", markdown(run).c_str());
    rep.runs.push_back(std::move(run));
  }
  return rep;
}

// ---- scenario 3: sequential

Report scenario_sequential(Env &env, const Config &c) {
  Report rep;
  rep.scenario = "sequential";
  rep.title = "Sequential read of a large object";
  const int64_t object = c.object_mib * kMiB;
  const std::string file = serve_object(env, c, rep);
  if (file.empty()) return rep;
  const Truth truth(file);
  rep.info.emplace_back("object", mb(object));
  std::string gdal_why;
  const std::string gdal = gdal_version(&gdal_why);
  rep.info.emplace_back("gdal", gdal.empty() ? gdal_why : gdal);
  for (const int latency : c.latencies) {
    for (const int64_t bandwidth : {c.bandwidth, int64_t{0}}) {
      env.shape(latency, bandwidth);
      for (const size_t request : {size_t{4096}, size_t{1} << 20}) {
        Run run = run_of(latency, bandwidth);
        run.variant = request == 4096 ? "4 KiB requests" : "1 MiB requests";
        std::fprintf(stderr, "[remote] sequential, %s, %s\n", run.condition.c_str(), run.variant.c_str());
        auto side = [&](const std::string &name, const std::function<ReadOutcome(const std::string &)> &pass) {
          return measure_reps(env, c.reps, name, [&] { return pass(env.url("object.bin")); });
        };
        Row a = side("avio", [&](const std::string &url) { return avio_sequential(url, request, truth.span()); });
        a.reference = true;
        Row plain = side("avio, block_cache=false",
                         [&](const std::string &url) { return avio_sequential(url, request, truth.span(), false); });
        add_note(plain, "not the default: avio's http without the block cache");
        Row l = side("libavformat http",
                     [&](const std::string &url) { return lavf_sequential(url, request, truth.span()); });
        l.peer = true;
        run.rows.push_back(a);
        if (bandwidth > 0) {
          // What the capped target takes (no target): more connections than
          // http's few, and a cache whose half, the read-ahead in flight,
          // covers their pieces over a first byte. cache_size is the
          // process's: the default is set back before the next side.
          for (const Options &knob : std::vector<Options>{{{"max_connections", "8"}, {"cache_size", "134217728"}},
                                                          {{"max_connections", "12"}, {"cache_size", "134217728"}}}) {
            Row k =
                side("avio, max_connections=" + knob[0].second + ", cache_size=128 MiB",
                     [&](const std::string &url) { return avio_sequential(url, request, truth.span(), true, knob); });
            avio_set_cache_size(env.url("object.bin"), int64_t{64} << 20);
            add_note(k, "knobs, not the default");
            run.rows.push_back(k);
          }
        }
        run.rows.push_back(plain);
        run.rows.push_back(l);
        if (!gdal.empty()) {
          Row g = side("GDAL /vsicurl/",
                       [&](const std::string &url) { return gdal_sequential(url, request, truth.span()); });
          g.peer = true;
          run.rows.push_back(g);
        }
        const double r = l.wall_s / a.wall_s;
        const double want = bandwidth > 0 ? 4.0 : 1.0;
        run.targets.push_back({"time, libavformat / avio", ratio(r), fmt("≥ %.0f×", want), a.ok && l.ok && r >= want, r,
                               want,
                               "seq_" + std::string(request == 4096 ? "4k_" : "1m_") +
                                   (bandwidth > 0 ? "cap_" : "nocap_") + std::to_string(latency) + "ms"});
        std::printf("%s\n", markdown(run).c_str());
        rep.runs.push_back(std::move(run));
      }
    }
  }
  return rep;
}

// ---- scenario 4: threads

struct ThreadsOutcome {
  ReadOutcome read;
  int64_t heap_growth = 0;
};

// `threads` threads read_at on one context the `span` bytes from `from`:
// pattern "shared" has them all read the same bytes at once (thread t takes
// the 64 KiB chunks t, t + threads, ...); pattern "split" gives each its own
// slice, read in order. Every chunk is compared with the file.
ThreadsOutcome threads_pass(const std::string &url, const std::string &file, bool shared, int64_t from, int64_t span,
                            int threads, int64_t cache_size) {
  ThreadsOutcome out;
  HeapWatch watch;
  avio::OpenOptions o;
  o.options.set("cache_size", std::to_string(cache_size));
  avio::Result<avio::IOContext> ctx = avio::open_url(url, o);
  if (!ctx) {
    out.read.error = "open_url: " + ctx.error().message();
    return out;
  }
  constexpr int64_t kChunk = 64 * kKiB;
  std::atomic<int64_t> bytes{0};
  std::vector<std::string> errors(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::ifstream in(file, std::ios::binary);
      std::vector<uint8_t> got(kChunk), want(kChunk);
      const int64_t slice = span / threads;
      const int64_t first = from + (shared ? t * kChunk : t * slice);
      const int64_t end = from + (shared ? span : (t + 1) * slice);
      const int64_t step = shared ? threads * kChunk : kChunk;
      for (int64_t at = first; at < end; at += step) {
        const auto n = static_cast<size_t>(std::min(kChunk, end - at));
        avio::Result<size_t> r = ctx->read_at(at, std::span(got).first(n));
        in.seekg(at);
        in.read(reinterpret_cast<char *>(want.data()), static_cast<std::streamsize>(n));
        if (!r || *r != n) {
          errors[static_cast<size_t>(t)] = "read_at " + std::to_string(at) + ": " + (r ? "short" : r.error().message());
          return;
        }
        if (std::memcmp(got.data(), want.data(), n) != 0) {
          errors[static_cast<size_t>(t)] = "wrong bytes at " + std::to_string(at);
          return;
        }
        bytes += static_cast<int64_t>(n);
      }
    });
  }
  for (std::thread &th : pool) th.join();
  out.read.stats = blockcache_stats(*ctx);
  (void)ctx->close();
  watch.stop();
  out.heap_growth = watch.growth();
  out.read.bytes_read = bytes.load();
  for (const std::string &e : errors)
    if (!e.empty() && out.read.error.empty()) out.read.error = e;
  out.read.ok = out.read.error.empty();
  return out;
}

Report scenario_threads(Env &env, const Config &c) {
  Report rep;
  rep.scenario = "threads";
  rep.title = std::to_string(c.threads) + " threads read_at on one open object";
  const int64_t object = c.object_mib * kMiB;
  const std::string file = serve_object(env, c, rep);
  if (file.empty()) return rep;
  const int64_t cache_size = kCacheSize;
  const int64_t shared_span = std::min<int64_t>(48 * kMiB, object);
  rep.info.emplace_back("cache_size", mb(cache_size));
  for (const int latency : c.latencies) {
    env.shape(latency, c.bandwidth);
    Run run = run_of(latency, c.bandwidth);
    std::fprintf(stderr, "[remote] threads, %s\n", run.condition.c_str());
    for (const bool shared : {true, false}) {
      // The shared bytes are the object's last: a read-ahead has nothing
      // past them to fetch, so every block fetched beyond their count is one
      // fetched twice.
      const int64_t span = shared ? shared_span : object;
      const int64_t from = object - span;
      ThreadsOutcome t;
      const std::string name =
          shared ? std::to_string(c.threads) + " threads, the same last " + mb(span) + ", interleaved 64 KiB read_at"
                 : std::to_string(c.threads) + " threads, one slice each of the " + mb(object) + ", 64 KiB read_at";
      flush_block_cache(env.url("object.bin"));
      Row row = env.measure(name, [&] {
        t = threads_pass(env.url("object.bin"), file, shared, from, span, c.threads, cache_size);
        return t.read;
      });
      const int64_t blocks = (span + kMiB - 1) / kMiB;
      const int64_t misses = row.stats.count("cache_misses") ? row.stats["cache_misses"] : -1;
      const int64_t fetched = row.stats.count("bytes_fetched") ? row.stats["bytes_fetched"] : -1;
      const int64_t connections = 6;  // blockcache's max_connections for http (its advice)
      const int64_t range = row.stats.count("range_limit") ? row.stats["range_limit"] : 0;
      const int64_t bound = cache_size + connections * std::max<int64_t>(range, kMiB);
      row.note = "blocks fetched " + std::to_string(misses) + " of " + std::to_string(blocks) + ", bytes fetched " +
                 mb(fetched) + "; heap at its peak +" + mb(t.heap_growth) + " (bound " + mb(bound) + ")";
      row.reference = shared;
      run.rows.push_back(row);
      const std::string which = shared ? "same bytes" : "slices";
      run.targets.push_back({"right bytes (" + which + ")", row.ok ? "yes" : "no: " + row.error, "yes", row.ok});
      run.targets.push_back({"no block fetched twice (" + which + ")",
                             std::to_string(misses) + " fetched for " + std::to_string(blocks) + " blocks",
                             "≤ " + std::to_string(blocks), misses >= 0 && misses <= blocks});
      run.targets.push_back({"peak heap (" + which + ")", mb(t.heap_growth),
                             "≤ cache_size + connections × range limit = " + mb(bound), t.heap_growth <= bound});
    }
    std::printf("%s\n", markdown(run).c_str());
    rep.runs.push_back(std::move(run));
  }
  return rep;
}

}  // namespace
}  // namespace avio_bench

int main(int argc, char **argv) {
  using namespace avio_bench;
  Config c;
  if (!parse_flags(argc, argv, &c)) return 0;
  av_log_set_level(AV_LOG_ERROR);  // libavformat's cache: prints its statistics at close
  if (c.ffmpeg.empty()) c.ffmpeg = avio_http_test::find_program("ffmpeg");
  // GDAL's ReadMultiRange opens a connection per range, and the proxy holds
  // two descriptors per connection.
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
  }
  fs::create_directories(c.files);
  std::string why;
  std::unique_ptr<Env> env = Env::start(&why, c.dump_requests);
  if (!env) {
    std::fprintf(stderr, "avio_bench_remote: nginx: %s\n", why.c_str());
    return 1;
  }
  std::vector<Report> reports;
  const auto want = [&](const char *name) { return c.scenario == "all" || c.scenario == name; };
  if (want("demux")) {
    if (c.ffmpeg.empty() || c.avio_cli.empty()) {
      std::fprintf(stderr, "avio_bench_remote: demux needs ffmpeg and the avio tool (--avio_cli)\n");
    } else {
      reports.push_back(scenario_demux(*env, c));
    }
  }
  if (want("plan")) reports.push_back(scenario_plan(*env, c));
  if (want("sequential")) reports.push_back(scenario_sequential(*env, c));
  if (want("threads")) reports.push_back(scenario_threads(*env, c));
  bool all_ok = true;
  for (const Report &r : reports)
    for (const Run &run : r.runs)
      for (const Row &row : run.rows) all_ok = all_ok && row.ok;
  if (!c.json.empty()) {
    std::ofstream out(c.json);
    out << "{\"config\": {\"latencies_ms\": [";
    for (size_t i = 0; i < c.latencies.size(); ++i) out << (i ? ", " : "") << c.latencies[i];
    out << "], \"bandwidth\": " << c.bandwidth << ", \"object_mib\": " << c.object_mib
        << ", \"plan_ranges\": " << c.plan_ranges << ", \"media_seconds\": " << c.media_seconds
        << ", \"gdal_batch\": " << c.gdal_batch << ", \"reps\": " << c.reps << ", \"threads\": " << c.threads
        << ", \"quick\": " << (c.quick ? "true" : "false") << "}, \"scenarios\": [";
    for (size_t i = 0; i < reports.size(); ++i) out << (i ? ", " : "") << to_json(reports[i]);
    out << "]}\n";
  }
  return all_ok ? 0 : 3;
}
