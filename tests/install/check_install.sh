#!/usr/bin/env bash
# Installs the build into a scratch prefix, then checks each installed library
# with consumers built through its pkg-config module and through
# find_package(avio) (CMake, Ninja generator), and runs them:
#   avio-c       the C consumer, against avio and against libavformat: same output
#                and programs written for FFmpeg (check_ffmpeg_programs.sh)
#   avio-core    an engine-only C++ consumer (from_memory, from_callbacks),
#                proven to need neither OpenSSL nor threads
#   avio         a C++ consumer that reads a data: URL
#   avio-ffmpeg  (when the bridge was built) a C++ consumer reading through an
#                IOBridge, linked with the bridge and the engine only
# Each check prints one line; a failure says what differed and exits non-zero.
set -euo pipefail
build=$1
src=$(cd "$(dirname "$0")" && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig"

fail() {
  printf 'install: FAILED: %s\n' "$1" >&2
  shift
  if (($#)); then printf '%s\n' "$@" >&2; fi
  exit 1
}
# expect WHAT EXPECTED ACTUAL
expect() {
  [[ "$3" == "$2" ]] || fail "$1" "printed:" "$3" "expected:" "$2"
}

pcdir=""
for d in "$prefix/lib/pkgconfig" "$prefix/lib/x86_64-linux-gnu/pkgconfig"; do
  [[ -f "$d/avio-core.pc" ]] && pcdir=$d
done
[[ -n "$pcdir" ]] || fail "no avio-core.pc under $prefix" "$(cd "$prefix" && find . -name '*.pc')"
libdir=$(dirname "$pcdir")
for pc in avio-core avio avio-c; do
  [[ -f "$pcdir/$pc.pc" ]] || fail "$pc.pc not installed in $pcdir"
done
bridge=OFF
[[ -f "$pcdir/avio-ffmpeg.pc" ]] && bridge=ON
work="$prefix/work"
mkdir -p "$work"

# ---- (a) avio-c: the C consumer must not see FFmpeg's headers or libraries, only avio's.
cc -std=c11 -Wall -Werror "$src/consumer.c" -o "$work/consumer" $(pkg-config --cflags --libs avio-c)
out=$("$work/consumer")
# The same source built against FFmpeg's libavformat must print the same.
cc -std=c11 -Wall "$src/consumer.c" -o "$work/consumer-ffmpeg" $(pkg-config --cflags --libs libavformat libavutil)
expected=$("$work/consumer-ffmpeg")
[[ -n "$out" ]] || fail "avio-c: the C consumer printed nothing"
expect "avio-c: the C consumer built with pkg-config avio-c differs from the same source built against libavformat" "$expected" "$out"
echo "install: avio-c: the C consumer (pkg-config avio-c) prints the same as against libavformat"
# Programs written the way FFmpeg's AVIO examples are (avio_list_dir,
# avio_http_serve_files), the compat headers alone, and a demuxer program
# that must not compile: check_ffmpeg_programs.sh.
"$src/check_ffmpeg_programs.sh" "$work"

# ---- the consumers' sources
cat > "$work/core.cc" <<'CC'
// The engine alone: IOContext over memory and over callbacks.
#include <avio/io_context.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

int main() {
  const uint8_t bytes[] = {1, 2, 3, 4};
  auto mem = avio::IOContext::from_memory(bytes);
  const uint32_t a = mem.rb32();
  const std::vector<uint8_t> src = {5, 6, 7, 8};
  size_t pos = 0;
  avio::Callbacks cb;
  cb.read = [&](std::span<uint8_t> dst) -> avio::Result<size_t> {
    if (pos == src.size()) return avio::Error::eof();
    const size_t n = std::min(dst.size(), src.size() - pos);
    std::memcpy(dst.data(), src.data() + pos, n);
    pos += n;
    return n;
  };
  auto ctx = avio::IOContext::from_callbacks(std::move(cb), {.buffer_size = 4096});
  if (!ctx) {
    std::fprintf(stderr, "from_callbacks: %s\n", ctx.error().message().c_str());
    return 1;
  }
  std::printf("%08x %08x\n", a, ctx->rb32());
}
CC
cat > "$work/url.cc" <<'CC'
// The URL layer: open a data: URL and print its bytes.
#include <avio/url.hpp>

#include <cstdio>

int main() {
  auto ctx = avio::open_url("data:text/plain,hello");
  if (!ctx) {
    std::fprintf(stderr, "open_url: %s\n", ctx.error().message().c_str());
    return 1;
  }
  uint8_t buf[64];
  auto n = ctx->read(buf);
  if (!n) {
    std::fprintf(stderr, "read: %s\n", n.error().message().c_str());
    return 1;
  }
  std::printf("%.*s\n", static_cast<int>(*n), reinterpret_cast<const char *>(buf));
}
CC
cat > "$work/bridge.cc" <<'CC'
// The FFmpeg bridge over the engine: libavformat reads an avio memory context.
#include <avio/ffmpeg/io_bridge.hpp>
#include <avio/io_context.hpp>

#include <cstdio>

extern "C" {
#include <libavformat/avio.h>
}

int main() {
  const uint8_t bytes[] = {1, 2, 3, 4};
  auto io = avio::IOContext::from_memory(bytes);
  auto bridge = avio::ffmpeg::IOBridge::reader(io);
  if (!bridge) {
    std::fprintf(stderr, "IOBridge::reader: %s\n", bridge.error().message().c_str());
    return 1;
  }
  std::printf("%08x\n", avio_rb32(bridge->get()));
}
CC
cat > "$work/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(consumers CXX)
option(CHECK_BRIDGE "Build the bridge consumer" OFF)
if(CHECK_BRIDGE)
  find_package(avio REQUIRED COMPONENTS core avio ffmpeg_bridge)
else()
  find_package(avio REQUIRED COMPONENTS core avio)
endif()
add_executable(core_consumer core.cc)
target_link_libraries(core_consumer PRIVATE avio::core)
add_executable(url_consumer url.cc)
target_link_libraries(url_consumer PRIVATE avio::avio)
if(CHECK_BRIDGE)
  add_executable(bridge_consumer bridge.cc)
  target_link_libraries(bridge_consumer PRIVATE avio::ffmpeg_bridge)
endif()
CM
# Ninja: a minimal Debian 12 has no make (scripts/install-deps.sh installs ninja-build).
cmake -S "$work" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -Davio_DIR="$libdir/cmake/avio" -DCHECK_BRIDGE=$bridge >/dev/null
cmake --build "$work/build" >/dev/null

# ---- (b) avio-core: links and runs without OpenSSL and threads.
core_libs=$(pkg-config --libs avio-core)
if grep -Eq 'crypto|ssl|pthread' <<<"$core_libs"; then
  fail "avio-core: pkg-config --libs avio-core names OpenSSL or pthread" "$core_libs"
fi
# Undefined symbols of the archive: none from OpenSSL, no thread creation.
forbidden='^(EVP_|SSL_|MD5|AES_|SHA[0-9]|HMAC|OPENSSL_|CRYPTO_|ERR_|BIO_|RAND_|pthread_create)'
undefined() { nm -u "$1" | awk '$1 == "U" { print $2 }' | sort -u; }
[[ -f "$libdir/libavio_core.a" ]] || fail "avio-core: no $libdir/libavio_core.a"
bad=$(undefined "$libdir/libavio_core.a" | grep -E "$forbidden" || true)
[[ -z "$bad" ]] || fail "avio-core: libavio_core.a references OpenSSL or pthread_create" "$bad"
# The same test finds OpenSSL in libavio.a (so the pattern is not vacuous).
# (Captured first: `grep -q` in the pipe would stop reading early, and the
# writer's SIGPIPE fail the pipeline under pipefail.)
avio_undefined=$(undefined "$libdir/libavio.a")
grep -Eq '^EVP_' <<<"$avio_undefined" ||
  fail "avio: libavio.a references no EVP_ symbol (the nm check above would be vacuous)"
c++ -Wall -Werror "$work/core.cc" -o "$work/core-pc" $core_libs $(pkg-config --cflags avio-core)
core_link=$(ninja -C "$work/build" -t commands core_consumer | tail -n 1)
if grep -Eq 'crypto|ssl|pthread' <<<"$core_link"; then
  fail "avio-core: the link of avio::core's consumer names OpenSSL or threads" "$core_link"
fi
for bin in "$work/core-pc" "$work/build/core_consumer"; do
  expect "avio-core: $bin" "01020304 05060708" "$("$bin")"
  needed=$(readelf -d "$bin" | grep NEEDED || true)
  if grep -Eq 'libcrypto|libssl' <<<"$needed"; then
    fail "avio-core: $bin needs OpenSSL" "$needed"
  fi
done
echo "install: avio-core: engine consumer (pkg-config avio-core, avio::core) OK; no OpenSSL or pthread_create (pc, nm, link, NEEDED)"

# ---- (c) avio: the URL layer.
c++ -Wall -Werror "$work/url.cc" -o "$work/url-pc" $(pkg-config --cflags --libs avio)
for bin in "$work/url-pc" "$work/build/url_consumer"; do
  expect "avio: $bin" "hello" "$("$bin")"
done
echo "install: avio: URL consumer (pkg-config avio, avio::avio) reads data:text/plain,hello"

# ---- (d) avio-ffmpeg: the bridge, when it was built.
if [[ $bridge == ON ]]; then
  c++ -Wall -Werror "$work/bridge.cc" -o "$work/bridge-pc" $(pkg-config --cflags --libs avio-ffmpeg)
  for bin in "$work/bridge-pc" "$work/build/bridge_consumer"; do
    expect "avio-ffmpeg: $bin" "01020304" "$("$bin")"
    needed=$(readelf -d "$bin" | grep NEEDED || true)
    if grep -Eq 'libcrypto|libssl' <<<"$needed"; then
      fail "avio-ffmpeg: $bin needs OpenSSL (the bridge should need only the engine)" "$needed"
    fi
  done
  echo "install: avio-ffmpeg: bridge consumer (pkg-config avio-ffmpeg, avio::ffmpeg_bridge) reads through libavformat"
else
  echo "install: avio-ffmpeg: the bridge was not built (no FFmpeg); skipped"
fi
