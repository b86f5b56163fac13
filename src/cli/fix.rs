//! `ocaudit fix`: show (or with `--write`, make) the fixes for one config.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{ColorChoice, check, render};
use crate::audit;
use crate::fixer::{self, Change, FixOptions, FixOutcome, MmioRequest, SlideRequest};

use super::fix_write::{self, Written};

/// Output format of `fix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FixFormat {
    /// A unified diff (without --write) or one line per fix (with it).
    Diff,
    /// The list of edits as JSON.
    Json,
}

/// Flags of `fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// The config.plist to fix (default: ./config.plist, ./EFI/OC/config.plist, then the mounted EFI partition).
    pub path: Option<PathBuf>,
    /// Write the fixes to the file (default: print a diff and change nothing).
    #[arg(long)]
    pub write: bool,
    /// Apply unsafe fixes too (they may change how the machine boots).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Rule selection, platform and evidence (as for `check`).
    #[command(flatten)]
    pub rules: super::RuleArgs,
    /// Set `slide=N` (0 to 255) in boot-args, pick one from the evidence (`auto`), or `remove` every `slide=`.
    #[arg(long, value_name = "auto|remove|N", value_parser = parse_slide)]
    pub slide: Option<SlideRequest>,
    /// Add MmioWhitelist entries: `all-disabled` (one disabled entry per runtime MMIO region of the evidence) or enabled entries for ADDR,ADDR (hex 0x.. or decimal).
    #[arg(long, value_name = "all-disabled|ADDR,ADDR", value_parser = parse_mmio)]
    pub mmio_whitelist: Option<MmioRequest>,
    /// Where to put the backup (a file that must not exist, or a directory); default: the user's state directory.
    #[arg(long, value_name = "PATH", conflicts_with = "no_backup")]
    pub backup: Option<PathBuf>,
    /// Make no backup.
    #[arg(long)]
    pub no_backup: bool,
    /// Keep this many backups per config in the state directory, deleting older ones after a write (0 keeps all).
    #[arg(long, value_name = "N", env = "OCAUDIT_KEEP_BACKUPS", default_value_t = fix_write::DEFAULT_KEEP_BACKUPS)]
    pub keep_backups: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FixFormat::Diff)]
    pub format: FixFormat,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Migrate the config to this OpenCore release first: add its new keys with the sample's
    /// values, remove keys it no longer has (each listed with its value), convert moved keys and
    /// the UEFI/Drivers format. Implies that X006/X007 check against that release.
    #[arg(long, value_name = "X.Y.Z")]
    pub upgrade_to: Option<String>,
}

fn parse_slide(s: &str) -> Result<SlideRequest, String> {
    s.parse()
}

fn parse_mmio(s: &str) -> Result<MmioRequest, String> {
    s.parse()
}

/// Run `fix`.
pub fn run(args: &FixArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let audit = check::rule_options(&args.rules)?;
    let upgrade_to = check::oc_version(args.upgrade_to.as_deref())?;
    let audit = with_target_release(
        audit,
        check::oc_version(args.rules.oc_version.as_deref())?,
        &upgrade_to,
    );
    let path = resolve(args.path.as_deref())?;
    let name = path.display().to_string();
    let raw = audit::read(&path)?;
    let opts = FixOptions {
        audit,
        unsafe_fixes: args.unsafe_fixes,
        slide: args.slide,
        mmio: args.mmio_whitelist.clone(),
        oc_dir: audit::oc_dir(&path),
        upgrade_to,
    };
    let outcome = match fixer::fix(&name, raw.clone(), &opts) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("ocaudit: {name}: {e}\nnothing was written");
            return Ok(2);
        }
    };
    for n in &outcome.notes {
        eprintln!("ocaudit: note: {n}");
    }
    let color = args.color.enabled();
    if !args.write {
        match args.format {
            FixFormat::Diff => {
                if outcome.changed() {
                    write!(out, "{}", render::diff::unified(&outcome, &name, color))?;
                } else {
                    eprintln!("ocaudit: {name}: {}", nothing_to_fix(&outcome));
                }
            }
            FixFormat::Json => json(&outcome, &name, None, out)?,
        }
        return Ok(u8::from(outcome.changed()));
    }
    let mut written = Written::default();
    if outcome.changed() {
        match fix_write::write(&path, &raw, &outcome, args) {
            Ok(w) => written = w,
            Err(e) => {
                eprintln!("ocaudit: {e}");
                return Ok(2);
            }
        }
    }
    let mut finish = || -> anyhow::Result<u8> {
        if written.path.is_some() && fix_write::fault_is(fix_write::RECHECK_FAULT) {
            anyhow::bail!("re-reading {name}: injected by the test hook");
        }
        let report = audit::audit_path(&path, &opts.audit)?;
        let code = check::exit_code(std::slice::from_ref(&report), false);
        match args.format {
            FixFormat::Json => json(&outcome, &name, Some((&written, &report)), out)?,
            FixFormat::Diff => {
                summary_lines(&outcome, &name, &written, out)?;
                render::human::report(std::slice::from_ref(&report), color, out)?;
            }
        }
        // Flush here, not in the caller: a failure must still say the file was written.
        out.flush()?;
        if code == 2 && written.path.is_some() {
            anyhow::bail!("the re-check could not parse {name}, which changed after the write");
        }
        Ok(code)
    };
    match finish() {
        Err(e) if written.path.is_some() => Ok(fix_write::report_failed(&written, &e)),
        result => result,
    }
}

/// The one file `fix` works on.
fn resolve(path: Option<&Path>) -> anyhow::Result<PathBuf> {
    let given: Vec<PathBuf> = path.map(Path::to_path_buf).into_iter().collect();
    let found = check::resolve_paths(&given)?;
    if let (true, Some(s)) = (found.files.is_empty(), found.skipped.first()) {
        anyhow::bail!("{}: {}", s.path, s.reason);
    }
    match found.files.as_slice() {
        [one] => {
            if found.defaulted {
                eprintln!("ocaudit: fixing {}", one.display());
            }
            Ok(one.clone())
        }
        many => anyhow::bail!(
            "fix works on one file, and {} config.plist files were found below {}; give the one to fix",
            many.len(),
            given
                .first()
                .map_or(String::new(), |p| p.display().to_string())
        ),
    }
}

/// What a run that changed nothing says: "nothing to fix", or, when unsafe
/// fixes were held back, "nothing safe to fix; N more with --unsafe-fixes".
pub fn nothing_to_fix(outcome: &FixOutcome) -> String {
    match outcome.held_back {
        0 => "nothing to fix".to_owned(),
        n => format!("nothing safe to fix; {}", more_unsafe(n)),
    }
}

/// `N more with --unsafe-fixes` (or `1 more ...`).
fn more_unsafe(n: usize) -> String {
    format!("{n} more with --unsafe-fixes")
}

fn summary_lines(
    outcome: &FixOutcome,
    name: &str,
    written: &Written,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let Some(path) = &written.path else {
        writeln!(out, "{name}: {}", nothing_to_fix(outcome))?;
        return Ok(());
    };
    for f in &outcome.fixes {
        let at = if f.path.is_empty() {
            String::new()
        } else {
            format!(" {}:", f.path)
        };
        writeln!(out, "fixed [{}]{at} {}", f.code, f.summary)?;
    }
    let n = outcome.fixes.len();
    writeln!(
        out,
        "wrote {} ({n} fix{}, {} edited element{})",
        path.display(),
        if n == 1 { "" } else { "es" },
        outcome.changes.len(),
        if outcome.changes.len() == 1 { "" } else { "s" }
    )?;
    if outcome.held_back > 0 {
        writeln!(out, "{}", more_unsafe(outcome.held_back))?;
    }
    match &written.backup {
        Some(b) => writeln!(out, "backup of the original: {}", b.display())?,
        None => writeln!(out, "no backup made (--no-backup)")?,
    }
    writeln!(out, "re-checking {}:", path.display())?;
    Ok(())
}

/// `--format json`.
#[derive(Serialize)]
struct JsonFix<'a> {
    version: &'static str,
    path: &'a str,
    changed: bool,
    written: bool,
    backup: Option<String>,
    edits: Vec<JsonEdit<'a>>,
    fixes: &'a [fixer::AppliedFix],
    notes: &'a [String],
    /// Unsafe fixes not applied because --unsafe-fixes was not given.
    held_back: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    remaining: Option<Vec<JsonRemaining<'a>>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    code: &'static str,
    codes: &'a [&'static str],
    path: &'a str,
    old: Option<&'a serde_json::Value>,
    new: Option<&'a serde_json::Value>,
    old_xml: Option<&'a str>,
    new_xml: Option<&'a str>,
    summary: &'a str,
}

#[derive(Serialize)]
struct JsonRemaining<'a> {
    code: &'static str,
    severity: crate::rules::Severity,
    path: &'a str,
    message: &'a str,
    fixable: Option<crate::patch::Applicability>,
}

fn edit(c: &Change) -> JsonEdit<'_> {
    JsonEdit {
        code: c.code,
        codes: &c.codes,
        path: &c.path,
        old: c.old.as_ref().map(|s| &s.value),
        new: c.new.as_ref().map(|s| &s.value),
        old_xml: c.old.as_ref().map(|s| s.xml.as_str()),
        new_xml: c.new.as_ref().map(|s| s.xml.as_str()),
        summary: &c.summary,
    }
}

fn json(
    outcome: &FixOutcome,
    name: &str,
    written: Option<(&Written, &audit::FileReport)>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let doc = JsonFix {
        version: env!("CARGO_PKG_VERSION"),
        path: name,
        changed: outcome.changed(),
        written: written.is_some_and(|(w, _)| w.path.is_some()),
        backup: written.and_then(|(w, _)| w.backup.as_ref().map(|b| b.display().to_string())),
        edits: outcome.changes.iter().map(edit).collect(),
        fixes: &outcome.fixes,
        notes: &outcome.notes,
        held_back: outcome.held_back,
        remaining: written.map(|(_, r)| {
            r.diagnostics
                .iter()
                .map(|d| JsonRemaining {
                    code: d.rule.code,
                    severity: d.severity,
                    path: &d.path,
                    message: &d.message,
                    fixable: d.fix.as_ref().map(|f| f.applicability),
                })
                .collect()
        }),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// The audit options with the target release: `--upgrade-to` wins over
/// `--oc-version`, so the re-check judges the upgraded file by its new release.
fn with_target_release(
    audit: audit::AuditOptions,
    oc_version: Option<String>,
    upgrade_to: &Option<String>,
) -> audit::AuditOptions {
    audit::AuditOptions {
        oc_version: upgrade_to.clone().or(oc_version),
        ..audit
    }
}
