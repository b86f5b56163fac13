//! Human output in the style of rustc and ruff: a code frame per finding,
//! why it matters, and the fix.

use std::io::Write;

use annotate_snippets::{AnnotationKind, Element, Group, Level, Renderer, Snippet};
use owo_colors::OwoColorize;

use crate::audit::FileReport;
use crate::patch::Applicability;
use crate::platform::PlatformSource;
use crate::rules::{Diagnostic, Severity};
use crate::source::{SourceFile, Span};

/// Render every report, then a summary line.
pub fn report(reports: &[FileReport], color: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for r in reports {
        if let Some(p) = &r.platform {
            let how = match &p.source {
                PlatformSource::Flag => "from --platform".to_owned(),
                PlatformSource::Model(m) => format!("from SystemProductName {m}"),
            };
            writeln!(out, "{}: platform {} ({how})", r.path, p.slug())?;
        }
        if let Some(v) = &r.oc_version {
            writeln!(out, "{}: {}", r.path, v.describe())?;
        }
        match r.kind() {
            Some(crate::model::ConfigKind::Clover) => writeln!(
                out,
                "{}: Clover config.plist (read as Clover does: keys ignore case, the first duplicate wins)",
                r.path
            )?,
            Some(crate::model::ConfigKind::OcQuirks) => writeln!(
                out,
                "{}: OcQuirks.plist (read as the OcQuirks.efi driver does, with its own defaults)",
                r.path
            )?,
            _ => {}
        }
        for d in &r.diagnostics {
            let text = render_one(r, d, &renderer);
            writeln!(out, "{text}")?;
            writeln!(out)?;
        }
        if reports.len() > 1 {
            writeln!(out, "{}", file_summary(r))?;
        }
    }
    if reports.len() > 1 {
        writeln!(out)?;
    }
    if !reports.is_empty() {
        writeln!(out, "{}", summary(reports, color))?;
    }
    Ok(())
}

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// The lines around `span` (the line before it, and its first line), with
/// the span clipped to its first line.
fn window(src: &SourceFile, span: &Span) -> (usize, Span, Span) {
    let text = &src.text;
    let start = span.start.min(text.len());
    let (line, _) = src.line_col(start);
    let first = if line > 1 { line - 1 } else { line };
    let win_start = src.lines.line_span(text, first).start;
    let win_end = src.lines.line_span(text, line).end.max(start);
    let mut end = span.end.min(win_end).max(start);
    if end == start {
        // Give zero-width spans one character, when there is one on the line.
        end = text[start..win_end]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    (first, win_start..win_end, start..end)
}

fn render_one(r: &FileReport, d: &Diagnostic, renderer: &Renderer) -> String {
    let fixable = d.fix.is_some();
    let title = if fixable {
        format!("{} [*]", d.message)
    } else {
        d.message.clone()
    };
    let title = level(d.severity).primary_title(title).id(d.rule.code);
    let mut els: Vec<Element> = Vec::new();
    if let Some(src) = r.source() {
        let (line, win, span) = window(src, &d.span);
        let label = if d.path.is_empty() {
            String::new()
        } else {
            d.path.clone()
        };
        els.push(
            Snippet::source(&src.text[win.clone()])
                .line_start(line)
                .path(r.path.clone())
                .annotation(
                    AnnotationKind::Primary
                        .span(span.start - win.start..span.end - win.start)
                        .label(label),
                )
                .into(),
        );
        for (s, label) in &d.secondary {
            let (line, win, span) = window(src, s);
            els.push(
                Snippet::source(&src.text[win.clone()])
                    .line_start(line)
                    .path(r.path.clone())
                    .annotation(
                        AnnotationKind::Context
                            .span(span.start - win.start..span.end - win.start)
                            .label(label.clone()),
                    )
                    .into(),
            );
        }
    } else {
        els.push(Level::NOTE.message(format!("in {}", r.path)).into());
    }
    els.push(Level::NOTE.message(format!("why: {}", d.rule.why)).into());
    for n in &d.notes {
        els.push(Level::NOTE.message(n.clone()).into());
    }
    if let Some(f) = &d.fix {
        let how = match f.applicability {
            Applicability::Safe => "safe fix: `ocaudit fix --write`".to_owned(),
            Applicability::Unsafe => "unsafe fix: `ocaudit fix --write --unsafe-fixes`".to_owned(),
        };
        els.push(Level::HELP.message(format!("{} ({how})", f.summary)).into());
    } else if let Some(h) = &d.help {
        els.push(Level::HELP.message(h.clone()).into());
    }
    els.push(
        Level::NOTE
            .message(format!(
                "rule: {} (`ocaudit explain {}`)",
                d.rule.name, d.rule.code
            ))
            .into(),
    );
    let groups: [Group; 1] = [title.elements(els)];
    renderer.render(&groups).to_string()
}

/// One line per file when several are checked: its path and counts.
pub fn file_summary(r: &FileReport) -> String {
    let n = |s: Severity| r.diagnostics.iter().filter(|d| d.severity == s).count();
    let (e, w, i) = (n(Severity::Error), n(Severity::Warning), n(Severity::Info));
    let state = if r.unparsable {
        "could not be parsed"
    } else if e + w == 0 {
        "ok"
    } else {
        "problems"
    };
    format!(
        "{}: {state} ({e} error{}, {w} warning{}, {i} info)",
        r.path,
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" },
    )
}

/// One closing line: counts, and how many findings `fix` can repair.
pub fn summary(reports: &[FileReport], color: bool) -> String {
    let all: Vec<&Diagnostic> = reports.iter().flat_map(|r| &r.diagnostics).collect();
    let files = reports.len();
    let files_word = if files == 1 { "file" } else { "files" };
    if files == 0 {
        return "No file was checked.".into();
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
