/* A program that uses libavformat's demuxers beside AVIO (in the manner of
 * FFmpeg's doc/examples/avio_read_callback.c: a custom AVIOContext as the
 * AVFormatContext's pb). It is valid against FFmpeg, and must NOT compile
 * against avio_c, which has no demuxers: check_ffmpeg_programs.sh expects
 * the compile error "avio_c has no demuxers or muxers: link FFmpeg's
 * libavformat for avformat_open_input" (avio/c/unavailable.h). */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavformat/avio.h>

static int read_nothing(void *opaque, uint8_t *buf, int size) {
  (void)opaque;
  (void)buf;
  (void)size;
  return AVERROR_EOF;
}

int main(void) {
  AVFormatContext *fmt = avformat_alloc_context();
  unsigned char *buffer = av_malloc(4096);
  AVIOContext *pb = avio_alloc_context(buffer, 4096, 0, NULL, read_nothing, NULL, NULL);
  AVPacket *pkt = av_packet_alloc();
  int ret;

  fmt->pb = pb;
  ret = avformat_open_input(&fmt, NULL, NULL, NULL);
  if (ret >= 0) {
    while (av_read_frame(fmt, pkt) >= 0) av_packet_unref(pkt);
    avformat_close_input(&fmt);
  }
  av_packet_free(&pkt);
  av_freep(&pb->buffer);
  avio_context_free(&pb);
  return ret < 0;
}
