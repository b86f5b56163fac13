//! The JSON contract of `check --format json`.

use std::io::Write;

use serde::Serialize;

use crate::audit::{FileReport, Skipped};
use crate::rules::Diagnostic;

/// The whole JSON document.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// ocaudit's version.
    pub version: &'static str,
    /// One entry per file.
    pub files: Vec<JsonFile<'a>>,
    /// Paths given or found that were not checked (files that could not be
    /// read, directories that could not be searched); the exit code is
    /// then 2.
    pub skipped: &'a [Skipped],
}

/// One file.
#[derive(Debug, Serialize)]
pub struct JsonFile<'a> {
    /// The path as given.
    pub path: &'a str,
    /// The kind of file, when it loaded.
    pub kind: Option<crate::model::ConfigKind>,
    /// The platform slug(s), or null.
    pub platform: Option<String>,
    /// `high`, `medium` or `low` (null when the file did not load).
    pub platform_confidence: Option<&'static str>,
    /// The signals the platform was inferred from.
    pub platform_evidence: Vec<JsonEvidence<'a>>,
    /// The OpenCore release the keys were checked against (OpenCore configs).
    pub oc_version: Option<JsonOcVersion>,
    /// Whether OpenCore's own reader reads the file (false: OpenCore halts
    /// at boot, see X010); null for Clover configs and files that are no
    /// config at all.
    pub opencore_reads: Option<bool>,
    /// The findings.
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// One signal of `platform_evidence`.
#[derive(Debug, Serialize)]
pub struct JsonEvidence<'a> {
    /// What was seen (`ig-platform-id 0x0D220003`).
    pub signal: &'a str,
    /// Where: a key path, or the log line kind (`OCCPU: Found`).
    pub path: &'a str,
    /// The slug or group it points to.
    pub points_to: &'static str,
}

/// `oc_version` of one file.
#[derive(Debug, Serialize)]
pub struct JsonOcVersion {
    /// The release given by `--oc-version` or read from the log; null when inferred.
    pub target: Option<&'static str>,
    /// The oldest and newest release the config matches.
    pub inferred: [&'static str; 2],
    /// `flag`, `log` or `inferred`.
    pub source: crate::schema::Source,
}

/// Convert a resolved release.
pub fn oc_version(r: &crate::schema::Resolved) -> JsonOcVersion {
    JsonOcVersion {
        target: (r.source != crate::schema::Source::Inferred).then(|| r.target_tag()),
        inferred: r.inference.range(),
        source: r.source,
    }
}

/// One finding.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// Rule code.
    pub code: &'static str,
    /// Rule name.
    pub name: &'static str,
    /// `error`, `warning` or `info`.
    pub severity: crate::rules::Severity,
    /// Key path.
    pub path: &'a str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The message.
    pub message: &'a str,
    /// The fix, if any.
    pub fix: Option<JsonFix<'a>>,
}

/// A fix in JSON.
#[derive(Debug, Serialize)]
pub struct JsonFix<'a> {
    /// `safe` or `unsafe`.
    pub applicability: crate::patch::Applicability,
    /// What it does.
    pub summary: &'a str,
}

/// Convert one diagnostic.
pub fn diagnostic<'a>(r: &'a FileReport, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let (line, column) = r.source().map_or((1, 1), |s| s.line_col(d.span.start));
    JsonDiagnostic {
        code: d.rule.code,
        name: d.rule.name,
        severity: d.severity,
        path: &d.path,
        line,
        column,
        message: &d.message,
        fix: d.fix.as_ref().map(|f| JsonFix {
            applicability: f.applicability,
            summary: &f.summary,
        }),
    }
}

/// Build the JSON document of a run that could not check `skipped`.
pub fn build<'a>(reports: &'a [FileReport], skipped: &'a [Skipped]) -> JsonReport<'a> {
    JsonReport {
        skipped,
        version: env!("CARGO_PKG_VERSION"),
        files: reports
            .iter()
            .map(|r| JsonFile {
                path: &r.path,
                kind: r.kind(),
                platform: r.platform.as_ref().map(|p| p.slug()),
                platform_confidence: match &r.platform {
                    Some(p) => Some(p.confidence.as_str()),
                    None => r.loaded.is_some().then_some("low"),
                },
                platform_evidence: r
                    .platform
                    .iter()
                    .flat_map(|p| &p.evidence)
                    .map(|h| JsonEvidence {
                        signal: &h.signal,
                        path: &h.path,
                        points_to: h.points_to,
                    })
                    .collect(),
                oc_version: r.oc_version.as_ref().map(oc_version),
                opencore_reads: r.opencore_reads,
                diagnostics: r.diagnostics.iter().map(|d| diagnostic(r, d)).collect(),
            })
            .collect(),
    }
}

/// Write the JSON document of a run that could not check `skipped`.
pub fn report(
    reports: &[FileReport],
    skipped: &[Skipped],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    // Serialise first: a write error (a closed pipe) then stays an io::Error.
    let mut text = serde_json::to_vec_pretty(&build(reports, skipped))?;
    text.push(b'\n');
    out.write_all(&text)?;
    Ok(())
}
