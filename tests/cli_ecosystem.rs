//! CLI tests for the ecosystem features: SARIF and GitHub output, the JSON
//! schema, completions, man pages, `--efi`, many files, colours, the
//! pre-commit hook, the CI recipe and the packaged file list.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ocaudit(args: &[&str]) -> Output {
    ocaudit_env(args, &[])
}

/// Run the binary with a clean colour environment plus `env`.
fn ocaudit_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ocaudit"));
    cmd.args(args)
        .current_dir(manifest())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_BACKTRACE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the ocaudit binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// Every bundled sample config, relative to the manifest.
fn samples() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(manifest().join("sample-configs"))
        .expect("sample-configs exists")
        .filter_map(Result::ok)
        .map(|e| format!("sample-configs/{}", e.file_name().to_string_lossy()))
        .filter(|p| p.ends_with(".plist"))
        .collect();
    v.sort();
    assert!(v.len() >= 2, "expected several samples, found {v:?}");
    v
}

const EFI_CONFIG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>ACPI</key>
	<dict>
		<key>Add</key>
		<array>
			<dict>
				<key>Enabled</key>
				<true/>
				<key>Path</key>
				<string>SSDT-EC.aml</string>
			</dict>
			<dict>
				<key>Enabled</key>
				<true/>
				<key>Path</key>
				<string>SSDT-PLUG.aml</string>
			</dict>
		</array>
	</dict>
	<key>Kernel</key>
	<dict>
		<key>Add</key>
		<array>
			<dict>
				<key>BundlePath</key>
				<string>Lilu.kext</string>
				<key>Enabled</key>
				<true/>
				<key>ExecutablePath</key>
				<string>Contents/MacOS/Lilu</string>
				<key>PlistPath</key>
				<string>Contents/Info.plist</string>
			</dict>
			<dict>
				<key>BundlePath</key>
				<string>VoodooI2C.kext/Contents/PlugIns/VoodooInput.kext/Contents/PlugIns/SomeVeryLongVendorSpecificTouchpadSatellite.kext</string>
				<key>Enabled</key>
				<true/>
				<key>ExecutablePath</key>
				<string>Contents/MacOS/SomeVeryLongVendorSpecificTouchpadSatellite</string>
				<key>PlistPath</key>
				<string>Contents/Info.plist</string>
			</dict>
		</array>
	</dict>
	<key>UEFI</key>
	<dict>
		<key>Drivers</key>
		<array>
			<dict>
				<key>Enabled</key>
				<true/>
				<key>Path</key>
				<string>OpenRuntime.efi</string>
			</dict>
		</array>
	</dict>
</dict>
</plist>
"#;

/// A volume root holding `EFI/OC` with one missing ACPI table, a kext
/// without its executable, a driver in the wrong case and a long kext path.
fn efi_volume(root: &Path) -> PathBuf {
    let oc = root.join("EFI/OC");
    let long = "Kexts/VoodooI2C.kext/Contents/PlugIns/VoodooInput.kext/Contents/PlugIns/\
                SomeVeryLongVendorSpecificTouchpadSatellite.kext/Contents";
    for rel in [
        "Drivers/openruntime.efi",
        "ACPI/SSDT-PLUG.aml",
        "Kexts/Lilu.kext/Contents/Info.plist",
        &format!("{long}/Info.plist"),
        &format!("{long}/MacOS/SomeVeryLongVendorSpecificTouchpadSatellite"),
    ] {
        let p = oc.join(rel);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&p, b"x").expect("write");
    }
    std::fs::write(oc.join("config.plist"), EFI_CONFIG).expect("write config");
    oc
}

fn codes_at(report: &Value) -> Vec<(String, String)> {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().expect("diagnostics").iter())
        .map(|d| {
            (
                d["code"].as_str().expect("code").to_owned(),
                d["path"].as_str().expect("path").to_owned(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- SARIF

fn sarif_schema() -> (PathBuf, Value) {
    let p = manifest().join("tests/fixtures/sarif-2.1.0-required.schema.json");
    let v = serde_json::from_str(&std::fs::read_to_string(&p).expect("schema readable"))
        .expect("schema is JSON");
    (p, v)
}

#[test]
fn sarif_has_the_required_fields_and_agrees_with_json() {
    let (schema_path, schema) = sarif_schema();
    let t = tempfile::tempdir().expect("tempdir");
    efi_volume(t.path());
    let efi = t.path().to_str().expect("utf8 temp path");
    let mut runs: Vec<Vec<String>> = samples().into_iter().map(|s| vec![s]).collect();
    runs.push(vec!["--efi".into(), efi.into()]);
    let mut checked = Vec::new();
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let sarif_out = ocaudit(&[&["check", "--format", "sarif"], &args[..]].concat());
        let json_out = ocaudit(&[&["check", "--format", "json"], &args[..]].concat());
        assert_eq!(sarif_out.status.code(), json_out.status.code(), "{args:?}");
        let sarif = json_of(&sarif_out);
        let errors = support::validate(&schema, &sarif);
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        checked.push(sarif.clone());
        // The same findings, at the same places, as the JSON contract.
        let json = json_of(&json_out);
        let run = &sarif["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let results = run["results"].as_array().expect("results");
        let diags: Vec<&Value> = json["files"]
            .as_array()
            .expect("files")
            .iter()
            .flat_map(|f| f["diagnostics"].as_array().expect("diagnostics"))
            .collect();
        assert_eq!(results.len(), diags.len(), "{args:?}");
        for (r, d) in results.iter().zip(diags) {
            assert_eq!(r["ruleId"], d["code"]);
            assert_eq!(r["message"]["text"], d["message"]);
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], d["line"]);
            assert_eq!(region["startColumn"], d["column"]);
            let level = match d["severity"].as_str() {
                Some("info") => "note",
                other => other.expect("severity"),
            };
            assert_eq!(r["level"], level);
            let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at its rule");
        }
    }
    python_cross_check(&schema_path, &checked);
}

/// A second opinion from a full JSON Schema implementation, when installed.
fn python_cross_check(schema: &Path, instances: &[Value]) {
    match support::python_validate(schema, instances) {
        Some(r) => r.unwrap_or_else(|e| panic!("python jsonschema: {e}")),
        None => println!("skipped: python3 jsonschema not installed, no second validation"),
    }
}

#[test]
fn sarif_lists_every_rule_once_with_its_docs() {
    let sarif = json_of(&ocaudit(&[
        "check",
        "--format",
        "sarif",
        "sample-configs/z390-kaslr-fixed.plist",
    ]));
    let listed = json_of(&ocaudit(&["rules", "--format", "json"]));
    let want: Vec<&str> = listed
        .as_array()
        .expect("rule list")
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect();
    let driver = &sarif["runs"][0]["tool"]["driver"];
    let got: Vec<&str> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(got, want);
    let explain = stdout(&ocaudit(&["explain", "F002"]));
    let f002 = &driver["rules"][got.iter().position(|c| *c == "F002").expect("F002")];
    assert!(explain.contains(f002["help"]["markdown"].as_str().expect("help")));
    assert_eq!(driver["name"], "ocaudit");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
}

// --------------------------------------------------------------- GitHub

#[test]
fn github_commands_match_the_json_findings() {
    let re = regex::Regex::new(
        r"^::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+),title=([A-Z]\d{3})::(.+)$",
    )
    .expect("regex");
    for sample in samples() {
        let out = ocaudit(&["check", "--format", "github", &sample]);
        let json_out = ocaudit(&["check", "--format", "json", &sample]);
        assert_eq!(out.status.code(), json_out.status.code(), "{sample}");
        let json = json_of(&json_out);
        let diags = json["files"][0]["diagnostics"].as_array().expect("diags");
        let text = stdout(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), diags.len(), "{sample}: {text}");
        for (line, d) in lines.iter().zip(diags) {
            let c = re
                .captures(line)
                .unwrap_or_else(|| panic!("not a workflow command: {line}"));
            let want_level = match d["severity"].as_str().expect("severity") {
                "info" => "notice",
                s => s,
            };
            assert_eq!(&c[1], want_level);
            assert_eq!(&c[2], sample);
            assert_eq!(c[3].parse::<u64>().ok(), d["line"].as_u64());
            assert_eq!(c[4].parse::<u64>().ok(), d["column"].as_u64());
            assert_eq!(&c[5], d["code"].as_str().expect("code"));
            assert_eq!(&c[6], d["message"].as_str().expect("message"));
        }
    }
}

#[test]
fn github_escapes_properties_in_paths() {
    let t = tempfile::tempdir().expect("tempdir");
    let p = t.path().join("a,b:c%.plist");
    std::fs::write(&p, "<plist><dict><key>Booter</key><dict><key>Quirks</key><dict><key>AvoidRuntimeDefrag</key><false/></dict></dict></dict></plist>").expect("write");
    let out = ocaudit(&[
        "check",
        "--format",
        "github",
        "--select",
        "B001",
        p.to_str().expect("utf8"),
    ]);
    let text = stdout(&out);
    assert!(text.contains("a%2Cb%3Ac%25.plist,line=1,"), "{text}");
    assert!(text.starts_with("::warning file="), "{text}");
}

// ----------------------------------------------------------- JSON schema

#[test]
fn json_output_matches_the_documented_schema() {
    let schema_path = manifest().join("docs/json.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).expect("schema"))
            .expect("JSON");
    let t = tempfile::tempdir().expect("tempdir");
    efi_volume(t.path());
    let broken = t.path().join("broken.plist");
    std::fs::write(&broken, "<plist><dict><key>A</key>").expect("write");
    let binary = t.path().join("binary.plist");
    std::fs::write(&binary, b"bplist00\x00\x01").expect("write");
    let mut runs: Vec<Vec<String>> = samples().into_iter().map(|s| vec![s]).collect();
    runs.push(samples());
    runs.push(vec![
        broken.display().to_string(),
        binary.display().to_string(),
    ]);
    runs.push(vec!["--efi".into(), t.path().display().to_string()]);
    let mut seen_fix = false;
    let mut checked = Vec::new();
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = ocaudit(&[&["check", "--format", "json"], &args[..]].concat());
        let report = json_of(&out);
        let errors = support::validate(&schema, &report);
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        checked.push(report.clone());
        seen_fix |= report.to_string().contains("\"applicability\"");
    }
    python_cross_check(&schema_path, &checked);
    assert!(seen_fix, "the samples exercise the fix object");
}

#[test]
fn json_doc_names_every_field_the_schema_has() {
    let doc = std::fs::read_to_string(manifest().join("docs/json.md")).expect("docs/json.md");
    let schema = std::fs::read_to_string(manifest().join("docs/json.schema.json")).expect("schema");
    let schema: Value = serde_json::from_str(&schema).expect("JSON");
    let mut names = Vec::new();
    collect_properties(&schema, &mut names);
    for name in names {
        assert!(
            doc.contains(&format!("`{name}`")),
            "docs/json.md does not describe `{name}`"
        );
    }
}

fn collect_properties(v: &Value, out: &mut Vec<String>) {
    if let Some(o) = v.as_object() {
        if let Some(props) = o.get("properties").and_then(Value::as_object) {
            out.extend(props.keys().cloned());
        }
        for sub in o.values() {
            collect_properties(sub, out);
        }
    } else if let Some(a) = v.as_array() {
        a.iter().for_each(|x| collect_properties(x, out));
    }
}

// ------------------------------------------------- completions and man

#[test]
fn completions_for_each_shell() {
    let markers = [
        ("bash", "complete -F"),
        ("zsh", "#compdef ocaudit"),
        ("fish", "complete -c ocaudit"),
        ("powershell", "Register-ArgumentCompleter"),
    ];
    for (shell, marker) in markers {
        let out = ocaudit(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(marker), "{shell} script lacks `{marker}`");
        for word in ["check", "explain", "completions", "man", "efi", "format"] {
            assert!(
                text.contains(word),
                "{shell} script does not complete `{word}`"
            );
        }
        // PowerShell's generator completes flags, not their values.
        if shell != "powershell" {
            assert!(
                text.contains("sarif") && text.contains("github"),
                "{shell}: --format values"
            );
        }
        // Where the shell is installed, the script must at least parse.
        let syntax = match shell {
            "bash" => Some(("bash", vec!["-n"])),
            "zsh" => Some(("zsh", vec!["-n"])),
            "fish" => Some(("fish", vec!["--no-execute"])),
            _ => None,
        };
        if let Some((prog, flags)) = syntax {
            let t = tempfile::NamedTempFile::new().expect("temp");
            std::fs::write(t.path(), &text).expect("write");
            if let Ok(st) = Command::new(prog).args(&flags).arg(t.path()).status() {
                assert!(st.success(), "{prog} rejects the {shell} completion script");
            } else {
                println!("skipped: {prog} not installed, syntax of the {shell} script not checked");
            }
        }
    }
    let out = ocaudit(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_pages() {
    let out = ocaudit(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.contains(".TH ocaudit 1"), "{page}");
    assert!(
        page.contains("ocaudit\\-check(1)"),
        "lists the subcommand pages"
    );
    let out = ocaudit(&["man", "check"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.contains(".TH ocaudit-check 1"), "{page}");
    for flag in [
        "\\-\\-efi",
        "\\-\\-format",
        "\\-\\-color",
        "sarif",
        "github",
    ] {
        assert!(page.contains(flag), "ocaudit-check(1) lacks {flag}");
    }
    let out = ocaudit(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("man pages exist for: check"),
        "{}",
        stderr(&out)
    );
}

// ------------------------------------------------------------------ --efi

#[test]
fn efi_folder_finds_the_config_and_checks_its_files() {
    let t = tempfile::tempdir().expect("tempdir");
    let oc = efi_volume(t.path());
    let want = vec![
        ("F001".to_owned(), "ACPI/Add/0/Path".to_owned()),
        ("F001".to_owned(), "Kernel/Add/0/ExecutablePath".to_owned()),
        ("F002".to_owned(), "Kernel/Add/1/ExecutablePath".to_owned()),
        ("F002".to_owned(), "Kernel/Add/1/PlistPath".to_owned()),
        ("F003".to_owned(), "UEFI/Drivers/0/Path".to_owned()),
    ];
    // The volume root, the EFI folder and the OC folder all work.
    for dir in [t.path().to_owned(), t.path().join("EFI"), oc.clone()] {
        let out = ocaudit(&[
            "check",
            "--format",
            "json",
            "--select",
            "F",
            "--efi",
            dir.to_str().expect("utf8"),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let report = json_of(&out);
        assert_eq!(codes_at(&report), want, "--efi {}", dir.display());
        let path = report["files"][0]["path"].as_str().expect("path");
        assert!(path.ends_with("config.plist"), "{path}");
    }
    // The same config without --efi: no F rule runs.
    let config = oc.join("config.plist");
    let out = ocaudit(&[
        "check",
        "--format",
        "json",
        "--select",
        "F",
        config.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(codes_at(&json_of(&out)).is_empty());
}

#[test]
fn efi_messages_name_the_limit_and_the_case_rule() {
    let t = tempfile::tempdir().expect("tempdir");
    efi_volume(t.path());
    let out = ocaudit(&[
        "check",
        "--select",
        "F002,F003",
        "--efi",
        t.path().to_str().expect("utf8"),
    ]);
    let text = stdout(&out);
    // VoodooI2C...Satellite.kext + Contents/MacOS/Satellite, as OpenCore measures it.
    let bundle = "VoodooI2C.kext/Contents/PlugIns/VoodooInput.kext/Contents/PlugIns/SomeVeryLongVendorSpecificTouchpadSatellite.kext";
    let exe = "Contents/MacOS/SomeVeryLongVendorSpecificTouchpadSatellite";
    let n = "Kexts\\".len() + bundle.len() + 1 + exe.len() + 1;
    assert!(text.contains(&format!("{n} bytes")), "{text}");
    assert!(text.contains("128-byte limit"), "{text}");
    assert!(text.contains("192"), "{text}");
    assert!(text.contains("FAT32"), "{text}");
    assert!(text.contains("compares some names as written"), "{text}");
}

#[test]
fn efi_with_explicit_config_and_errors() {
    let t = tempfile::tempdir().expect("tempdir");
    efi_volume(t.path());
    let draft = t.path().join("draft.plist");
    std::fs::write(&draft, EFI_CONFIG.replace("SSDT-EC.aml", "SSDT-PLUG.aml")).expect("write");
    let out = ocaudit(&[
        "check",
        "--format",
        "json",
        "--select",
        "F001",
        "--efi",
        t.path().to_str().expect("utf8"),
        draft.to_str().expect("utf8"),
    ]);
    let report = json_of(&out);
    assert_eq!(report["files"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        codes_at(&report),
        vec![("F001".to_owned(), "Kernel/Add/0/ExecutablePath".to_owned())]
    );
    let out = ocaudit(&[
        "check",
        "--efi",
        t.path().join("nope").to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a directory"), "{}", stderr(&out));
    let empty = tempfile::tempdir().expect("tempdir");
    let out = ocaudit(&["check", "--efi", empty.path().to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no OC folder"), "{}", stderr(&out));
}

#[test]
fn efi_dot_gives_repository_relative_annotations() {
    let t = tempfile::tempdir().expect("tempdir");
    efi_volume(t.path());
    let out = Command::new(env!("CARGO_BIN_EXE_ocaudit"))
        .args([
            "check", "--format", "github", "--select", "F001", "--efi", ".",
        ])
        .current_dir(t.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 2, "{text}");
    for line in text.lines() {
        assert!(
            line.starts_with("::error file=EFI/OC/config.plist,line="),
            "{line}"
        );
        assert!(line.contains(",title=F001::"), "{line}");
    }
}

// --------------------------------------------------------- many files

#[test]
fn many_efi_folders_get_per_file_and_total_lines_and_no_bar_in_pipes() {
    let t = tempfile::tempdir().expect("tempdir");
    let names = ["a", "b", "c", "d", "e"];
    for n in names {
        efi_volume(&t.path().join(n));
    }
    // One clean machine among them.
    let clean = t.path().join("c/EFI/OC/config.plist");
    std::fs::write(&clean, "<plist><dict/></plist>").expect("write");
    let args = [
        "check",
        "--select",
        "F",
        "--efi",
        t.path().to_str().expect("utf8"),
    ];
    let out = ocaudit(&args);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    // The counts each line should show, from the JSON of the same run.
    let json = json_of(&ocaudit(&[&args[..], &["--format", "json"]].concat()));
    let counts: Vec<[usize; 3]> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let d = f["diagnostics"].as_array().expect("diagnostics");
            let n = |s: &str| d.iter().filter(|x| x["severity"] == s).count();
            [n("error"), n("warning"), n("info")]
        })
        .collect();
    assert_eq!(counts.len(), names.len());
    assert_eq!(counts[2], [0, 0, 0], "the clean machine");
    assert!(counts[0][0] > 0 && counts[0][1] > 0, "{counts:?}");
    let per_file: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("config.plist: ") && l.ends_with(" info)"))
        .collect();
    assert_eq!(per_file.len(), names.len(), "{text}");
    for (line, [e, w, i]) in per_file.iter().zip(&counts) {
        let state = if e + w == 0 { "ok" } else { "problems" };
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let want = format!(
            "config.plist: {state} ({e} error{}, {w} warning{}, {i} info)",
            plural(*e),
            plural(*w)
        );
        assert!(line.ends_with(&want), "{line} vs {want}");
    }
    let total: usize = counts.iter().flatten().sum();
    let last = text.lines().last().expect("a total line");
    assert!(
        last.starts_with(&format!("Found {total} problems in 5 files")),
        "{last}"
    );
    // stderr is a pipe here: no progress bar, no carriage returns.
    let err = stderr(&out);
    assert!(!err.contains('\r') && !err.contains("files"), "{err:?}");
    // One file: no per-file line.
    let one = ocaudit(&["check", "sample-configs/z390-kaslr-fixed.plist"]);
    assert!(!stdout(&one).contains("config.plist: "));
}

/// Run `ocaudit ARGS >/dev/null` under a pseudo-terminal (util-linux
/// `script`), returning what the terminal showed; `None` without `script`.
fn on_terminal(args: &str) -> Option<String> {
    let cmd = format!("{} {args} >/dev/null", env!("CARGO_BIN_EXE_ocaudit"));
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .env_remove("NO_COLOR")
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn progress_bar_on_a_terminal_for_several_files_only() {
    let t = tempfile::tempdir().expect("tempdir");
    for n in ["a", "b", "c", "d", "e", "f"] {
        efi_volume(&t.path().join(n));
    }
    let many = format!("check --select F --efi {}", t.path().display());
    let Some(screen) = on_terminal(&many) else {
        println!("skipped: `script` not installed, no pseudo-terminal to draw on");
        return;
    };
    assert!(screen.contains("6/6 files"), "{screen:?}");
    let one = format!("check --select F --efi {}", t.path().join("a").display());
    let screen = on_terminal(&one).expect("script ran before");
    assert!(!screen.contains("files"), "{screen:?}");
}

// --------------------------------------------------------------- colour

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let sample = "sample-configs/z390-kaslr-broken.plist";
    let esc = |o: &Output| o.stdout.contains(&0x1b);
    assert!(!esc(&ocaudit(&["check", sample])), "a pipe gets no colour");
    assert!(esc(&ocaudit(&["check", "--color", "always", sample])));
    assert!(!esc(&ocaudit(&["check", "--color", "never", sample])));
    assert!(esc(&ocaudit_env(
        &["check", sample],
        &[("CLICOLOR_FORCE", "1")]
    )));
    assert!(!esc(&ocaudit_env(
        &["check", sample],
        &[("CLICOLOR_FORCE", "0")]
    )));
    assert!(!esc(&ocaudit_env(
        &["check", sample],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    )));
    assert!(!esc(&ocaudit_env(
        &["check", "--color", "never", sample],
        &[("CLICOLOR_FORCE", "1")]
    )));
    for format in ["json", "sarif", "github"] {
        let o = ocaudit(&["check", "--color", "always", "--format", format, sample]);
        assert!(!esc(&o), "{format} output must never hold escape codes");
    }
}

// ------------------------------------------------- pre-commit and CI

/// The value of `key:` in a flat YAML block (quotes removed).
fn yaml_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .map(|l| l.trim_start().trim_start_matches("- "))
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().trim_matches('\'').trim_matches('"'))
}

#[test]
fn pre_commit_hook_runs_check_on_config_plists() {
    let text = std::fs::read_to_string(manifest().join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml");
    assert_eq!(yaml_value(&text, "id"), Some("ocaudit-check"));
    assert_eq!(yaml_value(&text, "entry"), Some("ocaudit check"));
    assert_eq!(yaml_value(&text, "language"), Some("rust"));
    let files = regex::Regex::new(yaml_value(&text, "files").expect("files")).expect("regex");
    for yes in [
        "EFI/OC/config.plist",
        "backup/EFI/OC/Config.plist",
        "config.plist",
    ] {
        assert!(files.is_match(yes), "{yes}");
    }
    for no in [
        "EFI/OC/config.plist.bak",
        "EFI/OC/Kexts/Lilu.kext/Contents/Info.plist",
    ] {
        assert!(!files.is_match(no), "{no}");
    }
    // pre-commit runs `entry` with the matching files appended.
    let out = ocaudit(&[
        "check",
        "sample-configs/z390-kaslr-fixed.plist",
        "sample-configs/laptop-clean.plist",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = ocaudit(&["check", "sample-configs/z390-kaslr-broken.plist"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a broken config blocks the commit"
    );
}

#[test]
fn ci_doc_has_a_ready_workflow() {
    let text = std::fs::read_to_string(manifest().join("docs/ci.md")).expect("docs/ci.md");
    for needle in [
        "cargo install --locked --git https://",
        "ocaudit check --format github EFI/OC/config.plist",
        "--format sarif",
        "github/codeql-action/upload-sarif",
        "security-events: write",
        "pull_request",
    ] {
        assert!(text.contains(needle), "docs/ci.md lacks `{needle}`");
    }
    // Every `ocaudit` command line in the doc parses (clap exits 2 on bad usage).
    let commands = text
        .lines()
        .map(|l| l.trim().trim_start_matches("run: "))
        .filter(|l| l.starts_with("ocaudit "));
    let mut count = 0;
    for line in commands {
        count += 1;
        let line = line.split(" >").next().unwrap_or(line);
        let mut args: Vec<&str> = line.split_whitespace().skip(1).collect();
        args.push("--help");
        let out = ocaudit(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "docs/ci.md: `{line}`: {}",
            stderr(&out)
        );
    }
    assert!(count >= 3, "docs/ci.md shows the commands it runs");
}

// ------------------------------------------------------------- package

#[test]
fn package_lists_no_shared_data_and_small_fixtures() {
    let out = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(manifest())
        .output()
        .expect("cargo runs");
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        // The README is written on its own branch; until it is merged,
        // cargo refuses to list, and that is the only acceptable failure.
        if !manifest().join("README.md").exists() && err.contains("readme `README.md`") {
            println!("skipped: README.md not written yet, cargo package --list needs it");
            return;
        }
        panic!("cargo package --list failed: {err}");
    }
    let list = String::from_utf8_lossy(&out.stdout);
    let files: Vec<&str> = list.lines().collect();
    for must in [
        "Cargo.toml",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "src/main.rs",
        "rules/B001.md",
        "rules/platforms.json",
        "docs/json.schema.json",
    ] {
        assert!(files.contains(&must), "package lacks {must}");
    }
    for f in &files {
        assert!(
            !f.starts_with("..") && !f.contains("shared/"),
            "package holds {f}"
        );
        assert!(
            !f.starts_with("target/") && !f.starts_with(".ci/"),
            "package holds {f}"
        );
        if f.starts_with("tests/fixtures/") {
            let size = std::fs::metadata(manifest().join(f))
                .map(|m| m.len())
                .unwrap_or(0);
            assert!(
                size <= 64 * 1024,
                "{f} is {size} bytes; keep fixtures small"
            );
        }
    }
}
