#include "file_response.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "byte_range.hpp"
#include "mime_types.hpp"
#include "multipart_byteranges.hpp"
#include "validators.hpp"

namespace avio::tools::serve {

namespace {

// The Range of a GET, unless If-Range says the client's copy is stale. A
// HEAD gets the head its GET would get (RFC 9110 section 9.3.2), as from
// nginx: its Content-Length tells a client what the ranges will cost.
RangeRequest requested_range(const protocols::http::ParsedRequest &request, const Validators &v, int64_t size) {
  if (request.method != "GET" && request.method != "HEAD") return {};
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
  const std::string_view type = mime_type_for(name);
  const std::string boundary = range.kind == RangeRequest::Kind::kMultipart ? new_boundary() : "";
  Response r;
  r.add("Content-Type", boundary.empty() ? std::string(type) : multipart_content_type(boundary));
  r.add("Accept-Ranges", "bytes");
  add_validators(r, v);
  r.file = std::move(file);
  if (range.kind == RangeRequest::Kind::kPartial) {
    r.status = 206;
    r.add("Content-Range", content_range(range, size));
    r.segments.push_back({"", range.first, range.last - range.first + 1});
  } else if (range.kind == RangeRequest::Kind::kMultipart) {
    r.status = 206;
    r.segments = multipart_segments(range.parts, size, type, boundary);
  } else {
    r.segments.push_back({"", 0, size});
  }
  return r;
}

}  // namespace avio::tools::serve
