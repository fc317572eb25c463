// unix: a Unix domain socket (FFmpeg's unix.c semantics).
//
// "unix:/path". Connects to the socket at the path, or with listen=1 binds
// it, accepts one client inside open and removes the path on close (and on
// a failed open, unless the path was in use). `timeout` (ms; when not set,
// rw_timeout in ms) bounds the connect and the wait for a client
// (-ETIMEDOUT). `type` is stream, datagram or seqpacket; `pkt_size` is the
// packet size of a datagram or seqpacket socket. Reads and writes wait
// through the context: past rw_timeout they end with -EIO, the code
// FFmpeg's retry loop gives them, and the interrupt with AVERROR_EXIT.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <string>

#include "../builtins.hpp"
#include "socket.hpp"

namespace avio::protocols {

namespace {

using net::Socket;

constexpr OptionSpec kUnixOptions[] = {
    {"listen", OptionType::kBool, "0", 0, 1, "Open socket for listening"},
    {"timeout", OptionType::kInt, "-1", -1, INT_MAX, "Timeout in ms"},
    // FFmpeg's named constants of an integer option, or the number itself.
    {"type", OptionType::kString, "stream", 0, 0, "Socket type: stream, datagram or seqpacket"},
    {"pkt_size", OptionType::kInt, "0", 0, INT_MAX, "Maximum packet size"},
};

Result<int> socket_type(const std::string &name) {
  if (name == "stream") return SOCK_STREAM;
  if (name == "datagram") return SOCK_DGRAM;
  if (name == "seqpacket") return SOCK_SEQPACKET;
  char *end = nullptr;
  errno = 0;
  const long v = std::strtol(name.c_str(), &end, 10);
  if (!name.empty() && *end == '\0' && errno == 0 && v >= INT_MIN && v <= INT_MAX) return static_cast<int>(v);
  return Error(-EINVAL, "unix: type must be stream, datagram or seqpacket, got '" + name + "'");
}

class UnixProtocol final : public Protocol {
 public:
  Status open(UrlContext &h, const OpenRequest &request) override {
    const std::string path(request.target);
    // FFmpeg truncates a long path silently (and then uses another socket).
    if (path.size() >= sizeof addr_.sun_path)
      return Error(-EINVAL, "unix: the path '" + path + "' is longer than " +
                                std::to_string(sizeof addr_.sun_path - 1) + " bytes");
    Result<int> type = socket_type(h.options().string("type"));
    if (!type) return type.error();
    type_ = *type;
    listen_ = h.options().integer("listen") != 0;
    pkt_size_ = static_cast<int>(h.options().integer("pkt_size"));
    int64_t timeout_ms = h.options().integer("timeout");
    if (timeout_ms < 0 && h.rw_timeout() > 0) timeout_ms = h.rw_timeout() / 1000;
    const Deadline deadline = Deadline::earlier(
        timeout_ms > 0 ? Deadline::after(std::chrono::milliseconds(timeout_ms)) : Deadline::never(), request.deadline);

    addr_.sun_family = AF_UNIX;
    std::memcpy(addr_.sun_path, path.c_str(), path.size() + 1);
    const auto *addr = reinterpret_cast<const sockaddr *>(&addr_);
    Result<Socket> sock = net::make_socket(AF_UNIX, type_, 0);
    if (!sock) return Error(sock.error().code(), "unix: " + sock.error().message());

    if (!listen_) {
      if (Status st = net::connect_socket(h, sock->fd(), addr, sizeof addr_, deadline); !st) return st;
      socket_ = std::move(*sock);
      return {};
    }
    Status st = net::listen_socket(sock->fd(), addr, sizeof addr_);
    if (st) {
      Result<Socket> client = net::accept_socket(h, sock->fd(), deadline);
      if (client) {
        socket_ = std::move(*client);  // the listening socket closes; the path stays until close
        return {};
      }
      st = client.error();
    }
    if (st.code() != -EADDRINUSE) ::unlink(addr_.sun_path);
    if (st.error().detail().rfind("unix:", 0) == 0) return st;
    return Error(st.code(), "unix: " + st.error().message());
  }

  StreamProperties stream_properties() const override {
    StreamProperties p;
    p.streamed = true;
    if ((type_ == SOCK_DGRAM || type_ == SOCK_SEQPACKET) && pkt_size_ > 0) p.max_packet_size = pkt_size_;
    return p;
  }

  Result<size_t> read(UrlContext &h, std::span<uint8_t> dst) override {
    Result<size_t> n = net::receive(h, socket_.fd(), dst, h.io_deadline(), -EIO);
    if (!n || *n > 0 || dst.empty()) return n;
    if (type_ == SOCK_STREAM) return Error::eof();
    // An empty packet, or (seqpacket) the peer is gone. FFmpeg returns 0
    // for both and its caller spins; a hang-up is the end of the stream.
    pollfd p{socket_.fd(), POLLIN | POLLRDHUP, 0};
    if (type_ == SOCK_SEQPACKET && poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP))) return Error::eof();
    return Error(-EAGAIN);
  }

  Result<size_t> write(UrlContext &h, std::span<const uint8_t> src) override {
    return net::send_bytes(h, socket_.fd(), src, h.io_deadline(), -EIO);
  }

  Status close(UrlContext &) override {
    if (listen_) ::unlink(addr_.sun_path);
    socket_.reset();
    return {};
  }

  int file_handle(UrlContext &) override { return socket_.fd(); }

 private:
  sockaddr_un addr_{};
  Socket socket_;
  int type_ = SOCK_STREAM;
  int pkt_size_ = 0;
  bool listen_ = false;
};

}  // namespace

ProtocolInfo unix_protocol() { return ProtocolInfo::of<UnixProtocol>("unix", {.options = kUnixOptions}); }

}  // namespace avio::protocols
