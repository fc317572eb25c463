// The C++ open_url against libavformat's avio_open2, in one process.
#include <gtest/gtest.h>

extern "C" {
#include <libavformat/avio.h>
}

#include <random>
#include <utility>
#include <vector>

#include "avio/url.hpp"
#include "url_test_util.hpp"

namespace {

// With FFmpeg's reads (read_ahead_max = 0) everything matches, the bytes
// read from the file too; with the read-ahead of open_url's default, what
// the caller sees matches, for seeks within the stream (where a seek past
// the end leaves the position, and whether it reports the end, depends on
// what is buffered, in FFmpeg too).
TEST(UrlCppDiff, FileSeekReadSequencesMatchLibavformat) {
  avio_test::TempDir dir;
  const std::string path = dir / "data.bin";
  avio_test::write_file(path, avio_test::random_bytes(200000, 11));
  std::vector<std::pair<std::string, int64_t>> cases;
  for (const int64_t read_ahead : {int64_t{0}, int64_t{-1}})
    for (const std::string &url : {path, "subfile,,start,100,end,150000,,:" + path, "concat:" + path + "|" + path})
      cases.emplace_back(url, read_ahead);
  for (const auto &[url, read_ahead] : cases) {
    SCOPED_TRACE("read_ahead_max " + std::to_string(read_ahead));
    AVIOContext *ff = nullptr;
    ASSERT_EQ(avio_open2(&ff, url.c_str(), AVIO_FLAG_READ, nullptr, nullptr), 0) << url;
    avio::OpenOptions options;
    options.read_ahead_max = read_ahead;
    avio::Result<avio::IOContext> ours = avio::open_url(url, options);
    ASSERT_TRUE(ours.ok()) << ours.error().message();
    EXPECT_EQ(ours->core().buffer_size, ff->buffer_size);
    EXPECT_EQ(ours->core().seekable, ff->seekable);
    EXPECT_EQ(*ours->size(), avio_size(ff));
    std::mt19937 gen(3);
    std::vector<uint8_t> a(70000), b(70000);
    const int64_t seek_span = read_ahead == 0 ? 420000 : avio_size(ff) + 1;
    for (int i = 0; i < 300; ++i) {
      if (gen() % 3 == 0) {
        const int64_t pos = static_cast<int64_t>(gen() % static_cast<uint64_t>(seek_span));
        avio::Result<int64_t> r = ours->seek(pos);
        const int64_t want = avio_seek(ff, pos, SEEK_SET);
        EXPECT_EQ(r ? *r : r.error().code(), want) << i;
      } else {
        const size_t n = gen() % a.size();
        avio::Result<size_t> r = ours->read({a.data(), n});
        const int want = avio_read(ff, b.data(), static_cast<int>(n));
        ASSERT_EQ(r ? static_cast<int>(*r) : r.error().code(), want) << i;
        if (want > 0) {
          ASSERT_EQ(0, memcmp(a.data(), b.data(), static_cast<size_t>(want)));
        }
      }
      EXPECT_EQ(ours->tell(), avio_tell(ff));
    }
    if (read_ahead == 0) {
      EXPECT_EQ(ours->statistics().bytes_read, ff->bytes_read) << url;
    }
    avio_closep(&ff);
    EXPECT_TRUE(ours->close().ok());
  }
}

}  // namespace

namespace {

TEST(UrlCppDiff, WritesMatchLibavformatByteForByte) {
  avio_test::TempDir dir;
  for (const std::string &prefix : {std::string(), std::string("file:")}) {
    const std::string a = dir / "ffmpeg.out", b = dir / "avio.out";
    AVIOContext *ff = nullptr;
    ASSERT_EQ(avio_open2(&ff, (prefix + a).c_str(), AVIO_FLAG_WRITE, nullptr, nullptr), 0);
    auto ours = avio::open_url(prefix + b, avio::kOpenWrite);
    ASSERT_TRUE(ours.ok()) << ours.error().message();
    EXPECT_EQ(ours->core().buffer_size, ff->buffer_size);
    EXPECT_EQ(ours->core().max_packet_size, ff->max_packet_size);
    EXPECT_EQ(ours->core().min_packet_size, ff->min_packet_size);
    EXPECT_EQ(ours->core().seekable, ff->seekable);
    std::mt19937 gen(17);
    std::vector<uint8_t> chunk(300000);
    for (int i = 0; i < 80; ++i) {
      const size_t n = gen() % chunk.size();
      for (size_t k = 0; k < n; ++k) chunk[k] = static_cast<uint8_t>(gen());
      switch (gen() % 4) {
        case 0:
        case 1:
          ours->write({chunk.data(), n});
          avio_write(ff, chunk.data(), static_cast<int>(n));
          break;
        case 2: {
          const int64_t back = gen() % 5000;
          auto r = ours->skip(-back);
          EXPECT_EQ(r ? *r : r.error().code(), avio_seek(ff, -back, SEEK_CUR));
          break;
        }
        case 3: {
          const uint32_t v = static_cast<uint32_t>(gen());
          ours->wb32(v);
          avio_wb32(ff, v);
          ours->flush();
          avio_flush(ff);
          break;
        }
      }
      EXPECT_EQ(ours->tell(), avio_tell(ff));
    }
    EXPECT_EQ(avio_closep(&ff), 0);
    ASSERT_TRUE(ours->close().ok());
    const auto fa = avio_test::read_file(a), fb = avio_test::read_file(b);
    EXPECT_GT(fa.size(), 100000u);
    EXPECT_TRUE(fa == fb) << fa.size() << " vs " << fb.size() << " bytes";
  }
}

}  // namespace
