// Writing small integers, into a dynamic buffer (avio_open_dyn_buf) and
// through a write callback.
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

uint64_t hash_output(const uint8_t *data, size_t size, bool verify) {
  const uint64_t h = verify ? hash_bytes(kHashSeed, data, size) : touch_bytes(kHashSeed, data, size);
  return h ^ size;
}

Workload writer_workload(const Config &config, const std::string &call, int width, bool dynbuf) {
  const int64_t count = config.memory_bytes / width;
  Workload w;
  w.name = call + (dynbuf ? "_dynbuf" : "_callback");
  w.description = call + " x " + std::to_string(count) + " (" + mib(count * width) + ") into " +
                  (dynbuf ? "a dynamic buffer" : "a write callback");
  w.op = call + " call";
  w.ops_per_pass = count;
  w.bytes_per_pass = count * width;
  w.target = 4;
  const bool bytes = width == 1;
  if (dynbuf) {
    w.sides.push_back({"avio", [count, bytes](bool verify) {
                         avio::IOContext ctx = avio::IOContext::dynamic_buffer();
                         if (bytes)
                           write_loop(count, true, [&](uint32_t v) { ctx.w8(static_cast<uint8_t>(v)); });
                         else
                           write_loop(count, false, [&](uint32_t v) { ctx.wl32(v); });
                         avio::PaddedBytes out = must(ctx.close_dynamic_buffer(), "avio: dynamic buffer failed");
                         return hash_output(out.data(), out.size(), verify);
                       }});
    w.sides.push_back({"lavf", [count, bytes](bool verify) {
                         AVIOContext *pb = nullptr;
                         if (avio_open_dyn_buf(&pb) < 0) die("libavformat: no dynamic buffer");
                         if (bytes)
                           write_loop(count, true, [pb](uint32_t v) { avio_w8(pb, static_cast<int>(v)); });
                         else
                           write_loop(count, false, [pb](uint32_t v) { avio_wl32(pb, v); });
                         uint8_t *data = nullptr;
                         const int size = avio_close_dyn_buf(pb, &data);
                         const uint64_t h = hash_output(data, static_cast<size_t>(size), verify);
                         av_free(data);
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
  for (bool dynbuf : {true, false}) {
    out.push_back(writer_workload(config, "w8", 1, dynbuf));
    out.push_back(writer_workload(config, "wl32", 4, dynbuf));
  }
}

}  // namespace avio_bench
