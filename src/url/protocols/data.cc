// data: RFC 2397 URLs, "data:<mime>[;base64],<payload>" (FFmpeg's data_uri.c).
#include <cctype>
#include <cstring>
#include <string>
#include <vector>

#include "builtins.hpp"

namespace avio::protocols {

namespace {

int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Decodes until the first character outside the alphabet, which must be the
// end or '='; anything else is invalid data. Like av_base64_decode with
// FFmpeg's output bound of 3 * (n / 4) + 1 bytes, a trailing group that
// needs more room than that is cut short.
Result<std::vector<uint8_t>> decode_base64(std::string_view in) {
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int count = 0;
  size_t i = 0;
  for (; i < in.size(); ++i) {
    const int v = base64_value(static_cast<unsigned char>(in[i]));
    if (v < 0) break;
    acc = acc << 6 | static_cast<uint32_t>(v);
    if (++count == 4) {
      out.push_back(static_cast<uint8_t>(acc >> 16));
      out.push_back(static_cast<uint8_t>(acc >> 8));
      out.push_back(static_cast<uint8_t>(acc));
      acc = 0;
      count = 0;
    }
  }
  if (i < in.size() && in[i] != '=')
    return Error(kInvalidData,
                 "data: invalid base64 character '" + std::string(1, in[i]) + "' at offset " + std::to_string(i));
  if (count == 2) out.push_back(static_cast<uint8_t>(acc >> 4));
  if (count == 3) {
    out.push_back(static_cast<uint8_t>(acc >> 10));
    out.push_back(static_cast<uint8_t>(acc >> 2));
  }
  const size_t bound = 3 * (in.size() / 4) + 1;
  if (out.size() > bound) out.resize(bound);
  return out;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

class DataProtocol final : public Protocol {
 public:
  Status open(UrlContext &, const OpenRequest &request) override {
    std::string_view url = request.target;
    url = url.substr(0, url.find('\0'));
    const size_t comma = url.find(',');
    if (comma == std::string_view::npos) return Error(-EINVAL, "data: no ',' delimiter in the URL");
    const std::string_view header = url.substr(0, comma);
    bool base64 = false;
    for (size_t start = 0; start < comma;) {
      size_t semi = header.find(';', start);
      if (semi == std::string_view::npos) semi = header.size();
      const std::string_view part = header.substr(start, semi - start);
      if (start == 0) {
        if (part.find('/') == std::string_view::npos)
          return Error(-EINVAL, "data: invalid content type '" + std::string(part) + "' (it needs a '/')");
      } else if (part.size() <= 6 && equals_ignore_case(part, std::string_view("base64").substr(0, part.size()))) {
        // FFmpeg compares with av_strncasecmp(part, "base64", len): a prefix counts.
        base64 = true;
      }
      start = semi + 1;
    }
    const std::string_view payload = url.substr(comma + 1);
    if (base64) {
      Result<std::vector<uint8_t>> bytes = decode_base64(payload);
      if (!bytes) return bytes.error();
      data_ = std::move(*bytes);
    } else {
      data_.assign(payload.begin(), payload.end());  // not percent-decoded, as in FFmpeg
    }
    return {};
  }

  Result<size_t> read(UrlContext &, std::span<uint8_t> dst) override {
    if (pos_ >= data_.size()) return Error::eof();
    const size_t n = std::min(dst.size(), data_.size() - pos_);
    std::memcpy(dst.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

  // The payload never changes after open: any number of threads may read it.
  StreamProperties stream_properties() const override { return {.concurrent_read_at = true, .read_ahead = true}; }
  Result<size_t> read_at(UrlContext &, int64_t offset, std::span<uint8_t> dst) override {
    if (offset >= static_cast<int64_t>(data_.size())) return Error::eof();
    const size_t at = static_cast<size_t>(offset);
    const size_t n = std::min(dst.size(), data_.size() - at);
    std::memcpy(dst.data(), data_.data() + at, n);
    return n;
  }

 private:
  std::vector<uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace

ProtocolInfo data_protocol() { return ProtocolInfo::of<DataProtocol>("data"); }

}  // namespace avio::protocols
