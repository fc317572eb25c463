// One implementation under differential test, set up from a Config and fed
// one op at a time. Two factories: the C API (compiled against whichever
// <libavformat/avio.h> the target sees: libavformat's or avio's compat
// header) and avio's C++ IOContext.
#ifndef AVIO_TESTS_DIFF_SIDE_HPP
#define AVIO_TESTS_DIFF_SIDE_HPP

#include <memory>

#include "model.hpp"
#include "scenario.hpp"

namespace avio_diff {

class Side {
 public:
  virtual ~Side() = default;
  virtual Outcome run(const Op &op) = 0;
  // Ends the scenario: flushes a writer (data = everything the sink got) or
  // closes a dynamic buffer (ret = its size, data = its bytes and padding).
  virtual Outcome finish() = 0;
};

// Through avio_alloc_context / avio_open_dyn_buf and the avio_* functions.
std::unique_ptr<Side> make_c_api_side(const Config &config);
// Through avio::IOContext (engine-only operations through avio::detail).
std::unique_ptr<Side> make_cpp_side(const Config &config);

}  // namespace avio_diff

#endif  // AVIO_TESTS_DIFF_SIDE_HPP
