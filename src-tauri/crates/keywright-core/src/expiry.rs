//! One expiry computation for every item: the list, the CLI and the app all call this.
//!
//! This is the foundation's version: it knows the manual expires-at, the OAuth token expiry
//! fields and the rotation policy. JWT `exp` and renewal outcomes feed the same function in
//! the token-lifecycle work.

use serde::Serialize;

use crate::credential::Overview;

/// Default lead time for "expiring".
pub const DEFAULT_WARN_DAYS: u32 = 7;
const DAY: i64 = 86_400;

/// Where an item stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Expired,
    ReauthRequired,
    RotationDue,
    Expiring,
    Ok,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Expiring => "expiring",
            Status::Expired => "expired",
            Status::RotationDue => "rotation_due",
            Status::ReauthRequired => "reauth_required",
            Status::Unknown => "unknown",
        }
    }
}

/// The effective expiry of an item.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Expiry {
    pub status: Status,
    /// The hard expiry (manual date or credential expiry), if any.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub expires_at: Option<i64>,
    /// When the rotation policy asks for a new value, if a policy is set.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub rotation_due_at: Option<i64>,
}

/// Compute an item's status at `now`.
pub fn evaluate(ov: &Overview, now: i64) -> Expiry {
    let oauth_refresh = ov.oauth.as_ref().and_then(|o| o.refresh_expires_at);
    // The hard expiry is the earliest of what is known. An OAuth access token that expires
    // is renewable, so only the refresh token's expiry counts as the item's expiry.
    let expires_at = [ov.expires_at, oauth_refresh].into_iter().flatten().min();
    let rotation_due_at = ov.rotate_every_days.map(|d| {
        ov.last_rotated_at
            .saturating_add(i64::from(d).saturating_mul(DAY))
    });
    let warn = i64::from(ov.warn_days.unwrap_or(DEFAULT_WARN_DAYS)).saturating_mul(DAY);
    let status = if oauth_refresh.is_some_and(|t| t <= now) {
        Status::ReauthRequired
    } else if expires_at.is_some_and(|t| t <= now) {
        Status::Expired
    } else if rotation_due_at.is_some_and(|t| t <= now) {
        Status::RotationDue
    } else if expires_at.is_some_and(|t| t - now <= warn) {
        Status::Expiring
    } else if expires_at.is_some()
        || rotation_due_at.is_some()
        || ov.kind == crate::credential::Kind::Totp
    {
        // A 2FA seed does not expire unless the user says so.
        Status::Ok
    } else {
        Status::Unknown
    };
    Expiry {
        status,
        expires_at,
        rotation_due_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{Kind, NewItem};

    fn ov(expires: Option<i64>, rotate: Option<u32>) -> Overview {
        let mut n = NewItem::new(Kind::ApiKey, "k", "v");
        n.expires_at = expires;
        n.rotate_every_days = rotate;
        n.into_parts(0).expect("valid").0
    }

    #[test]
    fn statuses() {
        let now = 100 * DAY;
        assert_eq!(evaluate(&ov(None, Some(0)), now).status, Status::Unknown);
        assert_eq!(
            evaluate(&ov(None, None), now).status,
            Status::RotationDue,
            "90 d default"
        );
        assert_eq!(evaluate(&ov(None, Some(365)), now).status, Status::Ok);
        assert_eq!(
            evaluate(&ov(Some(now - 1), Some(365)), now).status,
            Status::Expired
        );
        assert_eq!(
            evaluate(&ov(Some(now + 3 * DAY), Some(365)), now).status,
            Status::Expiring
        );
        assert_eq!(
            evaluate(&ov(Some(now + 8 * DAY), Some(365)), now).status,
            Status::Ok
        );
        let e = evaluate(&ov(Some(now + 8 * DAY), Some(365)), now);
        assert_eq!(e.expires_at, Some(now + 8 * DAY));
        assert_eq!(e.rotation_due_at, Some(365 * DAY));
    }

    #[test]
    fn per_item_warning_window() {
        let now = 10 * DAY;
        let mut o = ov(Some(now + 20 * DAY), Some(0));
        assert_eq!(evaluate(&o, now).status, Status::Ok);
        o.warn_days = Some(30);
        assert_eq!(evaluate(&o, now).status, Status::Expiring);
    }
}
