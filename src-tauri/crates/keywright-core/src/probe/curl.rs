//! A pasted `curl` command line as a request. Credentials in it (Authorization, API-key
//! headers, `-u user:password`) are dropped and reported: the item's credential is attached
//! instead, and a pasted secret is not kept.

use super::RequestSpec;
use crate::error::{Error, Result};

/// A parsed curl command.
#[derive(Debug, Clone)]
pub struct CurlImport {
    pub spec: RequestSpec,
    /// What was left out, and why, in words (`Authorization header: the item's credential is
    /// attached instead`, `-k: certificate checks stay on`).
    pub dropped: Vec<String>,
}

fn credential_header(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n == "authorization"
        || n == "x-api-key"
        || n == "api-key"
        || n == "apikey"
        || n.contains("token")
}

/// Flags that take no argument and change nothing here.
const NO_OP: &[&str] = &[
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-v",
    "--verbose",
    "-i",
    "--include",
    "-L",
    "--location",
    "--compressed",
    "-f",
    "--fail",
    "-#",
    "--progress-bar",
    "--http1.1",
    "--http2",
    "-g",
    "--globoff",
];

/// `-XPOST`, `-HName: v`: a short flag that takes a value, and the value glued to it.
/// Split by characters, never by byte (`-é` is a word like any other).
fn short_with_value(w: &str) -> Option<(String, String)> {
    let mut chars = w.chars();
    let (Some('-'), Some(c)) = (chars.next(), chars.next()) else {
        return None;
    };
    let rest = chars.as_str();
    ("XHdubAe".contains(c) && !rest.is_empty()).then(|| (format!("-{c}"), rest.to_owned()))
}

/// Parse `curl …` (line continuations and quotes as a POSIX shell reads them).
pub fn parse(command: &str) -> Result<CurlImport> {
    let joined = command.replace("\\\r\n", " ").replace("\\\n", " ");
    let words = shlex::split(&joined)
        .ok_or_else(|| Error::invalid("curl command", "has an unclosed quote"))?;
    let mut it = words.into_iter().peekable();
    match it.next() {
        Some(w) if w == "curl" || w.ends_with("/curl") => {}
        _ => return Err(Error::invalid("curl command", "does not start with curl")),
    }
    let mut url: Option<String> = None;
    let mut method: Option<String> = None;
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut data: Vec<String> = Vec::new();
    let mut get = false;
    let mut dropped = Vec::new();
    let need = |it: &mut std::iter::Peekable<std::vec::IntoIter<String>>, flag: &str| {
        it.next()
            .ok_or_else(|| Error::invalid("curl command", format!("{flag} needs a value")))
    };
    while let Some(w) = it.next() {
        // `-XPOST`, `-HName: v` and `--flag=value` forms.
        let (flag, inline) =
            if let Some(rest) = w.strip_prefix("--").and_then(|r| r.split_once('=')) {
                (format!("--{}", rest.0), Some(rest.1.to_owned()))
            } else if let Some((short, rest)) = short_with_value(&w) {
                (short, Some(rest))
            } else {
                (w.clone(), None)
            };
        let value = |it: &mut std::iter::Peekable<std::vec::IntoIter<String>>| match &inline {
            Some(v) => Ok(v.clone()),
            None => need(it, &flag),
        };
        match flag.as_str() {
            "-X" | "--request" => method = Some(value(&mut it)?.to_ascii_uppercase()),
            "-H" | "--header" => {
                let h = value(&mut it)?;
                // The value is not quoted back: it may be a pasted secret.
                let (k, v) = h.split_once(':').ok_or_else(|| {
                    Error::invalid(
                        "curl command",
                        format!("a {flag} value has no ':'; a header is 'Name: value'"),
                    )
                })?;
                if credential_header(k) {
                    dropped.push(format!(
                        "{} header: the item's credential is attached instead",
                        k.trim()
                    ));
                } else {
                    headers.push((k.trim().to_owned(), v.trim().to_owned()));
                }
            }
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-ascii"
            | "--data-urlencode" => {
                data.push(value(&mut it)?);
            }
            "--json" => {
                data.push(value(&mut it)?);
                headers.push(("Content-Type".into(), "application/json".into()));
                headers.push(("Accept".into(), "application/json".into()));
            }
            "-u" | "--user" => {
                let _ = value(&mut it)?;
                dropped.push("-u user:password: the item's credential is attached instead".into());
            }
            "-A" | "--user-agent" => headers.push(("User-Agent".into(), value(&mut it)?)),
            "-e" | "--referer" => headers.push(("Referer".into(), value(&mut it)?)),
            "-b" | "--cookie" => {
                let _ = value(&mut it)?;
                dropped.push("cookie: not kept (it may hold a session)".into());
            }
            "-G" | "--get" => get = true,
            "-k" | "--insecure" => dropped.push("-k: certificate checks stay on".into()),
            "--url" => url = Some(value(&mut it)?),
            f if NO_OP.contains(&f) => {}
            f if f.starts_with('-') => {
                return Err(Error::invalid(
                    "curl command",
                    format!("the option {f} is not understood"),
                ));
            }
            _ => {
                if url.is_some() {
                    return Err(Error::invalid("curl command", "has more than one URL"));
                }
                url = Some(w);
            }
        }
    }
    let url = url.ok_or_else(|| Error::invalid("curl command", "has no URL"))?;
    let mut spec = RequestSpec::get(url);
    if !data.is_empty() {
        let joined = data.join("&");
        if get {
            let sep = if spec.url.contains('?') { '&' } else { '?' };
            spec.url = format!("{}{sep}{joined}", spec.url);
        } else {
            spec.body = Some(joined.into_bytes());
            spec.method = reqwest::Method::POST;
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                headers.push((
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
            }
        }
    }
    if let Some(m) = method {
        spec.method = reqwest::Method::from_bytes(m.as_bytes()).map_err(|_| {
            // Quoted only when it looks like a method: a misplaced value may be a secret.
            let shown = if m.len() <= 16 && m.bytes().all(|b| b.is_ascii_alphanumeric()) {
                format!("{m:?}")
            } else {
                "the -X value".to_owned()
            };
            Error::invalid("curl command", format!("{shown} is not an HTTP method"))
        })?;
    }
    spec.headers = headers;
    Ok(CurlImport { spec, dropped })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copied_curl_command() {
        let c = parse(
            "curl 'https://api.stripe.com/v1/charges' \\\n  -H 'Authorization: Bearer sk_live_x' \\\n  -H 'Idempotency-Key: abc' -X POST \\\n  -d amount=2000 -d currency=usd --compressed",
        )
        .expect("parse");
        assert_eq!(c.spec.url, "https://api.stripe.com/v1/charges");
        assert_eq!(c.spec.method, reqwest::Method::POST);
        assert_eq!(
            c.spec.body.as_deref(),
            Some(&b"amount=2000&currency=usd"[..])
        );
        assert!(
            c.spec
                .headers
                .iter()
                .any(|(k, v)| k == "Idempotency-Key" && v == "abc")
        );
        assert!(
            !c.spec.headers.iter().any(|(k, _)| k == "Authorization"),
            "the pasted secret is dropped"
        );
        assert_eq!(c.dropped.len(), 1);
        let j = parse(r#"curl --json '{"a":1}' https://x.example/api -u me:pw -k"#).expect("json");
        assert_eq!(j.spec.method, reqwest::Method::POST);
        assert_eq!(j.spec.body.as_deref(), Some(&br#"{"a":1}"#[..]));
        assert_eq!(j.dropped.len(), 2);
        let g = parse("curl -G https://x.example/search -d q=rust -XGET").expect("get");
        assert_eq!(
            (g.spec.url.as_str(), g.spec.method.as_str()),
            ("https://x.example/search?q=rust", "GET")
        );
        for (bad, why) in [
            ("wget https://x", "start with curl"),
            ("curl", "no URL"),
            ("curl 'https://x", "unclosed quote"),
            ("curl --frobnicate https://x", "--frobnicate"),
            ("curl -H", "needs a value"),
        ] {
            let e = parse(bad).expect_err(bad);
            assert!(e.to_string().contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn a_short_flag_followed_by_a_multibyte_character_is_an_error_not_a_panic() {
        for bad in [
            "curl URL -é",
            "curl https://x -é",
            "curl -€x https://x",
            "curl -Hé https://x",
        ] {
            match parse(bad) {
                Ok(_) => {}
                Err(e) => assert_eq!(e.kind(), "invalid_input", "{bad}: {e}"),
            }
        }
        let e = parse("curl https://x -é").expect_err("unknown option");
        assert!(e.to_string().contains("-é"), "{e}");
        let h = parse("curl https://x -HX-Note:é").expect("glued header");
        assert_eq!(h.spec.headers, [("X-Note".to_owned(), "é".to_owned())]);
    }

    #[test]
    fn a_malformed_header_is_not_quoted_back() {
        let e = parse("curl https://x -H 'Authorization Bearer sk_live_nocolon'")
            .expect_err("no colon");
        assert!(!e.to_string().contains("sk_live_nocolon"), "{e}");
        assert!(e.to_string().contains("Name: value"), "{e}");
    }

    mod props {
        use super::super::parse;
        use proptest::prelude::*;

        const SECRET: &str = "sk_live_PROPTEST_SECRET";

        fn word() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("-H".to_owned()),
                Just("-X".to_owned()),
                Just("-d".to_owned()),
                Just("-u".to_owned()),
                Just("--json".to_owned()),
                Just("--url".to_owned()),
                Just("-G".to_owned()),
                Just("'".to_owned()),
                Just("\\\n".to_owned()),
                Just("https://x.example/p?q=1".to_owned()),
                Just(format!("'Authorization: Bearer {SECRET}'")),
                Just(format!("-u me:{SECRET}")),
                Just(format!("-b sid={SECRET}")),
                Just(format!("-H{SECRET}")),
                "-[a-zA-Zé€ü0-9#-]{0,3}",
                "\\PC{0,8}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

            /// Any command line: a request or a named error, never a panic, never the secret.
            #[test]
            fn any_command_line_parses_or_is_refused(words in proptest::collection::vec(word(), 0..8)) {
                let cmd = format!("curl {}", words.join(" "));
                match parse(&cmd) {
                    Ok(c) => {
                        let shown = format!("{c:?}");
                        prop_assert!(!shown.contains(SECRET), "{}", shown);
                        prop_assert!(!c.spec.headers.iter().any(|(_, v)| v.contains(SECRET)));
                    }
                    Err(e) => {
                        prop_assert_eq!(e.kind(), "invalid_input");
                        prop_assert!(!e.to_string().contains(SECRET), "{}", e);
                    }
                }
            }

            #[test]
            fn arbitrary_text_never_panics(text in "\\PC{0,40}") {
                let _ = parse(&text);
                let _ = parse(&format!("curl {text}"));
            }
        }
    }
}
