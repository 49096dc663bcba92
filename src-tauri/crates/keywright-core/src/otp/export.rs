//! Exports of 2FA accounts for other apps: an otpauth URI list (what most authenticators
//! and `keywright import --format otpauth` read) and Aegis' plain JSON vault (Aegis →
//! Import → Aegis; see beemdevelopment/Aegis `docs/vault.md`).
//!
//! Both outputs hold every secret in clear text: they come back in [`Zeroizing`] strings,
//! and callers should write them only where the user asked.

use serde::Serialize;
use serde_json::ser::{PrettyFormatter, Serializer};
use zeroize::Zeroizing;

use super::{OtpAccount, uri};
use crate::credential::{OtpAlgorithm, OtpType};
use crate::error::{Error, Result};

/// One `otpauth://` URI per line, in the order given.
pub fn otpauth_list(accounts: &[OtpAccount]) -> Zeroizing<String> {
    let uris: Vec<Zeroizing<String>> = accounts.iter().map(uri::to_uri).collect();
    // Sized exactly, so the buffer holding the secrets is never reallocated (and copied).
    let mut out = Zeroizing::new(String::with_capacity(
        uris.iter().map(|u| u.len() + 1).sum(),
    ));
    for u in &uris {
        out.push_str(u);
        out.push('\n');
    }
    out
}

/// The file version and content version Aegis writes today.
const AEGIS_FILE_VERSION: u32 = 1;
const AEGIS_DB_VERSION: u32 = 3;

#[derive(Serialize)]
struct AegisFile<'a> {
    version: u32,
    header: AegisHeader,
    db: AegisDb<'a>,
}

/// `slots` and `params` null: a plain (unencrypted) vault.
#[derive(Serialize)]
struct AegisHeader {
    slots: Option<()>,
    params: Option<()>,
}

#[derive(Serialize)]
struct AegisDb<'a> {
    version: u32,
    entries: Vec<AegisEntry<'a>>,
    groups: Vec<AegisGroup<'a>>,
    icons_optimized: bool,
}

#[derive(Serialize)]
struct AegisEntry<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: String,
    name: &'a str,
    issuer: &'a str,
    note: &'a str,
    favorite: bool,
    icon: Option<()>,
    info: AegisInfo<'a>,
    groups: Vec<&'a str>,
}

#[derive(Serialize)]
struct AegisInfo<'a> {
    secret: &'a str,
    algo: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

#[derive(Serialize)]
struct AegisGroup<'a> {
    uuid: &'a str,
    name: &'a str,
}

/// An Aegis plain vault export of `(item name, account)` pairs: file version 1, content
/// version 3, entries of type `totp`, `hotp` or `steam` with fresh UUIDs, and the tags as
/// Aegis groups. Aegis shows the issuer first, so an account without an issuer gets the
/// item name as its issuer.
pub fn aegis_json(accounts: &[(String, OtpAccount)]) -> Result<Zeroizing<String>> {
    // One group per distinct tag (case-insensitive), in order of first use.
    let mut groups: Vec<(String, &str)> = Vec::new();
    for (_, acc) in accounts {
        for tag in &acc.tags {
            if !groups
                .iter()
                .any(|(_, name)| name.eq_ignore_ascii_case(tag))
            {
                groups.push((uuid_v4()?, tag));
            }
        }
    }
    let group_id = |tag: &str| {
        groups
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(tag))
            .map(|(id, _)| id.as_str())
    };
    let mut entries = Vec::with_capacity(accounts.len());
    for (item_name, acc) in accounts {
        let (kind, period, counter) = match acc.params.otp_type {
            OtpType::Totp => ("totp", Some(acc.params.period), None),
            OtpType::Hotp => ("hotp", None, Some(acc.counter)),
            OtpType::Steam => ("steam", Some(30), None),
        };
        let issuer = acc
            .issuer
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(item_name);
        entries.push(AegisEntry {
            kind,
            uuid: uuid_v4()?,
            name: acc.account.as_deref().unwrap_or_default(),
            issuer,
            note: &acc.notes,
            favorite: false,
            icon: None,
            info: AegisInfo {
                secret: &acc.secret,
                algo: match acc.params.algorithm {
                    OtpAlgorithm::Sha1 => "SHA1",
                    OtpAlgorithm::Sha256 => "SHA256",
                    OtpAlgorithm::Sha512 => "SHA512",
                },
                digits: acc.params.digits,
                period,
                counter,
            },
            groups: acc.tags.iter().filter_map(|t| group_id(t)).collect(),
        });
    }
    let file = AegisFile {
        version: AEGIS_FILE_VERSION,
        header: AegisHeader {
            slots: None,
            params: None,
        },
        db: AegisDb {
            version: AEGIS_DB_VERSION,
            entries,
            groups: groups
                .iter()
                .map(|(uuid, name)| AegisGroup { uuid, name })
                .collect(),
            icons_optimized: true,
        },
    };
    // Sized up front so the buffer holding the secrets is not reallocated (and copied)
    // while it grows; indented with four spaces like Aegis' own files.
    let estimate: usize = accounts
        .iter()
        .map(|(name, acc)| {
            let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
            768 + 2 * (name.len() + acc.secret.len() + acc.notes.len())
                + 2 * (text(&acc.issuer) + text(&acc.account))
                + 48 * acc.tags.len()
        })
        .sum();
    let mut buf = Zeroizing::new(Vec::with_capacity(1024 + estimate + groups.len() * 128));
    let mut ser = Serializer::with_formatter(&mut *buf, PrettyFormatter::with_indent(b"    "));
    file.serialize(&mut ser)
        .map_err(|e| Error::invalid("Aegis export", e.to_string()))?;
    let text = String::from_utf8(std::mem::take(&mut *buf))
        .map_err(|_| Error::invalid("Aegis export", "is not UTF-8"))?;
    Ok(Zeroizing::new(text))
}

/// A random (version 4) UUID in its text form.
fn uuid_v4() -> Result<String> {
    let mut b = [0u8; 16];
    crate::crypto::fill_random(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::crypto::hex(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::OtpParams;
    use crate::otp::import::{self, Format};

    fn acc(
        issuer: Option<&str>,
        account: Option<&str>,
        secret: &str,
        params: OtpParams,
    ) -> OtpAccount {
        let mut a = OtpAccount::from_base32(secret, params).expect("valid account");
        a.issuer = issuer.map(str::to_owned);
        a.account = account.map(str::to_owned);
        a
    }

    fn sample() -> Vec<(String, OtpAccount)> {
        let mut github = acc(
            Some("GitHub"),
            Some("alice@example.com"),
            "JBSWY3DPEHPK3PXP",
            OtpParams::default(),
        );
        github.tags = vec!["Work".into(), "Dev".into()];
        github.notes = Zeroizing::new("recovery codes in the safe".into());
        let mut bank = acc(
            Some("Bank"),
            Some("alice"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            OtpParams {
                otp_type: OtpType::Hotp,
                algorithm: OtpAlgorithm::Sha256,
                digits: 8,
                period: 30,
            },
        );
        bank.counter = 42;
        bank.tags = vec!["work".into()];
        let steam = acc(
            Some("Steam"),
            Some("gamer"),
            "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ",
            OtpParams {
                otp_type: OtpType::Steam,
                algorithm: OtpAlgorithm::Sha1,
                digits: 5,
                period: 30,
            },
        );
        let no_issuer = acc(
            None,
            Some("bob"),
            "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U",
            OtpParams {
                otp_type: OtpType::Totp,
                algorithm: OtpAlgorithm::Sha512,
                digits: 7,
                period: 60,
            },
        );
        vec![
            ("GitHub (alice@example.com)".into(), github),
            ("Bank".into(), bank),
            ("Steam".into(), steam),
            ("Forum".into(), no_issuer),
        ]
    }

    fn parsed(format: Format, data: &[u8]) -> Vec<OtpAccount> {
        import::parse(format, data, None)
            .expect("export reads back")
            .into_iter()
            .map(|e| e.account.expect("every entry reads back"))
            .collect()
    }

    #[test]
    fn otpauth_list_round_trips() {
        let accounts: Vec<OtpAccount> = sample().into_iter().map(|(_, a)| a).collect();
        let text = otpauth_list(&accounts);
        assert_eq!(text.lines().count(), 4);
        assert!(text.lines().all(|l| l.starts_with("otpauth://")));
        let back = parsed(Format::Otpauth, text.as_bytes());
        // Tags and notes are not part of the URI format.
        let expected: Vec<OtpAccount> = accounts
            .into_iter()
            .map(|mut a| {
                a.tags.clear();
                a.notes = Zeroizing::new(String::new());
                a
            })
            .collect();
        assert_eq!(back, expected);
    }

    #[test]
    fn aegis_json_round_trips() {
        let sample = sample();
        let json = aegis_json(&sample).expect("export");
        let back = parsed(Format::Aegis, json.as_bytes());
        assert_eq!(back.len(), sample.len());
        for ((name, want), got) in sample.iter().zip(&back) {
            let mut want = want.clone();
            if want.issuer.is_none() {
                want.issuer = Some(name.clone());
            }
            let same_tags = want.tags.len() == got.tags.len()
                && want
                    .tags
                    .iter()
                    .zip(&got.tags)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b));
            assert!(
                same_tags,
                "{name}: tags {:?} became {:?}",
                want.tags, got.tags
            );
            want.tags.clone_from(&got.tags);
            assert_eq!(got, &want, "{name}");
            assert_eq!(got.notes, want.notes, "{name}");
        }
        // Tags that differ only in case are one Aegis group, named as first seen.
        assert_eq!(back[1].tags, vec!["Work".to_owned()]);
    }

    #[test]
    fn aegis_json_has_the_layout_aegis_reads() {
        let json = aegis_json(&sample()).expect("export");
        let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(v["version"], 1);
        assert!(v["header"]["slots"].is_null() && v["header"]["params"].is_null());
        assert_eq!(v["db"]["version"], 3);
        let entries = v["db"]["entries"].as_array().expect("entries");
        let groups = v["db"]["groups"].as_array().expect("groups");
        assert_eq!(groups.len(), 2);
        for e in entries {
            // Aegis requires these (JSONObject.getString/getInt) and a v4 UUID.
            for key in ["type", "uuid", "name", "issuer", "info"] {
                assert!(e.get(key).is_some(), "entry lacks {key}");
            }
            let uuid = e["uuid"].as_str().expect("uuid");
            assert_eq!(uuid.len(), 36);
            assert_eq!(&uuid[14..15], "4");
            for g in e["groups"].as_array().expect("groups") {
                assert!(groups.iter().any(|d| d["uuid"] == *g), "dangling group id");
            }
        }
        assert_eq!(entries[0]["info"]["period"], 30);
        assert!(entries[1]["info"].get("period").is_none());
        assert_eq!(entries[1]["info"]["counter"], 42);
        assert_eq!(entries[1]["type"], "hotp");
        assert_eq!(entries[2]["type"], "steam");
        assert_eq!(entries[2]["info"]["digits"], 5);
        assert!(json.contains("\n    \"version\": 1"), "four-space indent");
    }
}
