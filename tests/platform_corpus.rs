//! The platform inference against `../shared/corpus/platforms.tsv` (when
//! present): the hardware each corpus config's repository describes.
//!
//! Required: on rows labelled with high or medium confidence at least 90%
//! exact; every other answer a candidate list holding the true slug, or
//! unknown; never the wrong CPU vendor; and no proposed quirk fix that
//! contradicts the true platform's row of Dortania's Booter table. Prints
//! the confusion table, the accuracy and which signals decided. A row whose
//! file describes another machine than its label is named, with the reason,
//! in [`DESCRIBES_ANOTHER_MACHINE`]; any other wrong answer fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ocaudit::audit::{self, AuditOptions};
use ocaudit::platform::PlatformSource;

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.join("corpus/platforms.tsv").is_file().then_some(p)
}

fn vendor(slug: &str) -> &str {
    if slug.starts_with("amd-") {
        "amd"
    } else if slug.starts_with("intel-") {
        "intel"
    } else {
        "any"
    }
}

/// (platform, quirk) -> (recommended, condition) from the Dortania table.
fn booter_table(shared: &Path) -> BTreeMap<(String, String), (String, String)> {
    let text = std::fs::read_to_string(shared.join("reference/dortania-booter-quirks.tsv"))
        .expect("the Booter table sits next to the corpus");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 4).then(|| {
                (
                    (f[0].into(), f[1].into()),
                    (f[2].into(), f[3].to_lowercase()),
                )
            })
        })
        .collect()
}

/// `set DevirtualiseMmio to true` -> (quirk, value).
fn quirk_fix(summary: &str) -> Option<(&str, &str)> {
    let rest = summary.strip_prefix("set ")?;
    let (key, value) = rest.split_once(" to ")?;
    let value = value.split_whitespace().next()?;
    matches!(value, "true" | "false").then_some((key, value))
}

/// Rows whose config describes another machine than the hardware its
/// label gives (the repository's), checked by hand: no reading of the file
/// can name the labelled platform, and a wrong answer there is the file's.
const DESCRIBES_ANOTHER_MACHINE: &[(&str, &str)] = &[(
    "configs/Ni-X-oN__Opencore-IvyBridge-H61-Motherboard__config__978d56c.plist",
    "an Ivy Bridge H61 desktop's repository whose older config is Dortania's \
     Kaby Lake-R laptop recipe (ig-platform-id 0x87C00000 with device-id 0x5916, \
     VoodooPS2/VoodooI2C, SSDT-PNLF, SSDT-XOSI, MacBookPro14,1): nothing in it \
     points to Ivy Bridge; the repository's newer config is answered Ivy Bridge",
)];

#[test]
fn platform_inference_matches_the_corpus_labels() {
    let Some(shared) = shared() else {
        println!("skipped: ../shared/corpus/platforms.tsv not found");
        return;
    };
    let table = booter_table(&shared);
    let labels = std::fs::read_to_string(shared.join("corpus/platforms.tsv")).expect("readable");
    let (mut exact, mut lists, mut unknown, mut wrong, mut wrong_vendor, mut rows) =
        (0, 0, 0, 0, 0, 0);
    let (mut sure_rows, mut sure_exact) = (0, 0);
    let mut confusion: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut deciding: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut contradictions = Vec::new();
    for line in labels.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let [file, truth, _, _, confidence, ..] = f.as_slice() else {
            continue;
        };
        let path = shared.join("corpus").join(file);
        if !path.is_file() {
            continue;
        }
        rows += 1;
        let sure = matches!(*confidence, "high" | "medium");
        sure_rows += usize::from(sure);
        let opts = AuditOptions::default();
        let report = audit::audit_path(&path, &opts).expect("readable");
        // The model name alone gives no platform advice (confidence low):
        // counted as unknown.
        let got = report
            .platform
            .as_ref()
            .filter(|p| !matches!(p.source, PlatformSource::Model(_)))
            .map(|p| p.slug())
            .unwrap_or_else(|| "unknown".into());
        *confusion.entry(((*truth).into(), got.clone())).or_default() += 1;
        let candidates: Vec<&str> = got.split(',').collect();
        if got == *truth {
            exact += 1;
            sure_exact += usize::from(sure);
        } else if got == "unknown" {
            unknown += 1;
        } else if candidates.contains(truth) {
            lists += 1;
        } else {
            wrong += 1;
            failures.push(format!("{file}: labelled {truth}, inferred {got}"));
            if candidates
                .iter()
                .all(|c| vendor(c) != "any" && vendor(c) != vendor(truth))
                && vendor(truth) != "any"
            {
                wrong_vendor += 1;
            }
        }
        if let Some(p) = &report.platform {
            for h in p
                .evidence
                .iter()
                .filter(|h| p.candidates.iter().any(|c| h.targets.contains(&c.slug)))
            {
                let kind = h.signal.split_whitespace().next().unwrap_or("").to_owned();
                *deciding.entry(kind).or_default() += 1;
            }
        }
        for d in &report.diagnostics {
            let Some((key, value)) = d.fix.as_ref().and_then(|x| quirk_fix(&x.summary)) else {
                continue;
            };
            let Some((rec, cond)) = table.get(&((*truth).to_string(), key.to_string())) else {
                continue;
            };
            if rec != value && !cond.contains(value) {
                contradictions.push(format!(
                    "{file}: {} proposes {key} = {value}; {truth} recommends {rec} ({cond})",
                    d.rule.code
                ));
            }
        }
    }
    println!("truth -> inferred: count");
    for ((t, g), n) in &confusion {
        let mark = if t == g { "" } else { "   *" };
        println!("  {t} -> {g}: {n}{mark}");
    }
    println!(
        "{rows} rows: {exact} exact, {lists} candidate lists holding the truth, {unknown} unknown, {wrong} wrong ({wrong_vendor} the wrong vendor); high/medium rows: {sure_exact}/{sure_rows} exact"
    );
    let mut deciding: Vec<_> = deciding.into_iter().collect();
    deciding.sort_by_key(|d| std::cmp::Reverse(d.1));
    println!("signals behind the answers: {deciding:?}");
    for c in &contradictions {
        println!("contradiction: {c}");
    }
    for f in &failures {
        match DESCRIBES_ANOTHER_MACHINE
            .iter()
            .find(|(file, _)| f.starts_with(file))
        {
            Some((_, why)) => println!("wrong, as the file describes another machine: {f}: {why}"),
            None => println!("wrong: {f}"),
        }
    }
    assert_eq!(wrong_vendor, 0, "never the wrong CPU vendor");
    assert!(
        contradictions.is_empty(),
        "{} fixes contradict the true platform",
        contradictions.len()
    );
    // The goal is 90% exact on high/medium rows and no wrong answer at all.
    // The floor below is what the inference reaches (162/180 since the name,
    // RTC, pre-Skylake and XCPM tie-breaks): it may only rise.
    let wrong: Vec<&String> = failures
        .iter()
        .filter(|f| {
            !DESCRIBES_ANOTHER_MACHINE
                .iter()
                .any(|(file, _)| f.starts_with(file))
        })
        .collect();
    assert!(wrong.is_empty(), "wrong answers: {wrong:#?}");
    assert!(
        sure_exact >= 162,
        "{sure_exact}/{sure_rows} exact on high/medium rows (the floor is 162)"
    );
}
