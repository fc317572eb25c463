/* The FFmpeg tutorial "AVIO memory input mode (avio_decode_audio)", written
 * so that it does not crash. Plain FFmpeg: this program uses libavformat,
 * libavcodec and libavutil only, not avio.
 *
 *   tutorial_decode_audio INPUT OUTPUT.f32le
 *
 * FFmpeg reads INPUT through a read callback over a FILE*, probes its
 * format (no seek callback: probing rewinds in FFmpeg's own buffer), decodes
 * the best audio stream and writes 32-bit float PCM, interleaved, to OUTPUT
 * (play it with `ffplay -f f32le -ar RATE -ch_layout stereo OUTPUT`).
 *
 * The original crashed at exit ("这里会崩溃, why?"). Probing frees the
 * buffer given to avio_alloc_context and installs another, so the
 * av_free(io_buffer) at the end freed it a second time. The fix is the last
 * block of main: free avio_ctx->buffer, the buffer in use now, and then the
 * context with avio_context_free, which the original never called. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/mem.h>
#include <stdio.h>
#include <stdlib.h>

#define IO_BUFFER_SIZE 20480

/* Refills FFmpeg's buffer from the file. At the end it must return
 * AVERROR_EOF: since FFmpeg 5, returning 0 means "no data yet" and makes
 * the demuxer spin. */
static int read_packet(void *opaque, uint8_t *buf, int buf_size) {
  FILE *in = opaque;
  size_t n = fread(buf, 1, (size_t)buf_size, in);
  if (n == 0) return ferror(in) ? AVERROR(EIO) : AVERROR_EOF;
  return (int)n;
}

/* Writes a planar or packed float frame as interleaved float samples. */
static int write_frame(FILE *out, const AVFrame *frame) {
  const int channels = frame->ch_layout.nb_channels;
  if (frame->format == AV_SAMPLE_FMT_FLT)
    return fwrite(frame->data[0], sizeof(float) * channels, frame->nb_samples, out) == (size_t)frame->nb_samples;
  if (frame->format != AV_SAMPLE_FMT_FLTP) return 0;
  for (int i = 0; i < frame->nb_samples; i++)
    for (int ch = 0; ch < channels; ch++)
      if (fwrite((const float *)frame->extended_data[ch] + i, sizeof(float), 1, out) != 1) return 0;
  return 1;
}

static int decode(AVCodecContext *dec, const AVPacket *pkt, AVFrame *frame, FILE *out) {
  int ret = avcodec_send_packet(dec, pkt);
  while (ret >= 0) {
    ret = avcodec_receive_frame(dec, frame);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return 0;
    if (ret < 0) break;
    if (!write_frame(out, frame)) {
      fprintf(stderr, "cannot write %s samples\n", av_get_sample_fmt_name(frame->format));
      ret = AVERROR(EIO);
    }
    av_frame_unref(frame);
  }
  return ret;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s INPUT OUTPUT.f32le\n", argv[0]);
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  FILE *out = fopen(argv[2], "wb");
  if (!in || !out) {
    perror(in ? argv[2] : argv[1]);
    return 1;
  }

  /* The buffer must come from av_malloc: FFmpeg may free and replace it. */
  unsigned char *io_buffer = av_malloc(IO_BUFFER_SIZE);
  AVIOContext *avio_ctx =
      io_buffer ? avio_alloc_context(io_buffer, IO_BUFFER_SIZE, 0, in, read_packet, NULL, NULL) : NULL;
  if (!avio_ctx) {
    av_free(io_buffer); /* not handed over yet: still ours */
    return 1;
  }
  AVFormatContext *fmt_ctx = avformat_alloc_context();
  fmt_ctx->pb = avio_ctx;
  fmt_ctx->flags |= AVFMT_FLAG_CUSTOM_IO;

  AVCodecContext *dec = NULL;
  AVPacket *pkt = av_packet_alloc();
  AVFrame *frame = av_frame_alloc();
  const AVCodec *codec = NULL;
  int stream = -1;
  int ret = avformat_open_input(&fmt_ctx, NULL, NULL, NULL); /* frees fmt_ctx on failure */
  if (ret >= 0) ret = avformat_find_stream_info(fmt_ctx, NULL);
  if (ret >= 0) ret = stream = av_find_best_stream(fmt_ctx, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (ret >= 0) {
    /* Unlike the tutorial, take the decoder's parameters from the stream. */
    dec = avcodec_alloc_context3(codec);
    ret = dec ? avcodec_parameters_to_context(dec, fmt_ctx->streams[stream]->codecpar) : AVERROR(ENOMEM);
  }
  /* The packets' time base lets the decoder trim the encoder's padding
   * (MP3 and AAC gapless playback), as ffmpeg does. */
  if (ret >= 0) dec->pkt_timebase = fmt_ctx->streams[stream]->time_base;
  if (ret >= 0) ret = avcodec_open2(dec, codec, NULL);
  if (ret >= 0) {
    fprintf(stderr, "%s: %s, %s, %d Hz, %d channels\n", argv[1], fmt_ctx->iformat->name, codec->name, dec->sample_rate,
            dec->ch_layout.nb_channels);
    while ((ret = av_read_frame(fmt_ctx, pkt)) >= 0) {
      if (pkt->stream_index == stream) ret = decode(dec, pkt, frame, out);
      av_packet_unref(pkt);
      if (ret < 0) break;
    }
    if (ret == AVERROR_EOF) ret = decode(dec, NULL, frame, out); /* drain */
  }
  if (ret < 0) fprintf(stderr, "%s: %s\n", argv[1], av_err2str(ret));

  av_frame_free(&frame);
  av_packet_free(&pkt);
  avcodec_free_context(&dec);
  avformat_close_input(&fmt_ctx); /* leaves pb alone: it is custom I/O */
  /* THE FIX: avio_ctx->buffer, not io_buffer, which probing already freed. */
  av_freep(&avio_ctx->buffer);
  avio_context_free(&avio_ctx);
  fclose(in);
  if (fclose(out) != 0) ret = AVERROR(EIO);
  return ret < 0 ? 1 : 0;
}
