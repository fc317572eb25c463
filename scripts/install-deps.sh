#!/usr/bin/env bash
# Installs what avio needs from Debian's packages (Debian 12, as root).
# Idempotent: packages already present are skipped, and apt is not touched
# when nothing is missing.
set -euo pipefail

packages=(
  cmake ninja-build pkg-config g++ ccache
  libgtest-dev libgmock-dev libbenchmark-dev
  libavformat-dev libavcodec-dev libavutil-dev libswresample-dev ffmpeg
  libssl-dev openssl libcli11-dev zlib1g-dev nginx curl
  clang-16 libclang-rt-16-dev clang-format-16 clang-tidy-16 python3
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(valgrind gnuplot-nox strace)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
