//! Running the binary, reading its output, and the EFI-folder fixture.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The crate root.
pub fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary with `args` in the crate root.
pub fn ocaudit(args: &[&str]) -> Output {
    ocaudit_env(args, &[])
}

/// Run the binary with a clean colour environment plus `env`.
pub fn ocaudit_env(args: &[&str], env: &[(&str, &str)]) -> Output {
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

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output parsed as JSON.
pub fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// The `.plist` files directly in `dir`, sorted (none when it is absent).
pub fn plists(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "plist"));
    v.sort();
    v
}

/// Every bundled sample config, relative to the manifest.
pub fn samples() -> Vec<String> {
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

/// The config of [`efi_volume`].
pub const EFI_CONFIG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
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
pub fn efi_volume(root: &Path) -> PathBuf {
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

/// (code, key path) of every diagnostic in a JSON report.
pub fn codes_at(report: &Value) -> Vec<(String, String)> {
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
