#include "connection.hpp"

#include <poll.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace avio::protocols::http {

namespace {
// Enough for a typical head and a few body bytes in one transport read.
constexpr size_t kReadChunk = 16384;
// Chunks up to this size are copied into one write with their framing.
constexpr size_t kSmallChunk = 65536;
}  // namespace

namespace {
std::string transport_url(std::string_view host, int port, bool secure) {
  std::string url = secure ? "tls://" : "tcp://";
  if (host.find(':') != std::string_view::npos) {
    url += "[" + std::string(host) + "]";
  } else {
    url += host;
  }
  return url + ":" + std::to_string(port);
}
}  // namespace

Result<std::unique_ptr<Connection>> Connection::open(UrlContext &parent, std::string origin, std::string_view host,
                                                     int port, bool secure, Dictionary &options,
                                                     const Deadline &deadline) {
  Result<std::unique_ptr<UrlContext>> transport =
      parent.open_nested(transport_url(host, port, secure), kOpenReadWrite, options, deadline);
  if (!transport) return transport.error();
  return std::make_unique<Connection>(std::move(origin), std::move(*transport));
}

Result<std::unique_ptr<Connection>> Connection::open(const UrlOpenParams &params, std::string origin,
                                                     std::string_view host, int port, bool secure,
                                                     Dictionary &options) {
  Result<std::unique_ptr<UrlContext>> transport =
      UrlContext::open(transport_url(host, port, secure), kOpenReadWrite, params, options);
  if (!transport) return transport.error();
  return std::make_unique<Connection>(std::move(origin), std::move(*transport));
}

void Connection::compact() {
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (begin_ > 0 && capacity_ - end_ < kReadChunk) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
}

Result<size_t> Connection::fill() {
  compact();
  if (capacity_ - end_ < kReadChunk) {
    const size_t capacity = std::max(capacity_ * 2, end_ + kReadChunk);
    std::unique_ptr<uint8_t[]> bigger(new uint8_t[capacity]);  // NOLINT(modernize-make-unique): no zero-fill
    if (end_ > 0) std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = capacity;
  }
  Result<size_t> n = transport_->read(std::span<uint8_t>(buffer_.get() + end_, capacity_ - end_));
  if (!n) return n.error();
  end_ += *n;
  return *n;
}

Result<std::string> Connection::read_head_bytes(const HeadLimits &limits, const Deadline &deadline) {
  for (;;) {
    const std::string_view bytes(reinterpret_cast<const char *>(buffer_.get() + begin_), end_ - begin_);
    const size_t head_end = find_head_end(bytes);
    if (head_end != std::string_view::npos && head_end <= limits.max_head_bytes) {
      begin_ += head_end;
      return std::string(bytes.substr(0, head_end));
    }
    if (bytes.size() > limits.max_head_bytes)
      return Error(kInvalidData, "head longer than " + std::to_string(limits.max_head_bytes) + " bytes");
    if (deadline.expired())
      return Error(-ETIMEDOUT, bytes.empty() ? "no head within the time allowed"
                                             : "the head did not arrive within the time allowed");
    // Only a plain socket can be polled for the head: tls may hold decrypted
    // bytes that poll cannot see (there, rw_timeout bounds each read).
    if (!deadline.is_never() && transport_->info().name() == "tcp") {
      if (Status st = transport_->wait_ready(transport_->file_handle(), POLLIN, deadline, -ETIMEDOUT, "reading a head");
          !st)
        return st.error();
    }
    Result<size_t> n = fill();
    if (!n) {
      if (n.error().code() == kEof)
        return Error(-EIO, bytes.empty() ? "the peer closed the connection without a head"
                                         : "the peer closed the connection within a head");
      return n.error();
    }
  }
}

Status Connection::write_chunk(std::span<const uint8_t> bytes) {
  char line[32];
  const int n = std::snprintf(line, sizeof line, "%zx\r\n", bytes.size());
  // A small chunk goes out in one write (one segment on the wire).
  if (bytes.size() <= kSmallChunk) {
    std::string chunk(line, static_cast<size_t>(n));
    chunk.append(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    chunk += "\r\n";
    return write(chunk);
  }
  if (Status st = write(std::string_view(line, static_cast<size_t>(n))); !st) return st;
  if (Status st = write(bytes); !st) return st;
  return write("\r\n");
}

Result<size_t> Connection::read_some(std::span<uint8_t> dst) {
  if (dst.empty()) return size_t{0};
  if (begin_ < end_) {
    const size_t n = std::min(dst.size(), end_ - begin_);
    std::memcpy(dst.data(), buffer_.get() + begin_, n);
    begin_ += n;
    return n;
  }
  return transport_->read(dst);
}

}  // namespace avio::protocols::http
