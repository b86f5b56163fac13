//! What OpenCore's own `ocvalidate` (1.0.7) said about `ocaudit fix` results,
//! recorded by `scripts/ocvalidate-fix.sh` in
//! tests/data/ocvalidate-fix/1.0.7.tsv (no OpenCore code or binary is part of
//! the project; the script runs a locally built one).
//!
//! With the corpus present, this test fixes every recorded config again the
//! same way (`fix --write --unsafe-fixes --oc-version 1.0.7`) and checks that
//! the result is byte for byte the one ocvalidate judged (an FNV-64 digest),
//! so the recorded verdict still holds; when it fails, rerun the script. It
//! also checks the verdict itself: every message ocvalidate reports on a
//! fixed file but not on its original belongs to a known, explained kind
//! (see [`EXPLAINED`]), and prints the totals.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

const DATA: &str = include_str!("data/ocvalidate-fix/1.0.7.tsv");

/// New messages that are explained, not caused by a wrong value ocaudit
/// wrote: (message start, why).
const EXPLAINED: &[(&str, &str)] = &[(
    "UEFI->Output->Resolution is borked",
    "X006 moved Misc/Boot/Resolution `MAX` to UEFI/Output, where OpenCore reads it; the value was never valid (OpenCore spells it `Max`) and was ignored before the move",
)];

fn fnv64(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

/// The recorded per-config digests and the new messages.
fn recorded() -> (
    BTreeMap<&'static str, &'static str>,
    Vec<(&'static str, &'static str)>,
) {
    let mut digests = BTreeMap::new();
    let mut added = Vec::new();
    for line in DATA.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            [file, "+", message] => added.push((*file, *message)),
            [file, digest, _, _, _, _] => {
                digests.insert(*file, *digest);
            }
            _ => panic!("malformed line {line:?}"),
        }
    }
    (digests, added)
}

/// Every message ocvalidate added after a fix is of an explained kind.
#[test]
fn recorded_new_messages_are_explained() {
    let (digests, added) = recorded();
    assert!(
        digests.len() > 100,
        "only {} configs recorded",
        digests.len()
    );
    let unexplained: Vec<String> = added
        .iter()
        .filter(|(_, m)| !EXPLAINED.iter().any(|(start, _)| m.starts_with(start)))
        .map(|(f, m)| format!("{f}: {m}"))
        .collect();
    let files: std::collections::BTreeSet<&str> = added.iter().map(|(f, _)| *f).collect();
    println!(
        "ocvalidate 1.0.7: {} configs, {} new messages after the fix in {} of them (all explained), {} with none",
        digests.len(),
        added.len(),
        files.len(),
        digests.len() - files.len()
    );
    assert!(
        unexplained.is_empty(),
        "ocvalidate reports new messages after the fix:\n{}",
        unexplained.join("\n")
    );
}

/// The fix output is still the one ocvalidate judged.
#[test]
fn fix_output_matches_the_recorded_runs() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/configs");
    if !corpus.is_dir() {
        println!("skipped: ../shared/corpus not found");
        return;
    }
    let (digests, _) = recorded();
    let tmp = tempfile::tempdir().unwrap();
    let mut stale = Vec::new();
    for (file, digest) in &digests {
        let src = corpus.join(file);
        let Ok(bytes) = std::fs::read(&src) else {
            stale.push(format!("{file}: not in the corpus"));
            continue;
        };
        let copy = tmp.path().join(file);
        std::fs::write(&copy, &bytes).unwrap();
        Command::new(assert_cmd::cargo::cargo_bin!("ocaudit"))
            .args(["fix", "--write", "--unsafe-fixes", "--no-backup"])
            .args(["--oc-version", "1.0.7"])
            .arg(&copy)
            .output()
            .unwrap();
        let got = fnv64(&std::fs::read(&copy).unwrap());
        if got != *digest {
            stale.push(format!("{file}: {got}, recorded {digest}"));
        }
    }
    assert!(
        stale.is_empty(),
        "fix output changed since ocvalidate judged it; rerun scripts/ocvalidate-fix.sh:\n{}",
        stale.join("\n")
    );
}
