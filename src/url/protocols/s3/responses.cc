#include "responses.hpp"

#include <utility>

#include "../../civil_time.hpp"
#include "error_map.hpp"
#include "xml.hpp"

namespace avio::protocols::s3 {

namespace {

Error invalid(const std::string &detail) { return Error(kInvalidData, "s3: " + detail); }

std::string tag(std::string_view name) { return "<" + std::string(name) + ">"; }

// The only child of `parent` named `name` (nullptr when there is none), which
// must hold text and no elements.
Result<const XmlElement *> single(const XmlElement &parent, std::string_view name) {
  const XmlElement *found = nullptr;
  for (const XmlElement &c : parent.children) {
    if (c.name != name) continue;
    if (found != nullptr) return invalid(tag(parent.name) + " has more than one " + tag(name));
    found = &c;
  }
  if (found != nullptr && !found->children.empty()) return invalid(tag(name) + " holds elements where text belongs");
  return found;
}

// The text of the child `name`, "" when absent.
Result<std::string> optional_text(const XmlElement &parent, std::string_view name) {
  auto element = single(parent, name);
  if (!element) return element.error();
  return *element == nullptr ? std::string() : (*element)->text;
}

// The text of the child `name`, which must be there and not be empty.
Result<std::string> required_text(const XmlElement &parent, std::string_view name) {
  auto element = single(parent, name);
  if (!element) return element.error();
  if (*element == nullptr || (*element)->text.empty()) return invalid(tag(parent.name) + " lacks " + tag(name));
  return (*element)->text;
}

Result<XmlElement> document(std::string_view xml, std::string_view root) {
  auto tree = parse_xml(xml);
  if (!tree) return tree.error();
  if (tree->name != root) return invalid("expected " + tag(root) + ", got " + tag(tree->name));
  return tree;
}

// A decimal number of 1 to 18 digits.
Result<int64_t> decimal(std::string_view text, std::string_view what) {
  if (text.empty() || text.size() > 18) return invalid("invalid " + tag(what) + " \"" + std::string(text) + "\"");
  int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return invalid("invalid " + tag(what) + " \"" + std::string(text) + "\"");
    value = value * 10 + (c - '0');
  }
  return value;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding, as S3's EncodingType "url" encodes.
Result<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] != '%') {
      out += text[i];
    } else {
      const int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int lo = hi >= 0 ? hex_value(text[i + 2]) : -1;
      if (lo < 0) return invalid("a malformed %-escape in the url-encoded \"" + std::string(text) + "\"");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

Result<std::string> key_text(std::string text, bool url_encoded) {
  if (!url_encoded) return text;
  return form_decode(text);
}

Result<Object> object_from(const XmlElement &contents, bool url_encoded) {
  auto key = required_text(contents, "Key");
  if (!key) return key.error();
  auto size = required_text(contents, "Size");
  if (!size) return size.error();
  auto modified = required_text(contents, "LastModified");
  if (!modified) return modified.error();
  auto etag = optional_text(contents, "ETag");
  if (!etag) return etag.error();
  auto decoded = key_text(std::move(*key), url_encoded);
  if (!decoded) return decoded.error();
  auto bytes = decimal(*size, "Size");
  if (!bytes) return bytes.error();
  auto time = parse_iso8601(*modified);
  if (!time) return time.error();
  return Object{std::move(*decoded), *bytes, *time, std::move(*etag)};
}

Status read_prefixes(const XmlElement &root, bool url_encoded, ListResult &out) {
  for (const XmlElement *group : root.children_named("CommonPrefixes")) {
    for (const XmlElement *prefix : group->children_named("Prefix")) {
      if (!prefix->children.empty()) return invalid("<Prefix> holds elements where text belongs");
      auto decoded = key_text(prefix->text, url_encoded);
      if (!decoded) return decoded.error();
      out.prefixes.push_back(std::move(*decoded));
    }
  }
  return {};
}

Status read_continuation(const XmlElement &root, ListResult &out) {
  auto truncated = optional_text(root, "IsTruncated");
  if (!truncated) return truncated.error();
  if (*truncated != "" && *truncated != "true" && *truncated != "false")
    return invalid("invalid <IsTruncated> \"" + *truncated + "\"");
  out.truncated = *truncated == "true";
  auto token = optional_text(root, "NextContinuationToken");
  if (!token) return token.error();
  if (out.truncated && token->empty()) return invalid("a truncated listing without <NextContinuationToken>");
  out.next_token = std::move(*token);
  auto count = optional_text(root, "KeyCount");
  if (!count) return count.error();
  if (count->empty()) return {};
  auto n = decimal(*count, "KeyCount");
  if (!n) return n.error();
  out.key_count = *n;
  return {};
}

Result<bool> url_encoding(const XmlElement &root) {
  auto encoding = optional_text(root, "EncodingType");
  if (!encoding) return encoding.error();
  if (*encoding != "" && *encoding != "url") return invalid("unknown <EncodingType> \"" + *encoding + "\"");
  return *encoding == "url";
}

Result<S3Error> error_from(const XmlElement &root) {
  S3Error out;
  auto code = required_text(root, "Code");
  if (!code) return code.error();
  out.code = std::move(*code);
  const std::pair<std::string_view, std::string *> fields[] = {
      {"Message", &out.message},        {"RequestId", &out.request_id},     {"Resource", &out.resource},
      {"ServerTime", &out.server_time}, {"RequestTime", &out.request_time}, {"Region", &out.region},
      {"Endpoint", &out.endpoint}};
  for (const auto &[name, field] : fields) {
    auto text = optional_text(root, name);
    if (!text) return text.error();
    *field = std::move(*text);
  }
  return out;
}

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int two_digits(std::string_view s, size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

using url_internal::days_from_civil;

bool valid_day(int year, int month, int day) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month != 2 || day != 29 || leap;
}

}  // namespace

Result<int64_t> parse_iso8601(std::string_view text) {
  const auto bad = [&] { return invalid("invalid time \"" + std::string(text) + "\""); };
  if (text.size() < 20 || text.back() != 'Z') return bad();
  const std::string_view fixed = text.substr(0, 19);
  const std::string_view fraction = text.substr(19, text.size() - 20);
  if (fixed[4] != '-' || fixed[7] != '-' || fixed[10] != 'T' || fixed[13] != ':' || fixed[16] != ':') return bad();
  for (const size_t at : {0, 5, 8, 11, 14, 17})
    if (!digits(fixed.substr(at, at == 0 ? 4 : 2))) return bad();
  if (!fraction.empty() && (fraction[0] != '.' || !digits(fraction.substr(1)))) return bad();
  const int year = two_digits(fixed, 0) * 100 + two_digits(fixed, 2);
  const int month = two_digits(fixed, 5);
  const int day = two_digits(fixed, 8);
  const int hour = two_digits(fixed, 11);
  const int minute = two_digits(fixed, 14);
  const int second = two_digits(fixed, 17);
  if (year < 1970 || !valid_day(year, month, day) || hour > 23 || minute > 59 || second > 59) return bad();
  return days_from_civil(year, month, day) * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
}

Result<S3Error> parse_error(std::string_view xml) {
  auto root = document(xml, "Error");
  if (!root) return root.error();
  return error_from(*root);
}

Result<ListResult> parse_list_objects_v2(std::string_view xml) {
  auto root = document(xml, "ListBucketResult");
  if (!root) return root.error();
  auto url_encoded = url_encoding(*root);
  if (!url_encoded) return url_encoded.error();
  ListResult out;
  for (const XmlElement *contents : root->children_named("Contents")) {
    auto object = object_from(*contents, *url_encoded);
    if (!object) return object.error();
    out.objects.push_back(std::move(*object));
  }
  if (Status st = read_prefixes(*root, *url_encoded, out); !st) return st.error();
  if (Status st = read_continuation(*root, out); !st) return st.error();
  return out;
}

Result<std::string> parse_upload_id(std::string_view xml) {
  auto root = document(xml, "InitiateMultipartUploadResult");
  if (!root) return root.error();
  return required_text(*root, "UploadId");
}

Result<std::string> parse_complete_multipart(std::string_view xml) {
  auto tree = parse_xml(xml);
  if (!tree) return tree.error();
  if (tree->name == "Error") {
    auto error = error_from(*tree);
    if (!error) return error.error();
    ErrorMapping mapped = map_error(200, *error);
    return Error(mapped.code, std::move(mapped.text));
  }
  if (tree->name != "CompleteMultipartUploadResult")
    return invalid("expected <CompleteMultipartUploadResult>, got " + tag(tree->name));
  return required_text(*tree, "ETag");
}

}  // namespace avio::protocols::s3
