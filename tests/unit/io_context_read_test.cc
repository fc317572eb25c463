#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "avio/io_context.hpp"

namespace avio {
namespace {

TEST(IOContextSmoke, ReadsFromMemory) {
  std::vector<uint8_t> data(100);
  std::iota(data.begin(), data.end(), 0);
  IOContext ctx = IOContext::from_memory(data);
  EXPECT_EQ(ctx.r8(), 0);
  EXPECT_EQ(ctx.rl16(), 0x0201);
  EXPECT_EQ(ctx.rb32(), 0x03040506u);
  EXPECT_EQ(ctx.tell(), 7);
}

}  // namespace
}  // namespace avio
