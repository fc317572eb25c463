// md5: a write-only sink that writes the hex MD5 of everything written,
// plus a newline, to the URL after "md5:" (or to stdout) when closed.
#include <openssl/evp.h>

#include <cstdio>
#include <memory>

#include "builtins.hpp"

namespace avio::protocols {

namespace {

struct DigestFree {
  void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};

class Md5Protocol final : public Protocol {
 public:
  Status open(UrlContext &, const OpenRequest &request) override {
    if (!(request.flags & kOpenWrite)) return Error(-EINVAL, "md5: the protocol only writes");
    md_.reset(EVP_MD_CTX_new());
    if (!md_ || EVP_DigestInit_ex(md_.get(), EVP_md5(), nullptr) != 1)
      return Error(kExternal, "md5: OpenSSL cannot compute MD5");
    return {};
  }

  Result<size_t> write(UrlContext &, std::span<const uint8_t> src) override {
    EVP_DigestUpdate(md_.get(), src.data(), src.size());
    return src.size();
  }

  Status close(UrlContext &h) override {
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(md_.get(), digest, &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    for (unsigned i = 0; i < len; ++i) {
      text += kHex[digest[i] >> 4];
      text += kHex[digest[i] & 15];
    }
    text += '\n';
    const std::string_view target = h.target();
    if (target.empty()) {
      if (std::fwrite(text.data(), 1, text.size(), stdout) < text.size())
        return Error(-errno, "md5: cannot write the digest to stdout");
      return {};
    }
    Dictionary none;
    Result<std::unique_ptr<UrlContext>> out = h.open_nested(target, kOpenWrite, none);
    if (!out) return out.error();
    Status st = (*out)->write({reinterpret_cast<const uint8_t *>(text.data()), text.size()});
    (void)(*out)->close();  // FFmpeg reports the write, not the close
    return st;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, DigestFree> md_;
};

}  // namespace

ProtocolInfo md5_protocol() { return ProtocolInfo::of<Md5Protocol>("md5"); }

}  // namespace avio::protocols
