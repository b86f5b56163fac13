//! Every crash the fuzz targets found, replayed through the same checks as
//! the targets (`fuzz/fuzz_targets/`): inputs live in
//! `tests/fixtures/regressions/`, named after the target that found them.

use std::path::Path;

use ocaudit::audit::{AuditOptions, audit_bytes};
use ocaudit::fixer::{FixError, FixOptions, fix};

fn regressions(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/regressions");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/regressions exists")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).expect("read");
            (n, bytes)
        })
        .collect();
    v.sort();
    v
}

/// The `fix_roundtrip` target's property: verify, then a second run
/// changes nothing.
fn fix_round_trips(name: &str, data: &[u8]) {
    let opts = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let outcome = match fix("fuzz.plist", data.to_vec(), &opts) {
        Ok(o) => o,
        Err(FixError::Internal(m)) => panic!("{name}: internal fix error: {m}"),
        Err(_) => return,
    };
    let bytes = outcome.new_bytes();
    outcome
        .verify(&bytes)
        .unwrap_or_else(|why| panic!("{name}: {why}"));
    assert!(
        outcome
            .notes
            .iter()
            .all(|n| !n.contains("round in circles")),
        "{name}: {:?}",
        outcome.notes
    );
    let again = fix("fuzz.plist", bytes, &opts).expect("fixed text loads");
    assert!(
        !again.changed(),
        "{name}: second run changed:\n{}",
        again.text
    );
}

#[test]
fn fix_roundtrip_regressions() {
    let all = regressions("fix_roundtrip-");
    assert!(!all.is_empty());
    for (name, data) in all {
        fix_round_trips(&name, &data);
        // Check reads the same input without trouble, and a file it does
        // not know is reported as such, not half-read.
        // (A file only OpenCore's reader refuses is no half-read either:
        // its one finding is X010.)
        let r = audit_bytes(&name, data, &AuditOptions::default());
        let refused = r.opencore_reads == Some(false) && r.diagnostics.len() <= 1;
        assert_eq!(
            r.unparsable || refused,
            r.loaded.is_none() || refused,
            "{name}"
        );
        assert!(!(r.unparsable && r.loaded.is_some()), "{name}");
    }
}

#[test]
fn ocquirks_duplicates_are_exact_keys_last_wins() {
    // OcQuirks.efi matches keys exactly: `DeVirtualiseMmio` is a different
    // (unknown) key, not a duplicate of `DevirtualiseMmio`.
    let data = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/regressions/fix_roundtrip-ocquirks-case-duplicate.plist"),
    )
    .expect("fixture");
    let text = String::from_utf8(data.clone()).expect("utf-8");
    let with_dev = text.replacen(
        "\t<key>EnableWriteUnprotector</key>",
        "\t<key>DevirtualiseMmio</key>\n\t<true/>\n\t<key>EnableWriteUnprotector</key>",
        1,
    );
    let r = audit_bytes(
        "OcQuirks.plist",
        with_dev.into_bytes(),
        &AuditOptions::default(),
    );
    assert!(
        r.diagnostics.iter().all(|d| d.rule.code != "X003"),
        "{:?}",
        r.diagnostics
    );
    assert!(r.diagnostics.iter().all(|d| d.rule.code != "B002"));
}
