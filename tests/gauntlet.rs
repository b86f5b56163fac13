//! The gauntlet: mutate every corpus config, memmap and log (read at run
//! time from `../shared/corpus`, never copied) deterministically from a fixed
//! seed, and check each mutant: `check` ends with exit 0, 1 or 2 and never
//! panics; `fix --write` on a copy either writes a file that re-parses with
//! the intended values or refuses and leaves the copy byte-identical.
//! Most mutants run in-process (the library calls the CLI makes); every
//! `SAMPLE_EVERY`-th goes through the real binary too. Prints totals.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;

use ocaudit::audit::{AuditOptions, FileReport, audit_bytes};
use ocaudit::evidence::EvidenceFiles;
use ocaudit::fixer::{FixOptions, fix};
use ocaudit::memmap::{Evidence, SlideOptions, parse_evidence, simulate};
use ocaudit::plist::{Node, Value};
use ocaudit::rules::Severity;
use ocaudit::write::{BackupPolicy, WriteRequest, write_atomically};

const SEED: u64 = 0x6f63_6175_6469_7421;
/// Every this-many-th mutant also runs through the binary.
const SAMPLE_EVERY: usize = 40;
/// Inputs larger than this get fewer mutants (debug builds are slow).
const BIG: usize = 32 * 1024;

/// SplitMix64: small, deterministic, good enough to pick offsets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.is_dir().then_some(dir)
}

fn files(dir: &Path, ext: &[&str]) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| {
        p.is_file()
            && p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ext.iter().any(|x| e.eq_ignore_ascii_case(x)))
    });
    v.sort();
    v
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    v.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    v
}

fn utf16be(text: &str) -> Vec<u8> {
    let mut v = vec![0xFE, 0xFF];
    v.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    v
}

/// Mutations every kind of input gets: truncation, byte flips, line
/// endings, BOM, UTF-16.
fn byte_mutants(raw: &[u8], rng: &mut Rng, few: bool) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let (cuts, flip_mutants) = if few { (2, 1) } else { (3, 2) };
    for _ in 0..cuts {
        let cut = rng.below(raw.len());
        out.push((format!("truncated at {cut}"), raw[..cut].to_vec()));
    }
    for _ in 0..flip_mutants {
        let mut m = raw.to_vec();
        let flips = 1 + rng.below(4);
        for _ in 0..flips {
            let i = rng.below(m.len());
            if let Some(b) = m.get_mut(i) {
                *b ^= 1 << rng.below(8);
            }
        }
        out.push((format!("{flips} byte flip(s)"), m));
    }
    if let Ok(text) = std::str::from_utf8(raw) {
        let crlf = if text.contains("\r\n") {
            text.replace("\r\n", "\n")
        } else {
            text.replace('\n', "\r\n")
        };
        out.push(("line endings swapped".into(), crlf.into_bytes()));
        if !few {
            let mut bom = vec![0xEF, 0xBB, 0xBF];
            bom.extend_from_slice(raw);
            out.push(("UTF-8 BOM".into(), bom));
        }
        if rng.below(2) == 0 {
            out.push(("UTF-16LE".into(), utf16le(text)));
        } else {
            out.push(("UTF-16BE".into(), utf16be(text)));
        }
    }
    out
}

/// A dict entry's `<key>` element and value span.
fn entries(root: &Node) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>, Value)> {
    let mut v = Vec::new();
    root.visit(&mut |_, n| {
        if let Value::Dict(d) = &n.value {
            for e in &d.entries {
                v.push((
                    e.key_span.clone(),
                    e.value.span.clone(),
                    e.value.value.clone(),
                ));
            }
        }
    });
    v
}

/// Plist-aware mutations: a duplicated key, a value's type swapped.
fn plist_mutants(raw: &[u8], rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let Ok(text) = std::str::from_utf8(raw) else {
        return Vec::new();
    };
    let Ok(doc) = ocaudit::plist::load(text) else {
        return Vec::new();
    };
    let all = entries(&doc.root);
    let mut out = Vec::new();
    if !all.is_empty() {
        let (k, v, _) = &all[rng.below(all.len())];
        if let Some(copy) = text.get(k.start..v.end) {
            let m = format!("{}{copy}{}", &text[..v.end], &text[v.end..]);
            out.push(("duplicated key".into(), m.into_bytes()));
        }
    }
    let leaves: Vec<_> = all
        .iter()
        .filter(|(_, _, v)| !matches!(v, Value::Dict(_) | Value::Array(_)))
        .collect();
    if !leaves.is_empty() {
        let (_, span, v) = leaves[rng.below(leaves.len())];
        let swapped = match v {
            Value::Bool(b) => format!("<string>{b}</string>"),
            Value::Integer(i) => format!("<string>{}</string>", i.raw.trim()),
            Value::String(_) => "<integer>1</integer>".into(),
            Value::Data(_) => "<true/>".into(),
            _ => "<integer>0</integer>".into(),
        };
        let m = format!("{}{swapped}{}", &text[..span.start], &text[span.end..]);
        out.push(("type swapped".into(), m.into_bytes()));
    }
    out
}

/// Line-level mutations of memmaps and logs: a duplicated line and a type
/// label swapped.
fn line_mutants(raw: &[u8], rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let text = String::from_utf8_lossy(raw);
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    if !lines.is_empty() {
        let i = rng.below(lines.len());
        let mut m = lines.clone();
        m.insert(i, lines[i]);
        out.push(("duplicated line".into(), m.join("\n").into_bytes()));
    }
    for (from, to) in [("Available", "MMIO     "), ("RT_Data", "BS_Data")] {
        if text.contains(from) {
            out.push((
                format!("{from} -> {to}"),
                text.replacen(from, to, 1).into_bytes(),
            ));
            break;
        }
    }
    out
}

/// The exit code `check` gives one report (as `cli::check::exit_code`).
fn exit_of(r: &FileReport) -> i32 {
    if r.unparsable {
        2
    } else if r
        .diagnostics
        .iter()
        .any(|d| matches!(d.severity, Severity::Error | Severity::Warning))
    {
        1
    } else {
        0
    }
}

#[derive(Default)]
struct Totals {
    mutants: usize,
    exits: BTreeMap<i32, usize>,
    written: usize,
    unchanged: usize,
    refused: usize,
    write_refused: usize,
    binary: usize,
    failures: Vec<String>,
    /// Seconds spent in check, fix, write, evidence and the binary.
    secs: [f64; 5],
}

impl Totals {
    fn fail(&mut self, what: String) {
        if self.failures.len() < 20 {
            self.failures.push(what);
        }
    }
}

/// check + fix --write of one config mutant, in-process.
fn config_in_process(t: &mut Totals, dir: &Path, label: &str, bytes: &[u8]) {
    let opts = AuditOptions::default();
    let clock = std::time::Instant::now();
    let report = catch_unwind(AssertUnwindSafe(|| {
        audit_bytes("config.plist", bytes.to_vec(), &opts)
    }));
    let Ok(report) = report else {
        t.fail(format!("{label}: check panicked"));
        return;
    };
    *t.exits.entry(exit_of(&report)).or_default() += 1;
    t.secs[0] += clock.elapsed().as_secs_f64();
    let clock = std::time::Instant::now();
    let path = dir.join("config.plist");
    if std::fs::write(&path, bytes).is_err() {
        t.fail(format!("{label}: cannot write the temp copy"));
        return;
    }
    let fixed = catch_unwind(AssertUnwindSafe(|| {
        fix(
            "config.plist",
            bytes.to_vec(),
            &FixOptions {
                unsafe_fixes: true,
                ..FixOptions::default()
            },
        )
    }));
    t.secs[1] += clock.elapsed().as_secs_f64();
    let clock = std::time::Instant::now();
    let outcome = match fixed {
        Err(_) => {
            t.fail(format!("{label}: fix panicked"));
            return;
        }
        Ok(Err(_)) => {
            t.refused += 1;
            return;
        }
        Ok(Ok(o)) => o,
    };
    if !outcome.changed() {
        t.unchanged += 1;
        return;
    }
    let new = outcome.new_bytes();
    let verify = |b: &[u8]| outcome.verify(b);
    let req = WriteRequest::new(&path, bytes, &new, &verify).with_backup(BackupPolicy::None);
    let written = write_atomically(&req);
    t.secs[2] += clock.elapsed().as_secs_f64();
    match written {
        Ok(_) => {
            t.written += 1;
            let on_disk = std::fs::read(&path).unwrap_or_default();
            // The writer verified these bytes (re-parse, intended values)
            // before and after writing them.
            if on_disk != new {
                t.fail(format!("{label}: written bytes differ from the fixed text"));
            }
        }
        Err(_) => {
            t.write_refused += 1;
            if std::fs::read(&path).unwrap_or_default() != bytes {
                t.fail(format!("{label}: refused write changed the copy"));
            }
        }
    }
}

/// check and fix --write through the binary on a temp copy.
fn config_binary(t: &mut Totals, dir: &Path, label: &str, bytes: &[u8]) {
    t.binary += 1;
    let path = dir.join("config.plist");
    let _ = std::fs::write(&path, bytes);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ocaudit"))
            .current_dir(dir)
            .env_remove("OCAUDIT_TEST_FAULT")
            .args(args)
            .output()
    };
    let Ok(o) = run(&["check", "--color", "never", "config.plist"]) else {
        t.fail(format!("{label}: the binary did not run"));
        return;
    };
    let code = o.status.code();
    let err = String::from_utf8_lossy(&o.stderr);
    if !matches!(code, Some(0..=2)) || err.contains("panicked") || err.contains("internal error") {
        t.fail(format!("{label}: check exited {code:?}: {err}"));
    }
    let args = [
        "fix",
        "--write",
        "--no-backup",
        "--unsafe-fixes",
        "config.plist",
    ];
    let Ok(o) = run(&args) else {
        t.fail(format!("{label}: the binary did not run"));
        return;
    };
    let on_disk = std::fs::read(&path).unwrap_or_default();
    match o.status.code() {
        Some(2) if on_disk != bytes => t.fail(format!("{label}: fix refused but changed the copy")),
        Some(0 | 1) => {
            let r = audit_bytes("config.plist", on_disk, &AuditOptions::default());
            if r.unparsable {
                t.fail(format!("{label}: fix wrote a file that does not parse"));
            }
        }
        Some(2) => {}
        other => t.fail(format!(
            "{label}: fix exited {other:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        )),
    }
}

/// A small config the evidence mutants are checked against.
const CONFIG: &str = include_str!("../sample-configs/z390-kaslr-broken.plist");

fn evidence_in_process(t: &mut Totals, label: &str, bytes: &[u8]) {
    let clock = std::time::Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let files = match parse_evidence(bytes, None) {
            Err(_) => return 2, // `check --memmap` refuses such a file.
            Ok(Evidence::Map(m)) => {
                let a = simulate(&m, &SlideOptions::default());
                assert_eq!(a.valid_count, a.valid_slides.len());
                EvidenceFiles {
                    map: Some(("memmap.txt".into(), m)),
                    log: None,
                }
            }
            Ok(Evidence::Log(l)) => EvidenceFiles {
                map: None,
                log: Some(("log.txt".into(), l)),
            },
        };
        let opts = AuditOptions {
            evidence_files: Some(files),
            ..AuditOptions::default()
        };
        exit_of(&audit_bytes("config.plist", CONFIG.into(), &opts))
    }));
    match result {
        Ok(code) => *t.exits.entry(code).or_default() += 1,
        Err(_) => t.fail(format!("{label}: evidence check panicked")),
    }
    t.secs[3] += clock.elapsed().as_secs_f64();
}

fn evidence_binary(t: &mut Totals, dir: &Path, label: &str, bytes: &[u8]) {
    t.binary += 1;
    let _ = std::fs::write(dir.join("config.plist"), CONFIG);
    let _ = std::fs::write(dir.join("evidence.txt"), bytes);
    for args in [
        &["check", "--memmap", "evidence.txt", "config.plist"][..],
        &["slide", "evidence.txt"][..],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_ocaudit"))
            .current_dir(dir)
            .args(args)
            .output();
        match o {
            Ok(o) => {
                let err = String::from_utf8_lossy(&o.stderr);
                if !matches!(o.status.code(), Some(0..=2)) || err.contains("panicked") {
                    t.fail(format!(
                        "{label}: {args:?} exited {:?}: {err}",
                        o.status.code()
                    ));
                }
            }
            Err(e) => t.fail(format!("{label}: the binary did not run: {e}")),
        }
    }
}

#[test]
fn gauntlet() {
    let Some(corpus) = corpus() else {
        println!("skipped: ../shared/corpus not found");
        return;
    };
    let started = std::time::Instant::now();
    let mut rng = Rng(SEED);
    // A memory-backed folder where there is one: the writer syncs every
    // file it writes, which costs more than the rest of the run on a disk.
    let shm = Path::new("/dev/shm");
    let tmp = if shm.is_dir() {
        tempfile::tempdir_in(shm).or_else(|_| tempfile::tempdir())
    } else {
        tempfile::tempdir()
    }
    .expect("tempdir");
    let mut t = Totals::default();
    let mut configs = Vec::new();
    for sub in ["configs", "configs-odd", "clover"] {
        configs.extend(files(&corpus.join(sub), &["plist"]));
    }
    let mut evidence = files(&corpus.join("memmaps"), &["txt", "log"]);
    evidence.extend(files(&corpus.join("logs"), &["txt", "log"]));
    assert!(!configs.is_empty(), "no configs in the corpus");
    let mut config_files = 0;
    let mut evidence_files = 0;
    for p in &configs {
        let Ok(raw) = std::fs::read(p) else { continue };
        config_files += 1;
        let few = raw.len() > BIG;
        let mut mutants = byte_mutants(&raw, &mut rng, few);
        mutants.extend(plist_mutants(&raw, &mut rng));
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        for (what, bytes) in mutants {
            let label = format!("{} ({what})", name.as_deref().unwrap_or("?"));
            t.mutants += 1;
            config_in_process(&mut t, tmp.path(), &label, &bytes);
            if t.mutants % SAMPLE_EVERY == 0 {
                let clock = std::time::Instant::now();
                config_binary(&mut t, tmp.path(), &label, &bytes);
                t.secs[4] += clock.elapsed().as_secs_f64();
            }
        }
    }
    for p in &evidence {
        let Ok(raw) = std::fs::read(p) else { continue };
        evidence_files += 1;
        let mut mutants = byte_mutants(&raw, &mut rng, false);
        mutants.extend(line_mutants(&raw, &mut rng));
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        for (what, bytes) in mutants {
            let label = format!("{} ({what})", name.as_deref().unwrap_or("?"));
            t.mutants += 1;
            evidence_in_process(&mut t, &label, &bytes);
            if t.mutants % SAMPLE_EVERY == 0 {
                let clock = std::time::Instant::now();
                evidence_binary(&mut t, tmp.path(), &label, &bytes);
                t.secs[4] += clock.elapsed().as_secs_f64();
            }
        }
    }
    println!(
        "gauntlet: {} mutants of {config_files} configs and {evidence_files} memmaps/logs in {:.1} s (seed {SEED:#x})",
        t.mutants,
        started.elapsed().as_secs_f64()
    );
    println!(
        "  check exit codes: {}",
        t.exits
            .iter()
            .map(|(c, n)| format!("{c}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  fix --write (configs): {} written, {} nothing to change, {} refused by fix (does not parse), {} refused by the writer; {} mutants also through the binary",
        t.written, t.unchanged, t.refused, t.write_refused, t.binary
    );
    let [c, f, w, e, b] = t.secs;
    println!(
        "  time: check {c:.1} s, fix {f:.1} s, write {w:.1} s, evidence {e:.1} s, binary {b:.1} s"
    );
    assert!(t.failures.is_empty(), "{:#?}", t.failures);
    assert_eq!(t.exits.values().sum::<usize>(), t.mutants);
}
