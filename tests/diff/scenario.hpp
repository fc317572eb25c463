// A differential scenario: how a context is set up (Config) and what is done
// to it (a list of Op), generated from a seed or decoded from fuzzer bytes.
//
// A scenario is pure data: it names no AVIO implementation, so the same
// scenario runs on libavformat, on avio's C++ IOContext and on avio's C API,
// and every run must produce the same outcomes. Ops whose target depends on
// the context's state (a seek relative to the buffer) carry the rule, not the
// number; each side computes the number from its own fields, which are equal
// as long as the sides agree.
#ifndef AVIO_TESTS_DIFF_SCENARIO_HPP
#define AVIO_TESTS_DIFF_SCENARIO_HPP

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#ifndef DIFF_REFERENCE_LAVF_MAJOR
#define DIFF_REFERENCE_LAVF_MAJOR 59  // the installed libavformat (FFmpeg 5.1)
#endif

namespace avio_diff {

// The values FFmpeg gives these constants; spelled out so that this header
// depends on no AVIO header.
inline constexpr int kAvseekSize = 0x10000;
inline constexpr int kAvseekForce = 0x20000;
inline constexpr int kErrorEof = -static_cast<int>('E' | 'O' << 8 | 'F' << 16 | static_cast<unsigned>(' ') << 24);
inline constexpr int kErrorExit = -static_cast<int>('E' | 'X' << 8 | 'I' << 16 | static_cast<unsigned>('T') << 24);

enum class Mode : uint8_t {
  kRawRead,     // avio_alloc_context with C callbacks, read
  kTypedRead,   // avio side: IOContext::from_callbacks (typed callbacks)
  kStatic,      // no read callback, no write flag: the buffer is the input
  kRawWrite,    // avio_alloc_context with C callbacks, write
  kTypedWrite,  // avio side: IOContext::from_callbacks, write
  kDynBuf,      // avio_open_dyn_buf / IOContext::dynamic_buffer
  kReadWrite,   // write_flag with a read callback too (AVIO_FLAG_READ_WRITE), direct
};
inline constexpr int kModes = 7;
bool is_write(Mode m);
bool is_typed(Mode m);
const char *mode_name(Mode m);

struct Config {
  Mode mode = Mode::kRawRead;
  int buffer_size = 32768;
  std::vector<uint8_t> data;  // what the read callback (or the static buffer) delivers

  // The read callback.
  int chunk_max = 0;       // 0: as much as asked; else at most 1..chunk_max bytes per call
  int64_t error_pos = -1;  // reads at or after this position fail with error_code
  int error_code = 0;
  bool error_once = false;  // the error is transient: only the first such read fails
  int zero_read_call = -1;  // this read call returns 0 ("no data"), when that cannot hang FFmpeg

  // The seek callback.
  bool has_seek = true;
  int size_mode = 0;               // 0: AVSEEK_SIZE works; 1: ENOSYS, SEEK_END works; 2: neither
  int seek_fail_every = 0;         // every n-th seek call fails with EIO
  bool seek_returns_zero = false;  // returns 0 on success, as dyn_buf_seek does
  bool reject_past_end = false;    // SEEK_SET beyond the end gives EINVAL
  bool clear_seekable = false;     // seekable = 0 although there is a seek callback

  // Context options.
  bool direct = false;
  int max_packet_size = 0;
  int min_packet_size = 0;

  // The write callback.
  int write_fail_call = -1;  // this write call (1-based) and later ones fail
  int write_fail_code = 0;
  bool write_fail_once = false;
  bool null_write_callback = false;  // write mode without write_packet: a sink that drops
  bool use_write_data_type = false;
  bool ignore_boundary_point = false;

  // avio's C++ side only (FFmpeg has none): its read-ahead, in bytes (0: off).
  int64_t read_ahead_max = 0;
};

// The comments describe groups of kinds: one line per group.
// clang-format off
enum class OpKind : uint8_t {
  // reading
  kR8, kRl16, kRl24, kRl32, kRl64, kRb16, kRb24, kRb32, kRb64,
  kRead,          // a = size (>= 0)
  kReadPartial,   // a = size (>= 0)
  kEngineRead,    // a = size (<= 0): only the engine takes such sizes
  kEngineReadPartial,  // a = size (< 0)
  kGetStr, kGetStr16le, kGetStr16be,  // a = maxlen, b = buflen
  kFeof,
  // positioning
  kSeek,          // a = offset, b = whence (any value, SEEK_SET/SEEK_CUR go through the C++ API)
  kSeekBufRel,    // a = rule, b = parameter: target computed from the buffer state
  kTell,
  kSize,
  kFlush,
  // writing
  kW8, kWl16, kWl24, kWl32, kWl64, kWb16, kWb24, kWb32, kWb64,  // c = value
  kWrite,         // a = size (>= 0), c = content seed
  kEngineWrite,   // a = size (< 0)
  kPutStr, kPutStrNull, kPutStr16le, kPutStr16be,  // text
  kPrintf,        // a = format number, b and c = arguments, text = %s argument
  kPrint,         // texts = the strings
  kWriteMarker,   // a = time, b = type
  kGetDynBuf,
};
// clang-format on

struct Op {
  OpKind kind = OpKind::kR8;
  int64_t a = 0;
  int64_t b = 0;
  uint64_t c = 0;
  std::string text;
  std::vector<std::string> texts;
};

struct Scenario {
  Config config;
  std::vector<Op> ops;
};

// The rules of kSeekBufRel: each side computes the target from its own state.
int64_t buffer_relative_target(bool write_flag, int64_t pos, int64_t buffered, int64_t high_water, int64_t rule,
                               int64_t param);

// A dynamic buffer that is sought beyond the bytes written grows over
// uninitialised memory (in FFmpeg as in avio), which no comparison can
// judge. In dynbuf mode each side therefore keeps its seeks within
// [0, written_end] (the furthest position a write reached): this returns the
// offset to pass with `whence` instead of `offset`.
int64_t dynbuf_seek_offset(int whence, int64_t offset, int64_t tell, int64_t written_end);
bool is_write_op(OpKind kind);
// avio_size (and AVSEEK_SIZE) on a dynamic buffer: dyn_buf_seek takes
// AVSEEK_SIZE for SEEK_SET 0 and moves its write position to 0 behind the
// context's back (FFmpeg's footgun, which avio keeps). Later flushes land
// where the context does not think they do, so its seeks can open gaps of
// uninitialised memory: from then on only the sizes of the buffer's
// contents are compared, not the bytes.
bool moves_dyn_buf_to_zero(const Op &op);

// The printf formats (kPrintf's a) and whether one produces no output.
inline constexpr int kPrintfFormats = 5;
const char *printf_format(int n);
bool printf_output_is_empty(const Op &op);

// The bytes kWrite writes.
std::vector<uint8_t> write_content(const Op &op);

// Where entropy comes from: a seeded generator, or the fuzzer's bytes.
class Entropy {
 public:
  explicit Entropy(uint64_t seed) : state_(seed) {}
  explicit Entropy(std::span<const uint8_t> bytes) : bytes_(bytes), from_bytes_(true) {}
  uint64_t next();
  // Uniform-ish in [0, n); 0 when n == 0.
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }
  int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1))); }
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }
  bool exhausted() const { return from_bytes_ && bytes_.empty(); }

 private:
  uint64_t state_ = 0;
  std::span<const uint8_t> bytes_;
  bool from_bytes_ = false;
};

struct GenerateLimits {
  int min_ops = 10;
  int max_ops = 120;
  int max_data = 200000;
};

// A random scenario. Equal seeds give equal scenarios, on every platform.
Scenario generate(uint64_t seed, const GenerateLimits &limits = {});
// A scenario decoded from arbitrary bytes (for the fuzzer); ops continue while bytes last.
Scenario decode(std::span<const uint8_t> bytes, const GenerateLimits &limits = {});

// True for an op that is not compared because the reference libavformat's
// behaviour is one avio deliberately does not follow (see docs/compat.md).
bool excluded(const Config &config, const Op &op);

std::string describe(const Config &config);
std::string describe(const Op &op);

}  // namespace avio_diff

#endif  // AVIO_TESTS_DIFF_SCENARIO_HPP
