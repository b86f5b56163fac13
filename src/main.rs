//! The `ocaudit` binary: parse arguments, run, print any error once, exit.
//!
//! On Linux with glibc the binary brings its own C `main` (see
//! [`entry`]): the standard runtime's start-up reads `/proc/self/maps` to
//! place a stack guard, which cost a tenth of a `check` of OpenCore's
//! Sample.plist (issue 17's per-process bar). Elsewhere `main` is the usual one.

#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

use clap::Parser;

#[cfg(any(test, not(all(target_os = "linux", target_env = "gnu"))))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run())
}

/// The process entry point on Linux with glibc, doing what the standard
/// runtime's start-up does that ocaudit relies on, and no more.
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
mod entry {
    use std::io::Write as _;

    /// Called by the C runtime. Arguments come from `std::env::args`, which
    /// glibc hands to the standard library before `main`.
    #[unsafe(no_mangle)]
    extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
        standard_fds();
        // As the standard runtime does: a closed pipe is an error to
        // handle (`is_broken_pipe`), not a signal that kills the process.
        // SAFETY: setting a signal's disposition to "ignore" has no preconditions.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        let code = std::panic::catch_unwind(super::run).unwrap_or(101);
        // The standard runtime flushes stdout at exit; a C `main` must.
        let _ = std::io::stdout().flush();
        libc::c_int::from(code)
    }

    /// Open `/dev/null` on any of descriptors 0, 1 and 2 that is closed, as
    /// the standard runtime does: otherwise the next file ocaudit opens (a
    /// config being rewritten) could land on descriptor 1 and take the
    /// report.
    fn standard_fds() {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        // SAFETY: `fds` is a valid array of three pollfd for the call.
        if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } == -1 {
            return;
        }
        for pfd in fds {
            if pfd.revents & libc::POLLNVAL != 0 {
                // SAFETY: a NUL-terminated path; the descriptor is kept open
                // for the life of the process on purpose.
                unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
            }
        }
    }
}

/// Parse arguments, run, print any error once; the exit code.
fn run() -> u8 {
    install_panic_hook();
    // Debug builds only: `OCAUDIT_TEST_FAULT=panic` lets a test see what a
    // user sees when ocaudit has a bug.
    if cfg!(debug_assertions)
        && std::env::var_os(ocaudit::write::FAULT_ENV).is_some_and(|v| v == "panic")
    {
        panic!("injected by {}", ocaudit::write::FAULT_ENV);
    }
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let fast = ocaudit::cli::Cli::parse_plain_check(&argv);
    let cli = match fast
        .map(Ok)
        .unwrap_or_else(|| ocaudit::cli::Cli::try_parse_from(&argv))
    {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match ocaudit::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if ocaudit::cli::is_broken_pipe(&e) {
                return 0;
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
            2
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
