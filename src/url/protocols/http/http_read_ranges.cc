// The http client's read_ranges (avio's own, for the block cache; the class is
// in http_client.hpp) asks for every span of a plan in one request, "Range:
// bytes=a-b,c-d,...", validated as read_at is, and scatters the answer straight
// into the callers' buffers: a multipart/byteranges body (parts in any order,
// possibly coalesced), one Content-Range, or the whole body (200) from a server
// that ignores several ranges. That body is read through to the last span when
// the bytes up to its end are few (kReadThroughMin, or twice the bytes wanted);
// else the connection is dropped at once and every span is one bounded request
// of its own, on a new connection kept alive between them. The client remembers
// such a server: its later calls ask for one span a request. A Range line
// longer than kRangeHeaderBudget goes out as several requests, one after the
// other on the kept-alive connection. Bytes an answer leaves out are asked for
// again; an answer that brings none of them is an error naming them.
#include <algorithm>
#include <string>
#include <vector>

#include "http_client.hpp"

namespace avio::protocols::http {

namespace {

// A 200 (the whole object) to a request for several ranges is read through
// to the end of the last span when that is at most this many bytes, or
// twice the bytes the spans want; beyond, it is given up for one request
// per span (a round trip each, instead of downloading what nobody wants).
constexpr int64_t kReadThroughMin = int64_t{1} << 20;

}  // namespace

Status HttpClient::read_ranges(UrlContext &h, std::span<const ReadRequest> reads) {
  if (writing_) return Error(-EIO, "http: the context was opened for writing");
  if (streamed_) return Error(-ENOSYS, "http: " + url_.to_string() + " takes no ranges: no positional reads");
  // A range past an unknown end would be refused: read_at finds the end.
  if (filesize_ < 0) return Protocol::read_ranges(h, reads);
  http::ReadPlan plan(reads, filesize_);
  std::vector<ByteSpan> todo = plan.spans();
  if (todo.empty()) return {};
  const int64_t position = off_;
  drop_response(true, h);
  Status st;
  for (size_t at = 0; st && at < todo.size();) {
    const size_t n =
        multi_range_refused_ ? 1 : http::spans_within_header(std::span(todo).subspan(at), kRangeHeaderBudget);
    const std::vector<ByteSpan> batch(todo.begin() + static_cast<ptrdiff_t>(at),
                                      todo.begin() + static_cast<ptrdiff_t>(at + n));
    Result<std::vector<ByteSpan>> missing = fetch_spans(h, plan, batch);
    // A 200 to these ranges, given up: each goes again, one a request.
    const bool refused_now = n > 1 && multi_range_refused_;
    if (!missing) {
      st = missing.error();
    } else if (*missing == batch && !refused_now) {
      // Nothing asked for came: asking again would not end.
      st = Error(-EIO, "http: " + url_.to_string() + ": the answer to a request for " +
                           http::range_header_value(batch).substr(0, 200) + " held none of bytes " +
                           std::to_string(batch.front().first) + "-" + std::to_string(batch.front().end - 1));
    } else {
      todo.insert(todo.begin() + static_cast<ptrdiff_t>(at + n), missing->begin(), missing->end());
    }
    at += n;
  }
  if (!st) conn_.reset();  // what is left of an answer is unknown
  off_ = position;
  return st;
}

bool HttpClient::same_version(const ResponseHead &head) const {
  if (!etag_.empty()) return head.find("ETag").value_or("") == etag_;
  return last_modified_.empty() || head.find("Last-Modified").value_or("") == last_modified_;
}

Error HttpClient::about_url(const Error &e) const {
  std::string_view detail = e.detail();
  if (detail.substr(0, 6) == "http: ") detail.remove_prefix(6);
  return Error(e.code(), "http: " + url_.to_string() + ": " + (detail.empty() ? e.message() : std::string(detail)));
}

Result<std::vector<ByteSpan>> HttpClient::fetch_spans(UrlContext &h, http::ReadPlan &plan,
                                                      std::span<const ByteSpan> spans) {
  if (h.interrupted()) return h.interrupted_error();
  const std::string method = !s_.method.empty() ? s_.method : (s_.has_post_data ? "POST" : "GET");
  ranges_ = http::range_header_value(spans);
  Result<Exchange> ex = request(h, method, spans.front().first, spans.back().end, true, h.io_deadline(), nullptr);
  ranges_.clear();
  if (!ex) return ex.error();
  const ResponseHead &head = ex->head;
  if (head.status >= 400) return Error(http::http_error_code(head.status), error_text(method, head));
  if (head.status != 200 && head.status != 206)
    return Error(-EIO, error_text(method, head) + " to a request for ranges");
  // With If-Range, a changed file is a 200 with another validator; a 200
  // with the same one is a server that ignores several ranges.
  if (!same_version(head)) {
    const std::string etag(head.find("ETag").value_or(""));
    return Error(-EIO, "http: " + url_.to_string() + " changed on the server while being read (asked for " +
                           std::to_string(spans.size()) + " range(s) from byte " + std::to_string(spans.front().first) +
                           ", got status " + std::to_string(head.status) + " with ETag " +
                           (etag.empty() ? "none" : etag) + ", had " + (etag_.empty() ? "none" : etag_) + ")");
  }
  if (ex->body.decoded())
    return Error(kInvalidData, "http: " + url_.to_string() + " answered ranges with Content-Encoding " +
                                   http::quoted(head.find("Content-Encoding").value_or("")));
  Result<std::optional<std::string>> boundary = std::optional<std::string>();
  if (head.status == 206) boundary = http::byteranges_boundary(head.find("Content-Type").value_or(""));
  if (!boundary) return about_url(boundary.error());
  std::optional<std::string> &multipart = *boundary;
  http::Coverage coverage;
  Status st;
  if (multipart) {
    st = read_multipart(ex->body, std::move(*multipart), plan, coverage);
  } else {
    int64_t first = 0, end = filesize_;  // a 200: the whole object
    if (head.status == 206) {
      const std::optional<std::string_view> cr = head.find("Content-Range");
      if (!cr) return Error(kInvalidData, "http: " + url_.to_string() + " answered 206 without Content-Range");
      Result<http::ContentRange> r = http::parse_content_range(*cr);
      if (!r) return about_url(r.error());
      if (r->first < 0 || r->last >= filesize_ || (r->complete_length >= 0 && r->complete_length != filesize_))
        return Error(kInvalidData, "http: " + url_.to_string() + ": Content-Range " + http::quoted(*cr) +
                                       " is not within the object's " + std::to_string(filesize_) + " bytes");
      first = r->first;
      end = r->last + 1;
    } else if (Result<int64_t> length = http::content_length(head); length && *length >= 0 && *length != filesize_) {
      return Error(-EIO, "http: " + url_.to_string() + " changed on the server while being read (its length is " +
                             std::to_string(*length) + ", was " + std::to_string(filesize_) + ")");
    }
    if (head.status == 200 && spans.size() > 1) {
      // The server ignores several ranges, and will again. Reading from
      // byte 0 to the last span pays when little precedes the spans; else
      // the connection goes at once (a drain would read the whole object)
      // and the spans are asked for one by one.
      multi_range_refused_ = true;
      int64_t wanted = 0;
      for (const ByteSpan &s : spans) wanted += s.end - s.first;
      if (spans.back().end > std::max(2 * wanted, kReadThroughMin)) {
        conn_.reset();
        return std::vector<ByteSpan>(spans.begin(), spans.end());
      }
    }
    st = read_span_body(ex->body, first, end, std::min(end, spans.back().end), plan, coverage);
  }
  if (!st) return st.error();
  return coverage.gaps(spans);
}

// A body of the object's bytes [first, end), read up to `stop`; the rest is
// drained when short, else the connection is closed.
Status HttpClient::read_span_body(ResponseBody &body, int64_t first, int64_t end, int64_t stop, http::ReadPlan &plan,
                                  http::Coverage &coverage) {
  uint8_t scratch[16384];
  for (int64_t at = first; at < stop;) {
    std::span<uint8_t> to = plan.direct(at, stop - at).dst;
    if (to.empty()) to = std::span<uint8_t>(scratch, static_cast<size_t>(std::min<int64_t>(stop - at, sizeof scratch)));
    Result<size_t> n = body.read(*conn_, to);
    if (!n) {
      if (!n.error().is_eof()) return n.error();
      return Error(-EIO, "http: " + url_.to_string() + ": the answer ended at byte " + std::to_string(at) +
                             " of bytes " + std::to_string(first) + "-" + std::to_string(end - 1));
    }
    plan.put(at, to.first(*n));
    coverage.add(at, at + static_cast<int64_t>(*n));
    at += static_cast<int64_t>(*n);
  }
  if (Result<bool> drained = body.drain(*conn_, kDrainLimit); !drained || !*drained) conn_.reset();
  return {};
}

Status HttpClient::read_multipart(ResponseBody &body, std::string boundary, http::ReadPlan &plan,
                                  http::Coverage &coverage) {
  http::ByterangesParser parser(std::move(boundary), filesize_);
  // A plain body is parsed where it lies, in the connection's buffer; a
  // chunked one is staged in `scratch` first.
  const bool in_place = body.in_place();
  uint8_t scratch[16384];
  const auto fetch = [&]() -> Result<std::span<const uint8_t>> {
    if (in_place) return body.peek(*conn_);
    Result<size_t> n = body.read(*conn_, std::span<uint8_t>(scratch));
    if (!n) return n.error();
    return std::span<const uint8_t>(scratch, *n);
  };
  const auto failed = [&](const Error &e) {
    if (!e.is_eof()) return e;
    const Status st = parser.finish();  // the body ended before the closing delimiter
    return about_url(st ? Error(-EIO, "http: multipart/byteranges: the body ended early") : st.error());
  };
  std::span<const uint8_t> staged;  // fetched, not yet parsed
  while (!parser.done()) {
    const int64_t at = parser.body_offset();
    const std::span<uint8_t> to =
        parser.in_body() && staged.empty() ? plan.direct(at, parser.body_left()).dst : std::span<uint8_t>();
    if (!to.empty()) {
      // Bytes a read wants go straight into it (from the connection's
      // buffer, else from the transport).
      Result<size_t> n = body.read(*conn_, to);
      if (!n) return failed(n.error());
      plan.put(at, to.first(*n));
      coverage.add(at, at + static_cast<int64_t>(*n));
      parser.take_body(*n);
      continue;
    }
    if (staged.empty()) {
      Result<std::span<const uint8_t>> more = fetch();
      if (!more) return failed(more.error());
      staged = *more;
    }
    size_t used = 0;
    Result<http::ByterangesParser::Event> e = parser.next(staged, &used);
    if (!e) return about_url(e.error());
    if (e->kind == http::ByterangesParser::Event::Kind::kBody) {
      plan.put(e->offset, e->body);
      coverage.add(e->offset, e->offset + static_cast<int64_t>(e->body.size()));
    }
    if (in_place) body.consume(*conn_, used);
    staged = staged.subspan(used);
  }
  // The epilogue (a line end, usually).
  if (Result<bool> drained = body.drain(*conn_, kDrainLimit); !drained || !*drained) conn_.reset();
  return {};
}

}  // namespace avio::protocols::http
