// Deliberate differences of avio's C API (libavio_c) from libavformat 5.1
// that the differential drivers cannot run on libavformat (it would crash or
// hang there). Linked against avio_c only: <libavformat/avio.h> is avio's
// compat header here. docs/compat.md lists each rule with its test.
#include <gtest/gtest.h>

#include <vector>

extern "C" {
#include <libavformat/avio.h>
#include <libavutil/mem.h>
}

namespace {

int count_write(void *opaque, const uint8_t *, int) {
  ++*static_cast<int *>(opaque);
  return 0;
}

// FFmpeg accepts these and writes through them later; avio refuses them.
TEST(CApiRules, AllocContextRefusesBuffersItCouldNotUse) {
  uint8_t byte = 0;
  EXPECT_EQ(avio_alloc_context(nullptr, 16, 0, nullptr, nullptr, nullptr, nullptr), nullptr);
  EXPECT_EQ(avio_alloc_context(&byte, -1, 0, nullptr, nullptr, nullptr, nullptr), nullptr);
  EXPECT_EQ(avio_alloc_context(&byte, 0, 1, nullptr, nullptr, count_write, nullptr), nullptr);
  // Static-buffer mode over nothing is fine: it is an empty input.
  AVIOContext *s = avio_alloc_context(nullptr, 0, 0, nullptr, nullptr, nullptr, nullptr);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(avio_r8(s), 0);
  EXPECT_TRUE(avio_feof(s));
  avio_context_free(&s);
}

// FFmpeg 6.0 and later: avio_write of nothing does nothing, in direct mode too
// (5.1 sends a 0-byte packet; see VersionRules.DirectWriteOfNothingCallsNoCallback).
TEST(CApiRules, DirectWriteOfNothingCallsNoCallback) {
  int calls = 0;
  AVIOContext *s =
      avio_alloc_context(static_cast<uint8_t *>(av_malloc(16)), 16, 1, &calls, nullptr, count_write, nullptr);
  ASSERT_NE(s, nullptr);
  s->direct = 1;
  const uint8_t byte = 0;
  avio_write(s, &byte, 0);
  avio_write(s, &byte, -5);
  EXPECT_EQ(calls, 0);
  avio_write(s, &byte, 1);
  EXPECT_EQ(calls, 1);
  av_freep(&s->buffer);
  avio_context_free(&s);
}

// A null destination with a positive size is EINVAL, not a crash.
TEST(CApiRules, ReadIntoNullIsInvalid) {
  uint8_t data[4] = {1, 2, 3, 4};
  auto *copy = static_cast<uint8_t *>(av_malloc(sizeof data));
  for (int i = 0; i < 4; ++i) copy[i] = data[i];
  AVIOContext *s = avio_alloc_context(copy, 4, 0, nullptr, nullptr, nullptr, nullptr);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(avio_read(s, nullptr, 2), AVERROR(EINVAL));
  EXPECT_EQ(avio_read_partial(s, nullptr, 2), AVERROR(EINVAL));
  EXPECT_EQ(avio_r8(s), 1);  // nothing was consumed
  av_freep(&s->buffer);
  avio_context_free(&s);
}

// FFmpeg 8.1: avio_context_free frees the protocol lists too (5.1 leaks
// them). Under ASan (-DAVIO_SANITIZE=address,undefined) a leak fails the test.
TEST(CApiRules, ContextFreeReleasesProtocolLists) {
  AVIOContext *s = avio_alloc_context(static_cast<uint8_t *>(av_malloc(8)), 8, 0, nullptr, nullptr, nullptr, nullptr);
  ASSERT_NE(s, nullptr);
  s->protocol_whitelist = av_strdup("file,pipe");
  s->protocol_blacklist = av_strdup("http");
  av_freep(&s->buffer);
  avio_context_free(&s);
  EXPECT_EQ(s, nullptr);
}

}  // namespace
