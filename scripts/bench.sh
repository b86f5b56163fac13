#!/usr/bin/env bash
# Whole-process timings of `ocaudit check` (and `slide` when a map is given).
# Usage: scripts/bench.sh [RUNS]   (default 200). Uses hyperfine when installed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
cargo build --release --quiet
bin=target/release/ocaudit
sample=sample-configs/z390-kaslr-broken.plist
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 20 --runs "$runs" -N -i "$bin check $sample --format json"
else
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$bin" check "$sample" --format json >/dev/null || true; done
  end=$(date +%s%N)
  echo "ocaudit check: $(( (end - start) / runs / 1000 )) µs per process (mean of $runs)"
fi
