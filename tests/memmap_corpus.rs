//! Sweep the real-world corpus (`../shared/corpus/memmaps` and `logs`, read at
//! run time, never copied): every file parses or gives a clear error, nothing
//! panics. Prints a table of file, format, descriptors and usable count, then
//! checks the same-machine facts the corpus README names.

use std::fs;
use std::path::{Path, PathBuf};

use ocaudit::memmap::{
    Evidence, InputFormat, LoggedSlides, MemType, MemoryMap, SlideOptions, decode, detect_format,
    parse_evidence, simulate,
};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.is_dir().then_some(dir)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn short(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.len() > 58 {
        format!("{}…{}", &name[..30], &name[name.len() - 27..])
    } else {
        name
    }
}

#[test]
fn sweep_corpus() {
    let Some(root) = corpus() else {
        println!("skipped: ../shared/corpus not found");
        return;
    };
    let (mut maps, mut logs, mut errors) = (0, 0, 0);
    println!(
        "{:<60} {:<18} {:>6} {:>8} {:>9}",
        "file", "format", "descr", "usable", "unparsed"
    );
    for sub in ["memmaps", "logs"] {
        for path in files(&root.join(sub)) {
            let bytes = fs::read(&path).expect("corpus files are readable");
            let format = detect_format(&decode(&bytes).text);
            let row = match parse_evidence(&bytes, None) {
                Ok(Evidence::Map(m)) => {
                    maps += 1;
                    let a = simulate(&m, &SlideOptions::default());
                    let b = simulate(
                        &m,
                        &SlideOptions {
                            devirtualise_mmio: true,
                            ..Default::default()
                        },
                    );
                    assert_eq!(a.descriptors, m.descriptors.len());
                    format!(
                        "{:<18} {:>6} {:>8} {:>9}   devirt: {}",
                        format.map(|f| f.to_string()).unwrap_or_default(),
                        m.descriptors.len(),
                        a.valid_count,
                        m.unparsed_lines,
                        b.valid_count
                    )
                }
                Ok(Evidence::Log(l)) => {
                    logs += 1;
                    let reported = l.slide_report.as_ref().map(|r| r.count().to_string());
                    format!(
                        "{:<18} {:>6} {:>8} {:>9}   {} devirt lines",
                        "OpenCore log",
                        "-",
                        reported.unwrap_or_else(|| "-".into()),
                        "-",
                        l.devirt.len()
                    )
                }
                Err(e) => {
                    errors += 1;
                    let msg = e.to_string();
                    // A clear error names what was expected and how to make it.
                    assert!(msg.contains("memmap > memmap.txt"), "{msg}");
                    format!("error: {}", &msg[..msg.find(';').unwrap_or(msg.len())])
                }
            };
            println!("{:<60} {row}", short(&path));
        }
    }
    println!("{maps} memory maps, {logs} logs, {errors} clear errors");
    assert!(maps > 0 || logs > 0);
}

fn obixah() -> Option<(MemoryMap, Vec<PathBuf>)> {
    let root = corpus()?;
    let key = "ObiXah__Hackintosh-ASUS-TUF-GAMING-B650M";
    let memmap = files(&root.join("memmaps"))
        .into_iter()
        .find(|p| p.to_string_lossy().contains(key))?;
    let logs = files(&root.join("logs"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(key))
        .collect();
    match parse_evidence(&fs::read(memmap).ok()?, Some(InputFormat::Shell)) {
        Ok(Evidence::Map(m)) => Some((m, logs)),
        _ => None,
    }
}

/// The ObiXah B650M shell memmap against that machine's own OpenCore logs:
/// DevirtualiseMmio off (or every region whitelisted) `Only 101/256`,
/// `88-188`; on `Only 168/256`, `88-255`.
#[test]
fn obixah_memmap_matches_its_logs() {
    let Some((map, logs)) = obixah() else {
        println!("skipped: ../shared/corpus not found");
        return;
    };
    let mut reported = Vec::new();
    for path in &logs {
        if let Ok(Evidence::Log(l)) = parse_evidence(&fs::read(path).expect("readable"), None)
            && let Some(LoggedSlides::Some {
                count,
                valid: Some(valid),
                ..
            }) = &l.slide_report
        {
            let devirt = l.flag("DEVMMIO") == Some(1);
            let whitelist = l.skipped_regions();
            reported.push((devirt, whitelist, *count, valid.clone()));
        }
    }
    assert!(
        reported.len() >= 3,
        "the corpus README names three usable reports"
    );
    for (devirt, whitelist, count, valid) in reported {
        let opts = SlideOptions {
            devirtualise_mmio: devirt,
            whitelist,
            ..Default::default()
        };
        let a = simulate(&map, &opts);
        println!(
            "DEVMMIO {} whitelist {:?}: log {count} usable, memmap simulation {} ({})",
            u8::from(devirt),
            opts.whitelist.len(),
            a.valid_count,
            a.ranges
        );
        // The shell memmap is taken before boot.efi runs: the shell's own image
        // sits in memory as LoaderCode/LoaderData and is gone at boot. So the
        // simulation may miss slides the log lists, but only slides blocked by
        // such a loader descriptor, and it never finds a slide the log lacks.
        // (On this map slide 188 ends 0x13000 bytes into the shell's LoaderCode
        // at 0x60336000: the memmap gives 88-187 where the log says 88-188.)
        let extra: Vec<u8> = a
            .valid_slides
            .iter()
            .copied()
            .filter(|s| !valid.contains(s))
            .collect();
        assert!(
            extra.is_empty(),
            "slides usable in the memmap but not at boot: {extra:?}"
        );
        for missing in valid.iter().filter(|s| !a.valid_slides.contains(s)) {
            let scan = &a.scans[usize::from(*missing)];
            let blocker = scan.blocked_by.map(|i| map.descriptors[i].mem_type);
            assert!(
                matches!(blocker, Some(MemType::LoaderCode | MemType::LoaderData)),
                "slide {missing} is blocked by {blocker:?}, not by the shell's own image"
            );
        }
        assert!(
            (count as usize).abs_diff(a.valid_count) <= 2,
            "close: {count} vs {}",
            a.valid_count
        );
    }
}

/// The tkkinn A315-55G pair: its log says `All slides are usable!` (with
/// DevirtualiseMmio off, `DEVMMIO 0` in its header); the memmap agrees.
#[test]
fn tkkinn_memmap_matches_its_log() {
    let Some(root) = corpus() else {
        println!("skipped: ../shared/corpus not found");
        return;
    };
    let key = "tkkinn__OpenCore-A315-55G";
    let find = |sub: &str| {
        files(&root.join(sub))
            .into_iter()
            .find(|p| p.to_string_lossy().contains(key))
    };
    let (Some(memmap), Some(log)) = (find("memmaps"), find("logs")) else {
        println!("skipped: tkkinn pair not in the corpus");
        return;
    };
    let Ok(Evidence::Log(l)) = parse_evidence(&fs::read(log).expect("readable"), None) else {
        panic!("the tkkinn log parses as an OpenCore log");
    };
    assert_eq!(l.slide_report, Some(LoggedSlides::AllUsable));
    assert_eq!(l.flag("DEVMMIO"), Some(0));
    let Ok(Evidence::Map(m)) = parse_evidence(&fs::read(memmap).expect("readable"), None) else {
        panic!("the tkkinn memmap parses as a map");
    };
    assert_eq!(simulate(&m, &SlideOptions::default()).valid_count, 256);
}
