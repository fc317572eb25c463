#include "canonical.hpp"

#include <algorithm>

#include "../http/message.hpp"

namespace avio::protocols::s3 {

namespace {

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

bool is_space(char c) { return c == ' ' || c == '\t'; }

// The first byte of `path` that an S3 path encoded once cannot hold, or npos.
size_t first_unencoded(std::string_view path) {
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (is_unreserved(c) || c == '/') continue;
    if (c == '%' && i + 2 < path.size() && is_upper_hex(path[i + 1]) && is_upper_hex(path[i + 2])) {
      i += 2;
      continue;
    }
    return i;
  }
  return std::string_view::npos;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

struct Field {
  std::string name;  // lowercase
  std::string value;
};

Result<Field> canonical_field(const std::pair<std::string, std::string> &header) {
  if (Status st = http::check_header_name(header.first); !st) return st.error();
  if (Status st = http::check_header_value(header.first, header.second); !st) return st.error();
  Field field{http::lowercase(header.first), trim_all(header.second)};
  if (field.name == "host")
    return Error::invalid_argument("s3: the host header comes from the request's host, not from its headers");
  return field;
}

// "name:v1,v2\n" per name of the sorted `fields`, and the names joined by ';'.
CanonicalHeaders join_fields(const std::vector<Field> &fields) {
  CanonicalHeaders out;
  for (size_t i = 0; i < fields.size(); ++i) {
    const bool first = i == 0 || fields[i - 1].name != fields[i].name;
    if (first) {
      if (i != 0) out.text += '\n';
      out.text.append(fields[i].name).append(":");
      if (!out.signed_headers.empty()) out.signed_headers += ';';
      out.signed_headers += fields[i].name;
    } else {
      out.text += ',';
    }
    out.text += fields[i].value;
  }
  if (!fields.empty()) out.text += '\n';
  return out;
}

}  // namespace

std::string uri_encode(std::string_view s, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (const char c : s) {
    if (is_unreserved(c) || (c == '/' && !encode_slash)) {
      out += c;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[u >> 4];
    out += kHex[u & 0xf];
  }
  return out;
}

std::string canonical_uri_for_s3(std::string_view key) { return "/" + uri_encode(key, false); }

std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out = !path.empty() && path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i != 0) out += '/';
    out += segments[i];
  }
  if (!segments.empty() && path.back() == '/') out += '/';
  return out;
}

Result<std::string> canonical_uri(std::string_view path, ServiceRules rules) {
  if (path.empty() || path.front() != '/')
    return Error::invalid_argument("s3: the path " + quoted(path) + " does not start with '/'");
  if (rules == ServiceRules::kGeneric) return uri_encode(normalize_path(path), false);
  if (const size_t bad = first_unencoded(path); bad != std::string_view::npos)
    return Error::invalid_argument("s3: the path " + quoted(path) + " is not URI-encoded at byte " +
                                   std::to_string(bad) + " (make it with canonical_uri_for_s3)");
  return std::string(path);
}

std::string canonical_query(const Pairs &query) {
  Pairs encoded;
  encoded.reserve(query.size());
  for (const auto &[name, value] : query) encoded.emplace_back(uri_encode(name, true), uri_encode(value, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto &[name, value] : encoded) {
    if (!out.empty()) out += '&';
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string trim_all(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (const char c : value) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

Result<CanonicalHeaders> canonical_headers(std::string_view host, const Pairs &headers) {
  if (Status st = http::check_header_value("host", host); !st) return st.error();
  std::vector<Field> fields;
  fields.reserve(headers.size() + 1);
  fields.push_back({"host", trim_all(host)});
  for (const auto &header : headers) {
    auto field = canonical_field(header);
    if (!field) return field.error();
    fields.push_back(std::move(*field));
  }
  // Stable: the values of a repeated name keep the order they were given in.
  std::stable_sort(fields.begin(), fields.end(), [](const Field &a, const Field &b) { return a.name < b.name; });
  return join_fields(fields);
}

Result<std::string> canonical_request(const SigningRequest &request) {
  auto uri = canonical_uri(request.path, request.rules);
  if (!uri) return uri.error();
  auto headers = canonical_headers(request.host, request.headers);
  if (!headers) return headers.error();
  std::string out;
  out.append(request.method).append("\n");
  out.append(*uri).append("\n");
  out.append(canonical_query(request.query)).append("\n");
  out.append(headers->text).append("\n");
  out.append(headers->signed_headers).append("\n");
  out.append(request.payload_sha256);
  return out;
}

}  // namespace avio::protocols::s3
