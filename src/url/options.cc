// Dictionary and typed protocol options.
#include <strings.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "avio/url_options.hpp"

namespace avio {

// ------------------------------------------------------------ Dictionary --

Dictionary::Dictionary(std::initializer_list<Entry> entries) {
  for (const Entry &e : entries) set(e.first, e.second);
}

void Dictionary::set(std::string_view key, std::string_view value) {
  for (Entry &e : entries_)
    if (e.first == key) {
      e.second = std::string(value);
      return;
    }
  entries_.emplace_back(std::string(key), std::string(value));
}

const std::string *Dictionary::get(std::string_view key) const {
  for (const Entry &e : entries_)
    if (e.first == key) return &e.second;
  return nullptr;
}

bool Dictionary::take(std::string_view key, std::string *value) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->first == key) {
      if (value) *value = std::move(it->second);
      entries_.erase(it);
      return true;
    }
  return false;
}

void Dictionary::erase(std::string_view key) { (void)take(key, nullptr); }

// ---------------------------------------------------------- OptionValues --

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends rather than `"'" + std::string(s)`, which g++ 12 -O3 misreads (-Wrestrict).
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.append(1, '\'').append(s).append(1, '\'');
  return out;
}

std::string bound_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

}  // namespace

OptionValues::OptionValues(std::span<const OptionSpec> specs) : specs_(specs) {
  // Integer defaults are parsed where they are read; a string or binary
  // default needs storage to be returned by reference.
  for (size_t i = 0; i < specs_.size(); ++i) {
    const OptionSpec &spec = specs_[i];
    if (spec.default_value.empty() || (spec.type != OptionType::kString && spec.type != OptionType::kBinary)) continue;
    Stored s{i, {}};
    // Defaults are part of the protocol's own table; a bad one is a bug there.
    (void)parse(spec, spec.default_value, s.value);
    stored_.push_back(std::move(s));
  }
}

const OptionSpec *OptionValues::find(std::string_view name) const {
  for (const OptionSpec &s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

const OptionValues::Value *OptionValues::stored(std::string_view name) const {
  for (const Stored &s : stored_)
    if (specs_[s.spec].name == name) return &s.value;
  return nullptr;
}

namespace {

Status parse_binary(const OptionSpec &spec, const std::string &t, std::vector<uint8_t> &out) {
  if (t.size() % 2) return Error(-EINVAL, "option " + quoted(spec.name) + ": odd number of hex digits in " + quoted(t));
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < t.size(); i += 2) {
    const int hi = hex_digit(t[i]), lo = hex_digit(t[i + 1]);
    if (hi < 0 || lo < 0) return Error(-EINVAL, "option " + quoted(spec.name) + ": not hexadecimal: " + quoted(t));
    bytes.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  out = std::move(bytes);
  return {};
}

// av_match_name: one of the comma-separated words, ignoring case.
bool matches_word(std::string_view t, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (t.size() == w.size() && strncasecmp(t.data(), w.data(), w.size()) == 0) return true;
  return false;
}

// set_string_bool: "auto", the words, or a decimal integer (nothing else:
// no hexadecimal, no fraction), within [min, max]; else -EINVAL, out of
// range included.
Status parse_bool(const OptionSpec &spec, const std::string &t, int64_t &out) {
  long n = 0;
  if (t == "auto") {
    n = -1;
  } else if (matches_word(t, {"true", "y", "yes", "enable", "enabled", "on"})) {
    n = 1;
  } else if (matches_word(t, {"false", "n", "no", "disable", "disabled", "off"})) {
    n = 0;
  } else {
    char *end = nullptr;
    n = std::strtol(t.c_str(), &end, 10);  // "" is 0, as in FFmpeg
    if (end != t.c_str() + t.size())
      return Error(-EINVAL, "option " + quoted(spec.name) + ": not a boolean: " + quoted(t));
  }
  const int v = static_cast<int>(n);  // FFmpeg keeps an int
  if (v < spec.min || v > spec.max)
    return Error(-EINVAL, "option " + quoted(spec.name) + ": boolean " + quoted(t) + " out of range [" +
                              bound_text(spec.min) + " - " + bound_text(spec.max) + "]");
  out = v;
  return {};
}

Status parse_number(const OptionSpec &spec, const std::string &t, int64_t &out) {
  if (t.empty() && spec.default_value.empty()) {
    out = 0;
    return {};
  }
  double v;
  char *end = nullptr;
  errno = 0;
  // Decimal, or hexadecimal with 0x (a leading 0 is not octal, as in av_strtod).
  const bool hex = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
  const long long whole = std::strtoll(t.c_str(), &end, hex ? 16 : 10);
  if (!t.empty() && *end == '\0' && errno == 0) {
    v = static_cast<double>(whole);
    if (spec.type == OptionType::kInt64 && v >= spec.min && v <= spec.max) {
      out = whole;  // exact, beyond double's 53 bits
      return {};
    }
  } else {
    v = std::strtod(t.c_str(), &end);
    if (t.empty() || *end != '\0' || std::isnan(v))
      return Error(-EINVAL, "option " + quoted(spec.name) + ": not a number: " + quoted(t));
    v = std::nearbyint(v);
  }
  // 2^63 itself compares equal to a maximum of INT64_MAX held in a double.
  if (v < spec.min || v > spec.max || v >= 0x1p63 || v < -0x1p63)
    return Error(-ERANGE, "option " + quoted(spec.name) + ": value " + quoted(t) + " out of range [" +
                              bound_text(spec.min) + " - " + bound_text(spec.max) + "]");
  out = static_cast<int64_t>(v);
  return {};
}

}  // namespace

Status OptionValues::parse(const OptionSpec &spec, std::string_view text, Value &out) const {
  const std::string t(text);
  switch (spec.type) {
    case OptionType::kString: out.text = t; return {};
    case OptionType::kBinary: return parse_binary(spec, t, out.bytes);
    case OptionType::kBool: return parse_bool(spec, t, out.integer);
    case OptionType::kInt:
    case OptionType::kInt64: return parse_number(spec, t, out.integer);
  }
  return Error(kBug, "option " + quoted(spec.name) + ": unknown type");
}

Status OptionValues::store(const OptionSpec &spec, std::string_view text, bool by_caller) {
  Value v;
  Status st = parse(spec, text, v);
  if (!st) return st;
  const auto index = static_cast<size_t>(&spec - specs_.data());
  for (Stored &s : stored_)
    if (s.spec == index) {
      v.set_by_caller = by_caller || s.value.set_by_caller;
      s.value = std::move(v);
      return {};
    }
  v.set_by_caller = by_caller;
  stored_.push_back({index, std::move(v)});
  return {};
}

Status OptionValues::set(std::string_view name, std::string_view text) {
  const OptionSpec *spec = find(name);
  if (!spec) return Error(kOptionNotFound, "no option " + quoted(name));
  if (spec->exported)
    return Error(-EINVAL, "option " + quoted(name) + " is read-only: the protocol exports it, callers cannot set it");
  return store(*spec, text, true);
}

Status OptionValues::publish(std::string_view name, std::string_view text) {
  const OptionSpec *spec = find(name);
  if (!spec) return Error(kOptionNotFound, "no option " + quoted(name));
  return store(*spec, text, false);
}

Status OptionValues::take_from(Dictionary &dict) {
  std::vector<std::string> taken;
  for (const auto &[key, text] : dict.entries()) {
    if (!declares(key)) continue;
    Status st = set(key, text);
    if (!st) return st;
    taken.push_back(key);
  }
  for (const std::string &k : taken) dict.erase(k);
  return {};
}

void OptionValues::reset(std::string_view name) {
  std::erase_if(stored_, [&](const Stored &s) { return specs_[s.spec].name == name; });
}

int64_t OptionValues::integer(std::string_view name) const {
  if (const Value *v = stored(name)) return v->integer;
  const OptionSpec *spec = find(name);
  if (!spec) return 0;
  Value v;
  (void)parse(*spec, spec->default_value, v);
  return v.integer;
}

const std::string &OptionValues::string(std::string_view name) const {
  static const std::string kEmpty;
  const Value *v = stored(name);
  return v ? v->text : kEmpty;
}

std::span<const uint8_t> OptionValues::binary(std::string_view name) const {
  const Value *v = stored(name);
  return v ? std::span<const uint8_t>(v->bytes) : std::span<const uint8_t>();
}

bool OptionValues::was_set(std::string_view name) const {
  const Value *v = stored(name);
  return v && v->set_by_caller;
}

bool OptionValues::has_value(std::string_view name) const {
  const OptionSpec *spec = find(name);
  if (!spec) return false;
  if (spec->type == OptionType::kString) return stored(name) != nullptr;
  if (spec->type == OptionType::kBinary) return !binary(name).empty();
  return true;
}

}  // namespace avio
