#!/bin/sh
# Seed the fuzz corpora from the project's own fixtures and sample configs.
# Run from anywhere; fuzz/corpus is git-ignored.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
corpus="$root/fuzz/corpus"
mkdir -p "$corpus/plist_load" "$corpus/fix_roundtrip" "$corpus/memmap_parse" "$corpus/oclog_parse"
for f in "$root"/sample-configs/*.plist $(find "$root/tests/fixtures" -name '*.plist'); do
    name=$(echo "$f" | sed "s|$root/||; s|/|_|g")
    cp "$f" "$corpus/plist_load/$name"
    cp "$f" "$corpus/fix_roundtrip/$name"
done
for f in $(find "$root/tests/fixtures/memmap" -type f); do
    name=$(echo "$f" | sed "s|$root/||; s|/|_|g")
    cp "$f" "$corpus/memmap_parse/$name"
    cp "$f" "$corpus/oclog_parse/$name"
done
echo "seeded $(ls "$corpus"/* | wc -l) files under $corpus"
