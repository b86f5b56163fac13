//! Criterion bench: OpenCore's slide analysis on a generated 2,000-descriptor
//! map (target: well under 1 ms), plus parsing its shell rendering.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ocaudit::memmap::{
    Descriptor, EFI_MEMORY_RUNTIME, MemType, MemoryMap, SlideOptions, parse_evidence, render_shell,
    simulate,
};

/// 2,000 descriptors from 0 upwards: mostly small Available/BS_Data pairs (as
/// fragmented firmware maps are), some runtime data and MMIO.
fn generated_map() -> MemoryMap {
    let mut at = 0u64;
    let descriptors = (0..2000u64)
        .map(|i| {
            let (mem_type, pages, runtime) = match i % 10 {
                0 => (MemType::RuntimeServicesData, 0x10, true),
                1 => (MemType::Mmio, 0x20, true),
                2 | 5 | 8 => (MemType::BootServicesData, 0x40 + i % 7, false),
                _ => (MemType::Conventional, 0x400 + (i * 37) % 0x800, false),
            };
            let d = Descriptor {
                mem_type,
                start: at,
                pages,
                attributes: 0xF | if runtime { EFI_MEMORY_RUNTIME } else { 0 },
                line: i as usize + 2,
            };
            at += pages * 4096;
            d
        })
        .collect();
    MemoryMap {
        descriptors,
        ..MemoryMap::default()
    }
}

fn bench(c: &mut Criterion) {
    let map = generated_map();
    let plain = SlideOptions::default();
    let devirt = SlideOptions {
        devirtualise_mmio: true,
        ..SlideOptions::default()
    };
    c.bench_function("simulate 2000 descriptors", |b| {
        b.iter(|| simulate(black_box(&map), black_box(&plain)))
    });
    c.bench_function("simulate 2000 descriptors, DevirtualiseMmio", |b| {
        b.iter(|| simulate(black_box(&map), black_box(&devirt)))
    });
    let bytes = render_shell(&map).into_bytes();
    c.bench_function("parse 2000-line shell memmap", |b| {
        b.iter(|| parse_evidence(black_box(&bytes), None))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
