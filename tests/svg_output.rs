//! `ocaudit slide MEMMAP --svg TARGET` never destroys a file: not an input of
//! the run (also through a symlink), not a plist or any other file ocaudit
//! did not write unless `--force` (which backs it up first); an SVG it wrote
//! itself is replaced freely.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const MEMMAP: &str = include_str!("fixtures/memmap/acceptance.txt");
const CONFIG: &str = include_str!("../sample-configs/z390-kaslr-broken.plist");

fn slide(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocaudit"))
        .current_dir(dir)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("HOME", dir.join("home"))
        .env_remove("OCAUDIT_TEST_FAULT")
        .arg("slide")
        .args(args)
        .output()
        .expect("runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("memmap.txt"), MEMMAP).unwrap();
    fs::write(dir.path().join("config.plist"), CONFIG).unwrap();
    fs::write(dir.path().join("notes.svg"), "<svg><!-- mine --></svg>\n").unwrap();
    dir
}

#[test]
fn inputs_are_never_overwritten_even_with_force() {
    let dir = setup();
    let d = dir.path();
    #[cfg(unix)]
    std::os::unix::fs::symlink("memmap.txt", d.join("link.svg")).unwrap();
    let mut cases = vec![
        vec!["memmap.txt", "--svg", "memmap.txt"],
        vec![
            "memmap.txt",
            "--config",
            "config.plist",
            "--svg",
            "config.plist",
        ],
    ];
    if cfg!(unix) {
        cases.push(vec!["memmap.txt", "--svg", "link.svg"]);
    }
    for args in cases {
        for force in [false, true] {
            let mut args = args.clone();
            if force {
                args.push("--force");
            }
            let o = slide(d, &args);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
            assert!(text(&o).contains("an input of this run"), "{}", text(&o));
            assert_eq!(fs::read_to_string(d.join("memmap.txt")).unwrap(), MEMMAP);
            assert_eq!(fs::read_to_string(d.join("config.plist")).unwrap(), CONFIG);
        }
    }
}

#[test]
fn foreign_files_need_force_and_get_a_backup() {
    let dir = setup();
    let d = dir.path();
    for (target, what) in [("config.plist", "a plist"), ("notes.svg", "did not write")] {
        let before = fs::read_to_string(d.join(target)).unwrap();
        let o = slide(d, &["memmap.txt", "--svg", target]);
        assert_eq!(o.status.code(), Some(2), "{target}: {}", text(&o));
        assert!(text(&o).contains(what), "{}", text(&o));
        assert!(text(&o).contains("--force"), "{}", text(&o));
        assert_eq!(fs::read_to_string(d.join(target)).unwrap(), before);
    }
    let o = slide(d, &["memmap.txt", "--svg", "config.plist", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        fs::read_to_string(d.join("config.plist"))
            .unwrap()
            .starts_with("<svg")
    );
    let backups: Vec<_> = fs::read_dir(d.join("state/ocaudit/backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(fs::read_to_string(&backups[0]).unwrap(), CONFIG);
    assert!(
        text(&o).contains(&backups[0].display().to_string()),
        "{}",
        text(&o)
    );
}

#[test]
fn a_new_svg_is_marked_and_may_be_replaced_by_the_next_run() {
    let dir = setup();
    let d = dir.path();
    let o = slide(d, &["memmap.txt", "--svg", "map.svg"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let first = fs::read_to_string(d.join("map.svg")).unwrap();
    assert!(first.starts_with("<svg"));
    assert!(first.lines().nth(1).unwrap().contains("written by ocaudit"));
    let o = slide(d, &["memmap.txt", "--svg", "map.svg", "--max-slide", "100"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!d.join("state").exists(), "no backup of ocaudit's own SVG");
    let leftovers: Vec<_> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".ocaudit"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
