//! One expiry computation for every item: the list, the CLI and the app all call this.
//!
//! It knows the manual expires-at, the `exp` of a stored JWT, what the authorization server
//! said (access and refresh token lifetimes, a refused refresh token) and the rotation
//! policy. An OAuth access token that can be renewed without a person does not make its
//! item expire: only what needs a person counts (the refresh token's end, a refused
//! refresh token, or the access token of a login without a refresh token).
//!
//! A snooze (`Overview::snoozed_until`) hides a rotation reminder or an expiry notice
//! ("expiring") until it ends: the status is `Ok` with `snoozed_until` set. It never hides
//! what has really happened: an expired credential is `Expired` and a refused login is
//! `ReauthRequired`, snoozed or not.

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
    /// While a snooze hides a reminder or notice: when it ends (the status is then `Ok`).
    /// `None` when there is no snooze, it has ended, or it hides nothing.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub snoozed_until: Option<i64>,
}

/// Compute an item's status at `now`.
pub fn evaluate(ov: &Overview, now: i64) -> Expiry {
    let oauth = ov.oauth.as_ref();
    let oauth_refresh = oauth.and_then(|o| {
        if o.has_refresh_token {
            o.refresh_expires_at
        } else if o.grant().is_interactive() {
            // A login without a refresh token lasts as long as its access token.
            o.access_expires_at
        } else {
            None
        }
    });
    let refused = oauth.is_some_and(|o| o.reauth_required);
    // The hard expiry is the earliest of what is known.
    let expires_at = [ov.expires_at, ov.token_expires_at, oauth_refresh]
        .into_iter()
        .flatten()
        .min();
    let rotation_due_at = ov.rotate_every_days.map(|d| {
        ov.last_rotated_at
            .saturating_add(i64::from(d).saturating_mul(DAY))
    });
    let warn = i64::from(ov.warn_days.unwrap_or(DEFAULT_WARN_DAYS)).saturating_mul(DAY);
    let mut status = if refused || oauth_refresh.is_some_and(|t| t <= now) {
        Status::ReauthRequired
    } else if expires_at.is_some_and(|t| t <= now) {
        Status::Expired
    } else if rotation_due_at.is_some_and(|t| t <= now) {
        Status::RotationDue
    } else if expires_at.is_some_and(|t| t.saturating_sub(now) <= warn) {
        Status::Expiring
    } else if expires_at.is_some()
        || rotation_due_at.is_some()
        || ov.kind == crate::credential::Kind::Totp
        // A client_credentials item renews itself.
        || oauth.is_some_and(|o| !o.grant().is_interactive())
    {
        // A 2FA seed does not expire unless the user says so.
        Status::Ok
    } else {
        Status::Unknown
    };
    // A snooze hides a reminder or a notice, never an expiry that has come.
    let snoozed_until = ov
        .snoozed_until
        .filter(|t| *t > now && matches!(status, Status::RotationDue | Status::Expiring));
    if snoozed_until.is_some() {
        status = Status::Ok;
    }
    Expiry {
        status,
        expires_at,
        rotation_due_at,
        snoozed_until,
    }
}

/// The time an item next needs the user, for sorting by expiry and for the timeline: the
/// earliest of its hard expiry and its rotation reminder, the reminder moved to the end of
/// a snooze (an expiry stays where it is: it is a fact, not a reminder); `None` when
/// nothing is due, ever.
pub fn next_due(e: &Expiry) -> Option<i64> {
    let rot = e
        .rotation_due_at
        .map(|t| e.snoozed_until.map_or(t, |s| t.max(s)));
    match (e.expires_at, rot) {
        (Some(x), Some(r)) => Some(x.min(r)),
        (x, r) => x.or(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{Grant, Kind, NewItem, OAuthConfig};

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
            Status::Unknown,
            "no reminder unless one is set"
        );
        assert_eq!(
            evaluate(&ov(None, Some(90)), now).status,
            Status::RotationDue
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

    fn oauth(
        grant: Grant,
        refresh: bool,
        access: Option<i64>,
        refresh_exp: Option<i64>,
    ) -> Overview {
        let mut n = NewItem::new(Kind::Oauth2, "o", "client-secret");
        n.rotate_every_days = Some(0);
        n.oauth = Some(OAuthConfig {
            client_id: "c".into(),
            token_url: Some("https://auth.example/token".into()),
            grant: Some(grant),
            access_expires_at: access,
            refresh_expires_at: refresh_exp,
            ..OAuthConfig::default()
        });
        if refresh {
            n.secret.refresh_token = "rt".into();
        }
        if access.is_some() {
            n.secret.access_token = "at".into();
        }
        n.into_parts(0).expect("valid").0
    }

    #[test]
    fn oauth_statuses() {
        let now = 100 * DAY;
        // client_credentials: an expired access token is renewed, not an expiry.
        let cc = oauth(Grant::ClientCredentials, false, Some(now - 10), None);
        assert_eq!(evaluate(&cc, now).status, Status::Ok);
        assert_eq!(evaluate(&cc, now).expires_at, None);
        // A login with a refresh token: the refresh token's end counts.
        let code = oauth(
            Grant::AuthorizationCode,
            true,
            Some(now - 10),
            Some(now + 3 * DAY),
        );
        let e = evaluate(&code, now);
        assert_eq!(
            (e.status, e.expires_at),
            (Status::Expiring, Some(now + 3 * DAY))
        );
        let gone = oauth(Grant::AuthorizationCode, true, None, Some(now - 1));
        assert_eq!(evaluate(&gone, now).status, Status::ReauthRequired);
        // A login without a refresh token lasts as long as its access token.
        let device = oauth(Grant::DeviceCode, false, Some(now - 1), None);
        assert_eq!(evaluate(&device, now).status, Status::ReauthRequired);
        // Refused by the server.
        let mut refused = oauth(Grant::AuthorizationCode, true, Some(now + 60), None);
        if let Some(o) = refused.oauth.as_mut() {
            o.reauth_required = true;
        }
        assert_eq!(evaluate(&refused, now).status, Status::ReauthRequired);
        // A login never made: nothing is known yet.
        let fresh = oauth(Grant::AuthorizationCode, false, None, None);
        assert_eq!(evaluate(&fresh, now).status, Status::Unknown);
    }

    #[test]
    fn a_jwt_bearer_expires_with_its_exp() {
        use base64::Engine as _;
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let now = 100 * DAY;
        let token = format!(
            "{}.{}.c2ln",
            b(r#"{"alg":"HS256"}"#),
            b(&format!(r#"{{"exp":{}}}"#, now + 3600))
        );
        let mut n = NewItem::new(Kind::Bearer, "jwt", token);
        n.rotate_every_days = Some(0);
        let ov = n.into_parts(0).expect("valid").0;
        assert_eq!(ov.token_expires_at, Some(now + 3600));
        let e = evaluate(&ov, now);
        assert_eq!(
            (e.status, e.expires_at),
            (Status::Expiring, Some(now + 3600))
        );
        assert_eq!(evaluate(&ov, now + 3600).status, Status::Expired);
        // An opaque token has no exp to read.
        let n = NewItem::new(Kind::Bearer, "opaque", "ghp_abcdef");
        assert_eq!(n.into_parts(0).expect("valid").0.token_expires_at, None);
    }

    #[test]
    fn a_snooze_hides_reminders_and_notices_not_an_expiry() {
        let now = 100 * DAY;
        // A due rotation reminder, snoozed for 7 days.
        let mut o = ov(None, Some(90));
        assert_eq!(evaluate(&o, now).status, Status::RotationDue);
        o.snoozed_until = Some(now + 7 * DAY);
        let e = evaluate(&o, now);
        assert_eq!(
            (e.status, e.snoozed_until, e.rotation_due_at),
            (Status::Ok, Some(now + 7 * DAY), Some(90 * DAY))
        );
        assert_eq!(next_due(&e), Some(now + 7 * DAY));
        // When the snooze ends the reminder is back.
        let e = evaluate(&o, now + 7 * DAY);
        assert_eq!((e.status, e.snoozed_until), (Status::RotationDue, None));
        // An expiry notice, snoozed past the expiry: hidden until the expiry comes, then
        // expired all the same.
        let mut o = ov(Some(now + 3 * DAY), None);
        o.snoozed_until = Some(now + 30 * DAY);
        let e = evaluate(&o, now);
        assert_eq!((e.status, e.expires_at), (Status::Ok, Some(now + 3 * DAY)));
        assert_eq!(next_due(&e), Some(now + 3 * DAY), "an expiry is not moved");
        let e = evaluate(&o, now + 3 * DAY);
        assert_eq!((e.status, e.snoozed_until), (Status::Expired, None));
        // A snooze of an item with nothing due is not reported.
        let mut o = ov(Some(now + 300 * DAY), None);
        o.snoozed_until = Some(now + DAY);
        assert_eq!(evaluate(&o, now).snoozed_until, None);
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
