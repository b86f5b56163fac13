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
# `cargo run --release --example bench_config` writes.
#
# The binary timed is the one `cargo install --path .` gives a user (the
# plain release profile, installed into a temporary root), not
# target/release/ocaudit itself: the linker writes that file through a
# memory map, and until the page cache lets go of it the kernel maps its
# code in small pieces, which made every run about a tenth slower here. A
# copy (what `cargo install` makes), or the same file read back from disk,
# runs at the installed speed.
#
# Timing: examples/alternate.rs runs the two programs by turns, RUNS pairs
# (default 1000), three times per file, and prints each program's median
# wall time and the median of the per-pair ratios. Taking turns keeps a
# burst of load on a shared machine from landing on one program only. Run
# it on an idle machine all the same.
set -euo pipefail
cd "$(dirname "$0")/.."
ocv=${1:?usage: scripts/vs-ocvalidate.sh OCVALIDATE [SAMPLE_PLIST] [RUNS]}
sample=${2:-../shared/reference/opencore-samples/1.0.7/Sample.plist}
runs=${3:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo install --path . --locked --quiet --root "$work/root"
bin=$work/root/bin/ocaudit
cargo build --release --quiet --example alternate
alternate=${CARGO_TARGET_DIR:-target}/release/examples/alternate
cp "$sample" "$work/Sample.plist"
cargo run --release --quiet --example bench_config > "$work/bench-85k.plist"

printf '%-16s %-6s %14s %12s %8s\n' file round ocvalidate_ms ocaudit_ms ratio
for f in Sample.plist bench-85k.plist; do
  ratios=()
  for round in 1 2 3; do
    line=$("$alternate" "$runs" -- "$ocv" "$work/$f" -- "$bin" check "$work/$f")
    # a_ms=... b_ms=... paired_ratio=... ratio_of_medians=...
    read -r a b paired _ <<<"$(tr ' ' '\n' <<<"$line" | cut -d= -f2 | tr '\n' ' ')"
    printf '%-16s %-6s %14s %12s %8s\n' "$f" "$round" "$a" "$b" "$paired"
    ratios+=("$paired")
  done
  printf '%-16s %-6s %14s %12s %8s\n' "$f" median "" "" \
    "$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n 2p)"
done
