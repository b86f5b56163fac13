//! Print the generated config the benches measure, for whole-process
//! timings in `scripts/bench.sh`.
//!
//! `cargo run --example bench_config -- [KEXTS] > config.plist`; KEXTS
//! defaults to the corpus-sized count (about 88 KiB).

#[path = "../benches/support/mod.rs"]
mod support;

fn main() {
    let kexts = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(support::CORPUS_SIZED_KEXTS);
    print!("{}", support::large_config(kexts));
}
