#include "fault_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "loopback_socket.hpp"

namespace avio_http_test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kBufferSize = size_t{64} * 1024;
constexpr size_t kMaxHead = size_t{64} * 1024;
constexpr size_t kMaxLine = size_t{8} * 1024;
constexpr auto kIdle = std::chrono::minutes(10);       // a keep-alive connection between requests
constexpr auto kIoTimeout = std::chrono::seconds(60);  // one read or write within a message
constexpr auto kConnectTimeout = std::chrono::seconds(5);

// Closes a socket after sending FIN and reading what the peer had already
// sent, so that the peer gets every byte before the end (an unread byte would
// make close() send RST).
void close_gently(Fd *fd) {
  if (fd->get() < 0) return;
  ::shutdown(fd->get(), SHUT_WR);
  char buf[4096];
  for (int i = 0; i < 16 && ::recv(fd->get(), buf, sizeof buf, MSG_DONTWAIT) > 0; ++i) {
  }
  fd->reset();
}

bool stopping(int stop_fd) {
  pollfd p{stop_fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

// Sleeps until `t` unless the stop eventfd fires first (then false). Never
// busy-waits: ppoll on the eventfd with the time left.
bool sleep_until(int stop_fd, Clock::time_point t) {
  for (;;) {
    const auto now = Clock::now();
    if (now >= t) return !stopping(stop_fd);
    const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t - now).count();
    const timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    pollfd p{stop_fd, POLLIN, 0};
    const int r = ::ppoll(&p, 1, &ts, nullptr);
    if (r > 0 || (r < 0 && errno != EINTR)) return false;
  }
}

// Waits for `events` on fd; false on stop, error or the deadline.
bool wait_io(int fd, short events, int stop_fd, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
    const int r = ::poll(p, 2, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (r < 0 && errno != EINTR) return false;
    if (r > 0 && p[1].revents != 0) return false;
    if (r > 0 && p[0].revents != 0) return true;
  }
}

bool send_all(int fd, int stop_fd, std::string_view data) {
  const auto deadline = Clock::now() + kIoTimeout;
  while (!data.empty()) {
    const ssize_t w = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (w >= 0) {
      data.remove_prefix(static_cast<size_t>(w));
      continue;
    }
    if (errno == EINTR) continue;
    if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_io(fd, POLLOUT, stop_fd, deadline)) return false;
  }
  return true;
}

void set_nodelay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Digits only (no sign, no blanks); -1 otherwise.
int64_t parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return -1;
  int64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// ---- buffered reading

class Reader {
 public:
  Reader(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd), buf_(new char[kCapacity]) {}
  void reset(int fd) {
    fd_ = fd;
    begin_ = end_ = 0;
  }
  std::string_view data() const { return {buf_.get() + begin_, end_ - begin_}; }
  void consume(size_t n) { begin_ += n; }

  // Reads more: > 0 bytes, 0 at the end of the stream, < 0 on error, stop,
  // timeout or a full buffer.
  ssize_t fill(Clock::time_point deadline) {
    if (begin_ == end_) begin_ = end_ = 0;
    if (kCapacity - end_ < kBufferSize && begin_ > 0) {  // room for a whole read
      std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == kCapacity) return -1;
    for (;;) {
      const ssize_t n = ::recv(fd_, buf_.get() + end_, kCapacity - end_, 0);
      if (n >= 0) {
        end_ += static_cast<size_t>(n);
        return n;
      }
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_io(fd_, POLLIN, stop_fd_, deadline)) return -1;
    }
  }
  ssize_t fill() { return fill(Clock::now() + kIoTimeout); }

  // Everything through the first occurrence of `end`, at most `max` bytes.
  bool read_through(std::string_view end, size_t max, std::string *out, Clock::time_point deadline) {
    size_t scanned = 0;
    for (;;) {
      const size_t at = data().find(end, scanned);
      if (at != std::string_view::npos) {
        out->assign(data().substr(0, at + end.size()));
        consume(at + end.size());
        return true;
      }
      if (data().size() > max) return false;
      scanned = data().size() >= end.size() ? data().size() - end.size() + 1 : 0;
      if (fill(deadline) <= 0) return false;
    }
  }
  bool read_head(std::string *head, Clock::time_point deadline) {
    return read_through("\r\n\r\n", kMaxHead, head, deadline);
  }
  bool read_line(std::string *line) { return read_through("\n", kMaxLine, line, Clock::now() + kIoTimeout); }

 private:
  static constexpr size_t kCapacity = kMaxHead + kBufferSize;
  int fd_;
  int stop_fd_;
  std::unique_ptr<char[]> buf_;  // data at [begin_, end_)
  size_t begin_ = 0;
  size_t end_ = 0;
};

// ---- messages

// A message head; fields are views into raw, hence no copies.
struct Message {
  Message() = default;
  Message(const Message &) = delete;
  Message &operator=(const Message &) = delete;
  Message(Message &&) = delete;
  Message &operator=(Message &&) = delete;

  std::string raw;                                                    // as received, blank line included
  std::vector<std::pair<std::string_view, std::string_view>> fields;  // views into raw
  std::string method, target, version;                                // a request's
  int status = 0;                                                     // a response's

  std::string_view field(std::string_view name) const {
    for (const auto &[n, v] : fields) {
      if (iequals(n, name)) return v;
    }
    return {};
  }
  bool has(std::string_view name) const {
    return std::any_of(fields.begin(), fields.end(), [&](const auto &f) { return iequals(f.first, name); });
  }
  // Whether a comma-separated field (Connection, Transfer-Encoding, Expect) lists `token`.
  bool has_token(std::string_view name, std::string_view token) const {
    for (const auto &[n, v] : fields) {
      if (!iequals(n, name)) continue;
      for (size_t start = 0; start <= v.size();) {
        const size_t comma = std::min(v.find(',', start), v.size());
        if (iequals(trim(v.substr(start, comma - start)), token)) return true;
        start = comma + 1;
      }
    }
    return false;
  }
};

// Splits raw into the start line and the fields; the start line in *start.
bool split_head(Message *m, std::string_view *start) {
  const std::string_view raw(m->raw);
  size_t eol = raw.find("\r\n");
  *start = raw.substr(0, eol);
  for (size_t at = eol + 2; at < raw.size();) {
    eol = raw.find("\r\n", at);
    const std::string_view line = raw.substr(at, eol - at);
    at = eol + 2;
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    m->fields.emplace_back(line.substr(0, colon), trim(line.substr(colon + 1)));
  }
  return true;
}

bool parse_request(Message *m) {
  std::string_view start;
  if (!split_head(m, &start)) return false;
  const size_t sp1 = start.find(' ');
  const size_t sp2 = start.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  m->method = start.substr(0, sp1);
  m->target = start.substr(sp1 + 1, sp2 - sp1 - 1);
  m->version = start.substr(sp2 + 1);
  return !m->target.empty() && m->version.rfind("HTTP/1.", 0) == 0;
}

bool parse_response(Message *m) {
  std::string_view start;
  if (!split_head(m, &start) || start.size() < 12 || start.rfind("HTTP/1.", 0) != 0) return false;
  m->status = static_cast<int>(parse_decimal(start.substr(9, 3)));
  return m->status >= 100;
}

bool wants_close(const Message &req) {
  return req.has_token("connection", "close") ||
         (req.version == "HTTP/1.0" && !req.has_token("connection", "keep-alive"));
}

// ---- bodies

struct Body {
  enum class Kind { kNone, kLength, kChunked, kUntilClose };
  Kind kind = Kind::kNone;
  int64_t length = 0;
};

bool framing(const Message &m, Body::Kind otherwise, Body *b) {
  if (m.has_token("transfer-encoding", "chunked")) {
    b->kind = Body::Kind::kChunked;
  } else if (m.has("content-length")) {
    b->kind = Body::Kind::kLength;
    b->length = parse_decimal(m.field("content-length"));
    return b->length >= 0;
  } else {
    b->kind = otherwise;
  }
  return true;
}

bool request_body(const Message &req, Body *b) { return framing(req, Body::Kind::kNone, b); }

bool response_body(const Message &resp, std::string_view method, Body *b) {
  if (method == "HEAD" || resp.status < 200 || resp.status == 204 || resp.status == 304) {
    b->kind = Body::Kind::kNone;
    return true;
  }
  return framing(resp, Body::Kind::kUntilClose, b);
}

class Sink {
 public:
  virtual ~Sink() = default;
  virtual bool write(std::string_view data) = 0;
};

class SocketSink final : public Sink {
 public:
  SocketSink(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd) {}
  bool write(std::string_view data) override { return send_all(fd_, stop_fd_, data); }

 private:
  int fd_, stop_fd_;
};

class NullSink final : public Sink {
 public:
  bool write(std::string_view /*data*/) override { return true; }
};

bool copy_exact(Reader &in, int64_t n, Sink &out) {
  while (n > 0) {
    if (in.data().empty() && in.fill() <= 0) return false;
    const std::string_view d = in.data().substr(0, static_cast<size_t>(std::min<int64_t>(n, in.data().size())));
    if (!out.write(d)) return false;
    in.consume(d.size());
    n -= static_cast<int64_t>(d.size());
  }
  return true;
}

bool copy_until_close(Reader &in, Sink &out) {
  for (;;) {
    if (in.data().empty()) {
      const ssize_t n = in.fill();
      if (n <= 0) return n == 0;
    }
    if (!out.write(in.data())) return false;
    in.consume(in.data().size());
  }
}

// The size of a chunk-size line ("1a;ext\r\n"); -1 when malformed.
int64_t chunk_size(std::string_view line) {
  int64_t v = 0;
  size_t i = 0;
  for (; i < line.size() && std::isxdigit(static_cast<unsigned char>(line[i])) != 0; ++i) {
    if (i >= 15) return -1;
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(line[i])));
    v = v * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return i == 0 ? -1 : v;
}

// Copies a chunked body as it is (sizes, extensions, trailers).
bool copy_chunked(Reader &in, Sink &out) {
  std::string line;
  for (;;) {
    if (!in.read_line(&line) || !out.write(line)) return false;
    const int64_t size = chunk_size(line);
    if (size < 0) return false;
    if (size == 0) break;
    if (!copy_exact(in, size, out) || !in.read_line(&line) || !out.write(line)) return false;
  }
  do {  // trailers, through the blank line
    if (!in.read_line(&line) || !out.write(line)) return false;
  } while (line != "\r\n" && line != "\n");
  return true;
}

bool copy_body(Reader &in, const Body &b, Sink &out) {
  switch (b.kind) {
    case Body::Kind::kNone: return true;
    case Body::Kind::kLength: return copy_exact(in, b.length, out);
    case Body::Kind::kChunked: return copy_chunked(in, out);
    case Body::Kind::kUntilClose: return copy_until_close(in, out);
  }
  return false;
}

// ---- pacing

// A connection's bandwidth cap: writes in slices of ~10 ms worth of bytes,
// each one waiting (sleeping) for its time.
class Pacer {
 public:
  Pacer(const std::atomic<int64_t> &bytes_per_second, int stop_fd) : rate_(bytes_per_second), stop_fd_(stop_fd) {}
  size_t slice(size_t n) const {
    const int64_t rate = rate_.load();
    if (rate <= 0) return n;
    return std::min(n, static_cast<size_t>(std::clamp<int64_t>(rate / 100, 1, kBufferSize)));
  }
  // Waits for the time to send n bytes; false when stopping.
  bool pace(size_t n) {
    const int64_t rate = rate_.load();
    if (rate <= 0) return true;
    const auto now = Clock::now();
    if (next_ < now - milliseconds(20)) next_ = now;  // no credit saved up while idle
    const auto at = next_;
    next_ += std::chrono::nanoseconds(static_cast<int64_t>(n) * 1000000000 / rate);
    return sleep_until(stop_fd_, at);
  }

 private:
  const std::atomic<int64_t> &rate_;
  int stop_fd_;
  Clock::time_point next_{};
};

// ---- addresses

struct Target {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path;       // origin form
  bool absolute = false;  // the request was in absolute form
  bool operator==(const Target &o) const { return host == o.host && port == o.port; }
};

// "host:port", "[v6]:port" or "host" (then default_port); false when malformed.
bool parse_authority(std::string_view a, int default_port, std::string *host, int *port) {
  size_t colon = a.rfind(':');
  if (!a.empty() && a.front() == '[') {
    const size_t close = a.find(']');
    if (close == std::string_view::npos) return false;
    *host = a.substr(1, close - 1);
    colon = close + 1 < a.size() && a[close + 1] == ':' ? close + 1 : std::string_view::npos;
    if (close + 1 < a.size() && colon == std::string_view::npos) return false;
  } else {
    *host = a.substr(0, colon);
  }
  *port = colon == std::string_view::npos ? default_port : static_cast<int>(parse_decimal(a.substr(colon + 1)));
  return !host->empty() && *port > 0 && *port < 65536;
}

bool allowed_host(std::string_view host) { return host == "127.0.0.1" || host == "::1" || iequals(host, "localhost"); }

// Where a request goes: 0, or the status refusing it (400, 403).
int resolve_target(const Message &req, int upstream_port, Target *t) {
  t->port = upstream_port;
  if (req.target.front() == '/' || req.target == "*") {
    t->path = req.target;
    return 0;
  }
  constexpr std::string_view kScheme = "http://";
  if (req.target.size() < kScheme.size() || !iequals(std::string_view(req.target).substr(0, kScheme.size()), kScheme)) {
    return 400;
  }
  const std::string_view rest = std::string_view(req.target).substr(kScheme.size());
  const size_t end = std::min(rest.find_first_of("/?"), rest.size());
  if (!parse_authority(rest.substr(0, end), 80, &t->host, &t->port)) return 400;
  t->path = end == rest.size() ? "/" : (rest[end] == '?' ? "/" : "") + std::string(rest.substr(end));
  t->absolute = true;
  return allowed_host(t->host) ? 0 : 403;
}

Fd connect_to(const Target &t, int stop_fd) {
  const bool v6 = t.host == "::1";
  Fd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (v6) {
    auto *a = reinterpret_cast<sockaddr_in6 *>(&ss);
    *a = sockaddr_in6{.sin6_family = AF_INET6, .sin6_port = htons(static_cast<uint16_t>(t.port))};
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  } else {
    auto *a = reinterpret_cast<sockaddr_in *>(&ss);
    *a = sockaddr_in{.sin_family = AF_INET, .sin_port = htons(static_cast<uint16_t>(t.port))};
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  }
  if (fd.get() < 0) return fd;
  if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&ss), len) != 0) {
    int err = 0;
    socklen_t elen = sizeof err;
    if (errno != EINPROGRESS || !wait_io(fd.get(), POLLOUT, stop_fd, Clock::now() + kConnectTimeout) ||
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
      fd.reset();
      return fd;
    }
  }
  set_nodelay(fd.get());
  return fd;
}

// Whether a kept upstream connection can take another request (the server
// has not closed it, and has sent nothing unasked).
bool idle_and_open(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Fault";
  }
}

// The proxy's own answer: `status` with the fault's body and Content-Type
// (a short text by default), its Retry-After and its other header lines.
std::string simple_response(int status, const Fault &f, bool head_only, bool close) {
  const std::string code = std::to_string(status);
  const std::string body =
      f.body.empty() ? "fault-proxy: " + code + " " + std::string(reason_phrase(status)) + "\n" : f.body;
  const std::string type = f.content_type.empty() ? "text/plain" : f.content_type;
  std::string s = "HTTP/1.1 " + code + " " + std::string(reason_phrase(status)) + "\r\nContent-Type: " + type +
                  "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (!f.retry_after.empty()) s += "Retry-After: " + f.retry_after + "\r\n";
  s += f.headers;
  if (close) s += "Connection: close\r\n";
  s += "\r\n";
  if (!head_only) s += body;
  return s;
}

}  // namespace

// ---- shared state

struct FaultProxy::State {
  struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  int upstream_port = 0;
  int port = 0;
  Fd listener;
  Fd stop;  // an eventfd: readable once the proxy stops
  std::atomic<int64_t> latency_ms{0};
  std::atomic<int64_t> bandwidth{0};
  std::atomic<int> connections{0};
  std::atomic<int> requests{0};
  std::atomic<int64_t> response_bytes{0};
  mutable std::mutex mu;
  std::deque<Fault> faults;        // guarded by mu
  std::vector<std::string> heads;  // guarded by mu
  std::thread acceptor;
  std::list<Worker> workers;  // the accept thread's, then the destructor's

  void record_request(const std::string &raw) {
    const std::lock_guard<std::mutex> lock(mu);
    heads.push_back(raw);
    ++requests;
  }
  Fault pop_fault() {
    const std::lock_guard<std::mutex> lock(mu);
    if (faults.empty()) return {};
    Fault f = std::move(faults.front());
    faults.pop_front();
    return f;
  }
  void accept_loop();
  void accept_one();
  void reap();
};

namespace {

// Sends a response to the client: applies the fault (cut, stall) and the
// bandwidth cap, and counts the bytes (before sending them, so that a client
// holding a whole response sees it counted).
class ResponseSink final : public Sink {
 public:
  ResponseSink(FaultProxy::State &st, int client, Pacer &pacer, const Fault &f)
      : st_(st), client_(client), pacer_(pacer), kind_(f.kind), at_(f.bytes), stall_(f.stall) {}
  bool write(std::string_view d) override {
    while (!d.empty()) {
      if (!apply_fault()) return false;
      const size_t n = pacer_.slice(until_fault(d.size()));
      if (!pacer_.pace(n)) return false;
      st_.response_bytes += static_cast<int64_t>(n);
      if (!send_all(client_, st_.stop.get(), d.substr(0, n))) return false;
      sent_ += static_cast<int64_t>(n);
      d.remove_prefix(n);
    }
    return true;
  }

 private:
  bool cutting() const { return kind_ == Fault::Kind::kCutAfter; }
  bool stall_ahead() const { return kind_ == Fault::Kind::kStall && !stalled_; }
  // At the fault's offset: false once the response must end here.
  bool apply_fault() {
    if (cutting() && sent_ >= at_) return false;
    if (!stall_ahead() || sent_ < at_) return true;
    stalled_ = true;
    if (stall_.count() > 0) return sleep_until(st_.stop.get(), Clock::now() + stall_);
    pollfd p{st_.stop.get(), POLLIN, 0};
    while (::poll(&p, 1, 1000) == 0) {
    }
    return false;
  }
  size_t until_fault(size_t n) const {
    if (!cutting() && !stall_ahead()) return n;
    return static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), at_ - sent_));
  }

  FaultProxy::State &st_;
  int client_;
  Pacer &pacer_;
  Fault::Kind kind_;
  int64_t at_;  // the fault's offset
  milliseconds stall_;
  int64_t sent_ = 0;
  bool stalled_ = false;
};

// One client connection: its requests in order, each forwarded on the
// session's own upstream connection.
class Session {
 public:
  Session(FaultProxy::State &st, Fd client)
      : st_(st),
        stop_(st.stop.get()),
        client_(std::move(client)),
        in_(client_.get(), stop_),
        up_(-1, stop_),
        pacer_(st.bandwidth, stop_) {}
  ~Session() { close_gently(&client_); }
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  void run() {
    while (serve_one()) {
    }
  }

 private:
  bool serve_one();
  bool answer(const Message &req, int status, const Fault &f);
  bool forward(const Message &req, const Target &t, const Fault &f);
  bool read_final_head(Message *resp);
  bool relay_response(const Message &req, const Message &resp, const Fault &f);
  bool tunnel(const Message &req);
  void pump();
  bool open_upstream(const Target &t);
  bool wait_latency() const {
    const int64_t ms = st_.latency_ms.load();
    return ms <= 0 || sleep_until(stop_, Clock::now() + milliseconds(ms));
  }
  bool discard_body(const Message &req) {
    Body b;
    NullSink null;
    return request_body(req, &b) && copy_body(in_, b, null);
  }

  FaultProxy::State &st_;
  int stop_;
  Fd client_;
  Reader in_;
  Fd upstream_;
  Reader up_;
  Target up_target_;
  Pacer pacer_;
};

bool Session::serve_one() {
  Message req;
  if (!in_.read_head(&req.raw, Clock::now() + kIdle)) return false;
  st_.record_request(req.raw);
  if (!parse_request(&req)) {
    answer(req, 400, {});
    return false;
  }
  if (req.method == "CONNECT") return tunnel(req);
  Target t;
  const int refused = resolve_target(req, st_.upstream_port, &t);
  if (refused != 0) return discard_body(req) && answer(req, refused, {});
  const Fault f = st_.pop_fault();
  if (f.kind == Fault::Kind::kStatus) return discard_body(req) && answer(req, f.status, f);
  return forward(req, t, f);
}

// A response of the proxy's own; whether the connection goes on.
bool Session::answer(const Message &req, int status, const Fault &f) {
  const bool close = status == 400 || wants_close(req);
  if (!wait_latency()) return false;
  ResponseSink sink(st_, client_.get(), pacer_, f);
  return sink.write(simple_response(status, f, req.method == "HEAD", close)) && !close;
}

bool Session::open_upstream(const Target &t) {
  if (upstream_.get() >= 0 && t == up_target_ && idle_and_open(upstream_.get())) return true;
  upstream_ = connect_to(t, stop_);
  up_.reset(upstream_.get());
  up_target_ = t;
  return upstream_.get() >= 0;
}

bool Session::forward(const Message &req, const Target &t, const Fault &f) {
  Body body;
  if (!request_body(req, &body)) return answer(req, 400, {});
  if (!open_upstream(t)) {
    if (discard_body(req)) answer(req, 502, {});
    return false;
  }
  std::string head = req.raw;
  if (t.absolute) head = req.method + " " + t.path + " " + req.version + req.raw.substr(req.raw.find("\r\n"));
  if (!send_all(upstream_.get(), stop_, head)) return false;
  Message resp;
  if (req.has_token("expect", "100-continue") && body.kind != Body::Kind::kNone) {
    // The client waits for "100 Continue" before its body: relay the
    // server's first answer. A final one means the body will not follow the
    // way the server expects: this connection ends after it.
    if (!up_.read_head(&resp.raw, Clock::now() + kIoTimeout) || !parse_response(&resp)) return false;
    if (resp.status >= 200) {
      relay_response(req, resp, f);
      return false;
    }
    ResponseSink interim(st_, client_.get(), pacer_, Fault{});
    if (!interim.write(resp.raw)) return false;
  }
  SocketSink to_upstream(upstream_.get(), stop_);
  if (!copy_body(in_, body, to_upstream) || !read_final_head(&resp)) return false;
  return relay_response(req, resp, f);
}

// The response head, relaying interim (1xx) ones to the client.
bool Session::read_final_head(Message *resp) {
  for (int interim = 0; interim < 16; ++interim) {
    resp->fields.clear();
    resp->status = 0;
    if (!up_.read_head(&resp->raw, Clock::now() + kIoTimeout) || !parse_response(resp)) return false;
    if (resp->status >= 200 || resp->status == 101) return true;
    ResponseSink sink(st_, client_.get(), pacer_, Fault{});
    if (!sink.write(resp->raw)) return false;
  }
  return false;
}

bool Session::relay_response(const Message &req, const Message &resp, const Fault &f) {
  Body body;
  if (!response_body(resp, req.method, &body) || !wait_latency()) return false;
  ResponseSink sink(st_, client_.get(), pacer_, f);
  const bool ok = sink.write(resp.raw) && copy_body(up_, body, sink);
  const bool faulted = f.kind == Fault::Kind::kCutAfter || f.kind == Fault::Kind::kCloseAfterResponse;
  const bool keep = ok && !faulted && body.kind != Body::Kind::kUntilClose && resp.status != 101 &&
                    !resp.has_token("connection", "close");
  if (!keep) upstream_.reset();
  return keep;
}

bool Session::tunnel(const Message &req) {
  Target t;
  if (!parse_authority(req.target, -1, &t.host, &t.port)) return answer(req, 400, {});
  if (!allowed_host(t.host)) return answer(req, 403, {});
  if (!open_upstream(t)) {
    answer(req, 502, {});
    return false;
  }
  ResponseSink sink(st_, client_.get(), pacer_, Fault{});
  if (!sink.write("HTTP/1.1 200 Connection established\r\n\r\n")) return false;
  pump();
  upstream_.reset();
  return false;
}

// Copies bytes both ways until either side closes (or the proxy stops).
void Session::pump() {
  SocketSink to_upstream(upstream_.get(), stop_);
  ResponseSink to_client(st_, client_.get(), pacer_, Fault{});
  if (!in_.data().empty() && !to_upstream.write(in_.data())) return;
  in_.consume(in_.data().size());
  for (;;) {
    pollfd p[3] = {{client_.get(), POLLIN, 0}, {upstream_.get(), POLLIN, 0}, {stop_, POLLIN, 0}};
    const int r = ::poll(p, 3, 1000);
    if (r < 0 && errno != EINTR) return;
    if (r <= 0) continue;
    if (p[2].revents != 0) return;
    if (p[0].revents != 0 && (in_.fill() <= 0 || !to_upstream.write(in_.data()))) return;
    in_.consume(in_.data().size());
    if (p[1].revents != 0 && (up_.fill() <= 0 || !to_client.write(up_.data()))) return;
    up_.consume(up_.data().size());
  }
}

}  // namespace

// ---- threads

void FaultProxy::State::accept_loop() {
  for (;;) {
    pollfd p[2] = {{listener.get(), POLLIN, 0}, {stop.get(), POLLIN, 0}};
    const int r = ::poll(p, 2, 1000);
    if ((r < 0 && errno != EINTR) || (r > 0 && p[1].revents != 0)) return;
    if (r > 0 && p[0].revents != 0) accept_one();
    reap();
  }
}

void FaultProxy::State::accept_one() {
  Fd client(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (client.get() < 0) return;
  ++connections;
  set_nodelay(client.get());
  Worker &w = workers.emplace_back();
  try {
    w.thread = std::thread([this, &w, c = std::move(client)]() mutable {
      {
        Session s(*this, std::move(c));
        s.run();
      }
      w.done = true;
    });
  } catch (const std::system_error &) {
    workers.pop_back();  // no thread: the connection closes
  }
}

// Joins the sessions that have ended.
void FaultProxy::State::reap() {
  for (auto it = workers.begin(); it != workers.end();) {
    if (!it->done.load()) {
      ++it;
      continue;
    }
    it->thread.join();
    it = workers.erase(it);
  }
}

FaultProxy::FaultProxy(int upstream_port) : state_(std::make_unique<State>()) {
  State &st = *state_;
  st.upstream_port = upstream_port;
  st.stop = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  st.listener = bind_loopback(AF_INET, 0, SOCK_NONBLOCK);
  if (st.stop.get() < 0 || st.listener.get() < 0 || ::listen(st.listener.get(), 128) != 0) {
    throw std::runtime_error(std::string("fault proxy: cannot listen: ") + std::strerror(errno));
  }
  st.port = bound_port(st.listener.get());
  st.acceptor = std::thread([&st] { st.accept_loop(); });
}

FaultProxy::~FaultProxy() {
  const uint64_t one = 1;
  if (::write(state_->stop.get(), &one, sizeof one) != sizeof one) std::abort();  // threads would never end
  state_->acceptor.join();
  for (auto &w : state_->workers) w.thread.join();
}

int FaultProxy::port() const { return state_->port; }

std::string FaultProxy::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(state_->port) + std::string(path);
}

void FaultProxy::push(Fault f) {
  const std::lock_guard<std::mutex> lock(state_->mu);
  state_->faults.push_back(std::move(f));
}

void FaultProxy::set_latency(std::chrono::milliseconds first_byte) { state_->latency_ms = first_byte.count(); }

void FaultProxy::set_bandwidth(int64_t bytes_per_second) { state_->bandwidth = bytes_per_second; }

int FaultProxy::connections() const { return state_->connections.load(); }

int FaultProxy::requests() const { return state_->requests.load(); }

int64_t FaultProxy::response_bytes() const { return state_->response_bytes.load(); }

std::vector<std::string> FaultProxy::request_heads() const {
  const std::lock_guard<std::mutex> lock(state_->mu);
  return state_->heads;
}

}  // namespace avio_http_test
