// AVDictionary: an ordered list of key/value strings, as libavutil keeps it.
#include <strings.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "c_context.hpp"

struct AVDictionary {
  std::vector<AVDictionaryEntry> entries;
};

namespace {

bool key_matches(const char *have, const char *want, int flags) {
  const size_t n = std::strlen(want);
  const int cmp = (flags & AV_DICT_MATCH_CASE) ? std::strncmp(have, want, n) : strncasecmp(have, want, n);
  if (cmp != 0) return false;
  return (flags & AV_DICT_IGNORE_SUFFIX) || have[n] == '\0';
}

void free_entry(AVDictionaryEntry &e) {
  av_free(e.key);
  av_free(e.value);
}

}  // namespace

extern "C" {

AVDictionaryEntry *av_dict_get(const AVDictionary *m, const char *key, const AVDictionaryEntry *prev, int flags) {
  if (!m || !key) return nullptr;
  auto &entries = const_cast<AVDictionary *>(m)->entries;
  size_t i = prev ? static_cast<size_t>(prev - entries.data()) + 1 : 0;
  for (; i < entries.size(); ++i)
    if (key_matches(entries[i].key, key, flags)) return &entries[i];
  return nullptr;
}

const AVDictionaryEntry *av_dict_iterate(const AVDictionary *m, const AVDictionaryEntry *prev) {
  return av_dict_get(m, "", prev, AV_DICT_IGNORE_SUFFIX);
}

int av_dict_count(const AVDictionary *m) { return m ? static_cast<int>(m->entries.size()) : 0; }

int av_dict_set(AVDictionary **pm, const char *key, const char *value, int flags) {
  // Ownership of DONT_STRDUP arguments passes to the dictionary even on failure.
  char *k = (flags & AV_DICT_DONT_STRDUP_KEY) ? const_cast<char *>(key) : av_strdup(key);
  char *v = (flags & AV_DICT_DONT_STRDUP_VAL) ? const_cast<char *>(value) : av_strdup(value);
  if (!pm || !key) {
    av_free(k);
    av_free(v);
    return AVERROR(EINVAL);
  }
  if (!*pm) *pm = new AVDictionary;
  AVDictionary &d = **pm;
  AVDictionaryEntry *existing = (flags & AV_DICT_MULTIKEY) ? nullptr : av_dict_get(&d, key, nullptr, flags);
  if (existing && (flags & AV_DICT_DONT_OVERWRITE)) {
    av_free(k);
    av_free(v);
    return 0;
  }
  if (existing && v && (flags & AV_DICT_APPEND)) {
    std::string joined = std::string(existing->value) + v;
    av_free(v);
    v = av_strdup(joined.c_str());
  }
  if (existing) {
    const size_t idx = static_cast<size_t>(existing - d.entries.data());
    free_entry(d.entries[idx]);
    d.entries.erase(d.entries.begin() + static_cast<std::ptrdiff_t>(idx));
  }
  if (v) {
    d.entries.push_back({k, v});
  } else {
    av_free(k);
  }
  if (d.entries.empty()) {
    delete *pm;
    *pm = nullptr;
  }
  return 0;
}

int av_dict_set_int(AVDictionary **pm, const char *key, int64_t value, int flags) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRId64, value);
  return av_dict_set(pm, key, buf, flags & ~AV_DICT_DONT_STRDUP_VAL);
}

int av_dict_copy(AVDictionary **dst, const AVDictionary *src, int flags) {
  if (!src) return 0;
  for (const AVDictionaryEntry &e : src->entries) {
    const int ret = av_dict_set(dst, e.key, e.value, flags & ~(AV_DICT_DONT_STRDUP_KEY | AV_DICT_DONT_STRDUP_VAL));
    if (ret < 0) return ret;
  }
  return 0;
}

void av_dict_free(AVDictionary **m) {
  if (!m || !*m) return;
  for (AVDictionaryEntry &e : (*m)->entries) free_entry(e);
  delete *m;
  *m = nullptr;
}

}  // extern "C"
