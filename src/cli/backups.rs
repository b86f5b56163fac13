//! `ocaudit backups [PATH]`: the backups `fix --write` made, newest last,
//! with the command that restores one.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::ListFormat;
use crate::write::{BackupFile, default_backup_dir, list_backups, stem_for};

/// Flags of `backups`.
#[derive(Debug, Args)]
pub struct BackupsArgs {
    /// Only the backups of this config.plist (default: every config's).
    pub path: Option<PathBuf>,
    /// The backup directory to list (default: the state directory `fix --write` uses).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

/// `--format json`.
#[derive(Serialize)]
struct JsonBackups<'a> {
    version: &'static str,
    dir: String,
    config: Option<String>,
    backups: Vec<JsonBackup<'a>>,
}

#[derive(Serialize)]
struct JsonBackup<'a> {
    path: String,
    config_stem: &'a str,
    made: String,
    size: u64,
}

/// Run `backups`.
pub fn run(args: &BackupsArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => default_backup_dir().context(
            "no state directory: HOME (or LOCALAPPDATA on Windows) is not set; give --dir",
        )?,
    };
    let all = list_backups(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
    let config = args.path.as_deref();
    let stem = config.map(stem_for);
    let shown: Vec<&BackupFile> = all
        .iter()
        .filter(|b| stem.as_ref().is_none_or(|s| &b.stem == s))
        .collect();
    match args.format {
        ListFormat::Json => {
            let t = |b: &BackupFile| {
                let d = b.time_display();
                format!("{}T{}Z", &d[..10], &d[11..19])
            };
            let doc = JsonBackups {
                version: env!("CARGO_PKG_VERSION"),
                dir: dir.display().to_string(),
                config: config.map(|c| c.display().to_string()),
                backups: shown
                    .iter()
                    .map(|b| JsonBackup {
                        path: b.path.display().to_string(),
                        config_stem: &b.stem,
                        made: t(b),
                        size: b.size,
                    })
                    .collect(),
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        ListFormat::Human => human(&dir, config, &shown, out)?,
    }
    Ok(0)
}

fn human(
    dir: &Path,
    config: Option<&Path>,
    shown: &[&BackupFile],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let Some(newest) = shown.last() else {
        match config {
            Some(c) => writeln!(out, "no backups of {} in {}", c.display(), dir.display())?,
            None => writeln!(out, "no backups in {}", dir.display())?,
        }
        return Ok(());
    };
    writeln!(out, "backups in {} (oldest first)", dir.display())?;
    let size_w = shown
        .iter()
        .map(|b| b.size.to_string().len())
        .max()
        .unwrap_or(0)
        .max(5);
    let mut stem: Option<&str> = None;
    for b in shown {
        if stem != Some(b.stem.as_str()) {
            stem = Some(&b.stem);
            let n = shown.iter().filter(|o| o.stem == b.stem).count();
            writeln!(
                out,
                "\n{} ({n} backup{})",
                b.stem,
                if n == 1 { "" } else { "s" }
            )?;
            writeln!(out, "  {:<23}  {:>size_w$}  file", "made", "bytes")?;
        }
        let name = b.path.file_name().unwrap_or_default().to_string_lossy();
        writeln!(
            out,
            "  {:<23}  {:>size_w$}  {name}",
            b.time_display(),
            b.size
        )?;
    }
    writeln!(out)?;
    match config {
        Some(c) => writeln!(
            out,
            "restore the newest: cp {} {}",
            shell_quote(&newest.path.display().to_string()),
            shell_quote(&c.display().to_string())
        )?,
        None => writeln!(
            out,
            "restore one: cp {} /path/to/config.plist (each heading is the config's path with \
             / turned into _; `ocaudit backups PATH` shows one config's)",
            shell_quote(&newest.path.display().to_string())
        )?,
    }
    Ok(())
}

/// Quotes `s` for a POSIX shell when it holds anything but plain characters.
fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%,=".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("/a/b.bak"), "/a/b.bak");
        assert_eq!(shell_quote("/a b/c"), "'/a b/c'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
