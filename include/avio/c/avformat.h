/* avio C API: libavformat/avformat.h, the part avio_c implements: AVIO
 * (avio.h), avformat_network_init / avformat_network_deinit, the version
 * numbers, and libavutil's basics (FFmpeg's avformat.h brings them in too).
 *
 * avio_c has no demuxers or muxers: AVFormatContext, AVStream,
 * avformat_open_input, av_read_frame, avformat_write_header and the other
 * names of that API are declared *unavailable* (avio/c/unavailable.h), so a
 * program that uses one does not compile, and the error says to link FFmpeg's
 * libavformat. (Such a program can still use avio through the C++ API and its
 * FFmpeg bridge, avio/ffmpeg/io_bridge.hpp, beside the real libavformat.) */
#ifndef AVIO_C_AVFORMAT_H
#define AVIO_C_AVFORMAT_H

#include <stdio.h>
#include <time.h>

#include "avio/c/avcodec.h"
#include "avio/c/avio.h"
#include "avio/c/avutil.h"
#include "avio/c/unavailable.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Both return 0 and do nothing. FFmpeg's initialise its TLS library (and
 * Winsock on Windows); avio's tls protocol uses OpenSSL 3, which initialises
 * itself on first use (thread-safely, since OpenSSL 1.1.0), and with OpenSSL
 * >= 1.1 FFmpeg's own avformat_network_init does nothing essential either.
 * Calling them is harmless, in any number and order. */
int avformat_network_init(void);
int avformat_network_deinit(void);

/* ---- the demuxer and muxer API: not in avio_c (a compile error on use) */
#define AVIO_C_NO_LAVF(name) \
  AVIO_C_UNAVAILABLE_FN("avio_c has no demuxers or muxers: link FFmpeg's libavformat for " #name)
#define AVIO_C_NO_LAVF_TYPE(name) \
  AVIO_C_UNAVAILABLE_TYPE("avio_c has no demuxers or muxers: link FFmpeg's libavformat for " #name)

typedef struct AVFormatContext AVFormatContext AVIO_C_NO_LAVF_TYPE(AVFormatContext);
typedef struct AVInputFormat AVInputFormat AVIO_C_NO_LAVF_TYPE(AVInputFormat);
typedef struct AVOutputFormat AVOutputFormat AVIO_C_NO_LAVF_TYPE(AVOutputFormat);
typedef struct AVStream AVStream AVIO_C_NO_LAVF_TYPE(AVStream);
typedef struct AVProgram AVProgram AVIO_C_NO_LAVF_TYPE(AVProgram);
typedef struct AVChapter AVChapter AVIO_C_NO_LAVF_TYPE(AVChapter);
typedef struct AVProbeData AVProbeData AVIO_C_NO_LAVF_TYPE(AVProbeData);

/* FFmpeg 5.1's prototypes, through the struct tags (the typedefs above are
 * the unavailable names). */
struct AVFormatContext *avformat_alloc_context(void) AVIO_C_NO_LAVF(avformat_alloc_context);
void avformat_free_context(struct AVFormatContext *s) AVIO_C_NO_LAVF(avformat_free_context);
int avformat_open_input(struct AVFormatContext **ps, const char *url, const struct AVInputFormat *fmt,
                        AVDictionary **options) AVIO_C_NO_LAVF(avformat_open_input);
int avformat_find_stream_info(struct AVFormatContext *ic, AVDictionary **options)
    AVIO_C_NO_LAVF(avformat_find_stream_info);
void avformat_close_input(struct AVFormatContext **s) AVIO_C_NO_LAVF(avformat_close_input);
int av_read_frame(struct AVFormatContext *s, struct AVPacket *pkt) AVIO_C_NO_LAVF(av_read_frame);
int av_read_play(struct AVFormatContext *s) AVIO_C_NO_LAVF(av_read_play);
int av_read_pause(struct AVFormatContext *s) AVIO_C_NO_LAVF(av_read_pause);
int av_seek_frame(struct AVFormatContext *s, int stream_index, int64_t timestamp, int flags)
    AVIO_C_NO_LAVF(av_seek_frame);
int avformat_seek_file(struct AVFormatContext *s, int stream_index, int64_t min_ts, int64_t ts, int64_t max_ts,
                       int flags) AVIO_C_NO_LAVF(avformat_seek_file);
int avformat_flush(struct AVFormatContext *s) AVIO_C_NO_LAVF(avformat_flush);
int av_find_best_stream(struct AVFormatContext *ic, int type, int wanted_stream_nb, int related_stream,
                        const struct AVCodec **decoder_ret, int flags) AVIO_C_NO_LAVF(av_find_best_stream);
void av_dump_format(struct AVFormatContext *ic, int index, const char *url, int is_output)
    AVIO_C_NO_LAVF(av_dump_format);
const struct AVInputFormat *av_find_input_format(const char *short_name) AVIO_C_NO_LAVF(av_find_input_format);
const struct AVInputFormat *av_probe_input_format(const struct AVProbeData *pd, int is_opened)
    AVIO_C_NO_LAVF(av_probe_input_format);
int av_probe_input_buffer(AVIOContext *pb, const struct AVInputFormat **fmt, const char *url, void *logctx,
                          unsigned int offset, unsigned int max_probe_size) AVIO_C_NO_LAVF(av_probe_input_buffer);
int av_probe_input_buffer2(AVIOContext *pb, const struct AVInputFormat **fmt, const char *url, void *logctx,
                           unsigned int offset, unsigned int max_probe_size) AVIO_C_NO_LAVF(av_probe_input_buffer2);
const struct AVInputFormat *av_demuxer_iterate(void **opaque) AVIO_C_NO_LAVF(av_demuxer_iterate);
const struct AVOutputFormat *av_muxer_iterate(void **opaque) AVIO_C_NO_LAVF(av_muxer_iterate);
const struct AVOutputFormat *av_guess_format(const char *short_name, const char *filename, const char *mime_type)
    AVIO_C_NO_LAVF(av_guess_format);
int avformat_alloc_output_context2(struct AVFormatContext **ctx, const struct AVOutputFormat *oformat,
                                   const char *format_name, const char *filename)
    AVIO_C_NO_LAVF(avformat_alloc_output_context2);
struct AVStream *avformat_new_stream(struct AVFormatContext *s, const struct AVCodec *c)
    AVIO_C_NO_LAVF(avformat_new_stream);
int avformat_write_header(struct AVFormatContext *s, AVDictionary **options) AVIO_C_NO_LAVF(avformat_write_header);
int avformat_init_output(struct AVFormatContext *s, AVDictionary **options) AVIO_C_NO_LAVF(avformat_init_output);
int av_write_frame(struct AVFormatContext *s, struct AVPacket *pkt) AVIO_C_NO_LAVF(av_write_frame);
int av_interleaved_write_frame(struct AVFormatContext *s, struct AVPacket *pkt)
    AVIO_C_NO_LAVF(av_interleaved_write_frame);
int av_write_trailer(struct AVFormatContext *s) AVIO_C_NO_LAVF(av_write_trailer);
int av_sdp_create(struct AVFormatContext *ac[], int n_files, char *buf, int size) AVIO_C_NO_LAVF(av_sdp_create);
/* Removed in FFmpeg 5.0 (deprecated since 4.0): programs written for older
 * releases call it unless a version test skips it, as the usual
 * `#if LIBAVFORMAT_VERSION_INT < AV_VERSION_INT(58, 9, 100)` does. */
void av_register_all(void)
    AVIO_C_UNAVAILABLE_FN("removed in FFmpeg 5.0 and not in avio_c: protocols need no registration, delete the call");

#ifdef __cplusplus
}
#endif

#endif /* AVIO_C_AVFORMAT_H */
