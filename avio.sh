#!/usr/bin/env bash
# avio's front door. On a fresh Debian 12 machine, as root:
#   ./avio.sh demo        install, build, decode a generated tune from memory
#   ./avio.sh test        install, build, run every test
# and, for developers:
#   ./avio.sh build       build (Debug) into build/
#   ./avio.sh sanitize    build with AddressSanitizer + UBSan (clang-16) and run the tests
#   ./avio.sh tsan        the threaded URL tests (async, interrupts) under ThreadSanitizer
#   ./avio.sh fuzz [SECS] build the libFuzzer target and run it (default 60 s)
#   ./avio.sh bench [--quick]  the benchmark suite (bench/run)
#   ./avio.sh lint [format|tidy]  clang-format-16 and clang-tidy-16 over the tracked sources (scripts/lint.sh)
set -euo pipefail
cd "$(dirname "$0")"
jobs=$(nproc)

configure_and_build() {  # dir, cmake args...
  local dir=$1; shift
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$dir" -G Ninja "${launcher[@]}" "$@" >/dev/null
  ninja -C "$dir" -j "$jobs"
}

run_tests() {  # dir
  ctest --test-dir "$1" --output-on-failure -j "$jobs" --timeout 900
}

cmd=${1:-help}
shift || true
case "$cmd" in
  deps) scripts/install-deps.sh "$@" ;;
  build)
    scripts/install-deps.sh
    configure_and_build build -DCMAKE_BUILD_TYPE=Debug ;;
  demo)
    scripts/install-deps.sh
    configure_and_build build-release -DCMAKE_BUILD_TYPE=Release -DAVIO_BUILD_TESTS=OFF
    scripts/demo.sh build-release ;;
  test)
    scripts/install-deps.sh
    configure_and_build build -DCMAKE_BUILD_TYPE=Debug
    run_tests build ;;
  sanitize)
    scripts/install-deps.sh
    configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang-16 \
      -DCMAKE_CXX_COMPILER=clang++-16 -DAVIO_SANITIZE=address,undefined
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_tests build-asan ;;
  tsan)
    scripts/install-deps.sh
    tests/url/run_tsan.sh build-tsan ;;
  fuzz)
    scripts/install-deps.sh
    fuzz/run.sh "${1:-60}" ;;
  bench)
    scripts/install-deps.sh --bench
    bench/run "$@" ;;
  lint)
    scripts/install-deps.sh
    scripts/lint.sh "$@" ;;
  help|-h|--help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" ;;
  *)
    echo "avio.sh: unknown command '$cmd' (try ./avio.sh help)" >&2
    exit 2 ;;
esac
