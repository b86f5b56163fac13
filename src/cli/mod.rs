//! The command line: argument parsing and dispatch to each subcommand.
//!
//! Every subcommand returns an exit code (0 clean, 1 findings, 2 could not
//! run; `fix --write` also 3: written, but the report after it failed). Rendering lives in `render`; this module never decides what a
//! finding is.

mod backups;
mod check;
mod efi;
mod explain;
mod fix;
mod fix_write;
mod generate;
pub mod mmio;
mod progress;
pub mod render;
pub mod slide;
mod svg_out;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use fix::{FixArgs, FixFormat};

/// Audit and repair OpenCore config.plist files, especially the KASLR
/// memory quirks that decide whether macOS can boot.
#[derive(Debug, Parser)]
#[command(name = "ocaudit", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Read `ocaudit check [PATH ...]` (paths only, no flag) without clap,
    /// as clap would read it; `None` for anything else, which clap reads.
    /// It is the call users and CI make most, and building clap's parser
    /// costs a check of a small config a few per cent of its run time
    /// (issue 17's per-process bar). A test holds it equal to clap's result.
    pub fn parse_plain_check(args: &[std::ffi::OsString]) -> Option<Cli> {
        let (command, paths) = args.get(1..)?.split_first()?;
        // Clap refuses an empty path, and reads anything from a `-` on as
        // a flag (or `-` and `--` specially): those go to clap.
        let plain =
            |a: &std::ffi::OsString| a.as_encoded_bytes().first().is_some_and(|&b| b != b'-');
        if command != "check" || !paths.iter().all(plain) {
            return None;
        }
        Some(Cli {
            command: Command::Check(Deferred(CheckArgs {
                paths: paths.iter().map(PathBuf::from).collect(),
                format: CheckFormat::Human,
                color: ColorChoice::Auto,
                rules: RuleArgs {
                    platform: None,
                    select: Vec::new(),
                    ignore: Vec::new(),
                    memmap: None,
                    log: None,
                    oc_version: None,
                },
                kind: None,
                efi: None,
            })),
        })
    }
}

/// The arguments of one subcommand, declared to clap only when that
/// subcommand is the one being parsed: building every subcommand's
/// arguments on each start cost more than parsing them (issue 17's
/// per-process bar). Reads as the arguments it holds.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

impl<T> std::ops::Deref for Deferred<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keep_about(cmd, T::augment_args))
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keep_about(cmd, T::augment_args_for_update))
    }
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Deferred)
    }
    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Deferred)
    }
    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
    fn update_from_arg_matches_mut(
        &mut self,
        matches: &mut clap::ArgMatches,
    ) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

/// Run `augment` on a subcommand whose description is already set: the
/// arguments struct's own doc comment must not replace the subcommand's
/// (it would when run first, as it is without deferral).
fn keep_about(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let cmd = augment(cmd);
    let cmd = match about {
        Some(text) => cmd.about(text),
        None => cmd.about(None::<&'static str>),
    };
    match long_about {
        Some(text) => cmd.long_about(text),
        None => cmd.long_about(None::<&'static str>),
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check config.plist files and report problems (default: ./config.plist, ./EFI/OC/config.plist, then the mounted EFI partition).
    Check(Deferred<CheckArgs>),
    /// Which kernel slides a memory map (EFI-shell memmap, Linux efi=debug, OpenCore log) leaves usable, with what each quirk would change.
    Slide(Deferred<slide::SlideArgs>),
    /// The runtime MMIO regions of a memory map, a ready MmioWhitelist, and a bisect plan.
    Mmio(Deferred<mmio::MmioArgs>),
    /// Show the fixes for a config.plist as a diff, or apply them with --write (safely: atomic, verified, backed up).
    Fix(Deferred<FixArgs>),
    /// List the backups `fix --write` made (of one config, or all), with the command to restore one.
    Backups(Deferred<backups::BackupsArgs>),
    /// Print the documentation of a rule.
    Explain {
        /// A rule code such as B003, or its name (slide-zero).
        code: String,
    },
    /// List every rule with its code, name, severity and fix.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// One row per family (code prefix) instead of one per rule.
        #[arg(long)]
        families: bool,
    },
    /// List the platform slugs accepted by --platform.
    Platforms {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print a shell completion script to stdout.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout; `ocaudit man check` for a subcommand's page.
    Man {
        /// A subcommand whose own page to print.
        subcommand: Option<String>,
    },
}

/// `human` or `json`, for listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table for people.
    Human,
    /// JSON.
    Json,
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Code frames for people.
    Human,
    /// The JSON contract (docs/json.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour output written to stdout.
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                    return false;
                }
                if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
                    return true;
                }
                std::io::stdout().is_terminal()
            }
        }
    }
}

/// Flags `check` and `fix` share: which rules, which platform, what
/// evidence, which OpenCore release.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// The platform profile to judge against (see `ocaudit platforms`); inferred from SystemProductName otherwise.
    #[arg(long, value_name = "SLUG")]
    pub platform: Option<String>,
    /// Only these rules: comma-separated codes, prefixes (`S`, `B00`) or rule names (`slide-zero`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Skip these rules: comma-separated codes, prefixes or rule names.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// An EFI-shell `memmap` dump (or Linux efi=debug log) of this machine.
    #[arg(long, value_name = "FILE")]
    pub memmap: Option<PathBuf>,
    /// An OpenCore debug log (opencore-*.txt) of this machine.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// The OpenCore release to check keys against (e.g. 1.0.7, HEAD); otherwise the log's version, else inferred from the config.
    #[arg(long, value_name = "X.Y.Z")]
    pub oc_version: Option<String>,
}

/// Flags of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories (every config.plist below a directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Rule selection, platform and evidence.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Read every file as this kind instead of detecting it from the root keys.
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<KindArg>,
    /// An EFI folder (holding EFI/OC, or the OC folder itself, or a folder of
    /// EFI folders): check its config.plist and the files it names (F rules).
    #[arg(long, value_name = "DIR")]
    pub efi: Option<PathBuf>,
}

/// `--kind`: which program's file this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// An OpenCore config.plist.
    #[value(name = "opencore")]
    OpenCore,
    /// A Clover config.plist.
    #[value(name = "clover")]
    Clover,
    /// A Clover-era OcQuirks.plist.
    #[value(name = "ocquirks")]
    OcQuirks,
}

impl From<KindArg> for crate::model::ConfigKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::OpenCore => crate::model::ConfigKind::OpenCore,
            KindArg::Clover => crate::model::ConfigKind::Clover,
            KindArg::OcQuirks => crate::model::ConfigKind::OcQuirks,
        }
    }
}

/// Parse arguments and run; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    // One buffer for the whole report: a locked stdout flushes at every
    // newline, which cost a system call per line of human output.
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let check = matches!(cli.command, Command::Check(_));
    let code = match cli.command {
        Command::Check(args) => check::run(&args, &mut out)?,
        Command::Slide(args) => {
            let ran = config_slide_options(args.config.as_deref())
                .and_then(|config| slide::run(&args, config, args.color.enabled(), &mut out));
            json_error(ran, args.format == slide::SlideFormat::Json, &mut out)?
        }
        Command::Mmio(args) => {
            let ran = config_slide_options(args.config.as_deref())
                .and_then(|config| mmio::run(&args, config, args.color.enabled(), &mut out));
            json_error(ran, args.format == mmio::MmioFormat::Json, &mut out)?
        }
        Command::Fix(args) => fix::run(&args, &mut out)?,
        Command::Backups(args) => backups::run(&args, &mut out)?,
        Command::Explain { code } => explain::explain(&code, &mut out)?,
        Command::Rules { format, families } => explain::rules(format, families, &mut out)?,
        Command::Platforms { format } => explain::platforms(format, &mut out)?,
        Command::Completions { shell } => generate::completions(shell, &mut out)?,
        Command::Man { subcommand } => generate::man(subcommand.as_deref(), &mut out)?,
    };
    match out.flush() {
        // `fix --write` already said on stderr that the file was written and
        // the report failed; the same unflushable bytes must not turn that
        // into an error that claims nothing was written.
        Err(_) if code == fix_write::WRITTEN_REPORT_FAILED => Ok(code),
        // `check` already chose its exit code from what it found; a reader
        // that closed the pipe early does not change it.
        Err(e) if check && e.kind() == std::io::ErrorKind::BrokenPipe => Ok(code),
        result => result.map(|()| code).map_err(Into::into),
    }
}

/// With `--format json`, an error is also written to stdout as
/// `{"error": {"message": ...}}`, so a script reading stdout sees why there
/// is no report; it is then returned (printed on stderr, exit 2).
fn json_error(ran: anyhow::Result<u8>, json: bool, out: &mut dyn Write) -> anyhow::Result<u8> {
    let Err(e) = ran else { return ran };
    if json && !is_broken_pipe(&e) {
        let message = e
            .chain()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        let doc = serde_json::json!({ "error": { "message": message } });
        // The error itself is what matters: a failed write here changes nothing.
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        )
        .and_then(|()| out.flush());
    }
    Err(e)
}

/// Whether `e` comes from writing to a pipe whose reader has gone.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The slide-analysis options a config file sets (for `slide --config`).
fn config_slide_options(
    path: Option<&std::path::Path>,
) -> anyhow::Result<Option<crate::memmap::SlideOptions>> {
    let Some(path) = path else { return Ok(None) };
    let raw = crate::audit::read(path)?;
    let loaded = crate::audit::load(&path.display().to_string(), raw)
        .map_err(|f| anyhow::anyhow!("{}: {}", path.display(), f.diagnostic.message))?;
    let platform = crate::audit::platform_of(&loaded, None, None);
    let opts = crate::evidence::slide_options(&loaded.config, platform.as_ref());
    // Say where the CPU facts of the simulation come from (on stderr, so
    // the report formats stay as they are).
    match &platform {
        Some(p) => eprintln!(
            "note: {}: platform {} ({}); Sandy/Ivy Bridge slide shift {}",
            path.display(),
            p.slug(),
            p.reasons(),
            if opts.sandy_ivy {
                "applied"
            } else {
                "not applied"
            }
        ),
        None => eprintln!(
            "note: {}: platform unknown; no Sandy/Ivy Bridge slide shift (pass --sandy-ivy if the CPU is one)",
            path.display()
        ),
    }
    Ok(Some(opts))
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::Parser;
    use std::ffi::OsString;

    fn argv(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    /// Every call the shortcut takes reads as clap reads it, and every
    /// other call is left to clap.
    #[test]
    fn plain_check_reads_as_clap_does() {
        let taken = [
            &["ocaudit", "check"][..],
            &["ocaudit", "check", "config.plist"],
            &["ocaudit", "check", "a.plist", "EFI", "help"],
            &["/usr/bin/ocaudit", "check", "./a b.plist", "\u{e9}.plist"],
        ];
        for args in taken {
            let args = argv(args);
            let fast = Cli::parse_plain_check(&args).expect("taken");
            let clap = Cli::try_parse_from(&args).expect("clap reads it");
            assert_eq!(format!("{fast:?}"), format!("{clap:?}"), "{args:?}");
        }
        let left = [
            &["ocaudit"][..],
            &[],
            &["ocaudit", "fix", "config.plist"],
            &["ocaudit", "chec", "config.plist"],
            &["ocaudit", "check", "--format", "json", "a.plist"],
            &["ocaudit", "check", "a.plist", "-"],
            &["ocaudit", "check", "a.plist", "--"],
            &["ocaudit", "check", ""],
            &["ocaudit", "check", "-h"],
            &["ocaudit", "Check", "a.plist"],
        ];
        for args in left {
            assert!(Cli::parse_plain_check(&argv(args)).is_none(), "{args:?}");
        }
    }

    /// A path that is not UTF-8 is a path to clap too.
    #[cfg(unix)]
    #[test]
    fn plain_check_keeps_paths_that_are_not_utf8() {
        use std::os::unix::ffi::OsStringExt;
        let args = vec![
            OsString::from("ocaudit"),
            OsString::from("check"),
            OsString::from_vec(vec![b'c', 0xFF, b'.', b'p']),
        ];
        let fast = Cli::parse_plain_check(&args).expect("taken");
        let clap = Cli::try_parse_from(&args).expect("clap reads it");
        assert_eq!(format!("{fast:?}"), format!("{clap:?}"));
    }
}
