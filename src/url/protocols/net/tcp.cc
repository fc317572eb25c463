// tcp: a TCP connection, or a server (FFmpeg 7's tcp.c semantics).
//
// "tcp://host:port[?options]". Connects by name or address, IPv4 and IPv6,
// trying the addresses as ff_connect_parallel does (families interleaved,
// the next address 200 ms after the previous, at most 3 at once, each for
// `timeout`, else 5 s). listen=1 accepts one client inside open (bounded by
// listen_timeout); listen=2 makes a server whose clients come from accept.
// Options come from the caller's dictionary and, overriding it, from the
// URL's query, as FFmpeg's av_find_info_tag reads it (listen, local_port,
// local_addr, timeout, listen_timeout, tcp_nodelay; other keys are ignored).
//
// Codes (FFmpeg's): no port or port out of range -EINVAL; a host that does
// not resolve -EIO; refused -ECONNREFUSED (the last address's error when all
// fail); connect past `timeout` -ETIMEDOUT; a read or write past `timeout`
// (or rw_timeout when `timeout` is not set) -ETIMEDOUT; listen_timeout
// -ETIMEDOUT; the interrupt AVERROR_EXIT; end of stream AVERROR_EOF.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cctype>
#include <climits>
#include <cstdlib>
#include <string>

#include "../builtins.hpp"
#include "socket.hpp"
#include "url_split.hpp"

namespace avio::protocols {

namespace {

using net::Socket;

constexpr OptionSpec kTcpOptions[] = {
    {"listen", OptionType::kInt, "0", 0, 2, "Listen for incoming connections"},
    {"local_port", OptionType::kString, "", 0, 0, "Local port"},
    {"local_addr", OptionType::kString, "", 0, 0, "Local address"},
    {"timeout", OptionType::kInt, "-1", -1, INT_MAX, "set timeout (in microseconds) of socket I/O operations"},
    {"listen_timeout", OptionType::kInt, "-1", -1, INT_MAX, "Connection awaiting timeout (in milliseconds)"},
    {"send_buffer_size", OptionType::kInt, "-1", -1, INT_MAX, "Socket send buffer size (in bytes)"},
    {"recv_buffer_size", OptionType::kInt, "-1", -1, INT_MAX, "Socket receive buffer size (in bytes)"},
    {"tcp_nodelay", OptionType::kBool, "0", 0, 1, "Use TCP_NODELAY to disable nagle's algorithm"},
    {"tcp_mss", OptionType::kInt, "-1", -1, INT_MAX, "Maximum segment size for outgoing TCP packets"},
    // FFmpeg 8.1.
    {"tcp_keepalive", OptionType::kBool, "0", 0, 1,
     "Use TCP keepalive to detect dead connections and keep long-lived connections active."},
};

// FFmpeg's default connect timeout per address when `timeout` is not set.
constexpr int64_t kDefaultOpenTimeoutUs = 5000000;

struct TcpSettings {
  int listen = 0;
  std::string local_addr, local_port;
  int64_t timeout_us = -1;
  int listen_timeout_ms = -1;
  int send_buffer_size = -1;
  int recv_buffer_size = -1;
  bool nodelay = false;
  bool keepalive = false;
  int mss = -1;
};

Result<TcpSettings> read_settings(const UrlContext &h, std::string_view query) {
  const OptionValues &o = h.options();
  TcpSettings s;
  int64_t listen = o.integer("listen");
  s.local_addr = o.string("local_addr");
  s.local_port = o.string("local_port");
  s.timeout_us = o.integer("timeout");
  s.listen_timeout_ms = static_cast<int>(o.integer("listen_timeout"));
  s.send_buffer_size = static_cast<int>(o.integer("send_buffer_size"));
  s.recv_buffer_size = static_cast<int>(o.integer("recv_buffer_size"));
  s.nodelay = o.integer("tcp_nodelay") != 0;
  s.keepalive = o.integer("tcp_keepalive") != 0;
  s.mss = static_cast<int>(o.integer("tcp_mss"));
  if (!query.empty()) {
    std::string v;
    if (net::find_info_tag(query, "listen", &v)) {
      bool digits = false;
      listen = net::parse_long(v, &digits);
      if (!digits) listen = 1;  // "?listen": a request to enable it
    }
    if (net::find_info_tag(query, "local_port", &v)) s.local_port = v;
    if (net::find_info_tag(query, "local_addr", &v)) s.local_addr = v;
    if (net::find_info_tag(query, "timeout", &v)) s.timeout_us = net::clamp_int(net::parse_long(v));
    if (net::find_info_tag(query, "listen_timeout", &v)) s.listen_timeout_ms = net::clamp_int(net::parse_long(v));
    if (net::find_info_tag(query, "tcp_nodelay", &v)) s.nodelay = net::parse_long(v) > 0;
  }
  // FFmpeg would take any number from the query and then neither listen
  // nor connect as documented; say so instead.
  if (listen < 0 || listen > 2)
    return Error(-EINVAL,
                 "tcp: listen must be 0, 1 or 2, got " + std::to_string(listen) + " in '" + std::string(h.url()) + "'");
  s.listen = static_cast<int>(listen);
  return s;
}

// customize_fd's socket options (failures are only warnings in FFmpeg).
void apply_socket_options(const TcpSettings &s, int fd) {
  const auto set = [fd](int level, int name, int value) { (void)setsockopt(fd, level, name, &value, sizeof value); };
  if (s.recv_buffer_size > 0) set(SOL_SOCKET, SO_RCVBUF, s.recv_buffer_size);
  if (s.send_buffer_size > 0) set(SOL_SOCKET, SO_SNDBUF, s.send_buffer_size);
  if (s.nodelay) set(IPPROTO_TCP, TCP_NODELAY, 1);
  if (s.keepalive) set(SOL_SOCKET, SO_KEEPALIVE, 1);
  if (s.mss > 0) set(IPPROTO_TCP, TCP_MAXSEG, s.mss);
}

Deadline after_ms(int ms) { return ms > 0 ? Deadline::after(std::chrono::milliseconds(ms)) : Deadline::never(); }

class TcpProtocol final : public Protocol {
 public:
  TcpProtocol() = default;
  // An accepted client.
  explicit TcpProtocol(Socket client) : socket_(std::move(client)), accepted_(true) {}

  Status open(UrlContext &h, const OpenRequest &request) override {
    const std::string url(h.url());
    const net::HostTarget target = net::split_host_target(request.target);
    if (target.port <= 0 || target.port >= 65536)
      return Error(-EINVAL, "tcp: port missing or out of range in '" + url + "'");
    Result<TcpSettings> settings = read_settings(h, target.query);
    if (!settings) return settings.error();
    const TcpSettings &s = *settings;
    listen_ = s.listen;
    listen_timeout_ms_ = s.listen_timeout_ms;
    // `timeout` bounds each connect attempt and, as FFmpeg's h->rw_timeout,
    // every read and write.
    int64_t open_timeout_us = kDefaultOpenTimeoutUs;
    if (s.timeout_us >= 0) open_timeout_us = timeout_us_ = s.timeout_us;

    Result<net::AddrInfoPtr> addrs = net::resolve(h, target.host, std::to_string(target.port), SOCK_STREAM,
                                                  s.listen ? AI_PASSIVE : 0, request.deadline);
    if (!addrs) return addrs.error();

    if (s.listen == 0) {
      // The local address to bind to, resolved once (FFmpeg resolves it per
      // attempt, for the attempt's family).
      net::AddrInfoPtr local;
      if (!s.local_addr.empty() || !s.local_port.empty()) {
        Result<net::AddrInfoPtr> l = net::resolve(h, s.local_addr, s.local_port.empty() ? "0" : s.local_port,
                                                  SOCK_STREAM, s.local_addr.empty() ? AI_PASSIVE : 0, request.deadline);
        if (!l) return l.error();
        local = std::move(*l);
      }
      const addrinfo *local_list = local.get();
      const auto customize = [&s, local_list](int fd, int family) -> Status {
        if (local_list) {
          int err = EAFNOSUPPORT;
          const addrinfo *ai = local_list;
          for (; ai; ai = ai->ai_next) {
            if (ai->ai_family != family) continue;
            if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
            err = errno;
          }
          if (!ai) return net::socket_error(err, "tcp: binding to the local address");
        }
        apply_socket_options(s, fd);
        return {};
      };
      Result<Socket> c = net::connect_parallel(h, addrs->get(), std::chrono::milliseconds(open_timeout_us / 1000),
                                               request.deadline, 3, customize);
      if (!c) return c.error();
      socket_ = std::move(*c);
      return {};
    }

    // A server: the first address a socket can be made for.
    Socket server;
    const addrinfo *ai = addrs->get();
    Error last(-EIO);
    for (; ai; ai = ai->ai_next) {
      Result<Socket> sock = net::make_socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
      if (sock) {
        server = std::move(*sock);
        break;
      }
      last = sock.error();
    }
    if (!server.valid()) return Error(last.code(), "tcp: " + last.message());
    apply_socket_options(s, server.fd());
    if (Status st = net::listen_socket(server.fd(), ai->ai_addr, ai->ai_addrlen, s.listen == 2 ? SOMAXCONN : 1); !st)
      return Error(st.code(), "tcp: " + st.error().message());
    if (s.listen == 2) {
      socket_ = std::move(server);
      return {};
    }
    Result<Socket> client =
        net::accept_socket(h, server.fd(), Deadline::earlier(after_ms(s.listen_timeout_ms), request.deadline));
    if (!client) return client.error();
    socket_ = std::move(*client);  // the listening socket closes here, as in ff_listen_bind
    return {};
  }

  // FFmpeg's tcp_open sets is_streamed; tcp_accept does not, so a client
  // from avio_accept reports seekable (its seeks still fail with ENOSYS).
  // The differential test pins both.
  StreamProperties stream_properties() const override { return {.streamed = !accepted_}; }

  Result<size_t> read(UrlContext &h, std::span<uint8_t> dst) override {
    Result<size_t> n = net::receive(h, socket_.fd(), dst, io_deadline(h), -ETIMEDOUT);
    if (n && *n == 0 && !dst.empty()) return Error::eof();
    return n;
  }

  Result<size_t> write(UrlContext &h, std::span<const uint8_t> src) override {
    return net::send_bytes(h, socket_.fd(), src, io_deadline(h), -ETIMEDOUT);
  }

  Status close(UrlContext &) override {
    socket_.reset();
    return {};
  }

  int file_handle(UrlContext &) override { return socket_.fd(); }

  // tcp_get_window_size: SO_RCVBUF as the kernel reports it (on Linux,
  // twice what was set: the kernel's bookkeeping share included).
  Result<int> short_seek_size(UrlContext &) override {
    int size = 0;
    socklen_t len = sizeof size;
    if (getsockopt(socket_.fd(), SOL_SOCKET, SO_RCVBUF, &size, &len) < 0)
      return net::socket_error(errno, "tcp: getsockopt(SO_RCVBUF)");
    return size;
  }

  Status shutdown(UrlContext &, int flags) override { return net::shutdown_socket(socket_.fd(), flags); }

  Result<std::unique_ptr<Protocol>> accept(UrlContext &h) override {
    if (listen_ != 2) return Error(-EINVAL, "tcp: accept needs a server opened with listen=2");
    Result<Socket> client = net::accept_socket(h, socket_.fd(), after_ms(listen_timeout_ms_));
    if (!client) return client.error();
    return std::unique_ptr<Protocol>(std::make_unique<TcpProtocol>(std::move(*client)));
  }

 private:
  // FFmpeg's `timeout` replaces rw_timeout when set (0: none).
  Deadline io_deadline(const UrlContext &h) const {
    return timeout_us_ >= 0 ? Deadline::after_us(timeout_us_) : h.io_deadline();
  }

  Socket socket_;
  int listen_ = 0;
  int listen_timeout_ms_ = -1;
  int64_t timeout_us_ = -1;
  bool accepted_ = false;
};

}  // namespace

ProtocolInfo tcp_protocol() { return ProtocolInfo::of<TcpProtocol>("tcp", {.options = kTcpOptions}); }

}  // namespace avio::protocols
