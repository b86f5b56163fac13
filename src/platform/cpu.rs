//! The CPU an OpenCore log names (`OCCPU: Found ...`, `OCCPU: Signature
//! ...`), as signals that outrank anything in the config.

use super::{SIGNALS, SignalHit, SignalKind};
use crate::memmap::oclog::OcLog;

/// Add the log's CPU signals to `hits`.
pub(super) fn collect(log: &OcLog, hits: &mut Vec<SignalHit>) {
    if let Some((family, model, _)) = log.cpu_signature {
        let exact = format!("{family:X}:0x{model:02X}");
        let any = format!("0x{family:X}:*");
        for def in SIGNALS.iter().filter(|d| d.kind == SignalKind::CpuModel) {
            let pattern = def.pattern.trim_start_matches("0x");
            if pattern.eq_ignore_ascii_case(&exact) || def.pattern.eq_ignore_ascii_case(&any) {
                push(
                    hits,
                    def,
                    format!("log CPU family 0x{family:X} model 0x{model:02X}"),
                    "OCCPU: Signature",
                );
            }
        }
    }
    if let Some(brand) = &log.cpu_brand
        && let Some(key) = core_generation(brand)
    {
        for def in SIGNALS
            .iter()
            .filter(|d| d.kind == SignalKind::CpuGen && d.pattern == key)
        {
            push(
                hits,
                def,
                format!("log CPU {}", short_brand(brand)),
                "OCCPU: Found",
            );
        }
    }
}

fn push(hits: &mut Vec<SignalHit>, def: &'static super::SignalDef, signal: String, path: &str) {
    hits.push(SignalHit {
        signal,
        path: path.to_owned(),
        points_to: def.points_to,
        targets: def.targets,
        weight: def.weight,
    });
}

/// `Intel(R) Core(TM) i5-10210U CPU @ 1.60GHz` -> `i5-10210U`.
fn short_brand(brand: &str) -> &str {
    brand
        .split_whitespace()
        .find(|w| core_model(w).is_some())
        .unwrap_or(brand.trim())
}

/// `i5-10210U` -> (`10210`, `U`).
fn core_model(word: &str) -> Option<(&str, &str)> {
    let rest = word.strip_prefix('i')?;
    let (tier, number) = rest.split_once('-')?;
    if !matches!(tier, "3" | "5" | "7" | "9") {
        return None;
    }
    let digits = number.bytes().take_while(u8::is_ascii_digit).count();
    (digits >= 3).then(|| number.split_at(digits))
}

/// The Core generation and form of a brand string, as the signal table
/// writes it: `4/desktop`, `10/laptop`, `10/laptop-g` (Ice Lake's G parts).
pub(super) fn core_generation(brand: &str) -> Option<String> {
    let (digits, suffix) = brand.split_whitespace().find_map(core_model)?;
    let mobile = suffix
        .chars()
        .next()
        .is_some_and(|c| matches!(c, 'U' | 'Y' | 'H' | 'M' | 'G' | 'P'));
    let generation: u32 = match digits.len() {
        5 => digits[..2].parse().ok()?,
        // 10th gen and later mobile parts have four digits (1065G7, 1235U).
        4 if digits.starts_with('1') && mobile => digits[..2].parse().ok()?,
        4 => digits[..1].parse().ok()?,
        _ => return None,
    };
    let form = match (mobile, suffix.starts_with('G') && generation == 10) {
        (true, true) => "laptop-g",
        (true, false) => "laptop",
        (false, _) => "desktop",
    };
    Some(format!("{generation}/{form}"))
}

#[cfg(test)]
mod tests {
    use super::core_generation;

    #[test]
    fn brand_strings_give_generation_and_form() {
        for (brand, want) in [
            ("Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz", Some("4/desktop")),
            (
                "Intel(R) Core(TM) i5-10210U CPU @ 1.60GHz",
                Some("10/laptop"),
            ),
            (
                "Intel(R) Core(TM) i7-1065G7 CPU @ 1.30GHz",
                Some("10/laptop-g"),
            ),
            ("12th Gen Intel(R) Core(TM) i5-1235U", Some("12/laptop")),
            ("Intel(R) Core(TM) i9-12900K", Some("12/desktop")),
            ("Intel(R) Core(TM) i7-8750H CPU @ 2.20GHz", Some("8/laptop")),
            ("Intel(R) Xeon(R) CPU E5-1630 v3 @ 3.70GHz", None),
            ("AMD Ryzen 7 7800X3D 8-Core Processor", None),
        ] {
            assert_eq!(core_generation(brand).as_deref(), want, "{brand}");
        }
    }
}
