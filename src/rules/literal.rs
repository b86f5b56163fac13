//! S009: boot arguments written with XML that OpenCore reads differently
//! from what the user meant (references it does not decode, CDATA it reads
//! as empty, comments that make it refuse the file).

use super::Context;
use super::bootargs::all_args;
use crate::model::ConfigKind;
use crate::patch::Applicability::{Safe, Unsafe};
use crate::patch::{self, Edit, Fix, Reading};

rule! {
    code: S009,
    name: "boot-args-not-literal",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Boot arguments are written with XML references or markup that OpenCore does not read as meant.",
    why: "OpenCore passes references such as `&#32;` on as written, reads a value that is only CDATA as empty, and refuses the whole config when a comment sits inside a value.",
}

/// S009.
pub fn s009(cx: &mut Context) {
    if cx.config.kind != ConfigKind::OpenCore {
        return;
    }
    for a in all_args(cx) {
        let Some(node) = patch::node_by_span(&cx.doc.root, &a.at.at.span) else {
            continue;
        };
        let raw = &cx.text()[node.inner.clone()];
        let rewrite = |text: String| {
            vec![Edit {
                range: node.inner.clone(),
                text,
            }]
        };
        let path = a.at.at.path.clone();
        match a.reading {
            Reading::Refused => {
                let fix = patch::without_markup(raw).map(|t| {
                    Fix::new(
                        Safe,
                        "drop the markup and keep the arguments as written",
                        rewrite(t),
                    )
                });
                let d = cx.report(&S009, &a.at.at, format!("{path} holds a comment (or CDATA mixed with text), so OpenCore refuses the whole config and the machine does not boot"));
                d.severity = super::Severity::Error;
                d.fix = fix;
            }
            Reading::Empty => {
                let fix = patch::without_markup(raw).map(|t| {
                    Fix::new(Unsafe, "write the arguments as plain text (unsafe: OpenCore then passes them, which it never did)", rewrite(t))
                });
                let d = cx.report(&S009, &a.at.at, format!("{path} is only a CDATA section, which OpenCore reads as an empty value: none of these arguments is passed"));
                d.fix = fix;
            }
            Reading::Literal => {
                let Some(tok) = a.text.tokens.iter().find(|t| t.text.contains('&')) else {
                    continue;
                };
                let (span, shown) = (tok.range.clone(), tok.text.clone());
                match patch::resolve_references(raw) {
                    Some(meant) => {
                        let fix = Fix::new(
                            Unsafe,
                            format!(
                                "write the referenced characters themselves, `{}` (unsafe: the arguments OpenCore passes change)",
                                meant.trim()
                            ),
                            rewrite(meant),
                        );
                        let d = cx.report_span(&S009, path, span, format!("`{shown}` holds a character reference, which OpenCore passes on as written: it is one argument, not what the reference spells"));
                        d.fix = Some(fix);
                    }
                    None => {
                        let d = cx.report_span(&S009, path, span, format!("`{shown}` holds an XML reference, which OpenCore passes on as written"));
                        d.help = Some("a plist cannot give OpenCore's arguments a `&`, `<` or `>`: remove the reference".into());
                    }
                }
            }
        }
    }
}
