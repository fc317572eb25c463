// The C API's URL functions (avio_c): FFmpeg's names and signatures over
// the C++ URL layer. A binary of its own: avio_c exports FFmpeg's symbols.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "avio/c/avio.h"
#include "avio/c/opt.h"
#include "avio/url.hpp"
#include "test_protocols.hpp"
#include "url_test_util.hpp"

namespace {

int interrupt_when_set(void *opaque) { return static_cast<std::atomic<bool> *>(opaque)->load() ? 1 : 0; }

TEST(UrlCApi, OpenReadSeekClose) {
  avio_test::TempDir dir;
  const auto data = avio_test::random_bytes(100000, 1);
  avio_test::write_file(dir / "f", data);
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open(&pb, (dir / "f").c_str(), AVIO_FLAG_READ), 0);
  ASSERT_NE(pb, nullptr);
  EXPECT_EQ(pb->buffer_size, 32768);
  EXPECT_EQ(pb->seekable, AVIO_SEEKABLE_NORMAL);
  EXPECT_EQ(avio_size(pb), 100000);
  EXPECT_EQ(avio_seek(pb, 5000, SEEK_SET), 5000);
  unsigned char b[10];
  ASSERT_EQ(avio_read(pb, b, 10), 10);
  EXPECT_EQ(0, memcmp(b, data.data() + 5000, 10));
  EXPECT_STREQ(pb->protocol_whitelist, "file,crypto,data");  // file's default list, as ffio_fdopen copies it
  EXPECT_EQ(avio_pause(pb, 1), AVERROR(ENOSYS));
  EXPECT_EQ(avio_seek_time(pb, 0, 0, 0), AVERROR(ENOSYS));
  AVIOContext *client = nullptr;
  // What libavformat 5.1 answers for a protocol that does not listen:
  // ffurl_accept's EBADF, and ffurl_handshake's "done".
  EXPECT_EQ(avio_accept(pb, &client), AVERROR(EBADF));
  EXPECT_EQ(client, nullptr);
  EXPECT_EQ(avio_handshake(pb), 0);
  EXPECT_EQ(avio_closep(&pb), 0);
  EXPECT_EQ(pb, nullptr);
}

TEST(UrlCApi, FailedOpenLeavesNullAndGivesFfmpegCodes) {
  AVIOContext *pb = reinterpret_cast<AVIOContext *>(1);
  EXPECT_EQ(avio_open(&pb, "nosuch:x", AVIO_FLAG_READ), AVERROR_PROTOCOL_NOT_FOUND);
  EXPECT_EQ(pb, nullptr);
  EXPECT_EQ(avio_open(&pb, "/nonexistent/x", AVIO_FLAG_READ), AVERROR(ENOENT));
  EXPECT_EQ(avio_open(&pb, "pipe:notanumber", AVIO_FLAG_READ), AVERROR(EINVAL));
  EXPECT_EQ(avio_open(&pb, "data:x", AVIO_FLAG_READ), AVERROR(EINVAL));
  EXPECT_EQ(avio_open(&pb, "subfile,,start,9,end,3,,:/dev/null", AVIO_FLAG_READ), AVERROR(EINVAL));
}

TEST(UrlCApi, OptionsAreConsumedAndTheRestHandedBack) {
  avio_test::TempDir dir;
  avio_test::write_file(dir / "f", {1, 2, 3});
  AVDictionary *opts = nullptr;
  av_dict_set(&opts, "blocksize", "1", 0);
  av_dict_set(&opts, "rw_timeout", "1000", 0);
  av_dict_set(&opts, "not_an_option", "x", 0);
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open2(&pb, (dir / "f").c_str(), AVIO_FLAG_READ, nullptr, &opts), 0);
  EXPECT_EQ(av_dict_count(opts), 1);
  ASSERT_NE(av_dict_get(opts, "not_an_option", nullptr, 0), nullptr);
  EXPECT_EQ(avio_r8(pb), 1);
  EXPECT_EQ(avio_r8(pb), 2);
  avio_closep(&pb);
  av_dict_free(&opts);

  av_dict_set(&opts, "blocksize", "-5", 0);
  EXPECT_EQ(avio_open2(&pb, (dir / "f").c_str(), AVIO_FLAG_READ, nullptr, &opts), AVERROR(ERANGE));
  EXPECT_EQ(av_dict_count(opts), 1);  // a failed option stays with the caller, as in FFmpeg
  av_dict_free(&opts);
}

TEST(UrlCApi, InterruptCallbackEndsABlockedRead) {
  avio_test::SilentPipe p;
  std::atomic<bool> raised{false};
  const AVIOInterruptCB cb = {interrupt_when_set, &raised};
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open2(&pb, p.url().c_str(), AVIO_FLAG_READ, &cb, nullptr), 0);
  std::thread raiser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    raised = true;
  });
  unsigned char b[4];
  const int r = avio_read(pb, b, 4);
  raiser.join();
  EXPECT_EQ(r, AVERROR_EXIT);
  avio_closep(&pb);
}

TEST(UrlCApi, RwTimeoutEndsABlockedRead) {
  avio_test::SilentPipe p;
  AVDictionary *opts = nullptr;
  av_dict_set(&opts, "rw_timeout", "30000", 0);
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open2(&pb, p.url().c_str(), AVIO_FLAG_READ, nullptr, &opts), 0);
  EXPECT_EQ(av_dict_count(opts), 0);
  av_dict_free(&opts);
  unsigned char b[4];
  EXPECT_EQ(avio_read(pb, b, 4), AVERROR(EIO));
  EXPECT_EQ(pb->error, AVERROR(EIO));
  avio_closep(&pb);
}

TEST(UrlCApi, EnumerationAndClasses) {
  std::set<std::string> in, out;
  void *it = nullptr;
  while (const char *name = avio_enum_protocols(&it, 0)) in.insert(name);
  EXPECT_EQ(it, nullptr);
  while (const char *name = avio_enum_protocols(&it, 1)) out.insert(name);
  for (const char *p : {"file", "pipe", "fd", "data", "subfile", "concat", "concatf", "cache", "crypto", "async", "tcp",
                        "udp", "unix", "tls"})
    EXPECT_TRUE(in.count(p)) << p;
  for (const char *p : {"file", "pipe", "fd", "crypto", "md5", "tee", "tcp", "udp", "unix", "tls"})
    EXPECT_TRUE(out.count(p)) << p;
  for (const char *p : {"tcp", "udp", "unix", "tls"}) EXPECT_NE(avio_protocol_get_class(p), nullptr) << p;
  EXPECT_STREQ(avio_find_protocol_name("tcp://127.0.0.1:80?listen=1"), "tcp");
  EXPECT_STREQ(avio_find_protocol_name("tls://example.com:443"), "tls");
  EXPECT_STREQ(avio_find_protocol_name("udp://[::1]:1234"), "udp");
  EXPECT_STREQ(avio_find_protocol_name("unix:/tmp/socket"), "unix");
  EXPECT_FALSE(in.count("md5"));
  EXPECT_FALSE(out.count("data"));
  EXPECT_NE(avio_protocol_get_class("file"), nullptr);
  EXPECT_EQ(avio_protocol_get_class("file"), avio_protocol_get_class("file"));
  EXPECT_EQ(avio_protocol_get_class("nosuch"), nullptr);
  EXPECT_STREQ(avio_find_protocol_name("crypto+file:/x"), "crypto");
  EXPECT_STREQ(avio_find_protocol_name("/x"), "file");
  EXPECT_EQ(avio_find_protocol_name("nosuch:x"), nullptr);
}

TEST(UrlCApi, DirectoryListing) {
  avio_test::TempDir dir;
  avio_test::write_file(dir / "one", {1, 2});
  AVIODirContext *d = nullptr;
  ASSERT_EQ(avio_open_dir(&d, dir.path().c_str(), nullptr), 0);
  AVIODirEntry *e = nullptr;
  ASSERT_EQ(avio_read_dir(d, &e), 0);
  ASSERT_NE(e, nullptr);
  EXPECT_STREQ(e->name, "one");
  EXPECT_EQ(e->type, AVIO_ENTRY_FILE);
  EXPECT_EQ(e->size, 2);
  avio_free_directory_entry(&e);
  EXPECT_EQ(e, nullptr);
  ASSERT_EQ(avio_read_dir(d, &e), 0);
  EXPECT_EQ(e, nullptr);  // the end is not an error
  EXPECT_EQ(avio_close_dir(&d), 0);
  EXPECT_EQ(d, nullptr);
  EXPECT_EQ(avio_close_dir(&d), AVERROR(EINVAL));
  EXPECT_EQ(avio_read_dir(nullptr, &e), AVERROR(EINVAL));
  EXPECT_EQ(avio_open_dir(&d, "data:a/b,x", nullptr), AVERROR(ENOSYS));
  EXPECT_EQ(d, nullptr);
}

// A protocol registered by the program is reachable through avio_open2.
class HelloProtocol final : public avio::Protocol {
 public:
  avio::Status open(avio::UrlContext &, const avio::OpenRequest &) override { return {}; }
  avio::Result<size_t> read(avio::UrlContext &, std::span<uint8_t> dst) override {
    static constexpr char kText[] = "hello";
    if (pos_ >= 5) return avio::Error::eof();
    const size_t n = std::min<size_t>(dst.size(), 5 - pos_);
    std::memcpy(dst.data(), kText + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  size_t pos_ = 0;
};

TEST(UrlCApi, ProgramRegisteredProtocol) {
  avio::ProtocolRegistry::global().add_or_replace(avio::ProtocolInfo::of<HelloProtocol>("hello"));
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open(&pb, "hello:", AVIO_FLAG_READ), 0);
  char text[8] = {};
  EXPECT_EQ(avio_read(pb, reinterpret_cast<unsigned char *>(text), 7), 5);
  EXPECT_STREQ(text, "hello");
  EXPECT_EQ(pb->seekable, 1);  // url_seek-less protocols stay "seekable" in FFmpeg too; seeks fail
  EXPECT_EQ(avio_seek(pb, 100000, SEEK_SET), AVERROR(ENOSYS));
  avio_closep(&pb);
}

// Read-ahead is the C++ face's: a stream whose reads cost only their copy is
// read by avio_open2 in FFmpeg's 32 KiB calls, and by avio::open_url in
// calls that double up to 1 MiB (unless its options say 0).
TEST(UrlCApi, ReadAheadIsTheCppFacesOnly) {
  using avio_test::CountingProtocol;
  avio::ProtocolRegistry::global().add_or_replace(avio_test::counting_protocol());
  constexpr int64_t kSize = int64_t{4} << 20;
  const std::string url = "count:" + std::to_string(kSize);
  std::vector<uint8_t> buf(4096);

  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open(&pb, url.c_str(), AVIO_FLAG_READ), 0);
  int64_t total = 0;
  for (int n; (n = avio_read(pb, buf.data(), static_cast<int>(buf.size()))) > 0; total += n)
    ASSERT_EQ(buf[0], CountingProtocol::byte_at(total));
  EXPECT_EQ(total, kSize);
  EXPECT_EQ(pb->buffer_size, 32768);
  avio_closep(&pb);
  const std::vector<size_t> c_sizes = CountingProtocol::read_sizes();
  EXPECT_GE(c_sizes.size(), static_cast<size_t>(kSize / 32768));
  EXPECT_TRUE(std::all_of(c_sizes.begin(), c_sizes.end(), [](size_t n) { return n == 32768; }));

  for (const int64_t read_ahead : {int64_t{-1}, int64_t{0}}) {
    avio::OpenOptions options;
    options.read_ahead_max = read_ahead;
    avio::Result<avio::IOContext> ctx = avio::open_url(url, options);
    ASSERT_TRUE(ctx.ok()) << ctx.error().message();
    total = 0;
    while (true) {
      avio::Result<size_t> n = ctx->read(buf);
      if (!n) break;
      ASSERT_EQ(buf[0], CountingProtocol::byte_at(total));
      total += static_cast<int64_t>(*n);
    }
    EXPECT_EQ(total, kSize);
    const std::vector<size_t> &sizes = CountingProtocol::read_sizes();
    if (read_ahead == 0) {
      EXPECT_EQ(sizes, c_sizes);  // FFmpeg's calls, as avio_open2 makes them
      continue;
    }
    ASSERT_GE(sizes.size(), 6u);
    EXPECT_EQ(std::vector<size_t>(sizes.begin(), sizes.begin() + 6),
              (std::vector<size_t>{32768, 65536, 131072, 262144, 524288, 1048576}));
    EXPECT_TRUE(std::all_of(sizes.begin(), sizes.end(), [](size_t n) { return n <= avio::kDefaultReadAhead; }));
    EXPECT_LE(sizes.size(), 12u);
    EXPECT_EQ(ctx->core().buffer_size, avio::kDefaultReadAhead);
    EXPECT_EQ(ctx->statistics().refills, static_cast<int64_t>(sizes.size()));
  }
}

// av_opt_* on a URL context: a protocol's exported option is read, never
// set; its ordinary options change the protocol's behaviour.
TEST(UrlCApi, AvOptOnAnOpenContext) {
  constexpr int kChildren = AV_OPT_SEARCH_CHILDREN;
  avio::ProtocolRegistry::global().add_or_replace(avio_test::exporting_protocol());
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open(&pb, "export:text/plain", AVIO_FLAG_READ), 0);
  EXPECT_NE(pb->av_class, nullptr);  // ffio_fdopen's ff_avio_class
  uint8_t *mime = nullptr;
  ASSERT_EQ(av_opt_get(pb, "mime_type", kChildren, &mime), 0);
  EXPECT_STREQ(reinterpret_cast<char *>(mime), "text/plain");
  av_free(mime);
  EXPECT_EQ(av_opt_get(pb, "mime_type", 0, &mime), AVERROR_OPTION_NOT_FOUND);  // the protocol's: a child's
  EXPECT_EQ(av_opt_set(pb, "mime_type", "x", kChildren), AVERROR(EINVAL));
  EXPECT_EQ(av_opt_set(pb, "mime_type", nullptr, kChildren), AVERROR(EINVAL));
  EXPECT_EQ(av_opt_set_int(pb, "last_code", 1, kChildren), AVERROR(EINVAL));
  EXPECT_EQ(av_opt_set_double(pb, "last_code", 1, kChildren), AVERROR(EINVAL));
  EXPECT_EQ(av_opt_set_bin(pb, "mime_type", nullptr, 0, kChildren), AVERROR(EINVAL));
  AVDictionary *d = nullptr;
  av_dict_set(&d, "reply_code", "201", 0);
  av_dict_set(&d, "mime_type", "x", 0);
  av_dict_set(&d, "other", "1", 0);
  EXPECT_EQ(av_opt_set_dict2(pb, &d, kChildren), AVERROR(EINVAL));
  EXPECT_EQ(av_dict_count(d), 3);  // left as it was
  av_dict_free(&d);
  ASSERT_EQ(av_opt_get(pb, "mime_type", kChildren, &mime), 0);
  EXPECT_STREQ(reinterpret_cast<char *>(mime), "text/plain");
  av_free(mime);

  // An ordinary option set after open reaches the protocol: its next read
  // exports it.
  EXPECT_EQ(av_opt_set_int(pb, "reply_code", 99, kChildren), AVERROR(ERANGE));
  EXPECT_EQ(av_opt_set_int(pb, "reply_code", 404, kChildren), 0);
  unsigned char b[1];
  EXPECT_EQ(avio_read(pb, b, 1), AVERROR_EOF);
  int64_t code = 0;
  EXPECT_EQ(av_opt_get_int(pb, "last_code", kChildren, &code), 0);
  EXPECT_EQ(code, 404);
  double real = 0;
  EXPECT_EQ(av_opt_get_double(pb, "last_code", kChildren, &real), 0);
  EXPECT_EQ(real, 404.0);
  EXPECT_EQ(av_opt_get_int(pb, "mime_type", kChildren, &code), AVERROR(EINVAL));

  // Arguments FFmpeg would crash on or not find anything with.
  EXPECT_EQ(av_opt_get(nullptr, "mime_type", kChildren, &mime), AVERROR_OPTION_NOT_FOUND);
  EXPECT_EQ(av_opt_get(pb, nullptr, kChildren, &mime), AVERROR_OPTION_NOT_FOUND);
  EXPECT_EQ(av_opt_get(pb, "mime_type", kChildren, nullptr), AVERROR(EINVAL));
  EXPECT_EQ(av_opt_get_int(nullptr, "reply_code", kChildren, &code), -1);
  EXPECT_EQ(av_opt_set_dict2(pb, nullptr, kChildren), 0);
  EXPECT_EQ(av_opt_set_bin(pb, "reply_code", b, 1, kChildren), AVERROR(EINVAL));  // not binary
  EXPECT_EQ(av_opt_get(pb, "reply_code", kChildren | AV_OPT_SEARCH_FAKE_OBJ, &mime), AVERROR_OPTION_NOT_FOUND);
  avio_closep(&pb);
}

// ffurl_open_whitelist's av_opt_set_dict on the protocol's options: an
// exported one fails the open; the URL's own keys are gone by then.
TEST(UrlCApi, OpenRefusesAnExportedOption) {
  avio::ProtocolRegistry::global().add_or_replace(avio_test::exporting_protocol());
  AVDictionary *opts = nullptr;
  av_dict_set(&opts, "rw_timeout", "5", 0);
  av_dict_set(&opts, "mime_type", "x", 0);
  av_dict_set(&opts, "other", "1", 0);
  AVIOContext *pb = nullptr;
  EXPECT_EQ(avio_open2(&pb, "export:a/b", AVIO_FLAG_READ, nullptr, &opts), AVERROR(EINVAL));
  EXPECT_EQ(pb, nullptr);
  EXPECT_EQ(av_dict_count(opts), 2);
  EXPECT_NE(av_dict_get(opts, "mime_type", nullptr, 0), nullptr);
  EXPECT_EQ(av_dict_get(opts, "rw_timeout", nullptr, 0), nullptr);
  av_dict_free(&opts);
}

// rw_timeout set with av_opt_set_int after open bounds the next read.
TEST(UrlCApi, RwTimeoutSetAfterOpenEndsABlockedRead) {
  avio_test::SilentPipe p;
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open2(&pb, p.url().c_str(), AVIO_FLAG_READ, nullptr, nullptr), 0);
  EXPECT_EQ(av_opt_set_int(pb, "rw_timeout", 30000, 0), AVERROR_OPTION_NOT_FOUND);  // the URL's: a child's
  ASSERT_EQ(av_opt_set_int(pb, "rw_timeout", 30000, AV_OPT_SEARCH_CHILDREN), 0);
  uint8_t *text = nullptr;
  ASSERT_EQ(av_opt_get(pb, "rw_timeout", AV_OPT_SEARCH_CHILDREN, &text), 0);
  EXPECT_STREQ(reinterpret_cast<char *>(text), "30000");
  av_free(text);
  unsigned char b[4];
  EXPECT_EQ(avio_read(pb, b, 4), AVERROR(EIO));
  avio_closep(&pb);
}

// Contexts that are not a URL's have no class and no options (FFmpeg's
// ffio_init_context leaves av_class NULL).
TEST(UrlCApi, AvOptOnContextsWithoutOptions) {
  AVIOContext *dyn = nullptr;
  ASSERT_EQ(avio_open_dyn_buf(&dyn), 0);
  auto *buffer = static_cast<unsigned char *>(av_malloc(64));
  AVIOContext *custom = avio_alloc_context(buffer, 64, 0, nullptr, nullptr, nullptr, nullptr);
  ASSERT_NE(custom, nullptr);
  for (AVIOContext *pb : {dyn, custom}) {
    EXPECT_EQ(pb->av_class, nullptr);
    uint8_t *text = nullptr;
    EXPECT_EQ(av_opt_get(pb, "protocol_whitelist", 0, &text), AVERROR_OPTION_NOT_FOUND);
    EXPECT_EQ(av_opt_set(pb, "protocol_whitelist", "file", AV_OPT_SEARCH_CHILDREN), AVERROR_OPTION_NOT_FOUND);
    int64_t v = 7;
    EXPECT_EQ(av_opt_get_int(pb, "rw_timeout", AV_OPT_SEARCH_CHILDREN, &v), -1);
    EXPECT_EQ(v, 7);
  }
  av_freep(&custom->buffer);
  avio_context_free(&custom);
  uint8_t *bytes = nullptr;
  avio_close_dyn_buf(dyn, &bytes);
  av_free(bytes);
}

TEST(UrlCApi, WriteErrorFromClose) {
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open(&pb, "/dev/full", AVIO_FLAG_WRITE), 0);
  unsigned char b[100] = {};
  avio_write(pb, b, sizeof b);
  EXPECT_EQ(avio_close(pb), AVERROR(ENOSPC));
}

}  // namespace

namespace {

// avio_accept / avio_handshake with a listening protocol registered by the
// program: the client is an AVIOContext the caller owns and closes.
TEST(UrlCApi, AcceptAndHandshake) {
  avio::ProtocolRegistry::global().add_or_replace(avio_test::listening_protocol());
  AVIOContext *server = nullptr;
  AVDictionary *opts = nullptr;
  av_dict_set(&opts, "max_clients", "2", 0);
  ASSERT_EQ(avio_open2(&server, "listen:2", AVIO_FLAG_READ, nullptr, &opts), 0);
  EXPECT_EQ(av_dict_count(opts), 0);  // the protocol took its option
  av_dict_free(&opts);
  avio_test::ListeningProtocol::closed_clients = 0;

  AVIOContext *client = nullptr;
  ASSERT_EQ(avio_accept(server, &client), 0);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->seekable, 0);        // the client's own stream properties
  EXPECT_NE(client->av_class, nullptr);  // ffio_fdopen's, as for avio_open2
  int64_t fail_at = -1;
  EXPECT_EQ(av_opt_get_int(client, "fail_at", AV_OPT_SEARCH_CHILDREN, &fail_at), 0);
  EXPECT_EQ(fail_at, 0);
  EXPECT_EQ(av_opt_set_int(client, "fail_at", 5, AV_OPT_SEARCH_CHILDREN), 0);
  EXPECT_EQ(avio_handshake(client), 1);
  EXPECT_EQ(avio_handshake(client), 0);
  EXPECT_EQ(avio_handshake(client), 0);
  char text[16] = {};
  EXPECT_EQ(avio_read(client, reinterpret_cast<unsigned char *>(text), sizeof text - 1), 8);
  EXPECT_STREQ(text, "client 0");
  EXPECT_EQ(avio_closep(&client), 0);
  EXPECT_EQ(avio_test::ListeningProtocol::closed_clients, 1);

  ASSERT_EQ(avio_accept(server, &client), 0);
  avio_closep(&client);  // closed before its handshake: still released
  EXPECT_EQ(avio_test::ListeningProtocol::closed_clients, 2);
  AVIOContext *none = nullptr;
  EXPECT_EQ(avio_accept(server, &none), AVERROR(EAGAIN));
  EXPECT_EQ(none, nullptr);
  EXPECT_EQ(avio_closep(&server), 0);
}

TEST(UrlCApi, HandshakeErrorPartWay) {
  avio::ProtocolRegistry::global().add_or_replace(avio_test::listening_protocol());
  AVIOContext *server = nullptr;
  AVDictionary *opts = nullptr;
  av_dict_set(&opts, "fail_at", "2", 0);
  ASSERT_EQ(avio_open2(&server, "listen:4", AVIO_FLAG_READ, nullptr, &opts), 0);
  av_dict_free(&opts);
  AVIOContext *client = nullptr;
  ASSERT_EQ(avio_accept(server, &client), 0);
  EXPECT_EQ(avio_handshake(client), 3);
  EXPECT_EQ(avio_handshake(client), AVERROR(EPROTO));
  avio_closep(&client);
  avio_closep(&server);
  EXPECT_EQ(avio_accept(nullptr, &client), AVERROR(EINVAL));
  EXPECT_EQ(avio_handshake(nullptr), AVERROR(EINVAL));
}

}  // namespace
