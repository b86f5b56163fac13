//! `ocaudit slide`: read a memmap or OpenCore log, simulate OpenCore's
//! ProvideCustomSlide analysis, and print the result, a what-if table and
//! recommendations (human or JSON), optionally an SVG picture.
//!
//! Also holds the argument types `ocaudit mmio` shares.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use owo_colors::OwoColorize;

use crate::memmap::{
    Evidence, InputFormat, LogComparison, LoggedSlides, MemoryMap, OcLog, SlideAnalysis,
    SlideOptions, compare_log, detect_format, parse_evidence, recommend, simulate, svg::render_svg,
    what_if,
};

pub use crate::evidence::MAX_EVIDENCE_BYTES;

/// `on` or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    /// Enabled.
    #[value(alias = "true")]
    On,
    /// Disabled.
    #[value(alias = "false")]
    Off,
}

/// `--input-format`: skip auto-detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormatArg {
    /// EFI shell `memmap` output.
    Shell,
    /// Linux kernel log with `efi=debug`.
    Linux,
    /// OpenCore debug log.
    Log,
}

impl From<InputFormatArg> for InputFormat {
    fn from(f: InputFormatArg) -> InputFormat {
        match f {
            InputFormatArg::Shell => InputFormat::Shell,
            InputFormatArg::Linux => InputFormat::Linux,
            InputFormatArg::Log => InputFormat::OcLog,
        }
    }
}

/// `--format` of `ocaudit slide`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SlideFormat {
    /// Text for people.
    #[default]
    Human,
    /// The JSON contract.
    Json,
}

/// Read an address given in hex (`0xFED1C000`) or decimal (`4275159040`).
pub fn parse_address(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => t.parse(),
    };
    parsed.map_err(|_| format!("`{t}` is not an address: write 0xFED1C000 or 4275159040"))
}

/// Quirk flags shared by `slide` and `mmio`; each overrides `--config`.
#[derive(clap::Args, Clone, Debug, Default, PartialEq, Eq)]
pub struct QuirkArgs {
    /// Simulate Booter/Quirks/DevirtualiseMmio on or off.
    #[arg(long, value_enum, value_name = "on|off")]
    pub devirtualise_mmio: Option<OnOff>,
    /// Enabled MmioWhitelist addresses, comma-separated, hex or decimal.
    #[arg(long, value_delimiter = ',', value_parser = parse_address, value_name = "0xA,0xB")]
    pub whitelist: Option<Vec<u64>>,
    /// The CPU is Sandy Bridge or Ivy Bridge (slides from 128 move up 0x10200000).
    #[arg(long)]
    pub sandy_ivy: bool,
    /// Booter/Quirks/ProvideMaxSlide (0 = off, at most 254).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=254))]
    pub max_slide: Option<u8>,
}

impl QuirkArgs {
    /// `base` (from the config, or defaults) with these flags applied on top.
    pub fn apply(&self, base: Option<SlideOptions>) -> SlideOptions {
        let mut opts = base.unwrap_or_default();
        if let Some(v) = self.devirtualise_mmio {
            opts.devirtualise_mmio = v == OnOff::On;
        }
        if let Some(w) = &self.whitelist {
            opts.whitelist = w.clone();
        }
        opts.sandy_ivy |= self.sandy_ivy;
        if let Some(n) = self.max_slide {
            opts.max_slide = n;
        }
        opts
    }
}

/// Arguments of `ocaudit slide`.
#[derive(clap::Args, Clone, Debug)]
pub struct SlideArgs {
    /// EFI shell memmap, Linux efi=debug log, or OpenCore debug log.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// A shell memmap to compare with the OpenCore log given as FILE.
    #[arg(long, value_name = "FILE")]
    pub memmap: Option<PathBuf>,
    /// Take DevirtualiseMmio, MmioWhitelist, ProvideMaxSlide and the CPU from this config.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Quirk overrides.
    #[command(flatten)]
    pub quirks: QuirkArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: SlideFormat,
    /// Also write an SVG picture of the map below 4 GiB here (a new file, or an SVG ocaudit wrote).
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
    /// Let --svg replace an existing file ocaudit did not write, such as a plist (after a backup); never an input of the run.
    #[arg(long, requires = "svg")]
    pub force: bool,
    /// Skip auto-detection of FILE's format.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// When to use colour (as for `check`).
    #[arg(long, value_enum, default_value_t = super::ColorChoice::Auto)]
    pub color: super::ColorChoice,
}

/// Read and parse one evidence file; errors name the file and what to do.
pub fn read_evidence(path: &Path, forced: Option<InputFormatArg>) -> Result<(Evidence, String)> {
    let shown = path.display();
    let bytes = crate::evidence::read_bytes(path)?;
    let evidence =
        parse_evidence(&bytes, forced.map(Into::into)).map_err(|e| anyhow!("{shown}: {e}"))?;
    let format = match (&evidence, forced) {
        (Evidence::Log(_), _) => InputFormat::OcLog,
        (_, Some(f)) => f.into(),
        (Evidence::Map(_), None) => {
            detect_format(&crate::memmap::decode(&bytes).text).unwrap_or(InputFormat::Shell)
        }
    };
    Ok((evidence, format.to_string()))
}

struct Paint(bool);

impl Paint {
    fn head(&self, s: &str) -> String {
        if self.0 {
            s.bold().to_string()
        } else {
            s.to_string()
        }
    }
    fn count(&self, n: usize, text: String) -> String {
        match (self.0, n) {
            (false, _) => text,
            (true, 0) => text.red().bold().to_string(),
            (true, 256) => text.green().bold().to_string(),
            (true, _) => text.yellow().bold().to_string(),
        }
    }
}

/// Bytes as MiB with one decimal, or KiB below 1 MiB.
pub fn mib(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

/// One line describing the simulated quirks.
pub fn describe_options(o: &SlideOptions) -> String {
    let wl: Vec<String> = o.whitelist.iter().map(|a| format!("0x{a:X}")).collect();
    format!(
        "DevirtualiseMmio {}, MmioWhitelist {}, ProvideMaxSlide {}, Sandy/Ivy Bridge {}",
        on_off(o.devirtualise_mmio),
        if wl.is_empty() {
            "none".to_string()
        } else {
            wl.join(", ")
        },
        o.max_slide,
        if o.sandy_ivy { "yes" } else { "no" }
    )
}

fn strip(a: &SlideAnalysis, p: &Paint) -> String {
    let mut out = String::new();
    for row in 0..4u16 {
        let _ = write!(out, "  {:>3}  ", row * 64);
        for s in row * 64..row * 64 + 64 {
            let cell = match a.scans.get(usize::from(s)) {
                Some(scan) if scan.usable => "#",
                Some(_) => ".",
                None => " ",
            };
            out.push_str(&match (p.0, cell) {
                (true, "#") => cell.green().to_string(),
                (true, ".") => cell.red().to_string(),
                _ => cell.to_string(),
            });
        }
        out.push('\n');
    }
    out
}

fn map_report(
    map: &MemoryMap,
    opts: &SlideOptions,
    source: &str,
    a: &SlideAnalysis,
    p: &Paint,
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "quirks: {} ({source})", describe_options(opts));
    let _ = writeln!(o);
    let counted = p.count(a.valid_count, format!("{} of 256", a.valid_count));
    let ranges = if a.ranges.is_empty() {
        "none".into()
    } else {
        a.ranges.clone()
    };
    let _ = writeln!(o, "usable slides   {counted}: {ranges}");
    let says = match a.decision {
        crate::memmap::Decision::AllUsable => {
            "\"All slides are usable!\": no slide is passed".to_string()
        }
        crate::memmap::Decision::SomeUsable => format!(
            "\"Only {}/256 slide values are usable!\" and passes a random one",
            a.valid_count
        ),
        crate::memmap::Decision::NoneUsable => format!(
            "\"No slide values are usable! Falling back to {}\"",
            a.fallback_slide
        ),
    };
    let _ = writeln!(o, "OpenCore says   {says}");
    let _ = writeln!(
        o,
        "fallback slide  {} ({} free there)",
        a.fallback_slide,
        mib(a.max_available)
    );
    let _ = writeln!(
        o,
        "kernel area     {} bytes ({}) = {} runtime pages x 4 KiB + 200 MiB",
        a.estimated_kernel_area,
        mib(a.estimated_kernel_area),
        a.runtime_pages
    );
    if a.devirtualised_kib > 0 {
        let _ = writeln!(
            o,
            "devirtualised   {} KiB of runtime MMIO",
            a.devirtualised_kib
        );
    }
    let _ = writeln!(
        o,
        "\n{}",
        p.head(&format!("  {:<44} {:>6}  slides", "what if", "usable"))
    );
    for r in what_if(map, opts) {
        let ranges = if r.ranges.is_empty() {
            "none".to_string()
        } else {
            r.ranges
        };
        let _ = writeln!(o, "  {:<44} {:>6}  {ranges}", r.label, r.valid_count);
    }
    let _ = writeln!(
        o,
        "\n{}",
        p.head("slide window (# usable, . not usable, blank not scanned)")
    );
    o.push_str(&strip(a, p));
    let mut regions = a.mmio_runtime_regions.clone();
    regions.sort_by(|x, y| y.pages.cmp(&x.pages).then(x.start.cmp(&y.start)));
    if !regions.is_empty() {
        let _ = writeln!(o, "\n{}", p.head("largest runtime MMIO regions"));
        for r in regions.iter().take(5) {
            let white = opts
                .whitelist
                .iter()
                .any(|&w| w >= r.start && w - r.start < r.pages.saturating_mul(4096));
            let state = match (opts.devirtualise_mmio, white) {
                (true, false) => "devirtualised",
                (true, true) => "whitelisted, stays runtime",
                (false, _) => "runtime (DevirtualiseMmio off)",
            };
            let _ = writeln!(
                o,
                "  0x{:016X}  {:>8} pages  {:>10}  {state}",
                r.start,
                r.pages,
                mib(r.pages.saturating_mul(4096))
            );
        }
        if regions.len() > 5 {
            let _ = writeln!(o, "  ... {} more: see `ocaudit mmio`", regions.len() - 5);
        }
    }
    let _ = writeln!(o, "\n{}", p.head("recommendations"));
    for (i, r) in recommend(map, opts, a).iter().enumerate() {
        let _ = writeln!(o, "  {}. [{:?}] {}", i + 1, r.kind, r.text);
    }
    if a.unparsed_lines > 0 || !map.warnings.is_empty() {
        let _ = writeln!(o, "\n{}", p.head("reading the file"));
        if a.unparsed_lines > 0 {
            let _ = writeln!(
                o,
                "  {} line(s) were not understood and were skipped",
                a.unparsed_lines
            );
        }
        for w in &map.warnings {
            let _ = writeln!(o, "  {w}");
        }
    }
    o
}

fn log_report(log: &OcLog, p: &Paint) -> String {
    let mut o = String::new();
    let version = match (&log.version, &log.build) {
        (Some(v), Some(b)) => format!(
            "OpenCore {v} ({b}{})",
            log.build_date
                .as_ref()
                .map(|d| format!(", {d}"))
                .unwrap_or_default()
        ),
        _ => "OpenCore (no version line)".into(),
    };
    let _ = writeln!(o, "{version}");
    if !log.quirk_flags.is_empty() {
        let f = |n: &str| log.flag(n).map_or("?".to_string(), |v| v.to_string());
        let _ = writeln!(
            o,
            "quirks in the log: DevirtualiseMmio {}, ProvideCustomSlide {}, ProvideMaxSlide {}, RebuildAppleMemoryMap {}, EnableWriteUnprotector {}",
            f("DEVMMIO"),
            f("CSLIDE"),
            f("MSLIDE"),
            f("RBMAP"),
            f("WRUNPROT")
        );
    }
    if let Some(mat) = log.mat_support {
        let _ = writeln!(
            o,
            "MAT support: {} (memory attributes table {})",
            u8::from(mat),
            if mat {
                "present: RebuildAppleMemoryMap can replace EnableWriteUnprotector"
            } else {
                "absent: keep EnableWriteUnprotector, drop RebuildAppleMemoryMap"
            }
        );
    }
    let reported = match &log.slide_report {
        Some(LoggedSlides::AllUsable) => p.count(256, "all 256 slides usable".into()),
        Some(LoggedSlides::Some { count, ranges, .. }) => format!(
            "{}: {}",
            p.count(*count as usize, format!("only {count}/256 slides usable")),
            ranges.as_deref().unwrap_or("(no Valid slides line)")
        ),
        Some(LoggedSlides::NoneUsable { fallback, bytes }) => p.count(0, format!("no slide usable, fell back to {fallback} with {}", mib(*bytes))),
        None => "no slide analysis in this log: OpenCore prints it only with ProvideCustomSlide on, when macOS's boot.efi asks for the memory map; boot macOS once with the DEBUG build and pass that log".into(),
    };
    let _ = writeln!(o, "OpenCore reported: {reported}");
    if !log.devirt.is_empty() {
        let skipped = log.devirt.iter().filter(|d| d.3).count();
        let _ = writeln!(
            o,
            "MMIO devirt: {} region(s), {} whitelisted (skip 1), saved {} KB",
            log.devirt.len(),
            skipped,
            log.devirt_saved_kib.map_or("?".into(), |k| k.to_string())
        );
    }
    for w in &log.warnings {
        let _ = writeln!(o, "  note: {w}");
    }
    o
}

fn comparison_text(c: &LogComparison) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "log vs memmap, simulated with the log's quirks ({})",
        describe_options(&c.options)
    );
    let _ = writeln!(
        o,
        "  OpenCore log  {:>3} usable  {}",
        c.log_valid_count,
        c.log_ranges.as_deref().unwrap_or("(not listed)")
    );
    let _ = writeln!(
        o,
        "  memmap        {:>3} usable  {}",
        c.memmap_valid_count, c.memmap_ranges
    );
    for m in c.missing.iter().take(3) {
        if let (Some(t), Some(start), Some(line)) = (m.blocked_by, m.blocker_start, m.blocker_line)
        {
            let why = if m.loader_image {
                ": the shell's own image, gone when boot.efi runs"
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "  slide {} is blocked in the memmap by {} at 0x{start:X} (line {line}){why}",
                m.slide,
                t.name()
            );
        }
    }
    let verdict = if c.agree {
        "they agree"
    } else {
        "they differ (M005): the log comes from the real boot-time map and outranks a shell memmap, which is taken before boot.efi runs"
    };
    let _ = writeln!(o, "  {verdict}");
    o
}

/// Run `ocaudit slide`. `config_opts` are the options read from `--config`
/// by the caller; flags override them. Returns the exit code (0); an
/// unreadable or unparsable input is an error (exit 2 for the caller).
pub fn run(
    args: &SlideArgs,
    config_opts: Option<SlideOptions>,
    color: bool,
    out: &mut dyn Write,
) -> Result<u8> {
    let p = Paint(color);
    let (evidence, format) = read_evidence(&args.file, args.input_format)?;
    // Without --config, a log's own quirk header is the baseline; flags override.
    let (base, source) = match (config_opts, &evidence) {
        (Some(c), _) => (Some(c), "from --config"),
        (None, Evidence::Log(l)) if !l.quirk_flags.is_empty() => (
            Some(l.slide_options(&SlideOptions::default())),
            "as the log ran",
        ),
        (None, _) => (None, "defaults"),
    };
    let opts = args.quirks.apply(base);
    let source = if args.quirks == QuirkArgs::default() {
        source.to_string()
    } else {
        format!("{source}, flags override")
    };
    let extra_map = match &args.memmap {
        None => None,
        Some(path) => match read_evidence(path, None)? {
            (Evidence::Map(m), _) => Some(m),
            (Evidence::Log(_), _) => bail!(
                "{}: --memmap expects a shell memmap or efi=debug log, and this is an OpenCore log",
                path.display()
            ),
        },
    };
    let (map, log) = match evidence {
        Evidence::Map(_) if extra_map.is_some() => bail!(
            "{} is already a memory map; --memmap is for comparing an OpenCore log (FILE) with a memmap",
            args.file.display()
        ),
        Evidence::Map(m) => (Some(m), None),
        Evidence::Log(l) => (extra_map, Some(l)),
    };
    let analysis = map.as_ref().map(|m| simulate(m, &opts));
    if let Some(svg_path) = &args.svg {
        let (Some(m), Some(a)) = (&map, &analysis) else {
            bail!(
                "--svg needs a memory map: pass a shell memmap as FILE, or with a log add --memmap FILE"
            );
        };
        let inputs: Vec<&std::path::Path> =
            [Some(&args.file), args.memmap.as_ref(), args.config.as_ref()]
                .into_iter()
                .flatten()
                .map(PathBuf::as_path)
                .collect();
        let svg = render_svg(m, a, &opts);
        if let Some(backup) = super::svg_out::write_svg(svg_path, &svg, &inputs, args.force)? {
            eprintln!(
                "ocaudit: replaced {} (--force); the backup of what it held is {}",
                svg_path.display(),
                backup.display()
            );
        }
    }
    let compared = match (&log, &map) {
        (Some(l), Some(m)) => compare_log(l, m, &opts),
        _ => None,
    };
    let name = super::render::escape::human(&args.file.display().to_string()).into_owned();
    match args.format {
        SlideFormat::Json => {
            let mut value = match &analysis {
                Some(a) => serde_json::to_value(a)?,
                None => serde_json::json!({}),
            };
            if let (Some(obj), Some(l)) = (value.as_object_mut(), &log) {
                obj.insert("log".into(), serde_json::to_value(l)?);
                if let Some(c) = &compared {
                    obj.insert("comparison".into(), serde_json::to_value(c)?);
                }
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        }
        SlideFormat::Human => {
            if let Some(l) = &log {
                writeln!(
                    out,
                    "{}",
                    p.head(&format!("ocaudit slide: {name}: OpenCore log"))
                )?;
                write!(out, "{}", log_report(l, &p))?;
            }
            if let (Some(m), Some(a)) = (&map, &analysis) {
                let header = match (&args.memmap, &log) {
                    (Some(path), Some(_)) => format!(
                        "\n{}",
                        p.head(&format!(
                            "memmap {}: {} descriptors",
                            super::render::escape::human(&path.display().to_string()),
                            m.descriptors.len()
                        ))
                    ),
                    _ => p.head(&format!(
                        "ocaudit slide: {name}: {format}, {} descriptors",
                        m.descriptors.len()
                    )),
                };
                writeln!(out, "{header}")?;
                write!(out, "{}", map_report(m, &opts, &source, a, &p))?;
            }
            if let Some(c) = &compared {
                writeln!(out, "\n{}", p.head("comparison"))?;
                write!(out, "{}", comparison_text(c))?;
            }
            if let Some(svg_path) = &args.svg {
                writeln!(out, "\nwrote {}", svg_path.display())?;
            }
        }
    }
    Ok(0)
}
