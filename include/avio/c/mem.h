/* avio C API: libavutil-compatible memory functions. Buffers handed to
 * avio_alloc_context must come from av_malloc (the context may replace them). */
#ifndef AVIO_C_MEM_H
#define AVIO_C_MEM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *av_malloc(size_t size);
void *av_mallocz(size_t size);
void *av_realloc(void *ptr, size_t size);
void av_free(void *ptr);
/* Frees *(void **)ptr and sets it to NULL. */
void av_freep(void *ptr);
char *av_strdup(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* AVIO_C_MEM_H */
