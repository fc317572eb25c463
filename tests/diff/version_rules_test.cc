// Where avio deliberately differs from the installed libavformat 5.1 (and the
// differential run therefore excludes or cannot produce the case), these
// tests pin what avio does. docs/compat.md lists each rule with its test.
#include <gtest/gtest.h>

#include <vector>

#include "avio/io_context.hpp"

namespace {

TEST(VersionRules, DirectWriteOfNothingCallsNoCallback) {
  int calls = 0;
  avio::Callbacks cb;
  cb.write = [&](std::span<const uint8_t>) -> avio::Status {
    ++calls;
    return {};
  };
  auto ctx = avio::IOContext::from_callbacks(cb, {.buffer_size = 16, .write = true, .direct = true});
  ASSERT_TRUE(ctx.ok());
  ctx->write({});
  EXPECT_EQ(calls, 0);
}

}  // namespace
