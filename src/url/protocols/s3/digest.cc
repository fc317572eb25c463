#include "digest.hpp"

#include <openssl/evp.h>

#include <cstdlib>

namespace avio::protocols::s3 {

namespace {

// OpenSSL fails these only when it cannot allocate or its default provider is
// missing, after which no signature can be made: like a failed allocation,
// that ends the process.
void require(bool ok) {
  if (!ok) std::abort();
}

std::string digest(const EVP_MD *md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  require(EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) == 1);
  return std::string(reinterpret_cast<const char *>(out), len);
}

}  // namespace

std::string sha256(std::string_view data) { return digest(EVP_sha256(), data); }

std::string md5(std::string_view data) { return digest(EVP_md5(), data); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  require(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                    reinterpret_cast<const unsigned char *>(data.data()), data.size(), out, sizeof out,
                    &len) != nullptr);
  return std::string(reinterpret_cast<const char *>(out), len);
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out += kDigits[u >> 4];
    out += kDigits[u & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return hex(sha256(data)); }

}  // namespace avio::protocols::s3
