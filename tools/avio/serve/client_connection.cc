#include "client_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <utility>

#include "protocols/http/message.hpp"
#include "wait_budget.hpp"

namespace avio::tools::serve {

namespace {

constexpr size_t kReadSize = 16384;
constexpr size_t kWritePart = 65536;              // each part of a write gets the I/O timeout anew
constexpr size_t kCompactAfter = 65536;           // consumed bytes kept before the buffer moves down
constexpr int kMaxHandshakeSteps = 64;            // a handshake reports progress at most this often
constexpr std::chrono::seconds kCloseTimeout{1};  // for tls's close_notify

// A wait that the thread's budget ended is a timeout; the server's cut stays kExit.
Error budget_error(const Error &e) {
  if (e.code() == kExit && WaitBudget::expired()) return Error(-ETIMEDOUT, "timed out");
  return e;
}

}  // namespace

std::string peer_address(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) return "-";
  char text[INET6_ADDRSTRLEN] = "-";
  if (addr.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in &>(addr).sin_addr, text, sizeof text);
  else if (addr.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 &>(addr).sin6_addr, text, sizeof text);
  return text;
}

ClientConnection::ClientConnection(std::unique_ptr<UrlContext> url, const Timeouts &timeouts)
    : url_(std::move(url)), timeouts_(timeouts), peer_(peer_address(url_->file_handle())) {}

ClientConnection::~ClientConnection() {
  WaitBudget::set_after(kCloseTimeout);
  (void)url_->close();
  WaitBudget::clear();
}

Status ClientConnection::handshake() {
  WaitBudget::set_after(timeouts_.header);
  for (int step = 0; step < kMaxHandshakeSteps; ++step) {
    Result<int> r = url_->handshake();
    if (!r) return budget_error(r.error());
    if (*r == 0) return {};
  }
  return Error(-EPROTO, "the handshake did not finish in " + std::to_string(kMaxHandshakeSteps) + " steps");
}

std::span<const uint8_t> ClientConnection::buffered() const {
  return {reinterpret_cast<const uint8_t *>(buffer_.data()) + start_, buffer_.size() - start_};
}

void ClientConnection::consume(size_t n) { start_ += std::min(n, buffer_.size() - start_); }

void ClientConnection::skip_empty_lines() {
  while (start_ < buffer_.size() && (buffer_[start_] == '\r' || buffer_[start_] == '\n')) ++start_;
}

Result<size_t> ClientConnection::receive() {
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ > kCompactAfter && start_ * 2 > buffer_.size()) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  const size_t old = buffer_.size();
  buffer_.resize(old + kReadSize);
  Result<size_t> n = url_->read({reinterpret_cast<uint8_t *>(buffer_.data()) + old, kReadSize});
  buffer_.resize(old + (n ? *n : 0));
  if (!n) return budget_error(n.error());
  return *n;
}

Result<size_t> ClientConnection::fill() {
  WaitBudget::set_after(timeouts_.io);
  return receive();
}

Result<std::string> ClientConnection::read_head(size_t max_bytes, bool *started) {
  *started = false;
  skip_empty_lines();
  const Deadline idle = Deadline::after(timeouts_.idle);
  Deadline header;     // from the first byte
  size_t scanned = 0;  // bytes already searched for the blank line
  while (true) {
    const std::string_view pending = std::string_view(buffer_).substr(start_);
    if (!pending.empty() && !*started) {
      *started = true;
      header = Deadline::after(timeouts_.header);
    }
    // The blank line ends at or after the first byte not yet searched.
    const size_t from = scanned > 3 ? scanned - 3 : 0;
    if (const size_t end = protocols::http::find_head_end(pending.substr(from)); end != std::string_view::npos) {
      std::string head(pending.substr(0, from + end));
      consume(head.size());
      return head;
    }
    if (pending.size() > max_bytes)
      return Error(-EMSGSIZE, "the request head exceeds " + std::to_string(max_bytes) + " bytes");
    scanned = pending.size();
    WaitBudget::set(*started ? header : idle, !*started);
    if (Result<size_t> n = receive(); !n) return n.error();
    if (!*started) skip_empty_lines();
  }
}

void ClientConnection::linger() {
  (void)url_->shutdown(kOpenWrite);
  WaitBudget::set_after(kLingerTime);
  size_t dropped = 0;
  while (dropped < kLingerBytes) {
    start_ = buffer_.size();
    Result<size_t> n = receive();
    if (!n) break;
    dropped += *n;
  }
}

Status ClientConnection::write(std::span<const uint8_t> bytes) {
  for (size_t off = 0; off < bytes.size(); off += kWritePart) {
    WaitBudget::set_after(timeouts_.io);
    if (Status st = url_->write(bytes.subspan(off, std::min(kWritePart, bytes.size() - off))); !st)
      return budget_error(st.error());
  }
  return {};
}

Status ClientConnection::write(std::string_view bytes) {
  return write({reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()});
}

}  // namespace avio::tools::serve
