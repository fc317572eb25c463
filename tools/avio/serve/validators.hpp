// A file's validators and the conditional requests they answer (RFC 9110
// section 13): ETag and Last-Modified, If-None-Match and If-Modified-Since
// (304 Not Modified), and If-Range (a Range only while the file is the one
// the client has).
#ifndef AVIO_TOOLS_SERVE_VALIDATORS_HPP
#define AVIO_TOOLS_SERVE_VALIDATORS_HPP

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/http/message.hpp"

namespace avio::tools::serve {

struct Validators {
  std::string etag;           // strong: "\"<size hex>-<mtime in ns hex>\""
  int64_t last_modified = 0;  // Unix time, seconds
};

Validators validators_of(const struct stat &st);

// Whether a GET or HEAD is answered 304: If-None-Match lists the ETag (weak
// comparison) or is "*"; without If-None-Match, If-Modified-Since is no
// earlier than Last-Modified.
bool not_modified(const protocols::http::ParsedRequest &request, const Validators &v);

// Whether an If-Range value lets the Range apply: the ETag (strong
// comparison: a weak tag never matches) or exactly the Last-Modified date.
bool if_range_holds(std::string_view value, const Validators &v);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_VALIDATORS_HPP
