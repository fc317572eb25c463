#!/bin/sh
# Builds the differential fuzzer (clang++-16, libFuzzer + ASan + UBSan) in its
# own build directory and runs it for a bounded time.
#
#   fuzz/run.sh [seconds]            default 60
#
# Environment: AVIO_FUZZ_BUILD_DIR (default <repo>/build-fuzz). Exits
# non-zero when the fuzzer
# finds a crash or a divergence; the input is saved in the build directory as
# crash-* (rerun: <build>/fuzz/avio_diff_fuzzer crash-...).
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AVIO_FUZZ_BUILD_DIR:-$root/build-fuzz}

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 \
  -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link \
  -DAVIO_SANITIZE=address,undefined \
  -DAVIO_BUILD_FUZZERS=ON -DAVIO_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" -j2 avio_diff_fuzzer

corpus="$build/fuzz-corpus"
mkdir -p "$corpus"
cd "$build"
# libFuzzer exits non-zero on a crash, a sanitizer report or an abort().
exec "$build/fuzz/avio_diff_fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
  -max_len=8192 -print_final_stats=1 "$corpus"
