/* Lists a directory through AVIO, written the way FFmpeg's
 * doc/examples/avio_list_dir.c is (its includes, its calls, its use of
 * av_log for the output; the code is this test's own): avformat_network_init,
 * avio_open_dir, avio_read_dir until it gives NULL, avio_close_dir.
 *
 * check_ffmpeg_programs.sh builds this file unchanged with
 * `cc list_dir.c $(pkg-config --cflags --libs avio-c)` and against FFmpeg
 * (`pkg-config --cflags --libs libavformat libavutil`) and compares what the
 * two print (stderr, where av_log writes) and their exit codes. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavformat/avio.h>

static const char *kind_name(int type) {
  switch (type) {
    case AVIO_ENTRY_FILE: return "file";
    case AVIO_ENTRY_DIRECTORY: return "dir";
    case AVIO_ENTRY_SYMBOLIC_LINK: return "link";
    case AVIO_ENTRY_NAMED_PIPE: return "fifo";
    case AVIO_ENTRY_SOCKET: return "socket";
    case AVIO_ENTRY_BLOCK_DEVICE: return "block";
    case AVIO_ENTRY_CHARACTER_DEVICE: return "char";
    case AVIO_ENTRY_SERVER: return "server";
    case AVIO_ENTRY_SHARE: return "share";
    case AVIO_ENTRY_WORKGROUP: return "workgroup";
    default: return "unknown";
  }
}

static int list(const char *url) {
  AVIODirContext *dir = NULL;
  AVIODirEntry *entry = NULL;
  char mode[8];
  int ret, count = 0;

  ret = avio_open_dir(&dir, url, NULL);
  if (ret < 0) {
    av_log(NULL, AV_LOG_ERROR, "cannot open %s: %s\n", url, av_err2str(ret));
    return ret;
  }
  while ((ret = avio_read_dir(dir, &entry)) >= 0 && entry) {
    if (entry->filemode < 0)
      snprintf(mode, sizeof(mode), "-");
    else
      snprintf(mode, sizeof(mode), "%04" PRIo64, entry->filemode);
    if (!count++)
      av_log(NULL, AV_LOG_INFO, "%-8s %10s %-6s %-24s %s %s %s %s\n", "kind", "size", "mode", "name", "uid(gid)",
             "modified", "accessed", "changed");
    av_log(NULL, AV_LOG_INFO,
           "%-8s %10" PRId64 " %-6s %-24s %" PRId64 "(%" PRId64 ") %" PRId64 " %" PRId64 " %" PRId64 "\n",
           kind_name(entry->type), entry->size, mode, entry->name, entry->user_id, entry->group_id,
           entry->modification_timestamp, entry->access_timestamp, entry->status_change_timestamp);
    avio_free_directory_entry(&entry);
  }
  if (ret < 0)
    av_log(NULL, AV_LOG_ERROR, "cannot read %s: %s\n", url, av_err2str(ret));
  else
    av_log(NULL, AV_LOG_INFO, "%d entries\n", count);
  avio_close_dir(&dir);
  return ret;
}

int main(int argc, char **argv) {
  int ret;

  av_log_set_level(AV_LOG_DEBUG);
  if (argc != 2) {
    fprintf(stderr, "usage: %s directory-url\n", argv[0]);
    return 2;
  }
  avformat_network_init();
  ret = list(argv[1]);
  avformat_network_deinit();
  return ret < 0 ? 1 : 0;
}
