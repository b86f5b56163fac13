//! Which releases a config was written for: the releases whose schema it
//! matches with the fewest unknown (and mistyped) keys, then the fewest
//! missing keys.

use super::check::{Event, walk};
use super::data::{Mask, Table, bit};
use crate::plist::Node;

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

/// Score every release against `root` in one walk and pick the best range.
pub fn infer(t: &Table, root: &Node) -> Inference {
    let n = t.releases.len();
    // Per schema key: releases where it counts as unknown / missing / mistyped.
    let mut unknown: Vec<Mask> = vec![0; t.keys.len()];
    let mut missing: Vec<Mask> = vec![0; t.keys.len()];
    walk(t, root, t.all(), &mut |ev| match *ev {
        Event::Key {
            key: Some(c),
            mask,
            entry,
            ..
        } => {
            let k = &t.keys[c];
            unknown[c] |= mask & !k.present;
            unknown[c] |= mask & k.present & !k.accepts_mask(entry.value.value.type_name());
        }
        Event::Item {
            key: Some(c),
            mask,
            node,
            ..
        } => {
            let k = &t.keys[c];
            unknown[c] |= mask & k.present & !k.accepts_mask(node.value.type_name());
        }
        Event::Dict {
            key, mask, node, ..
        } => {
            let Some(d) = node.as_dict() else { return };
            for &c in t.children(key) {
                let k = &t.keys[c];
                if k.required & mask != 0 && k.leaf != "*" && d.get(k.leaf).is_none() {
                    missing[c] |= mask & k.required;
                }
            }
        }
        _ => {}
    });
    // Unknown and mistyped keys first: a key the config has is strong
    // evidence (nobody writes keys their release lacks), while a sparse
    // config lacks keys of every release. Ties go to the fewest missing.
    let count =
        |masks: &[Mask], r: usize| masks.iter().filter(|&&m| m & bit(r) != 0).count() as u32;
    let scores: Vec<(u32, u32)> = (0..n)
        .map(|r| (count(&unknown, r), count(&missing, r)))
        .collect();
    let best = scores.iter().copied().min().unwrap_or((0, 0));
    let lo = scores.iter().position(|&s| s == best).unwrap_or(0);
    let hi = scores.iter().rposition(|&s| s == best).unwrap_or(0);
    let best = best.0 + best.1;
    let mut has = Vec::new();
    let mut lacks = Vec::new();
    // Against the release before the range and the one after it.
    for neighbour in [lo.checked_sub(1), Some(hi + 1).filter(|&r| r < n)]
        .into_iter()
        .flatten()
    {
        let nb = bit(neighbour);
        for (c, k) in t.keys.iter().enumerate() {
            let in_range = bit(lo) | bit(hi);
            if unknown[c] & nb != 0 && unknown[c] & in_range == 0 {
                if has.len() < SHOWN && !has.contains(&k.path.to_owned()) {
                    has.push(k.path.to_owned());
                }
            } else if missing[c] & nb != 0
                && missing[c] & in_range == 0
                && lacks.len() < SHOWN
                && !lacks.contains(&k.path.to_owned())
            {
                lacks.push(k.path.to_owned());
            }
        }
    }
    Inference {
        lo,
        hi,
        score: best,
        has,
        lacks,
    }
}
