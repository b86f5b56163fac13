//! The progress line `check` draws on stderr while it reads several files
//! on a terminal: a bar, the count and the file being read, redrawn in
//! place and cleared at the end. When it is not wanted it does nothing at
//! all (a single-file check pays nothing for it).

use std::io::Write;
use std::time::{Duration, Instant};

/// Cells of the bar.
const BAR: usize = 30;
/// The line is redrawn at most this often (and always for the last file).
const EVERY: Duration = Duration::from_millis(50);

/// A progress line on stderr, or nothing.
pub struct Progress {
    state: Option<State>,
}

struct State {
    total: usize,
    done: usize,
    message: String,
    last_draw: Option<Instant>,
    columns: usize,
}

impl Progress {
    /// A line for `total` files, drawn only when `show`.
    pub fn new(total: usize, show: bool) -> Progress {
        let state = show.then(|| State {
            total,
            done: 0,
            message: String::new(),
            last_draw: None,
            columns: terminal_columns(),
        });
        Progress { state }
    }

    /// Name the file being read (escaped: a path may hold terminal controls).
    pub fn set_message(&mut self, message: &str) {
        if let Some(s) = &mut self.state {
            s.message = super::render::escape::human(message).into_owned();
            s.draw(false);
        }
    }

    /// One more file done.
    pub fn inc(&mut self) {
        if let Some(s) = &mut self.state {
            s.done = (s.done + 1).min(s.total);
            let last = s.done == s.total;
            s.draw(last);
        }
    }

    /// Clear the line, run `f` (which prints to stderr), draw the line again.
    pub fn suspend<R>(&mut self, f: impl FnOnce() -> R) -> R {
        if let Some(s) = &mut self.state {
            s.clear();
        }
        let result = f();
        if let Some(s) = &mut self.state {
            s.draw(true);
        }
        result
    }

    /// Remove the line.
    pub fn finish_and_clear(&mut self) {
        if let Some(s) = &mut self.state {
            s.clear();
        }
    }
}

impl State {
    fn draw(&mut self, force: bool) {
        let now = Instant::now();
        if !force
            && self
                .last_draw
                .is_some_and(|t| now.duration_since(t) < EVERY)
        {
            return;
        }
        self.last_draw = Some(now);
        let filled = (self.done * BAR).checked_div(self.total).unwrap_or(BAR);
        let mut line = String::with_capacity(self.columns + 8);
        line.push_str("\r\x1b[2K");
        line.extend(std::iter::repeat_n('█', filled));
        line.extend(std::iter::repeat_n('░', BAR - filled));
        let counts = format!(" {}/{} files  ", self.done, self.total);
        line.push_str(&counts);
        // The message takes what is left of the terminal's width, less the
        // last column (writing there wraps on some terminals).
        let room = self.columns.saturating_sub(BAR + counts.len() + 1);
        let mut width = 0;
        for c in self.message.chars() {
            width += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if width > room {
                break;
            }
            line.push(c);
        }
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
    }

    fn clear(&self) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(b"\r\x1b[2K");
        let _ = err.flush();
    }
}

/// The width of the terminal on stderr: asked of the terminal, else
/// `COLUMNS`, else 80.
fn terminal_columns() -> usize {
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ writes one winsize into the struct it is given.
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        if unsafe { libc::ioctl(2, libc::TIOCGWINSZ, &mut size) } == 0 && size.ws_col > 0 {
            return usize::from(size.ws_col);
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|&c| c > 0)
        .unwrap_or(80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_progress_does_nothing() {
        let mut p = Progress::new(3, false);
        p.set_message("a");
        p.inc();
        assert_eq!(p.suspend(|| 7), 7);
        p.finish_and_clear();
        assert!(p.state.is_none());
    }

    #[test]
    fn counts_stop_at_the_total() {
        let mut p = Progress::new(2, true);
        for _ in 0..5 {
            p.inc();
        }
        assert_eq!(p.state.as_ref().map(|s| s.done), Some(2));
        p.finish_and_clear();
    }
}
