// The http protocol's body decoders: Content-Encoding over zlib
// (src/url/protocols/http/inflate.hpp) and ICY metadata
// (src/url/protocols/http/icy.hpp). The compressed bodies are made here with
// zlib's deflate.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "avio/error.hpp"
#include "protocols/http/icy.hpp"
#include "protocols/http/inflate.hpp"

namespace {

using avio::kInvalidData;
using avio::protocols::http::BodyDecoder;
using avio::protocols::http::IcyDemuxer;
using avio::protocols::http::parse_icy_metadata;
using Bytes = std::vector<uint8_t>;

constexpr int kGzipBits = 31;
constexpr int kZlibBits = 15;
constexpr int kRawBits = -15;

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

// `data` compressed by zlib: windowBits 31 gzip, 15 zlib, -15 raw deflate.
Bytes compress(const Bytes &data, int window_bits) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&z, data.size()) + 32);
  z.next_in = const_cast<Bytef *>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Text that compresses, then bytes that do not.
Bytes sample(size_t text_bytes, size_t random_bytes) {
  Bytes data;
  for (size_t i = 0; data.size() < text_bytes; ++i) {
    const std::string line = "line " + std::to_string(i) + " of a body that compresses well\n";
    data.insert(data.end(), line.begin(), line.end());
  }
  data.resize(text_bytes);
  std::mt19937 rng(7);
  for (size_t i = 0; i < random_bytes; ++i) data.push_back(static_cast<uint8_t>(rng()));
  return data;
}

struct Decoded {
  Bytes out;
  bool ok = true;
  bool done = false;
  int code = 0;
  std::string detail;
  size_t consumed = 0;
};

// Feeds `in` in pieces of `piece` bytes through an output buffer of `out_size`.
Decoded run(BodyDecoder &d, const Bytes &in, size_t piece, size_t out_size) {
  Decoded r;
  Bytes out(out_size);
  for (size_t at = 0; at < in.size();) {
    const std::span<const uint8_t> chunk(in.data() + at, std::min(piece, in.size() - at));
    size_t consumed = 0;
    auto n = d.decode(chunk, &consumed, out);
    if (!n.ok()) {
      r.ok = false;
      r.code = n.error().code();
      r.detail = std::string(n.error().detail());
      return r;
    }
    EXPECT_LE(consumed, chunk.size());
    EXPECT_TRUE(consumed > 0 || *n > 0 || chunk.empty()) << "no progress";
    r.out.insert(r.out.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*n));
    at += consumed;
    r.consumed += consumed;
  }
  // Drain what zlib still holds.
  for (size_t n = 1; n > 0;) {
    size_t consumed = 0;
    auto more = d.decode({}, &consumed, out);
    if (!more.ok()) break;
    n = *more;
    r.out.insert(r.out.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
  }
  r.done = d.done();
  return r;
}

Decoded decode(std::string_view encoding, const Bytes &in, size_t piece = SIZE_MAX, size_t out_size = 65536) {
  auto d = BodyDecoder::for_encoding(encoding);
  EXPECT_TRUE(d.ok()) << encoding;
  if (!d.ok()) return {};
  return run(*d, in, piece, out_size);
}

Bytes concat(Bytes a, const Bytes &b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(HttpBody, ChoosesTheDecoder) {
  for (const char *e : {"gzip", "x-gzip", "GZIP", " gzip ", "identity, gzip", "gzip,identity"}) {
    auto d = BodyDecoder::for_encoding(e);
    ASSERT_TRUE(d.ok()) << e;
    EXPECT_EQ(d->coding(), "gzip") << e;
    EXPECT_FALSE(d->identity());
  }
  EXPECT_EQ(BodyDecoder::for_encoding("Deflate")->coding(), "deflate");
  for (const char *e : {"", "identity", " IDENTITY ", ",,"}) {
    auto d = BodyDecoder::for_encoding(e);
    ASSERT_TRUE(d.ok()) << e;
    EXPECT_TRUE(d->identity()) << e;
  }
  auto br = BodyDecoder::for_encoding("br");
  ASSERT_FALSE(br.ok());
  EXPECT_EQ(br.error().code(), -ENOSYS);
  EXPECT_NE(br.error().detail().find("'br'"), std::string_view::npos);
  auto stacked = BodyDecoder::for_encoding("deflate, gzip");
  ASSERT_FALSE(stacked.ok());
  EXPECT_EQ(stacked.error().code(), -ENOSYS);
  EXPECT_NE(stacked.error().detail().find("deflate, gzip"), std::string_view::npos);
}

TEST(HttpBody, InflatesEveryFormWholeAndByteByByte) {
  const Bytes data = sample(100000, 70000);
  const std::pair<const char *, int> cases[] = {
      {"gzip", kGzipBits},
      {"gzip", kZlibBits},  // FFmpeg's inflateInit2(32 + 15) takes zlib as gzip
      {"deflate", kZlibBits},
      {"deflate", kRawBits},
      {"deflate", kGzipBits}};
  for (const auto &[encoding, bits] : cases) {
    const Bytes body = compress(data, bits);
    for (const auto &[piece, out_size] : {std::pair<size_t, size_t>{SIZE_MAX, 1 << 20}, {1, 7}, {13, 1}, {4096, 100}}) {
      const Decoded r = decode(encoding, body, piece, out_size);
      EXPECT_TRUE(r.ok) << encoding << bits << ": " << r.detail;
      EXPECT_TRUE(r.done) << encoding << bits << " piece " << piece;
      EXPECT_EQ(r.consumed, body.size());
      EXPECT_TRUE(r.out == data) << encoding << bits << " piece " << piece << " out " << out_size;
    }
  }
}

TEST(HttpBody, EmptyBodies) {
  for (const int bits : {kGzipBits, kZlibBits, kRawBits}) {
    const Decoded r = decode(bits == kGzipBits ? "gzip" : "deflate", compress({}, bits), 1);
    EXPECT_TRUE(r.ok && r.done && r.out.empty()) << bits << r.detail;
  }
}

TEST(HttpBody, ConcatenatedGzipMembersAreAllDecoded) {
  const Bytes a = bytes_of("first member\n"), b = sample(5000, 100), c = bytes_of("third");
  const Bytes body = concat(concat(compress(a, kGzipBits), compress(b, kGzipBits)), compress(c, kGzipBits));
  for (const size_t piece : {SIZE_MAX, size_t{1}, size_t{2}, size_t{3}}) {
    const Decoded r = decode("gzip", body, piece);
    EXPECT_TRUE(r.ok && r.done) << piece;
    EXPECT_TRUE(r.out == concat(concat(a, b), c)) << piece;
  }
}

TEST(HttpBody, BytesAfterTheEndAreIgnored) {
  const Bytes data = bytes_of("payload");
  for (const int bits : {kGzipBits, kZlibBits, kRawBits}) {
    for (const Bytes &garbage : {bytes_of("garbage"), Bytes(10, 0), Bytes{0x1f, 0x00}, Bytes{0x1f}}) {
      const Bytes body = concat(compress(data, bits), garbage);
      for (const size_t piece : {SIZE_MAX, size_t{1}}) {
        const Decoded r = decode(bits == kGzipBits ? "gzip" : "deflate", body, piece);
        EXPECT_TRUE(r.ok) << bits << r.detail;
        EXPECT_EQ(r.consumed, body.size());
        EXPECT_TRUE(r.out == data) << bits;
        // A lone 0x1f after a gzip member might start another one.
        EXPECT_EQ(r.done, !(bits == kGzipBits && garbage == Bytes{0x1f})) << bits;
      }
    }
  }
}

TEST(HttpBody, CorruptDataIsAnError) {
  const Bytes data = sample(20000, 0);
  Bytes body = compress(data, kGzipBits);
  body[body.size() / 2] ^= 0x55;
  Decoded r = decode("gzip", body);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, kInvalidData);
  EXPECT_EQ(r.detail.rfind("http: gzip body: invalid compressed data (", 0), 0u) << r.detail;

  // A bad CRC in the gzip trailer; a bad Adler-32 in the zlib trailer.
  Bytes crc = compress(data, kGzipBits);
  crc[crc.size() - 6] ^= 1;
  EXPECT_NE(decode("gzip", crc, 1).detail.find("incorrect data check"), std::string::npos);
  Bytes adler = compress(data, kZlibBits);
  adler.back() ^= 1;
  EXPECT_NE(decode("deflate", adler).detail.find("deflate body: invalid compressed data (incorrect data check)"),
            std::string::npos);
  // Not gzip at all.
  EXPECT_NE(decode("gzip", bytes_of("plain text, not gzip")).detail.find("incorrect header check"), std::string::npos);

  // After an error, every call returns it.
  auto d = BodyDecoder::for_encoding("gzip");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(run(*d, body, SIZE_MAX, 65536).ok);
  Bytes out(16);
  size_t consumed = 99;
  auto again = d->decode(bytes_of("more"), &consumed, out);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), kInvalidData);
  EXPECT_EQ(consumed, 0u);
}

TEST(HttpBody, TruncatedStreamIsNotDone) {
  const Bytes data = sample(30000, 3000);
  for (const int bits : {kGzipBits, kZlibBits, kRawBits}) {
    Bytes body = compress(data, bits);
    for (const size_t keep : {size_t{1}, size_t{2}, size_t{10}, body.size() / 2, body.size() - 1}) {
      const Decoded r = decode(bits == kGzipBits ? "gzip" : "deflate", Bytes(body.begin(), body.begin() + keep), 3);
      EXPECT_TRUE(r.ok) << bits << " " << keep << r.detail;
      EXPECT_FALSE(r.done) << bits << " " << keep;
      EXPECT_LE(r.out.size(), data.size());
      EXPECT_TRUE(std::equal(r.out.begin(), r.out.end(), data.begin()));
    }
  }
}

TEST(HttpBody, IdentityPassesThrough) {
  auto d = BodyDecoder::for_encoding("identity");
  ASSERT_TRUE(d.ok());
  const Bytes data = sample(1000, 1000);
  const Decoded r = run(*d, data, 17, 5);
  EXPECT_TRUE(r.out == data);
  EXPECT_FALSE(r.done);
}

TEST(HttpBody, DecoderIsMovableMidStream) {
  const Bytes data = sample(50000, 0);
  const Bytes body = compress(data, kGzipBits);
  auto first = BodyDecoder::for_encoding("gzip");
  ASSERT_TRUE(first.ok());
  const Bytes head(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(body.size() / 2));
  const Bytes tail(body.begin() + static_cast<std::ptrdiff_t>(body.size() / 2), body.end());
  Decoded a = run(*first, head, 100, 1000);
  BodyDecoder moved = std::move(*first);
  BodyDecoder assigned = BodyDecoder::for_encoding("deflate").value();
  assigned = std::move(moved);
  const Decoded b = run(assigned, tail, 100, 1000);
  EXPECT_TRUE(b.ok && b.done);
  EXPECT_TRUE(concat(a.out, b.out) == data);
}

// ---- ICY

// An ICY stream: `audio` cut every `metaint` bytes, with blocks[i] (padded to
// a multiple of 16 with NULs; "" is a zero length byte) after the i-th cut.
Bytes icy_stream(const Bytes &audio, size_t metaint, const std::vector<std::string> &blocks) {
  Bytes s;
  size_t block = 0;
  for (size_t at = 0; at < audio.size(); at += metaint) {
    const size_t n = std::min(metaint, audio.size() - at);
    s.insert(s.end(), audio.begin() + static_cast<std::ptrdiff_t>(at),
             audio.begin() + static_cast<std::ptrdiff_t>(at + n));
    if (n < metaint) break;
    const std::string &text = blocks[block++ % blocks.size()];
    const size_t length = (text.size() + 15) / 16;
    s.push_back(static_cast<uint8_t>(length));
    s.insert(s.end(), text.begin(), text.end());
    s.insert(s.end(), length * 16 - text.size(), 0);
  }
  return s;
}

TEST(HttpIcy, StripsMetadataAtEverySplit) {
  const Bytes audio = sample(0, 1000);
  const std::vector<std::string> blocks = {"StreamTitle='One';", "", "StreamTitle='Two';StreamUrl='';",
                                           std::string(size_t{255} * 16, 'x')};
  for (const size_t metaint : {size_t{1}, size_t{16}, size_t{100}, size_t{999}, size_t{1000}}) {
    const Bytes stream = icy_stream(audio, metaint, blocks);
    std::mt19937 rng(static_cast<unsigned>(metaint));
    for (int round = 0; round < 20; ++round) {
      IcyDemuxer icy(static_cast<int64_t>(metaint));
      Bytes out;
      Bytes buf(1 + rng() % 40);
      for (size_t at = 0; at < stream.size();) {
        const size_t piece = std::min<size_t>(1 + rng() % 300, stream.size() - at);
        size_t consumed = 0;
        auto n = icy.decode(std::span<const uint8_t>(stream.data() + at, piece), &consumed, buf);
        ASSERT_TRUE(n.ok());
        ASSERT_LE(consumed, piece);
        out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
        at += consumed;
      }
      EXPECT_TRUE(out == audio) << metaint;
      const size_t cuts = audio.size() / metaint;
      int64_t non_empty = 0;
      for (size_t i = 0; i < cuts; ++i) non_empty += blocks[i % blocks.size()].empty() ? 0 : 1;
      EXPECT_EQ(icy.metadata_blocks(), non_empty) << metaint;
    }
  }
}

TEST(HttpIcy, KeepsTheLatestPacketUpToItsFirstNul) {
  const Bytes audio(8, 'a');
  IcyDemuxer icy(4);
  EXPECT_EQ(icy.metaint(), 4);
  Bytes out(64);
  size_t consumed = 0;
  const Bytes first = icy_stream(audio, 4, {"StreamTitle='A';", ""});
  ASSERT_TRUE(icy.decode(first, &consumed, out).ok());
  EXPECT_EQ(consumed, first.size());
  EXPECT_EQ(icy.metadata_packet(), "StreamTitle='A';");
  EXPECT_TRUE(icy.metadata_changed());
  EXPECT_FALSE(icy.metadata_changed());  // asked: cleared

  // L = 0 blocks keep the packet; an inner NUL ends it (FFmpeg stores a C string).
  Bytes more = {'b', 'b', 'b', 'b', 2};
  const std::string block = std::string("StreamTitle='B';") + '\0' + "junk";
  more.insert(more.end(), block.begin(), block.end());
  more.resize(5 + 32, 0);
  more.insert(more.end(), {'c', 'c', 'c', 'c', 0});
  ASSERT_TRUE(icy.decode(more, &consumed, out).ok());
  EXPECT_EQ(icy.metadata_packet(), "StreamTitle='B';");
  EXPECT_TRUE(icy.metadata_changed());
  EXPECT_EQ(icy.metadata_blocks(), 2);
}

TEST(HttpIcy, MetadataIsConsumedWhenTheOutputIsFull) {
  IcyDemuxer icy(2);
  const Bytes stream = {'x', 'y', 1, 'T', 'i', 't', 'l', 'e', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'z'};
  Bytes out(2);
  size_t consumed = 0;
  ASSERT_EQ(*icy.decode(stream, &consumed, out), 2u);
  EXPECT_EQ(consumed, 19u);  // the audio, the length byte and the block; 'z' waits for room
  EXPECT_EQ(icy.metadata_packet(), "Title");
  ASSERT_EQ(*icy.decode(std::span<const uint8_t>(stream).subspan(19), &consumed, std::span<uint8_t>()), 0u);
  EXPECT_EQ(consumed, 0u);
  ASSERT_EQ(*icy.decode(std::span<const uint8_t>(stream).subspan(19), &consumed, out), 1u);
  EXPECT_EQ(out[0], 'z');
}

TEST(HttpIcy, WithoutMetaintTheStreamPassesThrough) {
  for (const int64_t metaint : {int64_t{0}, int64_t{-1}}) {
    IcyDemuxer icy(metaint);
    const Bytes stream = {1, 2, 3, 0, 5};
    Bytes out(3);
    size_t consumed = 0;
    ASSERT_EQ(*icy.decode(stream, &consumed, out), 3u);
    EXPECT_EQ(consumed, 3u);
    EXPECT_EQ(out, (Bytes{1, 2, 3}));
    EXPECT_FALSE(icy.metadata_changed());
  }
}

TEST(HttpIcy, ParsesMetadataPairsAsFfmpeg) {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(parse_icy_metadata("StreamTitle='It's me';StreamUrl='http://x/';"),
            (Pairs{{"StreamTitle", "It's me"}, {"StreamUrl", "http://x/"}}));
  EXPECT_EQ(parse_icy_metadata("StreamTitle='';"), (Pairs{{"StreamTitle", ""}}));
  EXPECT_EQ(parse_icy_metadata("A='1';garbage"), (Pairs{{"A", "1"}}));
  EXPECT_EQ(parse_icy_metadata("A='unterminated"), Pairs{});
  EXPECT_EQ(parse_icy_metadata(""), Pairs{});
}

}  // namespace
