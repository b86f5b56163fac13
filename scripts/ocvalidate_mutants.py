#!/usr/bin/env python3
"""Materialise the ocvalidate differential mutants and run an ocvalidate binary on them.

The data lives in tests/data/ocvalidate/1.0.7/mutants.json: a base file (the project's own
sample-configs/laptop-clean.plist, which ocvalidate 1.0.7 passes clean), entry templates, and one
mutant per ocvalidate check id (ACPI-03, KERN-17, ...) from
../shared/reference/ocvalidate-1.0.7-checks.md. A mutant is a list of edits on the base, addressed
by key path, plus what ocvalidate printed for it. See docs/ocvalidate.md for the format.

This script never downloads or builds anything: pass the ocvalidate binaries you built yourself.

Usage (from the repository root):

    scripts/ocvalidate_mutants.py record --ocvalidate BIN [--head BIN]   # run, write observations back
    scripts/ocvalidate_mutants.py check  --ocvalidate BIN [--head BIN]   # run, compare with the data, exit 1 on drift
    scripts/ocvalidate_mutants.py materialise ID [-o FILE]                # print or write one mutant
    scripts/ocvalidate_mutants.py summary                                 # per-section counts from the data
    scripts/ocvalidate_mutants.py verify                                  # no binary: mutants still build as recorded

Binaries may also come from the environment: OCVALIDATE (1.0.7) and OCVALIDATE_HEAD.
Python 3 standard library only.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data", "ocvalidate", "1.0.7", "mutants.json")

# ---------------------------------------------------------------------------------------------
# A minimal plist-XML scanner: element tree with byte spans, enough to address values by key path.
# The Rust test (tests/ocvalidate_diff/edit.rs) implements the same operations; both must produce
# byte-identical mutants (checked through the recorded length and FNV-1a hash).

TOKEN = re.compile(
    r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>|<!\[CDATA\[.*?\]\]>|<(/?)([A-Za-z_][\w.-]*)[^>]*?(/?)>",
    re.S,
)


class Node:
    """One element: tag, byte span [start, end), children, and text of a leaf."""

    def __init__(self, tag, start):
        self.tag = tag
        self.start = start
        self.end = None
        self.children = []
        self.inner_start = None  # byte after the start tag; None when self-closing
        self.inner_end = None


def scan(text):
    """Parse TEXT (str) into the root element; raise ValueError when it is not well nested."""
    data = text.encode("utf-8")
    stack = [Node("#doc", 0)]
    for m in TOKEN.finditer(data.decode("latin-1")):
        if m.group(2) is None:
            continue
        closing, tag, selfclose = m.group(1), m.group(2), m.group(3)
        if closing:
            node = stack.pop()
            if node.tag != tag or not stack:
                raise ValueError("mismatched </%s> at byte %d" % (tag, m.start()))
            node.inner_end = m.start()
            node.end = m.end()
        else:
            node = Node(tag, m.start())
            stack[-1].children.append(node)
            if selfclose:
                node.end = m.end()
            else:
                node.inner_start = m.end()
                stack.append(node)
    if len(stack) != 1:
        raise ValueError("unclosed <%s>" % stack[-1].tag)
    return stack[0], data


def leaf_text(data, node):
    if node.inner_start is None:
        return ""
    return data[node.inner_start:node.inner_end].decode("utf-8")


def root_dict(doc):
    plist = [c for c in doc.children if c.tag == "plist"]
    if not plist or not plist[0].children:
        raise ValueError("no <plist><dict> root")
    return plist[0].children[0]


def dict_lookup(data, node, key):
    """(key node, value node) of the LAST entry named KEY in dict NODE (OpenCore: last one wins)."""
    found = None
    kids = node.children
    for i, k in enumerate(kids):
        if k.tag == "key" and leaf_text(data, k) == key and i + 1 < len(kids):
            found = (k, kids[i + 1])
    if found is None:
        raise KeyError(key)
    return found


def resolve(doc, data, path):
    """Return (key node or None, value node) addressed by PATH (list of str keys / int indexes)."""
    node, key = root_dict(doc), None
    for comp in path:
        if isinstance(comp, int):
            items = node.children
            if node.tag != "array" or comp >= len(items):
                raise KeyError(comp)
            key, node = None, items[comp]
        else:
            if node.tag != "dict":
                raise KeyError(comp)
            key, node = dict_lookup(data, node, comp)
    return key, node


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_value(spec, templates):
    """XML text of an edit's value: spec["xml"], or a dict built from template spec["entry"]."""
    if "xml" in spec:
        return spec["xml"]
    fields = [list(kv) for kv in templates[spec["entry"]]]
    drop = set(spec.get("without", []))
    fields = [kv for kv in fields if kv[0] not in drop]
    for k, v in sorted(spec.get("with", {}).items()):  # sorted: keys not in the template are appended in key order
        for kv in fields:
            if kv[0] == k:
                kv[1] = v
                break
        else:
            fields.append([k, v])
    return "<dict>" + "".join("<key>%s</key>%s" % (xml_escape(k), v) for k, v in fields) + "</dict>"


def splice(data, start, end, new):
    return data[:start] + new.encode("utf-8") + data[end:]


def add_child(data, node, piece):
    """Insert PIECE at the end of container NODE (expanding a self-closing <dict/> or <array/>)."""
    if node.inner_start is None:
        return splice(data, node.start, node.end, "<%s>%s</%s>" % (node.tag, piece, node.tag)), node.start
    return splice(data, node.inner_end, node.inner_end, piece), node.inner_end


def apply_edit(text, edit, templates):
    """Apply one edit; return (new text, (start, end) byte span of the base region it may touch)."""
    doc, data = scan(text)
    op = edit["op"]
    key, node = resolve(doc, data, edit["path"])
    scope = (key.start if key is not None else node.start, node.end)
    if op == "set":
        out = splice(data, node.start, node.end, build_value(edit, templates))
    elif op == "insert":
        piece = "<key>%s</key>%s" % (xml_escape(edit["key"]), build_value(edit, templates))
        out, _ = add_child(data, node, piece)
    elif op == "append":
        out, _ = add_child(data, node, build_value(edit, templates))
    elif op == "delete":
        out = splice(data, scope[0], scope[1], "")
    elif op == "rename":
        if key is None:
            raise ValueError("rename needs a dict entry")
        out = splice(data, key.start, key.end, "<key>%s</key>" % xml_escape(edit["to"]))
    elif op == "text":
        region = data[scope[0]:scope[1]]
        find = edit["find"].encode("utf-8")
        if region.count(find) != 1:
            raise ValueError("text edit: %r occurs %d times in its scope" % (edit["find"], region.count(find)))
        at = scope[0] + region.index(find)
        out = splice(data, at, at + len(find), edit["replace"])
    else:
        raise ValueError("unknown op " + op)
    return out.decode("utf-8"), scope


def materialise(base, mutant, templates):
    text = base
    for edit in mutant["edits"]:
        text, _ = apply_edit(text, edit, templates)
    return text


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


# ---------------------------------------------------------------------------------------------
# Running ocvalidate

NOISE = re.compile(r"^(NOTE: This version of ocvalidate|Completed validating )")
# Lines ocvalidate-head prints for every UEFI/Drivers entry written for 1.0.7 (HideVerbose is new).
HEAD_SCHEMA = re.compile(r"^OCS: Missing key HideVerbose, context <Drivers>!$|^Serialisation returns \d+ errors?!$")


def run(binary, text):
    """Return (exit code, significant output lines) of BINARY on TEXT."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "config.plist")
        with open(path, "wb") as f:
            f.write(text.encode("utf-8"))
        p = subprocess.run([binary, path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    lines = [l.rstrip() for l in p.stdout.decode("utf-8", "replace").splitlines()]
    lines = [l for l in lines if l and not NOISE.match(l)]
    code = p.returncode if p.returncode < 128 else p.returncode - 256
    return (255 if code == -1 else code), lines


def minus(lines, base_lines):
    """LINES without one occurrence of each line of BASE_LINES (multiset difference, order kept)."""
    left = collections.Counter(base_lines)
    out = []
    for l in lines:
        if left[l] > 0:
            left[l] -= 1
        else:
            out.append(l)
    return out


def load():
    with open(DATA, encoding="utf-8") as f:
        data = json.load(f)
    with open(os.path.join(ROOT, data["base"]), encoding="utf-8") as f:
        base = f.read()
    return data, base


def save(data):
    """Write the data back: header fields, then one template and one mutant per line (diff-friendly)."""
    line = lambda v: json.dumps(v, ensure_ascii=False)
    out = "{\n"
    for k, v in data.items():
        if k not in ("templates", "mutants"):
            out += " %s: %s,\n" % (line(k), line(v))
    out += ' "templates": {\n'
    out += ",\n".join("  %s: %s" % (line(k), line(v)) for k, v in data["templates"].items())
    out += '\n },\n "mutants": [\n'
    out += ",\n".join("  " + line(m) for m in data["mutants"])
    out += "\n ]\n}\n"
    with open(DATA, "w", encoding="utf-8") as f:
        f.write(out)


def observe(binary, head, data, base):
    """Yield (mutant, observation, head observation or None) for every triggerable mutant."""
    b_code, b_lines = run(binary, base)
    if b_code != 0:
        sys.exit("base is not clean under %s: %s" % (binary, b_lines))
    hb_lines = run(head, base)[1] if head else None
    for m in data["mutants"]:
        if "untriggerable" in m:
            continue
        text = materialise(base, m, data["templates"])
        code, lines = run(binary, text)
        obs = {"exit": code, "messages": minus(lines, b_lines)}
        hobs = None
        if head:
            hcode, hlines = run(head, text)
            hmsgs = [l for l in minus(hlines, hb_lines) if not HEAD_SCHEMA.match(l)]
            mine = [l for l in obs["messages"] if not HEAD_SCHEMA.match(l)]
            if hmsgs != mine:
                hobs = {"exit": hcode, "messages": hmsgs}
        yield m, text, obs, hobs


def problems(m, text, obs):
    """What is wrong with a mutant's observation (its expected message missing, or noise)."""
    out = []
    printed = any(m["expect"] in l for l in obs["messages"])
    if m.get("absent") and printed:
        out.append("%r printed, but this mutant documents that ocvalidate misses it" % m["expect"])
    elif not m.get("absent") and not printed:
        out.append("expected %r not printed" % m["expect"])
    return out


def cmd_record(args):
    data, base = load()
    bad = 0
    for m, text, obs, hobs in observe(args.ocvalidate, args.head, data, base):
        m["observed"] = obs
        m["bytes"] = len(text.encode("utf-8"))
        m["fnv1a64"] = fnv1a64(text.encode("utf-8"))
        if args.head:
            if hobs is None:
                m.pop("head", None)
            else:
                m["head"] = hobs
        for p in problems(m, text, obs):
            bad += 1
            print("%s: %s; got %s" % (m["id"], p, obs), file=sys.stderr)
    if args.head:
        n = sum(1 for m in data["mutants"] if "head" in m)
        data["head_summary"] = (
            "%d of %d mutants print something else under the head build (its HideVerbose missing-key lines and "
            "serialisation totals ignored)" % (n, sum(1 for m in data["mutants"] if "observed" in m))
        )
    save(data)
    return 1 if bad else 0


def cmd_check(args):
    data, base = load()
    bad = 0
    for m, text, obs, hobs in observe(args.ocvalidate, args.head, data, base):
        issues = problems(m, text, obs)
        if obs != m.get("observed"):
            issues.append("observation changed: %s" % obs)
        if args.head and hobs != m.get("head"):
            issues.append("head observation changed: %s" % hobs)
        for i in issues:
            bad += 1
            print("%s: %s" % (m["id"], i))
    print("%d problem(s)" % bad)
    return 1 if bad else 0


def cmd_materialise(args):
    data, base = load()
    for m in data["mutants"]:
        if m["id"] == args.id:
            if "untriggerable" in m:
                sys.exit("%s is not triggerable from a config: %s" % (m["id"], m["untriggerable"]))
            text = materialise(base, m, data["templates"])
            if args.o:
                with open(args.o, "w", encoding="utf-8") as f:
                    f.write(text)
            else:
                sys.stdout.write(text)
            return 0
    sys.exit("no mutant " + args.id)


def cmd_verify(_args):
    """Without any binary: every mutant still materialises to the bytes ocvalidate ran on."""
    data, base = load()
    bad = 0
    for m in data["mutants"]:
        if "untriggerable" in m:
            continue
        raw = materialise(base, m, data["templates"]).encode("utf-8")
        if (len(raw), fnv1a64(raw)) != (m.get("bytes"), m.get("fnv1a64")):
            bad += 1
            print("%s: materialises to other bytes than were recorded" % m["id"])
    print("%d problem(s)" % bad)
    return 1 if bad else 0


def cmd_summary(_args):
    data, _ = load()
    per = collections.OrderedDict()
    for m in data["mutants"]:
        s = per.setdefault(m["section"], [0, 0, 0])
        s[0] += 1
        if "untriggerable" in m:
            s[1] += 1
        elif "head" in m:
            s[2] += 1
    print("%-18s %6s %14s %12s" % ("section", "checks", "untriggerable", "head differs"))
    for sec, (n, u, h) in per.items():
        print("%-18s %6d %14d %12d" % (sec, n, u, h))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("record", "check"):
        p = sub.add_parser(name)
        p.add_argument("--ocvalidate", default=os.environ.get("OCVALIDATE"))
        p.add_argument("--head", default=os.environ.get("OCVALIDATE_HEAD"))
    p = sub.add_parser("materialise")
    p.add_argument("id")
    p.add_argument("-o")
    sub.add_parser("summary")
    sub.add_parser("verify")
    args = ap.parse_args()
    if args.cmd in ("record", "check") and not args.ocvalidate:
        ap.error("pass --ocvalidate BIN or set OCVALIDATE")
    commands = {
        "record": cmd_record,
        "check": cmd_check,
        "materialise": cmd_materialise,
        "summary": cmd_summary,
        "verify": cmd_verify,
    }
    return commands[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
