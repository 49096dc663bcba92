//! The Codes view: live codes, copy, HOTP.

use keywright_core::credential::OtpType;
use keywright_core::otp::{self, TimedCode};
use keywright_core::timefmt;
use keywright_core::vault::Item;

use crate::dto::{Copied, HotpCode, OtpCode, OtpCodes};
use crate::error::IpcError;
use crate::state::AppState;

fn code_dto(item: &Item, timed: Option<&TimedCode>, counter: Option<u64>) -> OtpCode {
    let ov = &item.overview;
    let params = ov.otp.unwrap_or_default();
    let (code, next_code, valid_from, valid_until) = match timed {
        Some(t) => (
            Some(t.code.to_string()),
            Some(t.next_code.to_string()),
            t.valid_from,
            t.valid_until,
        ),
        None => (None, None, 0, 0),
    };
    OtpCode {
        id: item.id.clone(),
        name: ov.name.clone(),
        issuer: ov.issuer.clone(),
        account: ov.username.clone(),
        tags: ov.tags.clone(),
        otp_type: params.otp_type,
        digits: params.digits,
        period: otp::period_of(&params),
        code,
        next_code,
        valid_from,
        valid_until,
        counter,
    }
}

pub fn otp_codes(state: &AppState) -> Result<OtpCodes, IpcError> {
    let now = timefmt::now();
    let (views, damaged) = state.with_vault(|v| Ok(v.otp_codes(now)?))?;
    let codes = views
        .iter()
        .map(|view| code_dto(&view.item, view.timed.as_ref(), view.counter))
        .collect();
    Ok(OtpCodes {
        now,
        codes,
        damaged: u32::try_from(damaged.len()).unwrap_or(u32::MAX),
    })
}

/// One 2FA item's code (its detail pane), in the shape of `otp_codes`: only this item's
/// seed is opened. A HOTP item has no code until asked (`hotp_next`).
pub fn otp_code(state: &AppState, id: &str) -> Result<OtpCodes, IpcError> {
    let now = timefmt::now();
    let (item, timed) = state.with_vault(|v| {
        let item = v.find(id)?;
        let hotp = item.overview.otp.unwrap_or_default().otp_type == OtpType::Hotp;
        let timed = if hotp {
            None
        } else {
            Some(v.totp(&item.id, now)?)
        };
        Ok((item, timed))
    })?;
    Ok(OtpCodes {
        now,
        codes: vec![code_dto(&item, timed.as_ref(), None)],
        damaged: 0,
    })
}

/// Put `text` on the clipboard and schedule its clearing.
fn copy_text(state: &AppState, text: &str) -> Result<Copied, IpcError> {
    Ok(Copied {
        clear_after_s: state.copy_text(text)?,
    })
}

/// Copy the current code of a TOTP or Steam item (computed now, in Rust).
pub fn otp_copy(state: &AppState, id: &str) -> Result<Copied, IpcError> {
    let code = state.with_vault(|v| Ok(v.totp(id, timefmt::now())?))?;
    let copied = copy_text(state, &code.code)?;
    state.with_vault(|v| Ok(v.record_copy(id, "code")?))?;
    Ok(copied)
}

/// The next HOTP code (the counter is advanced before the code leaves the vault).
pub fn hotp_next(state: &AppState, id: &str, copy: bool) -> Result<HotpCode, IpcError> {
    let (code, counter) = state.with_vault(|v| Ok(v.next_hotp(id)?))?;
    let copied = if copy {
        let c = copy_text(state, &code)?;
        state.with_vault(|v| Ok(v.record_copy(id, "code")?))?;
        Some(c)
    } else {
        None
    };
    Ok(HotpCode {
        code: code.to_string(),
        counter,
        copied,
    })
}
