// Protocols defined by the tests to reach parts of the protocol contract
// that no built-in local protocol exercises: an open that blocks, a
// listening protocol with a scripted handshake, and a source that records
// the size of every read.
#ifndef AVIO_TESTS_URL_TEST_PROTOCOLS_HPP
#define AVIO_TESTS_URL_TEST_PROTOCOLS_HPP

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "avio/protocol.hpp"

namespace avio_test {

// "block:": open waits for a descriptor that never becomes ready (a pipe
// nobody writes), as a TCP connect to a silent host or a DNS lookup would,
// through the one wait of the contract. Ends only by the interrupt, the
// token or the open deadline (-ETIMEDOUT).
class BlockingOpenProtocol final : public avio::Protocol {
 public:
  ~BlockingOpenProtocol() override {
    if (fds_[0] >= 0) ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  avio::Status open(avio::UrlContext &h, const avio::OpenRequest &request) override {
    if (pipe(fds_) != 0) return avio::Error(-errno, "block: pipe");
    if (avio::Status st = h.wait_ready(fds_[0], POLLIN, request.deadline, -ETIMEDOUT, "open"); !st) return st;
    return avio::Error(-EIO, "block: the pipe became readable");
  }
  avio::Result<size_t> read(avio::UrlContext &, std::span<uint8_t>) override { return avio::Error::eof(); }

 private:
  int fds_[2] = {-1, -1};
};

// "listen:N": a listening protocol. Each accept hands out a client whose
// handshake takes N steps (> 0 while in progress, 0 when done); the option
// fail_at=K makes step K fail with -EPROTO. A handshaken client reads
// "client <index>"; accept fails with -EAGAIN after `max_clients`.
class ListeningProtocol final : public avio::Protocol {
 public:
  static constexpr avio::OptionSpec kOptions[] = {
      {"fail_at", avio::OptionType::kInt, "0", 0, 100, "handshake step that fails (0: none)"},
      {"max_clients", avio::OptionType::kInt, "3", 0, 100, "clients before accept fails"},
  };

  class Client final : public avio::Protocol {
   public:
    Client(int index, int steps, int fail_at) : index_(index), steps_(steps), fail_at_(fail_at) {}
    avio::Status open(avio::UrlContext &, const avio::OpenRequest &) override {
      return avio::Error(-EINVAL, "a client is made by accept, not opened");
    }
    avio::StreamProperties stream_properties() const override { return {.streamed = true}; }
    avio::Result<int> handshake(avio::UrlContext &) override {
      ++step_;
      if (step_ == fail_at_) return avio::Error(-EPROTO, "listen: handshake step " + std::to_string(step_) + " failed");
      return steps_ - step_;
    }
    avio::Result<size_t> read(avio::UrlContext &, std::span<uint8_t> dst) override {
      if (step_ < steps_) return avio::Error(-EAGAIN, "listen: read before the handshake is done");
      const std::string text = "client " + std::to_string(index_);
      if (pos_ >= text.size()) return avio::Error::eof();
      const size_t n = std::min(dst.size(), text.size() - pos_);
      std::memcpy(dst.data(), text.data() + pos_, n);
      pos_ += n;
      return n;
    }
    avio::Status close(avio::UrlContext &) override {
      ++closed_clients;
      return {};
    }

   private:
    int index_, steps_, fail_at_, step_ = 0;
    size_t pos_ = 0;
  };

  static inline int closed_clients = 0;

  avio::Status open(avio::UrlContext &h, const avio::OpenRequest &request) override {
    steps_ = std::stoi(std::string(request.target));
    fail_at_ = static_cast<int>(h.options().integer("fail_at"));
    max_clients_ = static_cast<int>(h.options().integer("max_clients"));
    return {};
  }
  avio::StreamProperties stream_properties() const override { return {.streamed = true}; }
  avio::Result<size_t> read(avio::UrlContext &, std::span<uint8_t>) override { return avio::Error::eof(); }
  avio::Result<std::unique_ptr<avio::Protocol>> accept(avio::UrlContext &) override {
    if (accepted_ == max_clients_) return avio::Error(-EAGAIN, "listen: no more clients");
    return std::unique_ptr<avio::Protocol>(std::make_unique<Client>(accepted_++, steps_, fail_at_));
  }

 private:
  int steps_ = 0, fail_at_ = 0, max_clients_ = 0, accepted_ = 0;
};

// "export:TYPE": a protocol with an exported option, as http's mime_type:
// open publishes TYPE into mime_type, which callers read and cannot set.
// reply_code is an ordinary option (as http's, which a server sets after
// accept); each read publishes it back into last_code (exported too).
class ExportingProtocol final : public avio::Protocol {
 public:
  static constexpr avio::OptionSpec kOptions[] = {
      {"mime_type", avio::OptionType::kString, "", 0, 0, "export the MIME type", true},
      {"reply_code", avio::OptionType::kInt, "200", 100, 599, "the code to answer"},
      {"last_code", avio::OptionType::kInt, "0", 0, 599, "export the code read last", true},
  };
  avio::Status open(avio::UrlContext &h, const avio::OpenRequest &request) override {
    return h.mutable_options().publish("mime_type", request.target);
  }
  avio::Result<size_t> read(avio::UrlContext &h, std::span<uint8_t>) override {
    avio::Status st = h.mutable_options().publish("last_code", std::to_string(h.options().integer("reply_code")));
    if (!st) return st.error();
    return avio::Error::eof();
  }
};

inline avio::ProtocolInfo exporting_protocol() {
  return avio::ProtocolInfo::of<ExportingProtocol>("export", {.options = ExportingProtocol::kOptions});
}

// "count:N": N bytes (byte i is i % 251) that cost only their copy, as a
// file's do (StreamProperties::read_ahead), seekable, recording the size of
// every read asked of it since the last open in read_sizes().
class CountingProtocol final : public avio::Protocol {
 public:
  static std::vector<size_t> &read_sizes() {
    static std::vector<size_t> sizes;
    return sizes;
  }
  static uint8_t byte_at(int64_t i) { return static_cast<uint8_t>(i % 251); }

  avio::Status open(avio::UrlContext &, const avio::OpenRequest &request) override {
    size_ = std::stoll(std::string(request.target));
    read_sizes().clear();
    return {};
  }
  avio::StreamProperties stream_properties() const override { return {.read_ahead = true}; }
  avio::Result<size_t> read(avio::UrlContext &, std::span<uint8_t> dst) override {
    read_sizes().push_back(dst.size());
    if (pos_ >= size_) return avio::Error::eof();
    const size_t n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(dst.size()), size_ - pos_));
    for (size_t i = 0; i < n; ++i) dst[i] = byte_at(pos_ + static_cast<int64_t>(i));
    pos_ += static_cast<int64_t>(n);
    return n;
  }
  avio::Result<int64_t> seek(avio::UrlContext &, int64_t offset, int whence) override {
    if (whence == avio::kSeekSizeQuery) return size_;
    const int64_t to = offset + (whence == avio::kSeekCur ? pos_ : whence == avio::kSeekEnd ? size_ : 0);
    if (to < 0) return avio::Error(-EINVAL);
    return pos_ = to;
  }

 private:
  int64_t size_ = 0, pos_ = 0;
};

inline avio::ProtocolInfo counting_protocol() { return avio::ProtocolInfo::of<CountingProtocol>("count"); }
inline avio::ProtocolInfo blocking_open_protocol() { return avio::ProtocolInfo::of<BlockingOpenProtocol>("block"); }
inline avio::ProtocolInfo listening_protocol() {
  return avio::ProtocolInfo::of<ListeningProtocol>("listen", {.options = ListeningProtocol::kOptions});
}

}  // namespace avio_test

#endif  // AVIO_TESTS_URL_TEST_PROTOCOLS_HPP
