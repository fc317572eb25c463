/* One program, built twice: against the installed libavformat and against
 * avio's C API. It drives the udp protocol through FFmpeg's AVIO and prints
 * what a caller sees: open codes, context fields, the size and bytes (as a
 * hash) of every datagram read, the codes that end reading and writing.
 * tests/net/udp_diff_test.cc runs both builds and requires identical output.
 *
 * usage:
 *   udp_ops open URL r|w|rw [key=value ...]
 *       Opens URL; a writer then sends one 100-byte datagram (flushed) and
 *       prints the context's error.
 *   udp_ops pair RXURL TXURL COUNT [read=N] [direct] [extra=M] [delay=D] [key=value ...]
 *       Opens RXURL for reading (with the key=value options), then TXURL for
 *       writing, writes COUNT datagrams of the sizes below (one avio_write
 *       and avio_flush each), closes the writer, and reads COUNT + M
 *       datagrams with avio_read_partial of N bytes (default 65536), after
 *       sleeping D ms if delay=D is given; `direct` opens the reader with
 *       AVIO_FLAG_DIRECT.
 */
#include <inttypes.h>
#include <libavformat/avio.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../url/ops_common.h"

static const int kSizes[] = {1, 100, 188, 1316, 1472, 1, 7, 1000, 1472, 50};
#define NUM_SIZES ((int)(sizeof kSizes / sizeof kSizes[0]))

static void fill(unsigned char *p, int n, int seed) {
  uint32_t x = (uint32_t)seed * 2654435761u + 1;
  for (int i = 0; i < n; i++) {
    x = x * 1664525u + 1013904223u;
    p[i] = (unsigned char)(x >> 24);
  }
}

static uint32_t hash(const unsigned char *p, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static void print_fields(const char *who, AVIOContext *pb) {
  printf("%s buffer_size=%d seekable=%d max_packet_size=%d direct=%d write_flag=%d\n", who, pb->buffer_size,
         pb->seekable, pb->max_packet_size, pb->direct, pb->write_flag);
}

static int run_open(const char *url, const char *mode, AVDictionary **opts) {
  int flags = 0;
  if (strchr(mode, 'r')) flags |= AVIO_FLAG_READ;
  if (strchr(mode, 'w')) flags |= AVIO_FLAG_WRITE;
  AVIOContext *pb = NULL;
  int ret = avio_open2(&pb, url, flags, NULL, opts);
  ops_print_leftover(*opts);
  printf("open %d\n", ret);
  if (ret < 0) return 0;
  print_fields("ctx", pb);
  printf("size %" PRId64 "\n", avio_size(pb));
  if (flags & AVIO_FLAG_WRITE) {
    unsigned char buf[100];
    fill(buf, sizeof buf, 1);
    avio_write(pb, buf, sizeof buf);
    avio_flush(pb);
    printf("write error %d\n", pb->error);
  }
  printf("close %d\n", avio_closep(&pb));
  return 0;
}

static int run_pair(const char *rx_url, const char *tx_url, int count, int read_size, int direct, int extra,
                    int delay_ms, AVDictionary **opts) {
  AVIOContext *rx = NULL, *tx = NULL;
  int ret = avio_open2(&rx, rx_url, AVIO_FLAG_READ | (direct ? AVIO_FLAG_DIRECT : 0), NULL, opts);
  ops_print_leftover(*opts);
  printf("rx open %d\n", ret);
  if (ret < 0) return 0;
  print_fields("rx", rx);
  ret = avio_open2(&tx, tx_url, AVIO_FLAG_WRITE, NULL, NULL);
  printf("tx open %d\n", ret);
  if (ret >= 0) {
    print_fields("tx", tx);
    for (int i = 0; i < count; i++) {
      unsigned char buf[2000];
      const int n = kSizes[i % NUM_SIZES];
      fill(buf, n, i);
      avio_write(tx, buf, n);
      avio_flush(tx);
    }
    printf("tx error %d\n", tx->error);
    printf("tx close %d\n", avio_closep(&tx));
  }
  if (delay_ms > 0) usleep((useconds_t)delay_ms * 1000);
  static unsigned char buf[65536];
  for (int i = 0; i < count + extra; i++) {
    ret = avio_read_partial(rx, buf, read_size);
    if (ret < 0) {
      printf("read %d: %d\n", i, ret);
      break;
    }
    printf("read %d: size=%d hash=%08x\n", i, ret, hash(buf, ret));
  }
  printf("rx feof %d error %d\n", avio_feof(rx), rx->error);
  printf("rx close %d\n", avio_closep(&rx));
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: udp_ops open URL r|w|rw [k=v...] | pair RXURL TXURL COUNT [read=N] [direct] [k=v...]\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  const int first = !strcmp(argv[1], "pair") ? 5 : 4;
  AVDictionary *opts = NULL;
  int read_size = 65536, direct = 0, extra = 0, delay_ms = 0;
  for (int i = first; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (!strcmp(argv[i], "direct")) {
      direct = 1;
      continue;
    }
    if (!eq) continue;
    *eq = 0;
    if (!strcmp(argv[i], "read"))
      read_size = atoi(eq + 1);
    else if (!strcmp(argv[i], "extra"))
      extra = atoi(eq + 1);
    else if (!strcmp(argv[i], "delay"))
      delay_ms = atoi(eq + 1);
    else
      av_dict_set(&opts, argv[i], eq + 1, 0);
    *eq = '=';
  }
  if (read_size < 1 || read_size > 65536) read_size = 65536;
  int r = 2;
  if (!strcmp(argv[1], "open")) r = run_open(argv[2], argv[3], &opts);
  if (!strcmp(argv[1], "pair") && argc > 4)
    r = run_pair(argv[2], argv[3], atoi(argv[4]), read_size, direct, extra, delay_ms, &opts);
  av_dict_free(&opts);
  return r;
}
