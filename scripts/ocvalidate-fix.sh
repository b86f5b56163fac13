#!/bin/bash
# Record what OpenCore's ocvalidate says about `ocaudit fix` results.
#
#   scripts/ocvalidate-fix.sh OCVALIDATE [CORPUS_DIR] > tests/data/ocvalidate-fix/1.0.7.tsv
#
# OCVALIDATE is a locally built ocvalidate of OpenCore 1.0.7 (this script
# neither downloads nor builds it). For every config in CORPUS_DIR (default
# ../shared/corpus/configs) a copy is fixed with
# `ocaudit fix --write --unsafe-fixes --no-backup --oc-version 1.0.7`, and
# ocvalidate runs on the original and on the result. Messages are compared as
# sets after dropping counters (`at N index`, `returns N error(s)`, timings).
# Output, tab-separated: `#` comment lines, then per config one line
#   FILE  FNV64-OF-FIXED-BYTES  OLD-COUNT  NEW-COUNT  GONE  ADDED
# followed by one line per message ocvalidate reports only on the fixed file
#   FILE  +  MESSAGE
# tests/ocvalidate_fix.rs checks the fix output against the recorded digests.
set -euo pipefail
OCV=${1:?usage: ocvalidate-fix.sh OCVALIDATE [CORPUS_DIR]}
CORPUS=${2:-$(dirname "$0")/../../shared/corpus/configs}
BIN=${OCAUDIT:-$(dirname "$0")/../target/release/ocaudit}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
norm() {
  "$OCV" "$1" | grep -v '^$' | grep -v '^NOTE: ' | grep -v '^Completed validating' \
    | grep -v 'returns [0-9]* error' | sed -E 's/ at [0-9]+ index/ at N index/' | sort -u || true
}
echo "# ocvalidate 1.0.7 on each corpus config before and after ocaudit fix --unsafe-fixes --oc-version 1.0.7"
echo "# file	fnv64(fixed)	old	new	gone	added"
for f in "$CORPUS"/*.plist; do
  n=$(basename "$f")
  cp "$f" "$TMP/c.plist"; chmod u+w "$TMP/c.plist"
  "$BIN" fix --write --unsafe-fixes --no-backup --oc-version 1.0.7 "$TMP/c.plist" >/dev/null 2>&1 || true
  norm "$f" > "$TMP/old"; norm "$TMP/c.plist" > "$TMP/new"
  comm -13 "$TMP/old" "$TMP/new" > "$TMP/added"; comm -23 "$TMP/old" "$TMP/new" > "$TMP/gone"
  hash=$(python3 -c 'import sys
h=0xcbf29ce484222325
for b in open(sys.argv[1],"rb").read():
    h=((h^b)*0x100000001b3)&0xFFFFFFFFFFFFFFFF
print("%016x"%h)' "$TMP/c.plist")
  printf '%s\t%s\t%d\t%d\t%d\t%d\n' "$n" "$hash" "$(wc -l <"$TMP/old")" "$(wc -l <"$TMP/new")" \
    "$(wc -l <"$TMP/gone")" "$(wc -l <"$TMP/added")"
  sed "s|^|$n\t+\t|" "$TMP/added"
done
