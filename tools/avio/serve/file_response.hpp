// The response to a GET or HEAD of a regular file: Content-Type by
// extension, Accept-Ranges, ETag and Last-Modified; 304 for a conditional
// request the client's copy satisfies; for a Range (evaluate_range), while
// If-Range holds: 206 with Content-Range for one satisfiable range, 206
// multipart/byteranges (each part of the file's type) for several, 416 with
// "Content-Range: bytes */SIZE" when none is satisfiable; else 200. A HEAD
// gets the head of the same GET.
#ifndef AVIO_TOOLS_SERVE_FILE_RESPONSE_HPP
#define AVIO_TOOLS_SERVE_FILE_RESPONSE_HPP

#include <sys/stat.h>

#include <string_view>

#include "protocols/http/message.hpp"
#include "response.hpp"
#include "unique_fd.hpp"

namespace avio::tools::serve {

// `file` is open for reading and `st` its fstat; `name` gives the type.
Response file_response(const protocols::http::ParsedRequest &request, UniqueFd file, const struct stat &st,
                       std::string_view name);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_FILE_RESPONSE_HPP
