//! Argon2id (RFC 9106) for password slots: parameters, the OWASP floor, calibration.

use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};

use super::{KEY_LEN, Key};
use crate::error::{Error, Result};

/// OWASP Password Storage Cheat Sheet, Argon2id minimum configurations
/// (memory in KiB, iterations), all with parallelism 1. A configuration is acceptable when
/// it reaches at least one of these rows in both memory and iterations.
pub const OWASP_MINIMUMS: [(u32, u32); 5] = [
    (47_104, 1),
    (19_456, 2),
    (12_288, 3),
    (9_216, 4),
    (7_168, 5),
];

/// Floor for the calibrated default: 64 MiB.
pub const DEFAULT_MIN_MEMORY_KIB: u32 = 64 * 1024;
/// Calibration target.
pub const CALIBRATION_TARGET: Duration = Duration::from_millis(500);
/// Largest memory a vault file may ask for (4 GiB); a larger value is treated as damage,
/// so that a crafted file cannot make unlock exhaust the machine.
pub const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
/// Largest iteration count a vault file may ask for.
pub const MAX_ITERATIONS: u32 = 1_000;
/// Largest parallelism a vault file may ask for.
pub const MAX_PARALLELISM: u32 = 16;

/// Argon2id parameters as stored in a password slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations (time cost).
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// Parameters a user asked for, refused when below OWASP's minimum or above the caps.
    pub fn new(memory_mib: u32, iterations: u32) -> Result<Self> {
        let memory_kib = memory_mib
            .checked_mul(1024)
            .ok_or_else(|| Error::invalid("KDF memory", "too large"))?;
        let p = KdfParams {
            memory_kib,
            iterations,
            parallelism: 1,
        };
        p.check_bounds()?;
        if !p.meets_owasp_minimum() {
            return Err(Error::invalid(
                "KDF parameters",
                format!(
                    "{memory_mib} MiB with {iterations} iteration(s) is below OWASP's Argon2id \
                     minimum (e.g. 46 MiB x 1, 19 MiB x 2, 12 MiB x 3, 9 MiB x 4, 7 MiB x 5)"
                ),
            ));
        }
        Ok(p)
    }

    /// Parameters without the OWASP floor. Only for tests that need a cheap vault; the CLI
    /// and the app never call this.
    #[doc(hidden)]
    pub fn new_unchecked(memory_kib: u32, iterations: u32, parallelism: u32) -> Self {
        KdfParams {
            memory_kib,
            iterations,
            parallelism,
        }
    }

    /// Whether these parameters reach one of OWASP's minimum rows.
    pub fn meets_owasp_minimum(&self) -> bool {
        self.parallelism >= 1
            && OWASP_MINIMUMS
                .iter()
                .any(|&(m, t)| self.memory_kib >= m && self.iterations >= t)
    }

    /// Refuse parameters that Argon2 rejects or that would exhaust the machine.
    pub fn check_bounds(&self) -> Result<()> {
        if self.memory_kib > MAX_MEMORY_KIB {
            return Err(Error::invalid("KDF memory", "more than 4096 MiB"));
        }
        if self.iterations == 0 || self.iterations > MAX_ITERATIONS {
            return Err(Error::invalid(
                "KDF iterations",
                format!("must be 1..={MAX_ITERATIONS}"),
            ));
        }
        if self.parallelism == 0 || self.parallelism > MAX_PARALLELISM {
            return Err(Error::invalid(
                "KDF parallelism",
                format!("must be 1..={MAX_PARALLELISM}"),
            ));
        }
        if self.memory_kib < 8 * self.parallelism {
            return Err(Error::invalid(
                "KDF memory",
                "below Argon2's minimum of 8 KiB per lane",
            ));
        }
        Ok(())
    }

    /// Derive a 32-byte key from `secret` and `salt`.
    pub fn derive(&self, secret: &[u8], salt: &[u8]) -> Result<Key> {
        self.check_bounds()?;
        let params = Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(KEY_LEN),
        )
        .map_err(|e| Error::invalid("KDF parameters", e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = zeroize::Zeroizing::new([0u8; KEY_LEN]);
        argon
            .hash_password_into(secret, salt, out.as_mut())
            .map_err(|e| Error::invalid("KDF input", e.to_string()))?;
        Key::from_slice(out.as_ref())
    }

    /// Calibrate on this machine: at least 64 MiB, about `target` per derivation. Memory is
    /// raised (up to 256 MiB) before iterations, since memory is what hurts GPU attackers.
    pub fn calibrate(target: Duration) -> Result<Self> {
        let mut p = KdfParams {
            memory_kib: DEFAULT_MIN_MEMORY_KIB,
            iterations: 1,
            parallelism: 1,
        };
        let start = Instant::now();
        p.derive(b"calibration", b"keywright-calibration-salt")?;
        let one = start.elapsed().max(Duration::from_millis(1));
        let mut iterations = (target.as_secs_f64() / one.as_secs_f64()).round().max(1.0);
        while iterations >= 4.0 && p.memory_kib < 4 * DEFAULT_MIN_MEMORY_KIB {
            p.memory_kib *= 2;
            iterations = (iterations / 2.0).round().max(1.0);
        }
        // `iterations` is in 1..=2^53; the cast saturates and is then clamped.
        p.iterations = (iterations as u32).clamp(1, 64);
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owasp_floor() {
        assert!(KdfParams::new(46, 1).is_ok());
        assert!(KdfParams::new(19, 2).is_ok());
        assert!(KdfParams::new(64, 3).is_ok());
        let e = KdfParams::new(45, 1).expect_err("45 MiB x1 is below the floor");
        assert!(e.to_string().contains("below OWASP"), "{e}");
        assert!(KdfParams::new(18, 2).is_err());
        assert!(KdfParams::new(7, 4).is_err());
        assert!(KdfParams::new(7, 5).is_ok());
        assert!(KdfParams::new(5000, 1).is_err());
        assert!(KdfParams::new(64, 0).is_err());
    }

    #[test]
    fn derive_depends_on_every_input() {
        let p = KdfParams::new_unchecked(64, 1, 1);
        let a = p.derive(b"pw", b"saltsaltsalt").expect("kdf");
        assert_eq!(
            a.expose(),
            p.derive(b"pw", b"saltsaltsalt").expect("kdf").expose()
        );
        assert_ne!(
            a.expose(),
            p.derive(b"pw2", b"saltsaltsalt").expect("kdf").expose()
        );
        assert_ne!(
            a.expose(),
            p.derive(b"pw", b"saltsaltsalx").expect("kdf").expose()
        );
        let q = KdfParams::new_unchecked(64, 2, 1);
        assert_ne!(
            a.expose(),
            q.derive(b"pw", b"saltsaltsalt").expect("kdf").expose()
        );
    }

    #[test]
    fn argon2id_matches_reference_implementation() {
        // An independent Argon2id (Python argon2-cffi over the reference C code,
        // `hash_secret_raw(b"password", b"somesalt", 3, 32, 4, 32, Type.ID)`) gave this.
        // Parameters: m=32 KiB, t=3, p=4.
        let p = KdfParams::new_unchecked(32, 3, 4);
        let k = p.derive(b"password", b"somesalt").expect("kdf");
        assert_eq!(
            crate::crypto::hex(k.expose()),
            "bb0cc80a3e671149526915418c6eefe761bb19d5d2d567a017703e0cea6ab05c"
        );
    }

    #[test]
    fn hostile_params_are_refused() {
        let p = KdfParams::new_unchecked(u32::MAX, 1, 1);
        assert!(p.derive(b"pw", b"saltsaltsalt").is_err());
        let p = KdfParams::new_unchecked(64, 0, 1);
        assert!(p.derive(b"pw", b"saltsaltsalt").is_err());
    }
}
