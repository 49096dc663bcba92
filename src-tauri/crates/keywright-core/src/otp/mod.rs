//! One-time passwords: TOTP (RFC 6238), HOTP (RFC 4226) and Steam Guard codes, the
//! otpauth:// Key Uri Format, and the imports and exports of phone authenticators.
//!
//! The codes themselves come from `totp-rs`: this module only turns Keywright's stored
//! parameters into its builder. HOTP is TOTP with a one-second step evaluated at "time" =
//! counter, which is exactly RFC 4226's HOTP(K, C).

pub mod export;
pub mod import;
pub mod qr;
pub mod uri;

use totp_rs::{Algorithm, Builder, Totp};
use zeroize::Zeroizing;

use crate::credential::{OtpAlgorithm, OtpParams, OtpType, normalize_base32_secret};
use crate::error::{Error, Result};

/// Steam Guard codes: 5 characters from this alphabet, 30-second period, HMAC-SHA1.
pub const STEAM_DIGITS: u8 = 5;

/// A 2FA account as read from a URI, a QR code or an authenticator's export, before it
/// becomes a vault item. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct OtpAccount {
    /// The service (`GitHub`), from the label prefix or the `issuer` parameter.
    pub issuer: Option<String>,
    /// The account at the service (`alice@example.com`).
    pub account: Option<String>,
    pub params: OtpParams,
    /// The seed in canonical base32 (upper case, no padding, no spaces).
    pub secret: Zeroizing<String>,
    /// HOTP: the counter of the next code. 0 for TOTP and Steam.
    pub counter: u64,
    /// Groups or tags the source app had for it.
    pub tags: Vec<String>,
    /// A note the source app kept with it (may be empty).
    pub notes: Zeroizing<String>,
}

impl std::fmt::Debug for OtpAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpAccount")
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .field("params", &self.params)
            .field("secret", &"[redacted]")
            .field("counter", &self.counter)
            .field("tags", &self.tags)
            .finish_non_exhaustive()
    }
}

impl OtpAccount {
    /// An account from a base32 seed as users paste it (any case, spaces, padding);
    /// checks the seed and the parameters.
    pub fn from_base32(secret: &str, params: OtpParams) -> Result<Self> {
        let secret = Zeroizing::new(normalize_base32_secret(secret)?);
        let acc = OtpAccount {
            issuer: None,
            account: None,
            params,
            secret,
            counter: 0,
            tags: Vec::new(),
            notes: Zeroizing::new(String::new()),
        };
        crate::credential::validate_otp(&acc.params)?;
        Ok(acc)
    }

    /// An account from raw seed bytes (Google Authenticator's migration format).
    pub fn from_bytes(secret: &[u8], params: OtpParams) -> Result<Self> {
        let b32 = Zeroizing::new(data_encoding::BASE32_NOPAD.encode(secret));
        Self::from_base32(&b32, params)
    }

    /// The item name an import gives this account: `Issuer (account)`, or whichever of
    /// the two is known, or `2FA code`.
    pub fn suggested_name(&self) -> String {
        let issuer = self
            .issuer
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let account = self
            .account
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let name = match (issuer, account) {
            (Some(i), Some(a)) if i.eq_ignore_ascii_case(a) => i.to_owned(),
            (Some(i), Some(a)) => format!("{i} ({a})"),
            (Some(i), None) => i.to_owned(),
            (None, Some(a)) => a.to_owned(),
            (None, None) => "2FA code".to_owned(),
        };
        // Names are at most 200 characters and have no control characters.
        let clean: String = name
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(crate::credential::MAX_NAME_LEN)
            .collect();
        clean.trim().to_owned()
    }

    /// The seed bytes.
    pub fn secret_bytes(&self) -> Result<Zeroizing<Vec<u8>>> {
        decode_secret(&self.secret)
    }
}

/// Decode a canonical (or user-typed) base32 seed.
pub fn decode_secret(b32: &str) -> Result<Zeroizing<Vec<u8>>> {
    crate::credential::decode_base32_secret(b32).map(|(_, bytes)| bytes)
}

fn generator(params: &OtpParams, secret: &[u8]) -> Result<Totp> {
    crate::credential::validate_otp(params)?;
    let builder = match params.otp_type {
        OtpType::Steam => Builder::new_steam(),
        OtpType::Totp | OtpType::Hotp => Builder::new()
            .with_algorithm(match params.algorithm {
                OtpAlgorithm::Sha1 => Algorithm::SHA1,
                OtpAlgorithm::Sha256 => Algorithm::SHA256,
                OtpAlgorithm::Sha512 => Algorithm::SHA512,
            })
            .with_digits(params.digits),
    };
    let step = match params.otp_type {
        OtpType::Hotp => 1,
        OtpType::Steam => 30,
        OtpType::Totp => u64::from(params.period),
    };
    // `build_noncompliant`: totp-rs refuses seeds under 128 bits, but 80-bit seeds are
    // what most services issue; the parameters were checked by `validate_otp` above.
    Ok(builder
        .with_secret(secret.to_vec())
        .with_step_duration(step)
        .build_noncompliant())
}

fn not_timed() -> Error {
    Error::invalid(
        "otp type",
        "this is an HOTP (counter-based) item; use `keywright hotp`",
    )
}

/// A time a code is made for: 1970-01-01 to 9999-12-31 (see [`crate::timefmt`]).
fn code_time(t: i64) -> Result<u64> {
    let t = crate::timefmt::check_timestamp("time", t)?;
    u64::try_from(t).map_err(|_| Error::invalid("time", "is before 1970-01-01"))
}

/// The TOTP (or Steam) code at Unix time `t`.
pub fn totp_at(params: &OtpParams, secret: &[u8], t: i64) -> Result<String> {
    if params.otp_type == OtpType::Hotp {
        return Err(not_timed());
    }
    let t = code_time(t)?;
    Ok(generator(params, secret)?.generate(t).to_string())
}

/// The HOTP code for `counter`.
pub fn hotp(params: &OtpParams, secret: &[u8], counter: u64) -> Result<String> {
    let p = OtpParams {
        otp_type: OtpType::Hotp,
        ..*params
    };
    Ok(generator(&p, secret)?.generate(counter).to_string())
}

/// The period of a time-based item in seconds (Steam: 30).
pub fn period_of(params: &OtpParams) -> u32 {
    match params.otp_type {
        OtpType::Steam => 30,
        _ => params.period.max(1),
    }
}

/// A time-based code with its validity window.
#[derive(Clone, PartialEq, Eq)]
pub struct TimedCode {
    pub code: Zeroizing<String>,
    /// The code of the next period, for showing ahead of the switch.
    pub next_code: Zeroizing<String>,
    pub period: u32,
    /// First second of the code's period.
    pub valid_from: i64,
    /// First second after it (when the next code starts).
    pub valid_until: i64,
}

impl std::fmt::Debug for TimedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimedCode")
            .field("period", &self.period)
            .field("valid_from", &self.valid_from)
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

impl TimedCode {
    /// Whole seconds left at `now`.
    pub fn remaining_s(&self, now: i64) -> i64 {
        self.valid_until.saturating_sub(now).max(0)
    }
}

/// The code at `now` and the next one.
pub fn timed_code(params: &OtpParams, secret: &[u8], now: i64) -> Result<TimedCode> {
    if params.otp_type == OtpType::Hotp {
        return Err(not_timed());
    }
    // Bounded first: the period arithmetic below cannot overflow within these bounds.
    let t_now = code_time(now)?;
    let period = period_of(params);
    let p = u64::from(period);
    let from = t_now - t_now % p;
    let t_next = from.saturating_add(p);
    let (Ok(valid_from), Ok(valid_until)) = (i64::try_from(from), i64::try_from(t_next)) else {
        return Err(Error::invalid("time", "is after 9999-12-31"));
    };
    // One generator for both codes (it copies the seed and checks the parameters).
    let g = generator(params, secret)?;
    Ok(TimedCode {
        code: Zeroizing::new(g.generate(t_now).to_string()),
        next_code: Zeroizing::new(g.generate(t_next).to_string()),
        period,
        valid_from,
        valid_until,
    })
}

#[cfg(test)]
mod tests;
