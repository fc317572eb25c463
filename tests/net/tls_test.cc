// tls: against `openssl s_server` (a real peer started and stopped by the
// test), against avio's own tls server, with certificates the test makes
// with the openssl tool: verification on by default, SNI and host names,
// expired and self-signed certificates, listen=1 and listen=2, interrupts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <iterator>

#include "avio/url.hpp"
#include "net_test_util.hpp"

namespace {

using avio_net_test::Clock;
using avio_net_test::ms_since;

// Runs a shell command; true when it exits 0.
bool sh(const std::string &cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

// Certificates made once for the whole suite: a CA, server certificates it
// signed for localhost / 127.0.0.1, for another host name, an expired one,
// and a self-signed one.
class Certs {
 public:
  Certs() {
    char tmpl[] = "/tmp/avio-tls-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    dir_ = tmpl;
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    ok_ =
        sh("cd " + dir_ + " && openssl req -x509" + ec + "-keyout ca.key -out ca.pem -days 30 -subj /CN=avio-test-ca");
    ok_ = ok_ && sign("localhost", "DNS:localhost,IP:127.0.0.1", "30") && sign("other", "DNS:other.example", "30") &&
          sign("expired", "DNS:localhost,IP:127.0.0.1", "-1");
    ok_ = ok_ && sh("cd " + dir_ + " && openssl req -x509" + ec +
                    "-keyout self.key -out self.pem -days 30 -subj /CN=localhost -addext "
                    "subjectAltName=DNS:localhost,IP:127.0.0.1");
  }
  ~Certs() { std::filesystem::remove_all(dir_); }
  bool ok() const { return ok_; }
  std::string path(const std::string &name) const { return dir_ + "/" + name; }

 private:
  bool sign(const std::string &name, const std::string &san, const std::string &days) {
    std::ofstream(dir_ + "/" + name + ".ext") << "subjectAltName=" << san << "\n";
    const std::string cn = name == "other" ? "other.example" : "localhost";
    return sh("cd " + dir_ + " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + name +
              ".key -out " + name + ".csr -subj /CN=" + cn + " && openssl x509 -req -in " + name +
              ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " + name + ".pem -days " + days + " -extfile " +
              name + ".ext");
  }
  std::string dir_;
  bool ok_ = false;
};

const Certs &certs() {
  static const Certs c;  // made once, removed at exit
  return c;
}

// `openssl s_server -www` on a free loopback port, stopped by its PID.
class SServer {
 public:
  SServer(const std::string &cert, const std::string &key) : port_(avio_net_test::free_port()) {
    pid_ = fork();
    if (pid_ == 0) {
      const int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      const std::string accept = "127.0.0.1:" + std::to_string(port_);
      execlp("openssl", "openssl", "s_server", "-accept", accept.c_str(), "-cert", cert.c_str(), "-key", key.c_str(),
             "-www", "-quiet", static_cast<char *>(nullptr));
      _exit(127);
    }
    // Ready when it accepts (bounded).
    const int fd = avio_net_test::connect_tcp_retry(AF_INET, port_);
    if (fd >= 0) close(fd);
  }
  ~SServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }

 private:
  int port_;
  pid_t pid_ = -1;
};

std::string get_page(avio::IOContext &io) {
  static constexpr char kRequest[] = "GET / HTTP/1.0\r\n\r\n";
  io.write({reinterpret_cast<const uint8_t *>(kRequest), sizeof kRequest - 1});
  io.flush();
  std::string text;
  uint8_t buf[4096];
  while (true) {
    auto n = io.read_partial(buf);
    if (!n.ok() || *n == 0) break;
    text.append(reinterpret_cast<const char *>(buf), *n);
  }
  return text;
}

avio::Result<avio::IOContext> open_tls(const std::string &url, avio::Dictionary options = {}) {
  avio::OpenOptions o;
  o.flags = avio::kOpenReadWrite;
  o.options = std::move(options);
  o.rw_timeout = 5000000;
  return avio::open_url(url, o);
}

class Tls : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(certs().ok()) << "the openssl tool could not make the test certificates"; }
};

TEST_F(Tls, VerifiedConnectionToOpensslServer) {
  SServer server(certs().path("localhost.pem"), certs().path("localhost.key"));
  const int fds = avio_net_test::open_fds();
  {
    auto io = open_tls("tls://localhost:" + std::to_string(server.port()), {{"ca_file", certs().path("ca.pem")}});
    ASSERT_TRUE(io.ok()) << io.error().message();
    const std::string page = get_page(*io);
    EXPECT_EQ(page.rfind("HTTP/1.0 200 ok", 0), 0u) << page.substr(0, 80);
    EXPECT_FALSE(io->seekable());
  }
  EXPECT_EQ(avio_net_test::open_fds(), fds);  // nothing leaked
  // An address literal verifies against the certificate's IP entry.
  auto io = open_tls("tls://127.0.0.1:" + std::to_string(server.port()), {{"ca_file", certs().path("ca.pem")}});
  ASSERT_TRUE(io.ok()) << io.error().message();
}

TEST_F(Tls, UnknownIssuerFailsByDefaultNamingTheSubject) {
  SServer server(certs().path("localhost.pem"), certs().path("localhost.key"));
  auto io = open_tls("tls://localhost:" + std::to_string(server.port()));  // the system store: the test CA is not in it
  ASSERT_FALSE(io.ok());
  EXPECT_EQ(io.error().code(), -EIO);
  const std::string m = io.error().message();
  EXPECT_NE(m.find("certificate verification failed"), std::string::npos) << m;
  EXPECT_NE(m.find("local issuer"), std::string::npos) << m;
  EXPECT_NE(m.find("CN=localhost"), std::string::npos) << m;
  // With verification off it connects.
  auto off = open_tls("tls://localhost:" + std::to_string(server.port()), {{"tls_verify", "0"}});
  ASSERT_TRUE(off.ok()) << off.error().message();
  EXPECT_EQ(get_page(*off).rfind("HTTP/1.0 200 ok", 0), 0u);
}

TEST_F(Tls, HostNameMismatchUnlessVerifyhostMatches) {
  SServer server(certs().path("other.pem"), certs().path("other.key"));
  const std::string url = "tls://localhost:" + std::to_string(server.port());
  auto io = open_tls(url, {{"ca_file", certs().path("ca.pem")}});
  ASSERT_FALSE(io.ok());
  EXPECT_NE(io.error().message().find("hostname mismatch"), std::string::npos) << io.error().message();
  EXPECT_NE(io.error().message().find("CN=other.example"), std::string::npos) << io.error().message();
  io = open_tls(url, {{"ca_file", certs().path("ca.pem")}, {"verifyhost", "other.example"}});
  ASSERT_TRUE(io.ok()) << io.error().message();
}

TEST_F(Tls, ExpiredAndSelfSignedCertificatesFail) {
  {
    SServer server(certs().path("expired.pem"), certs().path("expired.key"));
    auto io = open_tls("tls://localhost:" + std::to_string(server.port()), {{"ca_file", certs().path("ca.pem")}});
    ASSERT_FALSE(io.ok());
    EXPECT_NE(io.error().message().find("expired"), std::string::npos) << io.error().message();
  }
  SServer server(certs().path("self.pem"), certs().path("self.key"));
  const std::string url = "tls://localhost:" + std::to_string(server.port());
  auto io = open_tls(url);
  ASSERT_FALSE(io.ok());
  EXPECT_NE(io.error().message().find("self-signed"), std::string::npos) << io.error().message();
  io = open_tls(url, {{"ca_file", certs().path("self.pem")}});  // trusting it explicitly
  ASSERT_TRUE(io.ok()) << io.error().message();
}

TEST_F(Tls, ListenOneServesOneClient) {
  const int port = avio_net_test::free_port();
  const std::vector<uint8_t> payload = avio_net_test::pattern(300000, 5);
  avio::Status server_status;
  std::thread server([&] {
    avio::OpenOptions o;
    o.flags = avio::kOpenWrite;
    o.options = {{"cert_file", certs().path("localhost.pem")},
                 {"key_file", certs().path("localhost.key")},
                 {"listen_timeout", "10000"}};
    auto io = avio::open_url("tls://127.0.0.1:" + std::to_string(port) + "?listen=1", o);
    if (!io.ok()) {
      server_status = io.error();
      return;
    }
    io->write(payload);
    server_status = io->close();
  });
  std::vector<uint8_t> got;
  avio::Result<avio::IOContext> client = avio::Error(-EIO);
  for (int i = 0; i < 100 && !client.ok(); ++i) {  // until the server listens (bounded)
    client = open_tls("tls://localhost:" + std::to_string(port), {{"ca_file", certs().path("ca.pem")}});
    if (!client.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (client.ok()) {
    got.resize(payload.size() + 10);
    auto n = client->read(got);
    got.resize(n.ok() ? *n : 0);
  }
  server.join();
  ASSERT_TRUE(client.ok()) << client.error().message();
  EXPECT_TRUE(server_status.ok()) << server_status.error().message();
  EXPECT_EQ(got, payload);
}

// The certificate and key given as PEM text (cert_pem / key_pem) instead of files.
TEST_F(Tls, ServerCertificateFromPemStrings) {
  const auto text = [](const std::string &path) {
    std::ifstream f(path);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  };
  const int port = avio_net_test::free_port();
  avio::OpenOptions o;
  o.flags = avio::kOpenReadWrite;
  o.options = {{"cert_pem", text(certs().path("localhost.pem"))}, {"key_pem", text(certs().path("localhost.key"))}};
  auto server = avio::open_url("tls://127.0.0.1:" + std::to_string(port) + "?listen=2", o);
  ASSERT_TRUE(server.ok()) << server.error().message();
  std::string got;
  std::thread client([&] {
    auto io = open_tls("tls://localhost:" + std::to_string(port), {{"ca_file", certs().path("ca.pem")}});
    if (!io.ok()) return;
    uint8_t buf[16];
    auto n = io->read(buf);
    if (n.ok()) got.assign(reinterpret_cast<const char *>(buf), *n);
  });
  auto peer = avio::accept(*server);
  ASSERT_TRUE(peer.ok()) << peer.error().message();
  ASSERT_TRUE(avio::handshake(*peer).ok());
  peer->write({reinterpret_cast<const uint8_t *>("pem"), 3});
  EXPECT_TRUE(peer->close().ok());
  client.join();
  EXPECT_EQ(got, "pem");
  // A PEM string that is not one names the option.
  o.options = {{"cert_pem", "not a certificate"}, {"key_pem", "x"}};
  auto bad = avio::open_url("tls://127.0.0.1:" + std::to_string(avio_net_test::free_port()) + "?listen=2", o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("cert_pem"), std::string::npos) << bad.error().message();
}

TEST_F(Tls, ListenTwoAcceptsAndHandshakesClients) {
  const int port = avio_net_test::free_port();
  avio::OpenOptions o;
  o.flags = avio::kOpenReadWrite;
  o.options = {{"cert_file", certs().path("localhost.pem")}, {"key_file", certs().path("localhost.key")}};
  auto server = avio::open_url("tls://127.0.0.1:" + std::to_string(port) + "?listen=2", o);
  ASSERT_TRUE(server.ok()) << server.error().message();
  for (int c = 0; c < 3; ++c) {
    std::string got;
    std::thread client([&] {
      auto io = open_tls("tls://127.0.0.1:" + std::to_string(port), {{"ca_file", certs().path("ca.pem")}});
      if (!io.ok()) return;
      uint8_t buf[64];
      auto n = io->read(buf);
      if (n.ok()) got.assign(reinterpret_cast<const char *>(buf), *n);
    });
    auto peer = avio::accept(*server);
    ASSERT_TRUE(peer.ok()) << peer.error().message();
    avio::Result<int> step = avio::handshake(*peer);
    ASSERT_TRUE(step.ok()) << step.error().message();
    EXPECT_EQ(*step, 0);
    const std::string hello = "hello " + std::to_string(c);
    peer->write({reinterpret_cast<const uint8_t *>(hello.data()), hello.size()});
    EXPECT_TRUE(peer->close().ok());
    client.join();
    EXPECT_EQ(got, hello);
  }
}

// A peer that accepts and never answers, mid-handshake: the handshake ends
// by rw_timeout with its ETIMEDOUT and by the token with EIO (FFmpeg's codes:
// its BIO hands an interrupt to OpenSSL as end of stream), and nothing leaks.
TEST_F(Tls, SilentPeerEndsTheHandshake) {
  avio_net_test::Peer silent(AF_INET, avio_net_test::silent, 2);
  const int fds = avio_net_test::open_fds();
  avio::OpenOptions o;
  o.flags = avio::kOpenReadWrite;
  o.rw_timeout = 200000;
  o.options = {{"tls_verify", "0"}};
  Clock::time_point t0 = Clock::now();
  auto io = avio::open_url("tls://127.0.0.1:" + std::to_string(silent.port()), o);
  ASSERT_FALSE(io.ok());
  EXPECT_EQ(io.error().code(), -ETIMEDOUT);
  EXPECT_GE(ms_since(t0), 190);
  EXPECT_LT(ms_since(t0), 3000);

  auto token = std::make_shared<avio::CancellationToken>();
  o.rw_timeout = 0;
  o.cancel = token;
  Clock::time_point raised{};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    raised = Clock::now();
    token->cancel();
  });
  io = avio::open_url("tls://127.0.0.1:" + std::to_string(silent.port()), o);
  const Clock::time_point ended = Clock::now();
  canceller.join();
  ASSERT_FALSE(io.ok());
  EXPECT_EQ(io.error().code(), -EIO);
  EXPECT_NE(io.error().message().find("interrupted"), std::string::npos) << io.error().message();
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(ended - raised).count(), 100);
  token.reset();  // its eventfd
  o.cancel.reset();
  // The silent peer's thread lets go of its accepted sockets once it sees
  // them closed; ours are gone already.
  for (int i = 0; i < 100 && avio_net_test::open_fds() != fds; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(avio_net_test::open_fds(), fds);
}

TEST_F(Tls, BadOptionsNameWhatIsWrong) {
  auto io = open_tls("tls://localhost:1", {{"ca_file", "/nonexistent/ca.pem"}});
  ASSERT_FALSE(io.ok());
  EXPECT_NE(io.error().message().find("/nonexistent/ca.pem"), std::string::npos) << io.error().message();
  io = open_tls("tls://127.0.0.1:1?listen=1", {{"cert_file", certs().path("localhost.pem")}});
  ASSERT_FALSE(io.ok());
  EXPECT_NE(io.error().message().find("key"), std::string::npos) << io.error().message();
  io = open_tls("tls://:443");
  ASSERT_FALSE(io.ok());
  EXPECT_EQ(io.error().code(), -EINVAL);
}

}  // namespace
