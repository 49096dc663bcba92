//! The loopback redirect of a native app's login (RFC 8252 §7.3): a one-shot HTTP server
//! on 127.0.0.1 and a port the OS picks, served by hyper, that waits for the browser to
//! come back with `?code=…&state=…`.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The path the browser is sent back to.
pub const CALLBACK_PATH: &str = "/callback";

/// A bound listener waiting for one login's redirect.
pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

type Outcome = std::result::Result<Zeroizing<String>, Error>;

impl Loopback {
    /// Bind 127.0.0.1 on a free port (never 0.0.0.0: only this machine may answer).
    pub async fn bind() -> Result<Loopback> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::io("listen for the login redirect on", "127.0.0.1", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::io("listen for the login redirect on", "127.0.0.1", e))?
            .port();
        Ok(Loopback { listener, port })
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Wait until the browser brings the code for `state` (requests with another state
    /// or path are answered and ignored), or `timeout` passes.
    pub async fn wait(self, state: &str, timeout: Duration) -> Result<Zeroizing<String>> {
        let (tx, mut rx) = mpsc::channel::<Outcome>(1);
        let state = state.to_owned();
        let accept = async {
            loop {
                let Ok((stream, _)) = self.listener.accept().await else {
                    continue;
                };
                let tx = tx.clone();
                let state = state.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let (status, page, outcome) = handle(&req, &state);
                        let tx = tx.clone();
                        async move {
                            if let Some(o) = outcome {
                                let _ = tx.send(o).await;
                            }
                            let resp = Response::builder()
                                .status(status)
                                .header("content-type", "text/html; charset=utf-8")
                                .header("cache-control", "no-store")
                                .header("connection", "close")
                                .body(Full::new(Bytes::from(page)))
                                .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
                            Ok::<_, Infallible>(resp)
                        }
                    });
                    let _ = http1::Builder::new()
                        .keep_alive(false)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        };
        tokio::select! {
            _ = accept => unreachable_accept(),
            got = rx.recv() => got.unwrap_or_else(|| Err(timeout_error(timeout))),
            _ = tokio::time::sleep(timeout) => Err(timeout_error(timeout)),
        }
    }
}

/// The accept loop only ends with the process.
fn unreachable_accept() -> Outcome {
    Err(Error::Network {
        url: "http://127.0.0.1".into(),
        reason: "the login redirect listener stopped".into(),
    })
}

fn timeout_error(t: Duration) -> Error {
    Error::Network {
        url: "the browser login".into(),
        reason: format!(
            "no answer from the browser within {} s; the login was not completed",
            t.as_secs()
        ),
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><meta charset=utf-8><title>Keywright</title>\
         <body style=\"font:16px system-ui;margin:4em auto;max-width:32em\">\
         <h1 style=\"font-size:1.4em\">{title}</h1><p>{body}</p></body>"
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn handle(
    req: &Request<hyper::body::Incoming>,
    state: &str,
) -> (StatusCode, String, Option<Outcome>) {
    if req.uri().path() != CALLBACK_PATH {
        return (StatusCode::NOT_FOUND, page("Not found", ""), None);
    }
    let mut code = None;
    let mut got_state = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "code" => code = Some(Zeroizing::new(v.into_owned())),
            "state" => got_state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = Some(v.into_owned()),
            _ => {}
        }
    }
    if got_state.as_deref() != Some(state) {
        // Not this login's answer (a stale tab, or a forged request): ignore it.
        return (
            StatusCode::BAD_REQUEST,
            page(
                "This login link is not current",
                "Start the login again from Keywright.",
            ),
            None,
        );
    }
    if let Some(error) = error {
        let shown = match &description {
            Some(d) => format!("{} ({})", escape(&error), escape(d)),
            None => escape(&error),
        };
        let outcome = Err(Error::OAuth {
            hint: super::hint(&error),
            description,
            error,
        });
        return (
            StatusCode::OK,
            page(
                "Login failed",
                &format!("The server said {shown}. You can close this tab."),
            ),
            Some(outcome),
        );
    }
    match code {
        Some(c) if !c.is_empty() => (
            StatusCode::OK,
            page(
                "Keywright is logged in",
                "You can close this tab and go back to Keywright.",
            ),
            Some(Ok(c)),
        ),
        _ => (
            StatusCode::BAD_REQUEST,
            page("No code", "The server sent no authorization code."),
            None,
        ),
    }
}

/// Open `url` in the user's browser: `KEYWRIGHT_BROWSER` (a command; the URL is its last
/// argument) when set, else the platform's opener. The URL carries no secret (the PKCE
/// verifier never leaves Keywright; the challenge and state are public by design).
pub fn open_browser(url: &str) -> Result<()> {
    crate::net::require_web_url("URL to open", url)?;
    let mut cmd =
        if let Some(custom) = std::env::var_os("KEYWRIGHT_BROWSER").filter(|v| !v.is_empty()) {
            let text = custom.to_string_lossy().into_owned();
            let mut parts = text.split_whitespace();
            let Some(prog) = parts.next() else {
                return Err(Error::invalid("KEYWRIGHT_BROWSER", "is empty"));
            };
            let mut c = std::process::Command::new(prog);
            c.args(parts);
            c
        } else if cfg!(target_os = "macos") {
            std::process::Command::new("open")
        } else if cfg!(windows) {
            let mut c = std::process::Command::new("rundll32");
            c.arg("url.dll,FileProtocolHandler");
            c
        } else {
            std::process::Command::new("xdg-open")
        };
    cmd.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::io("open the browser with", "the system opener", e))?;
    // Reap the opener when it exits (it hands the URL over and ends).
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}
