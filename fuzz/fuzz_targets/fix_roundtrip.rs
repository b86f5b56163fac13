//! Fuzz load-fix-reparse: any input that loads must fix (unsafe fixes
//! included) to text that re-parses and holds the intended values
//! (`FixOutcome::verify`), and fixing that result again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocaudit::fixer::{FixError, FixOptions, fix};

fuzz_target!(|data: &[u8]| {
    let opts = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let outcome = match fix("fuzz.plist", data.to_vec(), &opts) {
        Ok(o) => o,
        Err(FixError::Internal(m)) => panic!("internal fix error: {m}"),
        Err(_) => return,
    };
    let bytes = outcome.new_bytes();
    if let Err(why) = outcome.verify(&bytes) {
        panic!("fixed text fails verification: {why}");
    }
    if !outcome.changed() || outcome.notes.iter().any(|n| n.contains("passes")) {
        return;
    }
    let again = fix("fuzz.plist", bytes, &opts).expect("fixed text must load");
    assert!(
        !again.changed(),
        "a second fix run changed the text:\n{}\n---\n{}",
        outcome.text,
        again.text
    );
});
