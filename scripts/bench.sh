#!/usr/bin/env bash
# Whole-process timings of `ocaudit check` (and of `fix`), next to the cost
# of starting any process on this machine.
#
# Usage: scripts/bench.sh [RUNS]   (default 300)
#
# It measures the binary scripts/build-release.sh builds: the `dist` profile
# and, on x86_64 Linux, glibc linked statically with the code a check runs
# laid out together. Uses hyperfine when it is installed, else a plain loop.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bin=$(scripts/build-release.sh)
cargo run --release --quiet --example bench_config > "$work/corpus-sized.plist"
cp sample-configs/z390-kaslr-broken.plist "$work/sample.plist"

echo "binary: $bin ($(wc -c < "$bin") bytes)"
cases=(
  "/bin/true"
  "$bin --version"
  "$bin check $work/sample.plist"
  "$bin check $work/sample.plist --format json"
  "$bin check $work/corpus-sized.plist"
  "$bin check $work/corpus-sized.plist --format json"
  "$bin fix $work/corpus-sized.plist --unsafe-fixes --format json"
)
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 20 --runs "$runs" -N -i "${cases[@]}"
else
  for c in "${cases[@]}"; do
    # shellcheck disable=SC2086 # the case is a command line
    for _ in $(seq 20); do $c >/dev/null 2>&1 || true; done
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    for _ in $(seq "$runs"); do $c >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    printf '%6d µs  %s\n' $(( (end - start) / runs / 1000 )) "${c//$work\//}"
  done
fi
