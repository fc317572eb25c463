#include "gdal_vsi.hpp"

#include <dlfcn.h>

#include <cstdio>

namespace avio_bench {
namespace {

template <class Fn>
bool bind(void *lib, const char *name, Fn *fn, std::string *why) {
  void *sym = dlsym(lib, name);
  if (!sym) {
    *why = std::string("libgdal has no ") + name;
    return false;
  }
  *fn = reinterpret_cast<Fn>(sym);
  return true;
}

}  // namespace

const GdalVsi *GdalVsi::load(std::string *why) {
  static const GdalVsi *loaded = nullptr;
  static std::string failure;
  static bool tried = false;
  if (tried) {
    *why = failure;
    return loaded;
  }
  tried = true;
  void *lib = nullptr;
  // Debian 12's is libgdal.so.32; the development link, then later ABIs.
  for (const char *name : {"libgdal.so", "libgdal.so.32", "libgdal.so.33", "libgdal.so.34", "libgdal.so.35",
                           "libgdal.so.36", "libgdal.so.37", "libgdal.so.38"}) {
    lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib) break;
  }
  if (!lib) {
    failure = "no libgdal (Debian: apt-get install gdal-bin)";
    *why = failure;
    return nullptr;
  }
  auto *g = new GdalVsi;  // lives as long as the library: for the process
  const bool ok =
      bind(lib, "CPLSetConfigOption", &g->set_config_, &failure) &&
      bind(lib, "VSICurlClearCache", &g->clear_cache_, &failure) && bind(lib, "VSIFOpenL", &g->open_, &failure) &&
      bind(lib, "VSIFSeekL", &g->seek_, &failure) && bind(lib, "VSIFReadL", &g->read_, &failure) &&
      bind(lib, "VSIFReadMultiRangeL", &g->read_multi_, &failure) && bind(lib, "VSIFCloseL", &g->close_, &failure) &&
      bind(lib, "CPLGetLastErrorMsg", &g->last_error_, &failure) &&
      bind(lib, "GDALVersionInfo", &g->version_, &failure);
  if (!ok) {
    delete g;
    *why = failure;
    return nullptr;
  }
  loaded = g;
  return loaded;
}

std::string GdalVsi::version() const { return version_("RELEASE_NAME"); }

void GdalVsi::set_config(const char *key, const char *value) const { set_config_(key, value); }

void GdalVsi::clear_cache() const { clear_cache_(); }

GdalVsi::File *GdalVsi::open(const std::string &path) const { return open_(path.c_str(), "rb"); }

bool GdalVsi::seek(File *f, uint64_t offset) const { return seek_(f, offset, SEEK_SET) == 0; }

size_t GdalVsi::read(File *f, void *dst, size_t n) const { return read_(dst, 1, n, f); }

bool GdalVsi::read_multi_range(File *f, int count, void **dst, const uint64_t *offsets, const size_t *sizes) const {
  return read_multi_(count, dst, offsets, sizes, f) == 0;
}

void GdalVsi::close(File *f) const { close_(f); }

std::string GdalVsi::last_error() const {
  const char *m = last_error_();
  return m ? m : "";
}

}  // namespace avio_bench
