#include "upload.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "unique_fd.hpp"

namespace avio::tools::serve {

namespace {

namespace http = protocols::http;

constexpr int kNameAttempts = 16;
constexpr size_t kDecodeBlock = 65536;

// The temporary file, removed unless committed.
class TempFile {
 public:
  explicit TempFile(int dir) : dir_(dir) {}
  TempFile(const TempFile &) = delete;
  TempFile &operator=(const TempFile &) = delete;
  ~TempFile() {
    if (!name_.empty() && !committed_) ::unlinkat(dir_, name_.c_str(), 0);
  }

  Status create() {
    std::random_device rng;
    for (int attempt = 0; attempt < kNameAttempts; ++attempt) {
      char name[64];
      std::snprintf(name, sizeof name, ".avio-upload-%08x%08x", rng(), rng());
      fd_.reset(::openat(dir_, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
      if (fd_.valid()) {
        name_ = name;
        return {};
      }
      if (errno != EEXIST) return Error(-errno, "creating the temporary file");
    }
    return Error(-EEXIST, "no free temporary file name");
  }

  Status write(std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error(-errno, "writing the temporary file");
      bytes = bytes.subspan(static_cast<size_t>(n));
    }
    return {};
  }

  Status commit(const std::string &final_name) {
    if (::fsync(fd_.get()) != 0) return Error(-errno, "syncing the temporary file");
    fd_.reset();
    if (::renameat(dir_, name_.c_str(), dir_, final_name.c_str()) != 0) return Error(-errno, "renaming the upload");
    committed_ = true;
    return {};
  }

 private:
  int dir_;
  UniqueFd fd_;
  std::string name_;
  bool committed_ = false;
};

Error cut_short(const Error &e, int64_t got) {
  if (!e.is_eof()) return e;
  return Error(kInvalidData, "the body ended after " + std::to_string(got) + " bytes");
}

// Whether bytes received after a body can begin the next request: an empty
// line, or a method token followed by a space (or not complete yet).
bool can_begin_request(std::span<const uint8_t> next) {
  if (next.empty() || next[0] == '\r' || next[0] == '\n') return true;
  const auto token_char = [](uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
  };
  size_t i = 0;
  while (i < next.size() && token_char(next[i])) ++i;
  return i == next.size() || (i > 0 && next[i] == ' ');
}

Status copy_length(ClientConnection &conn, int64_t length, TempFile &out) {
  int64_t got = 0;
  while (got < length) {
    if (conn.buffered().empty()) {
      if (Result<size_t> n = conn.fill(); !n) return cut_short(n.error(), got);
    }
    const std::span<const uint8_t> in = conn.buffered();
    const size_t take = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(in.size()), length - got));
    if (Status st = out.write(in.first(take)); !st) return st;
    conn.consume(take);
    got += static_cast<int64_t>(take);
  }
  if (!can_begin_request(conn.buffered()))
    return Error(kInvalidData, "the body is longer than its Content-Length of " + std::to_string(length));
  return {};
}

Status copy_chunked(ClientConnection &conn, int64_t max_body, TempFile &out) {
  http::ChunkedDecoder decoder;
  std::vector<uint8_t> block(kDecodeBlock);
  while (!decoder.done()) {
    size_t consumed = 0;
    Result<size_t> n = decoder.decode(conn.buffered(), &consumed, block);
    if (!n) return n.error();
    conn.consume(consumed);
    if (decoder.body_bytes() > max_body)
      return Error(-EFBIG, "the chunked body exceeds " + std::to_string(max_body) + " bytes");
    if (*n > 0) {
      if (Status st = out.write({block.data(), *n}); !st) return st;
    } else if (!decoder.done()) {
      if (Result<size_t> more = conn.fill(); !more) return cut_short(more.error(), decoder.body_bytes());
    }
  }
  return {};
}

}  // namespace

Result<bool> receive_upload(ClientConnection &conn, const http::ParsedRequest &request,
                            const DocumentRoot::Destination &destination, int64_t max_body) {
  Result<int64_t> length = http::content_length(request);
  if (!length) return length.error();
  if (*length > max_body)
    return Error(-EFBIG, "a body of " + std::to_string(*length) + " bytes exceeds " + std::to_string(max_body));
  TempFile temp(destination.dir.get());
  if (Status st = temp.create(); !st) return st.error();
  const Status copied = http::transfer_encoding_chunked(request)
                            ? copy_chunked(conn, max_body, temp)
                            : copy_length(conn, std::max<int64_t>(*length, 0), temp);
  if (!copied) return copied.error();
  if (Status st = temp.commit(destination.name); !st) return st.error();
  return !destination.exists;
}

}  // namespace avio::tools::serve
