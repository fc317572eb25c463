// PcmWriter: interleaved PCM to an IOContext, as a WAV file or raw.
//
// A WAV header goes out first with the sizes a stream of unknown length
// carries (0xFFFFFFFF); `finish` seeks back and writes the real sizes when
// the output can seek. So an output abandoned halfway never has a header
// that claims a complete file, and a pipe still gets a header players accept.
#ifndef AVIO_TOOLS_PCM_WRITER_HPP
#define AVIO_TOOLS_PCM_WRITER_HPP

#include <cstdint>
#include <span>

#include "audio_decoder.hpp"
#include "avio/error.hpp"
#include "avio/io_context.hpp"

namespace avio::tools {

enum class PcmContainer { kWav, kRaw };

class PcmWriter {
 public:
  // Writes the header (for WAV). `out` must outlive the writer.
  static Result<PcmWriter> start(IOContext &out, PcmContainer container, const PcmFormat &format);

  Status write(std::span<const uint8_t> pcm);
  // Patches the WAV header when `out` can seek, and flushes. Does not close `out`.
  Status finish();
  int64_t data_bytes() const { return data_bytes_; }
  // True once finish() wrote the real sizes into the header.
  bool header_patched() const { return header_patched_; }

 private:
  PcmWriter(IOContext &out, PcmContainer container, const PcmFormat &format)
      : out_(&out), container_(container), format_(format) {}
  void write_wav_header(uint32_t riff_size, uint32_t data_size);

  IOContext *out_;
  PcmContainer container_;
  PcmFormat format_;
  int64_t header_start_ = 0;
  int64_t data_start_ = 0;
  int64_t data_bytes_ = 0;
  bool header_patched_ = false;
};

}  // namespace avio::tools

#endif  // AVIO_TOOLS_PCM_WRITER_HPP
