#include "byteranges.hpp"

#include <algorithm>
#include <cstring>

namespace avio::protocols::http {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 2046 bchars (a space is allowed, but not last).
bool is_bchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("'()+_,-./:=? ", c) != nullptr;
}

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

Error invalid(std::string detail) { return {kInvalidData, "http: " + std::move(detail)}; }

// The detail of an error of the message layer, without its "http: ".
std::string_view bare_detail(const Error &e) {
  std::string_view d = e.detail();
  if (d.substr(0, 6) == "http: ") d.remove_prefix(6);
  return d;
}

}  // namespace

Result<std::optional<std::string>> byteranges_boundary(std::string_view content_type) {
  std::string_view rest = content_type;
  const size_t semicolon = rest.find(';');
  if (!iequals(trim(rest.substr(0, semicolon)), "multipart/byteranges")) return std::optional<std::string>();
  const auto malformed = [&](std::string_view why) {
    return invalid("Content-Type " + quoted(content_type) + ": " + std::string(why));
  };
  rest.remove_prefix(semicolon == std::string_view::npos ? rest.size() : semicolon + 1);
  std::optional<std::string> boundary;
  while (!(rest = trim(rest)).empty()) {
    if (rest.front() == ';') {  // an empty parameter
      rest.remove_prefix(1);
      continue;
    }
    size_t n = 0;
    while (n < rest.size() && is_tchar(rest[n])) ++n;
    const std::string_view name = rest.substr(0, n);
    if (name.empty() || n == rest.size() || rest[n] != '=') return malformed("a parameter is not name=value");
    rest.remove_prefix(n + 1);
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        value += rest[i];
      }
      if (i == rest.size()) return malformed("a quoted parameter value has no closing quote");
      rest.remove_prefix(i + 1);
    } else {
      size_t i = 0;
      while (i < rest.size() && is_tchar(rest[i])) ++i;
      value.assign(rest.substr(0, i));
      rest.remove_prefix(i);
    }
    rest = trim(rest);
    if (!rest.empty() && rest.front() != ';') return malformed("text after a parameter value");
    if (!iequals(name, "boundary")) continue;
    if (boundary) return malformed("two boundary parameters");
    boundary = std::move(value);
  }
  if (!boundary) return malformed("no boundary parameter");
  if (boundary->empty() || boundary->size() > 70) return malformed("the boundary must have 1 to 70 characters");
  if (!std::all_of(boundary->begin(), boundary->end(), is_bchar) || boundary->back() == ' ')
    return malformed("the boundary holds a character RFC 2046 does not allow");
  return boundary;
}

ByterangesParser::ByterangesParser(std::string boundary, int64_t object_size, ByterangesLimits limits)
    : dash_boundary_("--" + std::move(boundary)), object_size_(object_size), limits_(limits) {}

Error ByterangesParser::fail(std::string detail) {
  state_ = State::kFailed;
  error_ = invalid("multipart/byteranges: " + std::move(detail));
  return error_;
}

std::string ByterangesParser::delimiter_expected() const {
  return "after part " + std::to_string(parts_) + "'s bytes, " + quoted(line_) +
         " where the delimiter should be (a part longer than its Content-Range?)";
}

std::string ByterangesParser::part_name() const { return "part " + std::to_string(parts_ + 1); }

bool ByterangesParser::is_delimiter(std::string_view line) const {
  if (line.substr(0, dash_boundary_.size()) != dash_boundary_) return false;
  line.remove_prefix(dash_boundary_.size());
  return std::all_of(line.begin(), line.end(), is_blank);
}

void ByterangesParser::take_body(size_t n) {
  body_offset_ += static_cast<int64_t>(n);
  body_left_ -= static_cast<int64_t>(n);
  if (body_left_ == 0) state_ = State::kBodyCr;
}

Status ByterangesParser::check_range(const ContentRange &r) {
  if (r.first < 0) return fail(part_name() + "'s Content-Range has no byte range");
  if (object_size_ >= 0 && r.complete_length >= 0 && r.complete_length != object_size_)
    return fail(part_name() + "'s Content-Range says the object has " + std::to_string(r.complete_length) +
                " bytes, not " + std::to_string(object_size_));
  if (object_size_ >= 0 && r.last >= object_size_)
    return fail(part_name() + "'s Content-Range ends at byte " + std::to_string(r.last) + ", beyond the object's " +
                std::to_string(object_size_) + " bytes");
  return {};
}

// One header line of a part, or the blank line that ends its head (then
// true: the part begins).
Result<bool> ByterangesParser::head_line(std::string_view line, Event *event) {
  if (line.empty()) {
    if (!range_) return fail(part_name() + " has no Content-Range");
    ++parts_;
    state_ = State::kBody;
    body_offset_ = range_->first;
    body_left_ = range_->last - range_->first + 1;
    event->kind = Event::Kind::kPart;
    event->range = *range_;
    return true;
  }
  if (is_blank(line.front())) return fail(part_name() + ": obsolete line folding " + quoted(line));
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return fail(part_name() + ": header line without ':' " + quoted(line));
  const std::string_view name = line.substr(0, colon);
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_tchar))
    return fail(part_name() + ": invalid header name in " + quoted(line));
  if (!iequals(name, "Content-Range")) return false;  // Content-Type and the like: not needed
  if (range_) return fail(part_name() + " has two Content-Range fields");
  Result<ContentRange> r = parse_content_range(line.substr(colon + 1));
  if (!r) return fail(part_name() + ": " + std::string(bare_detail(r.error())));
  if (Status st = check_range(*r); !st) return st.error();
  range_ = *r;
  return false;
}

// A line of the preamble, a head or a delimiter has ended (line_ holds it
// without its "\n"): true when it makes an event.
Result<bool> ByterangesParser::end_of_line(Event *event) {
  std::string_view line = line_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  Result<bool> made = false;
  const auto start_head = [this]() -> Status {
    if (parts_ >= limits_.max_parts) return fail("more than " + std::to_string(limits_.max_parts) + " parts");
    state_ = State::kHead;
    section_bytes_ = 0;
    range_.reset();
    return {};
  };
  switch (state_) {
    case State::kPreamble:
      if (is_delimiter(line)) {
        if (Status st = start_head(); !st) made = st.error();
      } else if (line.substr(0, dash_boundary_.size() + 2) == dash_boundary_ + "--") {
        made = fail("the closing delimiter comes before any part");
      }
      break;
    case State::kHead: made = head_line(line, event); break;
    case State::kDelimiter:
      if (!is_delimiter(line)) {
        made = fail(delimiter_expected());
      } else if (Status st = start_head(); !st) {
        made = st.error();
      }
      break;
    default: break;
  }
  line_.clear();
  return made;
}

Result<ByterangesParser::Event> ByterangesParser::next(std::span<const uint8_t> in, size_t *consumed) {
  *consumed = 0;
  Event event;
  size_t i = 0;
  while (i < in.size()) {
    switch (state_) {
      case State::kFailed: return error_;
      case State::kEpilogue:
        *consumed = in.size();
        event.kind = Event::Kind::kEnd;
        return event;
      case State::kBody: {
        const size_t n = static_cast<size_t>(std::min<int64_t>(body_left_, static_cast<int64_t>(in.size() - i)));
        event.kind = Event::Kind::kBody;
        event.offset = body_offset_;
        event.body = in.subspan(i, n);
        take_body(n);
        *consumed = i + n;
        return event;
      }
      case State::kBodyCr:
      case State::kBodyLf: {
        const char c = static_cast<char>(in[i++]);
        if (c == '\r' && state_ == State::kBodyCr) {
          state_ = State::kBodyLf;
        } else if (c == '\n') {
          state_ = State::kDelimiter;
          section_bytes_ = 0;
        } else {
          return fail("part " + std::to_string(parts_) +
                      " goes on past the end its Content-Range gives (no line end and delimiter after its bytes)");
        }
        break;
      }
      case State::kPreamble:
      case State::kHead:
      case State::kDelimiter: {
        const char c = static_cast<char>(in[i++]);
        if (++section_bytes_ > limits_.max_head_bytes) {
          if (state_ == State::kPreamble)
            return fail("more than " + std::to_string(limits_.max_head_bytes) + " bytes before the first delimiter");
          if (state_ == State::kHead)
            return fail(part_name() + "'s head is longer than " + std::to_string(limits_.max_head_bytes) + " bytes");
          return fail("the delimiter line after part " + std::to_string(parts_) + " is longer than " +
                      std::to_string(limits_.max_head_bytes) + " bytes");
        }
        if (c == '\n') {
          Result<bool> made = end_of_line(&event);
          if (!made) return made.error();
          if (*made) {
            *consumed = i;
            return event;
          }
          break;
        }
        line_ += c;
        if (state_ != State::kDelimiter) break;
        if (line_.size() <= dash_boundary_.size() && c != dash_boundary_[line_.size() - 1])
          return fail(delimiter_expected());
        // The closing delimiter needs no line end: the body may stop there.
        if (line_.size() == dash_boundary_.size() + 2 && line_.ends_with("--")) {
          state_ = State::kEpilogue;
          line_.clear();
          *consumed = in.size();  // the epilogue
          event.kind = Event::Kind::kEnd;
          return event;
        }
        break;
      }
    }
  }
  *consumed = in.size();
  return event;
}

Status ByterangesParser::finish() const {
  const auto ended = [](const std::string &where) { return invalid("multipart/byteranges: the body ended " + where); };
  switch (state_) {
    case State::kEpilogue: return {};
    case State::kFailed: return error_;
    case State::kPreamble: return ended("before the first delimiter");
    case State::kHead: return ended("within " + part_name() + "'s head");
    case State::kBody:
      return ended("within part " + std::to_string(parts_) + "'s bytes, " + std::to_string(body_left_) +
                   " bytes short");
    case State::kBodyCr:
    case State::kBodyLf:
    case State::kDelimiter: return ended("after part " + std::to_string(parts_) + ", without the closing delimiter");
  }
  return {};
}

}  // namespace avio::protocols::http
