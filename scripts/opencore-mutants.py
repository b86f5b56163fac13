#!/usr/bin/env python3
"""Generate one-change mutants of the sample configs and record what
OpenCore's own reader (run through a locally built `ocvalidate`) makes of
each: the facts behind tests/opencore_reader.rs.

    scripts/opencore-mutants.py PATH/TO/ocvalidate tests/fixtures/opencore-reader [PATH/TO/ocdump]

It writes one table per base config (`BASE.tsv`), each small enough to be
a fixture.

Each row is one mutant, stored as an edit of a file in the repository
(base, offset, bytes deleted, bytes inserted as hex; `-` for a whole-file
transform the test redoes from the kind's name), with the verdict:
`yes` when ocvalidate's reader read the file, `no` when it printed
"Couldn't parse serialized file!" or "Couldn't get serialized root!".
With a value-dumping harness (`ocdump`: prints every setting OpenCore
stored, one `path<TAB>type<TAB>value` line each), the last column holds the
values of FIELDS for each mutant OpenCore reads, in FIELDS order, comma
separated: booleans as 1/0, integers as the unsigned number stored, strings
as hex of their bytes.
The script never downloads or builds anything; it needs the binaries given
on the command line.
"""

import os
import random
import re
import subprocess
import sys
import tempfile

BASES = [
    "sample-configs/laptop-clean.plist",
    "sample-configs/z390-kaslr-broken.plist",
    "sample-configs/legacy-0.6-drivers-as-strings.plist",
]

FIELDS = [
    "Booter.Quirks.AllowRelocationBlock", "Booter.Quirks.AvoidRuntimeDefrag",
    "Booter.Quirks.ClearTaskSwitchBit", "Booter.Quirks.DevirtualiseMmio",
    "Booter.Quirks.DisableSingleUser", "Booter.Quirks.DisableVariableWrite",
    "Booter.Quirks.DiscardHibernateMap", "Booter.Quirks.EnableSafeModeSlide",
    "Booter.Quirks.EnableWriteUnprotector", "Booter.Quirks.FixupAppleEfiImages",
    "Booter.Quirks.ForceBooterSignature", "Booter.Quirks.ForceExitBootServices",
    "Booter.Quirks.ProtectMemoryRegions", "Booter.Quirks.ProtectSecureBoot",
    "Booter.Quirks.ProtectUefiServices", "Booter.Quirks.ProvideCustomSlide",
    "Booter.Quirks.ProvideMaxSlide", "Booter.Quirks.RebuildAppleMemoryMap",
    "Booter.Quirks.ResizeAppleGpuBars", "Booter.Quirks.SetupVirtualMap",
    "Booter.Quirks.SignalAppleOS", "Booter.Quirks.SyncRuntimePermissions",
    "Kernel.Quirks.SetApfsTrimTimeout", "Misc.Boot.PickerMode", "Misc.Boot.Timeout",
    "Misc.Security.ScanPolicy", "Misc.Security.Vault",
    "PlatformInfo.Generic.SystemProductName",
]


def c_unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            n = s[i + 1]
            if n == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"n": b"\n", "t": b"\t", "r": b"\r"}.get(n, n.encode())
            i += 2
            continue
        out += c.encode("latin-1")
        i += 1
    return bytes(out)


def values(dumper, data):
    with tempfile.NamedTemporaryFile(suffix=".plist", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        out = subprocess.run([dumper, "-q", path], capture_output=True, timeout=60).stdout
    finally:
        os.unlink(path)
    got = {}
    for line in out.decode("latin-1").splitlines():
        cols = line.split("\t")
        if len(cols) == 3:
            got[cols[0]] = (cols[1], cols[2])
    vals = []
    for field in FIELDS:
        kind, v = got[field]
        if kind == "bool":
            vals.append("1" if v == "true" else "0")
        elif kind.startswith("int"):
            vals.append(v.split()[0])
        else:
            text = v[: v.rindex(" size=")]
            vals.append(c_unescape(text[1:-1]).hex())
    return ",".join(vals)


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def occurrences(b, pat):
    return [m.start() for m in re.finditer(re.escape(pat), b)]


def pick(rng, b, pat):
    occ = occurrences(b, pat)
    return rng.choice(occ) if occ else None


def key_value_pairs(b):
    """Offsets (start, end) of `<key>..</key>` elements."""
    return [(m.start(), m.end()) for m in re.finditer(rb"<key>[^<]*</key>", b)]


def mutants(rng, b):
    """Yield (kind, offset, delete, insert) edits of base bytes b."""
    decl = b.index(b"?>") + 2
    plist_open = b.index(b"<plist")
    top_dict = b.index(b"<dict>", plist_open)
    plist_close = b.rindex(b"</plist>")
    keys = key_value_pairs(b)

    def key_at():
        return rng.choice(keys)

    def elem(name):
        return pick(rng, b, b"<" + name + b">")

    yield "utf8-bom", 0, 0, b"\xef\xbb\xbf"
    yield "leading-spaces", 0, 0, b"   \t"
    yield "leading-crlf", 0, 0, b"\r\n\r\n"
    yield "leading-vtab", 0, 0, b"\x0b"
    yield "leading-formfeed", 0, 0, b"\x0c\n"
    yield "leading-nbsp", 0, 0, b"\xc2\xa0"
    yield "leading-text", 0, 0, b"config\n"
    yield "leading-nul", 0, 0, b"\x00"
    yield "comment-before-decl", 0, 0, b"<!-- saved by an editor -->\n"
    yield "decl-unclosed", decl - 2, 2, b""
    yield "decl-after-doctype", 0, decl, b""
    yield "doctype-internal-subset", decl, 0, b'\n<!DOCTYPE plist [ <!ENTITY x "y"> ]>'
    yield "doctype-inside-plist", plist_open + b[plist_open:].index(b">") + 1, 0, b"<!DOCTYPE x>"
    yield "pi-inside-dict", top_dict + 6, 0, b"<?editor keep?>"
    yield "comment-unclosed", top_dict + 6, 0, b"<!-- never closed"
    yield "comment-dashes", top_dict + 6, 0, b"<!-- a -- b -->"
    yield "comment-short", top_dict + 6, 0, b"<!-->"
    yield "comment-three-dashes", top_dict + 6, 0, b"<!--->"
    yield "trailing-text", len(b), 0, b"\ntrailing words\n"
    yield "trailing-second-root", len(b), 0, b"<plist><array/></plist>\n"
    yield "trailing-lt", len(b), 0, b"<"
    yield "trailing-nul", len(b), 0, b"\x00\x00"
    yield "no-trailing-newline", len(b) - 1, 1, b""
    yield "plist-close-missing", plist_close, len(b) - plist_close, b""
    yield "plist-upper", plist_open + 1, 5, b"PLIST"
    yield "plist-renamed-both", plist_open + 1, 5, b"plist2"
    yield "no-plist-element", plist_open, top_dict - plist_open, b""
    yield "root-string", top_dict, 0, b"<string>x</string>"
    yield "root-two-dicts", top_dict, 0, b"<dict/>"
    yield "root-dict-selfclosed-first", top_dict, 0, b"<dict></dict>"
    for _ in range(3):
        s, e = key_at()
        yield "key-without-value", s, 0, b"<key>Orphan</key>"
    yield "key-without-value-top", top_dict + 6, 0, b"<key>Orphan</key>"
    yield "value-without-key-top", top_dict + 6, 0, b"<true/>"
    for _ in range(2):
        s, e = key_at()
        yield "value-without-key", s, 0, b"<string>stray</string>"
        s, e = key_at()
        yield "two-values-for-one-key", e, 0, b"<false/>"
    s, e = key_at()
    yield "key-and-value-swapped-in", s, 0, b"<true/><key>Swapped</key>"
    for _ in range(3):
        n = rng.randrange(decl, len(b))
        yield "truncated", n, len(b) - n, b""
    for name in (b"key", b"string", b"dict", b"array", b"integer"):
        at = elem(name)
        if at is not None:
            yield "drop-lt-" + name.decode(), at, 1, b""
            yield "drop-gt-" + name.decode(), at + len(name) + 1, 1, b""
            yield "upper-open-" + name.decode(), at + 1, len(name), name.upper()
            yield "attr-" + name.decode(), at + 1 + len(name), 0, b' id="1"'
            yield "attr-slash-" + name.decode(), at + 1 + len(name), 0, b' href="a/b"'
            yield "space-after-lt-" + name.decode(), at + 1, 0, b" "
    for name in (b"key", b"string", b"dict", b"array"):
        at = pick(rng, b, b"</" + name + b">")
        if at is not None:
            yield "upper-close-" + name.decode(), at + 2, len(name), name.upper()
            yield "close-space-before-gt-" + name.decode(), at + 2 + len(name), 0, b"   "
            yield "close-space-after-slash-" + name.decode(), at + 2, 0, b" "
            yield "close-space-after-lt-" + name.decode(), at + 1, 0, b" "
            yield "close-attr-" + name.decode(), at + 2 + len(name), 0, b' x="1"'
            yield "close-selfclosing-" + name.decode(), at + 2 + len(name), 0, b"/"
            yield "close-dropped-" + name.decode(), at, len(name) + 3, b""
    for name in (b"integer", b"string", b"key", b"data"):
        at = pick(rng, b, b"</" + name + b">")
        if at is not None:
            # `</integ` then a newline: the end tag runs on into the next
            # one, whose `/` stops it; OpenCore drops the element and closes
            # the parent there.
            yield "close-cut-" + name.decode(), at + len(name), 3, b""
            yield "close-no-gt-" + name.decode(), at + len(name) + 2, 1, b""
    at = pick(rng, b, b"<true/>")
    if at is not None:
        yield "true-space-selfclose", at + 5, 0, b" "
        yield "true-space-after-slash", at + 6, 0, b" "
        yield "true-open-close", at, 7, b"<true></true>"
        yield "true-with-text", at, 7, b"<true>yes</true>"
        yield "true-unclosed", at, 7, b"<true>"
        yield "true-upper", at + 1, 4, b"TRUE"
        yield "empty-element-name", at, 7, b"<></>"
        yield "empty-element-name-selfclose", at, 7, b"</>"
    at = pick(rng, b, b"<string>")
    if at is not None:
        c = at + len(b"<string>")
        yield "string-cdata", c, 0, b"<![CDATA[cdata]]>"
        yield "string-cdata-gt", c, 0, b"<![CDATA[a>b]]>"
        yield "string-comment-first", c, 0, b"<!-- c -->"
        yield "string-lt-in-text", c, 0, b"a<b"
        yield "string-gt-in-text", c, 0, b"a>b"
        yield "string-amp-bare", c, 0, b"a & b"
        yield "string-entity-unknown", c, 0, b"&nbsp;"
        yield "string-entity-lt", c, 0, b"&lt;"
        yield "string-high-bytes", c, 0, b"\xff\xfe"
        yield "string-latin1", c, 0, b"caf\xe9"
        yield "string-nul", c, 0, b"a\x00b"
        yield "string-child-element", c, 0, b"<b/>"
        yield "string-leading-spaces", c, 0, b"   "
    at = pick(rng, b, b"</string>")
    if at is not None:
        yield "string-comment-after-text", at, 0, b"<!-- c -->"
        yield "string-cdata-after-text", at, 0, b"<![CDATA[x]]>"
    at = pick(rng, b, b"<dict>")
    if at is not None:
        c = at + len(b"<dict>")
        yield "dict-text-inside", c, 0, b"text"
        yield "dict-cdata-inside", c, 0, b"<![CDATA[x]]>"
        yield "dict-comment-inside", c, 0, b"<!-- note -->"
        yield "dict-nul-between", c, 0, b"\x00"
        yield "dict-vtab-between", c, 0, b"\x0b"
        yield "dict-nbsp-between", c, 0, b"\xc2\xa0"
        yield "dict-unknown-element", c, 0, b"<key>X</key><foo>1</foo>"
    at = pick(rng, b, b"<array>")
    if at is not None:
        c = at + len(b"<array>")
        yield "array-text-inside", c, 0, b"text"
        yield "array-comment-inside", c, 0, b"<!-- note -->"
    at = pick(rng, b, b"<key>")
    if at is not None:
        c = at + len(b"<key>")
        yield "key-empty-text", c, b[c:].index(b"<"), b""
        yield "key-high-bytes", c, 0, b"\xe9"
        yield "key-hash-comment", c, 0, b"#"
    yield from value_mutants(b)
    for depth in (27, 28, 29, 30, 31, 32):
        s, e = keys[0]
        body = b"<key>D</key><dict>" * depth + b"</dict>" * depth
        yield "nest-%d" % depth, top_dict + 6, 0, body
    for depth in (29, 30, 31):
        body = b"<key>D</key>" + b"<array>" * depth + b"<string></string>" + b"</array>" * depth
        yield "nest-array-empty-string-%d" % depth, top_dict + 6, 0, body
        body = b"<key>D</key>" + b"<array>" * depth + b"<string>x</string>" + b"</array>" * depth
        yield "nest-array-string-%d" % depth, top_dict + 6, 0, body
    for _ in range(4):
        n = rng.randrange(plist_open, plist_close)
        yield "delete-byte", n, 1, b""
    for _ in range(3):
        n = rng.randrange(plist_open, plist_close)
        yield "insert-lt", n, 0, b"<"
    for _ in range(2):
        n = rng.randrange(plist_open, plist_close)
        yield "insert-gt", n, 0, b">"


def value_span(b, key):
    """(start, end) of the element after `<key>KEY</key>`, if any."""
    m = re.search(rb"<key>" + re.escape(key) + rb"</key>\s*", b)
    if not m:
        return None
    v = re.match(rb"<(\w+)/>|<(\w+)>[^<]*</\2>", b[m.end():])
    return (m.end(), m.end() + v.end()) if v else None


def value_mutants(b):
    """Edits of the values of settings the harness reports."""
    edits = {
        b"ProvideMaxSlide": [b"<integer>0x10</integer>", b"<integer>+7</integer>",
                             b"<integer> 12 </integer>", b"<integer>-1</integer>",
                             b"<integer>300</integer>", b"<integer>99999999999999999999999</integer>",
                             b"<integer>7abc</integer>", b"<integer></integer>", b"<integer/>",
                             b"<integer>- 5</integer>", b"<integer>\t9</integer>", b"<string>5</string>",
                             b"<real>5</real>", b"<Integer>5</Integer>", b"<integer><!-- c --></integer>"],
        b"ProvideCustomSlide": [b"<string>true</string>", b"<true></true>", b"<true>no</true>",
                                b"<TRUE/>", b"<integer>1</integer>", b"<false />", b"<true/><!-- x -->"],
        b"Timeout": [b"<integer>  5\n</integer>", b"<integer>05</integer>", b"<integer>4294967301</integer>"],
        b"Vault": [b"<string> Optional </string>", b"<string>Opt&amp;ional</string>",
                   b"<string>Basic&#65;</string>", b"<string></string>", b"<string/>",
                   b"<string>Se\xc3\xa9cure</string>", b"<string>Sec\x00ure</string>",
                   b"<string><![CDATA[Basic]]></string>", b"<string>a &bogus; b</string>"],
        b"SystemProductName": [b"<string>\tiMac20,1\r\n</string>", b"<data>aU1hYzIwLDE=</data>"],
    }
    for key, values in edits.items():
        span = value_span(b, key)
        if span is None:
            continue
        for i, v in enumerate(values):
            yield "value-%s-%d" % (key.decode(), i), span[0], span[1] - span[0], v
    for key in (b"ProvideCustomSlide", b"ProvideMaxSlide", b"Vault"):
        span = value_span(b, key)
        if span is None:
            continue
        start = b.rindex(b"<key>", 0, span[0])
        # A second copy after the first: the later one wins.
        yield "value-dup-later-%s" % key.decode(), span[1], 0, b"<key>" + key + b"</key><true/>"
        yield "value-dup-earlier-%s" % key.decode(), start, 0, b"<key>" + key + b"</key><integer>3</integer>"
        # The dict holding it gets an odd number of elements: ignored whole.
        yield "value-odd-dict-%s" % key.decode(), start, 0, b"<key>Orphan</key>"
        yield "value-hash-key-%s" % key.decode(), start + 5, 0, b"#"
    q = re.search(rb"<key>Booter</key>\s*<dict>", b)
    if q:
        # A second Booter dict later in the top dict: merged field by field.
        top_end = b.rindex(b"</dict>")
        yield "value-second-booter", top_end, 0, b"<key>Booter</key><dict><key>Quirks</key><dict><key>ProvideCustomSlide</key><false/><key>SetupVirtualMap</key><false/></dict></dict>"
        yield "value-second-booter-array", top_end, 0, b"<key>Booter</key><array/>"


def run(validator, data):
    with tempfile.NamedTemporaryFile(suffix=".plist", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        out = subprocess.run([validator, path], capture_output=True, timeout=60).stdout
    finally:
        os.unlink(path)
    text = out.decode("utf-8", "replace")
    refused = "Couldn't parse serialized file!" in text or "Couldn't get serialized root!" in text
    lines = [l.strip() for l in text.splitlines() if l.startswith("OCS:")]
    return ("no" if refused else "yes"), (lines[0][:100] if lines else "")


def main():
    validator, outdir = sys.argv[1], sys.argv[2]
    dumper = sys.argv[3] if len(sys.argv) > 3 else None
    rng = random.Random(20261203)
    n = 0
    for base in BASES:
        name = os.path.basename(base).replace(".plist", ".tsv")
        sys.stdout = open(os.path.join(outdir, name), "w")
        print("id\tkind\tbase\toffset\tdelete\tinsert_hex\topencore_reads\tocvalidate_says\tvalues")
        b = open(os.path.join(ROOT, base), "rb").read()
        for kind, off, dele, ins in mutants(rng, b):
            m = b[:off] + ins + b[off + dele:]
            verdict, says = run(validator, m)
            vals = values(dumper, m) if dumper and verdict == "yes" else "-"
            n += 1
            says = says.replace("\t", " ")
            print(f"{n}\t{kind}\t{base}\t{off}\t{dele}\t{ins.hex()}\t{verdict}\t{says}\t{vals}")
        # Whole-file re-encodings.
        for kind, data in (
            ("utf16le-bom", b"\xff\xfe" + b.decode().encode("utf-16-le")),
            ("utf16be-bom", b"\xfe\xff" + b.decode().encode("utf-16-be")),
            ("utf16le-nobom", b.decode().encode("utf-16-le")),
            ("crlf", b.replace(b"\n", b"\r\n")),
            ("cr-only", b.replace(b"\n", b"\r")),
            ("tabs-to-vtabs", b.replace(b"\t", b"\x0b")),
            ("no-whitespace", re.sub(rb">\s+<", b"><", b)),
        ):
            verdict, says = run(validator, data)
            vals = values(dumper, data) if dumper and verdict == "yes" else "-"
            n += 1
            # A whole-file transform: the test redoes it from its name.
            print(f"{n}\t{kind}\t{base}\t-\t-\t-\t{verdict}\t{says}\t{vals}")


if __name__ == "__main__":
    main()
