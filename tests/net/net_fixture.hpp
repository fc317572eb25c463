// What the socket protocol tests share beyond their peers: a fixture that
// fails a test which leaves a descriptor open, and open options in one line.
#ifndef AVIO_TESTS_NET_NET_FIXTURE_HPP
#define AVIO_TESTS_NET_NET_FIXTURE_HPP

#include <gtest/gtest.h>

#include <utility>

#include "avio/url.hpp"
#include "net_test_util.hpp"

namespace avio_net_test {

class NoLeakedDescriptors : public ::testing::Test {
 protected:
  void SetUp() override { fds_ = open_fds(); }
  void TearDown() override { EXPECT_EQ(open_fds(), fds_) << "a descriptor leaked"; }

 private:
  int fds_ = 0;
};

inline avio::OpenOptions with(int flags, avio::Dictionary opts = {}) {
  avio::OpenOptions o;
  o.flags = flags;
  o.options = std::move(opts);
  return o;
}

}  // namespace avio_net_test

#endif  // AVIO_TESTS_NET_NET_FIXTURE_HPP
