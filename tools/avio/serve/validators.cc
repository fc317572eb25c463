#include "validators.hpp"

#include <cstdio>
#include <optional>

#include "ows.hpp"

namespace avio::tools::serve {

namespace {

// An entity-tag without its weakness prefix.
std::string_view opaque(std::string_view tag) { return tag.substr(0, 2) == "W/" ? tag.substr(2) : tag; }

// Whether a comma-separated If-None-Match list holds "*" or a tag weakly equal to `etag`.
bool list_matches(std::string_view list, std::string_view etag) {
  while (true) {
    const size_t comma = list.find(',');
    const std::string_view tag = trim_ows(list.substr(0, comma));
    if (tag == "*" || (!tag.empty() && opaque(tag) == opaque(etag))) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

Validators validators_of(const struct stat &st) {
  const auto mtime_ns = static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ULL +
                        static_cast<unsigned long long>(st.st_mtim.tv_nsec);
  char tag[64];
  std::snprintf(tag, sizeof tag, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size), mtime_ns);
  return {tag, static_cast<int64_t>(st.st_mtim.tv_sec)};
}

bool not_modified(const protocols::http::ParsedRequest &request, const Validators &v) {
  if (const std::optional<std::string_view> inm = request.find("If-None-Match")) return list_matches(*inm, v.etag);
  const std::optional<std::string_view> ims = request.find("If-Modified-Since");
  if (!ims) return false;
  const std::optional<int64_t> since = protocols::http::parse_http_date(*ims);
  return since && v.last_modified <= *since;
}

bool if_range_holds(std::string_view value, const Validators &v) {
  value = trim_ows(value);
  if (value.substr(0, 2) == "W/") return false;
  if (!value.empty() && value.front() == '"') return value == v.etag;
  const std::optional<int64_t> date = protocols::http::parse_http_date(value);
  return date && *date == v.last_modified;
}

}  // namespace avio::tools::serve
