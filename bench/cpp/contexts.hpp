// The contexts the C++-API benchmarks compare: an avio::IOContext and a
// libavformat AVIOContext over the same memory source or sink, with the same
// buffer size. A failure to create one aborts the program: a benchmark that
// silently measured nothing would be worse than none.
#ifndef AVIO_BENCH_CPP_CONTEXTS_HPP
#define AVIO_BENCH_CPP_CONTEXTS_HPP

extern "C" {
#include <libavformat/avio.h>
#include <libavutil/mem.h>
}

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "avio/io_context.hpp"
#include "harness/data.hpp"

namespace avio_bench {

inline constexpr int kBufferSize = 32768;

[[noreturn]] inline void die(const char *what) {
  std::fprintf(stderr, "avio bench: %s\n", what);
  std::abort();
}

template <class T>
T must(avio::Result<T> r, const char *what) {
  if (!r) die(what);
  return std::move(*r);
}

// An AVIOContext from avio_alloc_context, freed with its buffer.
class LavfContext {
 public:
  explicit LavfContext(AVIOContext *ctx) : ctx_(ctx) {
    if (!ctx_) die("libavformat: no context");
  }
  LavfContext(const LavfContext &) = delete;
  LavfContext &operator=(const LavfContext &) = delete;
  ~LavfContext() {
    if (ctx_->write_flag) avio_flush(ctx_);
    av_freep(&ctx_->buffer);
    avio_context_free(&ctx_);
  }
  AVIOContext *get() const { return ctx_; }

 private:
  AVIOContext *ctx_;
};

inline int lavf_read_memory(void *opaque, uint8_t *buf, int size) {
  const size_t n = static_cast<MemorySource *>(opaque)->read(buf, static_cast<size_t>(size));
  return n ? static_cast<int>(n) : AVERROR_EOF;
}

// libavformat 5.1's write_packet takes a non-const buffer.
inline int lavf_write_sink(void *opaque, uint8_t *buf, int size) {
  static_cast<Sink *>(opaque)->consume(buf, static_cast<size_t>(size));
  return size;
}

inline LavfContext lavf_reader(MemorySource &src, int buffer_size = kBufferSize) {
  auto *buffer = static_cast<unsigned char *>(av_malloc(static_cast<size_t>(buffer_size)));
  return LavfContext(avio_alloc_context(buffer, buffer_size, 0, &src, lavf_read_memory, nullptr, nullptr));
}

inline LavfContext lavf_writer(Sink &sink, int buffer_size = kBufferSize) {
  auto *buffer = static_cast<unsigned char *>(av_malloc(static_cast<size_t>(buffer_size)));
  return LavfContext(avio_alloc_context(buffer, buffer_size, 1, &sink, nullptr, lavf_write_sink, nullptr));
}

// avio's leanest form of memory I/O mode: the callback is a lambda kept as
// it is (from_callbacks would hold it in a std::function).
inline avio::IOContext avio_reader(MemorySource &src, int buffer_size = kBufferSize) {
  auto read = [&src](std::span<uint8_t> dst) -> avio::Result<size_t> {
    const size_t n = src.read(dst.data(), dst.size());
    if (n == 0) return avio::Error::eof();
    return n;
  };
  return must(avio::IOContext::from_read_function(read, {.buffer_size = buffer_size}), "avio: no reader");
}

inline avio::IOContext avio_writer(Sink &sink, int buffer_size = kBufferSize) {
  auto write = [&sink](std::span<const uint8_t> src) -> avio::Status {
    sink.consume(src.data(), src.size());
    return {};
  };
  return must(avio::IOContext::from_write_function(write, {.buffer_size = buffer_size}), "avio: no writer");
}

}  // namespace avio_bench

#endif  // AVIO_BENCH_CPP_CONTEXTS_HPP
