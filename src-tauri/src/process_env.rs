//! The environment the app's processes need from their first instruction (Linux).
//!
//! glibc reads its malloc settings when a process starts, and WebKitGTK reads its rendering
//! switches when its web and network processes start; those processes inherit the app's
//! environment. A running Rust 2024 program may not change its own environment
//! (`set_var` is `unsafe`, and this crate forbids `unsafe`), so the app starts itself again
//! in the same process (`exec`: same pid, same arguments) with these variables added, once.
//!
//! Each variable was measured with `tests/e2e/app_bench.py` (10,000 items, release build,
//! idle PSS of all the app's processes); the README's Benchmarks → Desktop app has the
//! figures of every lever, kept or dropped.

use std::ffi::OsString;

/// Set in the environment of the started-again app: the variables are in place (also how a
/// benchmark measures the app without them: set it, and only the variables you want).
pub const MARKER: &str = "KEYWRIGHT_APP_ENV";

/// What the app's processes get, unless the user's environment already says otherwise.
/// Measured on 10,000 items (idle PSS of the app and its WebKit processes, 280–288 MB
/// without any of them, 255 MB with all four):
pub const TUNING: &[(&str, &str)] = &[
    // glibc: two malloc arenas instead of eight per core, and freed memory above 128 KiB at
    // the top of the heap goes back to the system: the app process keeps 10–14 MB less of
    // what it freed after the unlock and the first list.
    ("MALLOC_ARENA_MAX", "2"),
    ("MALLOC_TRIM_THRESHOLD_", "131072"),
    // WebKitGTK: no DMA-BUF renderer (the app draws without accelerated compositing, see
    // lib.rs): 6 MB less of the graphics stack in the UI and web processes.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // JavaScriptCore: no optimising DFG/FTL tiers (the interpreter and the baseline JIT
    // remain): 9.5 MB less in the web process; a search keystroke on 10,000 items stays at
    // 13–14 ms (median). Turning the JIT off entirely saved 17 MB more but doubled that
    // keystroke to 25 ms, so it is not done.
    ("JSC_useDFGJIT", "0"),
];

/// The variables of [`TUNING`] the current environment lacks: none once the app has been
/// started again (the marker is set).
pub fn missing(get: impl Fn(&str) -> Option<OsString>) -> Vec<(&'static str, &'static str)> {
    if get(MARKER).is_some() {
        return Vec::new();
    }
    TUNING
        .iter()
        .copied()
        .filter(|(k, _)| get(k).is_none())
        .collect()
}

/// Starts this program again, in this process, with [`TUNING`] in its environment. Returns
/// only when that is not needed (`Ok`) or failed (`Err`: the caller goes on untuned).
#[cfg(target_os = "linux")]
pub fn apply() -> std::io::Result<()> {
    use std::os::unix::process::CommandExt as _;
    let vars = missing(|k| std::env::var_os(k));
    if vars.is_empty() {
        return Ok(());
    }
    let exe = std::env::current_exe()?;
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .envs(vars)
        .env(MARKER, "1")
        .exec();
    Err(err)
}

/// Nothing to do where WebKitGTK and glibc are not the platform.
#[cfg(not(target_os = "linux"))]
pub fn apply() -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_added_once_the_marker_is_set() {
        assert!(missing(|k| (k == MARKER).then(|| OsString::from("1"))).is_empty());
    }

    #[test]
    fn the_users_own_values_are_kept() {
        let (first, _) = TUNING[0];
        let vars = missing(|k| (k == first).then(|| OsString::from("mine")));
        assert!(vars.iter().all(|(k, _)| *k != first));
        assert_eq!(vars.len(), TUNING.len() - 1);
    }
}
