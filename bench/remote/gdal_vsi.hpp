// GDAL's virtual file API (/vsicurl/), loaded at run time with dlopen: the
// benchmark compares against the system's GDAL (Debian's libgdal, which
// gdal-bin and python3-gdal bring) without building against it, and runs
// without it (GDAL's rows are then left out, with a note).
#ifndef AVIO_BENCH_REMOTE_GDAL_VSI_HPP
#define AVIO_BENCH_REMOTE_GDAL_VSI_HPP

#include <cstddef>
#include <cstdint>
#include <string>

namespace avio_bench {

class GdalVsi {
 public:
  using File = void;  // VSILFILE

  // The library and its functions, or null with the reason in *why.
  static const GdalVsi *load(std::string *why);

  std::string version() const;
  void set_config(const char *key, const char *value) const;
  // Forgets what /vsicurl/ cached (file properties, downloaded regions).
  void clear_cache() const;

  File *open(const std::string &path) const;  // "rb"
  bool seek(File *f, uint64_t offset) const;
  size_t read(File *f, void *dst, size_t n) const;
  // VSIFReadMultiRangeL: every range at once; true on success.
  bool read_multi_range(File *f, int count, void **dst, const uint64_t *offsets, const size_t *sizes) const;
  void close(File *f) const;
  std::string last_error() const;

 private:
  GdalVsi() = default;

  void (*set_config_)(const char *, const char *) = nullptr;
  void (*clear_cache_)() = nullptr;
  File *(*open_)(const char *, const char *) = nullptr;
  int (*seek_)(File *, uint64_t, int) = nullptr;
  size_t (*read_)(void *, size_t, size_t, File *) = nullptr;
  int (*read_multi_)(int, void **, const uint64_t *, const size_t *, File *) = nullptr;
  int (*close_)(File *) = nullptr;
  const char *(*last_error_)() = nullptr;
  const char *(*version_)(const char *) = nullptr;
};

}  // namespace avio_bench

#endif  // AVIO_BENCH_REMOTE_GDAL_VSI_HPP
