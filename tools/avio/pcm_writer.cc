#include "pcm_writer.hpp"

#include <limits>

namespace avio::tools {

namespace {

constexpr uint32_t kUnknownSize = 0xFFFFFFFF;
constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatFloat = 3;
constexpr uint16_t kFormatExtensible = 0xFFFE;
// The tail of the KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT GUIDs after the
// 16-bit format tag (mmreg.h).
constexpr uint8_t kGuidTail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

void fourcc(IOContext &out, const char (&tag)[5]) { out.write({reinterpret_cast<const uint8_t *>(tag), 4}); }

}  // namespace

Result<PcmWriter> PcmWriter::start(IOContext &out, PcmContainer container, const PcmFormat &format) {
  PcmWriter writer(out, container, format);
  writer.header_start_ = out.tell();
  if (container == PcmContainer::kWav) writer.write_wav_header(kUnknownSize, kUnknownSize);
  writer.data_start_ = out.tell();
  if (Status st = out.status(); !st) return st.error();
  return writer;
}

// A canonical RIFF/WAVE header; WAVE_FORMAT_EXTENSIBLE for more than two
// channels, where the plain header cannot say which channel is which.
void PcmWriter::write_wav_header(uint32_t riff_size, uint32_t data_size) {
  IOContext &out = *out_;
  const bool extensible = format_.channels > 2;
  const uint16_t tag = format_.format == SampleFormat::kFloat ? kFormatFloat : kFormatPcm;
  const uint16_t bits = static_cast<uint16_t>(8 * bytes_per_sample(format_.format));
  const uint16_t block_align = static_cast<uint16_t>(format_.frame_bytes());
  fourcc(out, "RIFF");
  out.wl32(riff_size);
  fourcc(out, "WAVE");
  fourcc(out, "fmt ");
  out.wl32(extensible ? 40 : 16);
  out.wl16(extensible ? kFormatExtensible : tag);
  out.wl16(static_cast<uint16_t>(format_.channels));
  out.wl32(static_cast<uint32_t>(format_.sample_rate));
  out.wl32(static_cast<uint32_t>(format_.sample_rate) * block_align);
  out.wl16(block_align);
  out.wl16(bits);
  if (extensible) {
    out.wl16(22);    // the size of the extension
    out.wl16(bits);  // valid bits per sample
    out.wl32(static_cast<uint32_t>(format_.channel_mask));
    out.wl16(tag);
    out.write(kGuidTail);
  }
  fourcc(out, "data");
  out.wl32(data_size);
}

Status PcmWriter::write(std::span<const uint8_t> pcm) {
  out_->write(pcm);
  data_bytes_ += static_cast<int64_t>(pcm.size());
  return out_->status();
}

Status PcmWriter::finish() {
  IOContext &out = *out_;
  if (container_ == PcmContainer::kWav && out.seekable()) {
    const int64_t end = out.tell();
    // RIFF sizes are 32-bit; a longer stream keeps the "unknown" markers.
    const int64_t riff = end - header_start_ - 8;
    if (riff <= std::numeric_limits<uint32_t>::max() - 1) {
      if (Result<int64_t> pos = out.seek(header_start_); !pos) return pos.error();
      write_wav_header(static_cast<uint32_t>(riff), static_cast<uint32_t>(data_bytes_));
      if (Result<int64_t> pos = out.seek(end); !pos) return pos.error();
      header_patched_ = true;
    }
  }
  out.flush();
  return out.status();
}

}  // namespace avio::tools
