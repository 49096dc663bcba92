//! `{{totp:NAME}}` in a request's headers, URL or body: the current code of the 2FA item
//! NAME, computed in Rust when the request is sent.

use zeroize::Zeroizing;

use super::RequestSpec;
use crate::error::{Error, Result};

const OPEN: &str = "{{totp:";
const CLOSE: &str = "}}";

/// Replace every `{{totp:NAME}}` in `text`, asking `code_of` for each name.
fn expand(
    text: &str,
    code_of: &mut dyn FnMut(&str) -> Result<Zeroizing<String>>,
    used: &mut Vec<Zeroizing<String>>,
) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let end = after.find(CLOSE).ok_or_else(|| {
            Error::invalid(
                "request",
                "a {{totp:NAME}} placeholder is not closed with }}",
            )
        })?;
        let name = after[..end].trim();
        if name.is_empty() {
            return Err(Error::invalid(
                "request",
                "{{totp:}} needs the name of a 2FA item",
            ));
        }
        let code = code_of(name)?;
        out.push_str(&code);
        used.push(code);
        rest = &after[end + CLOSE.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Expand the placeholders of `spec` in place; returns the codes used (to redact them).
pub fn expand_totp(
    spec: &mut RequestSpec,
    mut code_of: impl FnMut(&str) -> Result<Zeroizing<String>>,
) -> Result<Vec<Zeroizing<String>>> {
    let mut used = Vec::new();
    if spec.url.contains(OPEN) {
        spec.url = expand(&spec.url, &mut code_of, &mut used)?;
    }
    for (k, v) in &mut spec.headers {
        if v.contains(OPEN) {
            *v = expand(v, &mut code_of, &mut used)?;
            spec.filled_headers.push(k.clone());
        }
    }
    if let Some(b) = &spec.body
        && let Ok(text) = std::str::from_utf8(b)
        && text.contains(OPEN)
    {
        spec.body = Some(expand(text, &mut code_of, &mut used)?.into_bytes());
    }
    Ok(used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_in_headers_url_and_body() {
        let mut spec = RequestSpec::get("https://api.example/login?otp={{totp:GitHub}}");
        spec.headers
            .push(("X-OTP".into(), "{{totp: AWS root }}".into()));
        spec.body = Some(br#"{"code":"{{totp:GitHub}}"}"#.to_vec());
        let mut asked = Vec::new();
        let used = expand_totp(&mut spec, |n| {
            asked.push(n.to_owned());
            Ok(Zeroizing::new(if n == "GitHub" {
                "123456".into()
            } else {
                "654321".into()
            }))
        })
        .expect("expand");
        assert_eq!(spec.url, "https://api.example/login?otp=123456");
        assert_eq!(spec.headers[0].1, "654321");
        assert_eq!(spec.body.as_deref(), Some(&br#"{"code":"123456"}"#[..]));
        assert_eq!(asked, ["GitHub", "AWS root", "GitHub"]);
        assert_eq!(used.len(), 3);
        assert_eq!(spec.filled_headers, ["X-OTP"]);
        let shown = format!("{spec:?}");
        assert!(
            !shown.contains("123456") && !shown.contains("654321"),
            "{shown}"
        );
        let mut bad = RequestSpec::get("https://x/{{totp:open");
        assert!(expand_totp(&mut bad, |_| Ok(Zeroizing::new(String::new()))).is_err());
    }
}
