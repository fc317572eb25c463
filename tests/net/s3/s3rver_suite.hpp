// A test suite sharing one s3rver (starting one takes ~1 s): started before
// the suite's first test, stopped after its last.
#ifndef AVIO_TESTS_NET_S3_S3RVER_SUITE_HPP
#define AVIO_TESTS_NET_S3_S3RVER_SUITE_HPP

#include <gtest/gtest.h>

#include <string>

#include "s3rver_fixture.hpp"

namespace avio_s3_test {

class S3rverSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    server_ = S3rver::start(&error).release();
    ASSERT_NE(server_, nullptr) << "s3rver did not start: " << error;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); }

  static inline S3rver *server_ = nullptr;
};

}  // namespace avio_s3_test

#endif  // AVIO_TESTS_NET_S3_S3RVER_SUITE_HPP
