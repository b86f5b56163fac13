//! Usable slides for many kernel-area sizes over one map, without a full
//! scan per size.
//!
//! The bisect plan of `ocaudit mmio` asks, for every runtime MMIO region,
//! which slides stay usable when only that region is whitelisted. Only the
//! kernel area's size changes between those questions, so the map is indexed
//! once (sorted ends and starts with prefix sums): each slide is then
//! answered in O(log n), and a plan over n regions costs O(n log n) instead
//! of a 256-slide scan of the whole map per region.
//!
//! The answer is the one [`super::analyse`] gives: a slide is usable when no
//! non-conventional descriptor overlaps its area and the conventional
//! descriptors' overlaps add up (wrapping, as in the scan) to its size.

use super::{SlideOptions, slide_range};
use crate::memmap::types::{MemType, MemoryMap};

/// A map indexed for [`AreaIndex::valid_slides`].
#[derive(Debug, Clone)]
pub struct AreaIndex {
    /// Conventional spans' starts, ascending, and their prefix sums.
    conv_starts: Vec<u64>,
    conv_start_sums: Vec<u128>,
    /// Conventional spans' ends, ascending, and their prefix sums.
    conv_ends: Vec<u64>,
    conv_end_sums: Vec<u128>,
    /// Other spans' ends, ascending, with the smallest start among the spans
    /// from each position on.
    block_ends: Vec<u64>,
    block_min_start: Vec<u64>,
}

fn prefix_sums(values: &[u64]) -> Vec<u128> {
    let mut sums = Vec::with_capacity(values.len() + 1);
    let mut total = 0u128;
    sums.push(0);
    for &v in values {
        total += u128::from(v);
        sums.push(total);
    }
    sums
}

impl AreaIndex {
    /// Index the descriptors OpenCore's scan reads (those before the first
    /// with 0 pages).
    pub fn new(map: &MemoryMap) -> AreaIndex {
        let scanned = map.descriptors.iter().take_while(|d| d.pages != 0);
        let (mut conv_starts, mut conv_ends) = (Vec::new(), Vec::new());
        let mut blocks: Vec<(u64, u64)> = Vec::new();
        for d in scanned {
            let (start, end) = (d.start, d.end());
            // An empty span (start at the top of the address space) never
            // overlaps anything in the scan.
            if start >= end {
                continue;
            }
            if d.mem_type == MemType::Conventional {
                conv_starts.push(start);
                conv_ends.push(end);
            } else {
                blocks.push((end, start));
            }
        }
        conv_starts.sort_unstable();
        conv_ends.sort_unstable();
        blocks.sort_unstable();
        let mut block_min_start = vec![u64::MAX; blocks.len()];
        let mut min = u64::MAX;
        for (i, &(_, start)) in blocks.iter().enumerate().rev() {
            min = min.min(start);
            block_min_start[i] = min;
        }
        AreaIndex {
            conv_start_sums: prefix_sums(&conv_starts),
            conv_end_sums: prefix_sums(&conv_ends),
            conv_starts,
            conv_ends,
            block_ends: blocks.iter().map(|&(end, _)| end).collect(),
            block_min_start,
        }
    }

    /// Conventional bytes below `y`: the sum over conventional spans of
    /// their part under `y`.
    fn below(&self, y: u64) -> u128 {
        let started = self.conv_starts.partition_point(|&s| s < y);
        let ended = self.conv_ends.partition_point(|&e| e <= y);
        // Spans ended by `y` count whole (their end minus start); spans
        // still open count up to `y`.
        self.conv_end_sums[ended] + u128::from(y) * (started - ended) as u128
            - self.conv_start_sums[started]
    }

    /// Whether a non-conventional span overlaps `[start, end)`.
    fn blocked(&self, start: u64, end: u64) -> bool {
        let i = self.block_ends.partition_point(|&e| e <= start);
        self.block_min_start.get(i).is_some_and(|&s| s < end)
    }

    /// The usable slides, ascending, for a kernel area of `area` bytes (the
    /// `valid_slides` of [`super::simulate_with_area`] with `opts`).
    pub fn valid_slides(&self, area: u64, opts: &SlideOptions) -> Vec<u8> {
        let mut valid = Vec::new();
        for slide in 0..=255u8 {
            if opts.max_slide > 0 && slide > opts.max_slide {
                break;
            }
            let (start, end) = slide_range(slide, area, opts.sandy_ivy);
            if self.blocked(start, end) {
                continue;
            }
            let available = (self.below(end) - self.below(start)) as u64;
            if start.wrapping_add(available) == end {
                valid.push(slide);
            }
        }
        valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memmap::simulate::simulate_with_area;
    use crate::memmap::types::{Descriptor, EFI_MEMORY_RUNTIME};
    use proptest::prelude::*;

    fn descriptor() -> impl Strategy<Value = Descriptor> {
        (
            prop_oneof![
                4 => Just(MemType::Conventional),
                1 => Just(MemType::Mmio),
                1 => Just(MemType::Reserved),
                1 => Just(MemType::BootServicesData),
            ],
            // Starts around the slide window, some at the very top.
            prop_oneof![
                8 => (0u64..0x40000).prop_map(|p| p * 0x1000),
                1 => Just(u64::MAX - 0x1000),
                1 => Just(u64::MAX),
            ],
            prop_oneof![8 => 1u64..0x30000, 1 => Just(0u64), 1 => Just(u64::MAX / 0x800)],
            any::<bool>(),
        )
            .prop_map(|(mem_type, start, pages, rt)| Descriptor {
                mem_type,
                start,
                pages,
                attributes: if rt { EFI_MEMORY_RUNTIME } else { 0 },
                line: 0,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Indexed answers equal the scan's, overlaps and all.
        #[test]
        fn matches_the_scan(
            // Mostly one large conventional run, so that many slides fit and
            // the others decide which do not.
            run in 0u64..0x80000,
            mut descriptors in proptest::collection::vec(descriptor(), 0..24),
            at in 0usize..24,
            area in prop_oneof![(1u64..0x20000).prop_map(|p| p * 0x1000), Just(u64::MAX)],
            max_slide in prop_oneof![3 => Just(0u8), 1 => any::<u8>()],
            sandy_ivy in any::<bool>(),
        ) {
            let big = Descriptor {
                mem_type: MemType::Conventional,
                start: 0x10_0000,
                pages: run,
                attributes: 0,
                line: 0,
            };
            descriptors.insert(at.min(descriptors.len()), big);
            let map = MemoryMap { descriptors, ..MemoryMap::default() };
            let opts = SlideOptions { max_slide, sandy_ivy, ..SlideOptions::default() };
            let want = simulate_with_area(&map, &opts, area).valid_slides;
            prop_assert_eq!(AreaIndex::new(&map).valid_slides(area, &opts), want);
        }
    }
}
