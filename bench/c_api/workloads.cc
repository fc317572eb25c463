// The C API workloads, written once against FFmpeg's names. This file is
// compiled twice: against avio's C API (AVIO_BENCH_SIDE "avio_c") and against
// the system libavformat (AVIO_BENCH_SIDE "lavf", AVIO_BENCH_LAVF), into two
// programs that bench/run starts one after the other on the same workloads.
extern "C" {
#include <libavformat/avio.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "harness/data.hpp"
#include "workloads.hpp"

namespace avio_bench {
namespace {

constexpr int kBufferSize = 32768;

// FFmpeg 7 (and avio) made write_packet's buffer const; 5.1 has it mutable.
#ifdef AVIO_BENCH_LAVF
using WriteBuffer = uint8_t *;
#else
using WriteBuffer = const uint8_t *;
#endif

[[noreturn]] void die(const char *what) {
  std::fprintf(stderr, "avio bench (%s): %s\n", AVIO_BENCH_SIDE, what);
  std::abort();
}

int read_memory(void *opaque, uint8_t *buf, int size) {
  const size_t n = static_cast<MemorySource *>(opaque)->read(buf, static_cast<size_t>(size));
  return n ? static_cast<int>(n) : AVERROR_EOF;
}

int write_sink(void *opaque, WriteBuffer buf, int size) {
  static_cast<Sink *>(opaque)->consume(buf, static_cast<size_t>(size));
  return size;
}

// The I/O buffer is page-aligned in both programs, the data and the 4 KiB
// destination start mid-page (kPageOffset): how fast a copy runs depends on
// where source and destination fall within a page, and av_malloc's placement
// differs between the two libraries' heaps, which would hand one side a
// layout the other lacks. (av_free is free() in both, so it releases
// aligned_alloc's memory.)
unsigned char *io_buffer() {
  auto *buffer = static_cast<unsigned char *>(std::aligned_alloc(4096, kBufferSize));
  if (!buffer) die("out of memory");
  return buffer;
}

AVIOContext *open_reader(MemorySource &src) {
  AVIOContext *pb = avio_alloc_context(io_buffer(), kBufferSize, 0, &src, read_memory, nullptr, nullptr);
  if (!pb) die("avio_alloc_context failed");
  return pb;
}

AVIOContext *open_writer(Sink &sink) {
  AVIOContext *pb = avio_alloc_context(io_buffer(), kBufferSize, 1, &sink, nullptr, write_sink, nullptr);
  if (!pb) die("avio_alloc_context failed");
  return pb;
}

void close_custom(AVIOContext *pb) {
  if (pb->write_flag) avio_flush(pb);
  av_freep(&pb->buffer);
  avio_context_free(&pb);
}

// The loops take their counts as parameters, so that the counts live in
// registers: a closure's field would be reloaded after every byte stored.
uint64_t read_r8(AVIOContext *pb, int64_t n, bool verify) {
  uint64_t h = kHashSeed;
  if (verify)
    for (int64_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned>(avio_r8(pb))) * 1099511628211ull;
  else
    for (int64_t i = 0; i < n; ++i) h += static_cast<unsigned>(avio_r8(pb));
  return h;
}

uint64_t read_rl32(AVIOContext *pb, int64_t n, bool verify) {
  uint64_t h = kHashSeed;
  if (verify)
    for (int64_t i = 0; i < n; ++i) h = (h ^ avio_rl32(pb)) * 1099511628211ull;
  else
    for (int64_t i = 0; i < n; ++i) h += avio_rl32(pb);
  return h;
}

void write_w8(AVIOContext *pb, int64_t n) {
  for (int64_t i = 0; i < n; ++i) avio_w8(pb, static_cast<uint8_t>(i));
}

std::string mib(int64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

Workload make(std::string name, std::string description, std::string op, int64_t ops, int64_t bytes, Pass pass) {
  Workload w;
  w.name = std::move(name);
  w.description = std::move(description);
  w.op = std::move(op);
  w.ops_per_pass = ops;
  w.bytes_per_pass = bytes;
  w.target = 1.0;
  w.sides.push_back({AVIO_BENCH_SIDE, std::move(pass)});
  return w;
}

}  // namespace

void register_c_api_workloads(std::vector<Workload> &out, const Config &config) {
  const int64_t size = config.memory_bytes;
  const MidPageBytes &data = test_bytes(static_cast<size_t>(size));

  out.push_back(make("c_r8", "C API: avio_r8 over " + mib(size) + " from a memory callback", "avio_r8 call", size, size,
                     [&data, size](bool verify) {
                       MemorySource src{data.data(), data.size()};
                       AVIOContext *pb = open_reader(src);
                       const uint64_t h = read_r8(pb, size, verify);
                       close_custom(pb);
                       return h ^ src.requests;
                     }));

  const int64_t words = size / 4;
  out.push_back(make("c_rl32", "C API: avio_rl32 over " + mib(size) + " from a memory callback", "avio_rl32 call",
                     words, words * 4, [&data, words](bool verify) {
                       MemorySource src{data.data(), data.size()};
                       AVIOContext *pb = open_reader(src);
                       const uint64_t h = read_rl32(pb, words, verify);
                       close_custom(pb);
                       return h ^ src.requests;
                     }));

  out.push_back(make("c_read_4k", "C API: avio_read in 4 KiB requests from a memory callback (" + mib(size) + ")",
                     "4 KiB avio_read", size / 4096, size, [&data](bool verify) {
                       MemorySource src{data.data(), data.size()};
                       AVIOContext *pb = open_reader(src);
                       alignas(4096) uint8_t page[2 * 4096];  // see io_buffer()
                       uint8_t *const dst = page + kPageOffset;
                       uint64_t h = kHashSeed;
                       for (;;) {
                         const int n = avio_read(pb, dst, 4096);
                         if (n <= 0) break;
                         h = verify ? hash_bytes(h, dst, static_cast<size_t>(n))
                                    : touch_bytes(h, dst, static_cast<size_t>(n));
                       }
                       close_custom(pb);
                       return h ^ src.requests;
                     }));

  // Dynamic buffers of a muxer's size, one after another (see the C++ w8_dynbuf).
  const int64_t per_buffer = std::min<int64_t>(size, int64_t{1} << 20);
  const int64_t buffers = size / per_buffer;
  out.push_back(make("c_w8_dynbuf",
                     "C API: avio_w8 x " + std::to_string(size) + " into " + std::to_string(buffers) +
                         " dynamic buffers of " + mib(per_buffer),
                     "avio_w8 call", buffers * per_buffer, buffers * per_buffer, [buffers, per_buffer](bool verify) {
                       uint64_t h = kHashSeed;
                       for (int64_t b = 0; b < buffers; ++b) {
                         AVIOContext *pb = nullptr;
                         if (avio_open_dyn_buf(&pb) < 0) die("avio_open_dyn_buf failed");
                         write_w8(pb, per_buffer);
                         uint8_t *buf = nullptr;
                         const int n = avio_close_dyn_buf(pb, &buf);
                         h = (verify ? hash_bytes(h, buf, static_cast<size_t>(n))
                                     : touch_bytes(h, buf, static_cast<size_t>(n))) ^
                             static_cast<uint64_t>(n);
                         av_free(buf);
                       }
                       return h;
                     }));

  out.push_back(make("c_w8_callback", "C API: avio_w8 x " + std::to_string(size) + " into a write callback",
                     "avio_w8 call", size, size, [size](bool verify) {
                       Sink sink{verify};
                       AVIOContext *pb = open_writer(sink);
                       write_w8(pb, size);
                       close_custom(pb);
                       return sink.result();
                     }));
}

}  // namespace avio_bench
