// The other end of a context under test: a deterministic source and sink
// whose callbacks record every call (Endpoint), and what one op produced
// (Outcome) on one implementation.
//
// Each implementation gets its own Endpoint built from the same Config, so
// two implementations that make the same calls see the same answers, and any
// difference in the calls they make shows up in the recorded events.
#ifndef AVIO_TESTS_DIFF_MODEL_HPP
#define AVIO_TESTS_DIFF_MODEL_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "scenario.hpp"

namespace avio_diff {

// One callback invocation.
struct Event {
  char kind = 0;      // 'R' read, 'W' write_packet, 'T' write_data_type, 'S' seek
  int64_t a = 0;      // read/write: size requested; seek: offset
  int64_t b = 0;      // seek: whence; write_data_type: marker type
  int64_t ret = 0;    // what the callback returned
  int64_t time = 0;   // write_data_type: time
  uint64_t hash = 0;  // the bytes delivered or written
  bool operator==(const Event &) const = default;
};

// The public fields of an AVIOContext, pointers as offsets from `buffer`.
struct Fields {
  int64_t buffer_size = 0, pos = 0, eof_reached = 0, error = 0, seekable = 0, direct = 0, write_flag = 0;
  int64_t max_packet_size = 0, min_packet_size = 0, bytes_read = 0, bytes_written = 0;
  int64_t buf_ptr = 0, buf_end = 0, buf_ptr_max = 0;
  bool operator==(const Fields &) const = default;
};

// What one op did on one implementation.
struct Outcome {
  int64_t ret = 0;
  std::vector<uint8_t> data;  // bytes read, a string read, or a dyn buf's contents
  Fields fields;
  std::vector<Event> events;
  bool skipped = false;  // excluded op: not run, not compared
};

uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h = 0xcbf29ce484222325ull);

class Endpoint {
 public:
  explicit Endpoint(const Config &config);

  int read(uint8_t *buf, int size);
  int write(const uint8_t *buf, int size);
  int write_typed(const uint8_t *buf, int size, int type, int64_t time);
  int64_t seek(int64_t offset, int whence);

  std::vector<Event> take_events();
  const std::vector<uint8_t> &written() const { return out_; }

 private:
  int write_common(char kind, const uint8_t *buf, int size, int type, int64_t time);

  const Config &config_;
  std::vector<Event> events_;
  std::vector<uint8_t> out_;
  int64_t pos_ = 0;
  int read_calls_ = 0, seek_calls_ = 0, write_calls_ = 0;
  bool read_error_fired_ = false, write_error_fired_ = false;
};

// Field-by-field comparison; empty when equal, else what differs.
std::string compare(const Outcome &reference, const Outcome &avio);
std::string describe(const Outcome &o);
// Folds an outcome into a running digest (for the C API driver's output).
uint64_t digest(const Outcome &o, uint64_t h);

}  // namespace avio_diff

#endif  // AVIO_TESTS_DIFF_MODEL_HPP
