// crypto: AES-128-CBC over another URL ("crypto:URL" or "crypto+URL"),
// FFmpeg's crypto.c: PKCS#7 padding, reads decrypt, writes encrypt, and a
// read context seeks by re-reading from the block before the target.
#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "builtins.hpp"

namespace avio::protocols {

namespace {

constexpr int kBlock = 16;
constexpr int kBufferBlocks = 257;

constexpr OptionSpec kCryptoOptions[] = {
    {"key", OptionType::kBinary, "", 0, 0, "AES encryption/decryption key"},
    {"iv", OptionType::kBinary, "", 0, 0, "AES encryption/decryption initialization vector"},
    {"decryption_key", OptionType::kBinary, "", 0, 0, "AES decryption key"},
    {"decryption_iv", OptionType::kBinary, "", 0, 0, "AES decryption initialization vector"},
    {"encryption_key", OptionType::kBinary, "", 0, 0, "AES encryption key"},
    {"encryption_iv", OptionType::kBinary, "", 0, 0, "AES encryption initialization vector"},
};

struct CipherFree {
  void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};
using Cipher = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

// The specific option, else the shared one; either must be one AES block.
Result<std::vector<uint8_t>> aes_arg(const OptionValues &o, const char *specific, const char *shared,
                                     const char *what) {
  std::span<const uint8_t> v = o.binary(specific);
  if (v.empty()) v = o.binary(shared);
  if (v.empty())
    return Error(-EINVAL, std::string("crypto: ") + what + " not set (options '" + specific + "' or '" + shared + "')");
  if (v.size() != kBlock)
    return Error(-EINVAL, std::string("crypto: invalid ") + what + " size (" + std::to_string(v.size()) +
                              " bytes, the AES block size is 16)");
  return std::vector<uint8_t>(v.begin(), v.end());
}

// The key or IV in effect, exported back into its option as FFmpeg's
// set_aes_arg copies it (av_opt_get(pb, "decryption_key", ...) reads it).
void publish_arg(UrlContext &h, const char *option, const std::vector<uint8_t> &v) {
  static const char kDigits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t b : v) text.append(1, kDigits[b >> 4]).append(1, kDigits[b & 15]);
  (void)h.mutable_options().publish(option, text);  // a declared binary option: cannot fail
}

Result<Cipher> make_cipher(const std::vector<uint8_t> &key, const std::vector<uint8_t> &iv, bool encrypt) {
  Cipher c(EVP_CIPHER_CTX_new());
  if (!c) return Error(-ENOMEM, "crypto: cannot allocate a cipher");
  if (EVP_CipherInit_ex(c.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv.data(), encrypt ? 1 : 0) != 1)
    return Error(kExternal, "crypto: OpenSSL refused the key");
  EVP_CIPHER_CTX_set_padding(c.get(), 0);  // PKCS#7 is handled here, block by block
  return c;
}

// Runs whole blocks through the cipher (the CBC chain continues across calls).
void crypt_blocks(EVP_CIPHER_CTX *c, uint8_t *out, const uint8_t *in, int blocks) {
  int len = 0;
  if (blocks > 0) EVP_CipherUpdate(c, out, &len, in, blocks * kBlock);
}

class CryptoProtocol final : public Protocol {
 public:
  Status open(UrlContext &h, const OpenRequest &request) override {
    const int flags = request.flags;
    flags_ = flags;
    if (flags & kOpenRead) {
      Result<std::vector<uint8_t>> key = aes_arg(h.options(), "decryption_key", "key", "decryption key");
      if (!key) return key.error();
      Result<std::vector<uint8_t>> iv = aes_arg(h.options(), "decryption_iv", "iv", "decryption IV");
      if (!iv) return iv.error();
      decrypt_key_ = std::move(*key);
      decrypt_iv_ = std::move(*iv);
      publish_arg(h, "decryption_key", decrypt_key_);
      publish_arg(h, "decryption_iv", decrypt_iv_);
    }
    if (flags & kOpenWrite) {
      Result<std::vector<uint8_t>> key = aes_arg(h.options(), "encryption_key", "key", "encryption key");
      if (!key) return key.error();
      Result<std::vector<uint8_t>> iv = aes_arg(h.options(), "encryption_iv", "iv", "encryption IV");
      if (!iv) return iv.error();
      publish_arg(h, "encryption_key", *key);
      publish_arg(h, "encryption_iv", *iv);
      Result<Cipher> c = make_cipher(*key, *iv, true);
      if (!c) return c.error();
      encrypt_ = std::move(*c);
    }
    Result<std::unique_ptr<UrlContext>> inner = request.open_nested(request.target, flags, request.options);
    if (!inner) return inner.error();
    inner_ = std::move(*inner);
    if (flags & kOpenRead) {
      Result<Cipher> c = make_cipher(decrypt_key_, decrypt_iv_, false);
      if (!c) return c.error();
      decrypt_ = std::move(*c);
      if (inner_->stream().streamed) streamed_ = true;
    }
    if (flags & kOpenWrite) streamed_ = true;  // CBC output can only be written in order
    return {};
  }

  StreamProperties stream_properties() const override { return {.streamed = streamed_}; }

  Result<size_t> read(UrlContext &, std::span<uint8_t> dst) override {
    while (true) {
      if (outdata_ > 0) {
        const size_t n = std::min(dst.size(), static_cast<size_t>(outdata_));
        std::memcpy(dst.data(), out_ + outptr_, n);
        outptr_ += static_cast<int>(n);
        outdata_ -= static_cast<int>(n);
        position_ += static_cast<int64_t>(n);
        return n;
      }
      // The last block is held back until EOF: it carries the padding.
      while (indata_ - indata_used_ < 2 * kBlock) {
        Result<size_t> r = inner_->read({in_ + indata_, sizeof in_ - static_cast<size_t>(indata_)});
        if (!r || *r == 0) {
          eof_ = true;
          break;
        }
        indata_ += static_cast<int>(*r);
      }
      int blocks = (indata_ - indata_used_) / kBlock;
      if (!blocks) return Error::eof();
      if (!eof_) --blocks;
      crypt_blocks(decrypt_.get(), out_, in_ + indata_used_, blocks);
      outdata_ = kBlock * blocks;
      outptr_ = 0;
      indata_used_ += kBlock * blocks;
      if (indata_used_ >= static_cast<int>(sizeof in_) / 2) {
        std::memmove(in_, in_ + indata_used_, static_cast<size_t>(indata_ - indata_used_));
        indata_ -= indata_used_;
        indata_used_ = 0;
      }
      if (eof_) {
        // FFmpeg trusts the last byte; a count beyond the data ends the stream.
        const int padding = out_[outdata_ - 1];
        outdata_ = padding > outdata_ ? 0 : outdata_ - padding;
      }
    }
  }

  Result<int64_t> seek(UrlContext &h, int64_t pos, int whence) override {
    if (flags_ & kOpenWrite) return Error(-ESPIPE, "crypto: seeking is not supported when writing");
    eof_ = false;
    switch (whence) {
      case kSeekSet: break;
      case kSeekCur: pos += position_; break;
      case kSeekEnd: {
        Result<int64_t> size = inner_->seek(pos, kSeekSizeQuery);
        if (!size) return Error(size.error().code(), "crypto: the size of the nested URL is unknown");
        pos = *size - pos;
        break;
      }
      case kSeekSizeQuery: return inner_->seek(pos, kSeekSizeQuery);
      default: return Error(-EINVAL, "crypto: bad whence " + std::to_string(whence));
    }
    outdata_ = indata_ = indata_used_ = outptr_ = 0;
    int64_t block = pos / kBlock;
    if (block == 0) {
      // Unlike FFmpeg, which restores only an IV given as "iv", the seed IV
      // of whichever option supplied it comes back.
      EVP_CipherInit_ex(decrypt_.get(), nullptr, nullptr, nullptr, decrypt_iv_.data(), 0);
      position_ = 0;
    } else {
      // Decrypting the block before the target (into garbage) leaves its
      // ciphertext as the chaining value for the target block.
      --block;
      position_ = block * kBlock;
    }
    Result<int64_t> r = inner_->seek(position_, kSeekSet);
    if (!r) return Error(r.error().code(), "crypto: the nested URL cannot seek");
    int64_t left = pos - position_;
    while (left > 0) {
      uint8_t discard[2 * kBlock];
      Result<size_t> got = read(h, {discard, static_cast<size_t>(std::min<int64_t>(left, sizeof discard))});
      if (!got) break;
      left -= static_cast<int64_t>(*got);
    }
    if (left != 0) return Error(-EINVAL, "crypto: cannot seek to " + std::to_string(pos) + ", past the end");
    return position_;
  }

  Result<size_t> write(UrlContext &, std::span<const uint8_t> src) override {
    const int size = static_cast<int>(src.size());
    const int total = size + pad_len_;
    const int pad_len = total % kBlock;
    const int out_size = total - pad_len;
    int blocks = out_size / kBlock;
    if (out_size) {
      write_buf_.resize(static_cast<size_t>(out_size));
      if (pad_len_) {
        std::memcpy(pad_ + pad_len_, src.data(), static_cast<size_t>(kBlock - pad_len_));
        crypt_blocks(encrypt_.get(), write_buf_.data(), pad_, 1);
        --blocks;
      }
      crypt_blocks(encrypt_.get(), write_buf_.data() + (pad_len_ ? kBlock : 0),
                   src.data() + (pad_len_ ? kBlock - pad_len_ : 0), blocks);
      Status st = inner_->write(write_buf_);
      if (!st) return st.error();
      std::memcpy(pad_, src.data() + size - pad_len, static_cast<size_t>(pad_len));
    } else {
      std::memcpy(pad_ + pad_len_, src.data(), static_cast<size_t>(size));
    }
    pad_len_ = pad_len;
    return src.size();
  }

  Status close(UrlContext &) override {
    Status st;
    if (encrypt_ && inner_) {
      const int pad = kBlock - pad_len_;
      std::memset(pad_ + pad_len_, pad, static_cast<size_t>(pad));
      uint8_t last[kBlock];
      crypt_blocks(encrypt_.get(), last, pad_, 1);
      st = inner_->write(last);
    }
    if (inner_) {
      Status closed = inner_->close();
      if (st && !closed) st = closed;
    }
    return st;
  }

 private:
  bool streamed_ = false;
  int flags_ = 0;
  std::unique_ptr<UrlContext> inner_;
  std::vector<uint8_t> decrypt_key_, decrypt_iv_;
  Cipher decrypt_, encrypt_;
  uint8_t in_[kBlock * kBufferBlocks];
  uint8_t out_[kBlock * kBufferBlocks];
  int indata_ = 0, indata_used_ = 0, outdata_ = 0, outptr_ = 0;
  int64_t position_ = 0;
  bool eof_ = false;
  std::vector<uint8_t> write_buf_;
  uint8_t pad_[kBlock] = {};
  int pad_len_ = 0;
};

}  // namespace

ProtocolInfo crypto_protocol() {
  return ProtocolInfo::of<CryptoProtocol>("crypto", {.nested_scheme = true, .options = kCryptoOptions});
}

}  // namespace avio::protocols
