//! Generate `rules/schema/opencore.txt` from OpenCore's sample configs, and
//! `rules/schema/failsafe.txt` from its manuals.
//!
//! Run by hand when a new OpenCore release appears:
//!
//! ```text
//! cargo run --example gen_schema -- /path/to/opencore-samples rules/schema [/path/to/opencore-docs]
//! ```
//!
//! The optional docs folder holds `<tag>/Configuration.tex` per release (for
//! instance exported from an OpenCorePkg clone with
//! `git show <tag>:Docs/Configuration.tex`). From it the generator reads the
//! failsafe of every key of every release: the value OpenCore uses when the
//! key is absent, which is what X007 inserts (see `failsafe.rs` for how a
//! manual entry is matched to a key path and which texts count as values).
//! Without it, `failsafe.txt` is left as it is.
//!
//! The samples folder holds one folder per release tag (`0.5.0`, ..., `HEAD`),
//! each with `Sample.plist` and, from the release that introduced it,
//! `SampleCustom.plist`. The output is one text file: a full schema for the
//! oldest release, then for every later release only the keys that were
//! added (`+`), removed (`-`) or changed type, optionality or sample value
//! (`~`). See `src/schema/data.rs` for the format.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plist::Value;

mod failsafe;

/// Dicts whose keys are chosen by the user (Configuration.tex: "a map of").
const FREE_KEYS: &[&str] = &[
    "DeviceProperties/Add",
    "DeviceProperties/Add/*",
    "DeviceProperties/Block",
    "DeviceProperties/Delete",
    "NVRAM/Add",
    "NVRAM/Add/*",
    "NVRAM/Block",
    "NVRAM/Delete",
    "NVRAM/LegacySchema",
];

/// Values of any type (plist multidata): NVRAM variables and device properties.
const ANY_VALUES: &[&str] = &["DeviceProperties/Add/*/*", "NVRAM/Add/*/*"];

/// Children every release has where their parent exists, even when the
/// sample leaves the map or array empty.
const FIXED: &[(&str, char)] = &[
    ("DeviceProperties/Add/*", 'D'),
    ("DeviceProperties/Add/*/*", '*'),
    ("DeviceProperties/Block/*", 'A'),
    ("DeviceProperties/Block/*/[]", 's'),
    ("DeviceProperties/Delete/*", 'A'),
    ("DeviceProperties/Delete/*/[]", 's'),
    ("NVRAM/Add/*", 'D'),
    ("NVRAM/Add/*/*", '*'),
    ("NVRAM/Block/*", 'A'),
    ("NVRAM/Block/*/[]", 's'),
    ("NVRAM/Delete/*", 'A'),
    ("NVRAM/Delete/*/[]", 's'),
    ("NVRAM/LegacySchema/*", 'A'),
    ("NVRAM/LegacySchema/*/[]", 's'),
    ("Misc/BlessOverride/[]", 's'),
    ("UEFI/Unload/[]", 's'),
];

/// Optional dicts (with everything below them), per Configuration.tex.
const OPTIONAL: &[&str] = &[
    "Misc/Serial/Custom",
    "PlatformInfo/DataHub",
    "PlatformInfo/Memory",
    "PlatformInfo/PlatformNVRAM",
    "PlatformInfo/SMBIOS",
];

/// What the samples of one release say about one key path.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    kind: char,
    optional: bool,
    value: String,
}

/// Accumulates key paths over the sample files of one release.
#[derive(Default)]
struct Collect {
    order: Vec<String>,
    kinds: HashMap<String, char>,
    values: HashMap<String, String>,
    /// How many dict instances were seen at a path.
    instances: HashMap<String, usize>,
    /// How many parent instances held the key.
    present: HashMap<String, usize>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}/{key}")
    }
}

fn kind_of(v: &Value) -> char {
    match v {
        Value::Boolean(_) => 'b',
        Value::Integer(_) => 'i',
        Value::String(_) => 's',
        Value::Data(_) => 'd',
        Value::Dictionary(_) => 'D',
        Value::Array(_) => 'A',
        _ => '*',
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::String(s) => escape(s),
        Value::Data(d) => d.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02X}");
            s
        }),
        _ => String::new(),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

impl Collect {
    fn see(&mut self, path: &str, v: &Value) {
        let kind = if ANY_VALUES.contains(&path) {
            '*'
        } else {
            kind_of(v)
        };
        match self.kinds.get(path) {
            None => {
                self.order.push(path.to_owned());
                self.kinds.insert(path.to_owned(), kind);
                if !matches!(kind, 'D' | 'A' | '*') {
                    self.values.insert(path.to_owned(), scalar(v));
                }
            }
            Some(&k) if k != kind => {
                self.kinds.insert(path.to_owned(), '*');
            }
            Some(_) => {}
        }
        if kind == '*' {
            return;
        }
        match v {
            Value::Dictionary(d) => {
                *self.instances.entry(path.to_owned()).or_default() += 1;
                let free = FREE_KEYS.contains(&path);
                for (k, child) in d.iter() {
                    if k.starts_with('#') {
                        continue;
                    }
                    let cp = join(path, if free { "*" } else { k });
                    if !free {
                        *self.present.entry(cp.clone()).or_default() += 1;
                    }
                    self.see(&cp, child);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.see(&join(path, "[]"), item);
                }
            }
            _ => {}
        }
    }

    /// Add the [`FIXED`] children of `path` (and theirs) after it.
    fn fixed_children(&mut self, path: &str, order: &mut Vec<String>) {
        for &(p, kind) in FIXED {
            let parent = p.rsplit_once('/').map_or("", |(a, _)| a);
            if parent == path && !self.kinds.contains_key(p) {
                self.kinds.insert(p.to_owned(), kind);
                order.push(p.to_owned());
                self.fixed_children(p, order);
            }
        }
    }

    fn finish(mut self) -> Vec<(String, Key)> {
        let mut order = Vec::new();
        for path in std::mem::take(&mut self.order) {
            order.push(path.clone());
            self.fixed_children(&path, &mut order);
        }
        let mut out = Vec::new();
        for path in &order {
            let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
            let leaf = path.rsplit_once('/').map_or(path.as_str(), |(_, l)| l);
            let required =
                leaf == "*" || leaf == "[]" || self.present.get(path) == self.instances.get(parent);
            let optional = !required
                || OPTIONAL
                    .iter()
                    .any(|o| path == o || path.starts_with(&format!("{o}/")));
            out.push((
                path.clone(),
                Key {
                    kind: self.kinds[path],
                    optional,
                    value: if path.contains('*') {
                        String::new()
                    } else {
                        self.values.get(path).cloned().unwrap_or_default()
                    },
                },
            ));
        }
        out
    }
}

fn release_order(tag: &str) -> (u32, u32, u32) {
    if tag == "HEAD" {
        return (u32::MAX, 0, 0);
    }
    let mut it = tag.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
    )
}

fn line(op: char, path: &str, k: &Key) -> String {
    format!(
        "{op}{path}\t{}{}\t{}\n",
        k.kind,
        if k.optional { "?" } else { "" },
        k.value
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (samples, out_dir, docs) = match args.as_slice() {
        [s, o] => (s, o, None),
        [s, o, d] => (s, o, Some(d)),
        _ => {
            return Err(
                "usage: gen_schema <opencore-samples dir> <output dir, e.g. rules/schema> \
                 [<docs dir with TAG/Configuration.tex>]"
                    .into(),
            );
        }
    };
    let mut safe = failsafe_header();
    // The failsafe last written per path (`None`: unknown).
    let mut last_safe: HashMap<String, Option<String>> = HashMap::new();
    let mut tags: Vec<String> = std::fs::read_dir(samples)?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Sample.plist").is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    tags.sort_by_key(|t| release_order(t));
    let mut out = String::from(
        "# OpenCore config schema per release, generated by\n\
         # `cargo run --example gen_schema -- <opencore-samples> rules/schema`; do not edit.\n\
         # @TAG starts a release; lines are OP PATH<tab>KIND[?]<tab>SAMPLE VALUE with OP\n\
         # + added, ~ changed, - removed. KIND: b boolean, i integer, s string, d data (hex),\n\
         # D dict, A array, * any; ? marks optional keys. `*` in a path is a free key,\n\
         # `[]` an array element.\n",
    );
    let mut prev: Vec<(String, Key)> = Vec::new();
    for tag in &tags {
        let mut c = Collect::default();
        for name in ["Sample.plist", "SampleCustom.plist"] {
            let p: PathBuf = Path::new(samples).join(tag).join(name);
            if !p.is_file() {
                continue;
            }
            let v = Value::from_file(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            c.see("", &v);
        }
        let mut cur = c.finish();
        cur.retain(|(p, _)| !p.is_empty());
        if let Some(d) = docs {
            let tex = std::fs::read_to_string(Path::new(d).join(tag).join("Configuration.tex"))
                .map_err(|e| format!("{d}/{tag}/Configuration.tex: {e}"))?;
            failsafe_release(&mut safe, &mut last_safe, tag, &tex, &cur);
        }
        let old: HashMap<&str, &Key> = prev.iter().map(|(p, k)| (p.as_str(), k)).collect();
        let new: HashMap<&str, &Key> = cur.iter().map(|(p, k)| (p.as_str(), k)).collect();
        let _ = writeln!(out, "@{tag}");
        for (p, _) in &prev {
            if !new.contains_key(p.as_str()) {
                let _ = writeln!(out, "-{p}");
            }
        }
        for (p, k) in &cur {
            match old.get(p.as_str()) {
                None => out.push_str(&line('+', p, k)),
                Some(o) if *o != k => out.push_str(&line('~', p, k)),
                Some(_) => {}
            }
        }
        prev = cur;
    }
    std::fs::create_dir_all(out_dir)?;
    if docs.is_some() {
        std::fs::write(Path::new(out_dir).join("failsafe.txt"), &safe)?;
    }
    let dest = Path::new(out_dir).join("opencore.txt");
    std::fs::write(&dest, &out)?;
    // The same table precomputed as Rust statics, which the binary embeds.
    let table = ocaudit::schema::Table::parse(Box::leak(out.into_boxed_str()));
    let rust = Path::new(out_dir).join("opencore.rs");
    std::fs::write(&rust, table.to_rust())?;
    eprintln!(
        "wrote {} and {} ({} releases, {} key paths)",
        dest.display(),
        rust.display(),
        tags.len(),
        table.keys.len()
    );
    Ok(())
}

fn failsafe_header() -> String {
    "# OpenCore failsafe values per release (the value used when a key is absent),\n\
     # read from each release's Docs/Configuration.tex by\n\
     # `cargo run --example gen_schema -- <opencore-samples> rules/schema <docs>`; do not edit.\n\
     # @TAG starts a release; a line changes one key path from that release on:\n\
     # =PATH<tab>KIND<tab>VALUE (KIND and VALUE as in opencore.txt) or ?PATH (no\n\
     # failsafe stated in a form that is a value). Dicts are not listed: an absent\n\
     # dict reads as its children's failsafes.\n"
        .to_owned()
}

/// Keys whose default in OpenCore's code (`OcConfigurationLib.h`, the value
/// its reader stores for an absent key, checked with a 1.0.7 build) differs
/// from the manual's Failsafe; the code's value is what OpenCore uses.
const CODE_DEFAULTS: &[(&str, &str)] = &[("Misc/Serial/Custom/LineControl", "i\t3")];

/// Append the failsafe lines of release `tag` (only those that changed).
fn failsafe_release(
    out: &mut String,
    last: &mut HashMap<String, Option<String>>,
    tag: &str,
    tex: &str,
    keys: &[(String, Key)],
) {
    let manual = failsafe::Manual::parse(tex);
    let _ = writeln!(out, "@{tag}");
    for (p, k) in keys {
        if matches!(k.kind, 'D' | '*') || p.contains('*') || p.ends_with("[]") {
            continue;
        }
        let now = match CODE_DEFAULTS.iter().find(|(path, _)| path == p) {
            Some((_, v)) => Some((*v).to_owned()),
            None => manual
                .failsafe(p, k.kind)
                .map(|v| format!("{}\t{v}", k.kind)),
        };
        let before = last.get(p).cloned().flatten();
        if now == before && (now.is_some() || last.contains_key(p)) {
            continue;
        }
        match &now {
            Some(v) => {
                let _ = writeln!(out, "={p}\t{v}");
            }
            None => {
                let _ = writeln!(out, "?{p}");
            }
        }
        last.insert(p.clone(), now);
    }
}
