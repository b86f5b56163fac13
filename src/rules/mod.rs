//! The rule engine: rule metadata, diagnostics and the registry.
//!
//! Every rule is one [`RuleMeta`] (code, name, severity, fix availability,
//! documentation embedded from `rules/CODE.md`) plus one check function, and
//! is listed once, in its family in [`FAMILIES`]. Checks read the typed model and the span
//! tree and push [`Diagnostic`]s; they never print, never touch the disk
//! (what the EFI folder holds is scanned for them, see [`crate::folder`])
//! and never fail: a rule whose input is mistyped simply stays silent.

/// Declare a rule's metadata with named fields; its code is written once
/// and its documentation comes from `rules/<CODE>.md`:
///
/// ```ignore
/// rule! {
///     code: B001,
///     name: "avoid-runtime-defrag-disabled",
///     severity: Warning,
///     fix: Always(Safe), // None, Always(Safe|Unsafe), Sometimes(Safe|Unsafe)
///     summary: "AvoidRuntimeDefrag is off.",
///     why: "Without it, boot.efi may defragment memory firmware still uses.",
/// }
/// ```
macro_rules! rule {
    (
        code: $code:ident,
        name: $name:literal,
        severity: $sev:ident,
        fix: $fix:ident $(($app:ident))?,
        summary: $summary:literal,
        why: $why:literal $(,)?
    ) => {
        #[doc = $summary]
        pub static $code: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: stringify!($code),
            name: $name,
            severity: $crate::rules::Severity::$sev,
            summary: $summary,
            why: $why,
            fix: $crate::rules::FixAvailability::$fix,
            fix_applicability: rule!(@applicability $($app)?),
            docs: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/rules/",
                stringify!($code),
                ".md"
            )),
        };
    };
    (@applicability) => {
        None
    };
    (@applicability $app:ident) => {
        Some($crate::patch::Applicability::$app)
    };
}

mod acpi;
mod bootargs;
mod booter;
mod booter_entries;
mod clover;
mod context;
mod devprops;
mod files;
mod firmware;
mod fixed_data;
mod kernel;
pub(crate) mod literal;
mod memmap;
mod misc;
mod moves;
mod nvram;
mod platforminfo;
mod reader;
mod runtime;
mod schema;
mod structure;
mod stuck_nvram;
mod uefi;
pub mod view;
mod whitelist;

pub use crate::evidence::Evidence;
pub use context::{CheckOptions, Context};
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

/// One rule: its metadata and its check.
#[derive(Debug)]
pub struct Rule {
    /// What is known about the rule without running it.
    pub meta: &'static RuleMeta,
    /// The check.
    pub check: Check,
}

impl Rule {
    /// A rule from its metadata and check.
    pub const fn new(meta: &'static RuleMeta, check: Check) -> Rule {
        Rule { meta, check }
    }
}

/// A family of rules: one code prefix, one part of the config or of the
/// evidence. `--select`/`--ignore` take the prefix.
#[derive(Debug)]
pub struct Family {
    /// The code prefix (`B`).
    pub prefix: &'static str,
    /// The kebab-case family name (`booter`).
    pub name: &'static str,
    /// One line: what the family looks at.
    pub about: &'static str,
    /// Its rules, in code order.
    pub rules: &'static [Rule],
}

/// Every family, in the order findings of one place are listed; the one
/// place a family (and so a rule) is registered.
pub static FAMILIES: &[Family] = &[
    Family {
        prefix: "X",
        name: "structure",
        about: "the file and its schema: can it be read, are the keys and types the release knows",
        rules: &[
            Rule::new(&structure::X001, structure::x001),
            Rule::new(&structure::X002, structure::none),
            Rule::new(&structure::X003, structure::x003),
            Rule::new(&structure::X004, structure::x004),
            Rule::new(&structure::X005, structure::x005),
            Rule::new(&schema::X006, schema::x006),
            Rule::new(&schema::X007, schema::x007),
            Rule::new(&schema::X008, schema::x008),
            Rule::new(&schema::X009, schema::x009),
            Rule::new(&reader::X010, reader::none),
            Rule::new(&reader::X011, reader::none),
        ],
    },
    Family {
        prefix: "B",
        name: "booter",
        about: "Booter quirks and the drivers they need: will the kernel find room to load (B0xx); the Booter section's patches and GPU BAR setting (B1xx)",
        rules: &[
            Rule::new(&booter::B001, booter::b001),
            Rule::new(&booter::B002, firmware::b002),
            Rule::new(&booter::B003, booter::b003),
            Rule::new(&booter::B004, firmware::b004),
            Rule::new(&booter::B005, booter::b005),
            Rule::new(&booter::B006, firmware::b006),
            Rule::new(&booter::B007, firmware::b007),
            Rule::new(&booter::B008, firmware::b008),
            Rule::new(&booter::B009, booter::b009),
            Rule::new(&booter::B010, booter::b010),
            Rule::new(&runtime::B011, runtime::b011),
            Rule::new(&booter::B012, booter::b012),
            Rule::new(&firmware::B013, firmware::b013),
            Rule::new(&firmware::B014, firmware::b014),
            Rule::new(&firmware::B015, firmware::b015),
            Rule::new(&booter_entries::B101, booter_entries::b101),
            Rule::new(&booter_entries::B102, booter_entries::b102),
            Rule::new(&booter_entries::B103, booter_entries::b103),
            Rule::new(&booter_entries::B104, booter_entries::b104),
            Rule::new(&booter_entries::B105, booter_entries::b105),
            Rule::new(&booter_entries::B106, booter_entries::b106),
            Rule::new(&booter_entries::B107, booter_entries::b107),
            Rule::new(&booter_entries::B108, booter_entries::b108),
            Rule::new(&booter_entries::B109, booter_entries::b109),
            Rule::new(&booter_entries::B110, booter_entries::b110),
        ],
    },
    Family {
        prefix: "S",
        name: "boot-args",
        about: "boot arguments and slide values, in the config and stuck in NVRAM",
        rules: &[
            Rule::new(&bootargs::S001, bootargs::s001),
            Rule::new(&bootargs::S002, bootargs::s002),
            Rule::new(&bootargs::S003, bootargs::s003),
            Rule::new(&bootargs::S004, bootargs::s004),
            Rule::new(&bootargs::S005, bootargs::s005),
            Rule::new(&bootargs::S006, bootargs::s006),
            Rule::new(&bootargs::S007, bootargs::s007),
            Rule::new(&bootargs::S008, bootargs::s008),
            Rule::new(&literal::S009, literal::s009),
            Rule::new(&stuck_nvram::S010, stuck_nvram::s010),
        ],
    },
    Family {
        prefix: "W",
        name: "mmio-whitelist",
        about: "Booter/MmioWhitelist and its entries",
        rules: &[
            Rule::new(&whitelist::W001, whitelist::w001),
            Rule::new(&whitelist::W002, whitelist::w002),
            Rule::new(&whitelist::W003, whitelist::w003),
            Rule::new(&whitelist::W004, whitelist::w004),
        ],
    },
    Family {
        prefix: "M",
        name: "memory-map",
        about: "evidence from a memory map or an OpenCore log (`--memmap`, `--log`)",
        rules: &[
            Rule::new(&memmap::M001, memmap::m001),
            Rule::new(&memmap::M002, memmap::m002),
            Rule::new(&memmap::M003, memmap::m003),
            Rule::new(&memmap::M004, memmap::m004),
            Rule::new(&memmap::M005, memmap::m005),
        ],
    },
    Family {
        prefix: "F",
        name: "efi-files",
        about: "the files the config names, in the EFI folder given with `--efi`",
        rules: &[
            Rule::new(&files::F001, files::f001),
            Rule::new(&files::F002, files::f002),
            Rule::new(&files::F003, files::f003),
        ],
    },
    Family {
        prefix: "C",
        name: "clover",
        about: "Clover configs and OcQuirks.plist",
        rules: &[
            Rule::new(&clover::C001, clover::c001),
            Rule::new(&clover::C002, clover::c002),
            Rule::new(&clover::C003, clover::c003),
            Rule::new(&clover::C004, clover::c004),
            Rule::new(&clover::C005, clover::c005),
        ],
    },
    Family {
        prefix: "A",
        name: "acpi",
        about: "the ACPI section's entries: table paths, repeats and patch bytes",
        rules: acpi::RULES,
    },
    Family {
        prefix: "D",
        name: "device-properties",
        about: "DeviceProperties, and device paths wherever the config writes one (UEFI/Audio/AudioDevice too)",
        rules: devprops::RULES,
    },
    Family {
        prefix: "K",
        name: "kernel",
        about: "the Kernel section as OpenCore's validator checks it: kexts, blocks, patches, emulation, quirks, scheme",
        rules: kernel::RULES,
    },
    Family {
        prefix: "G",
        name: "misc",
        about: "the general settings under Misc: boot picker, debug, custom entries, security, serial port, tools",
        rules: misc::RULES,
    },
    Family {
        prefix: "N",
        name: "nvram",
        about: "NVRAM: GUID keys, variable names, repeated entries, and the values whose format macOS fixes",
        rules: nvram::RULES,
    },
    Family {
        prefix: "P",
        name: "platform-info",
        about: "PlatformInfo: the SMBIOS update mode and the Generic values OpenCore uses with Automatic",
        rules: platforminfo::RULES,
    },
    Family {
        prefix: "U",
        name: "uefi",
        about: "the UEFI section as OpenCore's validator checks it: drivers, input, audio, output, reserved memory",
        rules: uefi::RULES,
    },
];

/// Every rule, family by family, in code order within a family.
pub fn registry() -> impl Iterator<Item = &'static Rule> {
    FAMILIES.iter().flat_map(|f| f.rules.iter())
}

/// Metadata of every rule, in code order.
pub fn all() -> impl Iterator<Item = &'static RuleMeta> {
    registry().map(|r| r.meta)
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
    for rule in registry() {
        if cx.options.enabled(rule.meta.code) {
            (rule.check)(cx);
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
