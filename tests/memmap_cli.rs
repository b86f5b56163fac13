//! CLI tests for `src/cli/slide.rs` and `src/cli/mmio.rs`, compiled here
//! directly (the command wiring in `src/cli/mod.rs` belongs to another part).

use std::path::{Path, PathBuf};

use ocaudit::memmap;

#[path = "../src/cli/mmio.rs"]
mod mmio;
#[path = "../src/cli/slide.rs"]
mod slide;

use clap::Parser;

#[derive(Parser)]
enum Cmd {
    Slide(slide::SlideArgs),
    Mmio(mmio::MmioArgs),
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/memmap")
        .join(name)
}

fn run(args: &[&str], config: Option<memmap::SlideOptions>) -> anyhow::Result<(u8, String)> {
    let mut out = Vec::new();
    let argv = std::iter::once("ocaudit").chain(args.iter().copied());
    let code = match Cmd::try_parse_from(argv)? {
        Cmd::Slide(a) => slide::run(&a, config, false, &mut out)?,
        Cmd::Mmio(a) => mmio::run(&a, config, false, &mut out)?,
    };
    Ok((code, String::from_utf8(out)?))
}

fn path(name: &str) -> String {
    fixture(name).display().to_string()
}

#[test]
fn slide_human_output_for_the_acceptance_map() {
    let (code, out) = run(&["slide", &path("acceptance.txt")], None).expect("runs");
    assert_eq!(code, 0);
    for needle in [
        "usable slides   128 of 256: 128-255",
        "fallback slide  128",
        "kernel area     495091712 bytes (472.2 MiB) = 69672 runtime pages",
        "  + DevirtualiseMmio, no whitelist                156  0-27, 128-255",
        "  128  ################################################################",
        "    0  ................................................................",
        "0x00000000E0000000     65536 pages",
        "1. [Quirk] enable Booter/Quirks/DevirtualiseMmio: usable slides 128 -> 156",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}

#[test]
fn slide_json_contract_and_flag_overrides() {
    let config = memmap::SlideOptions {
        devirtualise_mmio: true,
        ..Default::default()
    };
    let (_, out) = run(
        &[
            "slide",
            &path("acceptance.txt"),
            "--format",
            "json",
            "--whitelist",
            "0xFF000000",
        ],
        Some(config.clone()),
    )
    .expect("runs");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["valid_count"], 148);
    assert_eq!(v["ranges"], "0-19, 128-255");
    let (_, out) = run(
        &[
            "slide",
            &path("acceptance.txt"),
            "--format",
            "json",
            "--devirtualise-mmio",
            "off",
            "--max-slide",
            "200",
        ],
        Some(config),
    )
    .expect("runs");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        (v["valid_count"].as_u64(), v["decision"].as_str()),
        (Some(73), Some("some-usable"))
    );
    assert_eq!(v["estimated_kernel_area"], 495_091_712u64);
}

#[test]
fn slide_log_with_memmap_compares() {
    let args = [
        "slide",
        &path("log-devirt.txt"),
        "--memmap",
        &path("acceptance.txt"),
    ];
    let (_, out) = run(&args, None).expect("runs");
    assert!(out.contains("OpenCore 1.0.7 (REL, 2025-10-06)"), "{out}");
    assert!(
        out.contains("OpenCore reported: only 148/256 slides usable: 0-19, 128-255"),
        "{out}"
    );
    assert!(out.contains("MAT support: 1"), "{out}");
    assert!(
        out.contains("MmioWhitelist 0xFF000000"),
        "log options: {out}"
    );
    assert!(out.contains("they agree"), "{out}");
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let (_, out) = run(&json, None).expect("runs");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["comparison"]["agree"], true);
    assert_eq!(v["log"]["mat_support"], true);
}

#[test]
fn svg_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_svg = dir.path().join("map.svg");
    let (_, out) = run(
        &[
            "slide",
            &path("acceptance.txt"),
            "--svg",
            &out_svg.display().to_string(),
        ],
        None,
    )
    .expect("runs");
    assert!(out.contains("wrote "));
    let svg = std::fs::read_to_string(out_svg).expect("svg written");
    assert!(svg.starts_with("<svg"));
    let err = run(&["slide", &path("log-devirt.txt"), "--svg", "x.svg"], None).expect_err("no map");
    assert!(err.to_string().contains("--svg needs a memory map"));
}

#[test]
fn bad_inputs_are_errors_that_say_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, b"").expect("write");
    let err = run(&["slide", &empty.display().to_string()], None).expect_err("empty");
    assert!(err.to_string().contains("memmap > memmap.txt"), "{err}");
    let err = run(&["slide", "/nonexistent/memmap.txt"], None).expect_err("missing");
    assert!(
        err.to_string()
            .contains("cannot read /nonexistent/memmap.txt"),
        "{err}"
    );
    let err = run(&["slide", &dir.path().display().to_string()], None).expect_err("dir");
    assert!(err.to_string().contains("is a directory"), "{err}");
    assert!(run(&["slide", "x", "--whitelist", "0xZZ"], None).is_err());
    assert!(run(&["slide", "x", "--max-slide", "255"], None).is_err());
}

#[test]
fn mmio_human_json_and_plist() {
    let (_, out) = run(&["mmio", &path("acceptance.txt")], None).expect("runs");
    assert!(out.contains("6 runtime MMIO region(s)"), "{out}");
    assert!(
        out.contains("1. whitelist 0xFF000000 (4278190080): PCI root region"),
        "{out}"
    );
    assert!(
        out.contains("-> 148 usable slides (0-19, 128-255)"),
        "{out}"
    );
    let (_, out) = run(
        &["mmio", &path("acceptance.txt"), "--format", "plist"],
        None,
    )
    .expect("runs");
    assert!(out.starts_with("<array>\n") && out.contains("<integer>4261412864</integer>"));
    assert!(out.contains("<string>MMIO 0xFE000000 (0x11 pages)</string>"));
    let (_, out) = run(&["mmio", &path("acceptance.txt"), "--format", "json"], None).expect("runs");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["devirtualised_kib"], 278_620);
    assert_eq!(v["valid_count_without_whitelist"], 156);
    let (_, out) = run(&["mmio", &path("log-devirt.txt")], None).expect("log regions");
    assert!(out.contains("no (whitelist)"), "{out}");
    let dir = tempfile::tempdir().expect("tempdir");
    let bare = dir.path().join("bare.txt");
    std::fs::write(&bare, "OCABC: MAT support is 0\n").expect("write");
    let err = run(&["mmio", &bare.display().to_string()], None).expect_err("no devirt lines");
    assert!(err.to_string().contains("DevirtualiseMmio on"), "{err}");
}
