// Errors as values: `avio::Error` and `avio::Result<T>`.
//
// An `Error` carries an FFmpeg-compatible code (a negative AVERROR value:
// -errno, or a tag such as `kEof`) so that the C API and the bridges pass
// codes through unchanged, plus an optional detail that names what was wrong
// ("crypto: key must be 16 bytes, got 5"). `Result<T>` holds either a T or an
// Error; it is the return type of every fallible C++ call. (No std::expected:
// neither g++ 12 in C++20 mode nor clang with libstdc++ 12 provides it.)
#ifndef AVIO_ERROR_HPP
#define AVIO_ERROR_HPP

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace avio {

// FFERRTAG as libavutil builds it: the negated little-endian four-character code.
constexpr int error_tag(char a, char b, char c, char d) {
  return -static_cast<int>(static_cast<unsigned>(static_cast<unsigned char>(a)) |
                           static_cast<unsigned>(static_cast<unsigned char>(b)) << 8 |
                           static_cast<unsigned>(static_cast<unsigned char>(c)) << 16 |
                           static_cast<unsigned>(static_cast<unsigned char>(d)) << 24);
}

// The codes avio produces beside plain -errno values; identical to libavutil's.
inline constexpr int kEof = error_tag('E', 'O', 'F', ' ');
inline constexpr int kExit = error_tag('E', 'X', 'I', 'T');
inline constexpr int kInvalidData = error_tag('I', 'N', 'D', 'A');
inline constexpr int kProtocolNotFound = error_tag(static_cast<char>(0xF8), 'P', 'R', 'O');
inline constexpr int kOptionNotFound = error_tag(static_cast<char>(0xF8), 'O', 'P', 'T');
inline constexpr int kBug = error_tag('B', 'U', 'G', '!');
inline constexpr int kUnknown = error_tag('U', 'N', 'K', 'N');
inline constexpr int kExternal = error_tag('E', 'X', 'T', ' ');
// avio's own: a typed C++ read callback returned 0 bytes without signalling
// EOF. In FFmpeg 5+ that value means "no data, try again" and makes demuxers
// spin forever; the C++ API refuses it instead.
inline constexpr int kZeroRead = error_tag('Z', 'R', 'E', 'D');
// An HTTP status (AVERROR_HTTP_*). 429 has its own code since FFmpeg 6.1;
// 5.1 reports it as kHttpOther4xx.
inline constexpr int kHttpBadRequest = error_tag(static_cast<char>(0xF8), '4', '0', '0');
inline constexpr int kHttpUnauthorized = error_tag(static_cast<char>(0xF8), '4', '0', '1');
inline constexpr int kHttpForbidden = error_tag(static_cast<char>(0xF8), '4', '0', '3');
inline constexpr int kHttpNotFound = error_tag(static_cast<char>(0xF8), '4', '0', '4');
inline constexpr int kHttpTooManyRequests = error_tag(static_cast<char>(0xF8), '4', '2', '9');
inline constexpr int kHttpOther4xx = error_tag(static_cast<char>(0xF8), '4', 'X', 'X');
inline constexpr int kHttpServerError = error_tag(static_cast<char>(0xF8), '5', 'X', 'X');

constexpr int errno_code(int e) { return -e; }

// The text av_strerror gives for `code` (strerror for -errno values).
std::string error_text(int code);

// One machine word, like absl::Status: the code is stored inline, and only an
// error that carries a detail points at a shared, reference-counted block.
// Copying a plain code is a word copy, so `Result<T>` stays small and the
// hot paths that return one never touch the heap or an atomic.
class Error {
 public:
  explicit Error(int code) : rep_(inline_rep(code)) {}
  Error(int code, std::string detail);
  Error(const Error &other) : rep_(other.rep_) { ref(); }
  Error(Error &&other) noexcept : rep_(std::exchange(other.rep_, inline_rep(other.code()))) {}
  Error &operator=(const Error &other) {
    if (this != &other) {
      other.ref();
      unref();
      rep_ = other.rep_;
    }
    return *this;
  }
  Error &operator=(Error &&other) noexcept {
    if (this != &other) {
      unref();
      rep_ = std::exchange(other.rep_, inline_rep(other.code()));
    }
    return *this;
  }
  ~Error() { unref(); }

  static Error eof() { return Error(kEof); }
  static Error from_errno(int e) { return Error(-e); }
  static Error invalid_argument(std::string detail) { return Error(-EINVAL, std::move(detail)); }

  int code() const { return is_inline() ? static_cast<int>(static_cast<intptr_t>(rep_) >> 1) : block()->code; }
  bool is_eof() const { return code() == kEof; }
  std::string_view detail() const { return is_inline() ? std::string_view() : std::string_view(block()->text); }
  // "detail: text" when there is a detail, the code's text otherwise.
  std::string message() const;

  friend bool operator==(const Error &a, const Error &b) { return a.code() == b.code(); }

 private:
  struct Block {
    int code;
    std::atomic<int> references;
    std::string text;
  };
  static uintptr_t inline_rep(int code) { return (static_cast<uintptr_t>(static_cast<intptr_t>(code)) << 1) | 1u; }
  bool is_inline() const { return (rep_ & 1u) != 0; }
  // The word is a pointer when its low bit is clear (see the class comment).
  const Block *block() const { return reinterpret_cast<const Block *>(rep_); }  // NOLINT(performance-no-int-to-ptr)
  void ref() const {
    if (!is_inline()) ref_block();
  }
  void unref() {
    if (!is_inline()) unref_block();
  }
  void ref_block() const;
  void unref_block();

  uintptr_t rep_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T &v) : ok_(true) { new (&value_) T(v); }               // NOLINT(google-explicit-constructor)
  Result(T &&v) : ok_(true) { new (&value_) T(std::move(v)); }         // NOLINT(google-explicit-constructor)
  Result(Error e) : ok_(false) { new (&error_) Error(std::move(e)); }  // NOLINT(google-explicit-constructor)
  Result(const Result &o) : ok_(o.ok_) {
    if (ok_)
      new (&value_) T(o.value_);
    else
      new (&error_) Error(o.error_);
  }
  Result(Result &&o) noexcept : ok_(o.ok_) {
    if (ok_)
      new (&value_) T(std::move(o.value_));
    else
      new (&error_) Error(std::move(o.error_));
  }
  Result &operator=(Result o) noexcept {
    destroy();
    ok_ = o.ok_;
    if (ok_)
      new (&value_) T(std::move(o.value_));
    else
      new (&error_) Error(std::move(o.error_));
    return *this;
  }
  ~Result() { destroy(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  T &value() & { return value_; }
  const T &value() const & { return value_; }
  T &&value() && { return std::move(value_); }
  T &operator*() & { return value_; }
  const T &operator*() const & { return value_; }
  T *operator->() { return &value_; }
  const T *operator->() const { return &value_; }
  const Error &error() const { return error_; }
  T value_or(T fallback) const { return ok_ ? value_ : fallback; }

 private:
  void destroy() {
    if (ok_)
      value_.~T();
    else
      error_.~Error();
  }
  union {
    T value_;
    Error error_;
  };
  bool ok_;
};

// The result of an operation that produces no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : error_(std::move(e)) {}  // NOLINT(google-explicit-constructor)
  static Status from_code(int code) { return code < 0 ? Status(Error(code)) : Status(); }
  bool ok() const { return error_.code() >= 0; }
  explicit operator bool() const { return ok(); }
  const Error &error() const { return error_; }
  int code() const { return error_.code(); }

 private:
  Error error_{0};
};

// Integer results of the engine are non-negative values or negative codes.
template <class T>
Result<T> result_from_code(T v) {
  if (v < 0) return Error(static_cast<int>(v));
  return v;
}

}  // namespace avio

#endif  // AVIO_ERROR_HPP
