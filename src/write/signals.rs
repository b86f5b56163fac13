//! Removing a write's temporary and lock files when the process is told to
//! stop (SIGINT from Ctrl-C, SIGTERM, SIGHUP) in the middle of a write.
//!
//! Opt-in per process ([`clean_up_on_signals`]): a library should not take
//! over signals unasked, so the `ocaudit` binary turns it on. While a write is
//! under way its paths sit in a few fixed slots; the handler unlinks them
//! (`unlink` is async-signal-safe), restores the default action and raises the
//! signal again, so the process still ends the way the signal asks. The config
//! itself is never touched by the handler: it is either still the original or
//! already fully replaced by the rename.
//!
//! A path's C string is never freed once registered: the handler may run on
//! another thread at any moment and must not read freed memory. That costs a
//! few hundred bytes per write, and only in processes that opted in.

use std::ffi::CString;
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

/// Paths to unlink on a signal; a null pointer is a free slot.
static SLOTS: [AtomicPtr<libc::c_char>; 8] = [const { AtomicPtr::new(std::ptr::null_mut()) }; 8];

static ENABLED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Turns on the removal of temporary and lock files when SIGINT, SIGTERM or
/// SIGHUP arrives during a write, for the rest of the process. A signal that
/// was ignored when this is called (e.g. SIGHUP under `nohup`) stays ignored.
pub fn clean_up_on_signals() {
    INSTALL.call_once(|| {
        for sig in SIGNALS {
            // SAFETY: a zeroed sigaction is a valid "default, no flags" value;
            // the handler only calls async-signal-safe functions.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, std::ptr::null(), &mut old) != 0
                    || old.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
        ENABLED.store(true, Ordering::SeqCst);
    });
}

extern "C" fn on_signal(sig: libc::c_int) {
    for slot in &SLOTS {
        let path = slot.swap(std::ptr::null_mut(), Ordering::SeqCst);
        if !path.is_null() {
            // SAFETY: registered pointers come from CString::into_raw and are
            // never freed (see the module docs).
            unsafe { libc::unlink(path) };
        }
    }
    // SAFETY: restoring the default action and re-raising are
    // async-signal-safe; the process then ends as the signal asks.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

/// A path registered for removal on a signal, unregistered on drop (call
/// drop only when the path no longer needs removing: renamed or deleted).
#[derive(Debug)]
pub(crate) struct Registration(Option<usize>);

impl Registration {
    /// Registers `path`, if signal clean-up is on and a slot is free.
    pub(crate) fn new(path: &Path) -> Registration {
        if !ENABLED.load(Ordering::SeqCst) {
            return Registration(None);
        }
        use std::os::unix::ffi::OsStrExt;
        let Ok(c) = CString::new(path.as_os_str().as_bytes()) else {
            return Registration(None);
        };
        let raw = c.into_raw();
        for (i, slot) in SLOTS.iter().enumerate() {
            if slot
                .compare_exchange(
                    std::ptr::null_mut(),
                    raw,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                )
                .is_ok()
            {
                return Registration(Some(i));
            }
        }
        // SAFETY: `raw` was never published, so nothing else can see it.
        drop(unsafe { CString::from_raw(raw) });
        Registration(None)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(i) = self.0 {
            // Leaked on purpose (see the module docs).
            SLOTS[i].store(std::ptr::null_mut(), Ordering::SeqCst);
        }
    }
}
