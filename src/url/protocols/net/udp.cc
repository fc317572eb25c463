// udp: datagrams to and from a host and port (FFmpeg 7's udp.c semantics).
//
// "udp://host:port[?options]". A writer sends each write as one datagram to
// host:port; a reader binds the local port (localport, else the URL's port)
// and returns one datagram per read, truncated to the caller's span. A
// reader with no host ("udp://:1234", "udp://@:1234") is allowed; a writer
// needs one. Options come from the caller's dictionary and, overriding it,
// from the URL's query as FFmpeg's av_find_info_tag reads it (reuse, ttl,
// localport, pkt_size, buffer_size, connect, dscp, fifo_size,
// overrun_nonfatal, localaddr, timeout for readers, broadcast for writers;
// other keys are ignored).
//
// Stream: streamed; max_packet_size = pkt_size (1472) when writing, 65536
// (UDP_MAX_PKT_SIZE) otherwise, so the buffered context sends pkt_size
// datagrams and UrlContext::write refuses a larger one with -EIO.
//
// Receive FIFO. A reader (not a writer) with fifo_size > 0 (the default:
// 7 * 4096 packets of 188 bytes) takes datagrams off the socket in a thread
// into a ring of fifo_size * 188 bytes (udp_fifo.hpp); reads pop it, and
// wait for it by polling the FIFO's eventfd with the interrupt through
// UrlContext::wait. An overrun is -EIO (after the datagrams queued before
// it) unless overrun_nonfatal=1. fifo_size=0 reads the socket directly.
//
// Timeouts and codes (FFmpeg's): `timeout` (µs, readers) bounds each read
// and write; past it -EIO, which is what FFmpeg's retry loop makes of
// udp's EAGAIN. Unlike FFmpeg, whose udp_open overwrites rw_timeout with
// `timeout` (so a udp read with only rw_timeout set waits for ever), a read
// or write without `timeout` is bounded by rw_timeout. The interrupt gives
// AVERROR_EXIT; kOpenNonBlock -EAGAIN. Open: a host that does not resolve
// -EIO naming it; a writer without a host -EINVAL; a port above 65535
// -EINVAL (FFmpeg lets getaddrinfo wrap it to port % 65536); ttl outside
// [0, 255] -EINVAL; bind and setsockopt failures their errno. A send
// without a destination (a reader's socket with no host) fails with the
// kernel's -EINVAL, as FFmpeg's sendto does.
//
// Multicast (no test: loopback-only tests cannot join a group): a multicast
// destination turns reuse on unless reuse=0, a reader binds the group
// address (falling back to the local one) and joins it (IP_ADD_MEMBERSHIP
// / IPV6_ADD_MEMBERSHIP on localaddr's interface for IPv4), leaving it on
// close; a writer sets ttl (IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS).
//
// Not supported (open fails with -ENOSYS when they are set): bitrate and
// burst_bits (FFmpeg's paced sending thread), sources and block (source
// filters), udplite.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "../builtins.hpp"
#include "socket.hpp"
#include "udp_fifo.hpp"
#include "url_split.hpp"

namespace avio::protocols {

namespace {

using net::Socket;

// FFmpeg's UDP_TX_BUF_SIZE, UDP_RX_BUF_SIZE, UDP_MAX_PKT_SIZE.
constexpr int kTxBufferSize = 32768;
constexpr int kRxBufferSize = 393216;
constexpr int kMaxPacketSize = 65536;
// fifo_size counts packets of this many bytes.
constexpr int64_t kFifoUnit = 188;

constexpr OptionSpec kUdpOptions[] = {
    {"buffer_size", OptionType::kInt, "-1", -1, INT_MAX, "System data size (in bytes)"},
    {"bitrate", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX), "Bits to send per second"},
    {"burst_bits", OptionType::kInt64, "0", 0, static_cast<double>(INT64_MAX),
     "Max length of bursts in bits (when using bitrate)"},
    {"localport", OptionType::kInt, "-1", -1, INT_MAX, "Local port"},
    {"local_port", OptionType::kInt, "-1", -1, INT_MAX, "Local port"},
    {"localaddr", OptionType::kString, "", 0, 0, "Local address"},
    {"pkt_size", OptionType::kInt, "1472", -1, INT_MAX, "Maximum UDP packet size"},
    {"reuse", OptionType::kBool, "-1", -1, 1, "explicitly allow reusing UDP sockets"},
    {"reuse_socket", OptionType::kBool, "-1", -1, 1, "explicitly allow reusing UDP sockets"},
    {"broadcast", OptionType::kBool, "0", 0, 1, "explicitly allow or disallow broadcast destination"},
    {"ttl", OptionType::kInt, "16", 0, 255, "Time to live (multicast only)"},
    {"connect", OptionType::kBool, "0", 0, 1, "set if connect() should be called on socket"},
    {"fifo_size", OptionType::kInt, "28672", 0, INT_MAX,
     "set the UDP receiving circular buffer size, expressed as a number of packets with size of 188 bytes"},
    {"overrun_nonfatal", OptionType::kBool, "0", 0, 1, "survive in case of UDP receiving circular buffer overrun"},
    {"timeout", OptionType::kInt, "0", 0, INT_MAX, "set raise error timeout, in microseconds (only in read mode)"},
    {"sources", OptionType::kString, "", 0, 0, "Source list"},
    {"block", OptionType::kString, "", 0, 0, "Block list"},
};

int clamp_int(int64_t v) { return static_cast<int>(std::clamp<int64_t>(v, INT_MIN, INT_MAX)); }

struct UdpSettings {
  int buffer_size = -1;
  int local_port = -1;
  std::string localaddr;
  int pkt_size = 1472;
  int reuse = -1;
  bool broadcast = false;
  int ttl = 16;
  bool connect = false;
  int dscp = -1;
  int64_t fifo_size = int64_t{7} * 4096;
  bool overrun_nonfatal = false;
  int64_t timeout_us = 0;
};

// strtol as FFmpeg applies it to "reuse" and "overrun_nonfatal": no digits
// at all is a request to enable.
int flag_value(const std::string &v) {
  bool digits = false;
  const int64_t n = net::parse_long(v, &digits);
  return digits ? clamp_int(n) : 1;
}

Result<UdpSettings> read_settings(const UrlContext &h, std::string_view query, bool is_output) {
  const OptionValues &o = h.options();
  UdpSettings s;
  s.buffer_size = static_cast<int>(o.integer("buffer_size"));
  // Two names for one field: the one the caller set (local_port if both).
  s.local_port = static_cast<int>(o.was_set("local_port") || !o.was_set("localport") ? o.integer("local_port")
                                                                                     : o.integer("localport"));
  s.localaddr = o.string("localaddr");
  s.pkt_size = static_cast<int>(o.integer("pkt_size"));
  s.reuse = static_cast<int>(o.was_set("reuse") || !o.was_set("reuse_socket") ? o.integer("reuse")
                                                                              : o.integer("reuse_socket"));
  s.broadcast = o.integer("broadcast") != 0;
  s.ttl = static_cast<int>(o.integer("ttl"));
  s.connect = o.integer("connect") != 0;
  s.fifo_size = o.integer("fifo_size");
  s.overrun_nonfatal = o.integer("overrun_nonfatal") != 0;
  s.timeout_us = o.integer("timeout");
  int64_t bitrate = o.integer("bitrate"), burst_bits = o.integer("burst_bits");
  std::string sources = o.string("sources"), block = o.string("block");
  if (!query.empty()) {
    std::string v;
    if (net::find_info_tag(query, "reuse", &v)) s.reuse = flag_value(v);
    if (net::find_info_tag(query, "overrun_nonfatal", &v)) s.overrun_nonfatal = flag_value(v) != 0;
    if (net::find_info_tag(query, "ttl", &v)) {
      const int64_t ttl = net::parse_long(v);
      if (ttl < 0 || ttl > 255)
        return Error(-EINVAL,
                     "udp: ttl must be in [0, 255], got " + std::to_string(ttl) + " in '" + std::string(h.url()) + "'");
      s.ttl = static_cast<int>(ttl);
    }
    if (net::find_info_tag(query, "localport", &v)) s.local_port = clamp_int(net::parse_long(v));
    if (net::find_info_tag(query, "pkt_size", &v)) s.pkt_size = clamp_int(net::parse_long(v));
    if (net::find_info_tag(query, "buffer_size", &v)) s.buffer_size = clamp_int(net::parse_long(v));
    if (net::find_info_tag(query, "connect", &v)) s.connect = net::parse_long(v) != 0;
    if (net::find_info_tag(query, "dscp", &v)) s.dscp = clamp_int(net::parse_long(v));
    if (net::find_info_tag(query, "fifo_size", &v)) s.fifo_size = clamp_int(net::parse_long(v));
    if (net::find_info_tag(query, "bitrate", &v)) bitrate = net::parse_long(v);
    if (net::find_info_tag(query, "burst_bits", &v)) burst_bits = net::parse_long(v);
    if (net::find_info_tag(query, "localaddr", &v)) s.localaddr = v;
    if (net::find_info_tag(query, "sources", &v)) sources = v;
    if (net::find_info_tag(query, "block", &v)) block = v;
    if (!is_output && net::find_info_tag(query, "timeout", &v)) s.timeout_us = clamp_int(net::parse_long(v));
    if (is_output && net::find_info_tag(query, "broadcast", &v)) s.broadcast = net::parse_long(v) != 0;
  }
  const auto unsupported = [&h](const char *what) {
    return Error(-ENOSYS, std::string("udp: ") + what + " is not supported in '" + std::string(h.url()) + "'");
  };
  if (bitrate > 0 || burst_bits > 0) return unsupported("paced sending (bitrate, burst_bits)");
  if (!sources.empty() || !block.empty()) return unsupported("source filtering (sources, block)");
  if (s.local_port > 65535)
    return Error(-EINVAL,
                 "udp: local port " + std::to_string(s.local_port) + " out of range in '" + std::string(h.url()) + "'");
  if (s.fifo_size < 0) s.fifo_size = 0;
  return s;
}

bool is_multicast(const sockaddr_storage &a) {
  if (a.ss_family == AF_INET) return IN_MULTICAST(ntohl(reinterpret_cast<const sockaddr_in &>(a).sin_addr.s_addr));
  if (a.ss_family == AF_INET6) return IN6_IS_ADDR_MULTICAST(&reinterpret_cast<const sockaddr_in6 &>(a).sin6_addr);
  return false;
}

// IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP (IPv6: the _MEMBERSHIP of
// interface 0), on the local address's interface for IPv4.
Status multicast_membership(int fd, const sockaddr_storage &group, const sockaddr_storage &local, bool join) {
  if (group.ss_family == AF_INET) {
    ip_mreq mreq{};
    mreq.imr_multiaddr = reinterpret_cast<const sockaddr_in &>(group).sin_addr;
    mreq.imr_interface.s_addr =
        local.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in &>(local).sin_addr.s_addr : htonl(INADDR_ANY);
    if (setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mreq, sizeof mreq) < 0)
      return net::socket_error(errno,
                               join ? "udp: setsockopt(IP_ADD_MEMBERSHIP)" : "udp: setsockopt(IP_DROP_MEMBERSHIP)");
  } else if (group.ss_family == AF_INET6) {
    ipv6_mreq mreq6{};
    mreq6.ipv6mr_multiaddr = reinterpret_cast<const sockaddr_in6 &>(group).sin6_addr;
    mreq6.ipv6mr_interface = 0;
    if (setsockopt(fd, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &mreq6, sizeof mreq6) < 0)
      return net::socket_error(errno,
                               join ? "udp: setsockopt(IPV6_ADD_MEMBERSHIP)" : "udp: setsockopt(IPV6_DROP_MEMBERSHIP)");
  }
  return {};
}

Status multicast_ttl(int fd, const sockaddr_storage &group, int ttl) {
  int level, name;
  if (group.ss_family == AF_INET) {
    level = IPPROTO_IP;
    name = IP_MULTICAST_TTL;
  } else if (group.ss_family == AF_INET6) {
    level = IPPROTO_IPV6;
    name = IPV6_MULTICAST_HOPS;
  } else {
    return {};
  }
  if (setsockopt(fd, level, name, &ttl, sizeof ttl) == 0) return {};
  const unsigned char byte = static_cast<unsigned char>(ttl);  // BSDs take a byte
  if (setsockopt(fd, level, name, &byte, sizeof byte) == 0) return {};
  return net::socket_error(errno, "udp: setting the multicast ttl");
}

class UdpProtocol final : public Protocol {
 public:
  Status open(UrlContext &h, const OpenRequest &request) override {
    const std::string url(h.url());
    const bool readable = (request.flags & kOpenRead) != 0;
    const bool writable = (request.flags & kOpenWrite) != 0;
    const bool is_output = !readable;
    const net::HostTarget target = net::split_host_target(request.target);
    Result<UdpSettings> settings = read_settings(h, target.query, is_output);
    if (!settings) return settings.error();
    UdpSettings &s = *settings;
    if (s.buffer_size < 0) s.buffer_size = is_output ? kTxBufferSize : kRxBufferSize;
    max_packet_size_ = writable ? std::max(s.pkt_size, 0) : kMaxPacketSize;
    timeout_us_ = s.timeout_us;
    connected_ = s.connect;

    if (target.port > 65535)
      return Error(-EINVAL, "udp: port " + std::to_string(target.port) + " out of range in '" + url + "'");
    if (target.host.empty()) {
      if (!readable) return Error(-EINVAL, "udp: a destination host is needed for writing in '" + url + "'");
    } else {
      Result<net::AddrInfoPtr> dest =
          net::resolve(h, target.host, std::to_string(std::max(target.port, 0)), SOCK_DGRAM, 0, request.deadline);
      if (!dest) return dest.error();
      std::memcpy(&dest_, (*dest)->ai_addr, (*dest)->ai_addrlen);
      dest_len_ = (*dest)->ai_addrlen;
      multicast_ = is_multicast(dest_);
    }
    if ((multicast_ || s.local_port < 0) && readable) s.local_port = target.port;

    // The socket, of the destination's family, bound to localaddr:local_port.
    Result<net::AddrInfoPtr> locals = net::resolve(h, s.localaddr, std::to_string(std::max(s.local_port, 0)),
                                                   SOCK_DGRAM, AI_PASSIVE, request.deadline);
    if (!locals) return locals.error();
    const addrinfo *local = nullptr;
    Error last(-EIO, "udp: no local address of the destination's family for '" + url + "'");
    for (const addrinfo *ai = locals->get(); ai; ai = ai->ai_next) {
      if (dest_len_ && ai->ai_family != dest_.ss_family) continue;
      Result<Socket> sock = net::make_socket(ai->ai_family, SOCK_DGRAM, 0);
      if (sock) {
        socket_ = std::move(*sock);
        local = ai;
        break;
      }
      last = Error(sock.error().code(), "udp: " + sock.error().message());
    }
    if (!local) return last;
    const int fd = socket_.fd();
    sockaddr_storage local_addr{};
    std::memcpy(&local_addr, local->ai_addr, local->ai_addrlen);
    local_addr_ = local_addr;

    const auto set_int = [fd](int level, int name, int value, const char *what) -> Status {
      if (setsockopt(fd, level, name, &value, sizeof value) < 0) return net::socket_error(errno, what);
      return {};
    };
    if (s.reuse > 0 || (multicast_ && s.reuse < 0)) {
      if (Status st = set_int(SOL_SOCKET, SO_REUSEADDR, 1, "udp: setsockopt(SO_REUSEADDR)"); !st) return fail(st);
    }
    if (s.broadcast) {
      if (Status st = set_int(SOL_SOCKET, SO_BROADCAST, 1, "udp: setsockopt(SO_BROADCAST)"); !st) return fail(st);
    }
    if (s.dscp >= 0) {
      if (Status st = set_int(IPPROTO_IP, IP_TOS, s.dscp << 2, "udp: setsockopt(IP_TOS)"); !st) return fail(st);
    }
    // A multicast reader binds the group first, so that it does not get the
    // port's other datagrams; the local address when that fails.
    bool bound =
        multicast_ && readable && ::bind(fd, reinterpret_cast<const sockaddr *>(&dest_), local->ai_addrlen) == 0;
    if (!bound && ::bind(fd, local->ai_addr, local->ai_addrlen) < 0)
      return fail(net::socket_error(errno, "udp: bind to " + net::describe_address(local->ai_addr, local->ai_addrlen)));
    if (multicast_) {
      if (writable) {
        if (Status st = multicast_ttl(fd, dest_, s.ttl); !st) return fail(st);
      }
      if (readable) {
        if (Status st = multicast_membership(fd, dest_, local_addr_, true); !st) return fail(st);
        joined_ = true;
      }
    }
    if (is_output) {
      // A small send buffer limits latency (FFmpeg fails the open if it cannot).
      if (Status st = set_int(SOL_SOCKET, SO_SNDBUF, s.buffer_size, "udp: setsockopt(SO_SNDBUF)"); !st) return fail(st);
    } else {
      (void)set_int(SOL_SOCKET, SO_RCVBUF, s.buffer_size, "");  // FFmpeg only warns
    }
    if (connected_) {
      if (::connect(fd, reinterpret_cast<const sockaddr *>(&dest_), dest_len_) < 0)
        return fail(net::socket_error(errno, "udp: connect"));
    }
    if (!is_output && s.fifo_size > 0) {
      Result<std::unique_ptr<net::UdpReceiveFifo>> f =
          net::UdpReceiveFifo::start(fd, static_cast<size_t>(s.fifo_size * kFifoUnit), s.overrun_nonfatal);
      if (!f) return fail(f.error());
      fifo_ = std::move(*f);
    }
    return {};
  }

  StreamProperties stream_properties() const override {
    return {.max_packet_size = max_packet_size_, .streamed = true};
  }

  Result<size_t> read(UrlContext &h, std::span<uint8_t> dst) override {
    const bool nonblock = (h.flags() & kOpenNonBlock) != 0;
    const Deadline deadline = io_deadline(h);
    if (fifo_) {
      while (true) {
        Result<net::UdpReceiveFifo::Popped> p = fifo_->pop(dst);
        if (!p) return p.error();
        if (p->have) return p->size;
        if (nonblock) return Error(-EAGAIN);
        if (Status st = wait(h, fifo_->ready_fd(), POLLIN, deadline, "read"); !st) return st.error();
      }
    }
    while (true) {
      if (!nonblock) {
        if (Status st = wait(h, socket_.fd(), POLLIN, deadline, "read"); !st) return st.error();
      }
      const ssize_t n = ::recv(socket_.fd(), dst.data(), dst.size(), 0);
      if (n >= 0) return static_cast<size_t>(n);
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && !nonblock) continue;
      return net::socket_error(errno, "udp: receive");
    }
  }

  Result<size_t> write(UrlContext &h, std::span<const uint8_t> src) override {
    const bool nonblock = (h.flags() & kOpenNonBlock) != 0;
    const Deadline deadline = io_deadline(h);
    while (true) {
      if (!nonblock) {
        if (Status st = wait(h, socket_.fd(), POLLOUT, deadline, "write"); !st) return st.error();
      }
      // Unconnected: to the destination, or with a zero-length address
      // (none), which the kernel refuses as FFmpeg's sendto sees it.
      const ssize_t n = connected_ ? ::send(socket_.fd(), src.data(), src.size(), MSG_NOSIGNAL)
                                   : ::sendto(socket_.fd(), src.data(), src.size(), MSG_NOSIGNAL,
                                              reinterpret_cast<const sockaddr *>(&dest_), dest_len_);
      if (n >= 0) return static_cast<size_t>(n);
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && !nonblock) continue;
      return net::socket_error(errno, "udp: send");
    }
  }

  Status close(UrlContext &) override {
    if (fifo_) fifo_->stop();
    if (joined_) (void)multicast_membership(socket_.fd(), dest_, local_addr_, false);
    joined_ = false;
    fifo_.reset();
    socket_.reset();
    return {};
  }

  int file_handle(UrlContext &) override { return socket_.fd(); }

 private:
  // A failed open: nothing to keep (the thread, which starts last, is not running).
  Status fail(const Status &st) {
    socket_.reset();
    return st;
  }

  // `timeout` (µs) when set, else rw_timeout.
  Deadline io_deadline(const UrlContext &h) const {
    return timeout_us_ > 0 ? Deadline::after_us(timeout_us_) : h.io_deadline();
  }

  // The errors of a wait that did not end ready: past the deadline -EIO
  // (FFmpeg's retry loop's code for udp), the interrupt AVERROR_EXIT.
  static Status wait(const UrlContext &h, int fd, short events, const Deadline &deadline, std::string_view what) {
    return h.wait_ready(fd, events, deadline, -EIO, what);
  }

  Socket socket_;
  std::unique_ptr<net::UdpReceiveFifo> fifo_;
  sockaddr_storage dest_{};
  socklen_t dest_len_ = 0;
  sockaddr_storage local_addr_{};
  int max_packet_size_ = 0;
  int64_t timeout_us_ = 0;
  bool connected_ = false;
  bool multicast_ = false;
  bool joined_ = false;
};

}  // namespace

ProtocolInfo udp_protocol() { return ProtocolInfo::of<UdpProtocol>("udp", {.options = kUdpOptions}); }

}  // namespace avio::protocols
