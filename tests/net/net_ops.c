/* One program, built twice: against the installed libavformat and against
 * avio's C API. It opens a socket URL and prints what the caller of FFmpeg's
 * AVIO would see: the open's result, the context's fields, the size, every
 * byte read (as a count and a hash) and the code that ended the reading;
 * or, as a server, the results of avio_accept and avio_handshake.
 * tests/net/net_diff_test.cc runs both builds against the same peers and
 * requires identical output.
 *
 * usage: net_ops read URL [key=value ...]
 *        net_ops serve URL CLIENTS [key=value ...]   (URL with listen=2)
 */
#include <inttypes.h>
#include <libavformat/avio.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../url/ops_common.h"

static int run_read(const char *url, AVDictionary **opts) {
  AVIOContext *pb = NULL;
  int ret = avio_open2(&pb, url, AVIO_FLAG_READ, NULL, opts);
  ops_print_leftover(*opts);
  printf("open %d\n", ret);
  if (ret < 0) return 0;
  printf("buffer_size=%d seekable=%d max_packet_size=%d direct=%d write_flag=%d\n", pb->buffer_size, pb->seekable,
         pb->max_packet_size, pb->direct, pb->write_flag);
  printf("size %" PRId64 "\n", avio_size(pb));
  unsigned char buf[4096];
  int64_t total = 0;
  uint32_t h = 2166136261u;
  for (;;) {
    ret = avio_read(pb, buf, sizeof buf);
    if (ret <= 0) break;
    for (int i = 0; i < ret; i++) h = (h ^ buf[i]) * 16777619u;
    total += ret;
  }
  printf("read total=%" PRId64 " hash=%08x end=%d\n", total, h, ret);
  printf("feof %d error %d\n", avio_feof(pb), pb->error);
  printf("seek %" PRId64 "\n", avio_seek(pb, 0, SEEK_SET));
  printf("close %d\n", avio_closep(&pb));
  return 0;
}

static int run_serve(const char *url, int clients, AVDictionary **opts) {
  AVIOContext *server = NULL;
  int ret = avio_open2(&server, url, AVIO_FLAG_WRITE, NULL, opts);
  ops_print_leftover(*opts);
  printf("open %d\n", ret);
  if (ret < 0) return 0;
  /* The harness's clients wait for this line before they connect. */
  fflush(stdout);
  for (int i = 0; i < clients; i++) {
    AVIOContext *client = NULL;
    ret = avio_accept(server, &client);
    printf("accept %d\n", ret);
    if (ret < 0) break;
    int steps = 0;
    while ((ret = avio_handshake(client)) > 0) steps++;
    printf("handshake %d after %d steps\n", ret, steps);
    printf("client seekable=%d max_packet_size=%d write_flag=%d\n", client->seekable, client->max_packet_size,
           client->write_flag);
    char msg[32];
    snprintf(msg, sizeof msg, "hello %d\n", i);
    avio_write(client, (const unsigned char *)msg, (int)strlen(msg));
    avio_flush(client);
    printf("client error %d\n", client->error);
    printf("client close %d\n", avio_closep(&client));
  }
  printf("close %d\n", avio_closep(&server));
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: net_ops read URL [k=v...] | serve URL CLIENTS [k=v...]\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  int first = !strcmp(argv[1], "serve") ? 4 : 3;
  AVDictionary *opts = ops_parse_options(argc, argv, first, NULL);
  int r = 2;
  if (!strcmp(argv[1], "read")) r = run_read(argv[2], &opts);
  if (!strcmp(argv[1], "serve") && argc > 3) r = run_serve(argv[2], atoi(argv[3]), &opts);
  av_dict_free(&opts);
  return r;
}
