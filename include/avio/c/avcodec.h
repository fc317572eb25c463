/* avio C API: libavcodec/avcodec.h for AVIO-only programs. FFmpeg's own AVIO
 * examples include it, but need nothing from it beyond libavutil (which it
 * brings in, as FFmpeg's does) and the version numbers.
 *
 * avio_c has no codecs, packets or frames: AVCodecContext, AVPacket, AVFrame,
 * avcodec_open2, av_packet_alloc and the other common names of that API are
 * declared *unavailable* (avio/c/unavailable.h): a program that uses one
 * does not compile, and the error says to link FFmpeg's libavcodec. */
#ifndef AVIO_C_AVCODEC_H
#define AVIO_C_AVCODEC_H

#include "avio/c/avutil.h"
#include "avio/c/unavailable.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AVIO_C_NO_LAVC(name) AVIO_C_UNAVAILABLE_FN("avio_c has no codecs: link FFmpeg's libavcodec for " #name)
#define AVIO_C_NO_LAVC_TYPE(name) AVIO_C_UNAVAILABLE_TYPE("avio_c has no codecs: link FFmpeg's libavcodec for " #name)

typedef struct AVCodec AVCodec AVIO_C_NO_LAVC_TYPE(AVCodec);
typedef struct AVCodecContext AVCodecContext AVIO_C_NO_LAVC_TYPE(AVCodecContext);
typedef struct AVCodecParameters AVCodecParameters AVIO_C_NO_LAVC_TYPE(AVCodecParameters);
typedef struct AVPacket AVPacket AVIO_C_NO_LAVC_TYPE(AVPacket);
typedef struct AVFrame AVFrame AVIO_C_NO_LAVC_TYPE(AVFrame);

/* FFmpeg 5.1's prototypes, through the struct tags (enum AVCodecID as int). */
const struct AVCodec *avcodec_find_decoder(int id) AVIO_C_NO_LAVC(avcodec_find_decoder);
const struct AVCodec *avcodec_find_decoder_by_name(const char *name) AVIO_C_NO_LAVC(avcodec_find_decoder_by_name);
const struct AVCodec *avcodec_find_encoder(int id) AVIO_C_NO_LAVC(avcodec_find_encoder);
const struct AVCodec *avcodec_find_encoder_by_name(const char *name) AVIO_C_NO_LAVC(avcodec_find_encoder_by_name);
struct AVCodecContext *avcodec_alloc_context3(const struct AVCodec *codec) AVIO_C_NO_LAVC(avcodec_alloc_context3);
void avcodec_free_context(struct AVCodecContext **avctx) AVIO_C_NO_LAVC(avcodec_free_context);
int avcodec_open2(struct AVCodecContext *avctx, const struct AVCodec *codec, AVDictionary **options)
    AVIO_C_NO_LAVC(avcodec_open2);
int avcodec_close(struct AVCodecContext *avctx) AVIO_C_NO_LAVC(avcodec_close);
int avcodec_parameters_to_context(struct AVCodecContext *codec, const struct AVCodecParameters *par)
    AVIO_C_NO_LAVC(avcodec_parameters_to_context);
int avcodec_parameters_from_context(struct AVCodecParameters *par, const struct AVCodecContext *codec)
    AVIO_C_NO_LAVC(avcodec_parameters_from_context);
struct AVCodecParameters *avcodec_parameters_alloc(void) AVIO_C_NO_LAVC(avcodec_parameters_alloc);
void avcodec_parameters_free(struct AVCodecParameters **par) AVIO_C_NO_LAVC(avcodec_parameters_free);
int avcodec_parameters_copy(struct AVCodecParameters *dst, const struct AVCodecParameters *src)
    AVIO_C_NO_LAVC(avcodec_parameters_copy);
int avcodec_send_packet(struct AVCodecContext *avctx, const struct AVPacket *avpkt) AVIO_C_NO_LAVC(avcodec_send_packet);
int avcodec_receive_frame(struct AVCodecContext *avctx, struct AVFrame *frame) AVIO_C_NO_LAVC(avcodec_receive_frame);
int avcodec_send_frame(struct AVCodecContext *avctx, const struct AVFrame *frame) AVIO_C_NO_LAVC(avcodec_send_frame);
int avcodec_receive_packet(struct AVCodecContext *avctx, struct AVPacket *avpkt) AVIO_C_NO_LAVC(avcodec_receive_packet);
void avcodec_flush_buffers(struct AVCodecContext *avctx) AVIO_C_NO_LAVC(avcodec_flush_buffers);
struct AVPacket *av_packet_alloc(void) AVIO_C_NO_LAVC(av_packet_alloc);
void av_packet_free(struct AVPacket **pkt) AVIO_C_NO_LAVC(av_packet_free);
void av_packet_unref(struct AVPacket *pkt) AVIO_C_NO_LAVC(av_packet_unref);
int av_packet_ref(struct AVPacket *dst, const struct AVPacket *src) AVIO_C_NO_LAVC(av_packet_ref);
int av_new_packet(struct AVPacket *pkt, int size) AVIO_C_NO_LAVC(av_new_packet);
void av_init_packet(struct AVPacket *pkt) AVIO_C_NO_LAVC(av_init_packet);
/* libavutil/frame.h, which FFmpeg's avcodec.h includes. */
#define AVIO_C_NO_FRAMES(name) AVIO_C_UNAVAILABLE_FN("avio_c has no frames: link FFmpeg's libavutil for " #name)
struct AVFrame *av_frame_alloc(void) AVIO_C_NO_FRAMES(av_frame_alloc);
void av_frame_free(struct AVFrame **frame) AVIO_C_NO_FRAMES(av_frame_free);
void av_frame_unref(struct AVFrame *frame) AVIO_C_NO_FRAMES(av_frame_unref);

#ifdef __cplusplus
}
#endif

#endif /* AVIO_C_AVCODEC_H */
