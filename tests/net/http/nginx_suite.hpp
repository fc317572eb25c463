// A test suite sharing one nginx (starting one takes ~100 ms): started
// before the suite's first test, stopped after its last; each test writes
// the files it needs and must leak no descriptor.
#ifndef AVIO_TESTS_NET_HTTP_NGINX_SUITE_HPP
#define AVIO_TESTS_NET_HTTP_NGINX_SUITE_HPP

#include <gtest/gtest.h>

#include <string>

#include "../net_fixture.hpp"
#include "nginx_fixture.hpp"

namespace avio_http_test {

class NginxSuite : public avio_net_test::NoLeakedDescriptors {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    server_ = Nginx::start(&error).release();
    ASSERT_NE(server_, nullptr) << "nginx did not start: " << error;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    avio_net_test::NoLeakedDescriptors::SetUp();
  }
  static Nginx &nginx() { return *server_; }

  static inline Nginx *server_ = nullptr;
};

}  // namespace avio_http_test

#endif  // AVIO_TESTS_NET_HTTP_NGINX_SUITE_HPP
