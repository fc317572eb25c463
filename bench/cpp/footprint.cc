// Peak memory of one context, avio against libavformat: the heap a context
// holds at its highest point while it is opened, read or written and
// sought, plus (for avio) the IOContext object itself, which lives in the
// caller's storage rather than on the heap.
//
// The program counts every allocation itself: it replaces malloc and its
// relatives with wrappers that keep a running total of the bytes handed out
// (malloc_usable_size, so the allocator's slack counts too) and its maximum.
// Prints one JSON object per scenario.
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "avio/url.hpp"
#include "contexts.hpp"
#include "harness/data.hpp"

extern "C" {
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *p);
}

namespace {

size_t g_live = 0;
size_t g_peak = 0;

void *noted(void *p) {
  if (p) {
    g_live += malloc_usable_size(p);
    if (g_live > g_peak) g_peak = g_live;
  }
  return p;
}

void forget(void *p) {
  if (p) g_live -= malloc_usable_size(p);
}

}  // namespace

extern "C" {
void *malloc(size_t size) { return noted(__libc_malloc(size)); }
void *calloc(size_t count, size_t size) { return noted(__libc_calloc(count, size)); }
void free(void *p) {
  forget(p);
  __libc_free(p);
}
void *realloc(void *p, size_t size) {
  const size_t old = p ? malloc_usable_size(p) : 0;
  void *q = __libc_realloc(p, size);
  if (q || size == 0) {
    g_live -= old;
    noted(q);
  }
  return q;
}
void *memalign(size_t alignment, size_t size) { return noted(__libc_memalign(alignment, size)); }
void *aligned_alloc(size_t alignment, size_t size) { return noted(__libc_memalign(alignment, size)); }
int posix_memalign(void **out, size_t alignment, size_t size) {
  void *p = noted(__libc_memalign(alignment, size));
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
void *valloc(size_t size) { return noted(__libc_memalign(static_cast<size_t>(getpagesize()), size)); }
}

namespace avio_bench {
namespace {

// The peak of live heap bytes above what was live when `work` started.
size_t peak_of(const std::function<void()> &work) {
  const size_t base = g_live;
  g_peak = g_live;
  work();
  return g_peak - base;
}

constexpr size_t kChunk = 4096;

// avio's figure is its heap plus its IOContext object; both parts are printed too.
void report(const char *scenario, const char *description, size_t avio_heap, size_t lavf_bytes) {
  const size_t object = sizeof(avio::IOContext);
  std::printf(
      "{\"scenario\": \"%s\", \"description\": \"%s\", \"avio_bytes\": %zu, \"avio_heap_bytes\": %zu, "
      "\"avio_object_bytes\": %zu, \"lavf_bytes\": %zu}\n",
      scenario, description, avio_heap + object, avio_heap, object, lavf_bytes);
}

// The same steps on both sides: 1 MiB of 4 KiB reads, then 100 seeks with a
// 16-byte read each.
// The offsets are made beforehand, so that their vector counts for neither side.
const std::vector<int64_t> &seek_offsets() {
  static const std::vector<int64_t> offsets = random_offsets(100, 4 << 20, 7);
  return offsets;
}

template <class Read, class Seek>
void exercise(Read read, Seek seek) {
  uint8_t dst[kChunk];
  for (int i = 0; i < 256; ++i) read(dst, kChunk);
  for (int64_t off : seek_offsets()) {
    seek(off);
    read(dst, 16);
  }
}

int run(const std::string &path) {
  constexpr int64_t kSize = int64_t{8} << 20;
  const MidPageBytes &data = test_bytes(static_cast<size_t>(kSize));
  if (std::string why = prepare_file(path, kSize); !why.empty()) {
    std::fprintf(stderr, "%s\n", why.c_str());
    return 1;
  }
  const std::string url = "file:" + path;
  const std::string out_url = "file:" + path + ".out";
  (void)seek_offsets();

  // One round of each first, so that one-time set-up (protocol tables,
  // static state) counts for neither side.
  for (int warm = 0; warm < 2; ++warm) {
    const bool counted = warm == 1;
    const size_t avio_cb = peak_of([&] {
      MemorySource src{data.data(), data.size()};
      avio::IOContext ctx = avio_reader(src);
      exercise([&](uint8_t *p, size_t n) { (void)ctx.read({p, n}); }, [&](int64_t off) { (void)ctx.seek(off); });
    });
    const size_t lavf_cb = peak_of([&] {
      MemorySource src{data.data(), data.size()};
      LavfContext ctx = lavf_reader(src);
      exercise([&](uint8_t *p, size_t n) { avio_read(ctx.get(), p, static_cast<int>(n)); },
               [&](int64_t off) { avio_seek(ctx.get(), off, SEEK_SET); });
    });
    const size_t avio_file = peak_of([&] {
      avio::IOContext ctx = must(avio::open_url(url, avio::kOpenRead), "avio: open_url failed");
      exercise([&](uint8_t *p, size_t n) { (void)ctx.read({p, n}); }, [&](int64_t off) { (void)ctx.seek(off); });
    });
    const size_t lavf_file = peak_of([&] {
      AVIOContext *pb = nullptr;
      if (avio_open2(&pb, url.c_str(), AVIO_FLAG_READ, nullptr, nullptr) < 0) die("avio_open2 failed");
      exercise([&](uint8_t *p, size_t n) { avio_read(pb, p, static_cast<int>(n)); },
               [&](int64_t off) { avio_seek(pb, off, SEEK_SET); });
      avio_closep(&pb);
    });
    const size_t avio_writer_bytes = peak_of([&] {
      avio::IOContext ctx = must(avio::open_url(out_url, avio::kOpenWrite), "avio: open_url failed");
      for (size_t off = 0; off < (size_t{1} << 20); off += kChunk) ctx.write({data.data() + off, kChunk});
      if (!ctx.close()) die("avio: write failed");
    });
    const size_t lavf_writer_bytes = peak_of([&] {
      AVIOContext *pb = nullptr;
      if (avio_open2(&pb, out_url.c_str(), AVIO_FLAG_WRITE, nullptr, nullptr) < 0) die("avio_open2 failed");
      for (size_t off = 0; off < (size_t{1} << 20); off += kChunk)
        avio_write(pb, data.data() + off, static_cast<int>(kChunk));
      avio_closep(&pb);
    });
    unlink((path + ".out").c_str());
    if (!counted) continue;
    report("memory_callback_reader", "reader over a memory read callback", avio_cb, lavf_cb);
    report("file_reader", "file: reader", avio_file, lavf_file);
    report("file_writer", "file: writer", avio_writer_bytes, lavf_writer_bytes);
  }
  return 0;
}

}  // namespace
}  // namespace avio_bench

int main(int argc, char **argv) {
  std::string path = "/tmp/avio-bench-footprint.bin";
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--file=", 7) == 0) path = argv[i] + 7;
  return avio_bench::run(path);
}
