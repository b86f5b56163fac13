//! Time two commands run by turns, one process each, and print how long
//! the second takes next to the first, as scripts/vs-ocvalidate.sh uses it:
//!
//! ```text
//! cargo run --release --example alternate -- RUNS -- CMD_A [ARGS] -- CMD_B [ARGS]
//! ```
//!
//! Each round runs A and B back to back (B first on odd rounds), so a burst
//! of load on a shared machine lands on both runs of a pair, not on one
//! command's whole series as it does when each is timed in a block. Output
//! goes to /dev/null. Printed: each command's median wall time, the median
//! of the per-round ratios B/A, and the ratio of the medians, on one line
//! of `key=value` pairs.

use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = (|| {
        let runs: usize = args.first()?.parse().ok().filter(|&n| n > 0)?;
        let mut parts = args[1..].split(|a| a == "--").skip(1);
        let a = parts.next().filter(|c| !c.is_empty())?;
        let b = parts.next().filter(|c| !c.is_empty())?;
        Some((runs, a.to_vec(), b.to_vec()))
    })();
    let Some((runs, a, b)) = parsed else {
        eprintln!("usage: alternate RUNS -- CMD_A [ARGS] -- CMD_B [ARGS]");
        return ExitCode::from(2);
    };
    // Warm-up: load both binaries and their files into the page cache.
    for _ in 0..20 {
        if let Err(e) = time(&a).and_then(|_| time(&b)) {
            eprintln!("alternate: {e}");
            return ExitCode::from(2);
        }
    }
    let (mut ta, mut tb, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..runs {
        let (x, y) = if round % 2 == 0 {
            let x = time(&a);
            (x, time(&b))
        } else {
            let y = time(&b);
            (time(&a), y)
        };
        let (Ok(x), Ok(y)) = (x, y) else {
            eprintln!("alternate: a command could not be run");
            return ExitCode::from(2);
        };
        ta.push(x);
        tb.push(y);
        ratios.push(y / x);
    }
    let (ma, mb) = (median(&mut ta), median(&mut tb));
    println!(
        "a_ms={ma:.3} b_ms={mb:.3} paired_ratio={:.3} ratio_of_medians={:.3}",
        median(&mut ratios),
        mb / ma
    );
    ExitCode::SUCCESS
}

/// Wall time of one run of `cmd` in milliseconds (its exit status is not
/// judged: `check` exits 1 when it finds something).
fn time(cmd: &[String]) -> std::io::Result<f64> {
    let start = Instant::now();
    Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    Ok(start.elapsed().as_secs_f64() * 1e3)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
