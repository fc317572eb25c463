#include "avio/error.hpp"

#include <cstring>

namespace avio {

std::string error_text(int code) {
  switch (code) {
    case kEof: return "End of file";
    case kExit: return "Immediate exit requested";
    case kInvalidData: return "Invalid data found when processing input";
    case kProtocolNotFound: return "Protocol not found";
    case kOptionNotFound: return "Option not found";
    case kBug: return "Internal bug, should not have happened";
    case kUnknown: return "Unknown error occurred";
    case kExternal: return "Generic error in an external library";
    case kHttpBadRequest: return "Server returned 400 Bad Request";
    case kHttpUnauthorized: return "Server returned 401 Unauthorized (authorization failed)";
    case kHttpForbidden: return "Server returned 403 Forbidden (access denied)";
    case kHttpNotFound: return "Server returned 404 Not Found";
    case kHttpTooManyRequests: return "Server returned 429 Too Many Requests";
    case kHttpOther4xx: return "Server returned 4XX Client Error, but not one of 40{0,1,3,4}";
    case kHttpServerError: return "Server returned 5XX Server Error reply";
    case kZeroRead: return "Read callback returned 0 bytes without signalling end of file";
    default: break;
  }
  if (code < 0 && code > -4096) {
    char buf[256];
    // GNU strerror_r may return a static string instead of filling buf.
    const char *text = strerror_r(-code, buf, sizeof buf);
    return text;
  }
  return "Error number " + std::to_string(code) + " occurred";
}

Error::Error(int code, std::string detail)
    : rep_(reinterpret_cast<uintptr_t>(new Block{code, {1}, std::move(detail)})) {
  static_assert(alignof(Block) >= 2, "the low bit of rep_ marks an inline code");
}

// rep_ holds a Block pointer whenever these run (its low bit is clear).
void Error::ref_block() const {
  auto *b = reinterpret_cast<Block *>(rep_);  // NOLINT(performance-no-int-to-ptr)
  b->references.fetch_add(1, std::memory_order_relaxed);
}

void Error::unref_block() {
  auto *b = reinterpret_cast<Block *>(rep_);  // NOLINT(performance-no-int-to-ptr)
  if (b->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete b;
}

std::string Error::message() const {
  if (!is_inline()) return std::string(detail()) + ": " + error_text(code());
  return error_text(code());
}

}  // namespace avio
