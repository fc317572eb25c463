// tcp and unix against libavformat: the same C program (net_ops.c), built
// against libavformat and against avio_c, runs against peers this test
// serves (a known byte stream, a silent peer, clients of a server), and
// the two outputs must be identical: open codes, context fields, sizes,
// bytes, end codes, timeouts, accept and handshake results.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "../url/url_test_util.hpp"
#include "net_test_util.hpp"
#include "tls_peer.hpp"

namespace {

using namespace avio_net_test;
using avio_test::run;
using avio_test::shell_quote;

std::string command(const char *program, const std::vector<std::string> &args) {
  std::string c = program;
  for (const auto &a : args) c += " " + shell_quote(a);
  return c + " 2>/dev/null";
}

// Runs both builds; `fresh_peer` is called before each run and returns
// what must live while it runs (a peer, or nothing).
// A line that differs on purpose: what libavformat 5.1 and avio print.
struct KnownDifference {
  std::string ffmpeg_line, avio_line;
};

template <class MakePeer>
void same_output(const std::vector<std::string> &args_template, MakePeer fresh_peer, const std::string &expect_prefix,
                 const std::string &expect_inside = "", const KnownDifference *known = nullptr) {
  std::string out[2];
  const char *programs[2] = {NET_OPS_FFMPEG, NET_OPS_AVIO};
  for (int i = 0; i < 2; ++i) {
    auto peer = fresh_peer();
    std::vector<std::string> args = args_template;
    for (auto &a : args) {
      const size_t at = a.find("PORT");
      if (at != std::string::npos && peer.port) a.replace(at, 4, std::to_string(peer.port));
    }
    out[i] = run(command(programs[i], args));
  }
  if (known) {
    const size_t f = out[0].find(known->ffmpeg_line + "\n"), a = out[1].find(known->avio_line + "\n");
    ASSERT_NE(f, std::string::npos) << "libavformat no longer says '" << known->ffmpeg_line << "':\n" << out[0];
    ASSERT_NE(a, std::string::npos) << "avio does not say '" << known->avio_line << "':\n" << out[1];
    out[0].replace(f, known->ffmpeg_line.size(), known->avio_line);
  }
  EXPECT_EQ(out[0].rfind(expect_prefix, 0), 0u) << "libavformat said:\n" << out[0];
  if (!expect_inside.empty()) {
    EXPECT_NE(out[0].find(expect_inside), std::string::npos) << out[0];
  }
  EXPECT_EQ(out[0], out[1]) << "libavformat:\n" << out[0] << "avio:\n" << out[1];
}

// A peer (or none) and its port.
struct Running {
  std::unique_ptr<Peer> peer;
  int port = 0;
};

Running tcp_peer(int family, Handler h) {
  Running r;
  r.peer = std::make_unique<Peer>(family, std::move(h));
  r.port = r.peer->port();
  return r;
}

Running no_peer(int port = 0) {
  Running r;
  r.port = port;
  return r;
}

const std::vector<uint8_t> &stream_bytes() {
  static const std::vector<uint8_t> b = pattern(200000, 42);
  return b;
}

TEST(NetDiff, TcpReadsAServedStream) {
  same_output(
      {"read", "tcp://127.0.0.1:PORT"}, [] { return tcp_peer(AF_INET, serve(stream_bytes())); }, "open 0\n",
      "read total=200000 ");
  same_output(
      {"read", "tcp://[::1]:PORT?unknown_key=1", "tcp_nodelay=1", "recv_buffer_size=100000"},
      [] { return tcp_peer(AF_INET6, serve(stream_bytes())); }, "open 0\n", "read total=200000 ");
  same_output(
      {"read", "tcp://localhost:PORT?tcp_nodelay=1"},
      [] {
        return tcp_peer(AF_INET, serve({1, 2, 3}));
      },
      "open 0\n", "read total=3 ");
}

TEST(NetDiff, TcpOpenErrors) {
  same_output(
      {"read", "tcp://127.0.0.1:PORT"}, [] { return no_peer(free_port()); }, "open -111\n");  // ECONNREFUSED
  same_output(
      {"read", "tcp://[::1]:PORT"}, [] { return no_peer(free_port(AF_INET6)); }, "open -111\n");
  same_output(
      {"read", "tcp://127.0.0.1"}, [] { return no_peer(); }, "open -22\n");  // no port
  same_output(
      {"read", "tcp://127.0.0.1:99999"}, [] { return no_peer(); }, "open -22\n");
  same_output(
      {"read", "tcp://no-such-host.invalid:80"}, [] { return no_peer(); }, "open -5\n");  // EIO
  same_output(
      {"read", "tcp://127.0.0.1:PORT?listen=1&listen_timeout=200"}, [] { return no_peer(free_port()); },
      "open -110\n");  // ETIMEDOUT
  same_output(
      {"read", "tcp://127.0.0.1:PORT", "listen=1", "listen_timeout=200"}, [] { return no_peer(free_port()); },
      "open -110\n");
}

TEST(NetDiff, TcpReadTimeouts) {
  // tcp's own timeout (µs) and the generic rw_timeout both end a read with ETIMEDOUT.
  same_output(
      {"read", "tcp://127.0.0.1:PORT", "timeout=300000"}, [] { return tcp_peer(AF_INET, silent); }, "open 0\n",
      "end=-110");
  same_output(
      {"read", "tcp://127.0.0.1:PORT", "rw_timeout=300000"}, [] { return tcp_peer(AF_INET, silent); }, "open 0\n",
      "end=-110");
  same_output(
      {"read", "tcp://127.0.0.1:PORT?timeout=300000"}, [] { return tcp_peer(AF_INET, silent); }, "open 0\n",
      "end=-110");
}

// listen=1: the program is the server, a thread of this test the client.
TEST(NetDiff, TcpListenOne) {
  same_output(
      {"read", "tcp://127.0.0.1:PORT?listen=1"},
      [] {
        // The client thread, joined when the run is over.
        struct Client {
          std::thread thread;
          int port;
          ~Client() { thread.join(); }
        };
        const int port = free_port();
        return Client{std::thread([port] {
                        const int fd = connect_tcp_retry(AF_INET, port);
                        if (fd < 0) return;
                        std::atomic<bool> stop{false};
                        send_all(fd, stream_bytes().data(), stream_bytes().size(), stop);
                        close(fd);
                      }),
                      port};
      },
      "open 0\n", "read total=200000 ");
}

// listen=2 with avio_accept and avio_handshake, two clients.
TEST(NetDiff, TcpServer) {
  struct Clients {
    int port;
    std::vector<std::string> got;
    std::vector<std::thread> threads;
    ~Clients() {
      for (auto &t : threads) t.join();
    }
  };
  std::vector<std::vector<std::string>> seen;
  same_output(
      {"serve", "tcp://127.0.0.1:PORT?listen=2", "2"},
      [&] {
        auto c = std::make_shared<Clients>();
        c->port = free_port();
        c->got.resize(2);
        for (int i = 0; i < 2; ++i) {
          c->threads.emplace_back([c = c.get(), i] {
            // One at a time: the server accepts them in order.
            std::this_thread::sleep_for(std::chrono::milliseconds(150 * i));
            const int fd = connect_tcp_retry(AF_INET, c->port);
            if (fd < 0) return;
            std::atomic<bool> stop{false};
            const std::vector<uint8_t> r = recv_all(fd, stop);
            close(fd);
            c->got[i] = std::string(r.begin(), r.end());
          });
        }
        struct Holder {
          std::shared_ptr<Clients> clients;
          int port;
          std::vector<std::vector<std::string>> *seen;
          ~Holder() {
            if (!clients) return;
            for (auto &t : clients->threads) t.join();
            clients->threads.clear();
            seen->push_back(clients->got);
          }
          Holder(std::shared_ptr<Clients> c, int p, std::vector<std::vector<std::string>> *s)
              : clients(std::move(c)), port(p), seen(s) {}
          Holder(Holder &&o) noexcept : clients(std::move(o.clients)), port(o.port), seen(o.seen) {}
        };
        return Holder(c, c->port, &seen);
      },
      "open 0\naccept 0\nhandshake 0 after 0 steps\n");
  ASSERT_EQ(seen.size(), 2u);
  for (const auto &got : seen) {
    std::vector<std::string> sorted = got;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<std::string>{"hello 0\n", "hello 1\n"}));
  }
}

TEST(NetDiff, Unix) {
  // libavformat 5.1's unix.c leaves is_streamed unset (a seekable context
  // with a single-size buffer); later FFmpeg sets it, as avio does.
  const KnownDifference streamed{"buffer_size=32768 seekable=1 max_packet_size=0 direct=0 write_flag=0",
                                 "buffer_size=65536 seekable=0 max_packet_size=0 direct=0 write_flag=0"};
  SocketDir dir;
  const std::string path = dir / "s";
  same_output(
      {"read", "unix:" + path},
      [&] {
        struct Holder {
          std::unique_ptr<Peer> peer;
          int port = 0;
        };
        return Holder{std::make_unique<Peer>(path, SOCK_STREAM, serve(stream_bytes())), 0};
      },
      "open 0\n", "read total=200000 ", &streamed);
  same_output(
      {"read", "unix:" + (dir / "missing")}, [] { return no_peer(); }, "open -2\n");  // ENOENT
  same_output(
      {"read", "unix:" + path, "rw_timeout=300000"},
      [&] {
        struct Holder {
          std::unique_ptr<Peer> peer;
          int port = 0;
        };
        return Holder{std::make_unique<Peer>(path, SOCK_STREAM, silent), 0};
      },
      "open 0\n", "end=-5", &streamed);  // EIO, from the retry loop
  same_output(
      {"read", "unix:" + (dir / "l"), "listen=1", "timeout=200"}, [] { return no_peer(); }, "open -110\n");
}

// tls over tcp: the same program reads a stream from an OpenSSL server
// whose certificate the test made, both verifying it (ca_file, tls_verify=1:
// FFmpeg 5.1 does not verify unless told to, avio does by default); a peer
// that never answers the handshake ends it by rw_timeout; a refused port.
TEST(NetDiff, Tls) {
  avio_test::TempDir dir;
  const std::string cert = dir / "cert.pem", key = dir / "key.pem";
  run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + shell_quote(key) +
      " -out " + shell_quote(cert) + " -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1" +
      " 2>/dev/null");
  same_output(
      {"read", "tls://127.0.0.1:PORT", "ca_file=" + cert, "tls_verify=1"},
      [&] { return tcp_peer(AF_INET, tls_serve(cert, key, stream_bytes())); }, "open 0\n", "read total=200000 ");
  same_output(
      {"read", "tls://localhost:PORT", "ca_file=" + cert, "tls_verify=1"},
      [&] {
        return tcp_peer(AF_INET, tls_serve(cert, key, {1, 2, 3}));
      },
      "open 0\n", "read total=3 ");
  same_output(
      {"read", "tls://127.0.0.1:PORT", "rw_timeout=300000", "tls_verify=0"}, [] { return tcp_peer(AF_INET, silent); },
      "open -110\n");  // ETIMEDOUT
  same_output(
      {"read", "tls://127.0.0.1:PORT", "tls_verify=0"}, [] { return no_peer(free_port()); }, "open -111\n");
}

}  // namespace
