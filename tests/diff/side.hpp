// One implementation under differential test, set up from a Config and fed
// one op at a time. Two factories: the C API (compiled against whichever
// <libavformat/avio.h> the target sees: libavformat's or avio's compat
// header) and avio's C++ IOContext.
#ifndef AVIO_TESTS_DIFF_SIDE_HPP
#define AVIO_TESTS_DIFF_SIDE_HPP

#include <algorithm>
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

// What both sides track of a dynamic buffer after each op: how far writes
// reached (their seeks stay within it, see dynbuf_seek_offset), and whether
// its contents became undefined (see moves_dyn_buf_to_zero), after which a
// get reports no bytes and a close only sizes.
struct DynBufTracker {
  int64_t written_end = 0;
  bool contents_undefined = false;

  void after(const Config &config, const Op &op, int64_t tell, Outcome &o) {
    if (is_write_op(op.kind)) written_end = std::max(written_end, tell);
    if (config.mode == Mode::kDynBuf && moves_dyn_buf_to_zero(op)) contents_undefined = true;
    if (contents_undefined && op.kind == OpKind::kGetDynBuf) o.data.clear();
  }
};

// Through avio_alloc_context / avio_open_dyn_buf and the avio_* functions.
std::unique_ptr<Side> make_c_api_side(const Config &config);
// Through avio::IOContext (engine-only operations through avio::detail).
std::unique_ptr<Side> make_cpp_side(const Config &config);

}  // namespace avio_diff

#endif  // AVIO_TESTS_DIFF_SIDE_HPP
