//! Pins the schema walk's findings (X004 schema part, X006-X009) and its
//! version inference to a slow, obvious reference walk kept here, over the
//! repository's sample configs, fixtures built here, OpenCore's own samples
//! and the corpus (those two are skipped when ../shared is absent). The
//! fast walk in `src/schema/check.rs` may take any shortcut, but it must
//! find exactly what this reference finds, in the same order.

#[path = "schema_pin/side.rs"]
mod side;

use std::path::{Path, PathBuf};

use ocaudit::audit::{self, AuditOptions};
use ocaudit::model::ConfigKind;
use ocaudit::plist::{Node, Value};
use ocaudit::rules::{CheckOptions, Evidence};
use ocaudit::schema::{self, Finding, Inference, Table};

/// A span as a sortable pair.
type Sp = (usize, usize);

fn sp(r: &std::ops::Range<usize>) -> Sp {
    (r.start, r.end)
}

/// What one finding says, in a comparable form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Pin {
    Unknown {
        path: String,
        norm: String,
        key: Option<usize>,
        span: Sp,
    },
    Missing {
        path: String,
        key: usize,
        dict: Sp,
    },
    WrongType {
        path: String,
        key: usize,
        expected: &'static str,
        span: Sp,
    },
    NotAscii {
        path: String,
        span: Sp,
        first: char,
    },
}

fn pin(f: &Finding) -> Pin {
    match f {
        Finding::Unknown {
            path,
            norm,
            key,
            entry,
        } => Pin::Unknown {
            path: path.clone(),
            norm: norm.clone(),
            key: *key,
            span: sp(&entry.key_span),
        },
        Finding::Missing { path, key, dict } => Pin::Missing {
            path: path.clone(),
            key: *key,
            dict: sp(&dict.span),
        },
        Finding::WrongType {
            path,
            key,
            expected,
            node,
        } => Pin::WrongType {
            path: path.clone(),
            key: *key,
            expected: expected.name(),
            span: sp(&node.span),
        },
        Finding::NotAscii { path, node, first } => Pin::NotAscii {
            path: path.clone(),
            span: sp(&node.span),
            first: *first,
        },
    }
}

// ---- the reference ----------------------------------------------------

/// Whether release `r` defines key `c`.
fn defines(t: &Table, c: usize, r: usize) -> bool {
    t.keys[c].at(r).is_some()
}

/// The schema as a plain tree: per key (and one more slot for the top
/// level), its children, found from each key's `parent` only.
struct Tree<'t> {
    t: &'t Table,
    kids: Vec<Vec<usize>>,
}

impl<'t> Tree<'t> {
    fn new(t: &'t Table) -> Self {
        let mut kids = vec![Vec::new(); t.keys.len() + 1];
        for (c, k) in t.keys.iter().enumerate() {
            kids[k.parent.unwrap_or(t.keys.len())].push(c);
        }
        Tree { t, kids }
    }

    fn kids(&self, parent: Option<usize>) -> &[usize] {
        &self.kids[parent.unwrap_or(self.t.keys.len())]
    }

    /// The schema key a config key named `name` under `parent` maps to:
    /// the free-key child `*` when the parent is a user map, else the
    /// child of that exact name.
    fn child_of(&self, parent: Option<usize>, name: &str) -> Option<usize> {
        let kids = self.kids(parent);
        let leaf = |c: &&usize| self.t.keys[**c].leaf;
        kids.iter()
            .find(|c| parent.is_some() && leaf(c) == "*")
            .or_else(|| kids.iter().find(|c| leaf(c) == name))
            .copied()
    }
}

fn join(path: &str, part: &str) -> String {
    if path.is_empty() {
        part.to_owned()
    } else {
        format!("{path}/{part}")
    }
}

/// The findings of one value that release `r` defines at key `c`, and
/// whether the walk goes into it.
fn value(t: &Table, c: usize, r: usize, node: &Node, path: &str, out: &mut Vec<Pin>) -> bool {
    let Some(v) = t.keys[c].at(r) else {
        return false;
    };
    let found = node.value.type_name();
    // A device property or NVRAM variable (any) is read as bytes: a dict
    // or an array cannot be one.
    let fits = match v.kind {
        schema::Kind::Any => found != "dict" && found != "array",
        kind => kind.name() == found,
    };
    if !fits {
        out.push(Pin::WrongType {
            path: path.to_owned(),
            key: c,
            expected: v.kind.name(),
            span: sp(&node.span),
        });
        return false;
    }
    if v.kind == schema::Kind::String
        && let Value::String(s) = &node.value
        && let Some(first) = s.chars().find(|&ch| !(' '..='~').contains(&ch))
    {
        out.push(Pin::NotAscii {
            path: path.to_owned(),
            span: sp(&node.span),
            first,
        });
    }
    true
}

/// Everything release `r` says about `node` (schema key `key`, `None` for
/// the root) at file path `path`, in file order.
fn reference(
    tree: &Tree,
    node: &Node,
    key: Option<usize>,
    r: usize,
    path: &str,
    out: &mut Vec<Pin>,
) {
    let t = tree.t;
    match &node.value {
        Value::Dict(d) => {
            let mut held = Vec::new();
            for e in d.entries.iter().filter(|e| !e.key.starts_with('#')) {
                let p = join(path, &e.key);
                let c = tree.child_of(key, &e.key);
                held.extend(c);
                match c.filter(|&c| defines(t, c, r)) {
                    None => out.push(Pin::Unknown {
                        path: p,
                        norm: match (c, key) {
                            (Some(c), _) => t.keys[c].path.to_owned(),
                            (None, Some(k)) => format!("{}/{}", t.keys[k].path, e.key),
                            (None, None) => e.key.to_string(),
                        },
                        key: c,
                        span: sp(&e.key_span),
                    }),
                    Some(c) => {
                        if value(t, c, r, &e.value, &p, out) {
                            reference(tree, &e.value, Some(c), r, &p, out);
                        }
                    }
                }
            }
            // OpenCore requires every key inside an optional dict (SMBIOS,
            // ...) once that dict is present.
            let optional_dict = key.is_some_and(|h| t.keys[h].at(r).is_some_and(|v| v.optional));
            for &c in tree.kids(key) {
                let k = &t.keys[c];
                let required = k.at(r).is_some_and(|v| !v.optional || optional_dict);
                if required && k.leaf != "*" && k.leaf != "[]" && !held.contains(&c) {
                    out.push(Pin::Missing {
                        path: join(path, k.leaf),
                        key: c,
                        dict: sp(&node.span),
                    });
                }
            }
        }
        Value::Array(items) => {
            let elem = key.and_then(|k| {
                tree.kids(Some(k))
                    .iter()
                    .copied()
                    .find(|&c| t.keys[c].leaf == "[]")
            });
            for (i, item) in items.iter().enumerate() {
                let p = join(path, &i.to_string());
                if let Some(c) = elem
                    && defines(t, c, r)
                    && value(t, c, r, item, &p, out)
                {
                    reference(tree, item, Some(c), r, &p, out);
                }
            }
        }
        _ => {}
    }
}

/// Missing keys come after their dict's keys; the reference lists them at
/// the end of the dict, which is the same order.
fn reference_check(tree: &Tree, root: &Node, r: usize) -> Vec<Pin> {
    let mut out = Vec::new();
    if root.as_dict().is_some() {
        reference(tree, root, None, r, "", &mut out);
    }
    out
}

/// Inference from per-release reference checks: per release, the distinct
/// known schema keys that are unknown or mistyped, and those missing; the
/// best releases have the fewest of the first, then of the second.
fn reference_infer(t: &Table, per_release: &[Vec<Pin>]) -> Inference {
    let n = per_release.len();
    let mut unknown = vec![vec![false; t.keys.len()]; n];
    let mut missing = vec![vec![false; t.keys.len()]; n];
    for (r, pins) in per_release.iter().enumerate() {
        for p in pins {
            match p {
                Pin::Unknown { key: Some(c), .. } | Pin::WrongType { key: c, .. } => {
                    unknown[r][*c] = true
                }
                Pin::Missing { key, .. } => missing[r][*key] = true,
                _ => {}
            }
        }
    }
    let count = |v: &Vec<bool>| v.iter().filter(|&&b| b).count() as u32;
    let scores: Vec<(u32, u32)> = (0..n)
        .map(|r| (count(&unknown[r]), count(&missing[r])))
        .collect();
    let best = scores.iter().copied().min().unwrap_or((0, 0));
    let lo = scores.iter().position(|&s| s == best).unwrap_or(0);
    let hi = scores.iter().rposition(|&s| s == best).unwrap_or(0);
    let (mut has, mut lacks): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for nb in [lo.checked_sub(1), Some(hi + 1).filter(|&r| r < n)]
        .into_iter()
        .flatten()
    {
        for c in 0..t.keys.len() {
            let path = t.keys[c].path.to_owned();
            if unknown[nb][c] && !unknown[lo][c] && !unknown[hi][c] {
                if has.len() < 3 && !has.contains(&path) {
                    has.push(path);
                }
            } else if missing[nb][c]
                && !missing[lo][c]
                && !missing[hi][c]
                && lacks.len() < 3
                && !lacks.contains(&path)
            {
                lacks.push(path);
            }
        }
    }
    Inference {
        lo,
        hi,
        score: best.0 + best.1,
        has,
        lacks,
    }
}

// ---- the configs --------------------------------------------------------

fn plists_in(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            plists_in(&p, out);
        } else if p.extension().is_some_and(|e| e == "plist") {
            out.push(p);
        }
    }
}

/// A Kernel/Add array of `n` kext entries, each rendered by `entry(i)`.
fn with_kexts(n: usize, entry: impl Fn(usize) -> String) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n<key>Kernel</key>\n<dict>\n<key>Add</key>\n<array>\n",
    );
    for i in 0..n {
        s.push_str(&entry(i));
    }
    s.push_str("</array>\n<key>Quirks</key>\n<dict><key>DisableIoMapper</key><true/></dict>\n</dict>\n</dict>\n</plist>\n");
    s
}

fn kext(i: usize, extra: &str, bundle: &str) -> String {
    format!(
        "<dict><key>Arch</key><string>x86_64</string><key>BundlePath</key><string>{bundle}</string><key>Comment</key><string>entry {i}</string><key>Enabled</key><true/><key>ExecutablePath</key><string>Contents/MacOS/K{i}</string>{extra}<key>MaxKernel</key><string></string><key>MinKernel</key><string></string><key>PlistPath</key><string>Contents/Info.plist</string></dict>\n"
    )
}

/// Arrays of look-alike items where one item differs in a way that matters:
/// a non-ASCII string, a mistyped value, an unknown key, a missing key, a
/// duplicate key, a comment key, a nested value, a non-dict item.
fn built_fixtures() -> Vec<(String, String)> {
    let odd = |which: usize| {
        with_kexts(6, move |i| {
            let b = format!("K{i}.kext");
            if i != 3 {
                return kext(i, "", &b);
            }
            match which {
                0 => kext(i, "", "K\u{201c}3\u{201d}.kext"),
                1 => kext(i, "", &b).replace(
                    "<key>Enabled</key><true/>",
                    "<key>Enabled</key><string>yes</string>",
                ),
                2 => kext(i, "<key>Bogus</key><true/>", &b),
                3 => kext(i, "", &b).replace("<key>Arch</key><string>x86_64</string>", ""),
                4 => kext(i, "<key>Comment</key><string>again</string>", &b),
                5 => kext(i, "<key>#Note</key><string>\u{e9}t\u{e9}</string>", &b),
                6 => kext(i, "<key>Extra</key><dict><key>A</key><true/></dict>", &b),
                7 => "<string>K3.kext</string>\n".to_owned(),
                8 => kext(i, "", "K&#9;3.kext"),
                _ => kext(i, "", &b).replace("<true/>", "<integer>1</integer>"),
            }
        })
    };
    let mut out: Vec<(String, String)> = (0..10)
        .map(|w| (format!("built-odd-{w}"), odd(w)))
        .collect();
    out.push((
        "built-clean".into(),
        with_kexts(8, |i| kext(i, "", &format!("K{i}.kext"))),
    ));
    // Every item non-ASCII, and alternating shapes.
    out.push((
        "built-all-odd".into(),
        with_kexts(5, |i| kext(i, "", &format!("K\u{a0}{i}.kext"))),
    ));
    out.push((
        "built-alternating".into(),
        with_kexts(7, |i| {
            let b = format!("K{i}.kext");
            if i % 2 == 0 {
                kext(i, "", &b)
            } else {
                kext(i, "<key>Bogus</key><true/>", &b)
            }
        }),
    ));
    out
}

fn configs() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    plists_in(&root.join("sample-configs"), &mut files);
    plists_in(&root.join("tests/fixtures"), &mut files);
    for rel in ["../shared/corpus", "../shared/reference/opencore-samples"] {
        let dir = root.join(rel);
        if dir.is_dir() {
            plists_in(&dir, &mut files);
        } else {
            println!("skipped: {rel} not found");
        }
    }
    let mut out = built_fixtures();
    for p in files {
        if let Ok(raw) = std::fs::read(&p) {
            out.push((
                p.display().to_string(),
                String::from_utf8_lossy(&raw).into_owned(),
            ));
        }
    }
    out
}

fn opencore(name: &str, text: &str) -> Option<audit::Loaded> {
    let loaded = audit::load(name, text.as_bytes().to_vec()).ok()?;
    (loaded.config.kind == ConfigKind::OpenCore && loaded.doc.root.as_dict().is_some())
        .then_some(loaded)
}

// ---- the pins -----------------------------------------------------------

#[test]
fn schema_findings_match_the_reference_on_every_config() {
    let t = Table::get();
    let tree = Tree::new(t);
    let n = schema::releases().len();
    let mut checked = 0;
    for (name, text) in configs() {
        let Some(loaded) = opencore(&name, &text) else {
            continue;
        };
        let root = &loaded.doc.root;
        let mut per_release = Vec::with_capacity(n);
        for r in 0..n {
            let want = reference_check(&tree, root, r);
            let got: Vec<Pin> = schema::check(t, root, r).iter().map(pin).collect();
            assert_eq!(got, want, "{name} against {}", schema::releases()[r]);
            per_release.push(want);
        }
        let inference = reference_infer(t, &per_release);
        assert_eq!(schema::infer(t, root), inference, "{name}: inference");
        pin_rules(&name, &text, &loaded, &per_release, &inference);
        checked += 1;
    }
    println!("{checked} OpenCore configs pinned against all {n} releases");
    assert!(
        checked >= 14,
        "the built fixtures and sample configs are OpenCore configs"
    );
}

/// (code, path) of the schema rules' diagnostics for a file.
fn diagnostics(text: &str, log: Option<&str>) -> Vec<(&'static str, String, Sp)> {
    let opts = AuditOptions {
        check: CheckOptions {
            select: ["X004", "X006", "X007", "X008", "X009"]
                .map(String::from)
                .to_vec(),
            ignore: Vec::new(),
        },
        evidence: log.map(|v| Evidence {
            log_version: Some(v.to_owned()),
            ..Evidence::default()
        }),
        ..AuditOptions::default()
    };
    let report = audit::audit_bytes("config.plist", text.as_bytes().to_vec(), &opts);
    let mut out: Vec<_> = report
        .diagnostics
        .iter()
        .map(|d| (d.rule.code, d.path.clone(), sp(&d.span)))
        .collect();
    out.sort();
    out
}

/// The schema rules' diagnostics for `text`, without a log and with a log
/// naming the oldest release (which a modern config does not match: X009
/// exactly when it lies outside the inferred range), against the reference.
fn pin_rules(
    name: &str,
    text: &str,
    loaded: &audit::Loaded,
    per_release: &[Vec<Pin>],
    inference: &Inference,
) {
    let root = &loaded.doc.root;
    for log in [None, Some("0.5.0")] {
        let got = diagnostics(text, log);
        // X004 of the loader (bad base64, ...) and of the model come
        // first; the schema part does not repeat them.
        let model_types: Vec<Sp> = loaded
            .config
            .type_errors
            .iter()
            .map(|e| sp(&e.at.span))
            .chain(
                loaded
                    .doc
                    .issues
                    .iter()
                    .filter(|i| i.code == "X004")
                    .map(|i| sp(&i.span)),
            )
            .collect();
        let target = log.map_or(inference.hi, |_| 0);
        let nested = side::nested_device_paths(root);
        let mut want: Vec<(&'static str, String, Sp)> = Vec::new();
        for p in &per_release[target] {
            match p {
                Pin::Unknown { path, span, .. } => want.push(("X006", path.clone(), *span)),
                Pin::Missing { path, dict, .. } => want.push(("X007", path.clone(), *dict)),
                // A device path nested in a device path is reported once,
                // at its key (below).
                Pin::WrongType { path, .. } if nested.iter().any(|n| &n.1 == path) => {}
                Pin::WrongType { path, span, .. } if !model_types.contains(span) => {
                    want.push(("X004", path.clone(), *span))
                }
                _ => {}
            }
        }
        if log.is_some() && !inference.contains(0) {
            want.push(("X009", String::new(), sp(&root.span)));
        }
        want.extend(nested);
        want.extend(side::oversized(root, target));
        let mut got_other: Vec<_> = got
            .iter()
            .filter(|(c, _, s)| *c != "X008" && !(*c == "X004" && model_types.contains(s)))
            .cloned()
            .collect();
        got_other.sort();
        want.sort();
        assert_eq!(got_other, want, "{name} (log {log:?})");
        // X008 points inside the string: compare its paths.
        let mut x008: Vec<&String> = got.iter().filter(|d| d.0 == "X008").map(|d| &d.1).collect();
        let mut want008: Vec<&String> = per_release[target]
            .iter()
            .filter_map(|p| match p {
                Pin::NotAscii { path, .. } => Some(path),
                _ => None,
            })
            .collect();
        x008.sort();
        want008.sort();
        assert_eq!(x008, want008, "{name} X008 (log {log:?})");
    }
}
