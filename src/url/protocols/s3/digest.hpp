// The digests the s3 protocol needs, over OpenSSL's EVP: SHA-256 (payload
// hashes, canonical requests), HMAC-SHA-256 (the SigV4 key chain and
// signature) and MD5 (Content-MD5 of uploaded parts), plus lowercase hex.
// Binary digests are returned in std::string (bytes, not text).
#ifndef AVIO_SRC_URL_PROTOCOLS_S3_DIGEST_HPP
#define AVIO_SRC_URL_PROTOCOLS_S3_DIGEST_HPP

#include <string>
#include <string_view>

namespace avio::protocols::s3 {

// The 32-byte SHA-256 of `data`.
std::string sha256(std::string_view data);
// The 32-byte HMAC-SHA-256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
// The 16-byte MD5 of `data`.
std::string md5(std::string_view data);
// Lowercase hex of bytes: "\x0f\xa0" gives "0fa0".
std::string hex(std::string_view bytes);
// hex(sha256(data)): SigV4's HexEncode(Hash(...)).
std::string sha256_hex(std::string_view data);

}  // namespace avio::protocols::s3

#endif  // AVIO_SRC_URL_PROTOCOLS_S3_DIGEST_HPP
