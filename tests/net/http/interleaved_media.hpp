// A poorly interleaved MP4, the input of the remote benchmark's seek-heavy
// demux and of the tests of decode-audio's reads through the block cache.
// ffmpeg encodes `seconds` of 1280x720 video (mpeg4) and stereo AAC audio;
// libavformat then remuxes the packets (stream copy: the samples are
// ffmpeg's) in chunks: `chunk_seconds` of video, then the same seconds of
// audio, and so on, with the moov at the end (the mp4 muxer's default). An
// audio-only reader thus finds each audio chunk megabytes of video after the
// last one. The ffmpeg command-line tool cannot write such a file itself: it
// always interleaves by timestamp.
#ifndef AVIO_TESTS_NET_HTTP_INTERLEAVED_MEDIA_HPP
#define AVIO_TESTS_NET_HTTP_INTERLEAVED_MEDIA_HPP

#include <cstdint>
#include <string>

namespace avio_http_test {

struct MediaSpec {
  int seconds = 60;
  int video_kbps = 6500;
  double chunk_seconds = 5;
};

// Makes `path` (unless a file from the same spec is there: a stamp beside
// it records the spec). "" on success, else what failed.
std::string make_interleaved_mp4(const std::string &ffmpeg, const std::string &path, const MediaSpec &spec);

// The layout of the file's samples, from libavformat's index (the stco /
// stsc / stsz tables): the audio chunks and the bytes between them.
struct Interleave {
  int64_t size = 0;
  int64_t moov_offset = -1;  // where the moov box starts (-1: not found at the top level)
  int audio_chunks = 0;      // runs of contiguous audio samples
  int video_chunks = 0;
  double audio_chunk_seconds = 0;  // median duration of an audio chunk
  int64_t gap_bytes = 0;           // median bytes between one audio chunk's end and the next's start
  int64_t audio_bytes = 0;         // all audio samples
  std::string error;
  std::string describe() const;
};
Interleave check_interleave(const std::string &path);

}  // namespace avio_http_test

#endif  // AVIO_TESTS_NET_HTTP_INTERLEAVED_MEDIA_HPP
