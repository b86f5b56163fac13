//! The `ocaudit` binary: parse arguments, run, print any error once, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    install_panic_hook();
    // Debug builds only: `OCAUDIT_TEST_FAULT=panic` lets a test see what a
    // user sees when ocaudit has a bug.
    if cfg!(debug_assertions)
        && std::env::var_os(ocaudit::write::FAULT_ENV).is_some_and(|v| v == "panic")
    {
        panic!("injected by {}", ocaudit::write::FAULT_ENV);
    }
    let cli = match ocaudit::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match ocaudit::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if ocaudit::cli::is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            let mut msg = format!("ocaudit: {e}");
            for cause in e.chain().skip(1) {
                msg.push_str(&format!(": {cause}"));
            }
            // A path in the message may hold terminal controls: escape them
            // (line by line: some messages end in a `hint:` line).
            let shown: Vec<_> = msg
                .split('\n')
                .map(ocaudit::cli::render::escape::human)
                .collect();
            eprintln!("{}", shown.join("\n"));
            ExitCode::from(2)
        }
    }
}

/// One plain line instead of a backtrace (unless RUST_BACKTRACE is set), exit 2.
fn install_panic_hook() {
    if std::env::var_os("RUST_BACKTRACE").is_some() {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "ocaudit: internal error{place}; nothing was written. Please report it with the file that caused it (https://github.com/ocaudit/ocaudit/issues)."
        );
        std::process::exit(2);
    }));
}
