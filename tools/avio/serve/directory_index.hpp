// The HTML page listing a served directory: its entries sorted by name,
// directories with a trailing '/', names escaped for HTML and
// percent-encoded in their links, dot files left out (an upload's temporary
// file among them). At most kMaxEntries are listed; the page says when
// there were more.
#ifndef AVIO_TOOLS_SERVE_DIRECTORY_INDEX_HPP
#define AVIO_TOOLS_SERVE_DIRECTORY_INDEX_HPP

#include <cstddef>
#include <string>
#include <string_view>

#include "avio/error.hpp"

namespace avio::tools::serve {

inline constexpr size_t kMaxEntries = 10000;

// The page for the directory open at `fd` (not consumed), requested as
// `path` (decoded, ending in '/').
Result<std::string> directory_index(int fd, std::string_view path);

// `text` with & < > " ' as character references.
std::string html_escape(std::string_view text);
// A path segment for a URL: everything but unreserved characters (RFC 3986)
// as %XX.
std::string percent_encode(std::string_view segment);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_DIRECTORY_INDEX_HPP
