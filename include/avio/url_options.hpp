// Options of a URL open: the dictionary a caller passes (FFmpeg's
// AVDictionary) and the typed values a protocol declares.
//
// A protocol declares its options once, as a table of `OptionSpec` (name,
// type, default, range, help). Opening a URL builds the protocol's
// `OptionValues` from the defaults, then takes from the caller's
// `Dictionary` every entry whose key names one of the options, parses it
// against its spec, and removes it; the entries nobody recognised are left
// for the caller, as avio_open2 does. A value that does not parse or is out
// of range is an error whose detail names the option.
#ifndef AVIO_URL_OPTIONS_HPP
#define AVIO_URL_OPTIONS_HPP

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "avio/error.hpp"

namespace avio {

// An ordered list of key/value strings with unique keys (AVDictionary).
// Keys compare exactly, as av_opt_set_dict matches option names.
class Dictionary {
 public:
  using Entry = std::pair<std::string, std::string>;

  Dictionary() = default;
  Dictionary(std::initializer_list<Entry> entries);

  // Replaces the value of an existing key, or appends the key.
  void set(std::string_view key, std::string_view value);
  const std::string *get(std::string_view key) const;
  bool contains(std::string_view key) const { return get(key) != nullptr; }
  // Removes the entry and returns its value, if there was one.
  bool take(std::string_view key, std::string *value);
  void erase(std::string_view key);
  const std::vector<Entry> &entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;
};

enum class OptionType {
  kInt,     // AV_OPT_TYPE_INT: a decimal integer within [min, max]
  kInt64,   // AV_OPT_TYPE_INT64 (and durations given in microseconds)
  kBool,    // AV_OPT_TYPE_BOOL: 0/1, true/false, yes/no, on/off
  kString,  // AV_OPT_TYPE_STRING
  kBinary,  // AV_OPT_TYPE_BINARY: an even number of hex digits
};

struct OptionSpec {
  std::string_view name;
  OptionType type;
  // The default as text, parsed like a caller's value ("" for none).
  std::string_view default_value;
  double min = 0;
  double max = 0;
  std::string_view help;
  // Exported by the protocol, read-only to callers (FFmpeg's
  // AV_OPT_FLAG_EXPORT | AV_OPT_FLAG_READONLY, as http's mime_type): the
  // protocol sets it with OptionValues::publish (after open, or during a
  // handshake); set() and take_from() refuse it with -EINVAL, as av_opt_set
  // does, so an open whose dictionary names it fails.
  bool exported = false;
};

// The current values of one protocol's options. Only what differs from the
// table is stored (the options a caller set, and string defaults): most opens
// set nothing, and their values cost no memory.
class OptionValues {
 public:
  OptionValues() = default;
  // The defaults of `specs` (which must outlive this object).
  explicit OptionValues(std::span<const OptionSpec> specs);

  std::span<const OptionSpec> specs() const { return specs_; }
  bool declares(std::string_view name) const { return find(name) != nullptr; }
  // A caller's value: parses `text` against the spec of `name`. Errors:
  // kOptionNotFound when the protocol has no such option, -EINVAL when the
  // option is exported (read-only) or the text does not parse (a bool out of
  // range too, as FFmpeg's), -ERANGE when a number is out of range; each
  // detail names the option.
  Status set(std::string_view name, std::string_view text);
  // The protocol's value: as set(), but exported options are allowed (this
  // is how a protocol exports one), and was_set() does not change. E.g.
  //   (void)h.mutable_options().publish("mime_type", content_type);
  Status publish(std::string_view name, std::string_view text);
  // Moves every recognised entry of `dict` into these values (as
  // av_opt_set_dict): on an error, one naming an exported option included,
  // `dict` is left as it was.
  Status take_from(Dictionary &dict);
  // Drops the stored value of `name`: its default applies again.
  void reset(std::string_view name);

  // The value in effect: the caller's, else the table's default. (An
  // integer default is parsed at each call: read it once, at open.)
  int64_t integer(std::string_view name) const;
  const std::string &string(std::string_view name) const;
  std::span<const uint8_t> binary(std::string_view name) const;
  // True once a caller set the option (a default does not count).
  bool was_set(std::string_view name) const;
  // False for a string option without a value (no default, none set or
  // published: FFmpeg's NULL string) and for an empty binary option; true
  // for every other declared option.
  bool has_value(std::string_view name) const;

 private:
  struct Value {
    int64_t integer = 0;
    std::string text;
    std::vector<uint8_t> bytes;
    bool set_by_caller = false;
  };
  struct Stored {
    size_t spec;  // index into specs_
    Value value;
  };
  const OptionSpec *find(std::string_view name) const;
  // The stored value of `name`, or null when it has its (unstored) default.
  const Value *stored(std::string_view name) const;
  Status parse(const OptionSpec &spec, std::string_view text, Value &out) const;
  Status store(const OptionSpec &spec, std::string_view text, bool by_caller);

  std::span<const OptionSpec> specs_;
  std::vector<Stored> stored_;
};

}  // namespace avio

#endif  // AVIO_URL_OPTIONS_HPP
