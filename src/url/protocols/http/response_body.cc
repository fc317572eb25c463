#include "response_body.hpp"

#include <algorithm>

namespace avio::protocols::http {

namespace {

constexpr size_t kStageBytes = 65536;

Error truncated(std::string_view what) {
  return Error(-EIO, "http: the connection ended within the response body (" + std::string(what) + ")");
}

}  // namespace

Result<ResponseBody> ResponseBody::of(const ResponseHead &head, std::string_view method, int64_t icy_metaint) {
  ResponseBody body;
  const bool bodyless = method == "HEAD" || head.status / 100 == 1 || head.status == 204 || head.status == 304;
  if (bodyless) return body;
  body.complete_ = false;
  if (transfer_encoding_chunked(head)) {
    body.framing_ = Framing::kChunked;
  } else {
    Result<int64_t> length = content_length(head);
    if (!length) return Error(length.error().code(), "http: " + length.error().message());
    if (*length >= 0) {
      body.framing_ = Framing::kLength;
      body.remaining_ = *length;
      body.complete_ = *length == 0;
    } else {
      body.framing_ = Framing::kUntilClose;
    }
  }
  if (std::optional<std::string_view> coding = head.find("Content-Encoding"); coding) {
    Result<BodyDecoder> decoder = BodyDecoder::for_encoding(*coding);
    if (!decoder) return Error(decoder.error().code(), "http: " + decoder.error().message());
    if (!decoder->identity()) body.decoder_ = std::make_unique<BodyDecoder>(std::move(*decoder));
  }
  if (icy_metaint > 0) body.icy_ = std::make_unique<IcyDemuxer>(icy_metaint);
  return body;
}

Result<ResponseBody> ResponseBody::of_request(const std::vector<Header> &headers) {
  ResponseHead head;
  head.http_version = "HTTP/1.1";
  head.status = 200;
  head.headers = headers;
  Result<ResponseBody> body = of(head, "POST", 0);
  if (body && body->framing_ == Framing::kUntilClose) {
    body->framing_ = Framing::kNone;
    body->complete_ = true;
  }
  return body;
}

Result<size_t> ResponseBody::read_chunked(Connection &conn, std::span<uint8_t> dst) {
  for (;;) {
    const std::span<const uint8_t> in = conn.buffered();
    size_t consumed = 0;
    Result<size_t> n = chunked_.decode(in, &consumed, dst);
    if (!n) return Error(n.error().code(), "http: chunked body: " + n.error().message());
    conn.consume(consumed);
    if (chunked_.done()) complete_ = true;
    if (*n > 0) return *n;
    if (complete_) return Error::eof();
    Result<size_t> more = conn.fill();
    if (!more) return more.error().code() == kEof ? truncated("chunked") : more.error();
  }
}

Result<size_t> ResponseBody::read_framed(Connection &conn, std::span<uint8_t> dst) {
  if (complete_) return Error::eof();
  switch (framing_) {
    case Framing::kNone: return Error::eof();
    case Framing::kChunked: return read_chunked(conn, dst);
    case Framing::kLength: {
      const size_t want = static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(dst.size())));
      Result<size_t> n = conn.read_some(dst.first(want));
      if (!n) return n.error().code() == kEof ? truncated("Content-Length") : n.error();
      remaining_ -= static_cast<int64_t>(*n);
      complete_ = remaining_ == 0;
      return n;
    }
    case Framing::kUntilClose: {
      Result<size_t> n = conn.read_some(dst);
      if (!n && n.error().code() == kEof) complete_ = true;
      return n;
    }
  }
  return Error::eof();
}

// Framed bytes through the content decoder, when there is one.
Result<size_t> ResponseBody::read_decoded(Connection &conn, std::span<uint8_t> dst) {
  if (!decoder_) return read_framed(conn, dst);
  for (;;) {
    if (raw_.begin == raw_.end && !decoder_->done()) {
      raw_.bytes.resize(kStageBytes);
      raw_.begin = raw_.end = 0;
      Result<size_t> n = read_framed(conn, raw_.bytes);
      if (!n) {
        if (n.error().code() != kEof) return n.error();
        return Error(kInvalidData, "http: the compressed body ended before its compressed stream did");
      }
      raw_.end = *n;
    }
    size_t consumed = 0;
    Result<size_t> out = decoder_->decode(raw_.pending(), &consumed, dst);
    if (!out) return Error(out.error().code(), "http: " + out.error().message());
    raw_.begin += consumed;
    if (*out > 0) return *out;
    if (decoder_->done()) return Error::eof();
  }
}

Result<size_t> ResponseBody::read(Connection &conn, std::span<uint8_t> dst) {
  if (!icy_) return read_decoded(conn, dst);
  for (;;) {
    if (decoded_.begin == decoded_.end) {
      decoded_.bytes.resize(kStageBytes);
      decoded_.begin = decoded_.end = 0;
      Result<size_t> n = read_decoded(conn, decoded_.bytes);
      if (!n) return n.error();
      decoded_.end = *n;
    }
    size_t consumed = 0;
    Result<size_t> out = icy_->decode(decoded_.pending(), &consumed, dst);
    if (!out) return Error(out.error().code(), "http: " + out.error().message());
    decoded_.begin += consumed;
    if (*out > 0) return *out;
  }
}

Result<std::span<const uint8_t>> ResponseBody::peek(Connection &conn) {
  if (complete_) return Error::eof();
  if (conn.buffered().empty()) {
    Result<size_t> n = conn.fill();
    if (!n) {
      if (n.error().code() != kEof) return n.error();
      if (framing_ == Framing::kLength) return truncated("Content-Length");
      complete_ = true;
      return Error::eof();
    }
  }
  const std::span<const uint8_t> in = conn.buffered();
  if (framing_ != Framing::kLength) return in;
  return in.first(static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(in.size()))));
}

void ResponseBody::consume(Connection &conn, size_t n) {
  conn.consume(n);
  if (framing_ != Framing::kLength) return;
  remaining_ -= static_cast<int64_t>(n);
  complete_ = remaining_ == 0;
}

Result<bool> ResponseBody::drain(Connection &conn, int64_t limit) {
  uint8_t scratch[16384];
  int64_t left = limit;
  while (!complete_) {
    if (framing_ == Framing::kLength && remaining_ > left) return false;
    if (left <= 0) return false;
    const size_t want = static_cast<size_t>(std::min<int64_t>(left, sizeof scratch));
    Result<size_t> n = read_framed(conn, std::span<uint8_t>(scratch, want));
    if (!n) {
      if (n.error().code() == kEof) break;
      return n.error();
    }
    left -= static_cast<int64_t>(*n);
  }
  return framing_ != Framing::kUntilClose;
}

}  // namespace avio::protocols::http
