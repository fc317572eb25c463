#include "readers.hpp"

extern "C" {
#include <libavformat/avio.h>
#include <libavutil/error.h>
}

#include <algorithm>
#include <cstring>
#include <vector>

#include "avio/url.hpp"
#include "gdal_vsi.hpp"

namespace avio_bench {
namespace {

std::string lavf_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

// "" when `got` is the object's bytes at `offset`, else where they differ.
std::string compare_at(int64_t offset, std::span<const uint8_t> got, std::span<const uint8_t> truth) {
  if (offset < 0 || static_cast<size_t>(offset) + got.size() > truth.size())
    return "read past the end at " + std::to_string(offset);
  if (std::memcmp(got.data(), truth.data() + offset, got.size()) == 0) return {};
  const auto [a, b] = std::mismatch(got.begin(), got.end(), truth.begin() + offset);
  return "wrong byte at offset " + std::to_string(offset + (a - got.begin()));
}

// The plan's destinations, back to back in dst.
std::vector<std::span<uint8_t>> destinations(std::span<const PlanRange> plan, std::span<uint8_t> dst) {
  std::vector<std::span<uint8_t>> out;
  out.reserve(plan.size());
  size_t at = 0;
  for (const PlanRange &r : plan) {
    out.push_back(dst.subspan(at, r.size));
    at += r.size;
  }
  return out;
}

int64_t plan_bytes(std::span<const PlanRange> plan) {
  int64_t n = 0;
  for (const PlanRange &r : plan) n += static_cast<int64_t>(r.size);
  return n;
}

// GDAL, configured, its /vsicurl/ caches emptied (downloaded regions, file
// properties, and the connections curl keeps), so that each pass starts as
// avio's does, from nothing.
const GdalVsi *gdal(std::string *why) {
  const GdalVsi *g = GdalVsi::load(why);
  if (g) g->clear_cache();
  if (g) {
    static const bool configured = [g] {
      // No directory listing of the object's folder at open (every COG
      // guide's first setting); the HEAD that brings the size stays, and is
      // counted: it is part of what /vsicurl/ costs.
      g->set_config("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR");
      return true;
    }();
    (void)configured;
  }
  return g;
}

// A libavformat context, closed at scope exit.
class LavfInput {
 public:
  explicit LavfInput(const std::string &url) {
    code_ = avio_open2(&pb_, url.c_str(), AVIO_FLAG_READ, nullptr, nullptr);
  }
  ~LavfInput() { avio_closep(&pb_); }
  LavfInput(const LavfInput &) = delete;
  LavfInput &operator=(const LavfInput &) = delete;
  AVIOContext *get() const { return pb_; }
  int code() const { return code_; }

 private:
  AVIOContext *pb_ = nullptr;
  int code_ = 0;
};

// avio_read until n bytes or the end; the count, or an error (< 0).
int64_t lavf_read_full(AVIOContext *pb, uint8_t *dst, size_t n) {
  size_t done = 0;
  while (done < n) {
    const int r = avio_read(pb, dst + done, static_cast<int>(std::min<size_t>(n - done, 1 << 30)));
    if (r == AVERROR_EOF || r == 0) break;
    if (r < 0) return r;
    done += static_cast<size_t>(r);
  }
  return static_cast<int64_t>(done);
}

// A GDAL /vsicurl/ handle, closed at scope exit.
class GdalInput {
 public:
  GdalInput(const GdalVsi &g, const std::string &url) : g_(g), f_(g.open("/vsicurl/" + url)) {}
  ~GdalInput() {
    if (f_) g_.close(f_);
  }
  GdalInput(const GdalInput &) = delete;
  GdalInput &operator=(const GdalInput &) = delete;
  GdalVsi::File *get() const { return f_; }

 private:
  const GdalVsi &g_;
  GdalVsi::File *f_;
};

// Reads to the end, `request` bytes at a time: `read(buf, &why)` gives the
// bytes read, 0 at the end, or -1 with `why` set. Every piece is compared
// with `truth`; out.error says the first difference, the error or the bytes
// missing.
template <class Read>
void read_through(size_t request, std::span<const uint8_t> truth, ReadOutcome &out, Read &&read) {
  std::vector<uint8_t> buf(request);
  for (;;) {
    std::string why;
    const int64_t n = read(std::span<uint8_t>(buf), &why);
    if (n < 0) {
      out.error = "read at " + std::to_string(out.bytes_read) + ": " + why;
      return;
    }
    if (n == 0) break;
    if (out.error.empty()) out.error = compare_at(out.bytes_read, std::span(buf).first(static_cast<size_t>(n)), truth);
    out.bytes_read += n;
  }
  if (out.error.empty() && out.bytes_read != static_cast<int64_t>(truth.size()))
    out.error = "read " + std::to_string(out.bytes_read) + " bytes of " + std::to_string(truth.size());
}

}  // namespace

std::string check_plan(std::span<const PlanRange> plan, std::span<const uint8_t> dst, std::span<const uint8_t> truth) {
  size_t at = 0;
  for (const PlanRange &r : plan) {
    if (std::string why = compare_at(r.offset, dst.subspan(at, r.size), truth); !why.empty()) return why;
    at += r.size;
  }
  return {};
}

std::map<std::string, int64_t> blockcache_stats(avio::IOContext &ctx) {
  std::map<std::string, int64_t> out;
  avio::UrlContext *h = avio::url_context_of(ctx);
  if (!h || !h->options().declares("cache_misses")) return out;
  // The blockcache publishes its counts in read, read_ranges and close, not
  // in read_at: an empty plan brings them up to date.
  (void)avio::read_ranges(ctx, {});
  for (const char *name :
       {"requests", "connections", "bytes_fetched", "cache_hits", "cache_misses", "hole_limit", "range_limit"})
    out[name] = h->options().integer(name);
  return out;
}

std::string gdal_version(std::string *why) {
  const GdalVsi *g = gdal(why);
  return g ? g->version() : std::string();
}

// ---- avio

ReadOutcome avio_plan(const std::string &url, AvioPlanMode mode, std::span<const PlanRange> plan,
                      std::span<uint8_t> dst, std::span<const uint8_t> truth, const Options &options) {
  ReadOutcome out;
  avio::OpenOptions o;
  for (const auto &[key, value] : options) o.options.set(key, value);
  avio::Result<avio::IOContext> ctx = avio::open_url(url, o);
  if (!ctx) {
    out.error = "open_url: " + ctx.error().message();
    return out;
  }
  const std::vector<std::span<uint8_t>> dsts = destinations(plan, dst);
  if (mode == AvioPlanMode::kReadRanges) {
    std::vector<avio::ReadRequest> reads;
    reads.reserve(plan.size());
    for (size_t i = 0; i < plan.size(); ++i) reads.push_back({plan[i].offset, dsts[i]});
    if (avio::Status st = avio::read_ranges(*ctx, reads); !st) {
      out.error = "read_ranges: " + st.error().message();
      return out;
    }
  } else {
    for (size_t i = 0; i < plan.size(); ++i) {
      avio::Result<size_t> n = avio::Error(-EINVAL);
      if (mode == AvioPlanMode::kReadAt) {
        n = ctx->read_at(plan[i].offset, dsts[i]);
      } else if (avio::Result<int64_t> at = ctx->seek(plan[i].offset); !at) {
        n = at.error();
      } else {
        n = ctx->read(dsts[i]);
      }
      if (!n || *n != dsts[i].size()) {
        out.error = "read at " + std::to_string(plan[i].offset) + ": " + (n ? "short" : n.error().message());
        return out;
      }
    }
  }
  out.stats = blockcache_stats(*ctx);
  (void)ctx->close();
  out.bytes_read = plan_bytes(plan);
  out.ok = true;
  out.check = [plan, dst, truth] { return check_plan(plan, dst, truth); };
  return out;
}

ReadOutcome avio_sequential(const std::string &url, size_t request, std::span<const uint8_t> truth, bool block_cache,
                            const Options &options) {
  ReadOutcome out;
  avio::OpenOptions o;
  o.block_cache = block_cache;
  for (const auto &[key, value] : options) o.options.set(key, value);
  avio::Result<avio::IOContext> ctx = avio::open_url(url, o);
  if (!ctx) {
    out.error = "open_url: " + ctx.error().message();
    return out;
  }
  read_through(request, truth, out, [&ctx](std::span<uint8_t> buf, std::string *why) -> int64_t {
    avio::Result<size_t> n = ctx->read(buf);
    if (n) return static_cast<int64_t>(*n);
    if (n.error().is_eof()) return 0;
    *why = n.error().message();
    return -1;
  });
  out.stats = blockcache_stats(*ctx);
  (void)ctx->close();
  out.ok = out.error.empty();
  return out;
}

void avio_set_cache_size(const std::string &url, int64_t bytes) {
  avio::OpenOptions o;
  o.options.set("cache_size", std::to_string(bytes));
  avio::Result<avio::IOContext> ctx = avio::open_url(url, o);
  if (ctx) (void)ctx->close();
}

// ---- libavformat

ReadOutcome lavf_plan(const std::string &url, std::span<const PlanRange> plan, std::span<uint8_t> dst,
                      std::span<const uint8_t> truth) {
  ReadOutcome out;
  LavfInput in(url);
  if (in.code() < 0) {
    out.error = "avio_open2: " + lavf_error(in.code());
    return out;
  }
  const std::vector<std::span<uint8_t>> dsts = destinations(plan, dst);
  for (size_t i = 0; i < plan.size(); ++i) {
    const int64_t at = avio_seek(in.get(), plan[i].offset, SEEK_SET);
    const int64_t n = at < 0 ? at : lavf_read_full(in.get(), dsts[i].data(), dsts[i].size());
    if (n != static_cast<int64_t>(dsts[i].size())) {
      out.error =
          "read at " + std::to_string(plan[i].offset) + ": " + (n < 0 ? lavf_error(static_cast<int>(n)) : "short");
      return out;
    }
  }
  out.bytes_read = plan_bytes(plan);
  out.ok = true;
  out.check = [plan, dst, truth] { return check_plan(plan, dst, truth); };
  return out;
}

ReadOutcome lavf_sequential(const std::string &url, size_t request, std::span<const uint8_t> truth) {
  ReadOutcome out;
  LavfInput in(url);
  if (in.code() < 0) {
    out.error = "avio_open2: " + lavf_error(in.code());
    return out;
  }
  read_through(request, truth, out, [&in](std::span<uint8_t> buf, std::string *why) -> int64_t {
    const int n = avio_read(in.get(), buf.data(), static_cast<int>(buf.size()));
    if (n == AVERROR_EOF) return 0;
    if (n < 0) *why = "avio_read: " + lavf_error(n);
    return n < 0 ? -1 : n;
  });
  out.ok = out.error.empty();
  return out;
}

// ---- GDAL

ReadOutcome gdal_plan(const std::string &url, int batch, std::span<const PlanRange> plan, std::span<uint8_t> dst,
                      std::span<const uint8_t> truth) {
  ReadOutcome out;
  const GdalVsi *g = gdal(&out.error);
  if (!g) return out;
  GdalInput in(*g, url);
  if (!in.get()) {
    out.error = "VSIFOpenL: " + g->last_error();
    return out;
  }
  const std::vector<std::span<uint8_t>> dsts = destinations(plan, dst);
  if (batch > 0) {
    for (size_t first = 0; first < plan.size(); first += static_cast<size_t>(batch)) {
      const size_t n = std::min(plan.size() - first, static_cast<size_t>(batch));
      std::vector<void *> ptrs(n);
      std::vector<uint64_t> offsets(n);
      std::vector<size_t> sizes(n);
      for (size_t i = 0; i < n; ++i) {
        ptrs[i] = dsts[first + i].data();
        offsets[i] = static_cast<uint64_t>(plan[first + i].offset);
        sizes[i] = plan[first + i].size;
      }
      if (!g->read_multi_range(in.get(), static_cast<int>(n), ptrs.data(), offsets.data(), sizes.data())) {
        out.error = "VSIFReadMultiRangeL: " + g->last_error();
        return out;
      }
    }
  } else {
    for (size_t i = 0; i < plan.size(); ++i) {
      if (!g->seek(in.get(), static_cast<uint64_t>(plan[i].offset)) ||
          g->read(in.get(), dsts[i].data(), dsts[i].size()) != dsts[i].size()) {
        out.error = "VSIFReadL at " + std::to_string(plan[i].offset) + ": " + g->last_error();
        return out;
      }
    }
  }
  out.bytes_read = plan_bytes(plan);
  out.ok = true;
  out.check = [plan, dst, truth] { return check_plan(plan, dst, truth); };
  return out;
}

ReadOutcome gdal_sequential(const std::string &url, size_t request, std::span<const uint8_t> truth) {
  ReadOutcome out;
  const GdalVsi *g = gdal(&out.error);
  if (!g) return out;
  GdalInput in(*g, url);
  if (!in.get()) {
    out.error = "VSIFOpenL: " + g->last_error();
    return out;
  }
  // VSIFReadL says nothing of why it read short: its end and its errors are
  // both 0 bytes (read_through then names the bytes missing).
  read_through(request, truth, out, [&](std::span<uint8_t> buf, std::string *) -> int64_t {
    return static_cast<int64_t>(g->read(in.get(), buf.data(), buf.size()));
  });
  if (!out.error.empty()) out.error += " (" + g->last_error() + ")";
  out.ok = out.error.empty();
  return out;
}

}  // namespace avio_bench
