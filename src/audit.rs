//! One file through the whole pipeline: read, decode, load, model, rules.
//!
//! This is the only place that strings the layers together for `check`;
//! the CLI renders what it returns. It reads the file it is given and
//! nothing else (except the existence check of OpenRuntime.efi next to an
//! `EFI/OC` config, the driver folders and OcQuirks.plist or config.plist
//! of an `EFI/CLOVER` folder, and the files the config names in the
//! `--efi` folder).

use std::path::{Path, PathBuf};

use crate::model::{Config, ConfigKind};
use crate::platform::PlatformMatch;
use crate::plist::{self, Document};
use crate::rules::{self, CheckOptions, Context, Diagnostic, Evidence};
use crate::schema;
use crate::source::{DecodeError, SourceFile};

#[path = "audit/reading.rs"]
mod reading;

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

/// A loaded, modelled file.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The text and its encoding.
    pub source: SourceFile,
    /// The span tree.
    pub doc: Document,
    /// The typed model.
    pub config: Config,
    /// What OpenCore's own reader makes of the file.
    pub opencore: OpenCoreReading,
}

/// What OpenCore's own reader (see [`plist::opencore`]) makes of a file.
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

/// Why a path could not be read at all (not a finding: the CLI exits 2).
#[derive(Debug)]
pub struct ReadError {
    /// The path.
    pub path: PathBuf,
    /// What went wrong, with advice.
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ReadError {}

/// Read a config's bytes with clear errors for the usual mistakes.
pub fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_limited(
        path,
        crate::source::MAX_FILE_SIZE as u64,
        "give the config.plist inside it",
    )
    .map_err(|e| match e.size {
        Some(n) => ReadError {
            path: e.path,
            message: DecodeError::TooLarge(n as usize).to_string(),
        },
        None => e.into(),
    })
}

/// A file ocaudit was asked to read that it refused or could not read.
#[derive(Debug)]
pub struct Refused {
    /// The path.
    pub path: PathBuf,
    /// What went wrong, with advice.
    pub message: String,
    /// The file's size, when it was refused for being over the limit.
    pub size: Option<u64>,
}

impl From<Refused> for ReadError {
    fn from(r: Refused) -> ReadError {
        ReadError {
            path: r.path,
            message: r.message,
        }
    }
}

/// Read a whole input file (a config, a memmap, a log), refusing anything
/// but a regular file (a FIFO would block, `/dev/zero` never ends) and
/// anything over `max` bytes, before reading it. The size is checked again
/// on the open file and the read stops after `max` bytes, so a file that
/// grows or is swapped meanwhile cannot make it read more. `in_dir` is the
/// advice for a directory.
pub fn read_limited(path: &Path, max: u64, in_dir: &str) -> Result<Vec<u8>, Refused> {
    use std::io::Read;
    let err = |message: String, size: Option<u64>| Refused {
        path: path.to_owned(),
        message,
        size,
    };
    let check = |meta: &std::fs::Metadata| {
        if meta.is_dir() {
            return Err(err(format!("is a directory; {in_dir}"), None));
        }
        if !meta.is_file() {
            return Err(err(
                "is not a regular file (a device, FIFO or socket); save its content to a file and give that".into(),
                None,
            ));
        }
        if meta.len() > max {
            return Err(err(
                format!("is {} bytes, over the {max}-byte limit", meta.len()),
                Some(meta.len()),
            ));
        }
        Ok(())
    };
    check(&std::fs::metadata(path).map_err(|e| err(io_message(&e), None))?)?;
    let file = std::fs::File::open(path).map_err(|e| err(io_message(&e), None))?;
    let meta = file.metadata().map_err(|e| err(io_message(&e), None))?;
    check(&meta)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(io_message(&e), None))?;
    if bytes.len() as u64 > max {
        return Err(err(
            format!("grew past the {max}-byte limit while it was read"),
            Some(bytes.len() as u64),
        ));
    }
    Ok(bytes)
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => {
            "permission denied (is the EFI partition mounted readable?)".into()
        }
        _ => e.to_string(),
    }
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
/// when `None`; a file of no known kind is a fatal X001).
pub fn load_as(
    name: &str,
    raw: Vec<u8>,
    kind: Option<ConfigKind>,
) -> Result<Loaded, Box<LoadFailure>> {
    let (source, lossy_raw) = match SourceFile::try_new(name, raw) {
        Ok(s) => (s, None),
        Err((e, raw)) => {
            // OpenCore reads files that are not UTF-8 or hold a NUL byte:
            // read those as bytes when they look like a plist.
            let lossy = matches!(
                e,
                DecodeError::NulByte(_) | DecodeError::InvalidEncoding { .. }
            )
            .then(|| SourceFile::new_lossy(name, &raw))
            .flatten()
            .filter(|s| reading::looks_like_plist(&s.text));
            match lossy {
                Some(s) => (s, Some(raw)),
                None => {
                    return Err(Box::new(LoadFailure {
                        source: None,
                        diagnostic: decode_diagnostic(&e),
                    }));
                }
            }
        }
    };
    let strict = plist::load(&source.text);
    // OpenCore's reader is replayed only where the strict reading cannot
    // vouch for it (see `reading::surely_read`): most files skip it.
    let oc = (!reading::surely_read(&source, &strict)).then(|| {
        let raw = match (&lossy_raw, source.encoding) {
            (Some(raw), _) => std::borrow::Cow::Borrowed(raw.as_slice()),
            (None, crate::source::Encoding::Utf8) => {
                std::borrow::Cow::Borrowed(source.text.as_bytes())
            }
            // The file's own bytes, encoded back.
            (None, _) => std::borrow::Cow::Owned(source.encode(&source.text)),
        };
        plist::opencore::read(&raw).map(|tree| {
            let items = plist::opencore::judge_tree(&raw, &tree);
            (tree, items)
        })
    });
    reading::judge(source, strict, oc, kind)
}

fn decode_diagnostic(e: &DecodeError) -> Diagnostic {
    match e {
        DecodeError::BinaryPlist => fatal(
            rules::x002(),
            0..0,
            "this is a binary property list; OpenCore reads only XML".into(),
            Some("convert it: `plutil -convert xml1 config.plist` on macOS, or open and save it as XML in ProperTree".into()),
        ),
        other => fatal(rules::x001(), 0..0, format!("cannot read the file as text: {other}"), Some("save the file as UTF-8 XML".into())),
    }
}

fn fatal(
    rule: &'static rules::RuleMeta,
    span: crate::source::Span,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    rules::reported_outside(rule, span, message, help)
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
    let clover = crate::clover_dir::scan(Path::new(name), loaded.config.kind);
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
/// [`crate::clover_dir::scan`]) and the target OpenCore release resolved.
pub fn run_rules_with(
    loaded: &Loaded,
    platform: Option<&PlatformMatch>,
    opts: &AuditOptions,
    oc_dir: Option<PathBuf>,
    clover: Option<&crate::clover_dir::CloverEnv>,
    resolved: Option<&schema::Resolved>,
) -> Vec<Diagnostic> {
    let evidence = evidence_for(loaded, platform, opts);
    let mut cx = Context::new(&loaded.source, &loaded.doc, &loaded.config, &opts.check);
    cx.oc_version = resolved;
    cx.platform = platform;
    cx.evidence = evidence.as_ref();
    cx.oc_dir = opts.efi_dir.clone().or(oc_dir);
    cx.efi_dir = opts.efi_dir.clone();
    cx.clover = clover;
    rules::run_all(&mut cx)
}

/// The `EFI/OC` folder a config path sits in, if it does.
pub fn oc_dir(config: &Path) -> Option<PathBuf> {
    let dir = config.parent()?;
    let name = dir.file_name()?.to_str()?;
    name.eq_ignore_ascii_case("OC").then(|| dir.to_owned())
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
