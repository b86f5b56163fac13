//! Copying a file's extended attributes to the temporary file that replaces
//! it (Linux and macOS; elsewhere nothing is copied). Best effort: an
//! attribute the filesystem or the user's privileges refuse (a SELinux label,
//! a `trusted.` name without CAP_SYS_ADMIN, a FAT32 volume that stores none)
//! is reported by name, and the write goes on.

use std::path::Path;

/// Copies every extended attribute of `from` to `to`; returns the names of
/// those that could not be copied (empty also when `from` has none or the
/// platform has no extended attributes).
pub(crate) fn copy_xattrs(from: &Path, to: &Path) -> Vec<String> {
    imp::copy(from, to)
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
mod imp {
    use std::ffi::{CStr, CString};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    /// Biggest attribute list and value read (Linux allows 64 KiB per value).
    const MAX: usize = 1 << 20;

    pub(super) fn copy(from: &Path, to: &Path) -> Vec<String> {
        let (Ok(src), Ok(dst)) = (cpath(from), cpath(to)) else {
            return Vec::new();
        };
        let Some(names) = read_sized(|buf, len| unsafe { list(&src, buf, len) }) else {
            return Vec::new();
        };
        let mut failed = Vec::new();
        for name in names.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            let Ok(cname) = CString::new(name) else {
                continue;
            };
            let copied = read_sized(|buf, len| unsafe { get(&src, &cname, buf, len) })
                .is_some_and(|value| unsafe { set(&dst, &cname, &value) } == 0);
            if !copied {
                failed.push(String::from_utf8_lossy(name).into_owned());
            }
        }
        failed
    }

    fn cpath(p: &Path) -> Result<CString, std::ffi::NulError> {
        CString::new(p.as_os_str().as_bytes())
    }

    /// Calls `f` once for the size, then with a buffer of that size (again
    /// if it grew in between); `None` on error.
    fn read_sized(f: impl Fn(*mut libc::c_void, usize) -> isize) -> Option<Vec<u8>> {
        for _ in 0..3 {
            let size = usize::try_from(f(std::ptr::null_mut(), 0)).ok()?;
            if size == 0 {
                return Some(Vec::new());
            }
            if size > MAX {
                return None;
            }
            let mut buf = vec![0u8; size];
            match usize::try_from(f(buf.as_mut_ptr().cast(), buf.len())) {
                Ok(n) => {
                    buf.truncate(n);
                    return Some(buf);
                }
                Err(_) if std::io::Error::last_os_error().raw_os_error() == Some(libc::ERANGE) => {
                    continue;
                }
                Err(_) => return None,
            }
        }
        None
    }

    #[cfg(target_os = "linux")]
    unsafe fn list(p: &CStr, buf: *mut libc::c_void, len: usize) -> isize {
        // SAFETY: `p` is NUL-terminated and `buf` holds `len` bytes (or is
        // null with `len` 0, which asks for the size).
        unsafe { libc::listxattr(p.as_ptr(), buf.cast(), len) }
    }
    #[cfg(target_os = "linux")]
    unsafe fn get(p: &CStr, name: &CStr, buf: *mut libc::c_void, len: usize) -> isize {
        // SAFETY: as for `list`.
        unsafe { libc::getxattr(p.as_ptr(), name.as_ptr(), buf, len) }
    }
    #[cfg(target_os = "linux")]
    unsafe fn set(p: &CStr, name: &CStr, value: &[u8]) -> i32 {
        // SAFETY: `value` is a valid slice for its length.
        unsafe {
            libc::setxattr(
                p.as_ptr(),
                name.as_ptr(),
                value.as_ptr().cast(),
                value.len(),
                0,
            )
        }
    }

    #[cfg(target_os = "macos")]
    unsafe fn list(p: &CStr, buf: *mut libc::c_void, len: usize) -> isize {
        // SAFETY: `p` is NUL-terminated and `buf` holds `len` bytes.
        unsafe { libc::listxattr(p.as_ptr(), buf.cast(), len, 0) }
    }
    #[cfg(target_os = "macos")]
    unsafe fn get(p: &CStr, name: &CStr, buf: *mut libc::c_void, len: usize) -> isize {
        // SAFETY: as for `list`.
        unsafe { libc::getxattr(p.as_ptr(), name.as_ptr(), buf, len, 0, 0) }
    }
    #[cfg(target_os = "macos")]
    unsafe fn set(p: &CStr, name: &CStr, value: &[u8]) -> i32 {
        // SAFETY: `value` is a valid slice for its length.
        unsafe {
            libc::setxattr(
                p.as_ptr(),
                name.as_ptr(),
                value.as_ptr().cast(),
                value.len(),
                0,
                0,
            )
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
mod imp {
    use std::path::Path;

    pub(super) fn copy(_from: &Path, _to: &Path) -> Vec<String> {
        Vec::new()
    }
}
