// The C++ open_url against libavformat's avio_open2, in one process.
#include <gtest/gtest.h>

extern "C" {
#include <libavformat/avio.h>
}

#include <random>

#include "avio/url.hpp"
#include "url_test_util.hpp"

namespace {

TEST(UrlCppDiff, FileSeekReadSequencesMatchLibavformat) {
  avio_test::TempDir dir;
  const std::string path = dir / "data.bin";
  avio_test::write_file(path, avio_test::random_bytes(200000, 11));
  for (const std::string &url : {path, "subfile,,start,100,end,150000,,:" + path, "concat:" + path + "|" + path}) {
    AVIOContext *ff = nullptr;
    ASSERT_EQ(avio_open2(&ff, url.c_str(), AVIO_FLAG_READ, nullptr, nullptr), 0) << url;
    avio::Result<avio::IOContext> ours = avio::open_url(url);
    ASSERT_TRUE(ours.ok()) << ours.error().message();
    EXPECT_EQ(ours->core().buffer_size, ff->buffer_size);
    EXPECT_EQ(ours->core().seekable, ff->seekable);
    EXPECT_EQ(*ours->size(), avio_size(ff));
    std::mt19937 gen(3);
    std::vector<uint8_t> a(70000), b(70000);
    for (int i = 0; i < 300; ++i) {
      if (gen() % 3 == 0) {
        const int64_t pos = gen() % 420000;
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
    EXPECT_EQ(ours->statistics().bytes_read, ff->bytes_read) << url;
    avio_closep(&ff);
    EXPECT_TRUE(ours->close().ok());
  }
}

}  // namespace
