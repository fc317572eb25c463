// http and https from a real server on both sides (avio::open_url and
// avio_open2): the http tests' private nginx (tests/net/http/nginx_fixture)
// serves one file, made once per run by the harness (random bytes, page
// cached) and linked into its document root. Workloads:
//   - a sequential read of the whole file in 4 KiB and in 1 MiB requests,
//     over http and https (both sides verify nginx's certificate);
//   - random 4 KiB reads (seek + read), over http. libavformat opens a
//     connection per seek, and so does avio with its defaults (what is left
//     of an open-ended range cannot be drained). A variant side runs avio
//     with request_size=65536: bounded ranges, so that a seek finds the
//     response in flight nearly done and keeps the connection; another
//     adds short_seek_size=65536 (by default a seek forward within the
//     socket's receive buffer, which Linux grows to megabytes, reads forward
//     instead, and with bounded ranges that costs one request per 64 KiB).
// Every side also reports what nginx saw during its last pass, from the
// access log: requests, connections and body bytes sent. Each pass asks for
// the file with its own query string, so late log lines of an earlier pass
// (nginx logs an abandoned request once it notices) are never counted.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "avio/url.hpp"
#include "contexts.hpp"
#include "nginx_fixture.hpp"
#include "workloads.hpp"

namespace avio_bench {
namespace {

using avio_http_test::AccessLogEntry;
using avio_http_test::Nginx;

constexpr int kRecord = 4096;
constexpr const char *kPath = "/avio-bench.bin";

// The nginx every http workload shares: started by the first setup (on the
// main thread, which it must not outlive) and stopped at exit.
Nginx *server() {
  static std::unique_ptr<Nginx> nginx;
  if (!nginx) {
    std::string error;
    nginx = Nginx::start(&error);
    if (!nginx) std::fprintf(stderr, "avio bench: nginx: %s\n", error.c_str());
  }
  return nginx.get();
}

// Makes `file` (once per run: prepare_file keeps a file of the right size)
// and links it into the document root of a running nginx.
std::string serve_file(const std::string &file, int64_t size) {
  if (std::string why = prepare_file(file, size); !why.empty()) return why;
  Nginx *nginx = server();
  if (!nginx) return "nginx did not start";
  namespace fs = std::filesystem;
  const fs::path link = nginx->www() / (kPath + 1);
  std::error_code ec;
  if (fs::exists(link, ec)) return {};
  fs::create_symlink(fs::absolute(file), link, ec);
  return ec ? "cannot link " + link.string() + ": " + ec.message() : std::string();
}

// ---- what nginx saw

// The query string that marks one pass's requests in the access log.
std::string begin_pass(std::string &tag) {
  static int serial = 0;
  tag = "pass=" + std::to_string(++serial);
  return "?" + tag;
}

std::vector<AccessLogEntry> entries_of(const std::string &tag) {
  std::vector<AccessLogEntry> out;
  for (AccessLogEntry &e : server()->access_log())
    if (e.uri.size() > tag.size() && e.uri.compare(e.uri.size() - tag.size(), tag.size(), tag) == 0)
      out.push_back(std::move(e));
  return out;
}

// A pass's log lines once nginx has written them all: when two reads 50 ms
// apart find the same number (at most 5 s). The log then starts afresh
// (outside the timed passes), so that it never grows long.
std::vector<AccessLogEntry> settled_entries(const std::string &tag) {
  std::vector<AccessLogEntry> last = entries_of(tag);
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::vector<AccessLogEntry> now = entries_of(tag);
    if (now.size() == last.size()) break;
    last = std::move(now);
  }
  server()->clear_access_log();
  return last;
}

Counters traffic(const std::shared_ptr<std::string> &tag) {
  return [tag] {
    std::set<int64_t> connections;
    double bytes = 0;
    const std::vector<AccessLogEntry> entries = settled_entries("?" + *tag);
    for (const AccessLogEntry &e : entries) {
      connections.insert(e.connection);
      bytes += static_cast<double>(e.body_bytes);
    }
    return std::vector<std::pair<std::string, double>>{{"requests", static_cast<double>(entries.size())},
                                                       {"connections", static_cast<double>(connections.size())},
                                                       {"bytes_sent", bytes}};
  };
}

// ---- the two clients

uint64_t consume(uint64_t h, const uint8_t *p, size_t n, bool verify) {
  return verify ? hash_bytes(h, p, n) : touch_bytes(h, p, n);
}

struct Target {
  bool tls = false;
  avio::Dictionary options;  // avio's, beyond the certificate
};

std::string url_of(const Target &t, const std::string &query) {
  return (t.tls ? server()->https_url(kPath) : server()->http_url(kPath)) + query;
}

avio::IOContext avio_open(const Target &t, const std::string &query) {
  avio::OpenOptions o;
  o.options = t.options;
  if (t.tls) o.options.set("ca_file", server()->ca_file());
  return must(avio::open_url(url_of(t, query), o), "avio: open_url failed");
}

AVIOContext *lavf_open(const Target &t, const std::string &query) {
  AVIOContext *pb = nullptr;
  AVDictionary *opts = nullptr;
  if (t.tls) {
    av_dict_set(&opts, "ca_file", server()->ca_file().c_str(), 0);
    av_dict_set(&opts, "tls_verify", "1", 0);
  }
  const int r = avio_open2(&pb, url_of(t, query).c_str(), AVIO_FLAG_READ, nullptr, &opts);
  av_dict_free(&opts);
  if (r < 0) die("libavformat: avio_open2 failed");
  return pb;
}

// ---- the passes

Side avio_sequential(const Target &t, const std::shared_ptr<MidPageBytes> &dst) {
  auto tag = std::make_shared<std::string>();
  return {"avio",
          [t, dst, tag](bool verify) {
            avio::IOContext ctx = avio_open(t, begin_pass(*tag));
            uint64_t h = kHashSeed;
            for (;;) {
              avio::Result<size_t> n = ctx.read({dst->data(), dst->size()});
              if (!n) break;
              h = consume(h, dst->data(), *n, verify);
            }
            return h;
          },
          "", traffic(tag)};
}

Side lavf_sequential(const Target &t, const std::shared_ptr<MidPageBytes> &dst) {
  auto tag = std::make_shared<std::string>();
  return {"lavf",
          [t, dst, tag](bool verify) {
            AVIOContext *pb = lavf_open(t, begin_pass(*tag));
            uint64_t h = kHashSeed;
            for (;;) {
              const int n = avio_read(pb, dst->data(), static_cast<int>(dst->size()));
              if (n <= 0) break;
              h = consume(h, dst->data(), static_cast<size_t>(n), verify);
            }
            avio_closep(&pb);
            return h;
          },
          "", traffic(tag)};
}

using Offsets = std::shared_ptr<const std::vector<int64_t>>;

Side avio_random(const std::string &name, const Target &t, const Offsets &offsets, const std::string &variant) {
  auto tag = std::make_shared<std::string>();
  return {name,
          [t, offsets, tag](bool verify) {
            avio::IOContext ctx = avio_open(t, begin_pass(*tag));
            uint8_t record[kRecord];
            uint64_t h = kHashSeed;
            for (int64_t off : *offsets) {
              if (!ctx.seek(off)) die("avio: seek failed");
              avio::Result<size_t> n = ctx.read(record);
              if (!n || *n != kRecord) die("avio: short read");
              h = consume(h, record, kRecord, verify);
            }
            return h;
          },
          variant, traffic(tag)};
}

Side lavf_random(const Target &t, const Offsets &offsets) {
  auto tag = std::make_shared<std::string>();
  return {"lavf",
          [t, offsets, tag](bool verify) {
            AVIOContext *pb = lavf_open(t, begin_pass(*tag));
            uint8_t record[kRecord];
            uint64_t h = kHashSeed;
            for (int64_t off : *offsets) {
              if (avio_seek(pb, off, SEEK_SET) < 0) die("libavformat: seek failed");
              if (avio_read(pb, record, kRecord) != kRecord) die("libavformat: short read");
              h = consume(h, record, kRecord, verify);
            }
            avio_closep(&pb);
            return h;
          },
          "", traffic(tag)};
}

// ---- the workloads

Workload sequential(const Config &config, bool tls, int chunk) {
  const std::string scheme = tls ? "https" : "http";
  const bool big = chunk >= (1 << 20);
  const int64_t size = config.http_file_bytes;
  Workload w;
  w.name = scheme + (big ? "_read_1m" : "_read_4k");
  w.description = scheme + ": sequential read of a " + mib(size) + " file from a local nginx in " +
                  (big ? "1 MiB" : "4 KiB") + " requests" + (tls ? " (both verify the certificate)" : "");
  w.op = big ? "1 MiB read" : "4 KiB read";
  w.ops_per_pass = size / chunk;
  w.bytes_per_pass = size;
  w.target = 1.0;
  w.setup = [file = config.http_file, size] { return serve_file(file, size); };
  auto dst = std::make_shared<MidPageBytes>(static_cast<size_t>(chunk));  // see kPageOffset
  w.sides.push_back(avio_sequential({tls, {}}, dst));
  w.sides.push_back(lavf_sequential({tls, {}}, dst));
  return w;
}

Workload random_reads(const Config &config) {
  const int64_t size = config.http_file_bytes;
  const int64_t count = config.http_seek_ops;
  Workload w;
  w.name = "http_seek_4k";
  w.description = "http: " + std::to_string(count) + " random 4 KiB reads (seek + read) of a " + mib(size) +
                  " file from a local nginx";
  w.op = "seek + 4 KiB read";
  w.ops_per_pass = count;
  w.bytes_per_pass = count * kRecord;
  w.target = 3.0;
  w.setup = [file = config.http_file, size] { return serve_file(file, size); };
  const Offsets offsets = std::make_shared<const std::vector<int64_t>>(
      random_offsets(static_cast<size_t>(count), size - kRecord, 0x68747470));
  w.sides.push_back(avio_random("avio", {false, {}}, offsets, ""));
  w.sides.push_back(avio_random("avio_rs64k", {false, {{"request_size", "65536"}}}, offsets, "request_size=65536"));
  w.sides.push_back(avio_random("avio_rs64k_ss64k", {false, {{"request_size", "65536"}, {"short_seek_size", "65536"}}},
                                offsets, "request_size=65536 short_seek_size=65536"));
  w.sides.push_back(lavf_random({false, {}}, offsets));
  return w;
}

}  // namespace

void register_http_workloads(std::vector<Workload> &out, const Config &config) {
  if (config.http_file.empty()) return;
  for (bool tls : {false, true})
    for (int chunk : {4096, 1 << 20}) out.push_back(sequential(config, tls, chunk));
  out.push_back(random_reads(config));
}

}  // namespace avio_bench
