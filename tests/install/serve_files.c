/* Serves one file over HTTP through AVIO, written the way FFmpeg's
 * doc/examples/avio_http_serve_files.c is (the code is this test's own): an
 * http server context opened with listen=2, avio_accept for each client, a
 * forked child per client that runs the handshake with avio_handshake,
 * reads the requested path from the "resource" option (av_opt_get with
 * AV_OPT_SEARCH_CHILDREN), sets "reply_code" (av_opt_set_int), finishes the
 * handshake and writes the file with avio_read / avio_write.
 *
 *   serve_files FILE http://127.0.0.1:PORT [CLIENTS]
 *
 * serves FILE as /<its base name> (any other path: 404) to CLIENTS clients
 * (0 or none: for ever), then waits for the children and exits.
 * check_ffmpeg_programs.sh builds it with `pkg-config avio-c` and against
 * FFmpeg's libavformat. */
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <sys/wait.h>
#include <unistd.h>

static void serve(AVIOContext *client, const char *path, const char *name) {
  AVIOContext *input = NULL;
  uint8_t *resource = NULL;
  unsigned char buf[4096];
  int ret, n, code;

  /* The first steps read the request; the resource is known once its
   * head was parsed (av_opt_get may give "" before that). */
  while ((ret = avio_handshake(client)) > 0) {
    av_opt_get(client, "resource", AV_OPT_SEARCH_CHILDREN, &resource);
    if (resource && resource[0]) break;
    av_freep(&resource);
  }
  if (ret < 0) {
    av_log(client, AV_LOG_ERROR, "handshake: %s\n", av_err2str(ret));
    goto end;
  }
  code = resource && resource[0] == '/' && !strcmp((const char *)resource + 1, name) ? 200 : AVERROR_HTTP_NOT_FOUND;
  av_log(client, AV_LOG_INFO, "request for %s: %d\n", resource ? (const char *)resource : "(none)",
         code == 200 ? 200 : 404);
  ret = av_opt_set_int(client, "reply_code", code, AV_OPT_SEARCH_CHILDREN);
  if (ret < 0) {
    av_log(client, AV_LOG_ERROR, "cannot set reply_code: %s\n", av_err2str(ret));
    goto end;
  }
  while ((ret = avio_handshake(client)) > 0)
    ;
  if (ret < 0 || code != 200) goto end;

  ret = avio_open2(&input, path, AVIO_FLAG_READ, NULL, NULL);
  if (ret < 0) {
    av_log(NULL, AV_LOG_ERROR, "cannot open %s: %s\n", path, av_err2str(ret));
    goto end;
  }
  for (;;) {
    n = avio_read(input, buf, sizeof(buf));
    if (n == AVERROR_EOF) break;
    if (n < 0) {
      av_log(input, AV_LOG_ERROR, "read: %s\n", av_err2str(n));
      break;
    }
    avio_write(client, buf, n);
    avio_flush(client);
  }
end:
  avio_flush(client);
  avio_close(client);
  avio_closep(&input);
  av_freep(&resource);
}

int main(int argc, char **argv) {
  AVDictionary *options = NULL;
  AVIOContext *server = NULL, *client = NULL;
  const char *path, *name;
  long clients, accepted = 0;
  int ret;
  pid_t pid;

  av_log_set_level(AV_LOG_INFO);
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s FILE http://host:port [CLIENTS]\n", argv[0]);
    return 2;
  }
  path = argv[1];
  name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  clients = argc == 4 ? strtol(argv[3], NULL, 10) : 0;

  avformat_network_init();
  if ((ret = av_dict_set(&options, "listen", "2", 0)) < 0 ||
      (ret = avio_open2(&server, argv[2], AVIO_FLAG_WRITE, NULL, &options)) < 0) {
    av_log(NULL, AV_LOG_ERROR, "cannot listen on %s: %s\n", argv[2], av_err2str(ret));
    av_dict_free(&options);
    return 1;
  }
  av_dict_free(&options);
  while (!clients || accepted < clients) {
    if ((ret = avio_accept(server, &client)) < 0) {
      av_log(server, AV_LOG_ERROR, "accept: %s\n", av_err2str(ret));
      break;
    }
    accepted++;
    pid = fork();
    if (pid < 0) {
      ret = AVERROR(errno);
      avio_close(client);
      break;
    }
    if (pid == 0) {
      /* The server context is not closed (see below). */
      serve(client, path, name);
      exit(0);
    }
    avio_close(client);
  }
  while (wait(NULL) > 0)
    ;
  /* The server context is left to the exit: libavformat 5.1's avio_close
   * of a listening http context never returns (http_shutdown writes the
   * end of a chunked body to the listening socket, waiting for it to
   * become writable, with no timeout). FFmpeg's example never gets there:
   * it serves for ever. */
  avformat_network_deinit();
  return ret < 0 ? 1 : 0;
}
