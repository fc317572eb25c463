#!/usr/bin/env bash
# Programs written for FFmpeg's AVIO compile unchanged against the installed
# avio_c (`pkg-config --cflags --libs avio-c`, whose include path has the
# compat headers: libavformat/avformat.h, libavcodec/avcodec.h,
# libavutil/log.h, ...) and, when FFmpeg's development files are installed,
# against libavformat too, and the two builds behave the same:
#   list_dir.c     in the manner of FFmpeg's doc/examples/avio_list_dir.c:
#                  both builds list a test directory alike (same order too:
#                  both read it with readdir), and fail alike on bad paths
#   log.c          av_log and friends: both print the same (addresses masked)
#   serve_files.c  in the manner of doc/examples/avio_http_serve_files.c:
#                  both builds serve a file to curl alike (run_serve_files)
#   demuxer.c      uses avformat_open_input: valid against FFmpeg, and must
#                  fail to compile against avio_c, saying why
# and avio_c's headers are self-sufficient: every compat header compiles on
# its own (C and C++), and every avio_c build above compiles with FFmpeg's
# headers hidden from the compiler (as on a machine without FFmpeg's -dev
# packages) and, with them visible, reads none of them.
#
# Usage: check_ffmpeg_programs.sh WORK_DIR  (PKG_CONFIG_PATH must find
# avio-c.pc). check_install.sh runs it on the scratch install.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
work=$1/ffmpeg-programs
rm -rf "$work"
mkdir -p "$work"

fail() {
  printf 'install: FAILED: %s\n' "$1" >&2
  shift
  if (($#)); then printf '%s\n' "$@" >&2; fi
  exit 1
}
# expect WHAT EXPECTED ACTUAL
expect() {
  [[ "$3" == "$2" ]] || fail "$1" "printed:" "$3" "expected:" "$2" \
    "diff (expected, printed):" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") || true)"
}

read -ra avio_cflags <<<"$(pkg-config --cflags avio-c)"
read -ra avio_libs <<<"$(pkg-config --libs avio-c)"
include_dir=$(realpath "$(pkg-config --variable=includedir avio-c)")
ffmpeg=OFF
if pkg-config --exists libavformat libavutil; then
  ffmpeg=ON
  read -ra ffmpeg_cflags <<<"$(pkg-config --cflags libavformat libavutil)"
  read -ra ffmpeg_libs <<<"$(pkg-config --libs libavformat libavutil)"
fi
strict=(-Wall -Wextra -Werror)
ffmpeg_codec_cflags=()
# FFmpeg's demuxer.c needs libavcodec's headers as well (packets).
pkg-config --exists libavcodec && read -ra ffmpeg_codec_cflags <<<"$(pkg-config --cflags libavcodec)"

# ---- FFmpeg's headers hidden: the compiler's own include directories, where
# each one that holds libavutil/libavformat/libavcodec (Debian:
# /usr/include/x86_64-linux-gnu) is replaced by a directory of symbolic links
# to everything else in it. Prints the flags, one a line.
hidden_ffmpeg_includes() {  # COMPILER LANGUAGE
  local compiler=$1 lang=$2 dir entry farm i=0
  local flags=(-nostdinc)
  while read -r dir; do
    if [[ -d $dir/libavutil || -d $dir/libavformat || -d $dir/libavcodec ]]; then
      farm=$work/sysinc-$lang-$i
      i=$((i + 1))
      mkdir -p "$farm"
      for entry in "$dir"/*; do
        case ${entry##*/} in
          libav* | libsw* | libpostproc) ;;
          *) ln -sfn "$entry" "$farm/${entry##*/}" ;;
        esac
      done
      dir=$farm
    fi
    flags+=(-isystem "$dir")
  done < <("$compiler" -x "$lang" -E -v /dev/null 2>&1 >/dev/null |
    sed -n '/^#include <\.\.\.> search starts here:$/,/^End of search list\.$/p' | sed -n 's/^ \(\/.*\)$/\1/p')
  printf '%s\n' "${flags[@]}"
}
mapfile -t hidden_c < <(hidden_ffmpeg_includes cc c)
mapfile -t hidden_cxx < <(hidden_ffmpeg_includes c++ c++)
# Not vacuous: with these flags the C library is there and FFmpeg is not.
echo '#include <stdio.h>' | cc -x c -fsyntax-only "${hidden_c[@]}" - ||
  fail "the FFmpeg-free include path lost the C library" "${hidden_c[@]}"
if echo '#include <libavutil/avutil.h>' | cc -x c -fsyntax-only "${hidden_c[@]}" - 2>/dev/null; then
  fail "FFmpeg's headers are still visible through the FFmpeg-free include path" "${hidden_c[@]}"
fi

# ---- the installed C headers: no compat header reaches for FFmpeg's own
# (#include_next, or a libav* path that only FFmpeg's directory has).
headers_dir=$include_dir/avio/c
bad=$(grep -rnE '#[[:space:]]*include_next|#[[:space:]]*include[[:space:]]*[<"]lib(av|sw|postproc)' "$headers_dir" || true)
[[ -z "$bad" ]] || fail "avio_c's headers include FFmpeg's" "$bad"
# Each compat header alone, in C and C++, with FFmpeg's headers hidden.
mapfile -t compat_headers < <(cd "$headers_dir/compat" && find . -name '*.h' | sed 's|^\./||' | sort)
((${#compat_headers[@]} >= 12)) || fail "too few compat headers installed" "${compat_headers[@]}"
for h in "${compat_headers[@]}"; do
  printf '#include <%s>\nint main(void) { return 0; }\n' "$h" >"$work/header.c"
  cc -std=c11 -pedantic "${strict[@]}" -fsyntax-only "${hidden_c[@]}" "${avio_cflags[@]}" "$work/header.c" ||
    fail "avio-c: <$h> does not compile alone (C11) without FFmpeg's headers"
  c++ -std=c++17 -x c++ "${strict[@]}" -fsyntax-only "${hidden_cxx[@]}" "${avio_cflags[@]}" "$work/header.c" ||
    fail "avio-c: <$h> does not compile alone (C++17) without FFmpeg's headers"
done
echo "install: avio-c: ${#compat_headers[@]} compat headers compile alone (C11, C++17) with FFmpeg's headers hidden"

# ---- the programs, against avio_c: with FFmpeg's headers hidden, and with
# them visible (then the compat headers must win: no FFmpeg header read).
for prog in list_dir log serve_files; do
  cc "${strict[@]}" "${hidden_c[@]}" "${avio_cflags[@]}" "$src/$prog.c" -o "$work/$prog-avio" "${avio_libs[@]}" ||
    fail "avio-c: $prog.c does not build with pkg-config avio-c (FFmpeg's headers hidden)"
  deps=$(cc -M "${avio_cflags[@]}" "$src/$prog.c")
  read_ffmpeg=$(tr ' ' '\n' <<<"${deps//\\/}" | grep -E '/lib(av|sw|postproc)[a-z]*/' | xargs -r realpath -m |
    grep -vF "$include_dir/" || true)
  [[ -z "$read_ffmpeg" ]] || fail "avio-c: $prog.c reads FFmpeg's headers, not avio's compat headers" "$read_ffmpeg"
done
echo "install: avio-c: list_dir.c, log.c, serve_files.c build with pkg-config avio-c (without FFmpeg's headers; beside them, reading none)"

# ---- demuxer.c: a compile error against avio_c, naming the missing part.
demuxer_error() {  # COMPILER FLAGS...
  local compiler=$1 out
  shift
  if out=$("$compiler" -fsyntax-only "$@" "${avio_cflags[@]}" "$src/demuxer.c" 2>&1); then
    fail "avio-c: demuxer.c (avformat_open_input) compiled with $compiler against avio_c"
  fi
  for want in "avio_c has no demuxers or muxers: link FFmpeg's libavformat for avformat_open_input" \
    "avio_c has no demuxers or muxers: link FFmpeg's libavformat for AVFormatContext" \
    "avio_c has no codecs: link FFmpeg's libavcodec for av_packet_alloc"; do
    grep -qF "$want" <<<"$out" || fail "avio-c: demuxer.c's errors ($compiler) do not say: $want" "$out"
  done
}
demuxer_error cc "${hidden_c[@]}"
checked="cc"
for clang in clang-16 clang; do
  if command -v "$clang" >/dev/null; then
    demuxer_error "$clang"
    checked+=", $clang"
    break
  fi
done
echo "install: avio-c: demuxer.c (avformat_open_input, av_packet_alloc) fails to compile, saying avio_c has no demuxers or codecs ($checked)"

version=$(printf '#include <libavformat/avformat.h>\nLIBAVFORMAT_IDENT LIBAVUTIL_IDENT LIBAVCODEC_IDENT %s\n' \
  'LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(58, 9, 100)' | cc -E -P "${avio_cflags[@]}" -x c - | tail -n 1)
# Lavf 59.27.100: the version avio's http User-Agent names (FFmpeg 5.1).
expect "avio-c: the version macros" '"Lavf" "59.27.100" "Lavu" "57.28.100" "Lavc" "59.37.100" ((59) << 16 | (27) << 8 | (100)) >= ((58) << 16 | (9) << 8 | (100))' "$version"

if [[ $ffmpeg == OFF ]]; then
  echo "install: avio-c: FFmpeg's libavformat is not installed: the programs' outputs are not compared with it"
  exit 0
fi

# ---- the same sources against FFmpeg: they build, and print what avio_c's builds print.
for prog in list_dir log serve_files; do
  cc -Wall "${ffmpeg_cflags[@]}" "$src/$prog.c" -o "$work/$prog-ffmpeg" "${ffmpeg_libs[@]}" ||
    fail "$prog.c does not build against FFmpeg's libavformat"
done
cc -Wall -Werror -fsyntax-only "${ffmpeg_cflags[@]}" "${ffmpeg_codec_cflags[@]}" "$src/demuxer.c" ||
  fail "demuxer.c is not valid against FFmpeg (its failure against avio_c would prove nothing)"

# list_dir: a directory with a file, an empty file, a subdirectory, a symbolic
# link and a FIFO, with fixed modes; listed by path and as a file: URL; then a
# missing directory and a file.
dir=$work/tree
mkdir -p "$dir/sub dir"
head -c 1000 /dev/zero >"$dir/data.bin"
: >"$dir/empty"
ln -s data.bin "$dir/link"
mkfifo "$dir/fifo"
chmod 0640 "$dir/data.bin"
chmod 0600 "$dir/empty"
chmod 0751 "$dir/sub dir"
chmod 0644 "$dir/fifo"
run() {  # BINARY ARGS...: its stdout, stderr and exit code
  local rc=0 out
  out=$("$@" 2>"$work/stderr") || rc=$?
  printf '%s\n--- stderr\n%s\n--- exit %d\n' "$out" "$(cat "$work/stderr")" "$rc"
}
for arg in "$dir" "file:$dir" "$dir/missing" "$dir/data.bin"; do
  expected=$(run "$work/list_dir-ffmpeg" "$arg")
  expect "list_dir $arg: the avio_c build differs from the libavformat build" "$expected" \
    "$(run "$work/list_dir-avio" "$arg")"
done
grep -q '^link ' <<<"$(run "$work/list_dir-avio" "$dir")" ||
  fail "list_dir: no symbolic link in the listing" "$(run "$work/list_dir-avio" "$dir")"
echo "install: avio-c: list_dir.c prints the same as against libavformat (a directory by path and file: URL, a missing one, a file)"

# log: the same output, the contexts' addresses masked.
mask() { sed -E 's/ @ 0x[0-9a-f]+\]/ @ ADDR]/g'; }
expected=$(env -u AV_LOG_FORCE_COLOR -u AV_LOG_FORCE_NOCOLOR "$work/log-ffmpeg" "$dir/data.bin" 2>&1 >"$work/log-ffmpeg.out" | mask)
actual=$(env -u AV_LOG_FORCE_COLOR -u AV_LOG_FORCE_NOCOLOR "$work/log-avio" "$dir/data.bin" 2>&1 >"$work/log-avio.out" | mask)
expect "log: stderr of the avio_c build differs from the libavformat build" "$expected" "$actual"
expect "log: stdout of the avio_c build differs from the libavformat build" "$(cat "$work/log-ffmpeg.out")" \
  "$(cat "$work/log-avio.out")"
grep -q '^\[AVIOContext @ ADDR\] a line, continued$' <<<"$actual" || fail "log: no context prefix" "$actual"
echo "install: avio-c: log.c (av_log, av_vlog, levels, prefixes, callbacks) prints the same as against libavformat"

# ---- serve_files: RUN-AND-COMPARE. run_serve_files serves a file with one
# build (http listen=2, a child per client) to three curl requests (GET of the
# file, GET of another path, GET of the file again) and prints what curl saw
# (status line, headers, body size and digest) and the program's log lines. The avio_c build must show what
# the libavformat build shows. AVIO_CHECK_SERVE_RUN=0 skips the run (the
# builds above still happen); AVIO_CHECK_SERVE_RUN=ffmpeg prints the
# libavformat side only, to check the harness.
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if [[ -z $(ss -Htln "sport = :$port" 2>/dev/null) ]]; then
      echo "$port"
      return
    fi
  done
  fail "serve_files: no free port"
}
run_serve_files() {  # BINARY: curl's view of three requests, and ffmpeg's of a fourth
  local bin=$1 port pid i
  port=$(free_port)
  timeout 30 "$bin" "$dir/data.bin" "http://127.0.0.1:$port" 4 2>"$work/serve.log" &
  pid=$!
  for i in $(seq 100); do
    [[ -n $(ss -Htln "sport = :$port" 2>/dev/null) ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  for path in /data.bin /other /data.bin; do
    echo "GET $path"
    : >"$work/body"
    curl -sS --max-time 10 -D - -o "$work/body" "http://127.0.0.1:$port$path" | tr -d '\r' || echo "curl failed: $?"
    echo "body: $(wc -c <"$work/body") bytes, sha256 $(sha256sum <"$work/body" | cut -c1-16)"
  done
  # ffmpeg as the client (libavformat's http): the file's bytes as raw u8
  # samples, copied through.
  echo "ffmpeg: $(timeout 20 ffmpeg -nostdin -v error -f u8 -ar 8000 -ac 1 -i "http://127.0.0.1:$port/data.bin" \
    -c copy -f u8 - 2>/dev/null | sha256sum | cut -c1-16)"
  local rc=0
  wait "$pid" || rc=$?
  echo "server exit $rc, its log:"
  # The program's own lines: libavformat's protocols log too, as timing has
  # it ("[http @ 0x...] URL read error: End of file" when a client hung up
  # before the server's close read from it).
  mask <"$work/serve.log" | grep -E '^(\[AVIOContext @ ADDR\] |[^[])' || true
}
serve_run=${AVIO_CHECK_SERVE_RUN:-1}
if [[ $serve_run == 1 ]]; then
  expected=$(run_serve_files "$work/serve_files-ffmpeg")
  grep -q '^HTTP/1.1 200' <<<"$expected" || fail "serve_files: the libavformat build served nothing" "$expected"
  grep -q "^ffmpeg: $(sha256sum <"$dir/data.bin" | cut -c1-16)\$" <<<"$expected" ||
    fail "serve_files: ffmpeg did not fetch the file from the libavformat build" "$expected"
  expect "serve_files: curl's view of the avio_c build differs from the libavformat build" "$expected" \
    "$(run_serve_files "$work/serve_files-avio")"
  echo "install: avio-c: serve_files.c (listen=2, avio_accept, avio_handshake, resource, reply_code) serves curl the same as against libavformat"
elif [[ $serve_run == ffmpeg ]]; then
  run_serve_files "$work/serve_files-ffmpeg"
else
  echo "install: avio-c: serve_files.c builds both ways; not run (AVIO_CHECK_SERVE_RUN=$serve_run)"
fi
