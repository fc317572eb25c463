#!/usr/bin/env bash
# Lint: clang-format and clang-tidy (16, Debian 12's clang-format-16 and
# clang-tidy-16) over every tracked source. Exits non-zero on any finding.
#
#   scripts/lint.sh [format|tidy]      default: both
#
# format: clang-format-16 --dry-run -Werror over every tracked .cc .hpp .h .c;
#         lists the files that differ (fix: clang-format-16 -i FILE...).
# tidy:   clang-tidy-16 (the repository's .clang-tidy) over every tracked .cc,
#         with the compile commands of a clang-16 build configured in
#         $AVIO_LINT_BUILD_DIR (default build-lint; nothing is compiled),
#         every warning an error, $AVIO_LINT_JOBS (default: nproc) files at once.
#         Files with findings are printed whole; the log is $build/lint-tidy.log.
# Both: about 270 CPU-seconds, nearly all clang-tidy (2.5 minutes on 2 idle
# cores, 5 while a build shares them); each file is bounded (see run_tidy).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
what=${1:-all}
build=${AVIO_LINT_BUILD_DIR:-build-lint}
jobs=${AVIO_LINT_JOBS:-$(nproc)}
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "lint: needs a git checkout (it lints the tracked files)" >&2
  exit 2
fi
clang_format=${CLANG_FORMAT:-clang-format-16}
clang_tidy=${CLANG_TIDY:-clang-tidy-16}
status=0

# run_format and run_tidy run in `... || status=1`, where set -e is off: they
# return on failure themselves.
need() {
  command -v "$1" >/dev/null || { echo "lint: $1 is missing (./avio.sh deps installs it)" >&2; return 1; }
}

run_format() {
  need "$clang_format" || return 1
  local files bad=()
  mapfile -t files < <(git ls-files '*.cc' '*.hpp' '*.h' '*.c')
  for f in "${files[@]}"; do
    "$clang_format" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if ((${#bad[@]})); then
    echo "lint: clang-format: ${#bad[@]} of ${#files[@]} files differ (fix: $clang_format -i FILE...):" >&2
    printf '  %s\n' "${bad[@]}" >&2
    return 1
  fi
  echo "lint: clang-format: ${#files[@]} files clean"
}

run_tidy() {
  need "$clang_tidy" || return 1
  # Configure only: the compile commands are all clang-tidy needs (the tree
  # generates no headers). Fuzzers and benchmarks on, so every tracked .cc has
  # a command.
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 \
    -DAVIO_BUILD_FUZZERS=ON -DAVIO_BUILD_BENCHMARKS=ON >/dev/null || return 1
  # One command per tracked .cc: several are compiled into two or more
  # targets (the diff sides, the bench's C API, the tool's units), and
  # clang-tidy would check each file once per command.
  local db="$build/lint-db"
  mkdir -p "$db"
  git ls-files -z '*.cc' | python3 -c '
import json, os, sys
root, src, dst = sys.argv[1:4]
tracked = {os.path.join(root, f) for f in sys.stdin.read().split("\0") if f}
seen, out = set(), []
for e in json.load(open(src)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    # prefer a plain command over the fuzzer build of the same file
    if f in tracked and f not in seen and "-fsanitize=fuzzer" not in e.get("command", " ".join(e.get("arguments", []))):
        seen.add(f); out.append(e)
for e in json.load(open(src)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if f in tracked and f not in seen:
        seen.add(f); out.append(e)
missing = sorted(tracked - seen)
if missing:
    sys.exit("lint: no compile command for: " + " ".join(os.path.relpath(m, root) for m in missing))
json.dump(out, open(dst, "w"), indent=1)
print(len(out))
' "$root" "$build/compile_commands.json" "$db/compile_commands.json" >"$db/count" || return 1
  local log="$build/lint-tidy.log"
  : >"$log"
  echo "lint: clang-tidy: $(cat "$db/count") files, $jobs at a time"
  local started=$SECONDS
  # Each file's report is printed whole (flock), only when it has findings.
  export clang_tidy db log
  # A file gets $AVIO_LINT_FILE_SECONDS (default 300; a file takes 1 to 20 s):
  # clang-tidy-16 has now and then spun for tens of minutes on a file it
  # checks in seconds on the next run, so a timed-out file is tried once more
  # before it counts as a finding.
  export file_seconds=${AVIO_LINT_FILE_SECONDS:-300}
  git ls-files -z '*.cc' | xargs -0 -n1 -P"$jobs" bash -c '
    for attempt in 1 2; do
      out=$(timeout "$file_seconds" "$clang_tidy" -p "$db" --quiet --warnings-as-errors="*" "$1" 2>&1) && exit 0
      [[ $? -eq 124 ]] || break
      out="$1:1:1: error: clang-tidy did not finish within $file_seconds s (twice) [lint-timeout]"
    done
    { flock 9; printf "%s\n" "$out" | tee -a "$log" >&2; } 9>>"$log.lock"
    exit 1' _ || {
    local n
    n=$(grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error):' "$log" | sort -u | wc -l)
    echo "lint: clang-tidy: $n findings in $((SECONDS - started)) s (log: $log)" >&2
    return 1
  }
  echo "lint: clang-tidy: clean in $((SECONDS - started)) s"
}

case "$what" in
  format) run_format || status=1 ;;
  tidy) run_tidy || status=1 ;;
  all)
    run_format || status=1
    run_tidy || status=1 ;;
  *) echo "usage: scripts/lint.sh [format|tidy]" >&2; exit 2 ;;
esac
exit $status
