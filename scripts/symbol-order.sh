#!/usr/bin/env bash
# Regenerate scripts/symbol-order.txt, the link order scripts/build-release.sh
# gives LLD: every function a `check` run executes (then the rest of what a
# `fix` run executes), so that they sit together in the binary and a process
# touches few pages of code.
#
# Usage: scripts/symbol-order.sh        (needs valgrind; x86_64 Linux)
#
# Run it after changes that rename or add many functions, or after a Rust
# upgrade (the symbol names carry hashes); a stale list only costs speed.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "error: valgrind is needed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=$(OCAUDIT_NO_SYMBOL_ORDER=1 scripts/build-release.sh)
cargo run --release --quiet --example bench_config > "$work/corpus-sized.plist"
cp sample-configs/*.plist "$work/"

# trace LIST ARGS...: add the functions `ocaudit ARGS...` executes, by their
# link names, to LIST.
trace() {
  local list=$1 out=$work/callgrind.out
  shift
  valgrind --tool=callgrind --demangle=no --compress-strings=no --compress-pos=no \
    --callgrind-out-file="$out" "$bin" "$@" >/dev/null 2>&1 || true
  sed -n 's/^fn=//p' "$out" | grep -v -e '^(below main)' -e '^0x' >> "$list" || true
}

check=$work/check.fns fix=$work/fix.fns
: > "$check"
: > "$fix"
for f in "$work"/*.plist; do
  for format in human json; do
    trace "$check" check "$f" --format "$format"
  done
  trace "$fix" fix "$f" --unsafe-fixes
done
trace "$check" check "$work"
trace "$check" --version

# LLD's ordering file is plain names, one per line: the check run's functions
# first, then those only fix runs.
out=scripts/symbol-order.txt
sort -u "$check" > "$work/check.sorted"
{
  cat "$work/check.sorted"
  sort -u "$fix" | comm -13 "$work/check.sorted" -
} > "$out"
echo "$out: $(wc -l < "$check" | tr -d ' ') traced, $(wc -l < "$out" | tr -d ' ') functions"
