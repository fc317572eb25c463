#!/bin/bash
# The avio tool's tests: each case runs the built binary and checks what it
# did against FFmpeg's own command-line tool or against the bytes involved.
# Usage: cli_test.sh AVIO MEDIA_DIR WORK_DIR CASE [ARGS...]
set -uo pipefail
AVIO=$1 MEDIA=$2 WORK=$3 CASE=$4
shift 4
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 1

fail() { echo "FAIL: $*" >&2; exit 1; }
ffmpeg_pcm() { ffmpeg -nostdin -hide_banner -loglevel error "$@"; }
same() {  # same FILE1 FILE2 WHAT
  cmp -s "$1" "$2" || fail "$3: $1 and $2 differ ($(stat -c %s "$1") vs $(stat -c %s "$2") bytes)"
  [ -s "$1" ] || fail "$3: $1 is empty"
}
# The error contract: status != 0, exactly one line on stderr naming
# SUBJECT, and OUTPUT (if given) absent, with no temporary files beside it.
expect_failure() {  # expect_failure SUBJECT OUTPUT -- COMMAND...
  local subject=$1 output=$2
  shift 3
  "$@" > stdout.txt 2> stderr.txt
  local status=$?
  [ $status -ne 0 ] || fail "'$*' succeeded"
  [ "$(wc -l < stderr.txt)" -eq 1 ] || { cat stderr.txt >&2; fail "'$*' printed not exactly one error line"; }
  grep -qF -- "$subject" stderr.txt || { cat stderr.txt >&2; fail "the error does not name $subject"; }
  if [ -n "$output" ]; then
    [ ! -e "$output" ] || fail "'$*' left $output behind"
    ! ls -a "$(dirname "$output")" | grep -q 'avio-partial' || fail "'$*' left a temporary file"
  fi
  cat stderr.txt
}

case_decode() {  # decode FORMAT MODE: avio's PCM equals ffmpeg's
  local f=$MEDIA/tone.$1 mode=$2
  "$AVIO" decode-audio --mode "$mode" --format raw "$f" out.raw > summary.txt || fail "decode-audio failed"
  # A stream is what FFmpeg reads from a pipe: compare with that (for MP3
  # the gapless trimming needs a seekable input, in FFmpeg as in avio).
  if [ "$mode" = stream ]; then
    ffmpeg_pcm -i pipe:0 -f s16le - < "$f" > ref.raw
  else
    ffmpeg_pcm -i "$f" -f s16le - > ref.raw
  fi
  same out.raw ref.raw "$1 in $mode mode"
  local bytes; bytes=$(stat -c %s out.raw)
  grep -q "samples: *$((bytes / 4)) per channel" summary.txt || { cat summary.txt; fail "summary's sample count"; }
  # Every byte is read once, except where FFmpeg seeks back over a seekable
  # input (the raw AAC demuxer reads it twice to find the duration).
  local read; read=$(sed -n 's/^read: *\([0-9]*\) bytes.*/\1/p' summary.txt)
  if [ "$mode" = url ]; then
    [ "$read" -ge "$(stat -c %s "$f")" ] || { cat summary.txt; fail "summary's input byte count"; }
  else
    [ "$read" -eq "$(stat -c %s "$f")" ] || { cat summary.txt; fail "summary's input byte count"; }
  fi
  grep -q "^container:" summary.txt && grep -q "^codec:" summary.txt && grep -q "^time:" summary.txt \
    || { cat summary.txt; fail "summary incomplete"; }
  # A stream has no duration in its header for some formats (WAV read as a
  # stream cannot trust its data size); a seekable input always does.
  if [ "$mode" != stream ]; then
    grep -q "^duration: *3\.0" summary.txt || { cat summary.txt; fail "summary's duration"; }
  fi
}

case_convert() {  # convert FORMAT: sample format, rate and channels as ffmpeg converts them
  local f=$MEDIA/tone.$1
  "$AVIO" decode-audio -q --format raw --sample-fmt flt --rate 22050 --channels 1 "$f" out.raw || fail "flt/22050/mono"
  ffmpeg_pcm -i "$f" -ar 22050 -ac 1 -f f32le - > ref.raw
  same out.raw ref.raw "$1 as flt, 22050 Hz, mono"
  "$AVIO" decode-audio -q --format raw --sample-fmt s32 "$f" out32.raw || fail "s32"
  ffmpeg_pcm -i "$f" -f s32le - > ref32.raw
  same out32.raw ref32.raw "$1 as s32"
  "$AVIO" decode-audio -q --format raw --sample-fmt s16 --rate 48000 "$f" out48.raw || fail "48000"
  ffmpeg_pcm -i "$f" -ar 48000 -f s16le - > ref48.raw
  same out48.raw ref48.raw "$1 at 48000 Hz"
}

case_wav_output() {
  local f=$MEDIA/tone.mp3
  "$AVIO" decode-audio -q "$f" out.wav || fail "to WAV"
  "$AVIO" decode-audio -q --format raw "$f" out.raw || fail "to raw"
  # The header was patched: RIFF and data sizes match the file.
  local size data riff
  size=$(stat -c %s out.wav)
  riff=$(od -An -tu4 -j4 -N4 out.wav | tr -d ' ')
  data=$(od -An -tu4 -j40 -N4 out.wav | tr -d ' ')
  [ "$riff" -eq $((size - 8)) ] || fail "RIFF size $riff, file $size"
  [ "$data" -eq $((size - 44)) ] || fail "data size $data, file $size"
  [ "$data" -eq "$(stat -c %s out.raw)" ] || fail "data size $data, raw PCM $(stat -c %s out.raw)"
  ffmpeg_pcm -i out.wav -f s16le - > back.raw
  same back.raw out.raw "WAV read back by ffmpeg"
  # Through a pipe the header cannot be patched: it says "unknown length".
  "$AVIO" decode-audio -q "$f" - > piped.wav 2> err.txt || fail "WAV to stdout"
  [ ! -s err.txt ] || fail "stderr not empty with --quiet"
  [ "$(od -An -tx4 -j40 -N4 piped.wav | tr -d ' ')" = ffffffff ] || fail "piped WAV data size not 0xFFFFFFFF"
  ffmpeg_pcm -i piped.wav -f s16le - > piped.raw
  same piped.raw out.raw "piped WAV read back by ffmpeg"
  # A flt WAV (format 3) with 5 channels (WAVE_FORMAT_EXTENSIBLE).
  "$AVIO" decode-audio -q --sample-fmt flt --channels 5 "$f" five.wav || fail "5-channel flt WAV"
  "$AVIO" decode-audio -q --format raw --sample-fmt flt --channels 5 "$f" five.raw || fail "5-channel flt raw"
  ffmpeg_pcm -i five.wav -f f32le - > five_back.raw
  same five_back.raw five.raw "5-channel float WAV read back by ffmpeg"
  [ "$(ffprobe -v error -show_entries stream=channels -of csv=p=0 five.wav)" = 5 ] || fail "5-channel WAV channel count"
  # The summary goes to stderr when the PCM goes to stdout.
  "$AVIO" decode-audio --format raw "$f" - > stdout.raw 2> summary.txt || fail "raw to stdout"
  same stdout.raw out.raw "raw PCM on stdout"
  grep -q '^samples:' summary.txt || fail "no summary on stderr"
  # A local file is decoded from memory unless --mode says otherwise.
  grep -q "^input: .*(memory mode)" summary.txt || { cat summary.txt; fail "a local file's default mode"; }
}

case_pipe() {  # non-seekable input through pipe:, in every mode
  local f=$MEDIA/tone.$1
  ffmpeg_pcm -i "$f" -f s16le - > ref_file.raw
  ffmpeg_pcm -i pipe:0 -f s16le - < "$f" > ref_pipe.raw
  # memory mode reads the pipe whole, then FFmpeg sees a seekable buffer.
  cat "$f" | "$AVIO" decode-audio -q --format raw --mode memory - out_memory.raw || fail "memory from -"
  same out_memory.raw ref_file.raw "memory mode from a pipe"
  for mode in stream url; do
    cat "$f" | "$AVIO" decode-audio -q --format raw --mode $mode pipe:0 out_$mode.raw || fail "$mode from pipe:0"
    same out_$mode.raw ref_pipe.raw "$mode mode from pipe:0"
  done
}

case_subfile() {  # the media inside a bigger file, through subfile:
  local f=$MEDIA/tone.$1 size
  size=$(stat -c %s "$f")
  head -c 1000 /dev/urandom > wrapped.bin
  cat "$f" >> wrapped.bin
  head -c 777 /dev/urandom >> wrapped.bin
  ffmpeg_pcm -i "$f" -f s16le - > ref.raw
  for mode in memory stream url; do
    "$AVIO" decode-audio -q --format raw --mode $mode "subfile,,start,1000,end,$((1000 + size)),,:wrapped.bin" out.raw \
      || fail "subfile in $mode mode"
    if [ $mode = stream ]; then ffmpeg_pcm -i pipe:0 -f s16le - < "$f" > ref_s.raw; same out.raw ref_s.raw "subfile $mode"
    else same out.raw ref.raw "subfile $mode"; fi
  done
}

case_crypto() {  # AES-128-CBC encrypted media (by ffmpeg's crypto:) decoded through avio's crypto:
  local f=$MEDIA/tone.$1 key=000102030405060708090a0b0c0d0e0f iv=f0e0d0c0b0a090807060504030201000
  # The same remux twice: once encrypted, once plain (the muxers are deterministic).
  ffmpeg -nostdin -loglevel error -y -i "$f" -c copy -fflags +bitexact -f "$2" -encryption_key $key -encryption_iv $iv crypto:enc.bin \
    || fail "encrypting with ffmpeg"
  ffmpeg -nostdin -loglevel error -y -i "$f" -c copy -fflags +bitexact -f "$2" pipe:1 > plain.bin || fail "remuxing with ffmpeg"
  "$AVIO" cp -o key=$key -o iv=$iv crypto:enc.bin decrypted.bin || fail "decrypting with avio cp"
  same decrypted.bin plain.bin "avio's decryption of ffmpeg's encryption"
  ffmpeg_pcm -i plain.bin -f s16le - > ref.raw
  for mode in memory stream url; do
    "$AVIO" decode-audio -q --format raw --mode $mode -o key=$key -o iv=$iv crypto:enc.bin out.raw \
      || fail "crypto in $mode mode"
    same out.raw ref.raw "crypto in $mode mode"
  done
}

case_output_url() {  # OUTPUT through URLs: file:, and a crypto: output read back by ffmpeg
  local f=$MEDIA/tone.flac key=00112233445566778899aabbccddeeff iv=0f0e0d0c0b0a09080706050403020100
  "$AVIO" decode-audio -q --format raw "$f" "file:$PWD/out.raw" || fail "file: output"
  ffmpeg_pcm -i "$f" -f s16le - > ref.raw
  same out.raw ref.raw "file: output"
  "$AVIO" decode-audio -q --format raw -O key=$key -O iv=$iv "$f" crypto:enc.raw || fail "crypto: output"
  ffmpeg_pcm -f s16le -ar 44100 -ac 2 -decryption_key $key -decryption_iv $iv -i crypto:enc.raw -f s16le - > dec.raw
  same dec.raw ref.raw "crypto: output decrypted by ffmpeg"
}

case_truncated() {  # truncated FORMAT MODE: cut at several points, every cut is an error
  local f=$MEDIA/tone.$1 mode=$2 size
  size=$(stat -c %s "$f")
  for percent in 5 30 60 90 97; do
    head -c $((size * percent / 100)) "$f" > cut.$1
    expect_failure cut.$1 "$PWD/out.wav" -- "$AVIO" decode-audio -q --mode $mode cut.$1 "$PWD/out.wav"
  done
}

case_bad_input() {
  local f=$MEDIA/tone.flac
  # Damage in the middle of a FLAC stream (its frames carry CRCs).
  cp "$f" corrupt.flac
  printf '\x55%.0s' $(seq 1 600) | dd of=corrupt.flac bs=1 seek=20000 conv=notrunc status=none
  expect_failure corrupt.flac out.wav -- "$AVIO" decode-audio corrupt.flac out.wav
  expect_failure text.txt out.wav -- "$AVIO" decode-audio "$MEDIA/text.txt" out.wav
  grep -q "not a media file" stderr.txt || fail "text input: wrong cause"
  expect_failure picture.png out.wav -- "$AVIO" decode-audio "$MEDIA/picture.png" out.wav
  grep -q "no audio stream" stderr.txt || fail "picture input: wrong cause"
  : > empty.mp3
  expect_failure empty.mp3 out.wav -- "$AVIO" decode-audio empty.mp3 out.wav
  expect_failure missing.mp3 out.wav -- "$AVIO" decode-audio missing.mp3 out.wav
  grep -q "No such file or directory" stderr.txt || fail "missing input: wrong cause"
  expect_failure nosuchproto: out.wav -- "$AVIO" decode-audio nosuchproto:tone.mp3 out.wav
  grep -qi "protocol not found" stderr.txt || fail "unknown protocol: wrong cause"
  expect_failure "$PWD/no/such/dir/out.wav" "" -- "$AVIO" decode-audio "$f" "$PWD/no/such/dir/out.wav"
  expect_failure "$f/out.wav" "" -- "$AVIO" decode-audio "$f" "$f/out.wav"  # a file is not a directory
  grep -q "Not a directory" stderr.txt || fail "output under a file: wrong cause"
  expect_failure "data:,x" "" -- "$AVIO" decode-audio "$f" "data:,x"  # a protocol that cannot write
  if [ -w /dev/full ]; then  # every write fails: the error must not be lost in a buffer
    expect_failure /dev/full "" -- "$AVIO" decode-audio "$f" /dev/full
    grep -q "No space left on device" stderr.txt || fail "/dev/full: wrong cause"
  fi
  mkdir readonly && chmod 555 readonly
  if [ "$(id -u)" != 0 ]; then  # root writes anywhere
    expect_failure readonly/out.wav readonly/out.wav -- "$AVIO" decode-audio "$f" readonly/out.wav
  fi
  # A failed decode leaves an existing OUTPUT as it was.
  echo "precious" > keep.wav
  head -c 30000 "$MEDIA/tone.wav" > cut.wav
  expect_failure cut.wav "" -- "$AVIO" decode-audio cut.wav keep.wav
  [ "$(cat keep.wav)" = precious ] || fail "a failed decode overwrote the existing output"
  # A symbolic link as OUTPUT is written through, not replaced.
  ln -s target.wav link.wav
  "$AVIO" decode-audio -q "$f" link.wav || fail "decode to a symbolic link"
  [ -L link.wav ] && [ -s target.wav ] || fail "the symbolic link was replaced"
  ! ls -a | grep -q avio-partial || fail "temporary file left behind"
  # Unknown options are usage errors (status 2) in the Unix style.
  "$AVIO" decode-audio --mode sideways "$f" out.wav 2> usage.txt
  [ $? -eq 2 ] || fail "bad --mode: status"
  grep -q "^avio decode-audio: --mode" usage.txt || { cat usage.txt; fail "bad --mode: message"; }
  grep -q "Try 'avio decode-audio --help'" usage.txt || fail "bad --mode: no help hint"
  "$AVIO" decode-audio -o nosuchoption=1 "$f" out.wav 2> opt.txt && fail "unknown protocol option accepted"
  grep -q nosuchoption opt.txt || fail "unknown protocol option not named"
}

case_cat() {
  "$AVIO" cat "$MEDIA/tone.mp3" "$MEDIA/tone.flac" > both.bin || fail "cat"
  cat "$MEDIA/tone.mp3" "$MEDIA/tone.flac" > ref.bin
  same both.bin ref.bin "cat of two files"
  "$AVIO" cat "data:text/plain;base64,aGVsbG8gd29ybGQ=" > data.txt || fail "cat data:"
  [ "$(cat data.txt)" = "hello world" ] || fail "cat data: gave '$(cat data.txt)'"
  echo "from stdin" | "$AVIO" cat - > stdin.txt || fail "cat -"
  [ "$(cat stdin.txt)" = "from stdin" ] || fail "cat - gave '$(cat stdin.txt)'"
  # Like cat(1): a missing file is reported, the others are still copied.
  "$AVIO" cat missing.bin "$MEDIA/tone.mp3" > partial.bin 2> err.txt && fail "cat with a missing file succeeded"
  grep -q "missing.bin" err.txt || fail "cat did not name the missing file"
  same partial.bin "$MEDIA/tone.mp3" "cat after a missing file"
}

case_cp() {
  local f=$MEDIA/tone.wav
  "$AVIO" cp "$f" copy.wav 2> err.txt || fail "cp"
  same copy.wav "$f" "cp file to file"
  [ ! -s err.txt ] || fail "cp printed a progress bar although stderr is not a terminal"
  "$AVIO" cp --buffer-size 1k "$f" file:copy2.wav || fail "cp --buffer-size 1k"
  same copy2.wav "$f" "cp with 1 KiB blocks"
  "$AVIO" cp "subfile,,start,44,end,1044,,:$f" part.bin || fail "cp subfile"
  tail -c +45 "$f" | head -c 1000 > ref_part.bin
  same part.bin ref_part.bin "cp of a subfile"
  cat "$f" | "$AVIO" cp - piped.wav || fail "cp from stdin"
  same piped.wav "$f" "cp from stdin"
  "$AVIO" cp "$f" - > stdout.wav || fail "cp to stdout"
  same stdout.wav "$f" "cp to stdout"
  "$AVIO" cp --buffer-size lots "$f" x.wav 2> err.txt && fail "cp accepted --buffer-size lots"
  grep -q "buffer-size" err.txt || fail "bad --buffer-size not named"
  expect_failure missing.wav out.bin -- "$AVIO" cp missing.wav "$PWD/out.bin"
}

# Sockets as nc(1) uses them: a listening end and a connecting end, both
# the avio tool, on loopback; the listener is stopped by its PID.
case_network() {
  local f=$MEDIA/tone.wav pid=0
  trap '[ $pid -gt 0 ] && kill $pid 2>/dev/null; wait 2>/dev/null' EXIT
  # Below Linux's ephemeral ports (32768 on): a port there may be the local
  # end of another test's connection, and the listener would not bind.
  local port=$((20000 + RANDOM % 12000))
  # cp to a listening tcp: URL; cat from it.
  "$AVIO" cp "$f" "tcp://127.0.0.1:$port?listen=1&listen_timeout=20000" 2> server.err & pid=$!
  local i
  for i in $(seq 1 100); do
    "$AVIO" cat "tcp://127.0.0.1:$port" > copy.wav 2> client.err && break
    sleep 0.1
  done
  wait $pid || { cat server.err; fail "cp to a listening tcp: URL"; }
  pid=0
  same copy.wav "$f" "cat from tcp:"
  # The other way: cat listens, cp connects.
  port=$((port + 1))
  "$AVIO" cat "tcp://127.0.0.1:$port?listen=1&listen_timeout=20000" > got.wav 2> server.err & pid=$!
  for i in $(seq 1 100); do
    "$AVIO" cp "$f" "tcp://127.0.0.1:$port" 2> client.err && break
    sleep 0.1
  done
  wait $pid || { cat server.err; fail "cat from a listening tcp: URL"; }
  pid=0
  same got.wav "$f" "cp to tcp:"
  # A refused port is one error line naming it.
  expect_failure "127.0.0.1:1" "" -- "$AVIO" cat "tcp://127.0.0.1:1"
}

case_progress() {  # the progress bar, drawn on a pseudo-terminal only
  local f=$MEDIA/tone.wav
  script -qefc "'$AVIO' cp --buffer-size 4k '$f' '$PWD/copy.wav'" /dev/null > tty.txt < /dev/null || fail "cp in a pty"
  same copy.wav "$f" "cp in a pty"
  grep -q "100%" tty.txt || { cat -v tty.txt; fail "no final 100% progress line"; }
  grep -q "$(stat -c %s "$f" | awk '{printf "%.1f KiB", $1/1024}')" tty.txt || { cat -v tty.txt; fail "no byte total"; }
  grep -q "/s" tty.txt || { cat -v tty.txt; fail "no rate"; }
  grep -q "ETA " tty.txt || { cat -v tty.txt; fail "no time left"; }  # the first draw is never the last
  grep -q $'\r' tty.txt || fail "the bar does not redraw in place"
  # --quiet and a non-terminal stderr draw nothing.
  script -qefc "'$AVIO' cp -q '$f' '$PWD/copy2.wav'" /dev/null > quiet.txt < /dev/null || fail "cp -q in a pty"
  ! grep -q "%" quiet.txt || fail "cp -q drew a bar"
  script -qefc "'$AVIO' decode-audio '$MEDIA/tone.flac' '$PWD/out.wav'" /dev/null > dec.txt < /dev/null \
    || fail "decode-audio in a pty"
  grep -q "decoding \[=*\] 100%" dec.txt || { cat -v dec.txt; fail "decode-audio drew no progress bar"; }
  grep -q "^samples:" dec.txt || fail "decode-audio summary missing in a pty"
}

case_stat() {
  local f=$MEDIA/tone.mp3
  "$AVIO" stat "$f" > stat.txt || fail "stat"
  grep -q "^protocol: *file" stat.txt || { cat stat.txt; fail "stat protocol"; }
  grep -q "^size: *$(stat -c %s "$f")$" stat.txt || { cat stat.txt; fail "stat size"; }
  grep -q "^seekable: *yes" stat.txt || { cat stat.txt; fail "stat seekable"; }
  cat "$f" | "$AVIO" stat pipe:0 > pipe.txt || fail "stat pipe:0"
  grep -q "^protocol: *pipe" pipe.txt || { cat pipe.txt; fail "stat pipe protocol"; }
  grep -q "^seekable: *no" pipe.txt || { cat pipe.txt; fail "stat pipe seekable"; }
  "$AVIO" stat "subfile,,start,10,end,110,,:$f" > sub.txt || fail "stat subfile"
  grep -q "^size: *100$" sub.txt || { cat sub.txt; fail "stat subfile size"; }
  grep -q "^option start: *10$" sub.txt || { cat sub.txt; fail "stat subfile options"; }
  expect_failure missing.mp3 "" -- "$AVIO" stat missing.mp3
}

case_ls() {
  mkdir -p dir/sub && printf 12345 > dir/five.bin && ln -s five.bin dir/link && mkfifo dir/fifo
  "$AVIO" ls dir > names.txt || fail "ls"
  [ "$(sort names.txt | tr '\n' ' ')" = "fifo five.bin link sub " ] || { cat names.txt; fail "ls names"; }
  # (FFmpeg lists the URL as given, so a directory is named by its path.)
  "$AVIO" ls -l "$PWD/dir" > long.txt || fail "ls -l"
  grep -Eq "^FILE +644 +5 .* five.bin$" long.txt || { cat long.txt; fail "ls -l file line"; }
  grep -Eq "^DIR .* sub$" long.txt || { cat long.txt; fail "ls -l dir line"; }
  grep -Eq "^LINK .* link$" long.txt || { cat long.txt; fail "ls -l link line"; }
  grep -Eq "^PIPE .* fifo$" long.txt || { cat long.txt; fail "ls -l fifo line"; }
  expect_failure nodir "" -- "$AVIO" ls nodir
  expect_failure "data:" "" -- "$AVIO" ls "data:,x"
}

case_protocols() {
  "$AVIO" protocols > all.txt || fail "protocols"
  for p in file pipe data subfile crypto concat; do
    grep -q "^$p (" all.txt || { cat all.txt; fail "protocol $p not listed"; }
  done
  grep -A20 "^crypto (" all.txt | grep -q "^  key " || fail "crypto's key option not listed"
  grep -A20 "^subfile (" all.txt | grep -q "^  start " || fail "subfile's start option not listed"
  "$AVIO" protocols --names > names.txt || fail "protocols --names"
  grep -qx file names.txt || fail "protocols --names"
}

case_help() {
  "$AVIO" --help > help.txt || fail "--help status"
  for c in decode-audio cat cp stat ls protocols serve; do grep -q "^  $c " help.txt || fail "--help lacks $c"; done
  "$AVIO" decode-audio --help > dhelp.txt || fail "decode-audio --help status"
  for o in --mode --sample-fmt --rate --channels --format --quiet; do grep -q -- "$o" dhelp.txt || fail "no $o"; done
  [ "$("$AVIO" --version)" = "avio $1" ] || fail "--version printed '$("$AVIO" --version)'"
  "$AVIO" 2> none.txt; [ $? -eq 2 ] || fail "no subcommand: status"
  grep -q "Try 'avio --help'" none.txt || fail "no subcommand: no hint"
  "$AVIO" frobnicate 2> bad.txt; [ $? -eq 2 ] || fail "unknown subcommand: status"
  grep -q "^avio: 'frobnicate' is not an avio command" bad.txt || { cat bad.txt; fail "unknown subcommand: message"; }
  "$AVIO" cp onlyone 2> missing.txt; [ $? -eq 2 ] || fail "missing DST: status"
  grep -q "^avio cp: DST is required" missing.txt || { cat missing.txt; fail "missing DST: message"; }
}

case_examples() {  # the programs in examples/, run on the test media (ARGS: their directory)
  local bin=$1
  local samples pcm_bytes
  samples=$(( $(ffmpeg_pcm -i "$MEDIA/tone.flac" -f s16le - | wc -c) / 4 ))
  "$bin/example_decode_from_memory" "$MEDIA/tone.flac" > dec.txt || fail "decode_from_memory"
  grep -q "flac, flac, 44100 Hz, 2 channels, $samples samples per channel" dec.txt || { cat dec.txt; fail "decode_from_memory output"; }
  "$bin/example_decode_from_memory" "$MEDIA/text.txt" 2> err.txt && fail "decode_from_memory accepted text"
  grep -q "decode_from_memory: opening" err.txt || fail "decode_from_memory error message"
  # The tutorial, fixed: the float PCM is ffmpeg's, byte for byte (it has
  # no seek callback, so ffmpeg reads from a pipe too).
  for f in aac mp3 ogg; do
    "$bin/example_tutorial_decode_audio" "$MEDIA/tone.$f" out.f32 2> /dev/null || fail "tutorial on $f"
    ffmpeg_pcm -i pipe:0 -f f32le - < "$MEDIA/tone.$f" > ref.f32
    same out.f32 ref.f32 "tutorial's PCM of $f"
  done
  "$bin/example_wav_info_c_api" "$MEDIA/tone.wav" > wav.txt || fail "wav_info_c_api"
  pcm_bytes=$(ffmpeg_pcm -i "$MEDIA/tone.wav" -f s16le - | wc -c)
  grep -q "format 1, 2 channels, 44100 Hz, 16 bits, $pcm_bytes bytes of samples" wav.txt || { cat wav.txt; fail "wav_info"; }
  "$bin/example_wav_info_c_api" "$MEDIA/tone.mp3" 2> /dev/null && fail "wav_info_c_api accepted an MP3"
  "$bin/example_mux_to_memory" tone.wav > mux.txt || fail "mux_to_memory"
  grep -q "88200 bytes of samples" mux.txt || { cat mux.txt; fail "mux_to_memory output"; }
  [ "$(ffprobe -v error -show_entries stream=duration_ts -of csv=p=0 tone.wav)" = 44100 ] || fail "muxed WAV length"
  mkdir -p dir/sub && printf abc > dir/three && ln -s three dir/link
  "$bin/example_list_directory" dir > ls.txt || fail "list_directory"
  grep -Eq "^FILE +3 +644  three$" ls.txt || { cat ls.txt; fail "list_directory file"; }
  grep -Eq "^LINK .* link$" ls.txt && grep -Eq "^DIR .* sub$" ls.txt || { cat ls.txt; fail "list_directory types"; }
  "$bin/example_list_directory" nosuchdir 2> /dev/null && fail "list_directory of a missing directory succeeded"
  true
}

case_interrupt() {  # Ctrl-C: the command stops through its error path and leaves nothing behind
  mkfifo input.fifo
  exec 3<> input.fifo  # a writer that never writes: reads block
  "$AVIO" cp input.fifo "$PWD/out.bin" 2> err.txt &
  local pid=$! i
  # Wait until the output is open (its temporary file exists); bounded.
  for i in $(seq 1 400); do ls -a | grep -q avio-partial && break; sleep 0.05; done
  ls -a | grep -q avio-partial || fail "cp never opened its output"
  kill -INT $pid
  wait $pid
  local status=$?
  exec 3>&-
  [ $status -eq 130 ] || fail "status $status after SIGINT, not 130"
  grep -q "interrupted" err.txt || { cat err.txt; fail "no 'interrupted' message"; }
  [ ! -e out.bin ] || fail "output left behind"
  ! ls -a | grep -q avio-partial || fail "temporary file left behind"
}

"case_$CASE" "$@"
