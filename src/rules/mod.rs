//! The rule engine: rule metadata, diagnostics and the registry.
//!
//! Every rule is one [`RuleMeta`] (code, name, severity, fix availability,
//! documentation embedded from `rules/CODE.md`) plus one check function, and
//! is listed once in [`REGISTRY`]. Checks read the typed model and the span
//! tree and push [`Diagnostic`]s; they never print, never touch the disk
//! (except the F family, under the `--efi` folder only) and never fail: a
//! rule whose input is mistyped simply stays silent.

/// Declare a rule's metadata; its docs come from `rules/<CODE>.md`.
macro_rules! rule {
    ($id:ident, $code:literal, $name:literal, $sev:ident, $fix:ident, $app:expr,
     $summary:literal, $why:literal) => {
        #[doc = $summary]
        pub static $id: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: $code,
            name: $name,
            severity: $crate::rules::Severity::$sev,
            summary: $summary,
            why: $why,
            fix: $crate::rules::FixAvailability::$fix,
            fix_applicability: $app,
            docs: include_str!(concat!("../../rules/", $code, ".md")),
        };
    };
}

mod bootargs;
mod booter;
mod clover;
mod context;
mod files;
mod firmware;
pub(crate) mod literal;
mod memmap;
mod moves;
mod reader;
mod runtime;
mod schema;
mod structure;
mod stuck_nvram;
mod whitelist;

pub use context::{CheckOptions, Context, Evidence};
pub use reader::{cannot_read, strict_parsers_refuse};
pub use runtime::runtime_driver_rename;

use serde::Serialize;

use crate::patch::Fix;
use crate::source::Span;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The config will misbehave or OpenCore will reject it.
    Error,
    /// Likely to cause boot failures on some machines.
    Warning,
    /// Worth knowing; not a failure on its own.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Whether a rule can offer a fix, known without running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    /// Never.
    None,
    /// For some occurrences.
    Sometimes,
    /// Whenever it fires (when the file has somewhere to put the change).
    Always,
}

/// Everything known about a rule without running it.
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    /// The stable code, e.g. `B003`.
    pub code: &'static str,
    /// The stable kebab-case name, e.g. `provide-custom-slide-disabled`.
    pub name: &'static str,
    /// The default severity.
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// One line: why it matters for booting.
    pub why: &'static str,
    /// Whether a fix can be offered.
    pub fix: FixAvailability,
    /// The applicability of the fix when there is one.
    pub fix_applicability: Option<crate::patch::Applicability>,
    /// The Markdown documentation shown by `ocaudit explain`.
    #[serde(skip)]
    pub docs: &'static str,
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The rule that found it.
    pub rule: &'static RuleMeta,
    /// The severity (the rule's default, or adjusted by evidence).
    pub severity: Severity,
    /// The key path of the offending key (`Booter/Quirks/ProvideCustomSlide`).
    pub path: String,
    /// The primary span: the value, or the parent dict of a missing key.
    pub span: Span,
    /// Further spans with labels (e.g. the shadowed duplicate).
    pub secondary: Vec<(Span, String)>,
    /// What is wrong, for this occurrence.
    pub message: String,
    /// Extra notes (which reading applies, evidence figures...).
    pub notes: Vec<String>,
    /// Help when there is no fix.
    pub help: Option<String>,
    /// The fix, if one is offered.
    pub fix: Option<Fix>,
}

/// A check function.
pub type Check = fn(&mut Context);

/// Every rule, in code order, with its check.
pub static REGISTRY: &[(&RuleMeta, Check)] = &[
    (&structure::X001, structure::x001),
    (&structure::X002, structure::none),
    (&structure::X003, structure::x003),
    (&structure::X004, structure::x004),
    (&structure::X005, structure::x005),
    (&schema::X006, schema::x006),
    (&schema::X007, schema::x007),
    (&schema::X008, schema::x008),
    (&schema::X009, schema::x009),
    (&reader::X010, reader::none),
    (&reader::X011, reader::none),
    (&booter::B001, booter::b001),
    (&booter::B002, firmware::b002),
    (&booter::B003, booter::b003),
    (&booter::B004, firmware::b004),
    (&booter::B005, booter::b005),
    (&booter::B006, firmware::b006),
    (&booter::B007, firmware::b007),
    (&booter::B008, firmware::b008),
    (&booter::B009, booter::b009),
    (&booter::B010, booter::b010),
    (&runtime::B011, runtime::b011),
    (&booter::B012, booter::b012),
    (&firmware::B013, firmware::b013),
    (&firmware::B014, firmware::b014),
    (&firmware::B015, firmware::b015),
    (&bootargs::S001, bootargs::s001),
    (&bootargs::S002, bootargs::s002),
    (&bootargs::S003, bootargs::s003),
    (&bootargs::S004, bootargs::s004),
    (&bootargs::S005, bootargs::s005),
    (&bootargs::S006, bootargs::s006),
    (&bootargs::S007, bootargs::s007),
    (&bootargs::S008, bootargs::s008),
    (&literal::S009, literal::s009),
    (&stuck_nvram::S010, stuck_nvram::s010),
    (&whitelist::W001, whitelist::w001),
    (&whitelist::W002, whitelist::w002),
    (&whitelist::W003, whitelist::w003),
    (&whitelist::W004, whitelist::w004),
    (&memmap::M001, memmap::m001),
    (&memmap::M002, memmap::m002),
    (&memmap::M003, memmap::m003),
    (&memmap::M004, memmap::m004),
    (&memmap::M005, memmap::m005),
    (&files::F001, files::f001),
    (&files::F002, files::f002),
    (&files::F003, files::f003),
    (&clover::C001, clover::c001),
    (&clover::C002, clover::c002),
    (&clover::C003, clover::c003),
    (&clover::C004, clover::c004),
    (&clover::C005, clover::c005),
];

/// Metadata of every rule, in code order.
pub fn all() -> impl Iterator<Item = &'static RuleMeta> {
    REGISTRY.iter().map(|(m, _)| *m)
}

/// The rule with this code (case-insensitive).
pub fn by_code(code: &str) -> Option<&'static RuleMeta> {
    all().find(|m| m.code.eq_ignore_ascii_case(code))
}

/// The rule with this code or this name (`B003` or `slide-zero`, either
/// case): findings print both, so both are accepted wherever a rule is named.
pub fn by_code_or_name(key: &str) -> Option<&'static RuleMeta> {
    let key = key.trim();
    by_code(key).or_else(|| all().find(|m| m.name.eq_ignore_ascii_case(key)))
}

/// `--select` / `--ignore` entries with each rule name replaced by its code
/// (codes and code prefixes are kept as given).
pub fn names_to_codes(patterns: &[String]) -> Vec<String> {
    patterns
        .iter()
        .map(
            |p| match all().find(|m| m.name.eq_ignore_ascii_case(p.trim())) {
                Some(m) => m.code.to_owned(),
                None => p.clone(),
            },
        )
        .collect()
}

/// The X001 rule (for load errors reported outside the engine).
pub fn x001() -> &'static RuleMeta {
    &structure::X001
}

/// A finding reported outside the engine (by the loader): no key path,
/// no fix yet.
pub fn reported_outside(
    rule: &'static RuleMeta,
    span: Span,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    Diagnostic {
        rule,
        severity: rule.severity,
        path: String::new(),
        span,
        secondary: Vec::new(),
        message,
        notes: Vec::new(),
        help,
        fix: None,
    }
}

/// The X002 rule (binary plists, reported outside the engine).
pub fn x002() -> &'static RuleMeta {
    &structure::X002
}

/// Whether `code` is selected by comma-separated code prefixes.
pub fn matches_any(code: &str, patterns: &[String]) -> bool {
    patterns.iter().any(|p| {
        let p = p.trim();
        !p.is_empty() && code.len() >= p.len() && code[..p.len()].eq_ignore_ascii_case(p)
    })
}

/// Run every selected rule and return the findings sorted by position.
pub fn run_all(cx: &mut Context) -> Vec<Diagnostic> {
    for (meta, check) in REGISTRY {
        if cx.options.enabled(meta.code) {
            check(cx);
        }
    }
    let mut diags = std::mem::take(&mut cx.diags);
    diags.retain(|d| cx.options.enabled(d.rule.code));
    clover::annotate(cx, &mut diags);
    diags.sort_by(|a, b| (a.span.start, a.rule.code).cmp(&(b.span.start, b.rule.code)));
    diags
}

#[cfg(test)]
mod tests;
