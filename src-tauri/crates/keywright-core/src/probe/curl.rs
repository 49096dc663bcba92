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
            } else if w.len() > 2
                && w.starts_with('-')
                && !w.starts_with("--")
                && "XHdubAe".contains(&w[1..2])
            {
                (w[..2].to_owned(), Some(w[2..].to_owned()))
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
                let (k, v) = h.split_once(':').ok_or_else(|| {
                    Error::invalid("curl command", format!("header {h:?} is not 'Name: value'"))
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
        spec.method = reqwest::Method::from_bytes(m.as_bytes())
            .map_err(|_| Error::invalid("curl command", format!("{m:?} is not an HTTP method")))?;
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
}
