#!/usr/bin/env bash
# The main job: build the avio tool, make a short tune if none is bundled,
# and decode it from memory with `avio decode-audio` (the seed example: the
# whole file in memory, served to FFmpeg through memory I/O callbacks).
#
#   scripts/demo.sh [BUILD_DIR]     (default: build-release)
#
# Assumes the Debian packages are installed (scripts/install-deps.sh). Needs
# no network and no server.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-release}
case "$build" in /*) ;; *) build=$root/$build ;; esac

# Build (configures first if the directory is new).
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAVIO_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target avio_tool -j "$(nproc)" >/dev/null
avio=$build/tools/avio

# The tune: a bundled one if the repository has it, otherwise four notes
# (C5 E5 G5 C6, 0.75 s each) made by ffmpeg's lavfi sine source and encoded
# as MP3, so that the decode is a real one.
mkdir -p "$build/demo"
tune=""
for candidate in "$root"/examples/media/tune.*; do
  [ -f "$candidate" ] && tune=$candidate && break
done
if [ -z "$tune" ]; then
  tune=$build/demo/tune.mp3
  if [ ! -s "$tune" ]; then
    echo "demo: generating a 3-second tune with ffmpeg: $tune"
    notes=""
    inputs=()
    freq=(523.25 659.25 783.99 1046.50)
    for i in 0 1 2 3; do
      inputs+=(-f lavfi -i "sine=frequency=${freq[$i]}:duration=0.75:sample_rate=44100")
      notes+="[$i:a]"
    done
    ffmpeg -nostdin -hide_banner -loglevel error -y "${inputs[@]}" \
      -filter_complex "${notes}concat=n=4:v=0:a=1,volume=0.5,aformat=channel_layouts=stereo" \
      -c:a libmp3lame -b:a 128k "$tune"
  fi
fi

echo "demo: decoding $tune from memory with avio decode-audio"
echo
"$avio" decode-audio --mode memory "$tune" "$build/demo/tune.wav"
echo
# The PCM in the WAV, against what FFmpeg's own command-line tool decodes.
if cmp -s <(ffmpeg -nostdin -loglevel error -i "$build/demo/tune.wav" -f s16le -) \
          <(ffmpeg -nostdin -loglevel error -i "$tune" -f s16le -); then
  echo "demo: check: the samples are identical to 'ffmpeg -i $(basename "$tune") -f s16le -'"
else
  echo "demo: check FAILED: the samples differ from ffmpeg's" >&2
  exit 1
fi
echo "demo: wrote $build/demo/tune.wav (play it with: ffplay -autoexit $build/demo/tune.wav)"
