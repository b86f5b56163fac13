//! Release-aware rules (B011, S005) and `fix --upgrade-to` followed by
//! further `fix` runs, for every release ocaudit knows.

use std::path::Path;

use ocaudit::audit::{self, AuditOptions};
use ocaudit::fixer::{self, FixOptions};
use ocaudit::rules::CheckOptions;

/// A config in the style of OpenCore 0.5.5 (written for these tests):
/// NVRAM/Block lists boot-args, FwRuntimeServices.efi is the runtime driver.
fn old_config() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oc-0.5.5-style.plist");
    std::fs::read_to_string(p).expect("fixture")
}

fn opts(select: &[&str], release: Option<&str>) -> AuditOptions {
    AuditOptions {
        check: CheckOptions {
            select: select.iter().map(|s| s.to_string()).collect(),
            ignore: Vec::new(),
        },
        oc_version: release.map(str::to_owned),
        ..Default::default()
    }
}

/// The findings of `text`: (code, message, has a fix, help).
fn findings(text: &str, o: &AuditOptions) -> Vec<(String, String, bool, Option<String>)> {
    audit::audit_bytes("config.plist", text.as_bytes().to_vec(), o)
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.rule.code.to_owned(),
                d.message.clone(),
                d.fix.is_some(),
                d.help.clone(),
            )
        })
        .collect()
}

#[test]
fn old_releases_accept_their_own_names() {
    let text = old_config();
    for release in [Some("0.5.0"), Some("0.5.5"), Some("0.5.6"), None] {
        let o = opts(&["B011", "S005"], release);
        assert_eq!(findings(&text, &o), [], "{release:?}");
    }
    // 0.5.7 and 0.5.8: the driver is OpenRuntime.efi, Block is still read.
    let f = findings(&text, &opts(&["B011", "S005"], Some("0.5.8")));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "B011");
    assert!(f[0].1.contains("need OpenRuntime.efi"), "{}", f[0].1);
    assert!(!f[0].2, "no rename outside an upgrade");
    assert!(
        f[0].3
            .as_deref()
            .is_some_and(|h| h.contains("--upgrade-to 0.5.8"))
    );
}

#[test]
fn s005_writes_the_release_name() {
    let text = old_config().replace(
        "<string>boot-args</string>",
        "<string>csr-active-config</string>",
    );
    let o = FixOptions {
        audit: opts(&["S005"], Some("0.5.5")),
        ..Default::default()
    };
    let out = fixer::fix("config.plist", text.clone().into_bytes(), &o).expect("fix");
    let l = audit::load("config.plist", out.text.into_bytes()).expect("loads");
    assert!(l.config.nvram.delete.is_none(), "no NVRAM/Delete in 0.5.5");
    let names = &l.config.nvram.block_apple.expect("Block list").1;
    assert_eq!(names, &["csr-active-config", "boot-args"]);
    // From 0.5.9 the list is called Delete: Block is read as nothing, and
    // S005 says so without adding a second list.
    let f = findings(&old_config(), &opts(&["S005"], Some("0.5.9")));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].1
            .contains("NVRAM/Block, which OpenCore 0.5.9 does not read"),
        "{}",
        f[0].1
    );
    assert!(!f[0].2);
}

#[test]
fn b011_adds_the_release_driver_name() {
    let text = old_config().replace("\t\t\t<string>FwRuntimeServices.efi</string>\n", "");
    let o = FixOptions {
        audit: opts(&["B011"], Some("0.5.6")),
        unsafe_fixes: true,
        ..Default::default()
    };
    let out = fixer::fix("config.plist", text.into_bytes(), &o).expect("fix");
    assert!(
        out.text
            .contains("<string>HFSPlus.efi</string>\n\t\t\t<string>FwRuntimeServices.efi</string>"),
        "{}",
        out.text
    );
}

/// `fix --upgrade-to R`, then plain `fix` twice: the plain runs change
/// nothing, for every release (every rule, and the upgrade itself).
#[test]
fn upgrade_then_fix_is_idempotent_for_every_release() {
    let text = old_config();
    for &release in ocaudit::schema::releases() {
        let up = FixOptions {
            audit: opts(&[], None),
            upgrade_to: Some(release.to_owned()),
            ..Default::default()
        };
        let first = fixer::fix("config.plist", text.clone().into_bytes(), &up)
            .unwrap_or_else(|e| panic!("{release}: {e:?}"));
        let plain = FixOptions {
            audit: opts(&[], None),
            ..Default::default()
        };
        let mut now = first.text.clone();
        for run in 1..=2 {
            let next = fixer::fix("config.plist", now.clone().into_bytes(), &plain)
                .unwrap_or_else(|e| panic!("{release} run {run}: {e:?}"));
            assert_eq!(
                next.text, now,
                "{release}: run {run} after the upgrade changed the file: {:?}",
                next.fixes
            );
            now = next.text;
        }
        let l = audit::load("config.plist", now.into_bytes()).expect("loads");
        // boot-args keep every token, and stay listed under the release's name.
        assert_eq!(
            l.config.boot_args.expect("boot-args").value,
            "-v keepsyms=1 alcid=1"
        );
        let block_era =
            ocaudit::schema::release_index(release) <= ocaudit::schema::release_index("0.5.8");
        let list = if block_era {
            &l.config.nvram.block_apple
        } else {
            &l.config.nvram.delete_apple
        };
        assert!(
            list.as_ref()
                .is_some_and(|(_, n)| n.iter().any(|n| n == "boot-args")),
            "{release}: {:?} / {:?}",
            l.config.nvram.block_apple,
            l.config.nvram.delete_apple
        );
        let driver = l.config.drivers.expect("drivers").entries.iter().any(|e| {
            e.path
                == if ocaudit::schema::release_index(release)
                    <= ocaudit::schema::release_index("0.5.6")
                {
                    "FwRuntimeServices.efi"
                } else {
                    "OpenRuntime.efi"
                }
        });
        assert!(driver, "{release}: runtime driver name");
    }
}
