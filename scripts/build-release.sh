#!/usr/bin/env bash
# Build the release binary the way it is measured (scripts/bench.sh) and the
# way a distribution should ship it, then print its path.
#
# Usage: scripts/build-release.sh
#
# - The `dist` profile: fat LTO, one codegen unit, panic = abort.
# - On x86_64 Linux: glibc linked statically into a non-PIE executable, which
#   saves the dynamic loader's work (libraries to map, symbols to bind,
#   thousands of relocations to apply): about 0.8 ms per process on the
#   machine this was tuned on.
# - On x86_64 Linux with Rust 1.90 or later (whose default linker is LLD):
#   the functions a `check` run executes are placed next to each other
#   (scripts/symbol-order.txt, written by scripts/symbol-order.sh), so a run
#   faults in about a third as many pages of code. Names that no longer
#   exist are skipped, so a stale list costs speed, never correctness; if
#   the link refuses the list, the build is repeated without it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]]; then
  cargo build --profile dist --quiet
  echo "${CARGO_TARGET_DIR:-target}/dist/ocaudit"
  exit 0
fi

triple=x86_64-unknown-linux-gnu
# With an explicit --target, RUSTFLAGS reach only the target's crates, not
# build scripts or proc macros (which cannot be linked statically).
static="-C target-feature=+crt-static -C relocation-model=static"
minor=$(rustc -vV | sed -n 's/^release: 1\.\([0-9]*\).*/\1/p')
order=scripts/symbol-order.txt
built=
if [[ -z "${OCAUDIT_NO_SYMBOL_ORDER:-}" && -s $order && ${minor:-0} -ge 90 ]]; then
  flags="$static -C link-arg=-Wl,--symbol-ordering-file=$PWD/$order"
  flags+=" -C link-arg=-Wl,--no-warn-symbol-ordering"
  if RUSTFLAGS="$flags" cargo build --profile dist --quiet --target "$triple" 2>/dev/null; then
    built=1
  else
    echo "note: the linker refused $order; building without it" >&2
  fi
fi
if [[ -z $built ]]; then
  RUSTFLAGS="$static" cargo build --profile dist --quiet --target "$triple"
fi
echo "${CARGO_TARGET_DIR:-target}/$triple/dist/ocaudit"
