//! Human output in the style of rustc and ruff: a code frame per finding,
//! why it matters, and the fix.

use std::io::Write;

use owo_colors::OwoColorize;

use super::escape::human;
use super::frame::{self, Level, Message, Note, Snippet};

use crate::audit::FileReport;
use crate::patch::Applicability;
use crate::platform::Confidence;
use crate::rules::{Diagnostic, Severity};
use crate::source::{SourceFile, Span};

/// Render every report, then a summary line.
pub fn report(reports: &[FileReport], color: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    report_partial(reports, 0, color, out)
}

/// [`report`] when `not_checked` paths given or found could not be checked
/// (they were reported on stderr): the summary then never says that all
/// checks passed.
pub fn report_partial(
    reports: &[FileReport],
    not_checked: usize,
    color: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut text = String::with_capacity(2048);
    for r in reports {
        let path = human(&r.path);
        if let Some(p) = &r.platform {
            write!(
                out,
                "{path}: platform: {} ({})",
                p.slug(),
                human(&p.reasons())
            )?;
            if p.confidence == Confidence::Low {
                write!(
                    out,
                    "; no platform advice: pass --platform SLUG (`ocaudit platforms`)"
                )?;
            }
            writeln!(out)?;
        } else if r.loaded.is_some() {
            writeln!(
                out,
                "{path}: platform: unknown; no platform advice: pass --platform SLUG (`ocaudit platforms`)",
            )?;
        }
        if let Some(v) = &r.oc_version {
            writeln!(out, "{path}: {}", v.describe())?;
        }
        match r.kind() {
            Some(crate::model::ConfigKind::Clover) => writeln!(
                out,
                "{path}: Clover config.plist (read as Clover does: keys ignore case, the first duplicate wins)",
            )?,
            Some(crate::model::ConfigKind::OcQuirks) => writeln!(
                out,
                "{path}: OcQuirks.plist (read as the OcQuirks.efi driver does, with its own defaults)",
            )?,
            _ => {}
        }
        for d in &r.diagnostics {
            text.clear();
            render_one(r, d, color, &mut text);
            text.push_str("\n\n");
            out.write_all(text.as_bytes())?;
        }
        if reports.len() > 1 {
            writeln!(out, "{}", file_summary(r))?;
        }
    }
    if reports.len() > 1 {
        writeln!(out)?;
    }
    if !reports.is_empty() || not_checked > 0 {
        writeln!(out, "{}", summary_partial(reports, not_checked, color))?;
    }
    Ok(())
}

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
    }
}

/// The place `span` starts, as a frame shows it: its line, and the span
/// clipped to that line (an empty span marks one character where the line
/// has one).
fn snippet<'a>(
    path: &'a str,
    src: &'a SourceFile,
    span: &Span,
    label: &'a str,
    primary: bool,
) -> Snippet<'a> {
    let text = &src.text;
    let start = span.start.min(text.len());
    let (line, col) = src.line_col(start);
    let whole = src.lines.line_span(text, line);
    let start = start.clamp(whole.start, whole.end.max(start));
    let line_end = whole.end.max(start);
    let mut end = span.end.min(line_end).max(start);
    if end == start {
        end = text[start..line_end]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    Snippet {
        path,
        line,
        col,
        text: &text[whole.start..line_end],
        spot: start - whole.start..end - whole.start,
        label,
        primary,
    }
}

fn render_one(r: &FileReport, d: &Diagnostic, color: bool, out: &mut String) {
    // Built by concatenation: `format!` costs several times as much, and a
    // report can hold hundreds of findings.
    let title = if d.fix.is_some() {
        [d.message.as_str(), " [*]"].concat()
    } else {
        d.message.clone()
    };
    let mut snippets = Vec::with_capacity(1 + d.secondary.len());
    let mut notes: Vec<(Level, Note)> = Vec::with_capacity(4 + d.notes.len());
    if let Some(src) = r.source() {
        snippets.push(snippet(&r.path, src, &d.span, &d.path, true));
        for (s, label) in &d.secondary {
            snippets.push(snippet(&r.path, src, s, label, false));
        }
    } else {
        notes.push((Level::Note, ["in ", &r.path, "", "", ""]));
    }
    notes.push((Level::Note, ["why: ", d.rule.why, "", "", ""]));
    for n in &d.notes {
        notes.push((Level::Note, frame::note(n)));
    }
    if let Some(f) = &d.fix {
        let how = match f.applicability {
            Applicability::Safe => "safe fix: `ocaudit fix --write`",
            Applicability::Unsafe => "unsafe fix: `ocaudit fix --write --unsafe-fixes`",
        };
        notes.push((Level::Help, [&f.summary, " (", how, ")", ""]));
    } else if let Some(h) = &d.help {
        notes.push((Level::Help, frame::note(h)));
    }
    notes.push((
        Level::Note,
        [
            "rule: ",
            d.rule.name,
            " (`ocaudit explain ",
            d.rule.code,
            "`)",
        ],
    ));
    frame::render(
        &Message {
            level: level(d.severity),
            code: d.rule.code,
            title: &title,
            snippets,
            notes,
        },
        color,
        out,
    );
}

/// One line per file when several are checked: its path and counts.
pub fn file_summary(r: &FileReport) -> String {
    let n = |s: Severity| r.diagnostics.iter().filter(|d| d.severity == s).count();
    let (e, w, i) = (n(Severity::Error), n(Severity::Warning), n(Severity::Info));
    let state = if r.unparsable {
        "could not be parsed"
    } else if r.opencore_reads == Some(false) {
        "OpenCore cannot read it"
    } else if e + w == 0 {
        "ok"
    } else {
        "problems"
    };
    format!(
        "{}: {state} ({e} error{}, {w} warning{}, {i} info)",
        human(&r.path),
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" },
    )
}

/// One closing line: counts, and how many findings `fix` can repair.
pub fn summary(reports: &[FileReport], color: bool) -> String {
    summary_partial(reports, 0, color)
}

/// [`summary`] when `not_checked` paths could not be checked: it says so,
/// and never that all checks passed.
pub fn summary_partial(reports: &[FileReport], not_checked: usize, color: bool) -> String {
    let mut s = findings_summary(reports, not_checked == 0, color);
    if not_checked > 0 {
        let paths = if not_checked == 1 { "path" } else { "paths" };
        let line = format!(" {not_checked} {paths} could not be checked (see the messages above).");
        s.push_str(&if color {
            line.red().bold().to_string()
        } else {
            line
        });
    }
    s
}

fn findings_summary(reports: &[FileReport], complete: bool, color: bool) -> String {
    let all: Vec<&Diagnostic> = reports.iter().flat_map(|r| &r.diagnostics).collect();
    let files = reports.len();
    let files_word = if files == 1 { "file" } else { "files" };
    if files == 0 {
        return "No file was checked.".into();
    }
    if all.is_empty() && !complete {
        return format!("No problems found in the {files} {files_word} checked.");
    }
    if all.is_empty() {
        let s = format!("All checks passed ({files} {files_word}).");
        return if color { s.green().to_string() } else { s };
    }
    let count = |s: Severity| all.iter().filter(|d| d.severity == s).count();
    let safe = all
        .iter()
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Safe)
        })
        .count();
    let unsafe_ = all
        .iter()
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Unsafe)
        })
        .count();
    let mut s = format!(
        "Found {} problem{} in {files} {files_word}: {} error{}, {} warning{}, {} info.",
        all.len(),
        if all.len() == 1 { "" } else { "s" },
        count(Severity::Error),
        if count(Severity::Error) == 1 { "" } else { "s" },
        count(Severity::Warning),
        if count(Severity::Warning) == 1 {
            ""
        } else {
            "s"
        },
        count(Severity::Info),
    );
    if safe + unsafe_ > 0 {
        s.push_str(&format!(" [*] {safe} fixable with `ocaudit fix`"));
        if unsafe_ > 0 {
            s.push_str(&format!(" ({unsafe_} more with `--unsafe-fixes`)"));
        }
        s.push('.');
    }
    if color { s.bold().to_string() } else { s }
}
