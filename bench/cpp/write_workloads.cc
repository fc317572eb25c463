// Writing small integers: into dynamic buffers (avio_open_dyn_buf) of a
// muxer's size (1 MiB, one after another), into one large dynamic buffer,
// and through a write callback.
#include "contexts.hpp"
#include "workloads.hpp"

namespace avio_bench {
namespace {

// `n` writes of a value derived from the counter, as a muxer's fields are.
// The count is a parameter so that it stays in a register (see read_workloads.cc).
template <class WriteOne>
void write_loop(int64_t n, bool bytes, WriteOne write_one) {
  if (bytes)
    for (int64_t i = 0; i < n; ++i) write_one(static_cast<uint32_t>(i) & 0xff);
  else
    for (int64_t i = 0; i < n; ++i) write_one(static_cast<uint32_t>(i * 0x9e3779b1));
}

uint64_t hash_output(uint64_t h, const uint8_t *data, size_t size, bool verify) {
  return (verify ? hash_bytes(h, data, size) : touch_bytes(h, data, size)) ^ size;
}

enum class Into { kDynamicBuffers, kOneDynamicBuffer, kCallback };

Workload writer_workload(const Config &config, const std::string &call, int width, Into kind) {
  constexpr int64_t kMuxerBuffer = int64_t{1} << 20;
  const int64_t total = config.memory_bytes;
  // Dynamic buffers: `buffers` of `per_buffer` calls each.
  const int64_t buffers = kind == Into::kDynamicBuffers ? std::max<int64_t>(1, total / kMuxerBuffer) : 1;
  const int64_t per_buffer = (kind == Into::kDynamicBuffers ? std::min(total, kMuxerBuffer) : total) / width;
  const int64_t count = buffers * per_buffer;
  Workload w;
  w.op = call + " call";
  w.ops_per_pass = count;
  w.bytes_per_pass = count * width;
  w.target = 4;
  const std::string what = call + " x " + std::to_string(count) + " (" + mib(count * width) + ") into ";
  const bool bytes = width == 1;
  switch (kind) {
    case Into::kDynamicBuffers:
      w.name = call + "_dynbuf";
      w.description = what + std::to_string(buffers) + " dynamic buffers of " + mib(per_buffer * width);
      break;
    case Into::kOneDynamicBuffer:
      w.name = call + "_dynbuf_large";
      w.description = what + "one dynamic buffer";
      w.note = "fresh memory: page faults, the same on both sides, dominate";
      break;
    case Into::kCallback:
      w.name = call + "_callback";
      w.description = what + "a write callback";
      break;
  }
  if (kind != Into::kCallback) {
    w.sides.push_back({"avio", [buffers, per_buffer, bytes](bool verify) {
                         uint64_t h = kHashSeed;
                         for (int64_t b = 0; b < buffers; ++b) {
                           avio::IOContext ctx = avio::IOContext::dynamic_buffer();
                           if (bytes)
                             write_loop(per_buffer, true, [&](uint32_t v) { ctx.w8(static_cast<uint8_t>(v)); });
                           else
                             write_loop(per_buffer, false, [&](uint32_t v) { ctx.wl32(v); });
                           avio::PaddedBytes out = must(ctx.close_dynamic_buffer(), "avio: dynamic buffer failed");
                           h = hash_output(h, out.data(), out.size(), verify);
                         }
                         return h;
                       }});
    w.sides.push_back({"lavf", [buffers, per_buffer, bytes](bool verify) {
                         uint64_t h = kHashSeed;
                         for (int64_t b = 0; b < buffers; ++b) {
                           AVIOContext *pb = nullptr;
                           if (avio_open_dyn_buf(&pb) < 0) die("libavformat: no dynamic buffer");
                           if (bytes)
                             write_loop(per_buffer, true, [pb](uint32_t v) { avio_w8(pb, static_cast<int>(v)); });
                           else
                             write_loop(per_buffer, false, [pb](uint32_t v) { avio_wl32(pb, v); });
                           uint8_t *data = nullptr;
                           const int size = avio_close_dyn_buf(pb, &data);
                           h = hash_output(h, data, static_cast<size_t>(size), verify);
                           av_free(data);
                         }
                         return h;
                       }});
  } else {
    w.sides.push_back({"avio", [count, bytes](bool verify) {
                         Sink sink{verify};
                         {
                           avio::IOContext ctx = avio_writer(sink);
                           if (bytes)
                             write_loop(count, true, [&](uint32_t v) { ctx.w8(static_cast<uint8_t>(v)); });
                           else
                             write_loop(count, false, [&](uint32_t v) { ctx.wl32(v); });
                           if (!ctx.close()) die("avio: write failed");
                         }
                         return sink.result();
                       }});
    w.sides.push_back({"lavf", [count, bytes](bool verify) {
                         Sink sink{verify};
                         {
                           LavfContext ctx = lavf_writer(sink);
                           AVIOContext *pb = ctx.get();
                           if (bytes)
                             write_loop(count, true, [pb](uint32_t v) { avio_w8(pb, static_cast<int>(v)); });
                           else
                             write_loop(count, false, [pb](uint32_t v) { avio_wl32(pb, v); });
                         }  // flushed by ~LavfContext
                         return sink.result();
                       }});
  }
  return w;
}

}  // namespace

void register_write_workloads(std::vector<Workload> &out, const Config &config) {
  for (Into kind : {Into::kDynamicBuffers, Into::kCallback, Into::kOneDynamicBuffer}) {
    out.push_back(writer_workload(config, "w8", 1, kind));
    out.push_back(writer_workload(config, "wl32", 4, kind));
  }
}

}  // namespace avio_bench
