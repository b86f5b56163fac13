//! S010: boot arguments boot.efi received that the config does not set.
//!
//! An OpenCore log prints the boot-args boot.efi read from NVRAM
//! (`AAPL: #[EB|MBA:NV] <"...">`). An argument there that the config's
//! boot-args lack was left in NVRAM by an earlier config, a tool or a
//! `nvram` command, and OpenCore does not replace it unless NVRAM/Delete
//! lists boot-args: the machine boots with a `slide=` (or `-v`, `debug=`)
//! that nobody sees in the config.

use super::{Context, Severity};
use crate::model::ConfigKind;

rule! {
    code: S010,
    name: "stuck-nvram-boot-args",
    severity: Warning,
    fix: None,
    summary: "The log shows boot arguments that the config's boot-args do not set.",
    why: "A value stuck in NVRAM (often an old `slide=`) keeps applying at every boot, whatever the config says.",
}

/// The arguments in `logged` that `config` lacks, leaving out the
/// `slide=N` OpenCore appends itself when ProvideCustomSlide picks a slide.
pub(super) fn stray<'a>(logged: &'a str, config: &str, opencore_slide: bool) -> Vec<&'a str> {
    let set: Vec<&str> = config.split_whitespace().collect();
    let tokens: Vec<&str> = logged.split_whitespace().collect();
    tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            let own_slide = opencore_slide && *i + 1 == tokens.len() && t.starts_with("slide=");
            !own_slide && !set.contains(t)
        })
        .map(|(_, t)| *t)
        .collect()
}

/// S010.
pub fn s010(cx: &mut Context) {
    if cx.config.kind != ConfigKind::OpenCore {
        return;
    }
    let Some(ev) = cx.evidence else { return };
    let Some((line, logged)) = ev.nvram_boot_args.clone() else {
        return;
    };
    let config_args = cx
        .config
        .boot_args
        .as_ref()
        .map(|a| a.value.clone())
        .unwrap_or_default();
    let stray = stray(&logged, &config_args, ev.opencore_slide);
    if stray.is_empty() {
        return;
    }
    let deletes = cx
        .config
        .nvram
        .delete_apple
        .as_ref()
        .is_some_and(|(_, names)| names.iter().any(|n| n == "boot-args"));
    let at = match (
        &cx.config.boot_args,
        &cx.config.nvram.add_apple,
        &cx.config.nvram.dict,
    ) {
        (Some(a), _, _) => a.at.clone(),
        (None, Some(at), _) | (None, None, Some(at)) => at.clone(),
        (None, None, None) => crate::model::Located {
            span: cx.config.root.span.clone(),
            path: "NVRAM".into(),
        },
    };
    let source = ev.source.clone();
    let has_slide = stray.iter().any(|t| t.starts_with("slide="));
    let d = cx.report(
        &S010,
        &at,
        format!(
            "boot.efi received `{}`, which the config's boot-args do not set: a value stuck in NVRAM (or a log from another version of this config)",
            stray.join(" ")
        ),
    );
    if !has_slide {
        d.severity = Severity::Info;
    }
    d.notes.push(format!(
        "{source}:{line}: `AAPL: #[EB|MBA:NV] <\"{logged}\">`"
    ));
    d.help = Some(if deletes {
        "NVRAM/Delete already lists boot-args, yet the value came back: check WriteFlash and reset NVRAM (ResetNvramEntry.efi, or the firmware's own reset)".into()
    } else {
        "list boot-args under NVRAM/Delete/7C436110-AB2A-4BBB-A880-FE41995C9F82 so OpenCore replaces the stored value (S005's fix does this), or reset NVRAM once".into()
    });
}

#[cfg(test)]
mod tests {
    use super::stray;

    #[test]
    fn stuck_slide_is_found_and_opencores_own_is_not() {
        assert_eq!(
            stray("slide=128 -v keepsyms=1", "-v keepsyms=1", false),
            ["slide=128"]
        );
        // ProvideCustomSlide appends its pick at the end.
        assert!(stray("-v keepsyms=1 slide=166", "-v keepsyms=1", true).is_empty());
        // ...but a slide= at the front is still stuck.
        assert_eq!(stray("slide=128 -v slide=7", "-v", true), ["slide=128"]);
        assert!(stray("-v", "-v alcid=1", false).is_empty());
    }
}
