#!/usr/bin/env bash
# Whole-process timings of `ocaudit check` (and of `fix`), next to the cost
# of starting any process on this machine.
#
# Usage: scripts/bench.sh [RUNS]   (default 300)
#
# It measures the binary as a release is built: the `dist` profile (fat LTO,
# one codegen unit), and on x86_64 Linux with glibc linked statically into a
# non-PIE executable, which saves the dynamic loader's work (about 0.5 ms
# per process on the machine this was tuned on).
# Uses hyperfine when it is installed, else a plain loop.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]]; then
  triple=x86_64-unknown-linux-gnu
  # With an explicit --target, RUSTFLAGS reach only the target's crates,
  # not build scripts or proc macros (which cannot be static).
  RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static" \
    cargo build --profile dist --quiet --target "$triple"
  bin=${CARGO_TARGET_DIR:-target}/$triple/dist/ocaudit
else
  cargo build --profile dist --quiet
  bin=${CARGO_TARGET_DIR:-target}/dist/ocaudit
fi
cargo run --release --quiet --example bench_config > "$work/corpus-sized.plist"
cp sample-configs/z390-kaslr-broken.plist "$work/sample.plist"

echo "binary: $bin ($(wc -c < "$bin") bytes)"
cases=(
  "/bin/true"
  "$bin --version"
  "$bin check $work/sample.plist"
  "$bin check $work/sample.plist --format json"
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
