//! Darwin version strings (`MinKernel`, `MaxKernel`) as OpenCore reads
//! them, and the two rules about them, shared by every entry kind that has
//! them (Kernel/Add, Block, Force, Patch entries and Kernel/Emulate).
//!
//! One rule per kind of failure, not per entry kind: the key, the reading
//! and what OpenCore does with the value are the same in all five places.

use super::{entry_finding, known};
use crate::rules::Context;
use crate::rules::view::Item;

rule! {
    code: K010,
    name: "min-kernel-below-darwin-8",
    severity: Info,
    fix: None,
    summary: "A MinKernel names a Darwin version below 8 (macOS 10.4).",
    why: "OpenCore supports no macOS older than 10.4, so the bound limits nothing; it is often a typo for a later version.",
}
rule! {
    code: K011,
    name: "kernel-version-unreadable",
    severity: Warning,
    fix: None,
    summary: "A MinKernel or MaxKernel is not a Darwin version OpenCore can read.",
    why: "OpenCore reads an unreadable bound as no bound, so the entry applies to every macOS version.",
}

/// The Darwin version OpenCore reads from `s`, as `AABBCC` (major, minor,
/// revision, two decimal digits each), or 0 when it reads none.
///
/// The rules of OpenCore's reader: the string must start with a digit; it
/// then reads three parts, each of one or two digits and each ended by a
/// `.` or the end of the string (a missing part counts as 0); a third
/// character in a part makes the whole string unreadable, unless it comes
/// after the third part, where the rest is ignored. So `20.1` is 200100,
/// `1.2.3` is 10203, `123` is 120300 (two digits, then the next part) and
/// `20.1x` is unreadable. A NUL ends the string, as in C.
pub fn parse(s: &str) -> u32 {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    if !at(0).is_ascii_digit() {
        return 0;
    }
    let mut i = 0;
    let mut version = 0u32;
    for _ in 0..3 {
        version *= 100;
        let mut part = 0u32;
        for _ in 0..2 {
            let c = at(i);
            let ends = c == b'.' || c == 0;
            if !ends {
                part *= 10;
            }
            if c.is_ascii_digit() {
                part += u32::from(c - b'0');
                i += 1;
            } else if !ends {
                return 0;
            }
        }
        version += part;
        if at(i) == b'.' {
            i += 1;
        }
    }
    version
}

/// The lowest Darwin version OpenCore supports: 8.0.0 (macOS 10.4).
pub const TIGER: u32 = 80_000;

/// `AABBCC` written as `A.B.C`, for messages.
pub fn show(v: u32) -> String {
    format!("{}.{}.{}", v / 10_000, v / 100 % 100, v % 100)
}

/// The versions an entry applies to, as OpenCore matches them: from
/// `MinKernel` (0: no lower bound) to `MaxKernel` (unreadable or empty: no
/// upper bound).
pub fn range(entry: &Item) -> (u32, u32) {
    let max = parse(entry.str_of("MaxKernel"));
    (
        parse(entry.str_of("MinKernel")),
        if max == 0 { u32::MAX } else { max },
    )
}

/// K010: MinKernel below Darwin 8, wherever it is written.
pub fn k010(cx: &mut Context) {
    for (kind, entry) in super::bounded(cx) {
        let written = entry.str_of("MinKernel");
        let min = parse(written);
        if min == 0 || min >= TIGER || !known(cx, &kind.schema_path("MinKernel")) {
            continue;
        }
        let message = format!(
            "MinKernel `{written}` is Darwin {}, below Darwin 8 (macOS 10.4), the oldest macOS \
             OpenCore boots: the bound limits nothing",
            show(min)
        );
        let d = entry_finding(cx, &K010, &entry, "MinKernel", message);
        d.help = Some(
            "leave MinKernel empty for no lower bound, or write the intended Darwin version \
             (macOS 11 is Darwin 20)"
                .to_owned(),
        );
    }
}

/// K011: MinKernel or MaxKernel that OpenCore cannot read, wherever it is written.
pub fn k011(cx: &mut Context) {
    for (kind, entry) in super::bounded(cx) {
        for key in ["MinKernel", "MaxKernel"] {
            let text = entry.str_of(key);
            if text.is_empty() || parse(text) != 0 || !known(cx, &kind.schema_path(key)) {
                continue;
            }
            let bound = if key == "MinKernel" { "lower" } else { "upper" };
            let message = format!(
                "`{text}` is not a Darwin version OpenCore can read: it reads it as no {bound} \
                 bound, so this {} applies to every macOS version",
                kind.noun()
            );
            let d = entry_finding(cx, &K011, &entry, key, message);
            d.help = Some(format!(
                "write the Darwin version as `major.minor.revision` (e.g. `20.0.0` for macOS 11), \
                 or leave {key} empty for no bound"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn readings_worked_out_by_hand() {
        // Each expected value follows from the reader's rules in the doc
        // comment, worked out on paper.
        assert_eq!(parse("20.0.0"), 200_000);
        assert_eq!(parse("20.1"), 200_100);
        assert_eq!(parse("8"), 80_000);
        assert_eq!(parse("1.2.3"), 10_203);
        assert_eq!(parse("123"), 120_300);
        assert_eq!(parse("20..1"), 200_001);
        assert_eq!(parse("19.99.99"), 199_999);
        assert_eq!(parse("20.0.0.5"), 200_000);
        assert_eq!(parse("20.0.00abc"), 200_000);
        assert_eq!(parse("20.0.0abc"), 0);
        assert_eq!(parse("20.1x"), 0);
        assert_eq!(parse("abc"), 0);
        assert_eq!(parse(""), 0);
        assert_eq!(parse(".20"), 0);
        assert_eq!(parse("0"), 0);
        assert_eq!(parse("2\u{0}x"), 20_000);
        assert_eq!(show(200_102), "20.1.2");
    }

    proptest! {
        #[test]
        fn canonical_versions_read_as_written(a in 0u32..100, b in 0u32..100, c in 0u32..100) {
            let v = a * 10_000 + b * 100 + c;
            prop_assert_eq!(parse(&format!("{a}.{b}.{c}")), v);
            prop_assert_eq!(parse(&format!("{a:02}.{b:02}.{c:02}")), v);
            prop_assert_eq!(show(v), format!("{a}.{b}.{c}"));
        }

        #[test]
        fn missing_parts_count_as_zero(a in 1u32..100, b in 0u32..100) {
            prop_assert_eq!(parse(&format!("{a}")), a * 10_000);
            prop_assert_eq!(parse(&format!("{a}.{b}")), a * 10_000 + b * 100);
            prop_assert_eq!(parse(&format!("{a}.{b}.")), a * 10_000 + b * 100);
        }

        #[test]
        fn anything_after_three_full_parts_is_ignored(
            v in "[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}",
            rest in "\\PC*",
        ) {
            prop_assert_eq!(parse(&format!("{v}{rest}")), parse(&v));
        }

        #[test]
        fn a_letter_inside_the_parts_is_unreadable(
            a in 0u32..100, b in 0u32..10, c in "[a-zA-Z ,+_-]",
        ) {
            prop_assert_eq!(parse(&format!("{a}.{b}{c}")), 0);
        }

        #[test]
        fn a_string_not_starting_with_a_digit_is_unreadable(s in "[^0-9]\\PC*") {
            prop_assert_eq!(parse(&s), 0);
        }

        #[test]
        fn every_reading_has_three_two_digit_parts(s in "\\PC{0,12}") {
            let v = parse(&s);
            prop_assert!(v < 1_000_000);
            prop_assert!(v / 100 % 100 < 100 && v % 100 < 100);
        }
    }
}
