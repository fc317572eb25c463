#include "data.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>

namespace avio_bench {
namespace {

// splitmix64: fast, and every byte of its output looks random to a parser.
uint64_t next_random(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void fill_random(uint8_t *dst, size_t size, uint64_t seed) {
  uint64_t state = seed;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    const uint64_t v = next_random(state);
    std::memcpy(dst + i, &v, 8);
  }
  const uint64_t v = next_random(state);
  std::memcpy(dst + i, &v, size - i);
}

// "cannot <action> <path>: <strerror(error)>"
std::string io_failure(const char *action, const std::string &path, int error) {
  return std::string("cannot ") + action + " " + path + ": " + std::strerror(error);
}

}  // namespace

MidPageBytes::MidPageBytes(size_t size) : size_(size) {
  constexpr size_t kPage = 4096;
  const size_t total = (size + kPageOffset + kPage - 1) / kPage * kPage;
  block_ = std::aligned_alloc(kPage, total);
  if (!block_) throw std::bad_alloc();
  data_ = static_cast<uint8_t *>(block_) + kPageOffset;
}

MidPageBytes::~MidPageBytes() { std::free(block_); }

const MidPageBytes &test_bytes(size_t size) {
  static std::map<size_t, std::unique_ptr<MidPageBytes>> cache;
  auto &slot = cache[size];
  if (!slot) {
    slot = std::make_unique<MidPageBytes>(size);
    fill_random(slot->data(), size, 0x61766f69);
  }
  return *slot;
}

std::vector<int64_t> random_offsets(size_t count, int64_t limit, uint64_t seed) {
  std::vector<int64_t> out(count);
  uint64_t state = seed;
  for (auto &o : out) o = static_cast<int64_t>(next_random(state) % static_cast<uint64_t>(limit));
  return out;
}

uint64_t hash_bytes(uint64_t h, const uint8_t *data, size_t size) {
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

std::string prepare_file(const std::string &path, int64_t size) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || st.st_size != size) {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return io_failure("create", path, errno);
    std::vector<uint8_t> chunk(size_t{1} << 20);
    for (int64_t done = 0, index = 0; done < size; ++index) {
      const size_t n = static_cast<size_t>(std::min<int64_t>(size - done, static_cast<int64_t>(chunk.size())));
      fill_random(chunk.data(), n, 0x66696c65 + static_cast<uint64_t>(index));
      if (write(fd, chunk.data(), n) != static_cast<ssize_t>(n)) {
        const int error = errno;
        close(fd);
        return io_failure("write", path, error);
      }
      done += static_cast<int64_t>(n);
    }
    if (close(fd) != 0) return io_failure("close", path, errno);
  }
  // One read brings the file into the page cache, so the timed passes measure
  // the buffered layer and the kernel's copy, not the disk.
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return io_failure("open", path, errno);
  std::vector<uint8_t> chunk(size_t{1} << 20);
  while (read(fd, chunk.data(), chunk.size()) > 0) {
  }
  close(fd);
  return {};
}

}  // namespace avio_bench
