// A strict XML 1.0 reader for what S3 answers, over expat: one document into
// a tree of elements with their text. Nothing is fetched or expanded: a
// DOCTYPE is refused, so there is no DTD, no entity beyond the five
// predefined ones and numeric character references, and no external entity.
// CDATA sections, comments and processing instructions are allowed (the last
// two are skipped). Namespaces are ignored: "s3:Key" is the element Key, and
// attributes (xmlns included) are checked for well-formedness and dropped.
// A prefix must be declared, though: expat reads names as Namespaces in XML
// says, which is also what refuses <p:1k>, whose local name is no name. S3
// uses no prefixes.
//
// Strict: the whole document must be well-formed UTF-8 made of XML
// characters (an encoding declaration may only name UTF-8, and the version
// must be 1.x); tags must nest and match; anything after the root element
// other than comments, processing instructions and whitespace is refused.
// One leniency: whitespace before the XML declaration, which S3 sends to keep
// a CompleteMultipartUpload connection alive. Line ends in text are
// normalised to "\n" as XML says ("\r" from a character reference stays).
// The limits are checked as elements arrive, before any further parsing.
// Errors are kInvalidData with a detail naming the byte offset.
#ifndef AVIO_SRC_URL_PROTOCOLS_S3_XML_HPP
#define AVIO_SRC_URL_PROTOCOLS_S3_XML_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "avio/error.hpp"

namespace avio::protocols::s3 {

struct XmlElement {
  std::string name;  // the local name: "Key" for <s3:Key>
  std::string text;  // the character data directly inside, decoded, all pieces concatenated (not trimmed)
  std::vector<XmlElement> children;

  // The first child element named `name`, or nullptr.
  const XmlElement *child(std::string_view name) const;
  // Every child element named `name`, in document order.
  std::vector<const XmlElement *> children_named(std::string_view name) const;
};

struct XmlLimits {
  size_t max_bytes = size_t{16} << 20;  // the document
  size_t max_depth = 32;                // nested elements, the root being 1
  size_t max_elements = 200000;         // elements in the document
  size_t max_attributes = 32;           // attributes of one element
};

// Parses `document` (see the file comment). Errors: kInvalidData, -EMSGSIZE
// for a document beyond limits.max_bytes, or -ENOMEM.
Result<XmlElement> parse_xml(std::string_view document, const XmlLimits &limits = {});

}  // namespace avio::protocols::s3

#endif  // AVIO_SRC_URL_PROTOCOLS_S3_XML_HPP
