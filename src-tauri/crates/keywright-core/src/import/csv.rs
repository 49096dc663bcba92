//! Any CSV file with a header row, through a column mapping (`--map`):
//!
//! ```text
//! --map name=Title,secret=Password,username=User,url=URL,notes=Notes,tags=Group,
//!       kind=Type,expires=Expires,totp=TOTP,header=Header,query=Query
//! ```
//!
//! - `name` and `secret` are required; the others are optional;
//! - `kind`: `api_key`/`api-key`, `bearer`, `basic`, `oauth2`, `totp` (as `keywright add`
//!   takes them); without it, a row with a user name is `basic`, else the secret decides
//!   (`bearer` for a JWT, else `api_key`); for `oauth2` the user name is the client id and
//!   the URL the token endpoint; for `totp` the secret is a base32 seed or an otpauth:// URI;
//! - `tags`: split at `,`, `;` and `/` (a group path `Work/APIs` gives two tags);
//! - `expires`: `YYYY-MM-DD` or RFC 3339;
//! - `totp`: an otpauth:// URI or a base32 seed → a separate 2FA item "<name> 2FA";
//! - `header` / `query`: where an API key goes (a header name, a query parameter).
//!
//! An unknown field, a column missing from the header, or no `--map` at all is an error
//! for the whole file that names the problem (and, without `--map`, lists the columns).

use zeroize::Zeroizing;

use super::keepass::{hinted, otp_of_text, web_url};
use super::{Candidate, Format, Options, Record, add_tags, fail, kind_of_value, reason_of};
use crate::credential::{Kind, NewItem, OAuthConfig, Placement};
use crate::error::Result;
use crate::limits::{MAX_IMPORT_ENTRIES, MAX_SECRET_BYTES};

const FORMAT: Format = Format::Csv;

/// The fields `--map` may name, in the order help texts list them.
pub const FIELDS: [&str; 11] = [
    "name", "secret", "username", "url", "notes", "tags", "kind", "expires", "totp", "header",
    "query",
];

/// A csv crate error without the record's content (it may hold a secret).
pub(crate) fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("it has {len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".into(),
        csv::ErrorKind::Io(e) => e.to_string(),
        _ => "it is not valid CSV".into(),
    }
}

/// `field → column index`, from `--map` and the header row.
struct Mapping {
    cols: [Option<usize>; FIELDS.len()],
}

impl Mapping {
    fn get<'r>(&self, field: &str, rec: &'r csv::StringRecord) -> &'r str {
        FIELDS
            .iter()
            .position(|f| *f == field)
            .and_then(|i| self.cols[i])
            .and_then(|c| rec.get(c))
            .map(str::trim)
            .unwrap_or_default()
    }

    fn has(&self, field: &str) -> bool {
        FIELDS
            .iter()
            .position(|f| *f == field)
            .is_some_and(|i| self.cols[i].is_some())
    }
}

/// The header's cells for a message. A long "name" is more likely a value (a file without
/// a header line, or a damaged one), which could be a secret: it is not repeated.
fn column_list(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| match c.chars().count() {
            n if n > MAX_SHOWN_COLUMN => format!("a {n}-character column (not shown)"),
            _ => format!("{c:?}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

const MAX_SHOWN_COLUMN: usize = 20;

fn example(header: &[&str]) -> String {
    let pick = |want: &[&str]| {
        header
            .iter()
            .find(|h| want.iter().any(|w| h.eq_ignore_ascii_case(w)))
            .copied()
    };
    let short = |h: &&str| h.chars().count() <= MAX_SHOWN_COLUMN;
    let name = pick(&["name", "title"])
        .or(header.first().copied().filter(short))
        .unwrap_or("Name");
    let secret = pick(&["password", "secret", "key", "token", "value"])
        .or(header.get(1).copied().filter(short))
        .unwrap_or("Secret");
    format!("--map name={name},secret={secret}")
}

fn mapping(map: Option<&str>, header: &csv::StringRecord) -> Result<Mapping> {
    let columns: Vec<&str> = header.iter().map(str::trim).collect();
    let Some(map) = map.map(str::trim).filter(|m| !m.is_empty()) else {
        return Err(fail(
            FORMAT,
            format!(
                "say which column holds what with --map (fields: {}); its columns are {}; for \
                 example {}",
                FIELDS.join(", "),
                column_list(&columns),
                example(&columns)
            ),
        ));
    };
    let mut cols = [None; FIELDS.len()];
    for pair in map.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((field, column)) = pair.split_once('=') else {
            return Err(fail(
                FORMAT,
                format!("--map {pair:?} is not FIELD=COLUMN (e.g. name=Title)"),
            ));
        };
        let field = field.trim().to_ascii_lowercase();
        let column = column.trim();
        let Some(i) = FIELDS.iter().position(|f| *f == field) else {
            return Err(fail(
                FORMAT,
                format!(
                    "--map names an unknown field {field:?}; the fields are {}",
                    FIELDS.join(", ")
                ),
            ));
        };
        let Some(c) = columns
            .iter()
            .position(|h| *h == column)
            .or_else(|| columns.iter().position(|h| h.eq_ignore_ascii_case(column)))
        else {
            return Err(fail(
                FORMAT,
                format!(
                    "--map {field}={column}: the header has no column {column:?} (it has {})",
                    column_list(&columns)
                ),
            ));
        };
        if cols[i].is_some() {
            return Err(fail(FORMAT, format!("--map names {field} twice")));
        }
        cols[i] = Some(c);
    }
    let m = Mapping { cols };
    for required in ["name", "secret"] {
        if !m.has(required) {
            return Err(fail(
                FORMAT,
                format!(
                    "--map has no {required}=COLUMN (name and secret are required; e.g. {})",
                    example(&columns)
                ),
            ));
        }
    }
    Ok(m)
}

/// The records of a CSV file mapped by `opts.map`.
pub fn parse(text: &str, opts: &Options) -> Result<Vec<Record>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| {
            fail(
                FORMAT,
                format!("its header row cannot be read ({})", csv_error(&e)),
            )
        })?
        .clone();
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(fail(FORMAT, "it has no header row"));
    }
    let m = mapping(opts.map.as_deref(), &header)?;
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut row = 0usize;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(fail(
                    FORMAT,
                    format!("row {} cannot be read ({})", row + 2, csv_error(&e)),
                ));
            }
        }
        row += 1;
        if row > MAX_IMPORT_ENTRIES {
            return Err(super::too_many_entries(FORMAT));
        }
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        map_row(&m, &rec, row, &mut out);
    }
    rec.clear();
    if out.is_empty() {
        return Err(fail(FORMAT, "it has a header row and no entries"));
    }
    Ok(out)
}

fn map_row(m: &Mapping, rec: &csv::StringRecord, row: usize, out: &mut Vec<Record>) {
    // Line numbers as a spreadsheet shows them: the header is row 1.
    let line = row + 1;
    let label = format!("row {line}");
    if let Some((i, _)) = rec
        .iter()
        .enumerate()
        .find(|(_, f)| f.len() > MAX_SECRET_BYTES)
    {
        out.push(Record::invalid(
            row,
            label,
            format!("column {} is longer than {MAX_SECRET_BYTES} bytes", i + 1),
        ));
        return;
    }
    let name = m.get("name", rec);
    if name.is_empty() {
        out.push(Record::invalid(row, label, "has no name"));
        return;
    }
    let secret = Zeroizing::new(m.get("secret", rec).to_owned());
    let username = m.get("username", rec);
    let totp = m.get("totp", rec);
    let kind = match m.get("kind", rec) {
        "" if secret.is_empty() => None,
        "" if !username.is_empty() => Some(Kind::Basic),
        "" => Some(kind_of_value(&secret)),
        k => match Kind::parse(k) {
            Ok(k) => Some(k),
            Err(e) => {
                out.push(Record::invalid(row, label, reason_of(e)));
                return;
            }
        },
    };
    if secret.is_empty() && totp.is_empty() {
        out.push(Record::invalid(row, label, "has no secret"));
        return;
    }
    let expires_at = match m.get("expires", rec) {
        "" => None,
        s => match crate::timefmt::parse_date("expires", s)
            .and_then(|t| crate::timefmt::check_timestamp("expires", t))
        {
            Ok(t) => Some(t),
            Err(e) => {
                out.push(Record::invalid(row, label, reason_of(e)));
                return;
            }
        },
    };
    let tags: Vec<String> = m
        .get("tags", rec)
        .split([',', ';', '/'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let url_text = m.get("url", rec);
    let mut notes = m.get("notes", rec).to_owned();
    let url = web_url(url_text);
    if url.is_none() && !url_text.is_empty() {
        if !notes.is_empty() {
            notes.push_str("\n\n");
        }
        notes.push_str(&format!("URL: {url_text}"));
    }
    let (header, query) = (m.get("header", rec), m.get("query", rec));
    let name = name.to_owned();
    if let Some(kind) = kind {
        let item = match kind {
            Kind::Totp => match otp_of_text(&secret) {
                Ok(mut acc) => {
                    if acc.issuer.is_none() {
                        acc.issuer = Some(name.clone());
                    }
                    if acc.account.is_none() && !username.is_empty() {
                        acc.account = Some(username.to_owned());
                    }
                    let mut i = crate::vault::otp::new_otp_item(name.clone(), &acc);
                    i.secret.notes = notes.clone();
                    Ok(i)
                }
                Err(r) => Err(r),
            },
            _ => {
                let mut i = NewItem::new(kind, name.clone(), secret.as_str());
                i.url = url.clone();
                i.expires_at = expires_at;
                i.secret.notes = notes.clone();
                if !username.is_empty() {
                    i.username = Some(username.to_owned());
                }
                if kind == Kind::Oauth2 {
                    i.username = None;
                    i.oauth = Some(OAuthConfig {
                        client_id: username.to_owned(),
                        token_url: url.clone(),
                        ..OAuthConfig::default()
                    });
                }
                match (kind, header, query) {
                    (_, "", "") => Ok(i),
                    (Kind::ApiKey, h, "") => {
                        i.placement = Some(if h.eq_ignore_ascii_case("bearer") {
                            Placement::Bearer
                        } else {
                            Placement::Header { name: h.to_owned() }
                        });
                        Ok(i)
                    }
                    (Kind::ApiKey, "", q) => {
                        i.placement = Some(Placement::Query { name: q.to_owned() });
                        Ok(i)
                    }
                    (Kind::ApiKey, _, _) => Err(
                        "has both a header and a query parameter; an API key goes in one"
                            .to_owned(),
                    ),
                    (k, _, _) => Err(format!(
                        "has a header or query parameter, which only API keys have (this row is \
                         {k})"
                    )),
                }
            }
        };
        match item {
            Ok(mut item) => {
                add_tags(&mut item, &tags);
                // Checked once, by the plan (a bad field is that row's reason there).
                out.push(Record::ok(row, label.clone(), hinted(item)));
            }
            Err(r) => out.push(Record::invalid(row, label.clone(), r)),
        }
    }
    if !totp.is_empty() {
        let two = format!("{label} (2FA)");
        match otp_of_text(totp) {
            Ok(mut acc) => {
                if acc.issuer.is_none() {
                    acc.issuer = Some(name.clone());
                }
                if acc.account.is_none() && !username.is_empty() {
                    acc.account = Some(username.to_owned());
                }
                let mut item = crate::vault::otp::new_otp_item(format!("{name} 2FA"), &acc);
                add_tags(&mut item, &tags);
                out.push(Record::ok(row, two, Candidate::new(item)));
            }
            Err(r) => out.push(Record::invalid(row, two, r)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, Options, Record, Source, parse as parse_any};
    use crate::credential::{Kind, Placement};

    fn csv(text: &str, map: Option<&str>) -> crate::error::Result<Vec<Record>> {
        let opts = Options {
            map: map.map(str::to_owned),
            ..Options::default()
        };
        parse_any(Format::Csv, Source::Bytes(text.as_bytes()), &opts)
    }

    const MAP: &str = "name=Title,secret=Password,username=User,url=URL,notes=Notes,tags=Group,\
                       kind=Type,expires=Expires,totp=TOTP,header=Header,query=Query";

    #[test]
    fn every_field_of_the_mapping() {
        let text = "Title,Password,User,URL,Notes,Group,Type,Expires,TOTP,Header,Query\n\
            Stripe,sk_live_abcdefghijklmnop,,https://api.stripe.com,live,Work/Billing,,2027-01-31,,,\n\
            Mailgun,key-123456789,,,,,api-key,,,X-Mailgun-Key,\n\
            Maps,AIzaSyA-1234567890abcdefghijklmnopqrstu,,,,,api_key,,,,key\n\
            Jenkins,s3cr3t,admin,ci.example.com,,Ops,,2027-01-31T12:00:00Z,otpauth://totp/Jenkins:admin?secret=JBSWY3DPEHPK3PXP,,\n\
            Auth0 M2M,client-secret,my-client,https://tenant.auth0.com/oauth/token,,,oauth2,,,,\n\
            Seed only,,,,,,,,JBSWY3DPEHPK3PXP,,\n\
            Token,eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln,,,,,,,,,\n\
            Broken,x,,,,,lastpass,,,,\n\
            Bad date,y,,,,,,next week,,,\n\
            Both,z,,,,,api_key,,,H,q\n\
            ,no name,,,,,,,,,\n\
            ,,,,,,,,,,\n";
        let recs = csv(text, Some(MAP)).expect("csv");
        let row = |l: &str| {
            recs.iter()
                .find(|r| r.label == l)
                .unwrap_or_else(|| panic!("{l}"))
        };
        let ok = |l: &str| row(l).candidate.as_ref().expect(l).item.clone();
        let stripe = ok("row 2");
        assert_eq!(stripe.kind, Kind::ApiKey);
        assert_eq!(stripe.tags, ["Work", "Billing"]);
        assert_eq!(stripe.expires_at, Some(1_801_353_600));
        assert_eq!(stripe.secret.notes, "live");
        assert_eq!(
            ok("row 3").placement,
            Some(Placement::Header {
                name: "X-Mailgun-Key".into()
            })
        );
        assert_eq!(
            ok("row 4").placement,
            Some(Placement::Query { name: "key".into() })
        );
        let jenkins = ok("row 5");
        assert_eq!(jenkins.kind, Kind::Basic);
        assert_eq!(jenkins.url.as_deref(), Some("https://ci.example.com"));
        assert_eq!(jenkins.expires_at, Some(1_801_396_800));
        let two = ok("row 5 (2FA)");
        assert_eq!((two.kind, two.name.as_str()), (Kind::Totp, "Jenkins 2FA"));
        let oauth = ok("row 6");
        assert_eq!(oauth.kind, Kind::Oauth2);
        assert_eq!(oauth.oauth.expect("oauth").client_id, "my-client");
        assert_eq!(ok("row 7 (2FA)").kind, Kind::Totp);
        assert_eq!(ok("row 8").kind, Kind::Bearer);
        let bad = |l: &str| row(l).candidate.as_ref().expect_err(l).clone();
        assert!(
            bad("row 9").contains("unknown kind \"lastpass\""),
            "{}",
            bad("row 9")
        );
        assert!(
            bad("row 10").contains("\"next week\" is not a date"),
            "{}",
            bad("row 10")
        );
        assert!(
            bad("row 11").contains("both a header and a query"),
            "{}",
            bad("row 11")
        );
        assert_eq!(bad("row 12"), "has no name");
        // The blank row is skipped; no secret is in any message.
        assert_eq!(recs.len(), 12);
        for r in &recs {
            if let Err(reason) = &r.candidate {
                for secret in ["x", "y", "z", "no name"] {
                    assert!(!reason.split_whitespace().any(|w| w == secret), "{reason}");
                }
            }
        }
    }

    #[test]
    fn mapping_problems_name_the_field_or_column() {
        let text = "Title,Password,Notes\nA,b,c\n";
        let e = csv(text, None).expect_err("no map");
        let m = e.to_string();
        assert!(m.contains("--map"), "{m}");
        assert!(m.contains("\"Title\", \"Password\", \"Notes\""), "{m}");
        assert!(m.contains("--map name=Title,secret=Password"), "{m}");
        let e = csv(text, Some("name=Title,secret=Password,colour=Notes")).expect_err("field");
        assert!(e.to_string().contains("unknown field \"colour\""), "{e}");
        let e = csv(text, Some("name=Title,secret=Pass")).expect_err("column");
        assert!(e.to_string().contains("no column \"Pass\""), "{e}");
        let e = csv(text, Some("name=Title")).expect_err("secret");
        assert!(e.to_string().contains("no secret=COLUMN"), "{e}");
        let e = csv(text, Some("name")).expect_err("pair");
        assert!(e.to_string().contains("not FIELD=COLUMN"), "{e}");
        // Case-insensitive column names.
        assert_eq!(
            csv(text, Some("name=title,secret=PASSWORD"))
                .expect("ok")
                .len(),
            1
        );
        let e = csv(
            "Title,Password\nA,b,c\n",
            Some("name=Title,secret=Password"),
        )
        .expect_err("ragged");
        assert!(
            e.to_string().contains("row 2") && e.to_string().contains("3 fields"),
            "{e}"
        );
        let e = csv("Title,Password\n", Some("name=Title,secret=Password")).expect_err("empty");
        assert!(e.to_string().contains("no entries"), "{e}");
    }

    #[test]
    fn many_rows_and_long_fields_are_bounded() {
        let mut text = String::from("N,S\n");
        for i in 0..100_001 {
            text.push_str(&format!("n{i},s\n"));
        }
        let e = csv(&text, Some("name=N,secret=S")).expect_err("too many");
        assert!(e.to_string().contains("more than 100000"), "{e}");
        let text = format!("N,S\nbig,{}\nsmall,sk_small_1234\n", "k".repeat(70_000));
        let recs = csv(&text, Some("name=N,secret=S")).expect("ok");
        let reason = recs[0].candidate.as_ref().expect_err("big");
        assert!(reason.contains("longer than 65536 bytes"), "{reason}");
        assert!(recs[1].candidate.is_ok());
    }
}
