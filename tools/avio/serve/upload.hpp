// The body of a PUT, stored atomically: it is written to a temporary file
// in the destination's directory (".avio-upload-XXXXXXXXXXXXXXXX"), synced,
// and renamed over the destination only once it is complete, so a reader
// sees the old file or the new one, never a part. On any error the
// temporary file is removed and the destination is left as it was.
#ifndef AVIO_TOOLS_SERVE_UPLOAD_HPP
#define AVIO_TOOLS_SERVE_UPLOAD_HPP

#include <cstdint>

#include "avio/error.hpp"
#include "client_connection.hpp"
#include "document_root.hpp"
#include "protocols/http/message.hpp"

namespace avio::tools::serve {

// Receives the body of `request` (by Content-Length, chunked, or none: an
// empty file) from `conn` into `destination`: true when the file was
// created, false when it replaced one. Errors: -EFBIG past `max_body` (413);
// kInvalidData for a body cut short, a malformed chunked body, or bytes
// after a Content-Length body that cannot begin a next request (a body
// longer than declared, as far as it has arrived with the body) (400); the
// file system's (500).
Result<bool> receive_upload(ClientConnection &conn, const protocols::http::ParsedRequest &request,
                            const DocumentRoot::Destination &destination, int64_t max_body);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_UPLOAD_HPP
