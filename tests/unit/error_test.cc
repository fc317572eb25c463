#include "avio/error.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace avio {
namespace {

TEST(Error, IsOneWordSoResultsStaySmall) {
  EXPECT_EQ(sizeof(Error), sizeof(void *));
  EXPECT_EQ(sizeof(Status), sizeof(void *));
  EXPECT_LE(sizeof(Result<size_t>), 2 * sizeof(void *));
}

TEST(Error, KeepsEveryCodeInline) {
  for (int code : {0, -1, -EINVAL, kEof, kZeroRead, kProtocolNotFound, INT32_MIN, INT32_MAX}) {
    const Error e(code);
    EXPECT_EQ(e.code(), code);
    EXPECT_TRUE(e.detail().empty());
  }
  EXPECT_TRUE(Error::eof().is_eof());
  EXPECT_EQ(Error::eof().message(), "End of file");
}

TEST(Error, CopiesShareTheDetailAndOutliveTheOriginal) {
  std::optional<Error> original(Error(-EINVAL, "crypto: key must be 16 bytes, got 5"));
  const Error copy = *original;
  Error assigned(-1);
  assigned = *original;
  original.reset();
  EXPECT_EQ(copy.code(), -EINVAL);
  EXPECT_EQ(copy.detail(), "crypto: key must be 16 bytes, got 5");
  EXPECT_EQ(assigned.detail(), copy.detail());
  EXPECT_EQ(copy.message(), "crypto: key must be 16 bytes, got 5: Invalid argument");
}

TEST(Error, MovesLeaveTheCodeBehindButNotTheDetail) {
  Error from(kInvalidData, "bad header");
  Error to = std::move(from);
  EXPECT_EQ(to.detail(), "bad header");
  EXPECT_EQ(from.code(), kInvalidData);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_TRUE(from.detail().empty());
  Error target(-5, "old");
  target = std::move(to);
  EXPECT_EQ(target.detail(), "bad header");
  const Error &alias = target;
  target = alias;  // self-assignment keeps the detail
  EXPECT_EQ(target.detail(), "bad header");
}

TEST(Status, OkUnlessANegativeCode) {
  EXPECT_TRUE(Status().ok());
  EXPECT_TRUE(Status::from_code(7).ok());
  const Status failed = Status::from_code(-EIO);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), -EIO);
}

}  // namespace
}  // namespace avio
