#!/usr/bin/env bash
# Per-process time of `ocaudit check` next to OpenCore's `ocvalidate`, on the
# same files, as a ratio (issue 17's bar: at most 0.75).
#
# Usage: scripts/vs-ocvalidate.sh OCVALIDATE [SAMPLE_PLIST] [RUNS]
#
# OCVALIDATE is an ocvalidate binary you built yourself from OpenCorePkg's
# Utilities/ocvalidate (this script neither downloads nor builds it).
# SAMPLE_PLIST defaults to OpenCore's Sample.plist of 1.0.7 under
# ../shared/reference; the second file is the 85 KiB config that
# `cargo run --release --example bench_config` writes. The binary measured
# is the one `cargo build --release` makes (the plain release profile, as
# `cargo install --path .` builds it).
#
# Timing: hyperfine when installed (wall time, -N, after warm-up runs; the
# mean, the median and the fastest run of each round), else a plain loop
# (its mean stands for all three). Run it
# on an idle machine: the ratio is only as good as the quiet. On a shared
# virtual machine a burst of load drags a round's mean and can shift its
# median; the fastest run of each is the one least touched by other work.
# All three are printed, each as two ratios (below).
set -euo pipefail
cd "$(dirname "$0")/.."
ocv=${1:?usage: scripts/vs-ocvalidate.sh OCVALIDATE [SAMPLE_PLIST] [RUNS]}
sample=${2:-../shared/reference/opencore-samples/1.0.7/Sample.plist}
runs=${3:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
bin=target/release/ocaudit
cp "$sample" "$work/Sample.plist"
cargo run --release --quiet --example bench_config > "$work/bench-85k.plist"

times_ms() { # command... -> "mean median min" milliseconds per run
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 30 --runs "$runs" -i --export-json "$work/h.json" "$*" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.3f %.3f %.3f" % (r["mean"]*1000, r["median"]*1000, r["min"]*1000))' "$work/h.json"
  else
    for _ in $(seq 30); do "$@" >/dev/null 2>&1 || true; done
    local start end
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    python3 -c "m = ($end - $start) / $runs / 1e6; print('%.3f %.3f %.3f' % (m, m, m))"
  fi
}

# Five rounds, each timing ocvalidate and then ocaudit back to back. Two
# ratios per statistic: the best round of each program (min / min), and the
# median over rounds of each round's own ratio (the two programs timed a
# second apart, so a burst of load mostly lands on both).
printf '%-18s %-7s %12s %12s %8s %10s\n' file stat ocvalidate ocaudit best paired
for f in Sample.plist bench-85k.plist; do
  rounds=()
  for _ in 1 2 3 4 5; do
    rounds+=("$(times_ms "$ocv" "$work/$f") $(times_ms "$bin" check "$work/$f")")
  done
  python3 - "$f" "${rounds[@]}" <<'PY'
import statistics, sys
name, rounds = sys.argv[1], [list(map(float, r.split())) for r in sys.argv[2:]]
for i, stat in ((0, "mean"), (1, "median"), (2, "min")):
    o = min(r[i] for r in rounds)
    a = min(r[3 + i] for r in rounds)
    paired = statistics.median(r[3 + i] / r[i] for r in rounds)
    print("%-18s %-7s %9.3f ms %9.3f ms %8.2f %10.2f" % (name, stat, o, a, a / o, paired))
PY
done
