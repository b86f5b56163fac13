//! `ocaudit mmio`: list the runtime MMIO regions of a memmap or OpenCore log,
//! print a ready MmioWhitelist `<array>`, and the whitelist bisect plan.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use owo_colors::OwoColorize;

use super::slide::{InputFormatArg, QuirkArgs, describe_options, mib, read_evidence};
use crate::memmap::{
    Evidence, MmioRegionReport, SlideOptions, bisect_plan, mmio_regions, mmio_regions_from_log,
    simulate, whitelist_plist,
};

/// `--format` of `ocaudit mmio`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MmioFormat {
    /// Text for people.
    #[default]
    Human,
    /// Regions and bisect plan as JSON.
    Json,
    /// A MmioWhitelist `<array>` to paste into config.plist.
    Plist,
}

/// Arguments of `ocaudit mmio`.
#[derive(clap::Args, Clone, Debug)]
pub struct MmioArgs {
    /// EFI shell memmap, Linux efi=debug log, or OpenCore debug log with `MMIO devirt` lines.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Take DevirtualiseMmio, MmioWhitelist, ProvideMaxSlide and the CPU from this config.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Quirk overrides.
    #[command(flatten)]
    pub quirks: QuirkArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: MmioFormat,
    /// Skip auto-detection of FILE's format.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// When to use colour (as for `check`).
    #[arg(long, value_enum, default_value_t = super::ColorChoice::Auto)]
    pub color: super::ColorChoice,
}

fn table(regions: &[MmioRegionReport], color: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "  {:<3} {:<20} {:>14} {:>10} {:>10}  {:<13} {:>10}",
        "#", "address", "decimal", "pages", "size", "devirtualised", "saved"
    );
    for (i, r) in regions.iter().enumerate() {
        let state = if r.devirtualised {
            "yes"
        } else {
            "no (whitelist)"
        };
        let state = if color && !r.devirtualised {
            state.yellow().to_string()
        } else {
            state.to_string()
        };
        let _ = writeln!(
            o,
            "  {:<3} 0x{:<18X} {:>14} {:>10} {:>10}  {:<13} {:>10}",
            i + 1,
            r.start,
            r.start,
            format!("0x{:X}", r.pages),
            mib(r.size),
            state,
            mib(r.saved_bytes)
        );
    }
    o
}

/// Run `ocaudit mmio`. `config_opts` come from `--config` (read by the
/// caller); flags override them. Returns the exit code (0); unreadable input,
/// or a log without `MMIO devirt` lines, is an error (exit 2 for the caller).
pub fn run(
    args: &MmioArgs,
    config_opts: Option<SlideOptions>,
    color: bool,
    out: &mut dyn Write,
) -> Result<u8> {
    let mut opts = args.quirks.apply(config_opts);
    let (evidence, format) = read_evidence(&args.file, args.input_format)?;
    let (regions, map) = match &evidence {
        Evidence::Map(m) => (mmio_regions(m, &opts), Some(m)),
        Evidence::Log(l) => {
            if l.devirt.is_empty() {
                bail!(
                    "{}: this OpenCore log has no `MMIO devirt` lines; OpenCore prints them only with Booter/Quirks/DevirtualiseMmio on: enable it once with the DEBUG build and pass that log, or pass a shell memmap",
                    args.file.display()
                );
            }
            opts = l.slide_options(&opts);
            (mmio_regions_from_log(l), None)
        }
    };
    let plan = bisect_plan(&regions, map, &opts);
    let baseline = map.map(|m| {
        simulate(
            m,
            &SlideOptions {
                devirtualise_mmio: true,
                whitelist: Vec::new(),
                ..opts.clone()
            },
        )
    });
    match args.format {
        MmioFormat::Plist => write!(out, "{}", whitelist_plist(&regions))?,
        MmioFormat::Json => {
            let saved: u64 = regions.iter().map(|r| r.saved_bytes).sum();
            let value = serde_json::json!({
                "regions": regions,
                "devirtualised_kib": saved / 1024,
                "valid_count_without_whitelist": baseline.as_ref().map(|a| a.valid_count),
                "bisect": plan,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        }
        MmioFormat::Human => {
            let name = super::render::escape::human(&args.file.display().to_string()).into_owned();
            let head = format!("ocaudit mmio: {name}: {format}");
            writeln!(
                out,
                "{}",
                if color { head.bold().to_string() } else { head }
            )?;
            writeln!(out, "quirks: {}", describe_options(&opts))?;
            if regions.is_empty() {
                writeln!(
                    out,
                    "no runtime MMIO regions: DevirtualiseMmio has nothing to do here and no MmioWhitelist entry is needed"
                )?;
                return Ok(0);
            }
            writeln!(
                out,
                "\n{} runtime MMIO region(s); \"devirtualised\" is what DevirtualiseMmio does to each with this whitelist:",
                regions.len()
            )?;
            write!(out, "{}", table(&regions, color))?;
            if let Some(a) = &baseline {
                writeln!(
                    out,
                    "\nwith DevirtualiseMmio and no whitelist: {} usable slides ({})",
                    a.valid_count, a.ranges
                )?;
            }
            writeln!(
                out,
                "\nbisect plan (if the machine fails with DevirtualiseMmio on, whitelist one region at a time):"
            )?;
            for s in &plan {
                let slides = match (&s.valid_count, &s.ranges) {
                    (Some(n), Some(r)) => format!(
                        " -> {n} usable slides ({})",
                        if r.is_empty() { "none" } else { r }
                    ),
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "  {}. whitelist 0x{:X} ({}): {}{slides}",
                    s.step, s.start, s.start, s.reason
                )?;
            }
            writeln!(
                out,
                "\n`--format plist` prints these regions as a MmioWhitelist array to paste (Enabled false; enable one per step)"
            )?;
        }
    }
    Ok(0)
}
