// libavutil's av_opt_* for the C API's URL contexts (avio_open2,
// avio_accept), as FFmpeg 5.1's libavutil/opt.c does them on an AVIOContext
// from ffio_fdopen: av_opt_find2 searches the children first (the
// AVIOContext's child is its URLContext, whose child is the protocol's
// private object), then the object's own class (ff_avio_class: only
// protocol_whitelist; ffurl_context_class: protocol_whitelist,
// protocol_blacklist, rw_timeout). Other objects have no options here:
// avio_alloc_context and the dynamic buffers leave av_class NULL, as
// ffio_init_context does.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>

#include "../url/url_backend.hpp"
#include "avio/c/opt.h"
#include "avio/url_options.hpp"
#include "c_context.hpp"

namespace avio::c_api {

namespace {

// What the av_class of a URL context points at (FFmpeg's ff_avio_class,
// whose first member is the class name, as here).
struct UrlContextClass {
  const char *class_name;
};
constexpr UrlContextClass kClass{"AVIOContext"};

}  // namespace

const void *const kUrlContextClass = &kClass;

}  // namespace avio::c_api

namespace {

using avio::OptionSpec;
using avio::OptionType;
using avio::c_api::CContext;

// ff_avio_options: the AVIOContext's own option.
constexpr OptionSpec kAvioOptions[] = {
    {"protocol_whitelist", OptionType::kString, "", 0, 0, "List of protocols that are allowed to be used"},
};

enum class Owner { kAvio, kUrl, kProtocol };

// An option found by name, and where its value lives.
struct Found {
  Owner owner;
  const OptionSpec *spec;
  CContext *c;
  avio::UrlContext *url;
};

const OptionSpec *find_in(std::span<const OptionSpec> specs, const char *name) {
  for (const OptionSpec &s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

// The URL context behind `obj`, or null when it is not one (FFmpeg: an object
// whose class has no such option, or no class at all).
CContext *url_context_of(void *obj) {
  if (!obj || *static_cast<const void *const *>(obj) != avio::c_api::kUrlContextClass) return nullptr;
  CContext *c = avio::c_api::from_c(static_cast<AVIOContext *>(obj));
  return c->kind == CContext::Kind::kUrl && c->backend ? c : nullptr;
}

// av_opt_find2 with a target object. AV_OPT_SEARCH_FAKE_OBJ finds no object
// to read or write, so none here: FFmpeg's av_opt_set / av_opt_get answer
// AVERROR_OPTION_NOT_FOUND then (and read through an unset pointer when the
// option is a child's).
std::optional<Found> find_option(void *obj, const char *name, int search_flags) {
  CContext *c = url_context_of(obj);
  if (!c || !name || (search_flags & AV_OPT_SEARCH_FAKE_OBJ)) return std::nullopt;
  avio::UrlContext &url = static_cast<avio::url_internal::UrlBackend *>(c->backend)->url();
  if (search_flags & AV_OPT_SEARCH_CHILDREN) {
    if (const OptionSpec *s = find_in(url.options().specs(), name)) return Found{Owner::kProtocol, s, c, &url};
    if (const OptionSpec *s = find_in(avio::url_context_options(), name)) return Found{Owner::kUrl, s, c, &url};
  }
  if (const OptionSpec *s = find_in(kAvioOptions, name)) return Found{Owner::kAvio, s, c, &url};
  return std::nullopt;
}

int code_of(const avio::Status &st) { return st ? 0 : st.code(); }

bool is_text(const OptionSpec &spec) { return spec.type == OptionType::kString || spec.type == OptionType::kBinary; }

// ---- reading

int64_t integer_of(const Found &f) {
  if (f.owner == Owner::kUrl) return f.url->rw_timeout();  // the URL's one integer option
  return f.url->options().integer(f.spec->name);
}

// A string option's value; nullopt for FFmpeg's NULL.
std::optional<std::string> string_of(const Found &f) {
  switch (f.owner) {
    case Owner::kAvio:
      if (!f.c->protocol_whitelist) return std::nullopt;
      return std::string(f.c->protocol_whitelist);
    case Owner::kUrl: return f.spec->name == "protocol_whitelist" ? f.url->whitelist() : f.url->blacklist();
    case Owner::kProtocol:
      if (!f.url->options().has_value(f.spec->name)) return std::nullopt;
      return f.url->options().string(f.spec->name);
  }
  return std::nullopt;
}

// A binary option in upper-case hexadecimal, as av_opt_get prints it;
// nullopt when empty (FFmpeg holds NULL then).
std::optional<std::string> hex_of(const Found &f) {
  std::span<const uint8_t> bytes = f.url->options().binary(f.spec->name);
  if (bytes.empty()) return std::nullopt;
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    static const char kDigits[] = "0123456789ABCDEF";
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

// The value as av_opt_get formats its type; nullopt for NULL.
std::optional<std::string> text_of(const Found &f) {
  switch (f.spec->type) {
    case OptionType::kInt: return std::to_string(static_cast<int>(integer_of(f)));
    case OptionType::kInt64: return std::to_string(integer_of(f));
    case OptionType::kBool: {
      const int v = static_cast<int>(integer_of(f));
      return v < 0 ? "auto" : v ? "true" : "false";
    }
    case OptionType::kString: return string_of(f);
    case OptionType::kBinary: return hex_of(f);
  }
  return std::nullopt;
}

// ---- writing

// A value as text, parsed against the option's spec where it lives.
int store_text(const Found &f, const char *text) {
  switch (f.owner) {
    case Owner::kAvio:
      av_free(const_cast<char *>(f.c->protocol_whitelist));
      f.c->protocol_whitelist = av_strdup(text);
      return f.c->protocol_whitelist ? 0 : AVERROR(ENOMEM);
    case Owner::kUrl: return code_of(f.url->set_generic_option(f.spec->name, std::string_view(text)));
    case Owner::kProtocol: return code_of(f.url->mutable_options().set(f.spec->name, text));
  }
  return AVERROR_BUG;
}

// av_opt_set(obj, name, NULL): a string becomes NULL, and FFmpeg's
// set_string then reports AVERROR(ENOMEM) (av_strdup(NULL)); a bool is left.
int store_null(const Found &f) {
  if (f.spec->type == OptionType::kBool) return 0;
  switch (f.owner) {
    case Owner::kAvio:
      av_free(const_cast<char *>(f.c->protocol_whitelist));
      f.c->protocol_whitelist = nullptr;
      break;
    case Owner::kUrl: (void)f.url->set_generic_option(f.spec->name, std::nullopt); break;
    case Owner::kProtocol: f.url->mutable_options().reset(f.spec->name); break;
  }
  return AVERROR(ENOMEM);
}

// set_number / write_number: the range check on the exact value first (a
// string's range is [0, 0]), then the type; integers are stored rounded.
int store_number(const Found &f, double num, int64_t intnum) {
  if (f.spec->exported) return AVERROR(EINVAL);
  const double v = num * static_cast<double>(intnum);
  if (f.spec->max < v || f.spec->min > v) return AVERROR(ERANGE);
  if (is_text(*f.spec)) return AVERROR(EINVAL);
  int64_t stored = std::llrint(num) * intnum;
  if (f.spec->type != OptionType::kInt64) stored = static_cast<int>(stored);  // an int field in FFmpeg
  return store_text(f, std::to_string(stored).c_str());
}

std::string hex_text(const uint8_t *bytes, int size) {
  std::string out;
  char digits[3];
  for (int i = 0; i < size; ++i) {
    std::snprintf(digits, sizeof digits, "%02x", bytes[i]);
    out += digits;
  }
  return out;
}

}  // namespace

extern "C" {

int av_opt_set(void *obj, const char *name, const char *val, int search_flags) {
  const std::optional<Found> f = find_option(obj, name, search_flags);
  if (!f) return AVERROR_OPTION_NOT_FOUND;
  if (!val && f->spec->type != OptionType::kString && f->spec->type != OptionType::kBool) return AVERROR(EINVAL);
  if (f->spec->exported) return AVERROR(EINVAL);
  return val ? store_text(*f, val) : store_null(*f);
}

int av_opt_set_int(void *obj, const char *name, int64_t val, int search_flags) {
  const std::optional<Found> f = find_option(obj, name, search_flags);
  return f ? store_number(*f, 1, val) : AVERROR_OPTION_NOT_FOUND;
}

int av_opt_set_double(void *obj, const char *name, double val, int search_flags) {
  const std::optional<Found> f = find_option(obj, name, search_flags);
  return f ? store_number(*f, val, 1) : AVERROR_OPTION_NOT_FOUND;
}

int av_opt_set_bin(void *obj, const char *name, const uint8_t *val, int size, int search_flags) {
  const std::optional<Found> f = find_option(obj, name, search_flags);
  if (!f) return AVERROR_OPTION_NOT_FOUND;
  if (f->spec->type != OptionType::kBinary || f->spec->exported) return AVERROR(EINVAL);
  if (size < 0) return AVERROR(ENOMEM);  // FFmpeg's av_malloc of a negative size
  if (size > 0 && !val) return AVERROR(EINVAL);
  return store_text(*f, hex_text(val, size).c_str());
}

int av_opt_set_dict2(void *obj, AVDictionary **options, int search_flags) {
  if (!options) return 0;
  AVDictionary *left = nullptr;
  for (const AVDictionaryEntry *e = av_dict_iterate(*options, nullptr); e; e = av_dict_iterate(*options, e)) {
    int ret = av_opt_set(obj, e->key, e->value, search_flags);
    if (ret == AVERROR_OPTION_NOT_FOUND) ret = av_dict_set(&left, e->key, e->value, 0);
    if (ret < 0) {  // FFmpeg leaves *options as it was
      av_dict_free(&left);
      return ret;
    }
  }
  av_dict_free(options);
  *options = left;
  return 0;
}

int av_opt_set_dict(void *obj, AVDictionary **options) { return av_opt_set_dict2(obj, options, 0); }

int av_opt_get(void *obj, const char *name, int search_flags, uint8_t **out_val) {
  const std::optional<Found> f = find_option(obj, name, search_flags);
  if (!f) return AVERROR_OPTION_NOT_FOUND;
  if (!out_val) return AVERROR(EINVAL);
  const std::optional<std::string> text = text_of(*f);
  if (!text && (search_flags & AV_OPT_ALLOW_NULL)) {
    *out_val = nullptr;
    return 0;
  }
  *out_val = reinterpret_cast<uint8_t *>(av_strdup(text ? text->c_str() : ""));
  return *out_val ? 0 : AVERROR(ENOMEM);
}

int av_opt_get_int(void *obj, const char *name, int search_flags, int64_t *out_val) {
  const std::optional<Found> f = find_option(obj, name, search_flags);
  if (!f) return -1;  // FFmpeg's get_number
  if (is_text(*f->spec)) return AVERROR(EINVAL);
  if (out_val) *out_val = integer_of(*f);
  return 0;
}

int av_opt_get_double(void *obj, const char *name, int search_flags, double *out_val) {
  const std::optional<Found> f = find_option(obj, name, search_flags);
  if (!f) return -1;  // FFmpeg's get_number
  if (is_text(*f->spec)) return AVERROR(EINVAL);
  if (out_val) *out_val = static_cast<double>(integer_of(*f));
  return 0;
}

}  // extern "C"
