//! The edits `fix` makes on request rather than from a rule: `--slide` and
//! `--mmio-whitelist`.

use std::str::FromStr;

use super::FixError;
use crate::audit::Loaded;
use crate::model::APPLE_BOOT_GUID;
use crate::patch::{self, ArgText, Edit, Fix, NewValue, Style, Token};
use crate::plist::Node;
use crate::rules::Evidence;

/// What `--slide` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlideRequest {
    /// Pick a slide from the evidence, only when ProvideCustomSlide cannot help.
    Auto,
    /// Remove every `slide=` from boot-args.
    Remove,
    /// Set `slide=N`.
    Set(u8),
}

impl FromStr for SlideRequest {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "auto" => Ok(SlideRequest::Auto),
            "remove" => Ok(SlideRequest::Remove),
            n if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n
                .parse::<u8>()
                .map(SlideRequest::Set)
                .map_err(|_| format!("slide `{n}` is out of range: boot.efi accepts 0 to 255")),
            other => Err(format!(
                "`{other}` is not a slide: give `auto`, `remove` or a decimal number from 0 to 255"
            )),
        }
    }
}

/// What `--mmio-whitelist` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MmioRequest {
    /// One disabled entry per runtime MMIO region of the evidence.
    AllDisabled,
    /// Enabled entries for these addresses.
    Addresses(Vec<u64>),
}

impl FromStr for MmioRequest {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim() == "all-disabled" {
            return Ok(MmioRequest::AllDisabled);
        }
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let parsed = match part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => part.parse::<u64>().ok(),
            };
            match parsed {
                Some(a) if a <= i64::MAX as u64 => out.push(a),
                _ => {
                    return Err(format!(
                        "`{part}` is not an address: give `all-disabled` or addresses such as 0xFE000000,4276092928"
                    ));
                }
            }
        }
        if out.is_empty() {
            return Err("give `all-disabled` or at least one address".into());
        }
        Ok(MmioRequest::Addresses(out))
    }
}

/// A requested fix, or nothing to do (with a note saying why).
pub(crate) type Built = Result<Option<Fix>, FixError>;

/// The main boot-args string as OpenCore reads it, when it is an editable `<string>`.
fn boot_args(l: &Loaded) -> Result<Option<(&Node, ArgText)>, FixError> {
    let Some(a) = &l.config.boot_args else {
        return Ok(None);
    };
    if a.is_data {
        return Err(FixError::Refused(format!(
            "{} is written as <data>; rewrite it as a <string> first, then run fix again",
            a.at.path
        )));
    }
    let node = patch::node_by_span(&l.doc.root, &a.at.span)
        .ok_or_else(|| FixError::Internal("boot-args not found in the tree".into()))?;
    if l.config.kind != crate::model::ConfigKind::OpenCore {
        return Ok(Some((node, ArgText::of(&l.source.text, node, &a.value))));
    }
    // OpenCore reads the text as written: no reference decoded, markup
    // read as empty or refused (S009).
    match ArgText::literal(&l.source.text, node) {
        (args, patch::Reading::Literal) => Ok(Some((node, args))),
        _ => Err(FixError::Refused(format!(
            "{} holds XML markup that OpenCore reads as empty or refuses; run `ocaudit fix --select S009` first",
            a.at.path
        ))),
    }
}

fn is_slide(t: &Token) -> bool {
    t.text.starts_with("slide=")
}

/// An edit creating `value` at the dict-key `path` (see [`patch::insert_path`]).
pub(crate) fn ensure(
    text: &str,
    root: &Node,
    path: &[&str],
    value: NewValue,
    style: &Style,
) -> Result<Option<Edit>, FixError> {
    patch::insert_path(text, root, path, value, style).map_err(|depth| {
        FixError::Refused(format!(
            "`{}` is not a dict, so `{}` cannot be added; correct its type first",
            path[..depth].join("/"),
            path[depth]
        ))
    })
}

/// `--slide N`: one `slide=N` in boot-args, replacing any other `slide=`.
pub(crate) fn set_slide(l: &Loaded, n: u8, style: &Style) -> Built {
    let text = &l.source.text;
    let want = format!("slide={n}");
    let summary = format!("set `{want}` in boot-args");
    match boot_args(l)? {
        Some((node, args)) => {
            let toks = &args.tokens;
            let slides: Vec<usize> = (0..toks.len()).filter(|&i| is_slide(&toks[i])).collect();
            if slides.len() == 1 && toks[slides[0]].text == want {
                return Ok(None);
            }
            let edits = match slides.split_first() {
                Some((&first, rest)) => args.replace_and_remove(first, want, rest),
                None if toks.is_empty() => vec![patch::set_string(text, node, &want)],
                None => args.append(&want),
            };
            Ok(Some(Fix::safe(summary, edits)))
        }
        None => {
            let path = ["NVRAM", "Add", APPLE_BOOT_GUID, "boot-args"];
            let edit = ensure(text, &l.doc.root, &path, NewValue::Str(want), style)?;
            Ok(edit.map(|e| Fix::safe(summary, vec![e])))
        }
    }
}

/// `--slide remove`: drop every `slide=` from boot-args.
pub(crate) fn remove_slide(l: &Loaded) -> Built {
    let Some((_, args)) = boot_args(l)? else {
        return Ok(None);
    };
    let slides: Vec<usize> = (0..args.tokens.len())
        .filter(|&i| is_slide(&args.tokens[i]))
        .collect();
    if slides.is_empty() {
        return Ok(None);
    }
    let edits = args.remove(&slides);
    Ok(Some(Fix::safe(
        "remove every `slide=` from boot-args",
        edits,
    )))
}

/// Make sure `NVRAM/Delete/<Apple GUID>` lists `boot-args` (`NVRAM/Block`
/// in a config that has Block and no Delete: OpenCore up to 0.5.8).
pub(crate) fn delete_boot_args(l: &Loaded, style: &Style) -> Built {
    let text = &l.source.text;
    let root = &l.doc.root;
    let name = if root.pointer("NVRAM/Block").is_some() && root.pointer("NVRAM/Delete").is_none() {
        "Block"
    } else {
        "Delete"
    };
    let summary = format!("add `boot-args` to NVRAM/{name}/{APPLE_BOOT_GUID}");
    let path = ["NVRAM", name, APPLE_BOOT_GUID];
    if let Some(node) = root.pointer(&format!("NVRAM/{name}/{APPLE_BOOT_GUID}")) {
        let Some(items) = node.as_array() else {
            return Err(FixError::Refused(format!(
                "NVRAM/{name}/{APPLE_BOOT_GUID} is not an array; correct its type first"
            )));
        };
        if items.iter().any(|i| i.as_str() == Some("boot-args")) {
            return Ok(None);
        }
        let edit = patch::append_item(text, node, &NewValue::Str("boot-args".into()), style);
        return Ok(Some(Fix::safe(summary, vec![edit])));
    }
    let value = NewValue::Array(vec![NewValue::Str("boot-args".into())]);
    let edit = ensure(text, root, &path, value, style)?;
    Ok(edit.map(|e| Fix::safe(summary, vec![e])))
}

/// The slide `--slide auto` picks, or why it does nothing (`Err(note)`).
pub(crate) fn auto_slide(ev: &Evidence, custom_slide_usable: bool) -> Result<u8, String> {
    let valid = ev.valid_slides.clone().unwrap_or_default();
    if !ev.none_usable() && custom_slide_usable {
        return Err(match ev.valid_count() {
            Some(k) => format!(
                "--slide auto: ProvideCustomSlide can choose among {k} usable slides in {}, so no slide= is set",
                ev.source
            ),
            None => format!(
                "--slide auto: {} does not say how many slides are usable, so no slide= is set",
                ev.source
            ),
        });
    }
    if let Some(mid) = middle_of_longest_run(&valid) {
        return Ok(mid);
    }
    ev.fallback_slide.ok_or_else(|| {
        format!(
            "--slide auto: {} shows no usable slide and no fallback slide; free memory first (DevirtualiseMmio, fewer drivers) and collect a new map",
            ev.source
        )
    })
}

/// The middle value of the longest run of consecutive slides (first run on ties).
pub fn middle_of_longest_run(slides: &[u8]) -> Option<u8> {
    let mut s: Vec<u8> = slides.to_vec();
    s.sort_unstable();
    s.dedup();
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < s.len() {
        let mut j = i;
        while j + 1 < s.len() && s[j + 1] == s[j] + 1 {
            j += 1;
        }
        if best.is_none_or(|(a, b)| j - i > b - a) {
            best = Some((i, j));
        }
        i = j + 1;
    }
    best.map(|(a, b)| s[a + (b - a) / 2])
}

/// `--mmio-whitelist`: append entries for addresses not yet listed.
pub(crate) fn mmio(l: &Loaded, req: &MmioRequest, ev: Option<&Evidence>, style: &Style) -> Built {
    let regions: Vec<(u64, Option<u64>, bool)> = match req {
        MmioRequest::AllDisabled => {
            let ev = ev.ok_or_else(|| {
                FixError::Refused(
                    "--mmio-whitelist all-disabled needs --memmap or --log to know the runtime MMIO regions".into(),
                )
            })?;
            ev.runtime_mmio
                .iter()
                .map(|&(a, p)| (a, Some(p), false))
                .collect()
        }
        MmioRequest::Addresses(list) => list
            .iter()
            .map(|&a| {
                let pages = ev.and_then(|e| {
                    e.runtime_mmio
                        .iter()
                        .find(|(s, _)| *s == a)
                        .map(|(_, p)| *p)
                });
                (a, pages, true)
            })
            .collect(),
    };
    let existing: Vec<i64> = l
        .config
        .mmio_whitelist
        .iter()
        .flat_map(|w| &w.entries)
        .filter_map(|e| e.address.present().copied())
        .collect();
    let mut seen: Vec<u64> = Vec::new();
    let mut fresh = Vec::new();
    for (addr, pages, enabled) in regions {
        if seen.contains(&addr) || existing.iter().any(|&e| e as u64 == addr) {
            continue;
        }
        seen.push(addr);
        fresh.push((addr, pages, enabled));
    }
    if fresh.is_empty() {
        return Ok(None);
    }
    let text = &l.source.text;
    let array = l.doc.root.pointer("Booter/MmioWhitelist");
    let keys = sibling_keys(array);
    let values: Vec<NewValue> = fresh
        .iter()
        .map(|&(addr, pages, enabled)| entry(&keys, addr, pages, enabled))
        .collect();
    let summary = format!(
        "add {} MmioWhitelist entr{} ({})",
        values.len(),
        if values.len() == 1 { "y" } else { "ies" },
        if fresh.iter().all(|f| f.2) {
            "enabled"
        } else {
            "disabled"
        }
    );
    let edit = match array {
        Some(node) => match node.as_array() {
            Some([]) => patch::replace_value(text, node, &NewValue::Array(values), style),
            Some(_) => {
                let mut edit: Option<Edit> = None;
                for v in &values {
                    let e = patch::append_item(text, node, v, style);
                    match &mut edit {
                        Some(acc) => acc.text.push_str(&e.text),
                        None => edit = Some(e),
                    }
                }
                edit.ok_or_else(|| FixError::Internal("no whitelist entry built".into()))?
            }
            None => {
                return Err(FixError::Refused(
                    "Booter/MmioWhitelist is not an array; correct its type first".into(),
                ));
            }
        },
        None => {
            let path = ["Booter", "MmioWhitelist"];
            match ensure(text, &l.doc.root, &path, NewValue::Array(values), style)? {
                Some(e) => e,
                None => return Ok(None),
            }
        }
    };
    Ok(Some(Fix::safe(summary, vec![edit])))
}

/// The key order of existing whitelist entries, or Sample.plist's.
fn sibling_keys(array: Option<&Node>) -> Vec<String> {
    let from_sibling = array
        .and_then(Node::as_array)
        .and_then(|items| items.iter().find_map(Node::as_dict))
        .map(|d| {
            d.entries
                .iter()
                .map(|e| e.key.to_string())
                .filter(|k| matches!(k.as_str(), "Address" | "Comment" | "Enabled"))
                .collect::<Vec<_>>()
        })
        .filter(|k| k.len() == 3);
    from_sibling.unwrap_or_else(|| ["Address", "Comment", "Enabled"].map(String::from).to_vec())
}

fn entry(keys: &[String], addr: u64, pages: Option<u64>, enabled: bool) -> NewValue {
    let comment = match pages {
        Some(p) => format!("MMIO 0x{addr:X} (0x{p:X} pages)"),
        None => format!("MMIO 0x{addr:X}"),
    };
    NewValue::Dict(
        keys.iter()
            .map(|k| {
                let v = match k.as_str() {
                    "Address" => NewValue::Int(addr as i64),
                    "Comment" => NewValue::Str(comment.clone()),
                    _ => NewValue::Bool(enabled),
                };
                (k.clone(), v)
            })
            .collect(),
    )
}
