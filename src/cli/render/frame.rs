//! Code frames in the style of rustc: a title, then for each place in the
//! file the line it is on with the spot underlined and labelled, then notes.
//!
//! ```text
//! warning[B001]: AvoidRuntimeDefrag is false
//!   --> config.plist:59:4
//!    |
//! 59 |             <false/>
//!    |             ^^^^^^^^ Booter/Quirks/AvoidRuntimeDefrag
//!    |
//!    = help: set AvoidRuntimeDefrag to true
//! ```
//!
//! Every frame shows exactly one line, which is all a plist finding needs,
//! so this is a small, direct writer rather than a general layout engine.
//! Tabs become four spaces, control and bidirectional-override characters
//! become visible stand-ins (a config cannot hide text from the reader), and
//! a line wider than [`MAX_WIDTH`] columns is cut around the underlined spot.

use std::ops::Range;

use super::escape::{human, push_human};
use super::window::Shown;

/// The widest source line shown whole, in terminal columns; wider lines
/// (base64 `<data>` blobs, mostly) are cut around the spot, with `...` where
/// text was left out.
pub const MAX_WIDTH: usize = 140;

/// What a title or a note line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `error`.
    Error,
    /// `warning`.
    Warning,
    /// `info`.
    Info,
    /// `note`.
    Note,
    /// `help`.
    Help,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Note => "note",
            Level::Help => "help",
        }
    }

    fn style(self) -> &'static str {
        match self {
            Level::Error => RED,
            Level::Warning => YELLOW,
            Level::Info => BLUE,
            Level::Note => GREEN,
            Level::Help => CYAN,
        }
    }
}

// The terminal styles: bold plus a colour, and a reset.
const RED: &str = "\x1b[1m\x1b[91m";
const YELLOW: &str = "\x1b[1m\x1b[33m";
const BLUE: &str = "\x1b[1m\x1b[94m";
const GREEN: &str = "\x1b[1m\x1b[92m";
const CYAN: &str = "\x1b[1m\x1b[96m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// One place in the file: a line, the part of it to underline, a label.
#[derive(Debug, Clone)]
pub struct Snippet<'a> {
    /// The file's name as shown.
    pub path: &'a str,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column of the spot, counted in characters.
    pub col: usize,
    /// The line's text, without its line ending.
    pub text: &'a str,
    /// Byte range of the spot within `text`, on character boundaries; an
    /// empty range marks the position with one caret.
    pub spot: Range<usize>,
    /// Written after the underline (nothing when empty).
    pub label: &'a str,
    /// The finding's own place (`^^^`, in the level's colour), or a related
    /// one (`---`). The first snippet is introduced with `-->`, later ones
    /// with `:::`.
    pub primary: bool,
}

/// A note's text in up to five pieces, written one after another; unused
/// pieces are empty.
pub type Note<'a> = [&'a str; 5];

/// A note of one piece.
pub fn note(text: &str) -> Note<'_> {
    [text, "", "", "", ""]
}

/// A whole message: title, places, notes.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// Severity shown in the title.
    pub level: Level,
    /// Rule code shown in brackets after the level.
    pub code: &'a str,
    /// The one-line message.
    pub title: &'a str,
    /// The places, in order; the first is usually the primary one.
    pub snippets: Vec<Snippet<'a>>,
    /// `= note: ...` and `= help: ...` lines, each written as the
    /// concatenation of its pieces (so callers need not build a string).
    pub notes: Vec<(Level, Note<'a>)>,
}

/// Append `m` to `out`, with terminal colours when `color` is set. The text
/// ends without a newline.
pub fn render(m: &Message, color: bool, out: &mut String) {
    let paint = |out: &mut String, style: &str, text: &str| {
        if color {
            out.push_str(style);
            out.push_str(text);
            out.push_str(RESET);
        } else {
            out.push_str(text);
        }
    };
    let title_style = m.level.style();
    // Plain pushes throughout: `format!` machinery costs several times as
    // much, and a report can hold hundreds of findings.
    if color {
        out.push_str(title_style);
    }
    for piece in [m.level.name(), "[", m.code, "]"] {
        out.push_str(piece);
    }
    if color {
        out.push_str(RESET);
        out.push_str(BOLD);
    }
    out.push_str(": ");
    push_human(out, m.title);
    if color {
        out.push_str(RESET);
    }
    let gutter = m.snippets.iter().map(|s| digits(s.line)).max().unwrap_or(0);
    let bar = |out: &mut String| {
        out.push('\n');
        pad(out, gutter + 1);
        paint(out, BLUE, "|");
    };
    for (i, s) in m.snippets.iter().enumerate() {
        out.push('\n');
        pad(out, gutter);
        paint(out, BLUE, if i == 0 { "--> " } else { "::: " });
        push_human(out, s.path);
        out.push(':');
        push_number(out, s.line);
        out.push(':');
        push_number(out, s.col);
        bar(out);
        let shown = Shown::new(s.text, &s.spot);
        out.push('\n');
        if color {
            out.push_str(BLUE);
        }
        pad(out, gutter - digits(s.line));
        push_number(out, s.line);
        if color {
            out.push_str(RESET);
        }
        out.push(' ');
        paint(out, BLUE, "|");
        if !shown.text.is_empty() {
            out.push(' ');
            out.push_str(&shown.text);
        }
        out.push('\n');
        pad(out, gutter + 1);
        paint(out, BLUE, "|");
        out.push(' ');
        pad(out, shown.mark.start);
        let (style, ch) = if s.primary {
            (title_style, '^')
        } else {
            (BLUE, '-')
        };
        let mut marks = String::with_capacity(shown.mark.len());
        for _ in shown.mark.clone() {
            marks.push(ch);
        }
        paint(out, style, &marks);
        if !s.label.is_empty() {
            out.push(' ');
            paint(out, style, &human(s.label));
        }
        bar(out);
    }
    if m.snippets.is_empty() {
        bar(out);
    }
    for (level, pieces) in &m.notes {
        out.push('\n');
        pad(out, gutter + 1);
        paint(out, BLUE, "= ");
        paint(out, BOLD, level.name());
        out.push_str(": ");
        for piece in pieces {
            push_human(out, piece);
        }
    }
}

fn digits(mut n: usize) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// Append `n` in decimal.
fn push_number(out: &mut String, n: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

fn pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one(text: &str, spot: Range<usize>, label: &str, primary: bool) -> Message<'static> {
        let text: &'static str = Box::leak(text.to_owned().into_boxed_str());
        let label: &'static str = Box::leak(label.to_owned().into_boxed_str());
        let col = text[..spot.start].chars().count() + 1;
        Message {
            level: Level::Warning,
            code: "B001",
            title: "title",
            snippets: vec![Snippet {
                path: "config.plist",
                line: 41,
                col,
                text,
                spot,
                label,
                primary,
            }],
            notes: vec![(Level::Note, note("why: x")), (Level::Help, note("do y"))],
        }
    }

    fn plain(m: &Message) -> String {
        let mut s = String::new();
        render(m, false, &mut s);
        s
    }

    #[test]
    fn a_finding_with_a_note_and_a_help_line() {
        let m = one(
            "\t\t<false/>",
            2..10,
            "Booter/Quirks/AvoidRuntimeDefrag",
            true,
        );
        assert_eq!(
            plain(&m),
            "warning[B001]: title\n  --> config.plist:41:3\n   |\n41 |         <false/>\n   \
             |         ^^^^^^^^ Booter/Quirks/AvoidRuntimeDefrag\n   |\n   = note: why: x\n   \
             = help: do y"
        );
    }

    #[test]
    fn without_a_snippet_the_notes_follow_a_bare_bar() {
        let mut m = one("x", 0..1, "", true);
        m.snippets.clear();
        assert_eq!(
            plain(&m),
            "warning[B001]: title\n |\n = note: why: x\n = help: do y"
        );
    }

    #[test]
    fn an_empty_spot_gets_one_caret_after_the_line() {
        let m = one("<dict>", 6..6, "here", true);
        assert!(
            plain(&m).contains("41 | <dict>\n   |       ^ here\n"),
            "{}",
            plain(&m)
        );
    }

    #[test]
    fn an_empty_line_is_shown_at_the_position_json_reports() {
        let m = one("", 0..0, "", true);
        assert_eq!(
            plain(&m),
            "warning[B001]: title\n  --> config.plist:41:1\n   |\n41 |\n   | ^\n   |\n   \
             = note: why: x\n   = help: do y"
        );
    }

    #[test]
    fn control_and_override_characters_are_made_visible() {
        let m = one("a\u{1}b\u{202e}c\u{200d}d", 1..2, "", true);
        let out = plain(&m);
        assert!(
            out.contains("41 | a\u{2401}b\u{fffd}cd\n   |  ^\n"),
            "{out}"
        );
    }

    #[test]
    fn a_wide_line_is_cut_around_the_spot() {
        let line = format!("\t<data>{}</data>", "QUJD".repeat(100));
        let at = line.find("</data>").unwrap();
        let m = one(&line, at..at + 7, "end", true);
        let out = plain(&m);
        let code = out.lines().nth(3).unwrap();
        assert!(
            code.starts_with("41 | ...") && code.ends_with("</data>"),
            "{code}"
        );
        assert!(
            code.chars().count() <= "41 | ".len() + 3 + MAX_WIDTH,
            "{code}"
        );
        // The underline still sits under `</data>`.
        let marks = out.lines().nth(4).unwrap();
        let caret = marks.find('^').unwrap();
        assert_eq!(&code[caret..caret + 7], "</data>");
        assert!(marks.ends_with("^^^^^^^ end"), "{marks}");
    }

    /// What annotate-snippets (the renderer this one replaced, kept as a
    /// dev-dependency) prints for the same place, shown the way the human
    /// report used to: the line before as context, then the line.
    fn reference(prev: &str, m: &Message, color: bool) -> String {
        use annotate_snippets as a;
        let s = &m.snippets[0];
        let source = format!("{prev}\n{}", s.text);
        let off = prev.len() + 1;
        let kind = if s.primary {
            a::AnnotationKind::Primary
        } else {
            a::AnnotationKind::Context
        };
        let mut els: Vec<a::Element> = vec![
            a::Snippet::source(&source)
                .line_start(s.line - 1)
                .path(s.path)
                .annotation(
                    kind.span(s.spot.start + off..s.spot.end + off)
                        .label(s.label),
                )
                .into(),
        ];
        els.push(a::Level::NOTE.message("why: x").into());
        els.push(a::Level::HELP.message("do y").into());
        let g = [a::Level::WARNING
            .primary_title(m.title)
            .id(m.code)
            .elements(els)];
        let r = if color {
            a::Renderer::styled()
        } else {
            a::Renderer::plain()
        };
        r.render(&g).to_string()
    }

    fn boundaries(text: &str) -> Vec<usize> {
        text.char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// On every line the old renderer showed whole (at most 140
        /// columns), both print the same bytes, with and without colour.
        #[test]
        fn matches_the_reference_renderer(
            // (annotate-snippets drops an empty last line and points at the
            // end of the line before; this renderer shows the empty line, at
            // the line and column the JSON report gives.)
            text in "[\t a-z<>/=0-9\u{1}\u{1b}\u{7f}\u{e9}\u{65e5}\u{200d}\u{202e}\u{301}]{1,40}",
            picks in (0usize..64, 0usize..64),
            label in "[A-Za-z/0-9]{0,12}",
            primary in any::<bool>(),
            color in any::<bool>(),
        ) {
            let b = boundaries(&text);
            let (i, j) = (picks.0 % b.len(), picks.1 % b.len());
            let (start, end) = (b[i.min(j)], b[i.max(j)]);
            // The human report never passes an empty spot that has a
            // character after it: it widens it to that character.
            let end = if end == start {
                text[start..].chars().next().map_or(start, |c| start + c.len_utf8())
            } else {
                end
            };
            let m = one(&text, start..end, &label, primary);
            let mut ours = String::new();
            render(&m, color, &mut ours);
            prop_assert_eq!(ours, reference("<key>k</key>", &m, color));
        }
    }
}
