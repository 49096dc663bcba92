//! Copy through Rust: the secret goes from the vault to the system clipboard without
//! passing through the webview, and is cleared after a timeout only if the clipboard
//! still holds it (the user may have copied something else since).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

/// The system clipboard, or a stand-in for tests.
pub trait Clipboard: Send + Sync {
    fn set_text(&self, text: &str) -> Result<(), String>;
    /// The current text, `None` when the clipboard holds no text.
    fn text(&self) -> Result<Option<String>, String>;
    fn clear(&self) -> Result<(), String>;
}

/// The OS clipboard through `arboard`. One handle lives as long as the app: on X11 the
/// copying process serves the selection, and it must outlive the copy.
pub struct SystemClipboard(Mutex<Option<arboard::Clipboard>>);

impl SystemClipboard {
    pub fn new() -> Self {
        SystemClipboard(Mutex::new(None))
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>,
    ) -> Result<T, String> {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(arboard::Clipboard::new().map_err(|e| e.to_string())?);
        }
        match guard.as_mut() {
            Some(cb) => f(cb).map_err(|e| e.to_string()),
            None => Err("no clipboard".into()),
        }
    }
}

impl Default for SystemClipboard {
    fn default() -> Self {
        Self::new()
    }
}

impl Clipboard for SystemClipboard {
    fn set_text(&self, text: &str) -> Result<(), String> {
        self.with(|cb| {
            #[cfg(target_os = "linux")]
            {
                use arboard::SetExtLinux as _;
                // Ask clipboard managers (KDE Klipper, …) not to keep it in their history.
                cb.set().exclude_from_history().text(text)
            }
            #[cfg(not(target_os = "linux"))]
            {
                cb.set_text(text)
            }
        })
    }

    fn text(&self) -> Result<Option<String>, String> {
        self.with(|cb| match cb.get_text() {
            Ok(t) => Ok(Some(t)),
            Err(arboard::Error::ContentNotAvailable) => Ok(None),
            Err(e) => Err(e),
        })
    }

    fn clear(&self) -> Result<(), String> {
        self.with(|cb| cb.clear())
    }
}

/// A fingerprint of what was copied, so the clearer can compare without keeping the
/// secret: SHA-256 over a random per-copy salt and the text.
#[derive(Clone, PartialEq, Eq)]
pub struct Fingerprint([u8; 32], [u8; 32]);

impl Fingerprint {
    pub fn of(text: &str) -> Self {
        let mut salt = [0u8; 32];
        // Without randomness the salt stays zero: still only a hash in memory.
        let _ = getrandom::fill(&mut salt);
        Self::with_salt(salt, text)
    }

    fn with_salt(salt: [u8; 32], text: &str) -> Self {
        let mut h = Sha256::new();
        h.update(salt);
        h.update(text.as_bytes());
        Fingerprint(salt, h.finalize().into())
    }

    pub fn matches(&self, text: &str) -> bool {
        Self::with_salt(self.0, text).1 == self.1
    }
}

/// Put `text` on `clipboard`, remember its fingerprint in `last` (so a lock or quit can
/// clear it), and clear it after `clear_after_s` seconds (0 = never) if it still holds it.
pub fn copy(
    clipboard: &Arc<dyn Clipboard>,
    last: &Mutex<Option<Fingerprint>>,
    text: &str,
    clear_after_s: u32,
) -> Result<(), String> {
    let fp = Fingerprint::of(text);
    clipboard.set_text(text)?;
    *last.lock().unwrap_or_else(|p| p.into_inner()) = Some(fp.clone());
    if clear_after_s > 0 {
        clear_later(
            Arc::clone(clipboard),
            fp,
            Duration::from_secs(u64::from(clear_after_s)),
        );
    }
    Ok(())
}

/// Clear the last copy now if the clipboard still holds it (lock, quit). Returns whether
/// it cleared.
pub fn clear_last(clipboard: &dyn Clipboard, last: &Mutex<Option<Fingerprint>>) -> bool {
    let fp = last.lock().unwrap_or_else(|p| p.into_inner()).take();
    fp.is_some_and(|fp| clear_if_unchanged(clipboard, &fp))
}

/// Clear `clipboard` after `after` if it still holds what `fp` fingerprints. Runs on its
/// own thread; returns at once.
pub fn clear_later(clipboard: Arc<dyn Clipboard>, fp: Fingerprint, after: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(after);
        clear_if_unchanged(clipboard.as_ref(), &fp);
    });
}

/// Clear the clipboard if it still holds the copy. Returns whether it cleared.
pub fn clear_if_unchanged(clipboard: &dyn Clipboard, fp: &Fingerprint) -> bool {
    match clipboard.text() {
        Ok(Some(now)) if fp.matches(&now) => match clipboard.clear() {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("the clipboard could not be cleared: {e}");
                false
            }
        },
        Ok(_) => false,
        Err(e) => {
            tracing::warn!("the clipboard could not be read: {e}");
            false
        }
    }
}

/// An in-memory clipboard for tests.
#[derive(Default)]
pub struct MemoryClipboard(Mutex<Option<String>>);

impl Clipboard for MemoryClipboard {
    fn set_text(&self, text: &str) -> Result<(), String> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(text.to_owned());
        Ok(())
    }

    fn text(&self) -> Result<Option<String>, String> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }

    fn clear(&self) -> Result<(), String> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clears_only_what_it_copied() {
        let cb = MemoryClipboard::default();
        let fp = Fingerprint::of("sk_live_1");
        assert!(!fp.matches("sk_live_2"));
        cb.set_text("sk_live_1").ok();
        assert!(clear_if_unchanged(&cb, &fp));
        assert_eq!(cb.text().ok().flatten(), None);
        cb.set_text("something the user copied since").ok();
        assert!(!clear_if_unchanged(&cb, &fp));
        assert_eq!(
            cb.text().ok().flatten().as_deref(),
            Some("something the user copied since")
        );
    }

    #[test]
    fn the_same_text_fingerprints_differently_each_copy() {
        let (a, b) = (Fingerprint::of("x"), Fingerprint::of("x"));
        assert!(a.matches("x") && b.matches("x"));
        assert!(a.1 != b.1, "salted");
    }
}
