#include "xml.hpp"

#include <cstdint>
#include <utility>

namespace avio::protocols::s3 {

namespace {

using Attributes = std::vector<std::pair<std::string_view, std::string>>;

uint32_t byte(char c) { return static_cast<unsigned char>(c); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_xml_char(uint32_t cp) {
  return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
         (cp >= 0x10000 && cp <= 0x10ffff);
}

// The length of the UTF-8 sequence at s[i] when it is one XML character, else 0.
size_t char_length(std::string_view s, size_t i) {
  const uint32_t b0 = byte(s[i]);
  if (b0 < 0x80) return is_xml_char(b0) ? 1 : 0;
  size_t len = 0;
  uint32_t cp = 0;
  uint32_t min = 0;
  if ((b0 & 0xe0) == 0xc0) {
    len = 2, cp = b0 & 0x1f, min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    len = 3, cp = b0 & 0x0f, min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (len > s.size() - i) return 0;
  for (size_t k = 1; k < len; ++k) {
    const uint32_t b = byte(s[i + k]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (b & 0x3f);
  }
  return cp >= min && is_xml_char(cp) ? len : 0;
}

// The offset of the first byte that does not start a valid XML character, or npos.
size_t first_invalid_char(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t len = char_length(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

void append_utf8(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Appends `text` with XML's line-end normalisation: "\r\n" and "\r" become "\n".
void append_text(std::string &out, std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out += text[i];
      continue;
    }
    out += '\n';
    if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code point of a character reference's body ("#65", "#x41"), or -1.
int64_t char_reference(std::string_view body) {
  const bool hex = body.size() > 1 && body[1] == 'x';
  const std::string_view digits = body.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 7) return -1;
  int64_t cp = 0;
  for (const char c : digits) {
    const int v = hex ? hex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
    if (v < 0) return -1;
    cp = cp * (hex ? 16 : 10) + v;
  }
  return cp;
}

std::string_view predefined_entity(std::string_view name) {
  if (name == "lt") return "<";
  if (name == "gt") return ">";
  if (name == "amp") return "&";
  if (name == "apos") return "'";
  if (name == "quot") return "\"";
  return {};
}

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || byte(c) >= 0x80;
}

bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

// The pseudo-attributes of an XML declaration: version 1.x, then optionally
// encoding (UTF-8 only) and standalone, in that order.
bool valid_declaration(const Attributes &attributes) {
  if (attributes.empty() || attributes.size() > 3 || attributes[0].first != "version") return false;
  const std::string &version = attributes[0].second;
  if (version.size() < 3 || version.compare(0, 2, "1.") != 0) return false;
  for (size_t i = 2; i < version.size(); ++i)
    if (version[i] < '0' || version[i] > '9') return false;
  size_t next = 1;
  if (next < attributes.size() && attributes[next].first == "encoding") {
    if (!iequals_ascii(attributes[next].second, "utf-8")) return false;
    ++next;
  }
  if (next < attributes.size() && attributes[next].first == "standalone") {
    if (attributes[next].second != "yes" && attributes[next].second != "no") return false;
    ++next;
  }
  return next == attributes.size();
}

class Reader {
 public:
  Reader(std::string_view in, const XmlLimits &limits) : in_(in), limits_(limits) {}

  Result<XmlElement> run() {
    if (Status st = prolog(); !st) return st.error();
    if (!at("<") || at("</") || at("<!") || at("<?")) return fail("expected the root element");
    if (Status st = start_tag(); !st) return st.error();
    while (!done_) {
      if (Status st = content_step(); !st) return st.error();
    }
    if (Status st = misc(); !st) return st.error();
    if (pos_ != in_.size()) return fail("content after the root element");
    return std::move(root_);
  }

 private:
  bool at(std::string_view s) const { return in_.substr(pos_, s.size()) == s; }

  bool skip_space() {
    const size_t start = pos_;
    while (pos_ < in_.size() && is_space(in_[pos_])) ++pos_;
    return pos_ != start;
  }

  Error fail(std::string_view what) const {
    return Error(kInvalidData, "xml: " + std::string(what) + " at byte " + std::to_string(pos_));
  }

  // An optional byte order mark, whitespace (S3's keep-alive), the XML
  // declaration and comments, processing instructions and whitespace.
  Status prolog() {
    if (at("\xEF\xBB\xBF")) pos_ += 3;
    skip_space();
    if (at("<?xml") && pos_ + 5 < in_.size() && is_space(in_[pos_ + 5])) {
      if (Status st = declaration(); !st) return st;
    }
    if (Status st = misc(); !st) return st;
    if (at("<!DOCTYPE")) return fail("a document type declaration (DTD) is not accepted");
    return {};
  }

  Status declaration() {
    pos_ += 5;
    Attributes attributes;
    if (Status st = attribute_list(attributes); !st) return st;
    if (!at("?>")) return fail("malformed XML declaration");
    if (!valid_declaration(attributes)) return fail("unsupported XML declaration (version 1.x, UTF-8 only)");
    pos_ += 2;
    return {};
  }

  // Comments, processing instructions and whitespace.
  Status misc() {
    while (true) {
      skip_space();
      Status st;
      if (at("<!--")) {
        st = comment();
      } else if (at("<?")) {
        st = processing_instruction();
      } else {
        return {};
      }
      if (!st) return st;
    }
  }

  Status comment() {
    pos_ += 4;
    const size_t end = in_.find("--", pos_);
    if (end == std::string_view::npos) return fail("unterminated comment");
    pos_ = end;
    if (!at("-->")) return fail("'--' inside a comment");
    pos_ += 3;
    return {};
  }

  Status processing_instruction() {
    pos_ += 2;
    auto target = name();
    if (!target) return target.error();
    if (iequals_ascii(*target, "xml")) return fail("an XML declaration that is not at the start");
    if (!at("?>") && !skip_space()) return fail("malformed processing instruction");
    const size_t end = in_.find("?>", pos_);
    if (end == std::string_view::npos) return fail("unterminated processing instruction");
    pos_ = end + 2;
    return {};
  }

  Result<std::string_view> name() {
    const size_t start = pos_;
    if (pos_ >= in_.size() || !is_name_start(in_[pos_])) return fail("expected a name");
    while (pos_ < in_.size() && is_name_char(in_[pos_])) ++pos_;
    const std::string_view n = in_.substr(start, pos_ - start);
    if (n.back() == ':') return fail("a name without a local part");
    return n;
  }

  Status attribute_value(std::string &out) {
    if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\'')) return fail("expected a quoted value");
    const char quote = in_[pos_++];
    while (pos_ < in_.size() && in_[pos_] != quote) {
      const char c = in_[pos_];
      if (c == '<') return fail("'<' in an attribute value");
      if (c == '&') {
        if (Status st = reference(out); !st) return st;
        continue;
      }
      out += c;
      ++pos_;
    }
    if (pos_ >= in_.size()) return fail("unterminated attribute value");
    ++pos_;
    return {};
  }

  Status attribute(Attributes &out) {
    auto n = name();
    if (!n) return n.error();
    skip_space();
    if (!at("=")) return fail("expected '=' after an attribute name");
    ++pos_;
    skip_space();
    std::string value;
    if (Status st = attribute_value(value); !st) return st;
    for (const auto &a : out)
      if (a.first == *n) return fail("a repeated attribute");
    if (out.size() >= limits_.max_attributes) return fail("too many attributes");
    out.emplace_back(*n, std::move(value));
    return {};
  }

  // Attributes up to (not including) '>', "/>" or "?>".
  Status attribute_list(Attributes &out) {
    while (true) {
      const bool spaced = skip_space();
      if (pos_ >= in_.size()) return fail("unterminated tag");
      const char c = in_[pos_];
      if (c == '>' || c == '/' || c == '?') return {};
      if (!spaced) return fail("attributes must be separated by whitespace");
      if (Status st = attribute(out); !st) return st;
    }
  }

  void attach(XmlElement element) {
    if (open_.empty()) {
      root_ = std::move(element);
      done_ = true;
    } else {
      open_.back().children.push_back(std::move(element));
    }
  }

  Status start_tag() {
    ++pos_;
    auto n = name();
    if (!n) return n.error();
    Attributes attributes;
    if (Status st = attribute_list(attributes); !st) return st;
    const bool empty = at("/>");
    if (!empty && !at(">")) return fail("malformed start tag");
    pos_ += empty ? 2 : 1;
    if (++elements_ > limits_.max_elements) return fail("too many elements");
    if (open_.size() + 1 > limits_.max_depth) return fail("elements nested too deep");
    XmlElement element;
    element.name = std::string(n->substr(n->rfind(':') + 1));
    if (empty) {
      attach(std::move(element));
    } else {
      open_.push_back(std::move(element));
      open_names_.push_back(*n);
    }
    return {};
  }

  Status end_tag() {
    pos_ += 2;
    auto n = name();
    if (!n) return n.error();
    skip_space();
    if (!at(">")) return fail("malformed end tag");
    if (*n != open_names_.back()) return fail("end tag </" + std::string(*n) + "> does not match its start tag");
    ++pos_;
    XmlElement element = std::move(open_.back());
    open_.pop_back();
    open_names_.pop_back();
    attach(std::move(element));
    return {};
  }

  Status cdata() {
    pos_ += 9;
    const size_t end = in_.find("]]>", pos_);
    if (end == std::string_view::npos) return fail("unterminated CDATA section");
    append_text(open_.back().text, in_.substr(pos_, end - pos_));
    pos_ = end + 3;
    return {};
  }

  Status reference(std::string &out) {
    const size_t semi = in_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return fail("malformed reference");
    const std::string_view body = in_.substr(pos_ + 1, semi - pos_ - 1);
    if (!body.empty() && body[0] == '#') {
      const int64_t cp = char_reference(body);
      if (cp < 0 || !is_xml_char(static_cast<uint32_t>(cp))) return fail("invalid character reference");
      append_utf8(out, static_cast<uint32_t>(cp));
    } else {
      const std::string_view text = predefined_entity(body);
      if (text.empty()) return fail("undefined entity &" + std::string(body) + ";");
      out += text;
    }
    pos_ = semi + 1;
    return {};
  }

  Status char_data() {
    size_t end = in_.find_first_of("<&", pos_);
    if (end == std::string_view::npos) end = in_.size();
    const std::string_view run = in_.substr(pos_, end - pos_);
    if (run.find("]]>") != std::string_view::npos) return fail("']]>' in text");
    append_text(open_.back().text, run);
    pos_ = end;
    return {};
  }

  // One piece of an open element's content.
  Status content_step() {
    if (pos_ >= in_.size()) return fail("unclosed element <" + std::string(open_names_.back()) + ">");
    if (in_[pos_] == '&') return reference(open_.back().text);
    if (in_[pos_] != '<') return char_data();
    if (at("</")) return end_tag();
    if (at("<!--")) return comment();
    if (at("<![CDATA[")) return cdata();
    if (at("<?")) return processing_instruction();
    if (at("<!")) return fail("a markup declaration is not accepted");
    return start_tag();
  }

  std::string_view in_;
  XmlLimits limits_;
  size_t pos_ = 0;
  size_t elements_ = 0;
  std::vector<XmlElement> open_;
  std::vector<std::string_view> open_names_;  // the raw names of open_, for matching end tags
  XmlElement root_;
  bool done_ = false;
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
  if (const size_t bad = first_invalid_char(document); bad != std::string_view::npos)
    return Error(kInvalidData, "xml: invalid UTF-8 or a character XML does not allow at byte " + std::to_string(bad));
  return Reader(document, limits).run();
}

}  // namespace avio::protocols::s3
