//! What the release history knows about a key: when it appeared, moved,
//! was renamed or removed; used for the messages of unknown keys and for
//! carrying values in upgrades.

use super::data::{Table, bit};

/// Keys renamed between releases (old path, new path). The schema data
/// shows one key disappearing and the other appearing in the same release;
/// Configuration.tex and OpenCore's changelog confirm they are one setting.
const RENAMES: &[(&str, &str)] = &[
    ("ACPI/Block", "ACPI/Delete"),
    ("DeviceProperties/Block", "DeviceProperties/Delete"),
    ("NVRAM/Block", "NVRAM/Delete"),
    (
        "Kernel/Quirks/ThirdPartyTrim",
        "Kernel/Quirks/ThirdPartyDrives",
    ),
    ("Misc/Debug/SerialInit", "Misc/Serial/Init"),
];

/// The first and last release in which key `c` exists.
pub fn lifetime(t: &Table, c: usize) -> Option<(usize, usize)> {
    let p = t.keys[c].present;
    if p == 0 {
        return None;
    }
    Some((
        p.trailing_zeros() as usize,
        127 - p.leading_zeros() as usize,
    ))
}

/// Where key `c` lives in release `r` when it moved or was renamed: the key
/// there and the release in which the move happened.
pub fn moved(t: &Table, c: usize, r: usize) -> Option<(usize, usize)> {
    let k = &t.keys[c];
    if k.present & bit(r) != 0 {
        return None;
    }
    let (first, last) = lifetime(t, c)?;
    // Forward: c disappeared in `last + 1`, the counterpart appeared then.
    // Backward: c appeared in `first`, the counterpart disappeared then.
    let (before, after, when) = if last < r {
        (last, last + 1, last + 1)
    } else if first > r {
        (first, first - 1, first)
    } else {
        return None;
    };
    let fits = |q: usize| {
        let qk = &t.keys[q];
        q != c
            && qk.present & bit(r) != 0
            && qk.present & bit(after) != 0
            && qk.present & bit(before) == 0
    };
    let renamed = RENAMES.iter().find_map(|&(old, new)| {
        if old == k.path {
            t.lookup(new)
        } else if new == k.path {
            t.lookup(old)
        } else {
            None
        }
    });
    if let Some(q) = renamed.filter(|&q| fits(q)) {
        return Some((q, when));
    }
    let same_leaf = (0..t.keys.len()).filter(|&q| t.keys[q].leaf == k.leaf && fits(q));
    let found: Vec<usize> = same_leaf.collect();
    match found.as_slice() {
        [q] => Some((*q, when)),
        _ => None,
    }
}

fn parent_path(path: &str) -> &str {
    path.rsplit_once('/').map_or("the top level", |(p, _)| p)
}

/// Why the key at normalised path `norm` (schema key `key`, if any release
/// knows it) is unknown to release `r`.
pub fn unknown_reason(t: &Table, norm: &str, key: Option<usize>, r: usize) -> String {
    let tag = t.releases[r];
    let Some(c) = key else {
        return never_known(t, norm, r);
    };
    let k = &t.keys[c];
    if let Some((q, when)) = moved(t, c, r) {
        let qk = &t.keys[q];
        let when = t.releases[when];
        let future = lifetime(t, c).is_some_and(|(first, _)| first > r);
        return match (qk.leaf == k.leaf, future) {
            (true, false) => format!(
                "{} moved from {} to {} in {when}",
                k.leaf,
                parent_path(k.path),
                parent_path(qk.path)
            ),
            (false, false) => format!("{} was renamed to {} in {when}", k.path, qk.path),
            (true, true) => format!(
                "{} is at {} in {tag}; it moved to {} in {when}, after your target release",
                k.leaf,
                parent_path(qk.path),
                parent_path(k.path)
            ),
            (false, true) => format!(
                "{tag} calls it {}; it was renamed to {} in {when}, after your target release",
                qk.path, k.path
            ),
        };
    }
    match lifetime(t, c) {
        Some((first, _)) if first > r => format!(
            "{} was added in {}, after your target release {tag}",
            k.path, t.releases[first]
        ),
        Some((_, last)) if last < r => {
            format!("{} was removed in {}", k.path, t.releases[last + 1])
        }
        _ => format!("{} does not exist in {tag}", k.path),
    }
}

fn never_known(t: &Table, norm: &str, r: usize) -> String {
    let (parent, leaf) = norm.rsplit_once('/').unwrap_or(("", norm));
    let siblings = t.children(if parent.is_empty() {
        None
    } else {
        t.lookup(parent)
    });
    let here = siblings
        .iter()
        .map(|&s| &t.keys[s])
        .filter(|s| s.present & bit(r) != 0);
    let mut best: Option<(&str, usize)> = None;
    for s in here {
        let d = if s.leaf.eq_ignore_ascii_case(leaf) {
            0
        } else {
            distance(&s.leaf.to_ascii_lowercase(), &leaf.to_ascii_lowercase())
        };
        if d <= 2 && best.is_none_or(|(_, bd)| d < bd) {
            best = Some((s.leaf, d));
        }
    }
    match best {
        Some((name, _)) => format!(
            "no release of OpenCore knows {norm}; did you mean {name}? (keys are case-sensitive)"
        ),
        None => format!("no release of OpenCore knows {norm}"),
    }
}

/// Levenshtein distance (short strings only).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j]))
                .min(row[j] + 1)
                .min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
