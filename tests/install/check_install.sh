#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds a C consumer with
# pkg-config (avio-c) and a C++ consumer with find_package(avio), and runs them.
set -euo pipefail
build=$1
src=$(cd "$(dirname "$0")" && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig"
# The C consumer must not see FFmpeg's headers or libraries: only avio's.
cc -std=c11 -Wall -Werror "$src/consumer.c" -o "$prefix/consumer" $(pkg-config --cflags --libs avio-c)
out=$("$prefix/consumer")
# The same source built against FFmpeg's libavformat must print the same.
cc -std=c11 -Wall "$src/consumer.c" -o "$prefix/consumer-ffmpeg" $(pkg-config --cflags --libs libavformat libavutil)
expected=$("$prefix/consumer-ffmpeg")
if [[ "$out" != "$expected" || -z "$out" ]]; then
  printf 'consumer printed:\n%s\nexpected:\n%s\n' "$out" "$expected" >&2
  exit 1
fi
mkdir -p "$prefix/cxx"
cat > "$prefix/cxx/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(consumer CXX)
find_package(avio REQUIRED)
add_executable(consumer main.cc)
target_link_libraries(consumer PRIVATE avio::avio)
CM
cat > "$prefix/cxx/main.cc" <<'CC'
#include <avio/io_context.hpp>
#include <cstdio>
int main() {
  const uint8_t bytes[] = {1, 2, 3, 4};
  auto ctx = avio::IOContext::from_memory(bytes);
  std::printf("%08x\n", ctx.rb32());
}
CC
cmake -S "$prefix/cxx" -B "$prefix/cxx/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/cxx/build" >/dev/null
[[ "$("$prefix/cxx/build/consumer")" == "01020304" ]]
echo "install: C consumer (pkg-config avio-c) and C++ consumer (find_package avio) OK"
