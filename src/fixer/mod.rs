//! The fix engine: turn a file's text into its fixed text, pass by pass,
//! and say exactly which elements changed. No I/O: the CLI reads and writes.
//!
//! Each pass loads the current text, runs the selected rules, collects the
//! eligible fixes (safe ones, unsafe ones too with `unsafe_fixes`) and
//! splices them in with [`crate::patch::apply`]. Fixes skipped because they
//! overlap another are tried again on the next pass's text. Requested edits
//! (`--slide`, `--mmio-whitelist`) run first, one step each. The engine
//! refuses input that does not parse (X001/X002).

mod changes;
mod extra;
mod reading;
mod verify;

pub use changes::{Change, Snapshot, join, to_json};
pub use extra::{MmioRequest, SlideRequest, middle_of_longest_run};

use std::path::PathBuf;

use crate::audit::{self, AuditOptions, Loaded};
use crate::model::APPLE_BOOT_GUID;
use crate::patch::{self, Applicability, Edit, Fix, Style};
use crate::platform::PlatformMatch;
use crate::source::SourceFile;
use changes::{PassMap, placed};

/// The most passes of rule fixes before the engine stops.
pub const MAX_PASSES: usize = 8;

/// What to fix.
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Rule selection, platform and evidence (as for `check`).
    pub audit: AuditOptions,
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// `--slide`.
    pub slide: Option<SlideRequest>,
    /// `--mmio-whitelist`.
    pub mmio: Option<MmioRequest>,
    /// The `EFI/OC` folder of the config, for rules that look at the disk.
    pub oc_dir: Option<PathBuf>,
    /// `--upgrade-to`: migrate the config to this OpenCore release first.
    pub upgrade_to: Option<String>,
}

/// Why the engine would not fix a file. Nothing should be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixError {
    /// The input does not parse (X001/X002).
    Unparsable(String),
    /// A requested edit cannot be made safely.
    Refused(String),
    /// The engine produced something it cannot vouch for (a bug).
    Internal(String),
}

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixError::Unparsable(m) => write!(
                f,
                "{m}; fix refuses to edit a file it cannot parse (repair the XML by hand or restore a backup, then run `ocaudit check`)"
            ),
            FixError::Refused(m) => f.write_str(m),
            FixError::Internal(m) => write!(
                f,
                "internal error: {m}; nothing was changed. Please report it with the file that caused it"
            ),
        }
    }
}

impl std::error::Error for FixError {}

/// One fix that was applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedFix {
    /// Rule code, or `--slide` / `--mmio-whitelist`.
    pub code: &'static str,
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// What it does.
    pub summary: String,
    /// The key path of the finding it repairs.
    pub path: String,
}

/// The result of fixing one file.
#[derive(Debug, Clone)]
pub struct FixOutcome {
    /// The original file.
    pub source: SourceFile,
    /// The fixed text.
    pub text: String,
    /// Every edited element, in the order the edits were made.
    pub changes: Vec<Change>,
    /// Every fix applied.
    pub fixes: Vec<AppliedFix>,
    /// Warnings and remarks for the user (slide not checked, passes exhausted...).
    pub notes: Vec<String>,
    /// Passes that changed the text.
    pub passes: usize,
    /// Unsafe fixes the rules still offer on the fixed text, held back
    /// because `unsafe_fixes` was off (always 0 with it on).
    pub held_back: usize,
    /// Why the file is written in another encoding than it was read in
    /// (OpenCore reads only UTF-8 without a byte-order mark), if it is.
    pub converted: Option<String>,
    /// The output must be readable by OpenCore's own reader (an OpenCore
    /// config or OcQuirks.plist); `verify` checks it.
    pub opencore: bool,
    expected: Vec<(Vec<String>, Option<serde_json::Value>)>,
}

impl FixOutcome {
    /// Whether the text changed, or its encoding must (see `converted`).
    pub fn changed(&self) -> bool {
        self.text != self.source.text || self.converted.is_some()
    }

    /// The fixed text encoded like the original (BOM, UTF-16 kept), except
    /// for a file OpenCore reads: that is always plain UTF-8.
    pub fn new_bytes(&self) -> Vec<u8> {
        if self.converted.is_some() {
            return self.text.as_bytes().to_vec();
        }
        self.source.encode(&self.text)
    }

    /// The rule codes of the changes whose element overlaps `final_range`
    /// (a byte range of the fixed text; touching counts), in file order.
    pub fn codes_in(&self, final_range: &crate::source::Span) -> Vec<&'static str> {
        let mut hits: Vec<&Change> = self
            .changes
            .iter()
            .filter(|c| {
                c.final_span.start <= final_range.end && final_range.start <= c.final_span.end
            })
            .collect();
        hits.sort_by_key(|c| c.final_span.start);
        let mut out: Vec<&'static str> = Vec::new();
        for code in hits.iter().flat_map(|c| &c.codes) {
            if !out.contains(code) {
                out.push(code);
            }
        }
        out
    }
}

/// Pass-by-pass state.
struct Run<'o> {
    name: String,
    loaded: Loaded,
    style: Style,
    opts: &'o FixOptions,
    platform: Option<PlatformMatch>,
    changes: Vec<(usize, Change)>,
    fixes: Vec<AppliedFix>,
    maps: Vec<PassMap>,
    notes: Vec<String>,
    /// Digests of every text so far, to catch fixes that undo each other.
    seen: Vec<u64>,
}

/// A digest of a text (to notice a text coming back).
fn digest(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// A fix with the code and finding path it comes from.
type Tagged = (&'static str, String, Fix);

/// Fix the file `name` whose bytes are `raw`.
pub fn fix(name: &str, raw: Vec<u8>, opts: &FixOptions) -> Result<FixOutcome, FixError> {
    let loaded = match audit::load_as(name, raw, opts.audit.kind) {
        Ok(l) => l,
        Err(f) => return reading::after_refusal(name, *f, opts),
    };
    let (reading_fix, converted) = reading::before_fixing(&loaded)?;
    let opencore = loaded.opencore.reads().is_some();
    let refused = reading::refusal(&loaded);
    if let Some(i) = loaded.doc.issues.iter().find(|i| i.code == "X001") {
        let (line, col) = loaded.source.line_col(i.span.start);
        return Err(FixError::Unparsable(format!(
            "X001 at {line}:{col}: {}",
            i.message
        )));
    }
    let source = loaded.source.clone();
    let platform = audit::platform_for(&loaded, &opts.audit);
    let mut run = Run {
        name: name.to_owned(),
        style: Style::of(&source),
        loaded,
        opts,
        platform,
        changes: Vec::new(),
        fixes: Vec::new(),
        maps: Vec::new(),
        notes: Vec::new(),
        seen: vec![digest(&source.text)],
    };
    run.step_one("X010", reading_fix)?;
    let pinned = run.requested()?;
    // The release the rule passes check against, decided once, from the
    // text the requested edits left (they can add keys that tell releases
    // apart); after an upgrade, the new release.
    let target = match &opts.upgrade_to {
        Some(release) => {
            let mut audit_opts = opts.audit.clone();
            audit_opts.oc_version = Some(release.clone());
            audit::resolve_version(&run.loaded, &audit_opts)
        }
        None => audit::resolve_version(&run.loaded, &opts.audit),
    };
    let mut passes = 0;
    let mut exhausted = true;
    for _ in 0..MAX_PASSES {
        let eligible = run.eligible(pinned, target.as_ref());
        if eligible.is_empty() || !run.step(eligible)? {
            exhausted = false;
            break;
        }
        passes += 1;
    }
    if exhausted && !run.eligible(pinned, target.as_ref()).is_empty() {
        run.notes.push(format!(
            "stopped after {MAX_PASSES} passes with fixes still pending; run fix again"
        ));
    }
    let held_back = if opts.unsafe_fixes {
        0
    } else {
        run.held_back(target.as_ref())
    };
    if let Some(c) = &converted {
        run.notes.push(c.clone());
    }
    let mut outcome = run.finish(source, passes, held_back);
    outcome.converted = converted;
    outcome.opencore = opencore;
    if let Some(e) = refused
        && crate::plist::opencore::read(outcome.text.as_bytes()).is_err()
    {
        return Err(e);
    }
    Ok(outcome)
}

impl Run<'_> {
    /// The evidence summary for the file as loaded now (a given summary, or
    /// one computed from the `--memmap` / `--log` files).
    fn evidence(&self) -> Option<crate::rules::Evidence> {
        audit::evidence_for(&self.loaded, self.platform.as_ref(), &self.opts.audit)
    }

    /// The requested edits, one step each. Returns whether boot-args' slide
    /// is now pinned by the user (so the S00x fixes must leave it alone).
    fn requested(&mut self) -> Result<bool, FixError> {
        let mut pinned = false;
        if let Some(req) = self.opts.slide {
            let n = match req {
                SlideRequest::Remove => {
                    let f = extra::remove_slide(&self.loaded)?;
                    self.step_one("--slide", f)?;
                    None
                }
                SlideRequest::Set(n) => Some(self.check_slide(n)?),
                SlideRequest::Auto => self.auto_slide()?,
            };
            if let Some(n) = n {
                let f = extra::set_slide(&self.loaded, n, &self.style)?;
                self.step_one("--slide", f)?;
                let f = extra::delete_boot_args(&self.loaded, &self.style)?;
                self.step_one("--slide", f)?;
                pinned = true;
            }
        }
        if let Some(target) = self.opts.upgrade_to.clone() {
            // Upgrade fixes may overlap (a moved key and its new dict): apply
            // them in passes until none is left.
            for _ in 0..MAX_PASSES {
                let fixes: Vec<Tagged> = crate::schema::upgrade_fixes(&self.loaded, &target)
                    .into_iter()
                    .filter(|f| !f.edits.is_empty())
                    .map(|f| ("--upgrade-to", format!("upgrade to {target}"), f))
                    .collect();
                if fixes.is_empty() || !self.step(fixes)? {
                    break;
                }
            }
            // The runtime driver's name changed in 0.5.7; an upgrade across
            // it renames the entry (the user replaces the files anyway).
            let f = crate::rules::runtime_driver_rename(&self.loaded, &target);
            self.step_one("--upgrade-to", f)?;
        }
        if let Some(req) = &self.opts.mmio {
            let ev = self.evidence();
            let f = extra::mmio(&self.loaded, req, ev.as_ref(), &self.style)?;
            if f.is_none() {
                self.notes
                    .push("--mmio-whitelist: every address is already listed".into());
            }
            self.step_one("--mmio-whitelist", f)?;
        }
        Ok(pinned)
    }

    /// Validate `--slide N` against the evidence.
    fn check_slide(&mut self, n: u8) -> Result<u8, FixError> {
        if n == 0 {
            self.notes
                .push("slide=0 switches kernel address randomisation off".into());
        }
        let ev = self.evidence();
        let ev = ev.as_ref();
        match ev.and_then(|e| Some((e, e.valid_slides.as_ref()?))) {
            Some((e, valid)) if !valid.contains(&n) => {
                let msg = format!(
                    "slide {n} is not usable according to {} ({} usable slides)",
                    e.source,
                    valid.len()
                );
                if !self.opts.unsafe_fixes {
                    return Err(FixError::Refused(format!(
                        "{msg}; pick a usable slide, or pass --unsafe-fixes to set it anyway"
                    )));
                }
                self.notes.push(format!("warning: {msg}"));
            }
            Some(_) => {}
            None => self.notes.push(match ev {
                Some(e) => format!(
                    "{} does not list the usable slides, so slide {n} was not checked",
                    e.source
                ),
                None => format!(
                    "slide {n} was not checked against a memory map; give --memmap or --log to check it"
                ),
            }),
        }
        Ok(n)
    }

    /// The slide `--slide auto` sets, if any.
    fn auto_slide(&mut self) -> Result<Option<u8>, FixError> {
        let ev = self.evidence();
        let Some(ev) = ev.as_ref() else {
            return Err(FixError::Refused(
                "--slide auto needs --memmap or --log to know which slides are usable".into(),
            ));
        };
        let q = &self.loaded.config.quirks.provide_custom_slide;
        let usable = match q.present() {
            Some(true) => true,
            Some(false) => self.opts.audit.check.enabled("B003"),
            None => !q.mistyped() && q.value,
        };
        match extra::auto_slide(ev, usable) {
            Ok(n) => Ok(Some(n)),
            Err(note) => {
                self.notes.push(note);
                Ok(None)
            }
        }
    }

    fn step_one(&mut self, code: &'static str, fix: Option<Fix>) -> Result<(), FixError> {
        if let Some(f) = fix {
            self.step(vec![(code, code.to_owned(), f)])?;
        }
        Ok(())
    }

    /// The fixes the rules offer on the current text that may be applied,
    /// checked against `target`, the release decided once for the run
    /// (fixes must not move the target they are fixing towards).
    fn eligible(&self, pinned: bool, target: Option<&crate::schema::Resolved>) -> Vec<Tagged> {
        let diags = self.diagnostics(target);
        let boot_args = format!("NVRAM/Add/{APPLE_BOOT_GUID}/boot-args");
        diags
            .into_iter()
            .filter_map(|d| {
                let f = d.fix?;
                let allowed = f.applicability == Applicability::Safe || self.opts.unsafe_fixes;
                let slide_rule = matches!(d.rule.code, "S001" | "S002" | "S003" | "S004");
                let keep = allowed && !(pinned && slide_rule && d.path == boot_args);
                (keep && !f.edits.is_empty()).then_some((d.rule.code, d.path, f))
            })
            .collect()
    }

    /// The selected rules' findings on the current text, against `target`.
    fn diagnostics(
        &self,
        target: Option<&crate::schema::Resolved>,
    ) -> Vec<crate::rules::Diagnostic> {
        audit::run_rules_with(
            &self.loaded,
            self.platform.as_ref(),
            &self.opts.audit,
            self.opts.oc_dir.clone(),
            None,
            target,
        )
    }

    /// How many unsafe fixes the rules offer on the current text.
    fn held_back(&self, target: Option<&crate::schema::Resolved>) -> usize {
        self.diagnostics(target)
            .into_iter()
            .filter_map(|d| d.fix)
            .filter(|f| f.applicability == Applicability::Unsafe && !f.edits.is_empty())
            .count()
    }

    /// Apply one pass; false when nothing changed.
    fn step(&mut self, fixes: Vec<Tagged>) -> Result<bool, FixError> {
        let text = &self.loaded.source.text;
        let refs: Vec<&Fix> = fixes.iter().map(|t| &t.2).collect();
        let applied = patch::apply(text, &refs);
        if applied.text == *text {
            return Ok(false);
        }
        // Fixes that undo each other would cycle: stop before repeating a text.
        let digest = digest(&applied.text);
        if self.seen.contains(&digest) {
            let mut codes: Vec<&str> = applied.applied.iter().map(|&i| fixes[i].0).collect();
            codes.dedup();
            self.notes.push(format!(
                "the fixes of {} undo earlier fixes; stopped instead of going round in circles (please report it)",
                codes.join(", ")
            ));
            return Ok(false);
        }
        self.seen.push(digest);
        // Read every pass as the kind of file the input was: an edit can
        // tip the detection of a flat OcQuirks.plist.
        let kind = Some(self.loaded.config.kind);
        let bytes = applied.text.clone().into_bytes();
        let next = audit::load_as(&self.name, bytes, kind).map_err(|f| {
            FixError::Internal(format!(
                "the edits produced text that does not parse ({})",
                f.diagnostic.message
            ))
        })?;
        if next.opencore.reads() == Some(false) && self.loaded.opencore.reads() == Some(true) {
            return Err(FixError::Internal(
                "the edits produced a file OpenCore's reader refuses".into(),
            ));
        }
        if next.doc.issues.len() > self.loaded.doc.issues.len() {
            return Err(FixError::Internal(
                "the edits produced a structural problem the input did not have".into(),
            ));
        }
        // Distinct edit sets, each with every code that proposed it.
        let mut groups: Vec<(&Vec<Edit>, Vec<&'static str>, &str)> = Vec::new();
        for &i in &applied.applied {
            let (code, path, f) = &fixes[i];
            self.fixes.push(AppliedFix {
                code,
                applicability: f.applicability,
                summary: f.summary.clone(),
                path: path.clone(),
            });
            match groups.iter_mut().find(|g| *g.0 == f.edits) {
                Some(g) => {
                    if !g.1.contains(code) {
                        g.1.push(code);
                    }
                }
                None => groups.push((&f.edits, vec![code], &f.summary)),
            }
        }
        let mut taken: Vec<&Edit> = groups.iter().flat_map(|g| g.0.iter()).collect();
        taken.sort_by_key(|e| (e.range.start, e.range.end));
        let map = PassMap::new(&taken);
        let pass = self.maps.len();
        let old_ranges: Vec<_> = map.pairs.iter().map(|p| p.0.clone()).collect();
        let new_ranges: Vec<_> = map.pairs.iter().map(|p| p.1.clone()).collect();
        let old_nodes = placed(&self.loaded.doc.root, &old_ranges);
        let new_nodes = placed(&next.doc.root, &new_ranges);
        let mut found: Vec<(usize, Change)> = Vec::new();
        for (edits, codes, summary) in &groups {
            for e in edits.iter() {
                let Some((_, new_range)) = map.pairs.iter().find(|(r, _)| *r == e.range) else {
                    continue;
                };
                for (comps, old, new, osp, fsp) in changes::changes_of_edit(
                    (text, &old_nodes),
                    (&next.source.text, &new_nodes),
                    &e.range,
                    new_range,
                ) {
                    let original_span = self
                        .maps
                        .iter()
                        .rev()
                        .fold(osp, |s, m| m.map_range(&s, false));
                    if let Some((_, c)) = found.iter_mut().find(|(_, c)| {
                        c.components == comps
                            && c.old == old
                            && c.new == new
                            && c.original_span == original_span
                    }) {
                        for code in codes {
                            if !c.codes.contains(code) {
                                c.codes.push(code);
                            }
                        }
                        continue;
                    }
                    found.push((
                        pass,
                        Change {
                            code: codes[0],
                            codes: codes.clone(),
                            summary: summary.to_string(),
                            path: changes::join(&comps),
                            components: comps,
                            old,
                            new,
                            original_span,
                            final_span: fsp,
                        },
                    ));
                }
            }
        }
        self.changes.extend(found);
        self.maps.push(map);
        self.loaded = next;
        Ok(true)
    }

    fn finish(self, source: SourceFile, passes: usize, held_back: usize) -> FixOutcome {
        let maps = self.maps;
        let changes: Vec<Change> = self
            .changes
            .into_iter()
            .map(|(pass, mut c)| {
                for m in &maps[pass + 1..] {
                    c.final_span = m.map_range(&c.final_span, true);
                }
                c
            })
            .collect();
        let root = &self.loaded.doc.root;
        let mut expected: Vec<(Vec<String>, Option<serde_json::Value>)> = Vec::new();
        for c in &changes {
            if !expected.iter().any(|(p, _)| *p == c.components) {
                let v = verify::lookup(root, &c.components).map(to_json);
                expected.push((c.components.clone(), v));
            }
        }
        FixOutcome {
            text: self.loaded.source.text,
            source,
            changes,
            fixes: self.fixes,
            notes: self.notes,
            passes,
            held_back,
            converted: None,
            opencore: false,
            expected,
        }
    }
}

#[cfg(test)]
mod tests;
