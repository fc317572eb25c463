// Loopback network reads through `tcp:` and `tls:` on both sides
// (avio::open_url and avio_open2): 64 MiB sent by a server thread of this
// process, read in 4 KiB and 1 MiB requests. The server is the same for both
// sides (raw sockets; OpenSSL for tls with a certificate the setup makes),
// so a ratio compares the clients alone.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <thread>

#include "avio/url.hpp"
#include "contexts.hpp"
#include "workloads.hpp"

namespace avio_bench {
namespace {

constexpr int64_t kStreamBytes = int64_t{64} << 20;

// Accepts one connection after another on 127.0.0.1 and sends each the same
// 64 MiB (over TLS when given a context), until destroyed.
class Sender {
 public:
  explicit Sender(SSL_CTX *tls) : tls_(tls), data_(static_cast<size_t>(1) << 20) {
    for (size_t i = 0; i < data_.size(); ++i) data_[i] = static_cast<uint8_t>(i * 2654435761u >> 13);
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd_, reinterpret_cast<sockaddr *>(&a), len) != 0 || listen(fd_, 16) != 0) die("bench: cannot listen");
    getsockname(fd_, reinterpret_cast<sockaddr *>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~Sender() {
    stop_ = true;
    thread_.join();
    close(fd_);
    if (tls_) SSL_CTX_free(tls_);
  }
  int port() const { return port_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      SSL *ssl = nullptr;
      if (tls_) {
        ssl = SSL_new(tls_);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) != 1) {
          SSL_free(ssl);
          close(c);
          continue;
        }
      }
      for (int64_t sent = 0; sent < kStreamBytes && !stop_;) {
        const int n = static_cast<int>(std::min<int64_t>(static_cast<int64_t>(data_.size()), kStreamBytes - sent));
        const int w = ssl ? SSL_write(ssl, data_.data(), n) : static_cast<int>(send(c, data_.data(), n, MSG_NOSIGNAL));
        if (w <= 0) break;
        sent += w;
      }
      if (ssl) {
        SSL_shutdown(ssl);
        SSL_free(ssl);
      }
      close(c);
    }
  }

  SSL_CTX *tls_;
  std::vector<uint8_t> data_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A self-signed certificate for 127.0.0.1, made once per process.
const std::string &certificate_dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/avio-bench-tls-XXXXXX";
    if (!mkdtemp(tmpl)) die("bench: mkdtemp");
    std::string d = tmpl;
    const std::string cmd = "cd " + d +
                            " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "
                            "key.pem -out cert.pem -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                            ">/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) die("bench: openssl could not make a certificate");
    return d;
  }();
  return dir;
}

SSL_CTX *server_tls() {
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  const std::string &d = certificate_dir();
  if (SSL_CTX_use_certificate_file(ctx, (d + "/cert.pem").c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, (d + "/key.pem").c_str(), SSL_FILETYPE_PEM) != 1)
    die("bench: cannot load the certificate");
  return ctx;
}

Sender &sender(bool tls) {
  static Sender *plain = nullptr, *secure = nullptr;  // live until exit: the thread must outlive every pass
  Sender *&s = tls ? secure : plain;
  if (!s) s = new Sender(tls ? server_tls() : nullptr);
  return *s;
}

uint64_t consume(uint64_t h, const uint8_t *p, size_t n, bool verify) {
  return verify ? hash_bytes(h, p, n) : touch_bytes(h, p, n);
}

Workload network_read(bool tls, int chunk) {
  const std::string scheme = tls ? "tls" : "tcp";
  const std::string size = chunk >= (1 << 20) ? "1m" : std::to_string(chunk / 1024) + "k";
  Workload w;
  w.name = scheme + "_read_" + size;
  w.description = scheme + ": 64 MiB from a loopback server in " + (chunk >= (1 << 20) ? "1 MiB" : "4 KiB") +
                  " requests" + (tls ? " (TLS 1.3, both verify the certificate)" : "");
  w.op = size + " read";
  w.ops_per_pass = kStreamBytes / chunk;
  w.bytes_per_pass = kStreamBytes;
  w.target = 1.0;
  w.setup = [tls] {
    (void)sender(tls);
    return std::string();
  };
  auto dst = std::make_shared<MidPageBytes>(static_cast<size_t>(chunk));
  const auto url = [tls, scheme] { return scheme + "://127.0.0.1:" + std::to_string(sender(tls).port()); };
  w.sides.push_back({"avio", [url, tls, dst](bool verify) {
                       avio::OpenOptions o;
                       if (tls) o.options = {{"ca_file", certificate_dir() + "/cert.pem"}};
                       avio::IOContext ctx = must(avio::open_url(url(), o), "avio: open_url failed");
                       uint64_t h = kHashSeed;
                       for (;;) {
                         avio::Result<size_t> n = ctx.read({dst->data(), dst->size()});
                         if (!n) break;
                         h = consume(h, dst->data(), *n, verify);
                       }
                       return h;
                     }});
  w.sides.push_back({"lavf", [url, tls, dst](bool verify) {
                       AVIOContext *pb = nullptr;
                       AVDictionary *opts = nullptr;
                       if (tls) {
                         av_dict_set(&opts, "ca_file", (certificate_dir() + "/cert.pem").c_str(), 0);
                         av_dict_set(&opts, "tls_verify", "1", 0);
                       }
                       const int r = avio_open2(&pb, url().c_str(), AVIO_FLAG_READ, nullptr, &opts);
                       av_dict_free(&opts);
                       if (r < 0) die("libavformat: avio_open2 failed");
                       uint64_t h = kHashSeed;
                       for (;;) {
                         const int n = avio_read(pb, dst->data(), static_cast<int>(dst->size()));
                         if (n <= 0) break;
                         h = consume(h, dst->data(), static_cast<size_t>(n), verify);
                       }
                       avio_closep(&pb);
                       return h;
                     }});
  return w;
}

}  // namespace

void register_net_workloads(std::vector<Workload> &out, const Config &) {
  for (bool tls : {false, true})
    for (int chunk : {4096, 1 << 20}) out.push_back(network_read(tls, chunk));
}

}  // namespace avio_bench
