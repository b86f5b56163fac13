#!/usr/bin/env bash
# Regenerate a link order for LLD: every function a `check` run executes
# (then the rest of what a `fix` run executes), so that they sit together in
# the binary and a process touches few pages of code.
#
# Usage: scripts/symbol-order.sh [dist|release]   (needs valgrind; x86_64 Linux)
#
#   dist     scripts/symbol-order.txt, for scripts/build-release.sh (default)
#   release  scripts/symbol-order-release.txt, which build.rs gives the linker
#            of `cargo build --release` / `cargo install --path .`
#
# The symbol names carry hashes that depend on the profile and the Rust
# release, hence one list per profile. Run it after changes that rename or
# add many functions, or after a Rust upgrade; a stale list only costs speed.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "error: valgrind is needed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "${1:-dist}" in
  dist)
    bin=$(OCAUDIT_NO_SYMBOL_ORDER=1 scripts/build-release.sh)
    out=scripts/symbol-order.txt ;;
  release)
    OCAUDIT_NO_SYMBOL_ORDER=1 cargo build --release --quiet
    bin=${CARGO_TARGET_DIR:-target}/release/ocaudit
    out=scripts/symbol-order-release.txt ;;
  *) echo "usage: scripts/symbol-order.sh [dist|release]" >&2; exit 2 ;;
esac
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
sort -u "$check" > "$work/check.sorted"
{
  cat "$work/check.sorted"
  sort -u "$fix" | comm -13 "$work/check.sorted" -
} > "$out"
echo "$out: $(wc -l < "$check" | tr -d ' ') traced, $(wc -l < "$out" | tr -d ' ') functions"
