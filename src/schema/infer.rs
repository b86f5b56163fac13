//! Which releases a config was written for: the releases whose schema it
//! matches with the fewest unknown (and mistyped) keys, then the fewest
//! missing keys.

use super::check::{Event, Visit, walk};
use super::data::{Mask, Table, bit};
use crate::plist::{Dict, Node};

/// The releases a config matches best, and the keys that decide it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inference {
    /// Index of the oldest best-matching release.
    pub lo: usize,
    /// Index of the newest best-matching release.
    pub hi: usize,
    /// Unknown plus missing plus mistyped key paths against those releases.
    pub score: u32,
    /// Keys the config has that rule out the neighbouring releases.
    pub has: Vec<String>,
    /// Keys the config lacks that rule out the neighbouring releases.
    pub lacks: Vec<String>,
}

impl Inference {
    /// The oldest and newest matching release tags.
    pub fn range(&self) -> [&'static str; 2] {
        let t = Table::get();
        [t.releases[self.lo], t.releases[self.hi]]
    }

    /// Whether release `r` is in the matching range.
    pub fn contains(&self, r: usize) -> bool {
        self.lo <= r && r <= self.hi
    }

    /// "matches 0.9.6 to 0.9.7; has UEFI/Output/InitialMode, lacks ...".
    pub fn summary(&self) -> String {
        let [lo, hi] = self.range();
        let mut s = if lo == hi {
            format!("matches {lo}")
        } else {
            format!("matches {lo} to {hi}")
        };
        if self.score > 0 {
            s.push_str(&format!(
                " ({} key{} differ)",
                self.score,
                if self.score == 1 { "" } else { "s" }
            ));
        }
        let mut parts = Vec::new();
        if !self.has.is_empty() {
            parts.push(format!("has {}", self.has.join(", ")));
        }
        if !self.lacks.is_empty() {
            parts.push(format!("lacks {}", self.lacks.join(", ")));
        }
        if !parts.is_empty() {
            s.push_str("; ");
            s.push_str(&parts.join(", "));
        }
        s
    }
}

/// How many deciding keys of each kind are listed.
const SHOWN: usize = 3;

/// Per schema key that counts against some release: (key, releases where
/// it is unknown or mistyped, releases where it is missing).
struct Marks {
    slot: Vec<u16>,
    rows: Vec<(usize, Mask, Mask)>,
}

impl Marks {
    fn add(&mut self, c: usize, unknown: Mask, missing: Mask) {
        if unknown | missing == 0 {
            return;
        }
        let Some(s) = self.slot.get_mut(c) else {
            return;
        };
        if *s == 0 {
            self.rows.push((c, 0, 0));
            *s = u16::try_from(self.rows.len()).unwrap_or(u16::MAX);
        }
        if let Some(row) = self.rows.get_mut(usize::from(*s) - 1) {
            row.1 |= unknown;
            row.2 |= missing;
        }
    }
}

/// How many masks have each release's bit set, by bit-sliced addition
/// (plane i holds bit i of every release's count).
fn tally(masks: impl Iterator<Item = Mask>, n: usize) -> Vec<u32> {
    let mut planes = [0 as Mask; 16];
    let mut used = 0;
    for m in masks {
        let mut carry = m;
        let mut i = 0;
        while carry != 0 && i < planes.len() {
            let next = planes[i] & carry;
            planes[i] ^= carry;
            carry = next;
            i += 1;
        }
        used = used.max(i);
    }
    (0..n)
        .map(|r| {
            (0..used)
                .map(|i| u32::from(planes[i] & bit(r) != 0) << i)
                .sum()
        })
        .collect()
}

/// Inference's visitor: marks what counts against each release.
struct Scorer<'t> {
    t: &'t Table,
    marks: Marks,
}

impl<'a> Visit<'a> for Scorer<'_> {
    #[inline]
    fn event(&mut self, ev: &Event<'a, '_>) {
        let t = self.t;
        match *ev {
            Event::Key {
                key: Some(c),
                mask,
                entry,
                ..
            } => {
                let k = &t.keys[c];
                let u =
                    (mask & !k.present) | (mask & k.present & !k.accepts_value(&entry.value.value));
                self.marks.add(c, u, 0);
            }
            Event::Item {
                key: Some(c),
                mask,
                node,
                ..
            } => {
                let k = &t.keys[c];
                self.marks
                    .add(c, mask & k.present & !k.accepts_value(&node.value), 0);
            }
            Event::Dict {
                key, mask, present, ..
            } => {
                for (i, &c) in t.children(key).iter().enumerate() {
                    let k = &t.keys[c];
                    let required = t.required_in(key, c);
                    if required & mask != 0 && k.leaf != "*" && !present.has_at(i) {
                        self.marks.add(c, 0, mask & required);
                    }
                }
            }
            _ => {}
        }
    }

    /// Marks are unions: an item of the same shape as one walked before
    /// adds nothing, whatever it found.
    fn structural(&self) -> usize {
        0
    }

    fn needs_walk(&self, _item: &Dict) -> bool {
        false
    }
}

/// Score every release against `root` in one walk and pick the best range.
pub fn infer(t: &Table, root: &Node) -> Inference {
    let n = t.releases.len();
    let mut scorer = Scorer {
        t,
        marks: Marks {
            slot: vec![0; t.keys.len()],
            rows: Vec::new(),
        },
    };
    walk(t, root, t.all(), &mut scorer);
    let marks = scorer.marks;
    // In key order, without sorting: the slots are indexed by key.
    let rows: Vec<(usize, Mask, Mask)> = marks
        .slot
        .iter()
        .filter_map(|&s| marks.rows.get(usize::from(s).checked_sub(1)?).copied())
        .collect();
    // Unknown and mistyped keys first: a key the config has is strong
    // evidence (nobody writes keys their release lacks), while a sparse
    // config lacks keys of every release. Ties go to the fewest missing.
    let u = tally(rows.iter().map(|r| r.1), n);
    let m = tally(rows.iter().map(|r| r.2), n);
    let scores: Vec<(u32, u32)> = u.into_iter().zip(m).collect();
    let best = scores.iter().copied().min().unwrap_or((0, 0));
    let lo = scores.iter().position(|&s| s == best).unwrap_or(0);
    let hi = scores.iter().rposition(|&s| s == best).unwrap_or(0);
    let mut has: Vec<String> = Vec::new();
    let mut lacks: Vec<String> = Vec::new();
    let in_range = bit(lo) | bit(hi);
    // Against the release before the range and the one after it.
    for neighbour in [lo.checked_sub(1), Some(hi + 1).filter(|&r| r < n)]
        .into_iter()
        .flatten()
    {
        let nb = bit(neighbour);
        for &(c, unknown, missing) in &rows {
            let path = t.keys[c].path;
            if unknown & nb != 0 && unknown & in_range == 0 {
                if has.len() < SHOWN && !has.iter().any(|h| h == path) {
                    has.push(path.to_owned());
                }
            } else if missing & nb != 0
                && missing & in_range == 0
                && lacks.len() < SHOWN
                && !lacks.iter().any(|l| l == path)
            {
                lacks.push(path.to_owned());
            }
        }
    }
    Inference {
        lo,
        hi,
        score: best.0 + best.1,
        has,
        lacks,
    }
}
