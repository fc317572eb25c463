// Peak memory of one context, avio against libavformat: the heap a context
// holds at its highest point while it is opened, read or written and
// sought, plus (for avio) the IOContext object itself, which lives in the
// caller's storage rather than on the heap.
//
// The program counts every allocation itself: it replaces malloc and its
// relatives with wrappers that keep a running total of the bytes handed out
// and its maximum. Each allocation is charged what glibc's allocator charges
// for a request of its size (its chunk, less the chunk header: so rounding
// counts), not malloc_usable_size, which also counts whatever free remnant
// the allocator happened to leave attached to the chunk: that depends on
// the heap's history, and made the figures move by tens of bytes from run
// to run. Prints one JSON object per scenario.
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

// glibc's own allocator entry points, which the wrappers below forward to.
// NOLINTBEGIN(readability-identifier-naming): glibc's names
extern "C" {
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *p);
}
// NOLINTEND(readability-identifier-naming)

namespace {

size_t g_live = 0;
size_t g_peak = 0;

// glibc's request2size less the 8-byte header: what a request of `n` costs.
size_t charge_of(size_t n) {
  const size_t chunk = (n + 8 + 15) & ~size_t{15};
  return (chunk < 32 ? 32 : chunk) - 8;
}

// Live allocations and their charges, in static storage (this code runs
// inside malloc). Open addressing with tombstones; an allocation it cannot
// hold (the table is large enough for this program) is charged its usable size.
constexpr size_t kSlots = size_t{1} << 16;
constexpr uintptr_t kTombstone = 1;
uintptr_t g_keys[kSlots];
size_t g_charges[kSlots];

size_t slot_of(uintptr_t key) { return (key >> 4) * 0x9E3779B97F4A7C15ull >> 48; }

void remember(void *p, size_t charge) {
  const auto key = reinterpret_cast<uintptr_t>(p);
  for (size_t i = slot_of(key), n = 0; n < kSlots; i = (i + 1) % kSlots, ++n)
    if (g_keys[i] == 0 || g_keys[i] == kTombstone) {
      g_keys[i] = key;
      g_charges[i] = charge;
      return;
    }
}

// The charge recorded for `p` (and forgets it), or its usable size.
size_t recall(void *p) {
  const auto key = reinterpret_cast<uintptr_t>(p);
  for (size_t i = slot_of(key), n = 0; n < kSlots && g_keys[i] != 0; i = (i + 1) % kSlots, ++n)
    if (g_keys[i] == key) {
      g_keys[i] = kTombstone;
      return g_charges[i];
    }
  return malloc_usable_size(p);
}

void *noted(void *p, size_t size) {
  if (p) {
    const size_t charge = charge_of(size);
    remember(p, charge);
    g_live += charge;
    if (g_live > g_peak) g_peak = g_live;
  }
  return p;
}

void forget(void *p) {
  if (p) g_live -= recall(p);
}

}  // namespace

extern "C" {
void *malloc(size_t size) { return noted(__libc_malloc(size), size); }
void *calloc(size_t count, size_t size) { return noted(__libc_calloc(count, size), count * size); }
void free(void *p) {
  forget(p);
  __libc_free(p);
}
void *realloc(void *p, size_t size) {
  void *q = __libc_realloc(p, size);
  if (q || size == 0) {
    forget(p);
    noted(q, size);
  }
  return q;
}
void *memalign(size_t alignment, size_t size) { return noted(__libc_memalign(alignment, size), size); }
void *aligned_alloc(size_t alignment, size_t size) { return noted(__libc_memalign(alignment, size), size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
  void *p = noted(__libc_memalign(alignment, size), size);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
void *valloc(size_t size) { return noted(__libc_memalign(static_cast<size_t>(getpagesize()), size), size); }
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

int g_over = 0;  // scenarios where avio needs more than libavformat

// avio's figure is its heap plus its IOContext object; both parts are printed too.
// An informational scenario has no target: it shows what an option costs.
void report(const char *scenario, const char *description, size_t avio_heap, size_t lavf_bytes,
            bool informational = false) {
  const size_t object = sizeof(avio::IOContext);
  if (avio_heap + object > lavf_bytes && !informational) {
    std::fprintf(stderr, "%s: avio %zu bytes > libavformat %zu bytes\n", scenario, avio_heap + object, lavf_bytes);
    ++g_over;
  }
  std::printf(
      "{\"scenario\": \"%s\", \"description\": \"%s\", \"avio_bytes\": %zu, \"avio_heap_bytes\": %zu, "
      "\"avio_object_bytes\": %zu, \"lavf_bytes\": %zu, \"informational\": %s}\n",
      scenario, description, avio_heap + object, avio_heap, object, lavf_bytes, informational ? "true" : "false");
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

int run(const std::string &path, bool check) {
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
    // Like for like, with FFmpeg's 32 KiB buffer; then with the read-ahead
    // open_url gives a file by default, whose buffer grows with the reads.
    const auto avio_file_peak = [&](int64_t read_ahead_max) {
      return peak_of([&] {
        avio::OpenOptions options;
        options.read_ahead_max = read_ahead_max;
        avio::IOContext ctx = must(avio::open_url(url, options), "avio: open_url failed");
        exercise([&](uint8_t *p, size_t n) { (void)ctx.read({p, n}); }, [&](int64_t off) { (void)ctx.seek(off); });
      });
    };
    const size_t avio_file = avio_file_peak(0);
    const size_t avio_file_read_ahead = avio_file_peak(-1);
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
    report("file_reader", "file: reader (avio: read_ahead_max=0, FFmpeg's buffer)", avio_file, lavf_file);
    report("file_reader_read_ahead", "file: reader with open_url's default read-ahead (no target: its cost)",
           avio_file_read_ahead, lavf_file, /*informational=*/true);
    report("file_writer", "file: writer", avio_writer_bytes, lavf_writer_bytes);
  }
  return check && g_over ? 1 : 0;
}

}  // namespace
}  // namespace avio_bench

int main(int argc, char **argv) {
  std::string path = "/tmp/avio-bench-footprint.bin";
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--file=", 7) == 0) path = argv[i] + 7;
    if (std::strcmp(argv[i], "--check") == 0) check = true;
  }
  return avio_bench::run(path, check);
}
