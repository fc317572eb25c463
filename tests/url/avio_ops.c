/* One program, built twice: against the installed libavformat and against
 * avio's C API (whose compat headers provide <libavformat/avio.h>). It opens
 * a URL and runs a seeded, reproducible sequence of AVIO calls, printing
 * every result; tests/url/url_diff_test.cc runs both builds with the same
 * arguments and requires identical output (and identical files written).
 *
 * usage: avio_ops read  URL SEED OPS [key=value ...]
 *        avio_ops readstream URL SEED OPS [key=value ...]
 *            (for pipes, whose read sizes depend on timing: no partial
 *            reads, no backward seeks, no byte count)
 *        avio_ops readtimed URL SEED OPS [key=value ...]
 *            (seekable, but the protocol's read sizes depend on timing:
 *            no partial reads, no byte count)
 *        avio_ops write URL SEED OPS [key=value ...]
 *        avio_ops dump  URL [key=value ...]   (copies the whole stream to stdout)
 *        avio_ops dir   URL
 *        avio_ops check URL   (avio_check and avio_find_protocol_name)
 */
#include <inttypes.h>
#include <libavformat/avio.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_common.h"

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(rng_state >> 33);
}

static uint32_t fnv(const unsigned char *p, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static int extra_flags; /* "+direct" among the options adds AVIO_FLAG_DIRECT */

static void print_context(AVIOContext *pb) {
  printf("opened buffer_size=%d seekable=%d max_packet_size=%d min_packet_size=%d direct=%d write_flag=%d\n",
         pb->buffer_size, pb->seekable, pb->max_packet_size, pb->min_packet_size, pb->direct, pb->write_flag);
}

static int run_read(const char *url, int ops, AVDictionary **opts, int stream, int timed) {
  AVIOContext *pb = NULL;
  int ret = avio_open2(&pb, url, AVIO_FLAG_READ | extra_flags, NULL, opts);
  ops_print_leftover(*opts);
  printf("open %d\n", ret);
  if (ret < 0) return 0;
  print_context(pb);
  int64_t size = avio_size(pb);
  printf("size %" PRId64 "\n", size);
  int64_t span = size > 0 ? size + size / 8 : 400000;
  unsigned char *buf = malloc(200000);
  for (int i = 0; i < ops; i++) {
    int op = rnd() % 10;
    int64_t r = 0;
    uint32_t h = 0;
    /* Timing-dependent sources: once at EOF, what the buffer still holds
     * depends on how the data arrived, so reads (and a stream's seeks) are
     * not comparable until a seek has settled the position again. */
    int is_seek = op == 2 || op == 3 || op == 9;
    if ((stream || timed) && pb->eof_reached && (!is_seek || stream) && op != 7) {
      if (op == 0 || op == 1 || op == 2 || op == 3 || op == 8 || op == 9) rnd();
      printf("%d op%d skipped at eof\n", i, op);
      continue;
    }
    /* Timed but seekable: targets stay inside the data, where the result
     * does not depend on whether the engine reads forward or seeks. */
    int64_t here = avio_tell(pb);
    switch (op) {
      case 0:
      case 1: {
        int n = op == 0 ? (int)(rnd() % 70000) : (int)(rnd() % 200);
        r = avio_read(pb, buf, n);
        if (r > 0) h = fnv(buf, (int)r);
        break;
      }
      case 2: {
        int64_t to = (int64_t)(rnd() % (uint64_t)span);
        if (stream && to < here) to = here + to % 1000;
        if (timed && size > 0) to %= size;
        r = avio_seek(pb, to, SEEK_SET);
        break;
      }
      case 3: {
        int64_t delta = (int64_t)(rnd() % 80000) - (stream ? 0 : 8000);
        if (timed && size > 0 && (here + delta < 0 || here + delta >= size))
          r = avio_seek(pb, ((here + delta) % size + size) % size, SEEK_SET);
        else
          r = avio_seek(pb, delta, SEEK_CUR);
        break;
      }
      case 4:
        r = avio_r8(pb);
        h = (uint32_t)avio_feof(pb);
        break;
      case 5: r = avio_rb32(pb); break;
      case 6: r = avio_tell(pb); break;
      case 7: r = avio_size(pb); break;
      case 8: {
        int n = (int)(rnd() % 100000);
        r = stream || timed ? avio_read(pb, buf, n) : avio_read_partial(pb, buf, n);
        if (r > 0) h = fnv(buf, (int)r);
        break;
      }
      case 9: {
        int64_t delta = (int64_t)(rnd() % 40000);
        if (timed && size > 0 && here + delta >= size)
          r = avio_seek(pb, (here + delta) % size, SEEK_SET);
        else
          r = avio_skip(pb, delta);
        break;
      }
    }
    printf("%d op%d %" PRId64 " %08x eof=%d err=%d\n", i, op, r, h, pb->eof_reached, pb->error);
  }
  if (!stream && !timed) printf("bytes_read %" PRId64 "\n", pb->bytes_read);
  free(buf);
  printf("close %d\n", avio_close(pb));
  return 0;
}

static int run_write(const char *url, int ops, AVDictionary **opts) {
  AVIOContext *pb = NULL;
  int ret = avio_open2(&pb, url, AVIO_FLAG_WRITE | extra_flags, NULL, opts);
  ops_print_leftover(*opts);
  printf("open %d\n", ret);
  if (ret < 0) return 0;
  print_context(pb);
  unsigned char *buf = malloc(300000);
  for (int i = 0; i < ops; i++) {
    int op = rnd() % 6;
    int64_t r = 0;
    switch (op) {
      case 0:
      case 1: {
        int n = (int)(rnd() % (op == 0 ? 300000 : 100));
        for (int k = 0; k < n; k++) buf[k] = (unsigned char)rnd();
        avio_write(pb, buf, n);
        r = n;
        break;
      }
      case 2:
        avio_w8(pb, (int)rnd());
        avio_wb32(pb, rnd());
        break;
      case 3: r = avio_tell(pb); break;
      case 4: avio_flush(pb); break;
      case 5:
        if (pb->seekable) r = avio_seek(pb, -(int64_t)(rnd() % 1000), SEEK_CUR);
        break;
    }
    printf("%d op%d %" PRId64 " err=%d\n", i, op, r, pb->error);
  }
  free(buf);
  printf("close %d\n", avio_close(pb));
  return 0;
}

static int run_dir(const char *url) {
  AVIODirContext *d = NULL;
  int ret = avio_open_dir(&d, url, NULL);
  printf("open_dir %d\n", ret);
  if (ret < 0) return 0;
  AVIODirEntry *e = NULL;
  while ((ret = avio_read_dir(d, &e)) >= 0 && e) {
    printf("entry %s type=%d utf8=%d size=%" PRId64 " mtime=%" PRId64 " atime=%" PRId64 " ctime=%" PRId64
           " uid=%" PRId64 " gid=%" PRId64 " mode=%" PRId64 "\n",
           e->name, e->type, e->utf8, e->size, e->modification_timestamp, e->access_timestamp,
           e->status_change_timestamp, e->user_id, e->group_id, e->filemode);
    avio_free_directory_entry(&e);
  }
  printf("read_dir %d\n", ret);
  printf("close_dir %d\n", avio_close_dir(&d));
  return 0;
}

static int run(int argc, char **argv);

/* Output is flushed before exit: a leak report at exit must not eat it. */
int main(int argc, char **argv) {
  int r = run(argc, argv);
  fflush(stdout);
  return r;
}

static int run(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s read|write|dir|check URL [SEED OPS] [key=value ...]\n", argv[0]);
    return 2;
  }
  const char *mode = argv[1], *url = argv[2];
  if (!strcmp(mode, "dir")) return run_dir(url);
  if (!strcmp(mode, "check")) {
    const char *name = avio_find_protocol_name(url);
    printf("protocol %s\n", name ? name : "(none)");
    printf("check read %d\n", avio_check(url, AVIO_FLAG_READ));
    printf("check write %d\n", avio_check(url, AVIO_FLAG_WRITE));
    printf("check rw %d\n", avio_check(url, AVIO_FLAG_READ_WRITE));
    return 0;
  }
  if (!strcmp(mode, "dump")) {
    AVDictionary *opts = ops_parse_options(argc, argv, 3, &extra_flags);
    AVIOContext *pb = NULL;
    int ret = avio_open2(&pb, url, AVIO_FLAG_READ, NULL, &opts);
    av_dict_free(&opts);
    if (ret < 0) return 1;
    unsigned char buf[65536];
    while ((ret = avio_read(pb, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)ret, stdout);
    avio_close(pb);
    return ret == AVERROR_EOF ? 0 : 1;
  }
  if (argc < 5) return 2;
  rng_state = strtoull(argv[3], NULL, 10);
  int ops = atoi(argv[4]);
  AVDictionary *opts = ops_parse_options(argc, argv, 5, &extra_flags);
  int r = !strcmp(mode, "write") ? run_write(url, ops, &opts)
                                 : run_read(url, ops, &opts, !strcmp(mode, "readstream"), !strcmp(mode, "readtimed"));
  av_dict_free(&opts);
  fflush(stdout);
  return r;
}
