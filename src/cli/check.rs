//! `ocaudit check`: find the files, audit them, render, pick the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CheckArgs, CheckFormat, render};
use crate::audit::{self, AuditOptions, FileReport, Skipped};
use crate::platform::PlatformMatch;
use crate::rules::{CheckOptions, Severity};

/// Where to look when no path is given, in order.
pub const DEFAULT_LOCATIONS: &[&str] = &[
    "config.plist",
    "EFI/OC/config.plist",
    "/Volumes/EFI/EFI/OC/config.plist",
    "/boot/efi/EFI/OC/config.plist",
    "EFI/CLOVER/config.plist",
    "/Volumes/EFI/EFI/CLOVER/config.plist",
    "/boot/efi/EFI/CLOVER/config.plist",
];

/// Deepest folder level searched below a directory argument.
pub const MAX_DEPTH: usize = 16;

/// What a list of path arguments resolves to.
#[derive(Debug, Default)]
pub struct Found {
    /// The files to check, in order.
    pub files: Vec<PathBuf>,
    /// Whether the file came from the default locations (no path given).
    pub defaulted: bool,
    /// Directories that could not be searched (unreadable, too deep) and
    /// directory arguments without any config.
    pub skipped: Vec<Skipped>,
}

/// The files to check: explicit files, every config.plist (and Clover's
/// OcQuirks.plist) below explicit directories, or the first default location
/// that exists. A directory that cannot be searched is reported in
/// `skipped`, never passed over in silence.
pub fn resolve_paths(paths: &[PathBuf]) -> anyhow::Result<Found> {
    if paths.is_empty() {
        for p in DEFAULT_LOCATIONS {
            let p = Path::new(p);
            if p.is_file() {
                return Ok(Found {
                    files: vec![p.to_owned()],
                    defaulted: true,
                    skipped: Vec::new(),
                });
            }
        }
        anyhow::bail!(
            "no config.plist found in ./, ./EFI/OC/ or a mounted EFI partition\n\
             hint: give the path, e.g. `ocaudit check /Volumes/EFI/EFI/OC/config.plist`"
        );
    }
    let mut found = Found::default();
    for p in paths {
        if p.is_dir() {
            let (before, skipped) = (found.files.len(), found.skipped.len());
            walk(p, &mut found, 0);
            if found.files.len() == before && found.skipped.len() == skipped {
                found.skipped.push(Skipped {
                    path: p.display().to_string(),
                    reason: "no config.plist below this directory".into(),
                });
            }
        } else {
            found.files.push(p.clone());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, found: &mut Found, depth: usize) {
    if depth > MAX_DEPTH {
        found.skipped.push(Skipped {
            path: dir.display().to_string(),
            reason: format!(
                "not searched: more than {MAX_DEPTH} folder levels below the directory given; give it as its own argument"
            ),
        });
        return;
    }
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            found.skipped.push(Skipped {
                path: dir.display().to_string(),
                reason: format!("cannot read this directory: {}", io_reason(&e)),
            });
            return;
        }
    };
    let mut entries = Vec::new();
    for entry in rd {
        match entry {
            Ok(e) => entries.push(e.path()),
            Err(e) => found.skipped.push(Skipped {
                path: dir.display().to_string(),
                reason: format!(
                    "cannot list every entry of this directory: {}",
                    io_reason(&e)
                ),
            }),
        }
    }
    entries.sort();
    for p in entries {
        let is_link = p
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        if p.is_dir() && !is_link {
            walk(&p, found, depth + 1);
        } else if p.file_name().is_some_and(|n| {
            n.eq_ignore_ascii_case("config.plist") || n.eq_ignore_ascii_case("OcQuirks.plist")
        }) && p.is_file()
        {
            found.files.push(p);
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// The audit options the shared `check`/`fix` flags ask for.
pub fn rule_options(rules: &super::RuleArgs) -> anyhow::Result<AuditOptions> {
    audit_options(
        rules.platform.as_deref(),
        &rules.select,
        &rules.ignore,
        rules.memmap.as_deref(),
        rules.log.as_deref(),
    )
}

/// Build the audit options shared by `check` and `fix`.
pub fn audit_options(
    platform: Option<&str>,
    select: &[String],
    ignore: &[String],
    memmap: Option<&Path>,
    log: Option<&Path>,
) -> anyhow::Result<AuditOptions> {
    let platform = match platform {
        Some(slug) => Some(PlatformMatch::from_slug(slug).ok_or_else(|| {
            anyhow::anyhow!("unknown platform `{slug}`; `ocaudit platforms` lists the slugs")
        })?),
        None => None,
    };
    // Rule names (`slide-zero`) are accepted as well as codes and prefixes.
    let (select, ignore) = (
        crate::rules::names_to_codes(select),
        crate::rules::names_to_codes(ignore),
    );
    for code in select.iter().chain(&ignore) {
        let known = crate::rules::all()
            .any(|m| crate::rules::matches_any(m.code, std::slice::from_ref(code)));
        if !known {
            anyhow::bail!(
                "`{code}` matches no rule code, code prefix or rule name; `ocaudit rules` lists them"
            );
        }
    }
    let evidence_files = crate::evidence::load(memmap, log)?;
    Ok(AuditOptions {
        check: CheckOptions { select, ignore },
        platform,
        evidence_files,
        evidence: None,
        kind: None,
        efi_dir: None,
        oc_version: None,
    })
}

/// Validate `--oc-version` against the known releases.
pub fn oc_version(flag: Option<&str>) -> anyhow::Result<Option<String>> {
    let Some(v) = flag else { return Ok(None) };
    match crate::schema::release_index(v) {
        Some(i) => Ok(Some(crate::schema::releases()[i].to_owned())),
        None => {
            let all = crate::schema::releases();
            anyhow::bail!(
                "unknown OpenCore release `{v}`; give one of {} to {} (or HEAD), as X.Y.Z",
                all.first().copied().unwrap_or("0.5.0"),
                all.iter()
                    .rev()
                    .find(|r| **r != "HEAD")
                    .copied()
                    .unwrap_or("1.0.7")
            )
        }
    }
}

/// Run `check`.
pub fn run(args: &CheckArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let opts = rule_options(&args.rules)?;
    let opts = AuditOptions {
        kind: args.kind.map(Into::into),
        oc_version: oc_version(args.rules.oc_version.as_deref())?,
        ..opts
    };
    let (jobs, mut skipped) = jobs(args)?;
    for s in &skipped {
        eprintln!("ocaudit: {}: {}", shown(&s.path), s.reason);
    }
    let mut bar = {
        use std::io::IsTerminal;
        let show = wants_progress(std::io::stderr().is_terminal(), jobs.len());
        super::progress::Progress::new(jobs.len(), show)
    };
    let mut reports: Vec<FileReport> = Vec::new();
    for (p, efi_dir) in &jobs {
        bar.set_message(&p.display().to_string());
        // Options are cloned only for files with an EFI folder (evidence
        // from --memmap can be large).
        let with_efi = efi_dir.as_ref().map(|d| AuditOptions {
            efi_dir: Some(d.clone()),
            ..opts.clone()
        });
        match audit::audit_path(p, with_efi.as_ref().unwrap_or(&opts)) {
            Ok(r) => reports.push(r),
            Err(e) => {
                bar.suspend(|| {
                    eprintln!(
                        "ocaudit: {}: {}",
                        shown(&e.path.display().to_string()),
                        e.message
                    )
                });
                skipped.push(Skipped {
                    path: e.path.display().to_string(),
                    reason: e.message,
                });
            }
        }
        bar.inc();
    }
    bar.finish_and_clear();
    let color = args.color.enabled();
    let rendered = match args.format {
        CheckFormat::Human => render::human::report_partial(&reports, skipped.len(), color, out),
        CheckFormat::Json => render::json::report(&reports, &skipped, out),
        CheckFormat::Sarif => render::sarif::report(&reports, &skipped, out),
        CheckFormat::Github => render::github::report(&reports, &skipped, out),
    }
    .and_then(|()| Ok(out.flush()?));
    // A reader that stops early (`| head`) closes the pipe: the exit code
    // still tells what was found, whatever the format or the output size.
    match rendered {
        Err(e) if !super::is_broken_pipe(&e) => return Err(e),
        _ => {}
    }
    if !skipped.is_empty() && args.format == CheckFormat::Human {
        // The summary above counts only the files that were checked.
        let n = skipped.len();
        eprintln!(
            "ocaudit: {n} path{} could not be read or searched (see above); exit code 2",
            if n == 1 { "" } else { "s" },
        );
    }
    let code = exit_code(&reports, !skipped.is_empty());
    // The process ends next: handing every tree node back to the allocator
    // one by one would cost more than some of the rules did (about 0.3 M
    // instructions for an 85 KiB config), for memory the OS takes back at
    // once.
    std::mem::forget(reports);
    Ok(code)
}

/// A path as printed for people: control characters escaped.
fn shown(path: &str) -> String {
    render::escape::human(path).into_owned()
}

/// A file to check, with the OC folder its F rules look in.
type Job = (PathBuf, Option<PathBuf>);

/// The files to check, and the paths that cannot be.
fn jobs(args: &CheckArgs) -> anyhow::Result<(Vec<Job>, Vec<Skipped>)> {
    let Some(dir) = &args.efi else {
        let found = resolve_paths(&args.paths)?;
        if found.defaulted {
            eprintln!("ocaudit: checking {}", found.files[0].display());
        }
        let jobs = found.files.into_iter().map(|p| (p, None)).collect();
        return Ok((jobs, found.skipped));
    };
    let targets = super::efi::resolve(dir)?;
    if args.paths.is_empty() {
        let jobs = targets
            .into_iter()
            .map(|t| (t.config, Some(t.oc_dir)))
            .collect();
        return Ok((jobs, Vec::new()));
    }
    // Explicit configs checked against one EFI folder (e.g. a draft config).
    let [target] = targets.as_slice() else {
        let example = targets.first().map(|t| t.oc_dir.display().to_string());
        anyhow::bail!(
            "--efi {} holds {} OC folders; with PATHs give exactly one (e.g. --efi {})",
            dir.display(),
            targets.len(),
            example.unwrap_or_default()
        );
    };
    let found = resolve_paths(&args.paths)?;
    let jobs = found
        .files
        .into_iter()
        .map(|p| (p, Some(target.oc_dir.clone())))
        .collect();
    Ok((jobs, found.skipped))
}

/// Fewer files than this get no progress bar.
pub const PROGRESS_MIN_FILES: usize = 4;

/// Whether to draw a progress bar: only on a terminal, for several files.
pub fn wants_progress(stderr_is_terminal: bool, files: usize) -> bool {
    stderr_is_terminal && files >= PROGRESS_MIN_FILES
}

/// 2 when anything could not be read, searched or parsed, 1 for a warning
/// or error, else 0.
pub fn exit_code(reports: &[FileReport], read_failed: bool) -> u8 {
    if read_failed || reports.iter().any(|r| r.unparsable) {
        2
    } else if reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity <= Severity::Warning)
    {
        1
    } else {
        0
    }
}
