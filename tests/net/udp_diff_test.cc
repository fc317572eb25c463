// udp against libavformat: the same C program (udp_ops.c), built against
// libavformat and against avio_c, sends datagrams from one AVIO context to
// another on 127.0.0.1 (and to and from plain sockets of this test), and
// the two outputs must be identical: open codes, context fields, the size
// and hash of every datagram read, the codes that end reading and writing.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "../url/url_test_util.hpp"
#include "net_test_util.hpp"

namespace {

using namespace avio_net_test;
using avio_test::run;
using avio_test::shell_quote;

int free_udp_port() {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss;
  socklen_t len = loopback(AF_INET, 0, &ss);
  if (bind(fd, reinterpret_cast<sockaddr *>(&ss), len) != 0) std::abort();
  getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
  close(fd);
  return ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
}

// Runs both builds with PORT replaced by a fresh free port for each run.
// `known` lines differ on purpose: libavformat's line, then avio's.
void same_output(const std::vector<std::string> &args_template, const std::string &expect_inside,
                 const std::vector<std::pair<std::string, std::string>> &known = {}) {
  std::string out[2];
  const char *programs[2] = {UDP_OPS_FFMPEG, UDP_OPS_AVIO};
  for (int i = 0; i < 2; ++i) {
    const std::string port = std::to_string(free_udp_port());
    std::string c = programs[i];
    for (std::string a : args_template) {
      for (size_t at; (at = a.find("PORT")) != std::string::npos;) a.replace(at, 4, port);
      c += " " + shell_quote(a);
    }
    out[i] = run(c + " 2>/dev/null");
  }
  for (const auto &[ffmpeg_line, avio_line] : known) {
    const size_t f = out[0].find(ffmpeg_line + "\n"), a = out[1].find(avio_line + "\n");
    ASSERT_NE(f, std::string::npos) << "libavformat no longer says '" << ffmpeg_line << "':\n" << out[0];
    ASSERT_NE(a, std::string::npos) << "avio does not say '" << avio_line << "':\n" << out[1];
    out[0].replace(f, ffmpeg_line.size(), avio_line);
  }
  EXPECT_NE(out[0].find(expect_inside), std::string::npos) << out[0];
  EXPECT_EQ(out[0], out[1]) << "libavformat:\n" << out[0] << "avio:\n" << out[1];
}

TEST(UdpDiff, DatagramsBetweenTwoContexts) {
  // Through the receive FIFO (default) and without it; the extra read ends
  // with the timeout's code.
  same_output({"pair", "udp://127.0.0.1:PORT", "udp://127.0.0.1:PORT", "10", "extra=1", "timeout=200000"},
              "read 9: size=50 ");
  same_output({"pair", "udp://127.0.0.1:PORT?fifo_size=0&timeout=200000", "udp://127.0.0.1:PORT", "10", "extra=1"},
              "read 10: -5\n");
  // pkt_size splits the writes; the reader's buffer holds each datagram.
  same_output({"pair", "udp://127.0.0.1:PORT", "udp://127.0.0.1:PORT?pkt_size=500", "6", "extra=3", "timeout=200000"},
              "tx buffer_size=500 ");
  // Direct reads of 50 bytes: each datagram truncated to 50.
  same_output({"pair", "udp://127.0.0.1:PORT", "udp://localhost:PORT", "5", "read=50", "direct", "timeout=200000"},
              "read 3: size=50 ");
  same_output({"pair", "udp://@:PORT?fifo_size=0", "udp://127.0.0.1:PORT", "4", "read=60", "direct"},
              "read 1: size=60 ");
}

TEST(UdpDiff, FifoOverrun) {
  // fifo_size=1 is 188 bytes: datagrams of 1 and 100 bytes fit (5 + 104),
  // the 188-byte one does not.
  same_output({"pair", "udp://127.0.0.1:PORT?fifo_size=1", "udp://127.0.0.1:PORT", "10", "delay=300"}, "read 2: -5\n");
  // overrun_nonfatal: the ones that fit when they come are read (1, 100,
  // 1, 7, 50 bytes), then the timeout.
  same_output({"pair", "udp://127.0.0.1:PORT?fifo_size=1&overrun_nonfatal=1&timeout=200000", "udp://127.0.0.1:PORT",
               "10", "delay=300"},
              "read 4: size=50 ");
}

TEST(UdpDiff, OpenAndWriteErrors) {
  same_output({"open", "udp://:PORT", "w"}, "open -22\n");                     // a writer needs a host
  same_output({"open", "udp://no-such-host.invalid:PORT", "w"}, "open -5\n");  // EIO
  same_output({"open", "udp://127.0.0.1:PORT?ttl=300", "w"}, "open -22\n");
  // No port: the open succeeds, the datagram to port 0 does not.
  same_output({"open", "udp://127.0.0.1", "w"}, "write error -22\n");
  same_output({"open", "udp://127.0.0.1:PORT", "r"}, "ctx buffer_size=131072 seekable=0 max_packet_size=65536 ");
  same_output({"open", "udp://127.0.0.1:PORT", "w", "pkt_size=100"}, "ctx buffer_size=100 ");
}

// libavformat lets getaddrinfo wrap a port above 65535 (and sends to port
// % 65536); avio refuses it.
TEST(UdpDiff, PortAboveRangeIsRefused) {
  const std::string args = " open " + shell_quote("udp://127.0.0.1:70000") + " w 2>/dev/null";
  EXPECT_EQ(run(UDP_OPS_FFMPEG + args).rfind("open 0\n", 0), 0u);
  EXPECT_EQ(run(UDP_OPS_AVIO + args), "open -22\n");
}

}  // namespace
