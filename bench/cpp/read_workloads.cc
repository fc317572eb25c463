// Reading from a memory read callback: the integer readers, in-buffer seeks,
// and bulk reads through the buffer, past it, and without a copy (peek).
#include <vector>

#include "contexts.hpp"
#include "workloads.hpp"

namespace avio_bench {
namespace {

// Folds one value into a checksum: a plain sum when timed (one cycle, so the
// consumer does not hide the reader's cost), a real hash when verifying.
template <bool kVerify>
inline uint64_t fold(uint64_t h, uint64_t v) {
  if constexpr (kVerify) return (h ^ v) * 1099511628211ull;
  return h + v;
}

// `n` calls of `read_one`. The count is a parameter, so that it lives in a
// register: a field of a closure would be reloaded after every call that may
// write memory, on either side.
template <bool kVerify, class ReadOne>
uint64_t read_loop(int64_t n, ReadOne &read_one) {
  uint64_t h = kHashSeed;
  for (int64_t i = 0; i < n; ++i) h = fold<kVerify>(h, read_one());
  return h;
}

// `count` calls of one integer reader on each side.
template <class AvioRead, class LavfRead>
Workload integer_reader(const Config &config, const std::string &name, int width, double target, AvioRead avio_read,
                        LavfRead lavf_read) {
  const int64_t size = config.memory_bytes;
  const int64_t count = size / width;
  Workload w;
  w.name = name;
  w.description = name + " over " + mib(size) + " from a memory read callback";
  w.op = name + " call";
  w.ops_per_pass = count;
  w.bytes_per_pass = count * width;
  w.target = target;
  const MidPageBytes &data = test_bytes(static_cast<size_t>(size));
  auto loop = [count](auto &&read_one, bool verify) {
    return verify ? read_loop<true>(count, read_one) : read_loop<false>(count, read_one);
  };
  w.sides.push_back({"avio", [&data, loop, avio_read](bool verify) {
                       MemorySource src{data.data(), data.size()};
                       avio::IOContext ctx = avio_reader(src);
                       const uint64_t h = loop([&] { return avio_read(ctx); }, verify);
                       return h ^ src.requests;
                     }});
  w.sides.push_back({"lavf", [&data, loop, lavf_read](bool verify) {
                       MemorySource src{data.data(), data.size()};
                       LavfContext ctx = lavf_reader(src);
                       AVIOContext *pb = ctx.get();
                       const uint64_t h = loop([&] { return lavf_read(pb); }, verify);
                       return h ^ src.requests;
                     }});
  return w;
}

// Random seeks inside the buffer, each followed by an rl32: what a parser
// does when it walks an index it has just read.
Workload seek_rl32(const Config &config) {
  const int64_t count = config.seek_ops;
  Workload w;
  w.name = "seek_rl32";
  w.description = "in-buffer random seek + rl32 (" + std::to_string(count) + " pairs in a 32 KiB buffer)";
  w.op = "seek + rl32";
  w.ops_per_pass = count;
  w.bytes_per_pass = count * 4;
  w.target = 5;
  const MidPageBytes &data = test_bytes(static_cast<size_t>(config.memory_bytes));
  auto offsets =
      std::make_shared<std::vector<int64_t>>(random_offsets(static_cast<size_t>(count), kBufferSize - 4, 0x7365656b));
  w.sides.push_back({"avio", [&data, offsets](bool verify) {
                       MemorySource src{data.data(), data.size()};
                       avio::IOContext ctx = avio_reader(src);
                       uint64_t h = ctx.r8();  // the first refill fills the buffer
                       for (int64_t off : *offsets) {
                         (void)ctx.seek(off);
                         h = verify ? fold<true>(h, ctx.rl32()) : fold<false>(h, ctx.rl32());
                       }
                       return h ^ src.requests;
                     }});
  w.sides.push_back({"lavf", [&data, offsets](bool verify) {
                       MemorySource src{data.data(), data.size()};
                       LavfContext ctx = lavf_reader(src);
                       AVIOContext *pb = ctx.get();
                       uint64_t h = static_cast<uint64_t>(avio_r8(pb));
                       for (int64_t off : *offsets) {
                         avio_seek(pb, off, SEEK_SET);
                         h = verify ? fold<true>(h, avio_rl32(pb)) : fold<false>(h, avio_rl32(pb));
                       }
                       return h ^ src.requests;
                     }});
  return w;
}

// Bulk reads of `request` bytes until the stream is consumed.
// With `same_requests`, the checksum also covers the sizes the callback was
// asked for (see MemorySource::requests).
Workload bulk_read(const Config &config, std::string name, int request, double target, bool same_requests = true) {
  const int64_t size = config.memory_bytes;
  Workload w;
  w.name = std::move(name);
  w.op = std::to_string(request >> 10) + " KiB read";
  w.ops_per_pass = size / request;
  w.bytes_per_pass = size;
  w.target = target;
  const MidPageBytes &data = test_bytes(static_cast<size_t>(size));
  auto dst = std::make_shared<MidPageBytes>(static_cast<size_t>(request));  // see kPageOffset
  auto consume = [](uint64_t h, const uint8_t *p, size_t n, bool verify) {
    return verify ? hash_bytes(h, p, n) : touch_bytes(h, p, n);
  };
  w.sides.push_back({"avio", [&data, dst, consume, same_requests](bool verify) {
                       MemorySource src{data.data(), data.size()};
                       avio::IOContext ctx = avio_reader(src);
                       uint64_t h = kHashSeed;
                       for (;;) {
                         avio::Result<size_t> n = ctx.read({dst->data(), dst->size()});
                         if (!n) break;
                         h = consume(h, dst->data(), *n, verify);
                       }
                       return same_requests ? h ^ src.requests : h;
                     }});
  w.sides.push_back({"lavf", [&data, dst, consume, same_requests](bool verify) {
                       MemorySource src{data.data(), data.size()};
                       LavfContext ctx = lavf_reader(src);
                       uint64_t h = kHashSeed;
                       for (;;) {
                         const int n = avio_read(ctx.get(), dst->data(), static_cast<int>(dst->size()));
                         if (n <= 0) break;
                         h = consume(h, dst->data(), static_cast<size_t>(n), verify);
                       }
                       return same_requests ? h ^ src.requests : h;
                     }});
  return w;
}

// The zero-copy path: peek at 4 KiB in the buffer and consume it, against
// libavformat copying the same 4 KiB out, and against a plain memcpy of the
// same data into a buffer of the same size in the same steps (32 KiB): the
// one copy that a copying read callback makes on every path, so the floor.
Workload peek_4k(const Config &config) {
  constexpr int kRequest = 4096;
  // peek stops at the first EOF, read asks again (avio_feof), so the
  // sides' last callback calls differ: compare the bytes only.
  Workload w = bulk_read(config, "peek_4k", kRequest, 1.6, /*same_requests=*/false);
  w.description = "zero-copy peek 4 KiB from a memory callback (" + mib(config.memory_bytes) +
                  "; lavf: avio_read 4 KiB; memcpy: the same data in 32 KiB copies)";
  w.op = "4 KiB peek";
  const MidPageBytes &data = test_bytes(static_cast<size_t>(config.memory_bytes));
  w.sides[0] = {"avio", [&data](bool verify) {
                  MemorySource src{data.data(), data.size()};
                  avio::IOContext ctx = avio_reader(src);
                  uint64_t h = kHashSeed;
                  for (;;) {
                    avio::Result<std::span<const uint8_t>> v = ctx.peek(kRequest);
                    if (!v) break;
                    h = verify ? hash_bytes(h, v->data(), v->size()) : touch_bytes(h, v->data(), v->size());
                    ctx.consume(v->size());
                  }
                  return h;
                }};
  w.sides.push_back({"memcpy", [&data](bool verify) {
                       // The library's memcpy, as the callback calls it (a known
                       // size would let the compiler inline its own copy).
                       static void *(*volatile copy)(void *, const void *, size_t) = std::memcpy;
                       static uint8_t *buffer = static_cast<uint8_t *>(std::aligned_alloc(4096, kBufferSize));
                       uint64_t h = kHashSeed;
                       for (size_t off = 0; off < data.size(); off += kBufferSize) {
                         const size_t n = std::min<size_t>(kBufferSize, data.size() - off);
                         copy(buffer, data.data() + off, n);
                         for (size_t at = 0; at < n; at += kRequest) {
                           const size_t len = std::min<size_t>(kRequest, n - at);
                           h = verify ? hash_bytes(h, buffer + at, len) : touch_bytes(h, buffer + at, len);
                         }
                       }
                       return h;
                     }});
  return w;
}

}  // namespace

void register_read_workloads(std::vector<Workload> &out, const Config &config) {
  out.push_back(integer_reader(
      config, "r8", 1, 4, [](avio::IOContext &c) { return c.r8(); }, [](AVIOContext *pb) { return avio_r8(pb); }));
  out.push_back(integer_reader(
      config, "rl32", 4, 8, [](avio::IOContext &c) { return c.rl32(); },
      [](AVIOContext *pb) { return avio_rl32(pb); }));
  out.push_back(integer_reader(
      config, "rb32", 4, 8, [](avio::IOContext &c) { return c.rb32(); },
      [](AVIOContext *pb) { return avio_rb32(pb); }));
  out.push_back(integer_reader(
      config, "rb64", 8, 8, [](avio::IOContext &c) { return c.rb64(); },
      [](AVIOContext *pb) { return avio_rb64(pb); }));
  out.push_back(seek_rl32(config));
  Workload read4k = bulk_read(config, "read_4k", 4096, 1.0);
  read4k.description = "read in 4 KiB requests from a memory callback (" + mib(config.memory_bytes) + ")";
  out.push_back(std::move(read4k));
  out.push_back(peek_4k(config));
  Workload read1m = bulk_read(config, "read_1m", 1 << 20, 1.0);
  read1m.description = "read in 1 MiB requests, past the buffer (" + mib(config.memory_bytes) + ")";
  out.push_back(std::move(read1m));
}

}  // namespace avio_bench
