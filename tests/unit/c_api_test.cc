// The C API's handling of the arguments FFmpeg tolerates, and of bad ones.
// (Its behaviour on valid input is compared with libavformat in tests/diff.)
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "avio/c/avio.h"

namespace {

struct Memory {
  const uint8_t *data;
  int size;
  int pos;
};

int read_memory(void *opaque, uint8_t *buf, int size) {
  auto *m = static_cast<Memory *>(opaque);
  if (m->pos >= m->size) return AVERROR_EOF;
  const int n = std::min(size, m->size - m->pos);
  std::memcpy(buf, m->data + m->pos, static_cast<size_t>(n));
  m->pos += n;
  return n;
}

TEST(CApi, NullContextsAreToleratedWhereFFmpegToleratesThem) {
  EXPECT_EQ(avio_seek(nullptr, 0, SEEK_SET), AVERROR(EINVAL));
  EXPECT_EQ(avio_tell(nullptr), AVERROR(EINVAL));
  EXPECT_EQ(avio_size(nullptr), AVERROR(EINVAL));
  EXPECT_EQ(avio_feof(nullptr), 0);
  EXPECT_EQ(avio_close(nullptr), 0);
  AVIOContext *none = nullptr;
  avio_context_free(&none);
  EXPECT_EQ(avio_closep(&none), 0);
  uint8_t *out = reinterpret_cast<uint8_t *>(1);
  EXPECT_EQ(avio_get_dyn_buf(nullptr, &out), 0);
  EXPECT_EQ(out, nullptr);
  out = reinterpret_cast<uint8_t *>(1);
  EXPECT_EQ(avio_close_dyn_buf(nullptr, &out), 0);
  EXPECT_EQ(out, nullptr);
}

TEST(CApi, AllocContextRefusesArgumentsThatWouldCorruptMemory) {
  auto *buf = static_cast<unsigned char *>(av_malloc(16));
  EXPECT_EQ(avio_alloc_context(buf, -1, 0, nullptr, nullptr, nullptr, nullptr), nullptr);
  EXPECT_EQ(avio_alloc_context(nullptr, 16, 0, nullptr, read_memory, nullptr, nullptr), nullptr);
  EXPECT_EQ(avio_alloc_context(buf, 0, 1, nullptr, nullptr, nullptr, nullptr), nullptr);
  av_free(buf);
}

TEST(CApi, BadSizesAndBuffers) {
  static const uint8_t bytes[] = "abcdef";
  Memory m{bytes, 6, 0};
  auto *buf = static_cast<unsigned char *>(av_malloc(4));
  AVIOContext *ctx = avio_alloc_context(buf, 4, 0, &m, read_memory, nullptr, nullptr);
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(avio_read(ctx, nullptr, 4), AVERROR(EINVAL));
  unsigned char out[8];
  EXPECT_EQ(avio_read(ctx, out, -3), 0);
  EXPECT_EQ(avio_read_partial(ctx, out, -1), AVERROR(EINVAL));
  char str[4];
  EXPECT_EQ(avio_get_str(ctx, 10, str, 0), AVERROR(EINVAL));
  EXPECT_EQ(avio_get_str16le(ctx, 10, nullptr, 4), AVERROR(EINVAL));
  EXPECT_EQ(avio_seek(ctx, -1, SEEK_SET), AVERROR(EINVAL));
  EXPECT_EQ(avio_seek(ctx, 0, SEEK_END), AVERROR(EINVAL));
  EXPECT_EQ(avio_seek(ctx, 0, AVSEEK_SIZE), AVERROR(ENOSYS));
  EXPECT_EQ(avio_r8(ctx), 'a');
  EXPECT_EQ(avio_seek(ctx, INT64_MAX, SEEK_CUR), AVERROR(EINVAL));
  avio_write(ctx, bytes, 3);  // a read context: ignored, not written over the buffer
  EXPECT_EQ(avio_r8(ctx), 'b');
  av_freep(&ctx->buffer);
  avio_context_free(&ctx);
  EXPECT_EQ(ctx, nullptr);
}

TEST(CApi, StaticBufferModeIsTheWholeInput) {
  // Reference S1: 10 bytes, read 4, seek to 2, read 8, then EOF.
  auto *buf = static_cast<unsigned char *>(av_malloc(10));
  for (int i = 0; i < 10; ++i) buf[i] = static_cast<unsigned char>('0' + i);
  AVIOContext *ctx = avio_alloc_context(buf, 10, 0, nullptr, nullptr, nullptr, nullptr);
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(avio_tell(ctx), 0);
  unsigned char out[16];
  EXPECT_EQ(avio_read(ctx, out, 4), 4);
  EXPECT_EQ(avio_seek(ctx, 2, SEEK_SET), 2);
  EXPECT_EQ(avio_read(ctx, out, 8), 8);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(out), 8), "23456789");
  EXPECT_EQ(avio_read(ctx, out, 1), AVERROR_EOF);
  av_freep(&ctx->buffer);
  avio_context_free(&ctx);
}

TEST(CApi, DynBufHandsOverPaddedMemory) {
  AVIOContext *ctx = nullptr;
  ASSERT_EQ(avio_open_dyn_buf(&ctx), 0);
  avio_wb32(ctx, 0x41424344);
  EXPECT_EQ(avio_put_str(ctx, "xy"), 3);
  EXPECT_EQ(avio_put_str(ctx, nullptr), 1);
  uint8_t *peek = nullptr;
  EXPECT_EQ(avio_get_dyn_buf(ctx, &peek), 8);
  uint8_t *data = nullptr;
  const int size = avio_close_dyn_buf(ctx, &data);
  ASSERT_EQ(size, 8);
  EXPECT_EQ(std::memcmp(data, "ABCDxy\0\0", 8), 0);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(data[size + i], 0);
  av_free(data);
}

TEST(CApi, Errors) {
  char text[AV_ERROR_MAX_STRING_SIZE];
  EXPECT_EQ(av_strerror(AVERROR_EOF, text, sizeof text), 0);
  EXPECT_STREQ(text, "End of file");
  EXPECT_EQ(av_strerror(AVERROR(ENOENT), text, sizeof text), 0);
  EXPECT_STREQ(text, "No such file or directory");
  EXPECT_EQ(av_strerror(AVERROR_PROTOCOL_NOT_FOUND, text, sizeof text), 0);
  EXPECT_STREQ(text, "Protocol not found");
  EXPECT_LT(av_strerror(-123456789, text, sizeof text), 0);
  EXPECT_EQ(av_strerror(AVERROR_EOF, nullptr, 0), AVERROR(EINVAL));
}

TEST(CApi, Dictionary) {
  AVDictionary *d = nullptr;
  EXPECT_EQ(av_dict_set(&d, "Key", "one", 0), 0);
  EXPECT_EQ(av_dict_set(&d, "other", "two", 0), 0);
  EXPECT_EQ(av_dict_count(d), 2);
  ASSERT_NE(av_dict_get(d, "key", nullptr, 0), nullptr);  // case-insensitive by default
  EXPECT_EQ(av_dict_get(d, "key", nullptr, AV_DICT_MATCH_CASE), nullptr);
  EXPECT_STREQ(av_dict_get(d, "oth", nullptr, AV_DICT_IGNORE_SUFFIX)->value, "two");
  EXPECT_EQ(av_dict_set(&d, "Key", "1", AV_DICT_DONT_OVERWRITE), 0);
  EXPECT_STREQ(av_dict_get(d, "Key", nullptr, 0)->value, "one");
  EXPECT_EQ(av_dict_set(&d, "Key", "+", AV_DICT_APPEND), 0);
  EXPECT_STREQ(av_dict_get(d, "Key", nullptr, 0)->value, "one+");
  EXPECT_EQ(av_dict_set_int(&d, "n", -42, 0), 0);
  EXPECT_STREQ(av_dict_get(d, "n", nullptr, 0)->value, "-42");
  int seen = 0;
  for (const AVDictionaryEntry *e = nullptr; (e = av_dict_iterate(d, e));) ++seen;
  EXPECT_EQ(seen, 3);
  AVDictionary *copy = nullptr;
  EXPECT_EQ(av_dict_copy(&copy, d, 0), 0);
  EXPECT_EQ(av_dict_count(copy), 3);
  EXPECT_EQ(av_dict_set(&d, "other", nullptr, 0), 0);  // NULL value deletes
  EXPECT_EQ(av_dict_count(d), 2);
  EXPECT_EQ(av_dict_set(&d, nullptr, "x", 0), AVERROR(EINVAL));
  av_dict_free(&d);
  av_dict_free(&copy);
  EXPECT_EQ(d, nullptr);
  EXPECT_EQ(av_dict_count(nullptr), 0);
}

}  // namespace
