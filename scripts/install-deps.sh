#!/usr/bin/env bash
# Installs what avio needs from Debian's packages (Debian 12, as root), and
# the S3 tests' s3rver from the npm registry into tools/s3rver/node_modules.
# Idempotent: packages already present are skipped, apt is not touched when
# nothing is missing, and npm is not run when s3rver's lock is installed.
set -euo pipefail

packages=(
  cmake ninja-build pkg-config g++ ccache
  libgtest-dev libgmock-dev libbenchmark-dev
  libavformat-dev libavcodec-dev libavutil-dev libswresample-dev ffmpeg
  libssl-dev openssl libcli11-dev zlib1g-dev libexpat1-dev nginx curl
  clang-16 libclang-rt-16-dev clang-format-16 clang-tidy-16 python3 nodejs
  python3-botocore
)
# npm runs s3rver's install below. Debian's package, unless the nodejs that is
# installed brings its own (NodeSource's provides npm and conflicts with it).
if [[ ! -x /usr/bin/npm ]]; then
  packages+=(npm)
fi
if [[ "${1:-}" == "--bench" ]]; then
  # gdal-bin brings libgdal, GDAL's /vsicurl/ that the remote workloads
  # compare against (loaded at run time: nothing builds against it).
  packages+=(valgrind gnuplot-nox strace gdal-bin)
fi

install_packages() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# s3rver, the S3 server of tests/net/s3: the tree pinned by
# tools/s3rver/package-lock.json, from the npm registry into
# tools/s3rver/node_modules (git-ignored), with Debian's /usr/bin/node (PATH
# may have another). Skipped when that lock is installed already: a stamp
# in node_modules holds the sha256 of package.json and package-lock.json.
install_s3rver() {
  local dir stamp want
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools/s3rver" && pwd)"
  stamp="$dir/node_modules/.avio-installed"
  want="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  echo "install-deps: installing s3rver into tools/s3rver/node_modules" >&2
  (cd "$dir" && PATH="/usr/bin:$PATH" /usr/bin/node /usr/bin/npm ci --omit=dev --ignore-scripts \
    --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" >"$stamp"
}

install_packages
install_s3rver
