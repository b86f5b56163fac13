//! CLI tests for `ocaudit slide` and `ocaudit mmio`: in-process through
//! their `run` functions, and end to end through the binary.

use std::path::{Path, PathBuf};

use ocaudit::memmap;

use ocaudit::cli::{mmio, slide};

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

fn ocaudit() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(env!("CARGO_BIN_EXE_ocaudit"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn binary_slide_with_config_and_exit_codes() {
    let map = path("acceptance.txt");
    // The fixed Z390 sample turns DevirtualiseMmio on and whitelists 0xFF000000.
    let out = ocaudit()
        .args([
            "slide",
            &map,
            "--config",
            "sample-configs/z390-kaslr-fixed.plist",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid_count"], 148);
    assert_eq!(v["ranges"], "0-19, 128-255");
    // A flag overrides the config.
    let out = ocaudit()
        .args([
            "slide",
            &map,
            "--config",
            "sample-configs/z390-kaslr-fixed.plist",
            "--devirtualise-mmio",
            "off",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid_count"], 128);
    ocaudit().args(["slide", "Cargo.toml"]).assert().code(2);
    ocaudit()
        .args(["slide", "no/such/memmap.txt"])
        .assert()
        .code(2);
}

#[test]
fn binary_check_with_memmap_evidence() {
    let map = path("acceptance.txt");
    let out = ocaudit()
        .args([
            "check",
            "sample-configs/laptop-clean.plist",
            "--memmap",
            &map,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    // 128 usable as configured, 156 with DevirtualiseMmio (the acceptance figures).
    assert!(
        codes.contains(&"M001") && codes.contains(&"M004"),
        "{codes:?}"
    );
    let m004 = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "M004")
        .unwrap();
    assert!(
        m004["message"]
            .as_str()
            .unwrap()
            .contains("from 128 to 156"),
        "{m004}"
    );
    assert_eq!(out.status.code(), Some(1));
}
