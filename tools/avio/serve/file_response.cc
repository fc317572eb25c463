#include "file_response.hpp"

#include <optional>
#include <string>
#include <utility>

#include "byte_range.hpp"
#include "mime_types.hpp"
#include "validators.hpp"

namespace avio::tools::serve {

namespace {

// The Range of a GET, unless If-Range says the client's copy is stale.
RangeRequest requested_range(const protocols::http::ParsedRequest &request, const Validators &v, int64_t size) {
  if (request.method != "GET") return {};  // RFC 9110: GET is the only method with ranges
  const std::optional<std::string_view> range = request.find("Range");
  if (!range) return {};
  if (const std::optional<std::string_view> if_range = request.find("If-Range");
      if_range && !if_range_holds(*if_range, v))
    return {};
  return evaluate_range(*range, size);
}

void add_validators(Response &r, const Validators &v) {
  r.add("ETag", v.etag);
  r.add("Last-Modified", protocols::http::format_http_date(v.last_modified));
}

}  // namespace

Response file_response(const protocols::http::ParsedRequest &request, UniqueFd file, const struct stat &st,
                       std::string_view name) {
  const Validators v = validators_of(st);
  const int64_t size = st.st_size;
  if (not_modified(request, v)) {
    Response r;
    r.status = 304;
    add_validators(r, v);
    return r;
  }
  const RangeRequest range = requested_range(request, v, size);
  if (range.kind == RangeRequest::Kind::kUnsatisfiable) {
    Response r = text_response(416);
    r.add("Content-Range", content_range(range, size));
    r.add("Accept-Ranges", "bytes");
    return r;
  }
  Response r;
  r.add("Content-Type", std::string(mime_type_for(name)));
  r.add("Accept-Ranges", "bytes");
  add_validators(r, v);
  r.file = std::move(file);
  r.file_offset = 0;
  r.file_length = size;
  if (range.kind == RangeRequest::Kind::kPartial) {
    r.status = 206;
    r.add("Content-Range", content_range(range, size));
    r.file_offset = range.first;
    r.file_length = range.last - range.first + 1;
  }
  return r;
}

}  // namespace avio::tools::serve
