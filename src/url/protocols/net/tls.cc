// tls: TLS over a nested tcp: URL, with OpenSSL ("tls://host:port[?opts]").
//
// FFmpeg's tls.c / tls_openssl.c semantics with one deliberate difference:
// the peer is verified by default (tls_verify=1, the system trust store or
// ca_file; FFmpeg 5.1-8.0 default to no verification, lavf 63 turns it on).
// A client sends SNI for a host name and checks the certificate against the
// host (or `verifyhost`). A failed verification is -EIO (FFmpeg's code) with
// a message naming what failed and the certificate's subject.
//
// The TLS records go through a BIO over the nested tcp context, so every
// wait of the handshake, reads and writes is that context's: the interrupt,
// the token, rw_timeout and the open deadline end it. listen=1 accepts one
// client inside open; listen=2 makes a server whose clients come from
// accept, each handshaken by handshake().
#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "../builtins.hpp"
#include "avio/url_options.hpp"
#include "url_split.hpp"

namespace avio::protocols {

namespace {

constexpr OptionSpec kTlsOptions[] = {
    {"ca_file", OptionType::kString, "", 0, 0, "Certificate Authority database file"},
    {"cafile", OptionType::kString, "", 0, 0, "Certificate Authority database file"},
    {"tls_verify", OptionType::kInt, "1", 0, 1, "Verify the peer certificate"},
    {"verify", OptionType::kInt, "1", 0, 1, "Verify the peer certificate"},
    {"cert_file", OptionType::kString, "", 0, 0, "Certificate file"},
    {"cert", OptionType::kString, "", 0, 0, "Certificate file"},
    {"key_file", OptionType::kString, "", 0, 0, "Private key file"},
    {"key", OptionType::kString, "", 0, 0, "Private key file"},
    {"cert_pem", OptionType::kString, "", 0, 0, "Certificate PEM string"},
    {"key_pem", OptionType::kString, "", 0, 0, "Private key PEM string"},
    {"listen", OptionType::kInt, "0", 0, 2, "Listen for incoming connections"},
    {"verifyhost", OptionType::kString, "", 0, 0, "Verify against a specific hostname"},
    {"http_proxy", OptionType::kString, "", 0, 0, "Set proxy to tunnel through"},
};

struct SslCtxFree {
  void operator()(SSL_CTX *c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL *s) const { SSL_free(s); }
};
struct BioMethodFree {
  void operator()(BIO_METHOD *m) const { BIO_meth_free(m); }
};
using SslCtxPtr = std::shared_ptr<SSL_CTX>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// The first error in OpenSSL's queue, as text (the queue is cleared).
std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// What both ends of one TLS connection share: the nested tcp context the
// records travel on and the last error it reported (the BIO cannot return
// an avio error through OpenSSL).
struct Transport {
  std::unique_ptr<UrlContext> tcp;
  Error last{0};
};

int bio_write(BIO *b, const char *data, int len) {
  auto *t = static_cast<Transport *>(BIO_get_data(b));
  BIO_clear_retry_flags(b);
  Status st = t->tcp->write({reinterpret_cast<const uint8_t *>(data), static_cast<size_t>(len)});
  if (!st) {
    t->last = st.error();
    return -1;
  }
  return len;
}

int bio_read(BIO *b, char *data, int len) {
  auto *t = static_cast<Transport *>(BIO_get_data(b));
  BIO_clear_retry_flags(b);
  Result<size_t> r = t->tcp->read({reinterpret_cast<uint8_t *>(data), static_cast<size_t>(len)});
  if (!r) {
    if (r.error().is_eof()) return 0;
    t->last = r.error();
    return -1;
  }
  return static_cast<int>(*r);
}

long bio_ctrl(BIO *, int cmd, long, void *) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int bio_puts(BIO *b, const char *s) { return bio_write(b, s, static_cast<int>(std::strlen(s))); }

const BIO_METHOD *transport_method() {
  static const std::unique_ptr<BIO_METHOD, BioMethodFree> method = [] {
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "avio url");
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_puts(m, bio_puts);
    BIO_meth_set_ctrl(m, bio_ctrl);
    return std::unique_ptr<BIO_METHOD, BioMethodFree>(m);
  }();
  return method.get();
}

// The subject of the first certificate that failed verification, kept on
// the SSL (a failed handshake leaves no peer certificate to ask for).
int rejected_subject_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int remember_rejected(int preverify_ok, X509_STORE_CTX *store) {
  if (preverify_ok) return 1;
  auto *ssl = static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto *subject = ssl ? static_cast<std::string *>(SSL_get_ex_data(ssl, rejected_subject_index())) : nullptr;
  if (subject && subject->empty()) {
    if (X509 *cert = X509_STORE_CTX_get_current_cert(store)) {
      char name[512];
      X509_NAME_oneline(X509_get_subject_name(cert), name, sizeof name);
      *subject = name;
    }
  }
  return 0;
}

// Settings read once at open; shared by a server's clients.
struct TlsSettings {
  std::string host;  // what SNI and verification name
  std::string ca_file, cert_file, key_file, cert_pem, key_pem, verifyhost;
  bool verify = true;
  int listen = 0;
};

std::string first_set(const OptionValues &o, const char *a, const char *b) {
  std::string v = o.string(a);
  return v.empty() ? o.string(b) : v;
}

Result<SslCtxPtr> make_context(const TlsSettings &s) {
  SslCtxPtr ctx(SSL_CTX_new(s.listen ? TLS_server_method() : TLS_client_method()), SslCtxFree());
  if (!ctx) return Error(-EIO, "tls: " + openssl_error());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (!s.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), s.ca_file.c_str(), nullptr) != 1)
      return Error(-EIO, "tls: cannot load the CA file '" + s.ca_file + "': " + openssl_error());
  } else if (!s.listen && SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
    return Error(-EIO, "tls: cannot load the system trust store: " + openssl_error());
  }
  if (!s.cert_pem.empty() || !s.key_pem.empty()) {
    std::unique_ptr<BIO, decltype(&BIO_free)> cert(
        BIO_new_mem_buf(s.cert_pem.data(), static_cast<int>(s.cert_pem.size())), BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> x509(PEM_read_bio_X509(cert.get(), nullptr, nullptr, nullptr),
                                                     X509_free);
    if (!x509 || SSL_CTX_use_certificate(ctx.get(), x509.get()) != 1)
      return Error(-EIO, "tls: cannot use cert_pem: " + openssl_error());
    std::unique_ptr<BIO, decltype(&BIO_free)> key(BIO_new_mem_buf(s.key_pem.data(), static_cast<int>(s.key_pem.size())),
                                                  BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
        PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
    if (!pkey || SSL_CTX_use_PrivateKey(ctx.get(), pkey.get()) != 1)
      return Error(-EIO, "tls: cannot use key_pem: " + openssl_error());
  }
  if (!s.cert_file.empty() && SSL_CTX_use_certificate_chain_file(ctx.get(), s.cert_file.c_str()) != 1)
    return Error(-EIO, "tls: cannot load the certificate file '" + s.cert_file + "': " + openssl_error());
  if (!s.key_file.empty() && SSL_CTX_use_PrivateKey_file(ctx.get(), s.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return Error(-EIO, "tls: cannot load the key file '" + s.key_file + "': " + openssl_error());
  if (s.listen && SSL_CTX_check_private_key(ctx.get()) != 1)
    return Error(
        -EIO, "tls: listening needs cert_file and key_file (or cert_pem and key_pem) that match: " + openssl_error());
  // A client verifies its server; a server does not ask for client certificates.
  SSL_CTX_set_verify(ctx.get(), s.verify && !s.listen ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, remember_rejected);
  return ctx;
}

bool is_ip_literal(const std::string &host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// One TLS connection over its transport: a client's, or a server's client.
class TlsConnection {
 public:
  Status start(const SslCtxPtr &ctx, std::unique_ptr<UrlContext> tcp, const TlsSettings &s) {
    ctx_ = ctx;
    transport_ = std::make_unique<Transport>();
    transport_->tcp = std::move(tcp);
    ssl_.reset(SSL_new(ctx.get()));
    if (!ssl_) return Error(-EIO, "tls: " + openssl_error());
    SSL_set_ex_data(ssl_.get(), rejected_subject_index(), &rejected_subject_);
    BIO *bio = BIO_new(transport_method());
    if (!bio) return Error(-EIO, "tls: " + openssl_error());
    BIO_set_data(bio, transport_.get());
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl_.get(), bio, bio);
    if (!s.listen) {
      if (!s.host.empty() && !is_ip_literal(s.host)) SSL_set_tlsext_host_name(ssl_.get(), s.host.c_str());
      const std::string &name = s.verifyhost.empty() ? s.host : s.verifyhost;
      if (s.verify && !name.empty()) {
        if (is_ip_literal(name))
          X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), name.c_str());
        else
          SSL_set1_host(ssl_.get(), name.c_str());
      }
    }
    client_ = !s.listen;
    return {};
  }

  // The handshake, blocking in the transport's waits.
  Status handshake() {
    ERR_clear_error();
    const int r = client_ ? SSL_connect(ssl_.get()) : SSL_accept(ssl_.get());
    if (r == 1) return {};
    return failure("handshake");
  }

  Result<size_t> read(std::span<uint8_t> dst) {
    ERR_clear_error();
    const int n = SSL_read(ssl_.get(), dst.data(), static_cast<int>(std::min<size_t>(dst.size(), INT_MAX)));
    if (n > 0) return static_cast<size_t>(n);
    const int e = SSL_get_error(ssl_.get(), n);
    if (e == SSL_ERROR_ZERO_RETURN) return Error::eof();
    // A peer that closes without close_notify: the stream ended all the same.
    if (e == SSL_ERROR_SYSCALL && transport_->last.code() == 0 && ERR_peek_error() == 0) return Error::eof();
    return failure("read");
  }

  Result<size_t> write(std::span<const uint8_t> src) {
    ERR_clear_error();
    const int n = SSL_write(ssl_.get(), src.data(), static_cast<int>(std::min<size_t>(src.size(), INT_MAX)));
    if (n > 0) return static_cast<size_t>(n);
    return failure("write");
  }

  Status close() {
    if (ssl_ && SSL_is_init_finished(ssl_.get())) (void)SSL_shutdown(ssl_.get());
    ssl_.reset();
    Status st;
    if (transport_ && transport_->tcp) st = transport_->tcp->close();
    return st;
  }

  int file_handle() const { return transport_ && transport_->tcp ? transport_->tcp->file_handle() : -1; }
  // tls_get_short_seek: the transport's (tcp's receive window).
  Result<int> short_seek_size() const {
    if (!transport_ || !transport_->tcp) return Error(-ENOSYS);
    return transport_->tcp->short_seek_size();
  }

 private:
  // The transport's own error (interrupt, timeout, reset) when it has one;
  // otherwise -EIO with what OpenSSL says, and for a certificate that did not
  // verify, why and whose it is.
  Error failure(const char *what) {
    if (transport_->last.code() != 0) {
      Error e = transport_->last;
      // FFmpeg's BIO hands an interrupt to OpenSSL as end of stream, so an
      // interrupted handshake fails with EIO; other transport errors (a
      // timeout, a reset) come through as they are. An interrupted read
      // stays AVERROR_EXIT here (FFmpeg's becomes AVERROR_EOF, which would
      // pass a cut stream off as complete: docs/compat.md).
      if (std::string_view(what) != "handshake" || e.code() != kExit) return e;
      return Error(-EIO, "tls: handshake: " + std::string(e.detail()));
    }
    const long verify = SSL_get_verify_result(ssl_.get());
    if (std::string_view(what) == "handshake" && verify != X509_V_OK) {
      const std::string subject = rejected_subject_.empty() ? "unknown" : rejected_subject_;
      ERR_clear_error();
      return Error(-EIO, std::string("tls: certificate verification failed: ") + X509_verify_cert_error_string(verify) +
                             " (subject " + subject + ")");
    }
    return Error(-EIO, std::string("tls: ") + what + ": " + openssl_error());
  }

  SslCtxPtr ctx_;
  std::unique_ptr<Transport> transport_;
  SslPtr ssl_;
  std::string rejected_subject_;
  bool client_ = true;
};

// A client accepted by a listen=2 server; handshake() runs SSL_accept.
class TlsClient final : public Protocol {
 public:
  TlsClient(const SslCtxPtr &ctx, std::unique_ptr<UrlContext> tcp, const TlsSettings &s) {
    start_ = conn_.start(ctx, std::move(tcp), s);
  }
  Status open(UrlContext &, const OpenRequest &) override {
    return Error(-EINVAL, "tls: a client is made by accept, not opened");
  }
  StreamProperties stream_properties() const override { return {.streamed = true}; }
  Result<int> handshake(UrlContext &) override {
    if (!start_) return start_.error();
    if (Status st = conn_.handshake(); !st) return st.error();
    return 0;
  }
  Result<size_t> read(UrlContext &, std::span<uint8_t> dst) override { return conn_.read(dst); }
  Result<size_t> write(UrlContext &, std::span<const uint8_t> src) override { return conn_.write(src); }
  Status close(UrlContext &) override { return conn_.close(); }
  int file_handle(UrlContext &) override { return conn_.file_handle(); }
  Result<int> short_seek_size(UrlContext &) override { return conn_.short_seek_size(); }

 private:
  TlsConnection conn_;
  Status start_;
};

class TlsProtocol final : public Protocol {
 public:
  Status open(UrlContext &h, const OpenRequest &request) override {
    const net::HostTarget target = net::split_host_target(request.target);
    const OptionValues &o = h.options();
    settings_.host = target.host;
    settings_.ca_file = first_set(o, "ca_file", "cafile");
    settings_.cert_file = first_set(o, "cert_file", "cert");
    settings_.key_file = first_set(o, "key_file", "key");
    settings_.cert_pem = o.string("cert_pem");
    settings_.key_pem = o.string("key_pem");
    settings_.verifyhost = o.string("verifyhost");
    settings_.verify = o.integer("tls_verify") != 0 && o.integer("verify") != 0;
    settings_.listen = static_cast<int>(o.integer("listen"));
    std::string value;
    if (net::find_info_tag(target.query, "listen", &value))
      settings_.listen = value.empty() ? 1 : std::atoi(value.c_str());
    if (settings_.listen < 0 || settings_.listen > 2)
      return Error(-EINVAL, "tls: listen must be 0, 1 or 2, not " + std::to_string(settings_.listen));
    if (settings_.listen == 0 && target.host.empty())
      return Error(-EINVAL, "tls: no host in '" + std::string(h.url()) + "'");
    if (!settings_.verify && settings_.listen == 0)
      std::fprintf(stderr, "avio: tls: peer verification is off for %s: the connection is not authenticated\n",
                   target.host.c_str());
    Result<SslCtxPtr> ctx = make_context(settings_);
    if (!ctx) return ctx.error();
    ctx_ = *ctx;

    // The transport: tcp://host:port, with the query (tcp's own options) and
    // the listen mode passed on, as ff_tls_open_underlying builds it.
    std::string host = target.host;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    std::string tcp_url = "tcp://" + host + ":" + std::to_string(target.port);
    // Through a proxy (http passes its own on): a CONNECT tunnel instead,
    // as ff_tls_open_underlying does.
    if (const std::string &proxy = o.string("http_proxy"); !proxy.empty() && settings_.listen == 0) {
      if (proxy.rfind("http://", 0) != 0)
        return Error(-EINVAL, "tls: http_proxy must be an http:// URL, not '" + proxy + "'");
      std::string authority = proxy.substr(7);
      authority = authority.substr(0, authority.find('/'));
      tcp_url = "httpproxy://" + authority + "/" + host + ":" + std::to_string(target.port);
    }
    std::string query(target.query);
    if (settings_.listen && !net::find_info_tag(target.query, "listen", &value))
      query += (query.empty() ? "?" : "&") + std::string("listen=") + std::to_string(settings_.listen);
    if (tcp_url.rfind("tcp:", 0) == 0) tcp_url += query;
    Result<std::unique_ptr<UrlContext>> tcp =
        request.open_nested(tcp_url, request.flags | kOpenReadWrite, request.options);
    if (!tcp) return tcp.error();
    if (settings_.listen == 2) {
      server_ = std::move(*tcp);
      return {};
    }
    if (Status st = conn_.start(ctx_, std::move(*tcp), settings_); !st) return st;
    return conn_.handshake();
  }

  // Not marked streamed, as FFmpeg's tls is not (its tcp is): the same
  // buffer size and seekable flag through the C API; seeks fail with ENOSYS.
  Result<size_t> read(UrlContext &, std::span<uint8_t> dst) override { return conn_.read(dst); }
  Result<size_t> write(UrlContext &, std::span<const uint8_t> src) override { return conn_.write(src); }
  Status close(UrlContext &) override {
    if (server_) return server_->close();
    return conn_.close();
  }
  int file_handle(UrlContext &) override { return server_ ? server_->file_handle() : conn_.file_handle(); }
  Result<int> short_seek_size(UrlContext &) override {
    if (server_) return Error(-ENOSYS);
    return conn_.short_seek_size();
  }

  Result<std::unique_ptr<Protocol>> accept(UrlContext &h) override {
    if (!server_) return Error(-EINVAL, "tls: accept needs listen=2 in '" + std::string(h.url()) + "'");
    Result<std::unique_ptr<UrlContext>> tcp = server_->accept();
    if (!tcp) return tcp.error();
    // The tcp client has no handshake of its own; ours is TLS's.
    if (Result<int> r = (*tcp)->handshake(); !r) return r.error();
    return std::unique_ptr<Protocol>(std::make_unique<TlsClient>(ctx_, std::move(*tcp), settings_));
  }

 private:
  TlsSettings settings_;
  SslCtxPtr ctx_;
  TlsConnection conn_;
  std::unique_ptr<UrlContext> server_;  // listen=2: the listening tcp context
};

}  // namespace

ProtocolInfo tls_protocol() { return ProtocolInfo::of<TlsProtocol>("tls", {.options = kTlsOptions}); }

}  // namespace avio::protocols
