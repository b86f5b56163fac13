//! Fuzz the span-aware plist loader, the model build and every rule (through
//! `audit::audit_bytes`): no input may panic, and every span the loader or a
//! diagnostic hands out must lie inside the text on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocaudit::audit::{AuditOptions, audit_bytes};
use ocaudit::source::Span;

fn in_text(text: &str, span: &Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} outside text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} not on char boundaries"
    );
}

fuzz_target!(|data: &[u8]| {
    let report = audit_bytes("fuzz.plist", data.to_vec(), &AuditOptions::default());
    if let Some(loaded) = &report.loaded {
        let text = &loaded.source.text;
        loaded.doc.root.visit(&mut |_, node| {
            in_text(text, &node.span, "node");
            in_text(text, &node.inner, "inner");
            if let ocaudit::plist::Value::Dict(d) = &node.value {
                for e in &d.entries {
                    in_text(text, &e.key_span, "key");
                }
            }
        });
        for issue in &loaded.doc.issues {
            in_text(text, &issue.span, "issue");
        }
    }
    if let Some(source) = report.source() {
        for d in &report.diagnostics {
            in_text(&source.text, &d.span, d.rule.code);
            for (s, _) in &d.secondary {
                in_text(&source.text, s, d.rule.code);
            }
            let _ = source.line_col(d.span.start);
        }
    }
});
