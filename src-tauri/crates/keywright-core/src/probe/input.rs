//! A request as the user writes it (the app's editor, a saved request): method, URL,
//! headers and a body that is raw text, JSON or form fields. [`RequestInput::to_spec`]
//! checks it and makes the bytes that are sent.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::RequestSpec;
use crate::error::{Error, Result};

/// The body of a request as written.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BodyInput {
    #[default]
    None,
    /// Sent as typed; `Content-Type` only if a header gives it.
    Raw { text: String },
    /// Checked as JSON; `Content-Type: application/json` unless a header gives another.
    Json { text: String },
    /// URL-encoded fields; `Content-Type: application/x-www-form-urlencoded` by default.
    Form { fields: Vec<(String, String)> },
}

impl std::fmt::Debug for BodyInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyInput::None => f.write_str("None"),
            BodyInput::Raw { text } => write!(f, "Raw({} bytes)", text.len()),
            BodyInput::Json { text } => write!(f, "Json({} bytes)", text.len()),
            BodyInput::Form { fields } => write!(f, "Form({} fields)", fields.len()),
        }
    }
}

/// A request as written. `Debug` shows no header value or body (either may hold a secret).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestInput {
    pub method: String,
    pub url: String,
    /// In order; rows with an empty name are ignored (an editor's blank last row).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: BodyInput,
    /// Whole-request timeout in seconds (default 30, at most 300).
    #[serde(default)]
    pub timeout_s: Option<u32>,
}

impl std::fmt::Debug for RequestInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestInput")
            .field("method", &self.method)
            .field("url", &crate::net::redact_url(&self.url))
            .field("headers", &super::header_names(&self.headers))
            .field("body", &self.body)
            .field("timeout_s", &self.timeout_s)
            .finish()
    }
}

/// Longest timeout a request may ask for.
pub const MAX_TIMEOUT_S: u32 = 300;

fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers
        .iter()
        .any(|(k, _)| k.trim().eq_ignore_ascii_case(name))
}

impl RequestInput {
    /// A GET of `url` with nothing else.
    pub fn get(url: impl Into<String>) -> Self {
        RequestInput {
            method: "GET".into(),
            url: url.into(),
            headers: Vec::new(),
            body: BodyInput::None,
            timeout_s: None,
        }
    }

    /// What is sent: the method and URL checked, blank header rows left out, the body
    /// encoded with its content type. Every error names the field.
    pub fn to_spec(&self) -> Result<RequestSpec> {
        let method = super::parse_method(&self.method)?;
        let url = self.url.trim();
        if url.is_empty() {
            return Err(Error::invalid(
                "URL",
                "Enter the URL to send the request to, like https://api.example.com/v1/me.",
            ));
        }
        let parsed = url::Url::parse(url).map_err(|e| crate::net::url_error("URL", url, e))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::invalid(
                "URL",
                format!(
                    "Only http and https URLs can be requested, not {}:. Start the URL with https://.",
                    parsed.scheme()
                ),
            ));
        }
        let mut headers = Vec::new();
        for (k, v) in &self.headers {
            let name = k.trim();
            if name.is_empty() {
                if !v.trim().is_empty() {
                    return Err(Error::invalid(
                        "header",
                        "A header has a value but no name. Give it a name or remove the row.",
                    ));
                }
                continue;
            }
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(Error::invalid(
                    "header",
                    format!(
                        "{name:?} is not a header name. Use letters, digits and - only (no spaces or colons)."
                    ),
                ));
            }
            if reqwest::header::HeaderValue::from_str(v.trim()).is_err() {
                return Err(Error::invalid(
                    "header",
                    format!(
                        "The value of the {name} header has a line break or a control character. Put it on one line."
                    ),
                ));
            }
            headers.push((name.to_owned(), v.trim().to_owned()));
        }
        let body = match &self.body {
            BodyInput::None => None,
            BodyInput::Raw { text } => Some(text.as_bytes().to_vec()),
            BodyInput::Json { text } => {
                if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
                    return Err(Error::invalid(
                        "body",
                        format!(
                            "The JSON body does not parse: {} at line {}, column {}. Fix it, or \
                             choose Raw to send it as it is.",
                            json_reason(&e),
                            e.line(),
                            e.column()
                        ),
                    ));
                }
                if !has_header(&headers, "content-type") {
                    headers.push(("Content-Type".into(), "application/json".into()));
                }
                Some(text.as_bytes().to_vec())
            }
            BodyInput::Form { fields } => {
                let mut enc = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in fields {
                    if k.trim().is_empty() {
                        if !v.is_empty() {
                            return Err(Error::invalid(
                                "body",
                                "a form field has a value but no name",
                            ));
                        }
                        continue;
                    }
                    enc.append_pair(k.trim(), v);
                }
                if !has_header(&headers, "content-type") {
                    headers.push((
                        "Content-Type".into(),
                        "application/x-www-form-urlencoded".into(),
                    ));
                }
                Some(enc.finish().into_bytes())
            }
        };
        let timeout = match self.timeout_s {
            None => crate::net::TOTAL_TIMEOUT,
            Some(0) => return Err(Error::invalid("timeout", "must be at least 1 second")),
            Some(s) if s > MAX_TIMEOUT_S => {
                return Err(Error::invalid(
                    "timeout",
                    format!("{s} s is more than the longest allowed, {MAX_TIMEOUT_S} s"),
                ));
            }
            Some(s) => Duration::from_secs(u64::from(s)),
        };
        Ok(RequestSpec {
            filled_headers: Vec::new(),
            method,
            url: url.to_owned(),
            headers,
            body,
            connect_timeout: crate::net::CONNECT_TIMEOUT.min(timeout),
            timeout,
        })
    }

    /// The editor's form of a parsed request (a pasted curl command): a JSON body when it
    /// parses and says so, form fields when its content type is a form, else raw text.
    pub fn from_spec(spec: &RequestSpec) -> Self {
        let ctype = spec
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.to_ascii_lowercase())
            .unwrap_or_default();
        let body = match &spec.body {
            None => BodyInput::None,
            Some(b) => {
                let text = String::from_utf8_lossy(b).into_owned();
                if ctype.contains("json")
                    && serde_json::from_str::<serde_json::Value>(&text).is_ok()
                {
                    BodyInput::Json { text }
                } else if ctype.contains("x-www-form-urlencoded") {
                    BodyInput::Form {
                        fields: url::form_urlencoded::parse(b)
                            .map(|(k, v)| (k.into_owned(), v.into_owned()))
                            .collect(),
                    }
                } else {
                    BodyInput::Raw { text }
                }
            }
        };
        RequestInput {
            method: spec.method.to_string(),
            url: spec.url.clone(),
            headers: spec.headers.clone(),
            body,
            timeout_s: None,
        }
    }
}

/// serde_json's message without its own " at line L column C" (we say it in words).
fn json_reason(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let s = match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    };
    if e.is_eof() {
        "it ends too early (a closing }, ] or \" is missing)".to_owned()
    } else if s == "expected value" {
        "a value is missing or is not JSON (text needs double quotes)".to_owned()
    } else if s == "trailing comma" {
        "there is a comma before a closing } or ]".to_owned()
    } else if s == "key must be a string" {
        "a key is not in double quotes, or a comma comes before }".to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(body: BodyInput) -> RequestInput {
        RequestInput {
            method: "post".into(),
            url: " https://api.example/v1 ".into(),
            headers: vec![
                ("X-Trace".into(), " 7 ".into()),
                (String::new(), String::new()),
            ],
            body,
            timeout_s: Some(5),
        }
    }

    #[test]
    fn bodies_are_encoded_with_their_content_type() {
        let s = input(BodyInput::Json {
            text: r#"{"a": [1, 2]}"#.into(),
        })
        .to_spec()
        .expect("json");
        assert_eq!(s.method, reqwest::Method::POST);
        assert_eq!(s.url, "https://api.example/v1");
        assert_eq!(
            s.headers,
            [
                ("X-Trace".to_owned(), "7".to_owned()),
                ("Content-Type".to_owned(), "application/json".to_owned())
            ]
        );
        assert_eq!(s.body.as_deref(), Some(&br#"{"a": [1, 2]}"#[..]));
        assert_eq!(s.timeout, Duration::from_secs(5));

        let s = input(BodyInput::Form {
            fields: vec![
                ("q".into(), "a b&c".into()),
                ("n".into(), "1".into()),
                (String::new(), String::new()),
            ],
        })
        .to_spec()
        .expect("form");
        assert_eq!(s.body.as_deref(), Some(&b"q=a+b%26c&n=1"[..]));
        assert!(
            s.headers
                .iter()
                .any(|(k, v)| k == "Content-Type" && v == "application/x-www-form-urlencoded")
        );

        let mut own = input(BodyInput::Json { text: "[]".into() });
        own.headers
            .push(("content-type".into(), "application/vnd.api+json".into()));
        let s = own.to_spec().expect("own type");
        assert_eq!(
            s.headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .count(),
            1
        );

        let s = input(BodyInput::Raw {
            text: "plain".into(),
        })
        .to_spec()
        .expect("raw");
        assert_eq!(s.headers.len(), 1);
    }

    #[test]
    fn bad_input_names_the_problem() {
        let e = input(BodyInput::Json {
            text: "{\n  \"a\": 1,\n}".into(),
        })
        .to_spec()
        .expect_err("trailing comma");
        let m = e.to_string();
        assert_eq!(
            m,
            "The JSON body does not parse: a key is not in double quotes, or a comma comes \
             before } at line 3, column 1. Fix it, or choose Raw to send it as it is."
        );
        let e = input(BodyInput::Json {
            text: "{\"a\": ".into(),
        })
        .to_spec()
        .expect_err("eof");
        assert!(e.to_string().contains("it ends too early"), "{e}");

        // A URL without a scheme: quoted, sentence case, what to do; no parser words.
        let no_scheme = RequestInput::get("api.example.com/v1?key=sk_live_SECRET");
        let e = no_scheme.to_spec().expect_err("relative");
        assert_eq!(
            e.to_string(),
            "\"api.example.com/v1\" is not a full URL. Start it with https://."
        );
        assert_eq!(e.kind(), "invalid_input");
        let e = RequestInput::get("https://api.example.com:99999/x")
            .to_spec()
            .expect_err("port");
        assert_eq!(
            e.to_string(),
            "\"https://api.example.com:99999/x\" has a port that is not a number from 1 to 65535."
        );
        let e = RequestInput::get("   ").to_spec().expect_err("empty");
        assert!(e.to_string().starts_with("Enter the URL"), "{e}");

        let mut bad = RequestInput::get("ftp://x/");
        assert!(bad.to_spec().expect_err("ftp").to_string().contains("ftp:"));
        bad.url = "not a url".into();
        assert!(bad.to_spec().expect_err("url").to_string().contains("URL"));
        bad.url = "http://x/".into();
        bad.method = "GE T".into();
        assert!(
            bad.to_spec()
                .expect_err("method")
                .to_string()
                .contains("method")
        );
        bad.method = "GET".into();
        bad.headers = vec![("Bad Name".into(), "v".into())];
        assert!(
            bad.to_spec()
                .expect_err("name")
                .to_string()
                .contains("Bad Name")
        );
        bad.headers = vec![("X".into(), "a\nb".into())];
        assert!(
            bad.to_spec()
                .expect_err("value")
                .to_string()
                .contains("line break")
        );
        bad.headers = vec![(String::new(), "orphan".into())];
        assert!(
            bad.to_spec()
                .expect_err("orphan")
                .to_string()
                .contains("no name")
        );
        bad.headers.clear();
        bad.timeout_s = Some(0);
        assert!(bad.to_spec().is_err());
        bad.timeout_s = Some(301);
        assert!(bad.to_spec().expect_err("long").to_string().contains("300"));
    }

    #[test]
    fn debug_shows_no_values() {
        let mut i = input(BodyInput::Raw {
            text: "password=hunter2".into(),
        });
        i.headers.push(("Cookie".into(), "sid=s3cr3t".into()));
        let shown = format!("{i:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("s3cr3t"),
            "{shown}"
        );
        assert!(shown.contains("Cookie"), "{shown}");
    }

    #[test]
    fn a_parsed_spec_comes_back_as_the_editor_wrote_it() {
        let mut spec = RequestSpec::get("https://x/");
        spec.method = reqwest::Method::POST;
        spec.headers
            .push(("Content-Type".into(), "application/json".into()));
        spec.body = Some(br#"{"a":1}"#.to_vec());
        assert_eq!(
            RequestInput::from_spec(&spec).body,
            BodyInput::Json {
                text: r#"{"a":1}"#.into()
            }
        );
        spec.headers[0].1 = "application/x-www-form-urlencoded".into();
        spec.body = Some(b"a=1&b=x+y".to_vec());
        assert_eq!(
            RequestInput::from_spec(&spec).body,
            BodyInput::Form {
                fields: vec![("a".into(), "1".into()), ("b".into(), "x y".into())]
            }
        );
    }
}
