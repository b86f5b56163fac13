//! One file through the whole pipeline: read, decode, load, model, rules.
//!
//! This is the only place that strings the layers together for `check`;
//! the CLI renders what it returns. It reads the file it is given (with
//! [`crate::load`]) and has the folder around it scanned (with
//! [`crate::folder`]: the runtime driver next to an `EFI/OC` config, the
//! driver folders and OcQuirks.plist or config.plist of an `EFI/CLOVER`
//! folder, and the files the config names in the `--efi` folder); the rules
//! see only what those found.

use std::path::{Path, PathBuf};

use crate::model::ConfigKind;
use crate::platform::PlatformMatch;
use crate::rules::{self, CheckOptions, Context, Diagnostic, Evidence};
use crate::schema;
use crate::source::SourceFile;

mod findings;

pub use crate::folder::oc_dir;
pub use crate::load::{ReadError, Refused, read, read_limited};

/// Settings for auditing a file.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Rule selection.
    pub check: CheckOptions,
    /// `--platform SLUG`, already resolved.
    pub platform: Option<PlatformMatch>,
    /// Parsed `--memmap` / `--log` files, summarised per config.
    pub evidence_files: Option<crate::evidence::EvidenceFiles>,
    /// A ready summary that overrides `evidence_files` (for tests and callers
    /// that computed it already).
    pub evidence: Option<Evidence>,
    /// `--kind`: read every file as this kind instead of detecting it.
    pub kind: Option<ConfigKind>,
    /// The `EFI/OC` folder to check the named files in (`--efi`); the F
    /// rules run only with one.
    pub efi_dir: Option<PathBuf>,
    /// `--oc-version`: the OpenCore release to check against (validated).
    pub oc_version: Option<String>,
}

/// A loaded, modelled file, with the findings OpenCore's reader gives it.
pub type Loaded = crate::load::Loaded<OpenCoreReading>;

/// What OpenCore's own reader (see [`crate::plist::opencore`]) makes of a
/// file, as findings.
#[derive(Debug, Clone)]
pub enum OpenCoreReading {
    /// Not judged: a Clover config (Clover has a reader of its own).
    NotApplicable,
    /// OpenCore reads the file; the X011 warning when stricter readers
    /// refuse it.
    Reads(Option<Box<Diagnostic>>),
    /// OpenCore refuses the file: the X010 error.
    Refuses(Box<Diagnostic>),
}

impl OpenCoreReading {
    /// `Some(true)` when OpenCore reads the file, `Some(false)` when it
    /// refuses it, `None` when not judged.
    pub fn reads(&self) -> Option<bool> {
        match self {
            OpenCoreReading::NotApplicable => None,
            OpenCoreReading::Reads(_) => Some(true),
            OpenCoreReading::Refuses(_) => Some(false),
        }
    }
}

/// The result of auditing one file.
#[derive(Debug)]
pub struct FileReport {
    /// The path as given.
    pub path: String,
    /// The loaded file (absent when it could not be decoded or parsed).
    pub loaded: Option<Loaded>,
    /// The decoded text of a file that did not load (a loaded file's text
    /// is in `loaded`; see [`FileReport::source`]).
    pub unloaded_source: Option<SourceFile>,
    /// The platform used.
    pub platform: Option<PlatformMatch>,
    /// The findings, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// True when the file could not be parsed (X001/X002 fatal): exit code 2.
    /// A file only OpenCore's reader refuses (X010) is a finding, not this.
    pub unparsable: bool,
    /// Whether OpenCore's own reader reads the file (`None`: not judged,
    /// a Clover config or a file that is no config at all).
    pub opencore_reads: Option<bool>,
    /// The OpenCore release checked against (OpenCore configs only).
    pub oc_version: Option<schema::Resolved>,
}

impl FileReport {
    /// The file's text, when it could be decoded (for rendering frames).
    pub fn source(&self) -> Option<&SourceFile> {
        self.loaded
            .as_ref()
            .map(|l| &l.source)
            .or(self.unloaded_source.as_ref())
    }

    /// The kind of file (`opencore`, ...), when it loaded.
    pub fn kind(&self) -> Option<ConfigKind> {
        self.loaded.as_ref().map(|l| l.config.kind)
    }
}

/// A path given or found that was not checked, and why (reported beside
/// the findings, so a run never looks complete when it was not).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The path as given or found.
    pub path: String,
    /// Why it was not checked.
    pub reason: String,
}

/// Why a file could not be loaded: the fatal diagnostic, and the text when
/// it could at least be decoded.
#[derive(Debug)]
pub struct LoadFailure {
    /// The decoded text, if decoding succeeded.
    pub source: Option<SourceFile>,
    /// X001, X002, or X010 (OpenCore refuses a file ocaudit cannot read
    /// either).
    pub diagnostic: Diagnostic,
}

/// Decode, parse and model `raw`; `Err` holds the fatal diagnostic.
pub fn load(name: &str, raw: Vec<u8>) -> Result<Loaded, Box<LoadFailure>> {
    load_as(name, raw, None)
}

/// Like [`load`], reading the file as `kind` (detected from the root keys
/// when `None`; a file of no known kind is a fatal X001). The loading is
/// [`crate::load::load_as`]'s; this turns what it found into findings.
pub fn load_as(
    name: &str,
    raw: Vec<u8>,
    kind: Option<ConfigKind>,
) -> Result<Loaded, Box<LoadFailure>> {
    match crate::load::load_as(name, raw, kind) {
        Ok(loaded) => Ok(loaded.judged(findings::reading)),
        Err(u) => Err(Box::new(findings::failure(*u))),
    }
}

/// Audit the bytes of one file.
pub fn audit_bytes(name: &str, raw: Vec<u8>, opts: &AuditOptions) -> FileReport {
    let loaded = match load_as(name, raw, opts.kind) {
        Ok(l) => l,
        Err(failure) => {
            let LoadFailure {
                source,
                diagnostic: diag,
            } = *failure;
            let keep = opts.check.enabled(diag.rule.code);
            let opencore = diag.rule.code == "X010";
            return FileReport {
                path: name.to_owned(),
                loaded: None,
                unloaded_source: source,
                platform: None,
                diagnostics: if keep { vec![diag] } else { Vec::new() },
                unparsable: !opencore,
                opencore_reads: opencore.then_some(false),
                oc_version: None,
            };
        }
    };
    let opencore_reads = loaded.opencore.reads();
    let platform = platform_for(&loaded, opts);
    let clover = crate::folder::clover::scan(Path::new(name), loaded.config.kind);
    let resolved = resolve_version(&loaded, opts);
    let mut diagnostics = run_rules_with(
        &loaded,
        platform.as_ref(),
        opts,
        oc_dir(Path::new(name)),
        clover.as_ref(),
        resolved.as_ref(),
    );
    match &loaded.opencore {
        OpenCoreReading::Reads(Some(d)) if opts.check.enabled(d.rule.code) => {
            let at = diagnostics.partition_point(|x| x.span.start <= d.span.start);
            diagnostics.insert(at, (**d).clone());
        }
        OpenCoreReading::Refuses(d) => {
            // OpenCore never gets to the settings: X010 is the finding.
            // Kept beside it: the findings at the byte OpenCore trips on,
            // which name the cause and may repair it (S009 for markup in
            // boot-args).
            let trip = d.span.start;
            diagnostics.retain(|x| x.span.start <= trip && trip <= x.span.end);
            if opts.check.enabled(d.rule.code) {
                diagnostics.insert(0, (**d).clone());
            }
        }
        _ => {}
    }
    FileReport {
        path: name.to_owned(),
        unloaded_source: None,
        loaded: Some(loaded),
        platform,
        diagnostics,
        unparsable: false,
        opencore_reads,
        oc_version: resolved,
    }
}

/// The OpenCore release an OpenCore config is checked against: the flag,
/// else the log's version, else the newest release it matches.
pub fn resolve_version(loaded: &Loaded, opts: &AuditOptions) -> Option<schema::Resolved> {
    if loaded.config.kind != ConfigKind::OpenCore || loaded.doc.root.as_dict().is_none() {
        return None;
    }
    let log = opts
        .evidence
        .as_ref()
        .and_then(|e| e.log_version.as_deref())
        .or_else(|| {
            let (_, log) = opts.evidence_files.as_ref()?.log.as_ref()?;
            log.version.as_deref()
        });
    Some(schema::resolve(
        &loaded.doc.root,
        opts.oc_version.as_deref(),
        log,
    ))
}

/// The platform to judge a config against: the one given (`--platform`),
/// else the one inferred from the whole config and the `--log`, if any (see
/// [`crate::platform::infer`]).
pub fn platform_for(loaded: &Loaded, opts: &AuditOptions) -> Option<PlatformMatch> {
    let log = opts
        .evidence_files
        .as_ref()
        .and_then(|f| f.log.as_ref())
        .map(|(_, l)| l);
    platform_of(loaded, opts.platform.as_ref(), log)
}

/// [`platform_for`] with its inputs spelled out.
pub fn platform_of(
    loaded: &Loaded,
    given: Option<&PlatformMatch>,
    log: Option<&crate::memmap::oclog::OcLog>,
) -> Option<PlatformMatch> {
    given.cloned().or_else(|| {
        crate::platform::infer::infer(&loaded.doc.root, loaded.config.product_name.as_deref(), log)
    })
}

/// Run the rules over a loaded file (without its `EFI/CLOVER` surroundings).
pub fn run_rules(
    loaded: &Loaded,
    platform: Option<&PlatformMatch>,
    opts: &AuditOptions,
    oc_dir: Option<PathBuf>,
) -> Vec<Diagnostic> {
    let resolved = resolve_version(loaded, opts);
    run_rules_with(loaded, platform, opts, oc_dir, None, resolved.as_ref())
}

/// Run the rules with the file's `EFI/CLOVER` surroundings (see
/// [`crate::folder::clover::scan`]) and the target OpenCore release
/// resolved. An OpenCore config's `EFI/OC` folder (`--efi`, else `oc_dir`)
/// is scanned here (see [`crate::folder::oc::scan`]).
pub fn run_rules_with(
    loaded: &Loaded,
    platform: Option<&PlatformMatch>,
    opts: &AuditOptions,
    oc_dir: Option<PathBuf>,
    clover: Option<&crate::folder::clover::CloverEnv>,
    resolved: Option<&schema::Resolved>,
) -> Vec<Diagnostic> {
    let evidence = evidence_for(loaded, platform, opts);
    let oc_dir = opts.efi_dir.clone().or(oc_dir);
    let oc_folder = oc_dir
        .as_deref()
        .filter(|_| loaded.config.kind == ConfigKind::OpenCore)
        .map(|dir| {
            let named = opts.efi_dir.is_some().then_some(&loaded.doc);
            crate::folder::oc::scan(dir, named)
        });
    let mut cx = Context::new(&loaded.source, &loaded.doc, &loaded.config, &opts.check);
    cx.oc_version = resolved;
    cx.platform = platform;
    cx.evidence = evidence.as_ref();
    cx.oc_dir = oc_dir;
    cx.efi_dir = opts.efi_dir.clone();
    cx.clover = clover;
    cx.oc_folder = oc_folder.as_ref();
    rules::run_all(&mut cx)
}

/// Audit one path.
pub fn audit_path(path: &Path, opts: &AuditOptions) -> Result<FileReport, ReadError> {
    let raw = read(path)?;
    Ok(audit_bytes(&path.display().to_string(), raw, opts))
}

/// The evidence summary for one loaded config.
pub fn evidence_for(
    loaded: &Loaded,
    platform: Option<&PlatformMatch>,
    opts: &AuditOptions,
) -> Option<Evidence> {
    opts.evidence.clone().or_else(|| {
        opts.evidence_files
            .as_ref()
            .map(|f| crate::evidence::summarise(f, &loaded.config, platform))
    })
}
