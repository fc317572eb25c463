// The URL layer on its own: URL rules, options, lists, custom protocols.
#include <gtest/gtest.h>

#include <random>

#include "avio/url.hpp"
#include "test_protocols.hpp"
#include "url_test_util.hpp"

namespace {

TEST(UrlRules, SchemeResolutionFollowsFfmpeg) {
  EXPECT_EQ(avio::find_protocol_name("/tmp/x"), "file");
  EXPECT_EQ(avio::find_protocol_name("relative/path"), "file");
  EXPECT_EQ(avio::find_protocol_name("file:/tmp/x"), "file");
  EXPECT_EQ(avio::find_protocol_name("pipe:1"), "pipe");
  EXPECT_EQ(avio::find_protocol_name("subfile,,start,1,,:/x"), "subfile");
  EXPECT_EQ(avio::find_protocol_name("nosuch:x"), "");
  EXPECT_EQ(avio::find_protocol_name("with space:x"), "file");
}

TEST(UrlErrors, UnknownSchemeMissingFileAndBadPipe) {
  auto r = avio::open_url("nosuch:abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), avio::kProtocolNotFound);
  EXPECT_NE(r.error().message().find("nosuch"), std::string::npos);

  r = avio::open_url("/nonexistent/avio/file");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -ENOENT);
  EXPECT_NE(r.error().message().find("/nonexistent/avio/file"), std::string::npos);

  r = avio::open_url("pipe:notanumber");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -EINVAL);
  EXPECT_NE(r.error().message().find("notanumber"), std::string::npos);
}

TEST(UrlOptions, BadValueNamesTheOption) {
  avio_test::TempDir dir;
  avio_test::write_file(dir / "x", {1, 2, 3});
  avio::OpenOptions o;
  o.options.set("blocksize", "lots");
  auto r = avio::open_url(dir / "x", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -EINVAL);
  EXPECT_NE(r.error().message().find("blocksize"), std::string::npos);

  o.options = {{"no_such_option", "1"}};
  r = avio::open_url(dir / "x", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), avio::kOptionNotFound);
  EXPECT_NE(r.error().message().find("no_such_option"), std::string::npos);

  avio::Dictionary left;
  o.leftover = &left;
  o.options = {{"no_such_option", "1"}, {"blocksize", "2"}};
  r = avio::open_url(dir / "x", o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(left.size(), 1u);
  EXPECT_TRUE(left.contains("no_such_option"));
  uint8_t buf[3];
  ASSERT_EQ(*r->read(buf), 3u);
  EXPECT_EQ(buf[2], 3);
}

TEST(UrlOptions, EveryProtocolDeclaresItsOptions) {
  const auto file = avio::protocol_options("file");
  ASSERT_EQ(file.size(), 4u);
  EXPECT_EQ(file[0].name, "truncate");
  EXPECT_FALSE(file[0].help.empty());
  EXPECT_EQ(avio::protocol_options("subfile").size(), 2u);
  EXPECT_TRUE(avio::protocol_options("nosuch").empty());
}

// A protocol defined by the program: "count:N" yields the bytes 0..N-1.
class CountProtocol final : public avio::Protocol {
 public:
  avio::Status open(avio::UrlContext &, const avio::OpenRequest &request) override {
    n_ = std::stoi(std::string(request.target));
    return {};
  }
  avio::StreamProperties stream_properties() const override { return {.streamed = true}; }
  avio::Result<size_t> read(avio::UrlContext &, std::span<uint8_t> dst) override {
    if (pos_ >= n_) return avio::Error::eof();
    size_t k = 0;
    while (k < dst.size() && pos_ < n_) dst[k++] = static_cast<uint8_t>(pos_++);
    return k;
  }

 private:
  int n_ = 0, pos_ = 0;
};

TEST(UrlRegistry, ProgramDefinedProtocolOpensByUrl) {
  avio::ProtocolRegistry registry = avio::ProtocolRegistry::with_builtins();
  const avio::ProtocolInfo info = avio::ProtocolInfo::of<CountProtocol>("count");
  ASSERT_TRUE(registry.add(info).ok());
  EXPECT_EQ(registry.add(info).code(), -EEXIST);
  avio::OpenOptions o;
  o.registry = &registry;
  auto ctx = avio::open_url("count:300", o);
  ASSERT_TRUE(ctx.ok()) << ctx.error().message();
  EXPECT_FALSE(ctx->seekable());
  EXPECT_EQ(ctx->core().buffer_size, 65536);  // streamed: doubled, as ffio_fdopen does
  std::vector<uint8_t> all(400);
  auto n = ctx->read(all);
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(*n, 300u);
  for (int i = 0; i < 300; ++i) ASSERT_EQ(all[i], static_cast<uint8_t>(i));
  // concat's default whitelist does not include it...
  auto sub = avio::open_url("concat:count:3", o);
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.error().code(), -EINVAL);
  // ...but an explicit one does; nested opens see the same registry, and
  // concat then finds count has no size.
  o.protocol_whitelist = "concat,count";
  sub = avio::open_url("concat:count:3", o);
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.error().code(), -ENOSYS);
  // The global registry does not know it.
  EXPECT_EQ(avio::open_url("count:3").error().code(), avio::kProtocolNotFound);
}

TEST(UrlLists, NestedOpensInheritTheBlacklist) {
  avio_test::TempDir dir;
  avio_test::write_file(dir / "x", {1, 2, 3});
  avio::OpenOptions o;
  o.protocol_blacklist = "file";
  auto r = avio::open_url("subfile,,start,1,,:" + (dir / "x"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -EINVAL);
  EXPECT_NE(r.error().message().find("blacklist"), std::string::npos);
  // subfile's default whitelist ("file") stops it reaching data:.
  r = avio::open_url("subfile,,start,1,,:data:a/b,xyz");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("whitelist"), std::string::npos);
}

}  // namespace

namespace {

// Random URLs put together from the pieces the parsers look at: every one
// must give a value or an error, never a crash, a hang or a leak (this runs
// under the sanitizers too).
TEST(UrlRobustness, MalformedUrlsGiveErrorsNotCrashes) {
  avio_test::TempDir dir;
  avio_test::write_file(dir / "f", avio_test::random_bytes(3000, 1));
  const std::vector<std::string> pieces = {"data:",    "subfile", ",",       ",,",         ":",
                                           "start",    "end",     "10",      "-1",         "99999999999999999999",
                                           "concat:",  "|",       "crypto:", "crypto+",    "cache:",
                                           "async:",   "base64",  ";",       "text/plain", "a/b",
                                           "QUJD",     "=",       "@@",      "file:",      dir / "f",
                                           "concatf:", "tee:",    "[",       "]",          "md5:",
                                           "'",        "\\",      " ",       "%20",        "nosuch:",
                                           "",         "\n"};
  std::mt19937 gen(42);
  int opened = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string url;
    const int n = 1 + static_cast<int>(gen() % 7);
    for (int k = 0; k < n; ++k) url += pieces[gen() % pieces.size()];
    avio::OpenOptions o;
    avio::Dictionary unused;
    o.leftover = &unused;
    if (gen() % 4 == 0)
      o.options = {{"key", "00112233445566778899aabbccddeeff"}, {"iv", "00112233445566778899aabbccddeeff"}};
    if (gen() % 5 == 0) o.options.set("start", std::to_string(static_cast<int>(gen() % 5000) - 100));
    auto ctx = avio::open_url(url, o);
    if (!ctx.ok()) {
      EXPECT_LT(ctx.error().code(), 0) << url;
      EXPECT_FALSE(ctx.error().message().empty());
      continue;
    }
    ++opened;
    uint8_t buf[100];
    (void)ctx->read(buf);
    (void)ctx->seek(gen() % 4000);
    (void)ctx->read(buf);
    (void)ctx->close();
  }
  EXPECT_GT(opened, 10);  // the generator does reach the protocols' read paths
}

}  // namespace

namespace {

// A protocol that plays back a script of read results, to pin down the
// retry rules of UrlContext (FFmpeg's retry_transfer_wrapper).
struct Step {
  int code;  // < 0: this error; otherwise this many bytes
};

class ScriptProtocol final : public avio::Protocol {
 public:
  static std::vector<Step> script;
  static int calls;
  avio::Status open(avio::UrlContext &, const avio::OpenRequest &) override { return {}; }
  avio::StreamProperties stream_properties() const override { return {.max_packet_size = 10}; }
  avio::Result<size_t> read(avio::UrlContext &, std::span<uint8_t> dst) override {
    const Step s = calls < static_cast<int>(script.size()) ? script[calls] : Step{avio::kEof};
    ++calls;
    if (s.code < 0) return avio::Error(s.code);
    const size_t n = std::min(dst.size(), static_cast<size_t>(s.code));
    std::fill_n(dst.data(), n, uint8_t{7});
    return n;
  }
  avio::Result<size_t> write(avio::UrlContext &, std::span<const uint8_t> src) override {
    ++calls;
    return std::min<size_t>(src.size(), 3);  // short writes: the context loops
  }
};
std::vector<Step> ScriptProtocol::script;
int ScriptProtocol::calls = 0;

class RetryRules : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = avio::ProtocolRegistry::with_builtins();
    ASSERT_TRUE(registry_.add(avio::ProtocolInfo::of<ScriptProtocol>("script")).ok());
  }
  std::unique_ptr<avio::UrlContext> open(std::vector<Step> script, int flags = avio::kOpenRead) {
    ScriptProtocol::script = std::move(script);
    ScriptProtocol::calls = 0;
    avio::OpenOptions o;
    o.flags = flags;
    o.registry = &registry_;
    auto h = avio::open_url_context("script:", o);
    EXPECT_TRUE(h.ok());
    return h.ok() ? std::move(*h) : nullptr;
  }
  avio::ProtocolRegistry registry_;
};

TEST_F(RetryRules, EagainAndEintrAreRetried) {
  auto h = open({{-EAGAIN}, {-EAGAIN}, {-EINTR}, {-EAGAIN}, {-EAGAIN}, {-EAGAIN}, {-EAGAIN}, {-EAGAIN}, {4}});
  uint8_t b[8];
  auto r = h->read(b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 4u);
  EXPECT_EQ(ScriptProtocol::calls, 9);
}

TEST_F(RetryRules, NonBlockingReturnsEagainAtOnce) {
  auto h = open({{-EAGAIN}, {4}}, avio::kOpenRead | avio::kOpenNonBlock);
  uint8_t b[8];
  auto r = h->read(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -EAGAIN);
  EXPECT_EQ(ScriptProtocol::calls, 1);
}

TEST_F(RetryRules, EofAfterDataReturnsTheDataAndErrorsWin) {
  auto h = open({{2}, {3}, {avio::kEof}});
  uint8_t b[8];
  auto r = h->read_complete(b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 5u);
  h = open({{2}, {-EIO}});
  r = h->read_complete(b);  // FFmpeg returns the error, dropping the count
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), -EIO);
  h = open({{avio::kEof}});
  EXPECT_TRUE(h->read(b).error().is_eof());
}

TEST_F(RetryRules, WritesLoopAndRespectTheMaximumPacketSize) {
  auto h = open({}, avio::kOpenWrite);
  const uint8_t data[10] = {};
  ASSERT_TRUE(h->write(data).ok());
  EXPECT_EQ(ScriptProtocol::calls, 4);  // 3 + 3 + 3 + 1
  const uint8_t big[11] = {};
  EXPECT_EQ(h->write(big).code(), -EIO);
  EXPECT_EQ(h->read({}).error().code(), -EIO);  // not opened for reading
}

}  // namespace

namespace {

// A stream that can pause and seek by time, to reach avio_pause and
// avio_seek_time through the engine's hooks.
class TimedProtocol final : public avio::Protocol {
 public:
  static int paused;
  avio::Status open(avio::UrlContext &, const avio::OpenRequest &) override { return {}; }
  avio::Result<size_t> read(avio::UrlContext &, std::span<uint8_t> dst) override {
    std::fill(dst.begin(), dst.end(), static_cast<uint8_t>(pos_));
    pos_ += static_cast<int64_t>(dst.size());
    return dst.size();
  }
  avio::Result<int64_t> seek(avio::UrlContext &, int64_t offset, int whence) override {
    if (whence == avio::kSeekCur && offset == 0) return pos_;
    return avio::Error(-ENOSYS);
  }
  avio::Status read_pause(avio::UrlContext &, bool pause) override {
    paused = pause ? 1 : 0;
    return {};
  }
  avio::Result<int64_t> read_seek(avio::UrlContext &, int, int64_t timestamp, int) override {
    pos_ = timestamp * 10;
    return timestamp;
  }

 private:
  int64_t pos_ = 0;
};
int TimedProtocol::paused = -1;

TEST(UrlHooks, PauseAndSeekTimeReachTheProtocol) {
  avio::ProtocolRegistry registry = avio::ProtocolRegistry::with_builtins();
  const avio::ProtocolInfo info = avio::ProtocolInfo::of<TimedProtocol>("timed");
  EXPECT_TRUE(info.capabilities().pause && info.capabilities().read_seek && info.capabilities().seek);
  EXPECT_FALSE(info.capabilities().write || info.capabilities().read_at || info.capabilities().accept);
  ASSERT_TRUE(registry.add(info).ok());
  avio::OpenOptions o;
  o.registry = &registry;
  auto ctx = avio::open_url("timed:", o);
  ASSERT_TRUE(ctx.ok()) << ctx.error().message();
  EXPECT_EQ(ctx->core().seekable, 3);  // AVIO_SEEKABLE_NORMAL | AVIO_SEEKABLE_TIME, as ffio_fdopen sets
  ASSERT_NE(avio::url_context_of(*ctx), nullptr);
  EXPECT_EQ(avio::url_context_of(*ctx)->info().name(), "timed");
  ASSERT_TRUE(avio::pause(*ctx, true).ok());
  EXPECT_EQ(TimedProtocol::paused, 1);
  ASSERT_TRUE(avio::pause(*ctx, false).ok());
  EXPECT_EQ(TimedProtocol::paused, 0);
  EXPECT_EQ(ctx->r8(), 0);
  auto t = avio::seek_time(*ctx, 0, 100, 0);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(*t, 100);
  EXPECT_EQ(ctx->tell(), 1000);  // the buffer was dropped and the position re-read
  EXPECT_EQ(ctx->r8(), static_cast<uint8_t>(1000));

  // A plain file has neither hook.
  avio_test::TempDir dir;
  avio_test::write_file(dir / "f", {1});
  auto file = avio::open_url(dir / "f");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(avio::pause(*file, true).code(), -ENOSYS);
  EXPECT_EQ(avio::seek_time(*file, 0, 1, 0).error().code(), -ENOSYS);
  auto memory = avio::IOContext::dynamic_buffer();
  EXPECT_EQ(avio::url_context_of(memory), nullptr);
}

TEST(UrlOptionValues, ParsingFollowsAvOptSet) {
  static constexpr avio::OptionSpec kSpecs[] = {
      {"flag", avio::OptionType::kBool, "0", 0, 1, "a bool"},
      {"n", avio::OptionType::kInt, "5", -1, 100, "an int"},
      {"big", avio::OptionType::kInt64, "0", 0, 9.2e18, "an int64"},
      {"bytes", avio::OptionType::kBinary, "", 0, 0, "hex"},
      {"s", avio::OptionType::kString, "dflt", 0, 0, "text"},
  };
  avio::OptionValues v(kSpecs);
  EXPECT_EQ(v.integer("n"), 5);
  EXPECT_EQ(v.string("s"), "dflt");
  EXPECT_FALSE(v.was_set("n"));
  EXPECT_TRUE(v.set("flag", "on").ok());
  EXPECT_EQ(v.integer("flag"), 1);
  EXPECT_TRUE(v.set("flag", "false").ok());
  EXPECT_EQ(v.integer("flag"), 0);
  // set_string_bool: out of range is -EINVAL, the words in any case, decimal only.
  EXPECT_EQ(v.set("flag", "2").code(), -EINVAL);
  EXPECT_EQ(v.set("flag", "auto").code(), -EINVAL);  // -1, below this option's minimum
  EXPECT_EQ(v.set("flag", "0x1").code(), -EINVAL);
  EXPECT_EQ(v.set("flag", "1.0").code(), -EINVAL);
  EXPECT_TRUE(v.set("flag", "ON").ok());
  EXPECT_EQ(v.integer("flag"), 1);
  EXPECT_TRUE(v.set("flag", "").ok());  // strtol's 0
  EXPECT_EQ(v.integer("flag"), 0);
  EXPECT_EQ(v.set("n", "101").code(), -ERANGE);
  EXPECT_EQ(v.set("n", "ten").code(), -EINVAL);
  EXPECT_TRUE(v.set("n", "-1").ok());
  EXPECT_EQ(v.integer("n"), -1);
  EXPECT_TRUE(v.was_set("n"));
  EXPECT_TRUE(v.set("big", "9000000000000000001").ok());
  EXPECT_EQ(v.integer("big"), 9000000000000000001LL);  // exact beyond double's precision
  EXPECT_EQ(v.set("big", "9.3e18").code(), -ERANGE);
  EXPECT_EQ(v.set("big", "9223372036854775808").code(), -ERANGE);
  EXPECT_TRUE(v.set("bytes", "00ffA0").ok());
  EXPECT_EQ(std::vector<uint8_t>(v.binary("bytes").begin(), v.binary("bytes").end()),
            (std::vector<uint8_t>{0x00, 0xff, 0xa0}));
  EXPECT_EQ(v.set("bytes", "abc").code(), -EINVAL);
  EXPECT_EQ(v.set("nope", "1").code(), avio::kOptionNotFound);
  avio::Dictionary d{{"n", "7"}, {"other", "x"}, {"s", "hello"}};
  ASSERT_TRUE(v.take_from(d).ok());
  EXPECT_EQ(d.size(), 1u);
  EXPECT_TRUE(d.contains("other"));
  EXPECT_EQ(v.integer("n"), 7);
  EXPECT_EQ(v.string("s"), "hello");
  // A bad value leaves the dictionary as it was.
  avio::Dictionary bad{{"n", "7"}, {"flag", "maybe"}};
  EXPECT_FALSE(v.take_from(bad).ok());
  EXPECT_EQ(bad.size(), 2u);
}

TEST(UrlOptionValues, ExportedOptionsArePublishedNotSet) {
  static constexpr avio::OptionSpec kSpecs[] = {
      {"mime_type", avio::OptionType::kString, "", 0, 0, "exported", true},
      {"n", avio::OptionType::kInt, "5", -1, 100, "an int"},
      {"s", avio::OptionType::kString, "", 0, 0, "text"},
      {"bytes", avio::OptionType::kBinary, "", 0, 0, "hex"},
  };
  EXPECT_FALSE(kSpecs[1].exported);  // what positional tables without the member get
  avio::OptionValues v(kSpecs);
  // A caller cannot set it: av_opt_set's EINVAL for AV_OPT_FLAG_READONLY.
  const avio::Status refused = v.set("mime_type", "text/html");
  EXPECT_EQ(refused.code(), -EINVAL);
  EXPECT_NE(refused.error().message().find("'mime_type'"), std::string::npos) << refused.error().message();
  EXPECT_FALSE(v.has_value("mime_type"));
  // The protocol publishes it.
  ASSERT_TRUE(v.publish("mime_type", "text/html").ok());
  EXPECT_EQ(v.string("mime_type"), "text/html");
  EXPECT_TRUE(v.has_value("mime_type"));
  EXPECT_FALSE(v.was_set("mime_type"));
  // publish parses as set does, on any option, without making it the caller's.
  EXPECT_EQ(v.publish("n", "101").code(), -ERANGE);
  EXPECT_EQ(v.publish("nope", "1").code(), avio::kOptionNotFound);
  ASSERT_TRUE(v.publish("n", "7").ok());
  EXPECT_EQ(v.integer("n"), 7);
  EXPECT_FALSE(v.was_set("n"));
  ASSERT_TRUE(v.set("n", "8").ok());
  ASSERT_TRUE(v.publish("n", "9").ok());
  EXPECT_TRUE(v.was_set("n"));  // still set by the caller; the value is the protocol's now
  EXPECT_EQ(v.integer("n"), 9);
  // An open's dictionary that names it: the error names it, nothing is taken.
  avio::Dictionary d{{"n", "1"}, {"mime_type", "x"}, {"other", "y"}};
  const avio::Status taken = v.take_from(d);
  EXPECT_EQ(taken.code(), -EINVAL);
  EXPECT_NE(taken.error().message().find("'mime_type'"), std::string::npos);
  EXPECT_EQ(d.size(), 3u);
  // FFmpeg's NULL: a string without value, an empty binary; reset drops a value.
  EXPECT_FALSE(v.has_value("s"));
  ASSERT_TRUE(v.set("s", "").ok());
  EXPECT_TRUE(v.has_value("s"));  // "" is not NULL
  v.reset("s");
  EXPECT_FALSE(v.has_value("s"));
  EXPECT_FALSE(v.has_value("bytes"));
  ASSERT_TRUE(v.set("bytes", "00").ok());
  EXPECT_TRUE(v.has_value("bytes"));
  ASSERT_TRUE(v.set("bytes", "").ok());
  EXPECT_FALSE(v.has_value("bytes"));
  v.reset("n");
  EXPECT_EQ(v.integer("n"), 5);
  EXPECT_FALSE(v.was_set("n"));
  EXPECT_TRUE(v.has_value("n"));
  EXPECT_FALSE(v.has_value("nope"));
}

// ffurl_open_whitelist: the URLContext's options are applied first, then the
// protocol's, where an exported one fails the open (av_opt_set_dict's EINVAL).
TEST(UrlOptions, ExportedOptionThroughOpen) {
  avio::ProtocolRegistry::global().add_or_replace(avio_test::exporting_protocol());
  avio::Dictionary none;
  auto h = avio::UrlContext::open("export:text/plain", avio::kOpenRead, {}, none);
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ((*h)->options().string("mime_type"), "text/plain");
  EXPECT_FALSE((*h)->options().was_set("mime_type"));
  avio::Dictionary bad{{"reply_code", "404"}, {"mime_type", "x"}, {"rw_timeout", "5"}, {"other", "1"}};
  auto refused = avio::UrlContext::open("export:a/b", avio::kOpenRead, {}, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), -EINVAL);
  EXPECT_NE(refused.error().message().find("'mime_type'"), std::string::npos) << refused.error().message();
  EXPECT_EQ(bad.size(), 3u);  // rw_timeout was the URL's and is gone; the protocol took nothing
  EXPECT_FALSE(bad.contains("rw_timeout"));
}

TEST(UrlOptions, GenericOptionsChangeAfterOpen) {
  avio_test::TempDir dir;
  avio_test::write_file(dir / "f", {1});
  avio::Dictionary none;
  auto h = avio::UrlContext::open(dir / "f", avio::kOpenRead, {}, none);
  ASSERT_TRUE(h.ok());
  avio::UrlContext &url = **h;
  ASSERT_TRUE(url.set_generic_option("rw_timeout", "5000").ok());
  EXPECT_EQ(url.rw_timeout(), 5000);
  EXPECT_EQ(url.set_generic_option("rw_timeout", "-1").code(), -ERANGE);
  EXPECT_EQ(url.set_generic_option("rw_timeout", std::nullopt).code(), -EINVAL);
  EXPECT_EQ(url.rw_timeout(), 5000);
  EXPECT_EQ(url.set_generic_option("blocksize", "1").code(), avio::kOptionNotFound);  // the protocol's, not the URL's
  EXPECT_EQ(url.whitelist(), std::optional<std::string>("file,crypto,data"));         // file's default
  ASSERT_TRUE(url.set_generic_option("protocol_whitelist", "crypto").ok());
  EXPECT_EQ(url.whitelist(), std::optional<std::string>("crypto"));
  EXPECT_EQ(url.params().whitelist, std::optional<std::string>("crypto"));  // what nested opens inherit
  ASSERT_TRUE(url.set_generic_option("protocol_whitelist", std::nullopt).ok());
  EXPECT_EQ(url.whitelist(), std::nullopt);
  ASSERT_TRUE(url.set_generic_option("protocol_blacklist", "tcp").ok());
  EXPECT_EQ(url.blacklist(), std::optional<std::string>("tcp"));
  EXPECT_EQ(url.rw_timeout(), 5000);
}

}  // namespace
