//! Fuzz OpenCore's reader as ocaudit replays it (`plist::opencore`): no
//! input may panic; when it reads a file, every element's span lies inside
//! the input, children inside their parent, text inside its element; and
//! the audit's `opencore_reads` verdict is the reader's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocaudit::audit::{AuditOptions, audit_bytes};
use ocaudit::plist::opencore;

fuzz_target!(|data: &[u8]| {
    let read = opencore::read(data);
    match &read {
        Ok(tree) => {
            assert!(tree.end <= data.len());
            for e in &tree.elements {
                assert!(e.span.start < e.span.end && e.span.end <= data.len(), "{e:?}");
                assert!(e.name.end <= e.span.end && e.name.start > e.span.start, "{e:?}");
                assert!(e.inner.start <= e.inner.end && e.inner.end <= e.span.end, "{e:?}");
                if let Some(t) = &e.text {
                    assert!(t.start >= e.inner.start && t.end <= e.inner.end, "{e:?}");
                }
                for &c in tree.children(e) {
                    let c = &tree.elements[c as usize];
                    assert!(c.span.start >= e.inner.start && c.span.end <= e.inner.end);
                }
            }
            for t in opencore::judge_tree(data, tree) {
                assert!(t.span.start <= t.span.end && t.span.end <= data.len());
            }
        }
        Err(trip) => assert!(trip.offset <= data.len()),
    }
    let report = audit_bytes("fuzz.plist", data.to_vec(), &AuditOptions::default());
    if let Some(reads) = report.opencore_reads {
        assert_eq!(reads, read.is_ok(), "audit verdict differs from the reader's");
    }
});
