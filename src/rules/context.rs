//! What a check sees: the file, its tree and model, the platform, evidence
//! and options; and the helpers checks use to report and build fixes.

use std::cell::OnceCell;
use std::path::PathBuf;
use std::rc::Rc;

use super::{Diagnostic, RuleMeta};
use crate::model::{Config, Field, Located};
use crate::patch::{self, Edit, NewValue, Place, Style};
use crate::platform::PlatformMatch;
use crate::plist::Document;
use crate::source::SourceFile;

/// Options that shape a check run.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Only codes matching one of these prefixes (empty: all).
    pub select: Vec<String>,
    /// Never these code prefixes.
    pub ignore: Vec<String>,
}

impl CheckOptions {
    /// Whether the rule with `code` runs and reports.
    pub fn enabled(&self, code: &str) -> bool {
        (self.select.is_empty() || super::matches_any(code, &self.select))
            && !super::matches_any(code, &self.ignore)
    }
}

/// The input of every check.
pub struct Context<'a> {
    /// The file.
    pub source: &'a SourceFile,
    /// Its span tree.
    pub doc: &'a Document,
    /// Its typed model.
    pub config: &'a Config,
    /// The platform, when given or inferred.
    pub platform: Option<&'a PlatformMatch>,
    /// Memory-map evidence, when given.
    pub evidence: Option<&'a crate::evidence::Evidence>,
    /// Options.
    pub options: &'a CheckOptions,
    /// The `EFI/OC` folder the config sits in, if any.
    pub oc_dir: Option<PathBuf>,
    /// The `EFI/OC` folder given with `--efi`: the F rules check the files
    /// the config names there (and run only when it is set).
    pub efi_dir: Option<PathBuf>,
    /// The file's layout, for fixes.
    pub style: Style,
    /// The OpenCore release to check against (resolved once per file); the
    /// schema rules resolve it themselves when this is `None`.
    pub oc_version: Option<&'a crate::schema::Resolved>,
    /// The `EFI/CLOVER` folder around a Clover file, if it sits in one.
    pub clover: Option<&'a crate::folder::clover::CloverEnv>,
    /// What the `EFI/OC` folder ([`Context::oc_dir`]) holds, scanned for an
    /// OpenCore config (the named files only in the `--efi` folder).
    pub oc_folder: Option<&'a crate::folder::oc::OcFolder>,
    /// Lists several rules walk, each built once per file.
    pub(super) shared: Shared<'a>,
    pub(super) diags: Vec<Diagnostic>,
}

/// Lists that many rules of a family read (the UEFI/Drivers entries, the
/// enabled kexts), walked once per file on first use and handed out as
/// shared slices, so a family's rules share one walk instead of each
/// rebuilding the list.
#[derive(Default)]
pub(super) struct Shared<'a> {
    /// Every UEFI/Drivers entry OpenCore reads, in order.
    pub drivers: OnceCell<Rc<[super::uefi::Driver<'a>]>>,
    /// The enabled UEFI/Drivers entries with a Path.
    pub enabled_drivers: OnceCell<Rc<[super::uefi::Driver<'a>]>>,
    /// The enabled entries of Kernel/Add, Block, Force and Patch.
    pub kernel: [OnceCell<Rc<[super::view::Item<'a>]>>; 4],
    /// Every variable of NVRAM/Add.
    pub nvram_add: OnceCell<Rc<[NvramVariable<'a>]>>,
}

/// One variable of NVRAM/Add: its GUID key, its name and its value.
pub(super) type NvramVariable<'a> = (&'a str, &'a str, super::view::Item<'a>);

/// A list built by `build` the first time it is asked for in this file.
pub(super) fn shared<T>(cell: &OnceCell<Rc<[T]>>, build: impl FnOnce() -> Vec<T>) -> Rc<[T]> {
    Rc::clone(cell.get_or_init(|| build().into()))
}

impl<'a> Context<'a> {
    /// A context for one file.
    pub fn new(
        source: &'a SourceFile,
        doc: &'a Document,
        config: &'a Config,
        options: &'a CheckOptions,
    ) -> Context<'a> {
        Context {
            source,
            doc,
            config,
            platform: None,
            evidence: None,
            options,
            oc_dir: None,
            efi_dir: None,
            style: Style::of(source),
            oc_version: None,
            clover: None,
            oc_folder: None,
            shared: Shared::default(),
            diags: Vec::new(),
        }
    }

    /// Report a finding of `rule` at `at` and return it for further detail.
    pub fn report(
        &mut self,
        rule: &'static RuleMeta,
        at: &Located,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.report_span(rule, at.path.clone(), at.span.clone(), message)
    }

    /// Report a finding at an explicit path and span.
    pub fn report_span(
        &mut self,
        rule: &'static RuleMeta,
        path: String,
        span: crate::source::Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags.push(Diagnostic {
            rule,
            severity: rule.severity,
            path,
            span,
            secondary: Vec::new(),
            message: message.into(),
            notes: Vec::new(),
            help: None,
            fix: None,
        });
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    /// Where a Booter quirk is, or its parent dict when it is missing.
    pub fn quirk_location(&self, key: &str) -> Located {
        let q = &self.config.quirks;
        let path = crate::plist::join_path(&q.path, key);
        match q.flag(key).and_then(|f| f.at.clone()) {
            Some(at) => at,
            None => {
                let span = match (key, &q.provide_max_slide.at) {
                    ("ProvideMaxSlide", Some(at)) => at.span.clone(),
                    _ => q
                        .dict
                        .as_ref()
                        .map_or(self.config.root.span.clone(), |d| d.span.clone()),
                };
                Located { span, path }
            }
        }
    }

    /// Edits that make Booter quirk `key` hold `value`: flip it in place, or
    /// insert it into the quirks dict in Sample.plist order.
    pub fn set_quirk(&self, key: &str, value: bool) -> Option<Vec<Edit>> {
        let q = &self.config.quirks;
        let field: &Field<bool> = q.flag(key)?;
        if let Some(at) = &field.at {
            // Flip the value in place (keeps the user's key spelling).
            return Some(vec![patch::set_bool(&at.span, value)]);
        }
        let dict = patch::node_by_span(&self.doc.root, &q.dict.as_ref()?.span)?;
        Some(vec![patch::insert_entry(
            &self.source.text,
            dict,
            key,
            &NewValue::Bool(value),
            Place::Sorted,
            &self.style,
        )])
    }

    /// The effective value of a Booter quirk, or `None` when it is mistyped
    /// (rules reading it then stay silent).
    pub fn quirk(&self, key: &str) -> Option<bool> {
        let f = self.config.quirks.flag(key)?;
        (!f.mistyped()).then_some(f.value)
    }

    /// Whether the OpenCore release checked against is `tag` or older: given
    /// with `--oc-version` or read from the log, or inferred while the config
    /// itself points there (`config_says`). Inference alone never counts: a
    /// sparse config lacks the keys of newer releases and so matches old ones
    /// best. False when no release is known (the newest release applies).
    pub fn release_at_most(&self, tag: &str, config_says: bool) -> bool {
        let Some(r) = self.oc_version else {
            return false;
        };
        let trusted = config_says || r.source != crate::schema::Source::Inferred;
        trusted && crate::schema::release_index(tag).is_some_and(|i| r.target <= i)
    }

    /// Whether the OpenCore release checked against is `tag` or newer, as
    /// given with `--oc-version` or read from the log (never by inference
    /// alone). False when no release is given.
    pub fn release_at_least(&self, tag: &str) -> bool {
        self.oc_version.is_some_and(|r| {
            r.source != crate::schema::Source::Inferred
                && crate::schema::release_index(tag).is_some_and(|i| r.target >= i)
        })
    }

    /// Whether the release checked against was named (`--oc-version` or the
    /// log) and is older than `tag`. An inferred release never says so: it
    /// leans old on sparse configs.
    pub fn named_release_before(&self, tag: &str) -> bool {
        self.oc_version.is_some_and(|r| {
            r.source != crate::schema::Source::Inferred
                && crate::schema::release_index(tag).is_some_and(|i| r.target < i)
        })
    }

    /// The text of the file.
    pub fn text(&self) -> &str {
        &self.source.text
    }
}
