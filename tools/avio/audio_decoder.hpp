// AudioDecoder: demuxes and decodes the audio of an input that FFmpeg reads
// through an AVIOContext, and converts it to interleaved PCM.
//
// FFmpeg does the work: libavformat probes and demuxes, libavcodec decodes,
// libswresample converts to the requested sample format, rate and channel
// count. The decoder's output is meant to be what `ffmpeg -i INPUT -f s16le -`
// prints, sample for sample, so it adds nothing of its own: no filtering, no
// timestamp correction.
//
// Damage is an error, not a shorter output: a demuxer or decoder error, a
// log message of error severity from either, or fewer samples than the
// container's header promises (a truncated WAV, FLAC or MP4) ends decoding
// with an Error that says which. Callers learn about it before they would
// declare their output complete.
#ifndef AVIO_TOOLS_AUDIO_DECODER_HPP
#define AVIO_TOOLS_AUDIO_DECODER_HPP

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "avio/error.hpp"
#include "avio/protocol.hpp"

struct AVIOContext;

namespace avio::tools {

enum class SampleFormat { kS16, kS32, kFloat };

// "s16", "s32", "flt".
const char *sample_format_name(SampleFormat format);
int bytes_per_sample(SampleFormat format);

// What the input holds, as found when opening it.
struct SourceInfo {
  std::string container;       // the demuxer's name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string container_long;  // its long name
  std::string codec;           // the decoder's name, e.g. "mp3float"
  std::string sample_format;   // the decoder's sample format, e.g. "fltp"
  std::string channel_layout;  // e.g. "stereo"
  int sample_rate = 0;
  int channels = 0;
  int64_t duration_us = -1;       // -1 when unknown
  int64_t expected_samples = -1;  // per channel, when the header states it
};

// The PCM wanted. Zero means "as the source".
struct OutputSpec {
  SampleFormat format = SampleFormat::kS16;
  int sample_rate = 0;
  int channels = 0;
};

// The PCM actually produced (the spec with the source's values filled in).
struct PcmFormat {
  SampleFormat format = SampleFormat::kS16;
  int sample_rate = 0;
  int channels = 0;
  uint64_t channel_mask = 0;  // WAVEFORMATEXTENSIBLE's speaker bits; 0 if unknown
  int frame_bytes() const { return channels * bytes_per_sample(format); }
};

class AudioDecoder {
 public:
  // Receives interleaved PCM; an error stops decoding and is returned by run().
  using Sink = std::function<Status(std::span<const uint8_t>)>;
  // Called after each packet; cheap enough to call often.
  using Progress = std::function<void()>;

  // Probes and opens the input `pb` (which must outlive the decoder) and
  // the decoder of its best audio stream. Errors: not a media file, no audio
  // stream, no decoder; `errors_from` turns libav* codes into Errors (the
  // bridge's error_from, so that I/O errors keep avio's detail).
  using ErrorFrom = std::function<Error(int code, std::string_view context)>;
  // Told, when the container indexes its packets up front (MP4's moov), the
  // byte ranges of the audio it will read, in order (avio::will_read).
  using WillRead = std::function<void(std::span<const ByteRange>)>;
  static Result<AudioDecoder> open(AVIOContext *pb, ErrorFrom errors_from, const WillRead &will_read = {});

  AudioDecoder(AudioDecoder &&) noexcept;
  AudioDecoder &operator=(AudioDecoder &&) noexcept;
  ~AudioDecoder();

  const SourceInfo &source() const;
  // Sets up the conversion; the result is the PCM that run() will deliver.
  Result<PcmFormat> configure(const OutputSpec &spec);
  // Decodes to the end, converting and handing the PCM to `sink`.
  Status run(const Sink &sink, const Progress &progress);
  // Samples per channel delivered so far.
  int64_t samples_written() const;
  // Samples per channel decoded so far, at the source's rate.
  int64_t samples_decoded() const;

 private:
  struct Impl;
  explicit AudioDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace avio::tools

#endif  // AVIO_TOOLS_AUDIO_DECODER_HPP
