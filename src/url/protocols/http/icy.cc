#include "icy.hpp"

#include <algorithm>
#include <cstring>

namespace avio::protocols::http {

size_t IcyDemuxer::copy_audio(std::span<const uint8_t> in, std::span<uint8_t> out) {
  const size_t n = std::min({in.size(), out.size(), static_cast<size_t>(audio_left_)});
  if (n > 0) std::memcpy(out.data(), in.data(), n);
  audio_left_ -= static_cast<int64_t>(n);
  return n;
}

void IcyDemuxer::start_block(uint8_t length_byte) {
  metadata_left_ = size_t{length_byte} * 16;
  block_.clear();
  if (metadata_left_ == 0) audio_left_ = metaint_;  // L = 0: the metadata has not changed
}

size_t IcyDemuxer::take_metadata(std::span<const uint8_t> in) {
  const size_t n = std::min(in.size(), metadata_left_);
  block_.append(reinterpret_cast<const char *>(in.data()), n);
  metadata_left_ -= n;
  if (metadata_left_ == 0) {
    packet_.assign(block_, 0, block_.find('\0'));  // up to the first NUL, as FFmpeg's av_opt_set sees it
    changed_ = true;
    ++blocks_;
    audio_left_ = metaint_;
  }
  return n;
}

Result<size_t> IcyDemuxer::decode(std::span<const uint8_t> in, size_t *consumed, std::span<uint8_t> out) {
  if (metaint_ <= 0) {
    const size_t n = std::min(in.size(), out.size());
    if (n > 0) std::memcpy(out.data(), in.data(), n);
    *consumed = n;
    return n;
  }
  size_t used = 0, written = 0;
  while (used < in.size()) {
    if (metadata_left_ > 0) {
      used += take_metadata(in.subspan(used));
    } else if (audio_left_ == 0) {
      start_block(in[used++]);
    } else {
      if (written == out.size()) break;
      const size_t n = copy_audio(in.subspan(used), out.subspan(written));
      used += n;
      written += n;
    }
  }
  *consumed = used;
  return written;
}

std::vector<std::pair<std::string, std::string>> parse_icy_metadata(std::string_view packet) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!packet.empty()) {
    const size_t open = packet.find("='");
    if (open == std::string_view::npos) break;
    const size_t close = packet.find("';", open + 2);
    if (close == std::string_view::npos) break;
    pairs.emplace_back(packet.substr(0, open), packet.substr(open + 2, close - open - 2));
    packet.remove_prefix(close + 2);
  }
  return pairs;
}

}  // namespace avio::protocols::http
