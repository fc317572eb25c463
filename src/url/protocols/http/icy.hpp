// ICY (SHOUTcast/Icecast) in-band metadata, as FFmpeg's http.c strips it
// (store_icy, update_metadata): after every `metaint` bytes of audio comes
// one length byte L, then L * 16 bytes of metadata ("StreamTitle='...';",
// padded with NULs). The demuxer passes the audio through and keeps the
// latest metadata block. In FFmpeg this runs over the body after any
// Content-Encoding is undone. Nothing here does I/O.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_ICY_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_ICY_HPP

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "avio/error.hpp"

namespace avio::protocols::http {

class IcyDemuxer {
 public:
  // `metaint`: the Icy-MetaInt header's value. With metaint <= 0 there is no
  // metadata and the stream passes through unchanged (FFmpeg strips nothing
  // then either).
  explicit IcyDemuxer(int64_t metaint) : metaint_(metaint), audio_left_(metaint) {}

  // Consumes stream bytes from `in` and writes the audio among them to
  // `out`, as ChunkedDecoder::decode does: returns the bytes written and sets
  // *consumed (all of `in` unless `out` filled up; a metadata block is
  // consumed even when `out` is full, so the return value may be 0 with
  // input consumed). Never fails; the Result is for symmetry with the other
  // body decoders.
  Result<size_t> decode(std::span<const uint8_t> in, size_t *consumed, std::span<uint8_t> out);

  // FFmpeg's `icy_metadata_packet`: the latest block with L > 0, up to its
  // first NUL (FFmpeg stores the block as a C string, so the NUL padding,
  // and anything after an inner NUL, is cut). A block with L = 0 keeps it.
  const std::string &metadata_packet() const { return packet_; }
  // Whether a block with L > 0 arrived since the last call (even one that
  // repeats the packet: FFmpeg re-sets its option for each); clears the flag.
  bool metadata_changed() { return std::exchange(changed_, false); }
  // Blocks with L > 0 seen so far.
  int64_t metadata_blocks() const { return blocks_; }
  int64_t metaint() const { return metaint_; }

 private:
  size_t copy_audio(std::span<const uint8_t> in, std::span<uint8_t> out);
  size_t take_metadata(std::span<const uint8_t> in);
  void start_block(uint8_t length_byte);

  int64_t metaint_;
  int64_t audio_left_;        // audio bytes before the next length byte
  size_t metadata_left_ = 0;  // bytes of the current block still to come
  std::string block_;
  std::string packet_;
  bool changed_ = false;
  int64_t blocks_ = 0;
};

// FFmpeg's update_metadata: the "key='value';" pairs of a metadata packet
// ("StreamTitle='Song';StreamUrl='';"), in order; parsing stops at the first
// pair without "='" or without a closing "';". A value may hold quotes
// ("StreamTitle='It's';" gives "It's").
std::vector<std::pair<std::string, std::string>> parse_icy_metadata(std::string_view packet);

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_ICY_HPP
