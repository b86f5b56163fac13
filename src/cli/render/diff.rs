//! The unified diff `fix` prints without `--write`: three lines of context,
//! each hunk header followed by the rule codes whose edits fall in it.

use owo_colors::OwoColorize;
use similar::{ChangeTag, TextDiff};

use crate::fixer::FixOutcome;

/// Byte offset where each line of `text` starts (one past the last line too).
fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    if v.last() != Some(&text.len()) {
        v.push(text.len());
    }
    v
}

/// Render the diff between the original and fixed text of `outcome`.
pub fn unified(outcome: &FixOutcome, path: &str, color: bool) -> String {
    let old = outcome.source.text.as_str();
    let new = outcome.text.as_str();
    let paint = |s: String, f: fn(&str) -> String| if color { f(&s) } else { s };
    let mut out = String::new();
    if let Some(c) = &outcome.converted {
        // Before `---`: patch tools skip it; the reader sees it first.
        out.push_str(&paint(format!("# {path}: {c}"), |s| s.bold().to_string()));
        out.push('\n');
    }
    if old == new {
        return out;
    }
    let starts = line_starts(new);
    let byte = |line: usize| starts.get(line).copied().unwrap_or(new.len());
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(old, new);
    out.push_str(&paint(format!("--- {path}"), |s| s.bold().to_string()));
    out.push('\n');
    out.push_str(&paint(format!("+++ {path}"), |s| s.bold().to_string()));
    out.push('\n');
    let mut udiff = diff.unified_diff();
    udiff.context_radius(3);
    for hunk in udiff.iter_hunks() {
        let ops = hunk.ops();
        let (Some(first), Some(last)) = (ops.first(), ops.last()) else {
            continue;
        };
        let lines = first.new_range().start..last.new_range().end;
        let codes = outcome.codes_in(&(byte(lines.start)..byte(lines.end)));
        let mut header = hunk.header().to_string();
        if !codes.is_empty() {
            header.push(' ');
            header.push_str(&codes.join(", "));
        }
        out.push_str(&paint(header, |s| s.cyan().to_string()));
        out.push('\n');
        for change in hunk.iter_changes() {
            let value = change.value();
            let body = value.trim_end_matches('\n').trim_end_matches('\r');
            let line = match change.tag() {
                ChangeTag::Delete => paint(format!("-{body}"), |s| s.red().to_string()),
                ChangeTag::Insert => paint(format!("+{body}"), |s| s.green().to_string()),
                ChangeTag::Equal => format!(" {body}"),
            };
            out.push_str(&line);
            out.push('\n');
            if change.missing_newline() {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}
