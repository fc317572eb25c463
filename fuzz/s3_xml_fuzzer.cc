// The s3 protocol's XML reader and response documents
// (src/url/protocols/s3/xml.hpp, responses.hpp, error_map.hpp), which read
// what any S3 endpoint sends: the input as a document, with the default
// limits and with small ones, and through every typed parser. Invariants: a
// parsed tree stays within its limits, holds no empty or prefixed name, and
// written back as XML parses to the same tree; a listing that says it is
// truncated has a continuation token; every mapped error is negative with an
// "s3: " text. Aborts on a broken invariant.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/s3/error_map.hpp"
#include "protocols/s3/responses.hpp"
#include "protocols/s3/xml.hpp"

namespace {

namespace s3 = avio::protocols::s3;

void check(bool ok) {
  if (!ok) std::abort();
}

// `text` as XML character data that reads back as itself.
std::string escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\r': out += "&#13;"; break;
      default: out += c;
    }
  }
  return out;
}

// The tree as a document: an element's text first, then its children.
void write(const s3::XmlElement &e, std::string &out) {
  out += "<" + e.name + ">" + escaped(e.text);
  for (const s3::XmlElement &child : e.children) write(child, out);
  out += "</" + e.name + ">";
}

bool same(const s3::XmlElement &a, const s3::XmlElement &b) {
  if (a.name != b.name || a.text != b.text || a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i)
    if (!same(a.children[i], b.children[i])) return false;
  return true;
}

// Checks names and depth; returns the number of elements.
size_t check_tree(const s3::XmlElement &e, size_t depth, const s3::XmlLimits &limits) {
  check(depth <= limits.max_depth);
  check(!e.name.empty() && e.name.find(':') == std::string::npos);
  size_t elements = 1;
  for (const s3::XmlElement &child : e.children) elements += check_tree(child, depth + 1, limits);
  return elements;
}

void check_document(std::string_view data, const s3::XmlLimits &limits) {
  auto tree = s3::parse_xml(data, limits);
  if (!tree.ok()) {
    check(tree.error().code() == avio::kInvalidData || tree.error().code() == -EMSGSIZE);
    return;
  }
  check(check_tree(*tree, 1, limits) <= limits.max_elements);
  std::string again;
  write(*tree, again);
  auto reparsed = s3::parse_xml(again);
  check(reparsed.ok() && same(*tree, *reparsed));
}

void check_mapping(const s3::S3Error &error) {
  for (const int status : {200, 301, 403, 404, 416, 503}) {
    const s3::ErrorMapping m = s3::map_error(status, error);
    check(m.code < 0 && m.text.rfind("s3: " + error.code, 0) == 0);
  }
}

void check_responses(std::string_view data) {
  if (auto error = s3::parse_error(data); error.ok()) {
    check(!error->code.empty());
    check_mapping(*error);
  }
  if (auto list = s3::parse_list_objects_v2(data); list.ok()) {
    check(!list->truncated || !list->next_token.empty());
    for (const s3::Object &o : list->objects) check(o.size >= 0 && o.last_modified >= 0);
  }
  if (auto id = s3::parse_upload_id(data); id.ok()) check(!id->empty());
  auto etag = s3::parse_complete_multipart(data);
  check(etag.ok() ? !etag->empty() : etag.error().code() < 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  check_document(text, {});
  s3::XmlLimits small;
  small.max_bytes = 2048;
  small.max_depth = 4;
  small.max_elements = 16;
  small.max_attributes = 2;
  check_document(text, small);
  check_responses(text);
  return 0;
}
