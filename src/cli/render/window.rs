//! The part of a source line a code frame shows: the whole line when it fits
//! in [`MAX_WIDTH`] columns, else a window of that width around the spot,
//! with `...` where text was left out.
//!
//! The window is found by walking outwards from the spot, so showing a
//! finding costs the width of the window, not the length of the line: a
//! config written on one line with thousands of findings on it is rendered
//! in time linear in the findings.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use super::frame::MAX_WIDTH;

/// Most characters looked at on each side of the spot. Only characters that
/// take no column (joiners, combining marks) can make a window hold more
/// than [`MAX_WIDTH`]; past this many the rest are left out.
const MAX_CHARS: usize = 4 * MAX_WIDTH;

/// How far before the spot a cut window starts, in columns.
const LEAD: usize = MAX_WIDTH / 3;

/// A line as displayed, and the columns of its underline.
pub(super) struct Shown {
    /// The displayed text (a window of the line when it is too wide).
    pub text: String,
    /// Columns (within `text`) to underline; never empty.
    pub mark: Range<usize>,
}

/// One character near the spot: the character and where its columns start,
/// relative to the spot's first column.
#[derive(Clone, Copy)]
struct Cell {
    c: char,
    col: i64,
    width: usize,
}

impl Shown {
    /// Show `line` with the byte range `spot` (on character boundaries)
    /// underlined.
    pub fn new(line: &str, spot: &Range<usize>) -> Shown {
        let at = spot.start.min(line.len());
        // Walk back from the spot, then forward, until a window's width (or
        // the line's end) is covered on each side.
        let mut before: Vec<Cell> = Vec::new();
        let mut back = 0usize;
        let mut reached_start = true;
        for c in line[..at].chars().rev() {
            if back > MAX_WIDTH || before.len() >= MAX_CHARS {
                reached_start = false;
                break;
            }
            let width = display(c, &mut [0; 4]).1;
            back += width;
            before.push(Cell {
                c,
                col: -(back as i64),
                width,
            });
        }
        before.reverse();
        let mut cells = before;
        let mut ahead = 0usize;
        let mut to = None;
        let mut reached_end = true;
        for (i, c) in line[at..].char_indices() {
            if at + i == spot.end {
                to = Some(ahead);
            }
            if ahead > MAX_WIDTH || cells.len() >= 2 * MAX_CHARS {
                reached_end = false;
                break;
            }
            let width = display(c, &mut [0; 4]).1;
            cells.push(Cell {
                c,
                col: ahead as i64,
                width,
            });
            ahead += width;
        }
        if reached_end && to.is_none() {
            to = Some(ahead);
        }
        let to = to.map_or(i64::MAX, |t| t as i64);
        let mut buf = [0u8; 4];
        if reached_start && reached_end && back + ahead <= MAX_WIDTH {
            let mut text = String::with_capacity(line.len() + 8);
            for cell in &cells {
                text.push_str(display(cell.c, &mut buf).0);
            }
            let from = back;
            let to = (back as i64 + to) as usize;
            return Shown {
                text,
                mark: from..to.max(from + 1),
            };
        }
        // Too wide: keep MAX_WIDTH columns, starting a third of the way
        // before the spot (or at the line start, or so that the window ends
        // at the line end), and mark each cut with `...`.
        let mut left = -(LEAD as i64);
        if reached_start {
            left = left.max(-(back as i64));
        }
        if reached_end {
            left = left.min(ahead as i64 - MAX_WIDTH as i64);
        }
        let right = left + MAX_WIDTH as i64;
        let kept: Vec<&Cell> = cells
            .iter()
            .filter(|c| c.col >= left && c.col + c.width as i64 <= right)
            .collect();
        let (Some(first), Some(last)) = (kept.first(), kept.last()) else {
            return Shown {
                text: String::new(),
                mark: 0..1,
            };
        };
        let (start, end) = (first.col, last.col + last.width as i64);
        let mut shown = String::with_capacity(MAX_WIDTH + 8);
        if !(reached_start && start == -(back as i64)) {
            shown.push_str("...");
        }
        // Column `c` (relative to the spot) is at `c - start + prefix`.
        let prefix = shown.len() as i64;
        for cell in &kept {
            shown.push_str(display(cell.c, &mut buf).0);
        }
        if !(reached_end && end == ahead as i64) {
            shown.push_str("...");
        }
        let from = (0i64.clamp(start, end) - start + prefix) as usize;
        let to = (to.clamp(start, end) - start + prefix) as usize;
        Shown {
            text: shown,
            mark: from..to.max(from + 1),
        }
    }
}

/// How a character is shown, and its width in columns.
pub(super) fn display(c: char, buf: &mut [u8; 4]) -> (&str, usize) {
    match c {
        '\t' => ("    ", 4),
        // Joiners would merge neighbours into one glyph of unknown width.
        '\u{200d}' => ("", 0),
        // Control characters become their Unicode control pictures.
        '\u{0}'..='\u{1f}' => (
            char::from_u32(0x2400 + c as u32)
                .unwrap_or('\u{fffd}')
                .encode_utf8(buf),
            1,
        ),
        '\u{7f}' => ("\u{2421}", 1),
        // C1 controls: some terminals read U+009B as the start of an escape.
        '\u{80}'..='\u{9f}' => ("\u{fffd}", 1),
        // Bidirectional overrides could make the line read differently
        // from the bytes OpenCore sees.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => ("\u{fffd}", 1),
        c => (c.encode_utf8(buf), c.width().unwrap_or(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The renderer before windows: it displayed the whole line, then cut
    /// it. Kept to check that the window shows the same text.
    /// One displayed character: its bytes in the displayed text, and the
    /// columns it takes.
    #[derive(Clone, Copy)]
    struct RefCell {
        bytes: (usize, usize),
        cols: (usize, usize),
    }

    fn reference(line: &str, spot: &Range<usize>) -> Shown {
        // One pass for the usual short line; the cells of a wide one are
        // collected only when it has to be cut.
        let mut text = String::with_capacity(line.len() + 8);
        let (mut from, mut to) = (None, None);
        let mut col = 0;
        let mut buf = [0u8; 4];
        for (i, c) in line.char_indices() {
            if i == spot.start {
                from = Some(col);
            }
            if i == spot.end {
                to = Some(col);
            }
            let (shown, width) = display(c, &mut buf);
            text.push_str(shown);
            col += width;
        }
        let total = col;
        let from = from.unwrap_or(total);
        let to = to.unwrap_or(total).max(from);
        if total <= MAX_WIDTH {
            return Shown {
                text,
                mark: from..to.max(from + 1),
            };
        }
        let mut cells = Vec::with_capacity(line.len());
        let (mut start, mut col) = (0, 0);
        for c in line.chars() {
            let (shown, width) = display(c, &mut buf);
            cells.push(RefCell {
                bytes: (start, start + shown.len()),
                cols: (col, col + width),
            });
            start += shown.len();
            col += width;
        }
        // Too wide: keep MAX_WIDTH columns, starting a third of the way
        // before the spot, and mark each cut with `...`.
        let left = from.saturating_sub(MAX_WIDTH / 3).min(total - MAX_WIDTH);
        let right = left + MAX_WIDTH;
        let mut kept = cells
            .iter()
            .filter(|c| c.cols.0 >= left && c.cols.1 <= right);
        let (Some(first), last) = (kept.next().copied(), kept.next_back().copied()) else {
            return Shown {
                text,
                mark: from..to.max(from + 1),
            };
        };
        let last = last.unwrap_or(first);
        let (start, end) = (first.cols.0, last.cols.1);
        let mut shown = String::with_capacity(MAX_WIDTH + 8);
        if start > 0 {
            shown.push_str("...");
        }
        // Display column `c` of the line is at column `c - start + prefix`.
        let prefix = shown.len();
        shown.push_str(&text[first.bytes.0..last.bytes.1]);
        if end < total {
            shown.push_str("...");
        }
        let from = from.clamp(start, end) - start + prefix;
        let to = to.clamp(start, end) - start + prefix;
        Shown {
            text: shown,
            mark: from..to.max(from + 1),
        }
    }

    fn boundaries(text: &str) -> Vec<usize> {
        text.char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect()
    }

    #[test]
    fn a_long_line_shows_a_window_around_each_spot() {
        let unit = "<key>Dup</key><string>x</string>";
        let line = unit.repeat(10_000);
        let at = line.len() / 2;
        let at = at - at % unit.len();
        let shown = Shown::new(&line, &(at..at + 14));
        assert!(shown.text.starts_with("...") && shown.text.ends_with("..."));
        assert_eq!(shown.text.chars().count(), MAX_WIDTH + 6);
        let under: String = shown
            .text
            .chars()
            .skip(shown.mark.start)
            .take(shown.mark.len())
            .collect();
        assert_eq!(under, "<key>Dup</key>");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The window shows exactly what the whole-line renderer showed.
        #[test]
        fn matches_the_whole_line_renderer(
            text in "[\ta-z<>\u{1}\u{e9}\u{65e5}\u{200d}\u{301}]{0,420}",
            picks in (0usize..420, 0usize..420),
        ) {
            let b = boundaries(&text);
            let (i, j) = (picks.0 % b.len(), picks.1 % b.len());
            let spot = b[i.min(j)]..b[i.max(j)];
            let (ours, old) = (Shown::new(&text, &spot), reference(&text, &spot));
            prop_assert_eq!(&ours.text, &old.text);
            prop_assert_eq!(ours.mark, old.mark);
        }

        /// A line too wide to show whole is cut to at most MAX_WIDTH
        /// columns plus the `...` marks, and the underline still sits under
        /// the spot (or the part of it that is shown).
        #[test]
        fn wide_lines_keep_the_underline_on_the_spot(
            text in "[\ta-z<>\u{65e5}]{141,400}",
            picks in (0usize..400, 0usize..40),
        ) {
            let b = boundaries(&text);
            let i = picks.0 % (b.len() - 1);
            let j = (i + 1 + picks.1).min(b.len() - 1);
            let shown = Shown::new(&text, &(b[i]..b[j]));
            let cols: Vec<char> = shown.text.chars().collect();
            prop_assert!(cols.iter().map(|c| c.width().unwrap_or(1)).sum::<usize>() <= MAX_WIDTH + 6);
            // Expand the spot's text the way it is displayed, then find the
            // underlined columns' text inside it.
            let spot: String = text[b[i]..b[j]]
                .chars()
                .map(|c| if c == '\t' { "    ".to_owned() } else { c.to_string() })
                .collect();
            let mut col = 0;
            let mut under = String::new();
            for c in shown.text.chars() {
                let w = c.width().unwrap_or(1);
                if col >= shown.mark.start && col + w <= shown.mark.end {
                    under.push(c);
                }
                col += w;
            }
            prop_assert!(!under.is_empty() && spot.contains(&under), "{under:?} not in {spot:?}");
        }
    }
}
