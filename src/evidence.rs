//! Memory-map evidence for `check` and `fix`.
//!
//! Reads the `--memmap` / `--log` files once, then, per config, simulates
//! OpenCore's slide analysis with that config's quirks and summarises the
//! result as an [`Evidence`] for the rules. Parsing and simulation live
//! in `memmap`; this module only connects them to a config.

use std::path::Path;

use crate::memmap::{self, LoggedSlides, MemoryMap, OcLog, SlideOptions};
use crate::model::Config;
use crate::platform::PlatformMatch;

/// Memory-map evidence, summarised for the rules (from `--memmap` / `--log`).
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Where it came from (file name), for messages.
    pub source: String,
    /// Usable slides with the config's quirks (simulated, or logged).
    pub valid_slides: Option<Vec<u8>>,
    /// Usable count with DevirtualiseMmio on (simulated from a map).
    pub valid_with_devirtualise: Option<usize>,
    /// Usable slides with DevirtualiseMmio on (simulated from a map).
    pub slides_with_devirtualise: Option<Vec<u8>>,
    /// OpenCore's fallback slide with the config's quirks.
    pub fallback_slide: Option<u8>,
    /// The `OCABC: Only K/256` count OpenCore logged, if a log was given.
    pub logged_count: Option<usize>,
    /// Count simulated from a map for the same quirks (to compare with a log).
    pub simulated_count: Option<usize>,
    /// Whether the firmware has a memory attributes table (from a log).
    pub mat_support: Option<bool>,
    /// Runtime MMIO regions: (start, pages).
    pub runtime_mmio: Vec<(u64, u64)>,
    /// The running OpenCore version from a log (`1.0.7`).
    pub log_version: Option<String>,
    /// The boot arguments boot.efi last read from NVRAM, per the log
    /// (`AAPL: #[EB|MBA:NV]`), with the log's line number.
    pub nvram_boot_args: Option<(usize, String)>,
    /// The log shows ProvideCustomSlide choosing among fewer than 256
    /// slides: OpenCore then appends its own `slide=N` to those arguments.
    pub opencore_slide: bool,
}

impl Evidence {
    /// Number of usable slides with the config's quirks, when known.
    pub fn valid_count(&self) -> Option<usize> {
        self.valid_slides
            .as_ref()
            .map(Vec::len)
            .or(self.logged_count)
    }

    /// True when evidence says every slide is usable.
    pub fn all_usable(&self) -> bool {
        self.valid_count() == Some(256)
    }

    /// True when evidence says no slide is usable.
    pub fn none_usable(&self) -> bool {
        self.valid_count() == Some(0)
    }
}

/// The parsed evidence files.
#[derive(Debug, Clone, Default)]
pub struct EvidenceFiles {
    /// A memory map (EFI shell or Linux), with its file name.
    pub map: Option<(String, MemoryMap)>,
    /// An OpenCore log, with its file name.
    pub log: Option<(String, OcLog)>,
}

/// Largest evidence file read; real memmaps and OpenCore logs are under 1 MiB.
pub const MAX_EVIDENCE_BYTES: u64 = 64 << 20;

/// Read a memmap or log file with the checks a config gets (a regular file,
/// at most [`MAX_EVIDENCE_BYTES`], checked before reading); the error names
/// the file and what to do.
pub fn read_bytes(path: &Path) -> anyhow::Result<Vec<u8>> {
    let shown = path.display();
    crate::load::read_limited(
        path,
        MAX_EVIDENCE_BYTES,
        "pass the memmap or log file inside it",
    )
    .map_err(|e| match e.size {
        Some(n) => anyhow::anyhow!(
            "{shown} is {} MiB; memmaps and OpenCore logs are under 1 MiB: is this the right file?",
            n >> 20
        ),
        None => anyhow::anyhow!("cannot read {shown}: {}", e.message),
    })
}

/// Read and parse the evidence files, if any were given. A `--memmap` file
/// that turns out to be an OpenCore log is taken as the log, and the other
/// way round.
pub fn load(
    memmap_path: Option<&Path>,
    log_path: Option<&Path>,
) -> anyhow::Result<Option<EvidenceFiles>> {
    let mut files = EvidenceFiles::default();
    for p in memmap_path.iter().chain(log_path.iter()) {
        let bytes = read_bytes(p)?;
        let name = p.display().to_string();
        match memmap::parse_evidence(&bytes, None) {
            Ok(memmap::Evidence::Map(m)) => files.map = Some((name, m)),
            Ok(memmap::Evidence::Log(l)) => files.log = Some((name, l)),
            Err(e) => anyhow::bail!("{name}: {e}"),
        }
    }
    Ok((files.map.is_some() || files.log.is_some()).then_some(files))
}

/// The slide-analysis options a config sets: DevirtualiseMmio, its enabled
/// MmioWhitelist addresses, ProvideMaxSlide (low byte, as OpenCore keeps it)
/// and the CPU generation and vendor of its platform.
pub fn slide_options(config: &Config, platform: Option<&PlatformMatch>) -> SlideOptions {
    let q = &config.quirks;
    let whitelist = config
        .mmio_whitelist
        .iter()
        .flat_map(|w| &w.entries)
        .filter(|e| e.enabled.value && !e.enabled.mistyped())
        .filter_map(|e| e.address.present().map(|&a| a as u64))
        .collect();
    SlideOptions {
        devirtualise_mmio: q.devirtualise_mmio.value,
        whitelist,
        max_slide: (q.provide_max_slide.value as u64 & 0xFF) as u8,
        sandy_ivy: platform.is_some_and(PlatformMatch::sandy_ivy),
        amd: platform.is_some_and(|p| p.candidates.iter().all(|c| c.vendor == "amd")),
    }
}

fn logged_valid(report: &LoggedSlides) -> Option<Vec<u8>> {
    match report {
        LoggedSlides::AllUsable => Some((0..=255).collect()),
        LoggedSlides::Some { valid, .. } => valid.clone(),
        LoggedSlides::NoneUsable { .. } => Some(Vec::new()),
    }
}

/// Summarise the evidence for one config.
pub fn summarise(
    files: &EvidenceFiles,
    config: &Config,
    platform: Option<&PlatformMatch>,
) -> Evidence {
    let opts = slide_options(config, platform);
    let mut ev = Evidence::default();
    let mut names = Vec::new();
    if let Some((name, map)) = &files.map {
        names.push(name.clone());
        let a = memmap::simulate(map, &opts);
        let on = memmap::simulate(
            map,
            &SlideOptions {
                devirtualise_mmio: true,
                ..opts.clone()
            },
        );
        ev.valid_slides = Some(a.valid_slides);
        ev.fallback_slide = Some(a.fallback_slide);
        ev.valid_with_devirtualise = Some(on.valid_count);
        ev.slides_with_devirtualise = Some(on.valid_slides);
        ev.runtime_mmio = a
            .mmio_runtime_regions
            .iter()
            .map(|r| (r.start, r.pages))
            .collect();
    }
    if let Some((name, log)) = &files.log {
        names.push(name.clone());
        ev.mat_support = log.mat_support;
        ev.log_version = log.version.clone();
        ev.nvram_boot_args = log.nvram_boot_args.last().cloned();
        ev.opencore_slide = log.flag("CSLIDE") == Some(1)
            && log.slide_report.as_ref().is_some_and(|r| r.count() < 256);
        if let Some(report) = &log.slide_report {
            // The log saw the real boot-time map: it outranks a shell memmap.
            ev.logged_count = Some(report.count() as usize);
            if let Some(valid) = logged_valid(report) {
                ev.valid_slides = Some(valid);
            } else if files.map.is_none() {
                ev.valid_slides = None;
            }
            if let LoggedSlides::NoneUsable { fallback, .. } = report {
                ev.fallback_slide = Some(*fallback);
            }
        }
        if ev.runtime_mmio.is_empty() {
            ev.runtime_mmio = log.devirt.iter().map(|d| (d.0, d.1)).collect();
        }
        if let Some((_, map)) = &files.map
            && let Some(cmp) = memmap::compare_log(log, map, &opts)
        {
            ev.logged_count = Some(cmp.log_valid_count as usize);
            ev.simulated_count = Some(cmp.memmap_valid_count);
        }
    }
    ev.source = names.join(" + ");
    ev
}
