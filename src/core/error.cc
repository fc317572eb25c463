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

std::string Error::message() const {
  if (detail_) return *detail_ + ": " + error_text(code_);
  return error_text(code_);
}

}  // namespace avio
