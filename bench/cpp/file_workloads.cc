// Files through the `file:` protocol on both sides (avio::open_url and
// avio_open2): a sequential read of a page-cached file in 4 KiB and in
// 64 KiB requests and by rl32 (avio's open_url reads ahead there: its
// refills grow from 32 KiB to 1 MiB, where libavformat's stay at 32 KiB), a
// sequential write in 4 KiB chunks, and a seek-heavy parse (random 16-byte
// reads). The files are made by the harness under the paths bench/run gives.
#include <unistd.h>

#include "avio/url.hpp"
#include "contexts.hpp"
#include "workloads.hpp"

namespace avio_bench {
namespace {

constexpr int kChunk = 4096;

avio::IOContext avio_open(const std::string &path, int flags) {
  return must(avio::open_url("file:" + path, flags), "avio: open_url failed");
}

AVIOContext *lavf_open(const std::string &path, int flags) {
  AVIOContext *pb = nullptr;
  if (avio_open2(&pb, ("file:" + path).c_str(), flags, nullptr, nullptr) < 0) die("libavformat: avio_open2 failed");
  return pb;
}

uint64_t consume(uint64_t h, const uint8_t *p, size_t n, bool verify) {
  return verify ? hash_bytes(h, p, n) : touch_bytes(h, p, n);
}

// The target for a sequential read through avio's read-ahead.
constexpr double kReadAheadTarget = 1.25;

Workload sequential_read(const Config &config, int chunk) {
  const std::string path = config.read_file;
  const int64_t size = config.read_file_bytes;
  const std::string kib = std::to_string(chunk / 1024) + " KiB";
  Workload w;
  w.name = "file_read_" + std::to_string(chunk / 1024) + "k";
  w.description = "file: sequential read of a " + mib(size) + " page-cached file in " + kib + " requests";
  w.op = kib + " read";
  w.ops_per_pass = size / chunk;
  w.bytes_per_pass = size;
  w.target = kReadAheadTarget;
  w.setup = [path, size] { return prepare_file(path, size); };
  auto dst = std::make_shared<MidPageBytes>(static_cast<size_t>(chunk));  // see kPageOffset
  w.sides.push_back({"avio", [path, dst](bool verify) {
                       avio::IOContext ctx = avio_open(path, avio::kOpenRead);
                       uint64_t h = kHashSeed;
                       for (;;) {
                         avio::Result<size_t> n = ctx.read({dst->data(), dst->size()});
                         if (!n) break;
                         h = consume(h, dst->data(), *n, verify);
                       }
                       return h;
                     }});
  w.sides.push_back({"lavf", [path, dst](bool verify) {
                       AVIOContext *pb = lavf_open(path, AVIO_FLAG_READ);
                       uint64_t h = kHashSeed;
                       for (;;) {
                         const int n = avio_read(pb, dst->data(), static_cast<int>(dst->size()));
                         if (n <= 0) break;
                         h = consume(h, dst->data(), static_cast<size_t>(n), verify);
                       }
                       avio_closep(&pb);
                       return h;
                     }});
  return w;
}

// A parser's reads: rl32 to the end of the file.
Workload sequential_rl32(const Config &config) {
  const std::string path = config.read_file;
  const int64_t size = config.read_file_bytes;
  const int64_t count = size / 4;
  Workload w;
  w.name = "file_rl32";
  w.description = "file: rl32 over a " + mib(size) + " page-cached file";
  w.op = "rl32 call";
  w.ops_per_pass = count;
  w.bytes_per_pass = count * 4;
  w.target = kReadAheadTarget;
  w.setup = [path, size] { return prepare_file(path, size); };
  // A sum when timed (one cycle per value), a hash when verifying. The count
  // is a parameter so that it stays in a register.
  const auto loop = [](int64_t n, bool verify, auto &&read_one) {
    uint64_t h = kHashSeed;
    if (verify) {
      for (int64_t i = 0; i < n; ++i) h = (h ^ read_one()) * 1099511628211ull;
    } else {
      for (int64_t i = 0; i < n; ++i) h += read_one();
    }
    return h;
  };
  w.sides.push_back({"avio", [path, count, loop](bool verify) {
                       avio::IOContext ctx = avio_open(path, avio::kOpenRead);
                       return loop(count, verify, [&] { return ctx.rl32(); });
                     }});
  w.sides.push_back({"lavf", [path, count, loop](bool verify) {
                       AVIOContext *pb = lavf_open(path, AVIO_FLAG_READ);
                       const uint64_t h = loop(count, verify, [&] { return avio_rl32(pb); });
                       avio_closep(&pb);
                       return h;
                     }});
  return w;
}

// The written file is read back (outside the timed work only when verifying)
// so that both sides are checked on what reached the file.
uint64_t file_checksum(const std::string &path, bool verify) {
  if (!verify) return 0;
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) die("cannot reopen the written file");
  uint64_t h = kHashSeed;
  std::vector<uint8_t> chunk(1 << 20);
  size_t n;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), f)) > 0) h = hash_bytes(h, chunk.data(), n);
  std::fclose(f);
  return h;
}

Workload sequential_write(const Config &config) {
  const std::string path = config.write_file;
  const int64_t size = config.write_file_bytes;
  Workload w;
  w.name = "file_write_4k";
  w.description = "file: write of " + mib(size) + " in 4 KiB chunks";
  w.op = "4 KiB write";
  w.ops_per_pass = size / kChunk;
  w.bytes_per_pass = size;
  w.target = 1.0;
  const MidPageBytes &data = test_bytes(static_cast<size_t>(size));
  w.sides.push_back({"avio", [path, &data](bool verify) {
                       {
                         avio::IOContext ctx = avio_open(path, avio::kOpenWrite);
                         for (size_t off = 0; off < data.size(); off += kChunk)
                           ctx.write({data.data() + off, std::min<size_t>(kChunk, data.size() - off)});
                         if (!ctx.close()) die("avio: writing the file failed");
                       }
                       const uint64_t h = file_checksum(path, verify);
                       unlink(path.c_str());
                       return h;
                     }});
  w.sides.push_back({"lavf", [path, &data](bool verify) {
                       AVIOContext *pb = lavf_open(path, AVIO_FLAG_WRITE);
                       for (size_t off = 0; off < data.size(); off += kChunk)
                         avio_write(pb, data.data() + off,
                                    static_cast<int>(std::min<size_t>(kChunk, data.size() - off)));
                       if (avio_closep(&pb) < 0) die("libavformat: writing the file failed");
                       const uint64_t h = file_checksum(path, verify);
                       unlink(path.c_str());
                       return h;
                     }});
  return w;
}

// What a demuxer walking an index does: seek anywhere, read a small record.
Workload seek_parse(const Config &config) {
  constexpr int kRecord = 16;
  const std::string path = config.seek_file;
  const int64_t size = config.seek_file_bytes;
  const int64_t count = config.seek_ops;
  Workload w;
  w.name = "file_seek_read16";
  w.description = "seek-heavy parse: " + std::to_string(count) + " random 16-byte reads at random offsets of a " +
                  mib(size) + " file through file:";
  w.op = "seek + 16-byte read";
  w.ops_per_pass = count;
  w.bytes_per_pass = count * kRecord;
  w.target = 1.0;
  w.setup = [path, size] { return prepare_file(path, size); };
  auto offsets =
      std::make_shared<std::vector<int64_t>>(random_offsets(static_cast<size_t>(count), size - kRecord, 0x70617273));
  w.sides.push_back({"avio", [path, offsets](bool verify) {
                       avio::IOContext ctx = avio_open(path, avio::kOpenRead);
                       uint8_t record[kRecord];
                       uint64_t h = kHashSeed;
                       for (int64_t off : *offsets) {
                         if (!ctx.seek(off)) die("avio: seek failed");
                         avio::Result<size_t> n = ctx.read(record);
                         if (!n || *n != kRecord) die("avio: short read");
                         h = consume(h, record, kRecord, verify);
                       }
                       return h;
                     }});
  w.sides.push_back({"lavf", [path, offsets](bool verify) {
                       AVIOContext *pb = lavf_open(path, AVIO_FLAG_READ);
                       uint8_t record[kRecord];
                       uint64_t h = kHashSeed;
                       for (int64_t off : *offsets) {
                         if (avio_seek(pb, off, SEEK_SET) < 0) die("libavformat: seek failed");
                         if (avio_read(pb, record, kRecord) != kRecord) die("libavformat: short read");
                         h = consume(h, record, kRecord, verify);
                       }
                       avio_closep(&pb);
                       return h;
                     }});
  return w;
}

}  // namespace

void register_file_workloads(std::vector<Workload> &out, const Config &config) {
  if (!config.read_file.empty()) {
    out.push_back(sequential_read(config, 4096));
    out.push_back(sequential_read(config, 65536));
    out.push_back(sequential_rl32(config));
  }
  if (!config.write_file.empty()) out.push_back(sequential_write(config));
  if (!config.seek_file.empty()) out.push_back(seek_parse(config));
}

}  // namespace avio_bench
