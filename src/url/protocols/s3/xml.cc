#include "xml.hpp"

#include <expat.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace avio::protocols::s3 {

namespace {

// Expat names an element of a namespace "uri<separator>local". \x01 is no
// XML character, so no URI holds it and the local name follows the last one.
constexpr XML_Char kNamespaceSeparator = '\x01';

// XML_Parse takes an int length.
constexpr size_t kMaxChunk = size_t{1} << 30;

struct ParserFree {
  void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
};
using Parser = std::unique_ptr<XML_ParserStruct, ParserFree>;

bool iequals_ascii(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

bool valid_version(std::string_view version) {
  return version.size() > 2 && version.substr(0, 2) == "1." &&
         std::all_of(version.begin() + 2, version.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Builds the tree from expat's events and enforces what expat does not: the
// limits, no DOCTYPE, UTF-8 and XML 1.x only.
class Builder {
 public:
  Builder(XML_Parser parser, const XmlLimits &limits, size_t skipped)
      : parser_(parser), limits_(limits), skipped_(skipped) {}

  bool stopped() const { return error_.has_value(); }
  std::optional<Error> take_error() { return std::move(error_); }
  XmlElement take_root() { return std::move(root_); }

  // Error(code) allocates nothing, and memory has just run out.
  void stop_out_of_memory() { stop(Error(-ENOMEM)); }

  void xml_declaration(const XML_Char *version, const XML_Char *encoding, int /*standalone*/) {
    // The parser reads UTF-8 whatever the declaration says, so a document
    // declaring another encoding would be misread rather than refused.
    if (version == nullptr || !valid_version(version) || (encoding != nullptr && !iequals_ascii(encoding, "utf-8")))
      fail("unsupported XML declaration (version 1.x, UTF-8 only)");
  }

  // Refusing the DOCTYPE before its internal subset is read is what keeps
  // entity declarations (entity expansion bombs) and external entities out.
  void doctype(const XML_Char * /*name*/, const XML_Char * /*sysid*/, const XML_Char * /*pubid*/,
               int /*has_internal_subset*/) {
    fail("a document type declaration (DTD) is not accepted");
  }

  // Expat reports namespace declarations apart from the attributes; they
  // count towards the element's attributes all the same.
  void namespace_declaration(const XML_Char * /*prefix*/, const XML_Char * /*uri*/) { ++declarations_; }

  void start(const XML_Char *name, const XML_Char **attributes) {
    size_t count = std::exchange(declarations_, 0);
    for (const XML_Char **a = attributes; *a != nullptr; a += 2) ++count;
    if (count > limits_.max_attributes) return fail("too many attributes");
    if (++elements_ > limits_.max_elements) return fail("too many elements");
    if (open_.size() + 1 > limits_.max_depth) return fail("elements nested too deep");
    const std::string_view qualified(name);
    XmlElement &element = open_.emplace_back();
    element.name = qualified.substr(qualified.rfind(kNamespaceSeparator) + 1);
  }

  void end(const XML_Char * /*name*/) {
    XmlElement element = std::move(open_.back());
    open_.pop_back();
    if (open_.empty()) {
      root_ = std::move(element);
    } else {
      open_.back().children.push_back(std::move(element));
    }
  }

  void text(const XML_Char *s, int len) { open_.back().text.append(s, static_cast<size_t>(len)); }

 private:
  void fail(std::string_view what) {
    stop(Error(kInvalidData, "xml: " + std::string(what) + " at byte " +
                                 std::to_string(skipped_ + XML_GetCurrentByteIndex(parser_))));
  }

  void stop(Error error) {
    error_ = std::move(error);
    XML_StopParser(parser_, XML_FALSE);
  }

  XML_Parser parser_;
  XmlLimits limits_;
  size_t skipped_;  // bytes before what expat reads, for error offsets
  std::optional<Error> error_;
  size_t declarations_ = 0;
  size_t elements_ = 0;
  std::vector<XmlElement> open_;
  XmlElement root_;
};

// An expat handler calling `kMethod`. Events after a stop are dropped: expat
// may still deliver some (the end of an empty element refused at its start).
template <auto kMethod>
struct Handler;

template <typename... Args, void (Builder::*kMethod)(Args...)>
struct Handler<kMethod> {
  static void call(void *user_data, Args... args) {
    Builder &builder = *static_cast<Builder *>(user_data);
    if (builder.stopped()) return;
    try {
      (builder.*kMethod)(args...);
    } catch (const std::bad_alloc &) {  // it must not unwind through expat's C frames
      builder.stop_out_of_memory();
    }
  }
};

}  // namespace

const XmlElement *XmlElement::child(std::string_view child_name) const {
  for (const XmlElement &c : children)
    if (c.name == child_name) return &c;
  return nullptr;
}

std::vector<const XmlElement *> XmlElement::children_named(std::string_view child_name) const {
  std::vector<const XmlElement *> out;
  for (const XmlElement &c : children)
    if (c.name == child_name) out.push_back(&c);
  return out;
}

Result<XmlElement> parse_xml(std::string_view document, const XmlLimits &limits) {
  if (document.size() > limits.max_bytes)
    return Error(-EMSGSIZE, "xml: a document of " + std::to_string(document.size()) + " bytes is over the limit of " +
                                std::to_string(limits.max_bytes));
  // Expat refuses anything before the XML declaration, S3's keep-alive
  // whitespace included; a byte order mark before that whitespace goes too
  // (the encoding is UTF-8 regardless).
  size_t skipped = document.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  skipped = std::min(document.find_first_not_of(" \t\r\n", skipped), document.size());
  std::string_view rest = document.substr(skipped);

  const Parser parser(XML_ParserCreateNS("UTF-8", kNamespaceSeparator));
  if (parser == nullptr) return Error(-ENOMEM, "xml: out of memory");
  Builder builder(parser.get(), limits, skipped);
  XML_Parser p = parser.get();
  XML_SetUserData(p, &builder);
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
  XML_SetXmlDeclHandler(p, Handler<&Builder::xml_declaration>::call);
  XML_SetStartDoctypeDeclHandler(p, Handler<&Builder::doctype>::call);
  XML_SetStartNamespaceDeclHandler(p, Handler<&Builder::namespace_declaration>::call);
  XML_SetElementHandler(p, Handler<&Builder::start>::call, Handler<&Builder::end>::call);
  XML_SetCharacterDataHandler(p, Handler<&Builder::text>::call);
  bool parsed = true;
  do {
    const size_t n = std::min(rest.size(), kMaxChunk);
    parsed = XML_Parse(p, rest.data(), static_cast<int>(n), n == rest.size() ? XML_TRUE : XML_FALSE) == XML_STATUS_OK;
    rest.remove_prefix(n);
  } while (parsed && !rest.empty());
  if (std::optional<Error> error = builder.take_error()) return *std::move(error);
  if (XML_GetErrorCode(p) == XML_ERROR_NO_MEMORY) return Error(-ENOMEM, "xml: out of memory");
  if (!parsed)
    return Error(kInvalidData, "xml: " + std::string(XML_ErrorString(XML_GetErrorCode(p))) + " at byte " +
                                   std::to_string(skipped + XML_GetCurrentByteIndex(p)));
  return builder.take_root();
}

}  // namespace avio::protocols::s3
