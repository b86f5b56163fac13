#!/usr/bin/env python3
"""Record what OpenCore's ocvalidate says about text device paths.

ocvalidate calls a `DeviceProperties` key sound when converting it to a binary device path and
back gives the same text (ignoring case). ocaudit restates that conversion in
src/rules/devprops/path.rs; this script produces the reference it is tested against:
tests/data/ocvalidate/1.0.7/device-paths.tsv, one line per path with ocvalidate's verdict and, for
a path it rejects, the text it converted the path to.

How: every path of the case list below becomes a `DeviceProperties/Add` key of a copy of
sample-configs/laptop-clean.plist (which ocvalidate passes clean); ocvalidate runs once per path
and its `Original path:` / `Path after internal conversion:` lines are read back. Nothing of
OpenCore is written to the data: only the paths, the verdicts and the converted text.

Usage (from the repository root; Python 3 standard library only):

    scripts/devpath_verdicts.py --ocvalidate /work/tools/ocvalidate-1.0.7          # rewrite the TSV
    scripts/devpath_verdicts.py --ocvalidate /work/tools/ocvalidate-1.0.7 --check  # exit 1 on drift

Build ocvalidate yourself from OpenCorePkg's Utilities/ocvalidate; this script never downloads it.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.path.join(ROOT, "sample-configs", "laptop-clean.plist")
DATA = os.path.join(ROOT, "tests", "data", "ocvalidate", "1.0.7", "device-paths.tsv")

CASES = [
    # canonical forms real configs use
    "PciRoot(0x0)/Pci(0x1F,0x3)",
    "PciRoot(0x0)/Pci(0x1f,0x3)",
    "PciRoot(0x0)/Pci(0x2,0x0)",
    "PciRoot(0x0)/Pci(0x1C,0x4)/Pci(0x0,0x0)",
    "PciRoot(0x0)/Pci(0x1b,0x0)",
    "pciroot(0x0)/pci(0x1b,0x0)",
    "PCIROOT(0X0)/PCI(0X1B,0X0)",
    "PciRoot(0x1)/Pci(0x3,0x1)/Pci(0x0,0x0)/Pci(0x8,0x0)/Pci(0x0,0x0)",
    "PcieRoot(0x0)/Pci(0x1,0x0)",
    # numbers not written the way EDK2 prints them
    "PciRoot(0)/Pci(0x1f,0x3)",
    "PciRoot(0)/Pci(1f,3)",
    "PciRoot(0x0)/Pci(31,3)",
    "PciRoot(0x00)/Pci(0x02,0x00)",
    "PciRoot(0x0)/Pci(0x2,0)",
    "PciRoot(0x0)/Pci(0x100,0x0)",
    "PciRoot(0x0)/Pci(0x2)",
    "PciRoot(0x0)/Pci(0x2,0x0,0x1)",
    "PciRoot(0x0)/Pci( 0x2,0x0)",
    "PciRoot(0x0)/Pci(x2,0x0)",
    "PciRoot(0x0)/Pci(0x2,0x0)junk",
    # separators
    "PciRoot(0x0)/Pci(0x2,0x0)/",
    "PciRoot(0x0)/Pci(0x2,0x0)//",
    "1//",
    "PciRoot(0x0),",
    "PciRoot(0x0),,",
    "PciRoot(0x0)/,",
    "/PciRoot(0x0)/Pci(0x2,0x0)",
    "PciRoot(0x0)//Pci(0x2,0x0)",
    "PciRoot(0x0)\\Pci(0x2,0x0)",
    "PciRoot(0x0)/Pci(0x2,0x0),PciRoot(0x0)/Pci(0x3,0x0)",
    "PciRoot(0x0",
    "PciRoot(0x0))",
    # unknown node names read as file path nodes
    "PicRoot(0x0)/Pci(0x1,0x2)/Pdci(0x0,0x0)",
    "#PciRoot(0x0)/Pci(0x2,0x0)",
    "New PciRoot(0x0)/Pci(0x1f,0x6)",
    "0",
    "Foo",
    # ACPI nodes
    "Acpi(PNP0A03,0x0)",
    "Acpi(PNP0A03,0)/Pci(0x2,0x0)",
    "Acpi(PNP0C09,0x0)",
    "Acpi(PNP0c09,0x0)",
    "Acpi(PNP0C09,0x1)/Pci(0x2,0x0)",
    "Acpi(0x0A0341D0,0x0)",
    "Floppy(0x0)",
    "Keyboard(0x0)",
    "Serial(0x1)",
    "ParallelPort(0x0)",
    "PciRoot(0x0)/Pci(0x2,0x0)/AcpiAdr(0x80010100)",
    "PciRoot(0x0)/Pci(0x2,0x0)/AcpiAdr(0x80010100,0x80010200)",
    "PciRoot(0x0)/Pci(0x2,0x0)/AcpiAdr(0x80010100,,0x80010200)",
    "PciRoot(0x0)/Pci(0x2,0x0)/Ctrl(0x0)",
    "PciRoot(0x0)/Pci(0x2,0x0)/Ctrl(0)",
    # storage and USB
    "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x0,0xFFFF,0x0)",
    "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x0,,0x0)",
    "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x1,0x0,0x0)",
    "PciRoot(0x0)/Pci(0x1D,0x0)/Pci(0x0,0x0)/NVMe(0x1,00-00-00-00-00-00-00-00)",
    "PciRoot(0x0)/Pci(0x1D,0x0)/Pci(0x0,0x0)/NVMe(0x1,8C-E3-8E-04-00-A5-1B-3C)",
    "PciRoot(0x0)/Pci(0x1D,0x0)/Pci(0x0,0x0)/NVMe(0x1,0-0-0-0-0-0-0-0)",
    "PciRoot(0x0)/Pci(0x14,0x0)/USB(0x1,0x0)",
    "PciRoot(0x0)/Pci(0x14,0x0)/USB(1,0)",
    "PciRoot(0x0)/Pci(0x1,0x1)/Ata(Primary,Master,0x0)",
    "PciRoot(0x0)/Pci(0x1,0x1)/Ata(Secondary,Slave,0x0)",
    "PciRoot(0x0)/Pci(0x1,0x1)/Ata(0x1,0x0,0x0)",
    "PciRoot(0x0)/Pci(0x1,0x1)/Scsi(0x0,0x0)",
    "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x0,0xFFFF,0x0)/HD(1,GPT,5E7B1A8C-9D6F-4C2A-B1E3-0A2B3C4D5E6F,0x28,0x64000)",
    "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x0,0xFFFF,0x0)/HD(1,GPT,5e7b1a8c-9d6f-4c2a-b1e3-0a2b3c4d5e6f,0x28,0x64000)",
    "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x0,0xFFFF,0x0)/HD(1,MBR,0x12345678,0x800,0x100000)",
    "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x0,0xFFFF,0x0)/HD(1,MBR,0x1234,0x800,0x100000)",
    "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x0,0xFFFF,0x0)/HD(1,GPT,not-a-guid,0x28,0x64000)",
    "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x0,0xFFFF,0x0)/HD(1,GPT,5E7B1A8C-9D6F-4C2A-B1E3-0A2B3C4D5E6F,40,0x64000)",
    "HD(2,3,0,0x28,0x64000)",
    "HD(2,1,0,0x28,0x64000)",
    "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x0,0xFFFF,0x0)/HD(1,GPT,5E7B1A8C-9D6F-4C2A-B1E3-0A2B3C4D5E6F,0x28,0x64000)/\\EFI\\OC\\OpenCore.efi",
    # out of scope for ocaudit (recorded to document ocvalidate's view)
    "PciRoot(0x0)/Pci(0x2,0x0)/VenHw(12345678-1234-1234-1234-123456789ABC)",
    "PciRoot(0x0)/Pci(0x1C,0x0)/Pci(0x0,0x0)/MAC(001122334455,0x0)",
]


def run(binary, path, workdir):
    """ocvalidate's verdict on PATH: ("ok", "") or ("borked", converted text)."""
    with open(BASE, encoding="utf-8") as f:
        text = f.read()
    needle = "\t\t<key>Add</key>\n\t\t<dict/>\n"
    entry = (
        "\t\t<key>Add</key>\n\t\t<dict>\n\t\t\t<key>%s</key>\n\t\t\t<dict>\n"
        "\t\t\t\t<key>layout-id</key>\n\t\t\t\t<data>AQAAAA==</data>\n\t\t\t</dict>\n\t\t</dict>\n"
        % escape(path)
    )
    assert text.count(needle) >= 1, "the base's DeviceProperties/Add must be an empty dict"
    text = text.replace(needle, entry, 1)
    file = os.path.join(workdir, "config.plist")
    with open(file, "w", encoding="utf-8") as f:
        f.write(text)
    out = subprocess.run([binary, file], capture_output=True, text=True, errors="replace")
    lines = (out.stdout + out.stderr).splitlines()
    if not any("DeviceProperties->Add[0]->DevicePath is borked" in l for l in lines):
        if out.returncode != 0:
            sys.exit("unexpected findings for %r:\n%s" % (path, "\n".join(lines)))
        return "ok", ""
    after = [l.split(": ", 1)[1] for l in lines if l.startswith("Path after internal conversion:")]
    # ocvalidate's log line is cut at a fixed length: a cut text is recorded as "?".
    if not after or "->" in after[0]:
        return "borked", "?"
    return "borked", after[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--ocvalidate", default=os.environ.get("OCVALIDATE"), required=False)
    ap.add_argument("--check", action="store_true", help="compare with the data, do not write")
    args = ap.parse_args()
    if not args.ocvalidate:
        sys.exit("pass --ocvalidate BIN or set OCVALIDATE")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in CASES:
            verdict, after = run(args.ocvalidate, path, tmp)
            rows.append("%s\t%s\t%s" % (path, verdict, after))
    body = (
        "# path\tocvalidate 1.0.7 verdict (ok | borked)\tthe text it converted a borked path to (? where its log line was cut)\n"
        "# written by scripts/devpath_verdicts.py; do not edit by hand\n" + "\n".join(rows) + "\n"
    )
    if args.check:
        with open(DATA, encoding="utf-8") as f:
            if f.read() != body:
                sys.exit("device-paths.tsv differs from what ocvalidate says now")
        print("device-paths.tsv: %d paths agree" % len(rows))
        return
    with open(DATA, "w", encoding="utf-8") as f:
        f.write(body)
    print("wrote %s (%d paths)" % (os.path.relpath(DATA, ROOT), len(rows)))


if __name__ == "__main__":
    main()
