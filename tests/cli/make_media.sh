#!/bin/bash
# Generates the test media with Debian's ffmpeg: a 3-second 440 Hz tone in
# every container the CLI tests decode. Usage: make_media.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
tone=(-f lavfi -i "sine=frequency=440:duration=3:sample_rate=44100")
ff "${tone[@]}" -ac 2 -c:a pcm_s16le tone.wav
ff "${tone[@]}" -ac 2 -c:a libmp3lame -b:a 128k tone.mp3
ff "${tone[@]}" -ac 2 -c:a aac -f adts tone.aac
ff "${tone[@]}" -ac 2 -c:a flac tone.flac
ff "${tone[@]}" -ac 2 -c:a libvorbis tone.ogg
ff -f lavfi -i "sine=frequency=440:duration=3:sample_rate=48000" -ac 2 -c:a libopus -f ogg tone.opus
# moov first, so that the file can also be decoded as a stream (no seeking).
ff "${tone[@]}" -ac 2 -c:a aac -movflags +faststart tone.m4a
# Not audio: an image, and text.
ff -f lavfi -i testsrc=size=64x64 -frames:v 1 picture.png
printf 'these are not the samples you are looking for\n' > text.txt
touch .done
