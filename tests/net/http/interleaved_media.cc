#include "interleaved_media.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "nginx_fixture.hpp"

namespace avio_http_test {
namespace {

std::string spec_text(const MediaSpec &s) {
  return "seconds=" + std::to_string(s.seconds) + " video_kbps=" + std::to_string(s.video_kbps) +
         " chunk_seconds=" + std::to_string(s.chunk_seconds) + " layout=1\n";
}

std::string read_text(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string lavf_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

struct InputCloser {
  void operator()(AVFormatContext *c) const { avformat_close_input(&c); }
};
struct OutputCloser {
  void operator()(AVFormatContext *c) const {
    if (c->pb) avio_closep(&c->pb);
    avformat_free_context(c);
  }
};
struct PacketFree {
  void operator()(AVPacket *p) const { av_packet_free(&p); }
};
using Packet = std::unique_ptr<AVPacket, PacketFree>;

// Copies every packet of `src` into `dst`, written stream by stream in
// chunks of `chunk_seconds` (video first), not interleaved by timestamp.
std::string remux_in_chunks(const std::string &src, const std::string &dst, double chunk_seconds) {
  AVFormatContext *raw_in = nullptr;
  if (int r = avformat_open_input(&raw_in, src.c_str(), nullptr, nullptr); r < 0)
    return "open " + src + ": " + lavf_error(r);
  std::unique_ptr<AVFormatContext, InputCloser> in(raw_in);
  if (int r = avformat_find_stream_info(in.get(), nullptr); r < 0) return "probe " + src + ": " + lavf_error(r);
  AVFormatContext *raw_out = nullptr;
  if (int r = avformat_alloc_output_context2(&raw_out, nullptr, "mp4", dst.c_str()); r < 0) return lavf_error(r);
  std::unique_ptr<AVFormatContext, OutputCloser> out(raw_out);
  std::vector<int> order;  // stream indices, video first
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    AVStream *os = avformat_new_stream(out.get(), nullptr);
    if (!os || avcodec_parameters_copy(os->codecpar, in->streams[i]->codecpar) < 0) return "cannot copy a stream";
    os->codecpar->codec_tag = 0;
    os->time_base = in->streams[i]->time_base;
    if (in->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
      order.insert(order.begin(), static_cast<int>(i));
    } else {
      order.push_back(static_cast<int>(i));
    }
  }
  if (int r = avio_open(&out->pb, dst.c_str(), AVIO_FLAG_WRITE); r < 0) return "create " + dst + ": " + lavf_error(r);
  if (int r = avformat_write_header(out.get(), nullptr); r < 0) return "mp4 header: " + lavf_error(r);
  std::vector<std::vector<Packet>> packets(in->nb_streams);
  for (;;) {
    Packet p(av_packet_alloc());
    const int r = av_read_frame(in.get(), p.get());
    if (r == AVERROR_EOF) break;
    if (r < 0) return "read " + src + ": " + lavf_error(r);
    packets[static_cast<size_t>(p->stream_index)].push_back(std::move(p));
  }
  std::vector<size_t> next(in->nb_streams, 0);
  for (int chunk = 0;; ++chunk) {
    bool left = false;
    const double end = (chunk + 1) * chunk_seconds;
    for (int s : order) {
      const auto index = static_cast<size_t>(s);
      const AVRational tb = in->streams[index]->time_base;
      std::vector<Packet> &list = packets[index];
      while (next[index] < list.size()) {
        AVPacket *p = list[next[index]].get();
        const int64_t ts = p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
        if (ts != AV_NOPTS_VALUE && static_cast<double>(ts) * av_q2d(tb) >= end) break;
        av_packet_rescale_ts(p, tb, out->streams[index]->time_base);
        if (int r = av_write_frame(out.get(), p); r < 0) return "mp4 packet: " + lavf_error(r);
        ++next[index];
      }
      left = left || next[index] < list.size();
    }
    if (!left) break;
  }
  if (int r = av_write_trailer(out.get()); r < 0) return "mp4 trailer: " + lavf_error(r);
  return {};
}

// The offset of the first top-level box of `type`, or -1.
int64_t top_level_box(const std::string &path, const char *type) {
  std::ifstream in(path, std::ios::binary);
  int64_t at = 0;
  for (;;) {
    unsigned char head[16];
    in.seekg(at);
    if (!in.read(reinterpret_cast<char *>(head), 8)) return -1;
    uint64_t size = 0;
    for (int i = 0; i < 4; ++i) size = size << 8 | head[i];
    if (std::equal(head + 4, head + 8, type)) return at;
    if (size == 1) {
      if (!in.read(reinterpret_cast<char *>(head + 8), 8)) return -1;
      size = 0;
      for (int i = 8; i < 16; ++i) size = size << 8 | head[i];
    }
    if (size < 8) return -1;
    at += static_cast<int64_t>(size);
  }
}

template <class T>
T median(std::vector<T> v) {
  if (v.empty()) return T{};
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

std::string make_interleaved_mp4(const std::string &ffmpeg, const std::string &path, const MediaSpec &spec) {
  namespace fs = std::filesystem;
  const std::string stamp = path + ".spec";
  std::error_code ec;
  if (fs::exists(path, ec) && read_text(stamp) == spec_text(spec)) return {};
  const std::string encoded = path + ".encoded.mp4";
  const avio_http_test::CommandResult r =
      avio_http_test::run_command({ffmpeg,         "-nostdin",
                                   "-hide_banner", "-loglevel",
                                   "error",        "-y",
                                   "-f",           "lavfi",
                                   "-i",           "testsrc2=size=1280x720:rate=25",
                                   "-f",           "lavfi",
                                   "-i",           "sine=frequency=440:sample_rate=48000",
                                   "-t",           std::to_string(spec.seconds),
                                   "-map",         "0:v",
                                   "-map",         "1:a",
                                   "-c:v",         "mpeg4",
                                   "-b:v",         std::to_string(spec.video_kbps) + "k",
                                   "-c:a",         "aac",
                                   "-b:a",         "128k",
                                   "-ac",          "2",
                                   encoded},
                                  std::chrono::minutes(5));
  if (r.exit_code != 0) return "ffmpeg could not encode the media: " + r.err;
  const std::string tmp = path + ".tmp.mp4";
  std::string why = remux_in_chunks(encoded, tmp, spec.chunk_seconds);
  fs::remove(encoded, ec);
  if (!why.empty()) return why;
  fs::rename(tmp, path, ec);
  if (ec) return "cannot rename " + tmp + ": " + ec.message();
  std::ofstream(stamp) << spec_text(spec);
  return {};
}

Interleave check_interleave(const std::string &path) {
  Interleave out;
  std::error_code ec;
  out.size = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  out.moov_offset = top_level_box(path, "moov");
  AVFormatContext *raw = nullptr;
  if (int r = avformat_open_input(&raw, path.c_str(), nullptr, nullptr); r < 0) {
    out.error = "open " + path + ": " + lavf_error(r);
    return out;
  }
  std::unique_ptr<AVFormatContext, InputCloser> in(raw);
  std::vector<double> durations;
  std::vector<int64_t> gaps;
  for (unsigned s = 0; s < in->nb_streams; ++s) {
    AVStream *st = in->streams[s];
    const bool audio = st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO;
    const int n = avformat_index_get_entries_count(st);
    int64_t chunk_start_ts = 0;
    int64_t prev_end = -1;
    for (int i = 0; i < n; ++i) {
      const AVIndexEntry *e = avformat_index_get_entry(st, i);
      if (audio) out.audio_bytes += e->size;
      if (e->pos == prev_end) {
        prev_end = e->pos + e->size;
        continue;
      }
      // A new chunk.
      if (audio) {
        ++out.audio_chunks;
        if (prev_end >= 0) {
          gaps.push_back(e->pos - prev_end);
          durations.push_back(static_cast<double>(e->timestamp - chunk_start_ts) * av_q2d(st->time_base));
        }
        chunk_start_ts = e->timestamp;
      } else {
        ++out.video_chunks;
      }
      prev_end = e->pos + e->size;
    }
  }
  out.audio_chunk_seconds = median(durations);
  out.gap_bytes = median(gaps);
  if (out.audio_chunks < 2) out.error = "the audio is not in separate chunks";
  return out;
}

std::string Interleave::describe() const {
  char text[400];
  std::snprintf(text, sizeof text,
                "%.1f MB, moov at %.1f MB (%s), %d audio chunks of %.1f s (median) with %.1f MB of video between "
                "one and the next, %d video chunks; %.2f MB of audio in all",
                static_cast<double>(size) / 1e6, static_cast<double>(moov_offset) / 1e6,
                moov_offset > size / 2 ? "at the end" : "not at the end", audio_chunks, audio_chunk_seconds,
                static_cast<double>(gap_bytes) / 1e6, video_chunks, static_cast<double>(audio_bytes) / 1e6);
  return text;
}

}  // namespace avio_http_test
