//! Issue 13: a bad-input campaign against the real `keywright` binary.
//!
//! A few hundred mutated inputs (fixed seed, so a failure reproduces) across the commands
//! that parse outside input: `totp --at`, `expiring --within`, `add` with odd names, dates,
//! periods and URLs, `import` of mutated otpauth lists, Google migration lines and Aegis
//! files, `request --curl` with mutated curl lines (to a closed local port: no network),
//! and `inspect` of mutated JWTs. Every run is under a 1 GiB address-space limit and must:
//! - exit 0, 1 or 2 (never 101 = a panic, never a signal);
//! - with `--json`, on failure print exactly one JSON object
//!   `{"error":{"kind":<string>,"message":<string>}}` on stdout (main.rs's contract;
//!   usage errors have kind `usage` and exit 2);
//! - without `--json`, never write an ESC or another C0/C1 control character (other than
//!   newline and tab) to stdout or stderr, unless clap itself reports a usage error.
//!
//! A failure prints the case's description (the command and the input, escaped; the
//! inputs are made-up values, never a real secret).

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::common::Cli;

/// The seed of every mutation; change it to explore, keep it fixed in the repository.
const SEED: u64 = 0x6b65_7977_7269_6768;
/// Address-space limit of each run (KiB): 1 GiB.
const MEM_LIMIT_KIB: u64 = 1_048_576;

/// xorshift64*: small, deterministic, enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick_str(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Characters that have broken parsers and terminals: controls, bidi overrides, combining
/// marks, wide and astral characters, quotes, separators.
const SPICY: &[&str] = &[
    "\u{1b}",
    "\u{1b}]0;pwned\u{7}",
    "\u{1b}[2J",
    "\u{9b}",
    "\u{7f}",
    "\u{202e}",
    "\u{2066}",
    "\r",
    "\n",
    "\t",
    "\u{301}",
    "İ",
    "ß",
    "東京",
    "🔑",
    "\u{feff}",
    "\"",
    "'",
    "\\",
    "%",
    "%1B",
    "%00",
    "%ZZ",
    "&",
    "=",
    "?",
    "#",
    ":",
    "/",
    " ",
    "-",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "99999999999999999999999999",
    "0",
];

/// Text without a NUL (argv cannot carry one).
fn spicy_text(rng: &mut Rng, max_parts: usize) -> String {
    let mut s = String::new();
    for _ in 0..=rng.below(max_parts) {
        if rng.chance(3) {
            s.push_str(&"x".repeat(rng.below(300)));
        } else {
            s.push_str(rng.pick_str(SPICY));
        }
    }
    s
}

/// A byte-level mutation of `base`: flips, inserts, deletes, duplicates, truncations.
fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(7) {
            0 if at < b.len() => b[at] ^= 1 << rng.below(8),
            1 => b.insert(at.min(b.len()), rng.next() as u8),
            2 if at < b.len() => {
                b.remove(at);
            }
            3 => {
                let s = rng.pick_str(SPICY).as_bytes().to_vec();
                let at = at.min(b.len());
                b.splice(at..at, s);
            }
            4 => b.truncate(at),
            5 if at < b.len() => {
                let end = (at + rng.below(40)).min(b.len());
                let chunk = b[at..end].to_vec();
                b.splice(at..at, chunk.repeat(1 + rng.below(50)));
            }
            _ => {
                let at = at.min(b.len());
                b.splice(at..at, (0..rng.below(8)).map(|_| rng.next() as u8));
            }
        }
    }
    b
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One run: the arguments after `keywright` and stdin.
struct Case {
    what: String,
    args: Vec<String>,
    stdin: Vec<u8>,
}

impl Case {
    fn new(what: &str, args: &[&str], stdin: impl Into<Vec<u8>>) -> Case {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        Case {
            what: what.to_owned(),
            args,
            stdin: stdin.into(),
        }
    }
    fn json(&self) -> bool {
        self.args.iter().any(|a| a == "--json")
    }
    /// The case, escaped (made-up values only).
    fn describe(&self) -> String {
        format!(
            "{}: keywright {:?} with stdin {:?}",
            self.what,
            self.args,
            lossy(&self.stdin.iter().copied().take(400).collect::<Vec<_>>())
        )
    }
}

/// Run `case` under the memory limit; return a failure description, if any.
fn check(cli: &Cli, session: &str, case: &Case) -> Option<String> {
    if case.args.iter().any(|a| a.contains('\0')) {
        return None;
    }
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {MEM_LIMIT_KIB}; exec \"$0\" \"$@\""))
        .arg(crate::common::keywright_bin())
        .args(&case.args)
        .env("KEYWRIGHT_VAULT", cli.vault())
        .env("KEYWRIGHT_RUNTIME_DIR", cli.run_dir())
        .env("KEYWRIGHT_KEYRING_SERVICE", "keywright-test")
        .env("KEYWRIGHT_SESSION", session)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn keywright");
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read stdin closes it early: not an error.
        let _ = stdin.write_all(&case.stdin);
    }
    let out = child.wait_with_output().expect("wait keywright");
    let (stdout, stderr) = (lossy(&out.stdout), lossy(&out.stderr));
    let code = match out.status.code() {
        Some(c) => c,
        None => return Some(format!("killed by a signal ({:?})", out.status)),
    };
    if !matches!(code, 0..=2) {
        return Some(format!("exit {code}; stderr: {stderr}"));
    }
    if case.json() && code != 0 {
        let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
        let [line] = lines.as_slice() else {
            return Some(format!(
                "--json failure printed {} lines: {stdout}",
                lines.len()
            ));
        };
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => return Some(format!("--json failure is not JSON ({e}): {line}")),
        };
        // `request` reports a request that did not work as its exchange (`"ok": false`,
        // exit 1), not as an error: that is its documented contract.
        let exchange = case.args.iter().any(|a| a == "request")
            && v["ok"] == false
            && v["diagnosis"]["kind"].is_string();
        let shape_ok = exchange
            || v.as_object().is_some_and(|o| o.len() == 1)
                && v["error"].as_object().is_some_and(|o| o.len() == 2)
                && v["error"]["kind"].as_str().is_some_and(|k| {
                    !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                })
                && v["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty());
        if !shape_ok {
            return Some(format!("--json failure has the wrong shape: {line}"));
        }
        if !exchange && (code == 2) != (v["error"]["kind"] == "usage") {
            return Some(format!("exit {code} with kind {}", v["error"]["kind"]));
        }
    }
    // Usage errors are clap's own rendering of argv: out of scope for escaping.
    if !case.json() && code != 2 {
        for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            if let Some(c) = text
                .chars()
                .find(|c| (c.is_control() && *c != '\n' && *c != '\t') || *c == '\u{202e}')
            {
                return Some(format!(
                    "{name} has U+{:04X} unescaped: {text:?}",
                    u32::from(c)
                ));
            }
        }
    }
    None
}

const OTPAUTH: &str = "otpauth://totp/ACME%20Co:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30";
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiZXhwIjoxOTAwMDAwMDAwfQ.3kF8yJtH-0MzZsSx6Cym7m4ZHpmcSWLXSU-1Ib3pQ8E";

fn aegis_plain() -> String {
    r#"{"version":1,"header":{"slots":null,"params":null},"db":{"version":3,"entries":[{"type":"totp","uuid":"3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d","name":"alice@example.com","issuer":"ACME","note":"n","icon":null,"info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":6,"period":30},"groups":[]}],"groups":[]}}"#.to_owned()
}

/// A Google Authenticator migration line with one account (protobuf built by hand:
/// MigrationPayload { otp_parameters { secret, name, issuer, algorithm, digits, type } }).
fn google_line() -> String {
    let secret = b"Hello!\xde\xad\xbe\xef";
    let mut p = vec![0x0a, secret.len() as u8];
    p.extend_from_slice(secret);
    p.extend_from_slice(&[0x12, 5]);
    p.extend_from_slice(b"alice");
    p.extend_from_slice(&[0x1a, 4]);
    p.extend_from_slice(b"ACME");
    p.extend_from_slice(&[0x20, 1, 0x28, 1, 0x30, 2]);
    let mut m = vec![0x0a, p.len() as u8];
    m.extend_from_slice(&p);
    m.extend_from_slice(&[0x10, 1, 0x18, 1, 0x20, 0]);
    let data = b64(&m);
    format!("otpauth-migration://offline?data={}", urlencode(&data))
}

/// Standard base64 with padding (test data only).
fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn cases(rng: &mut Rng) -> Vec<Case> {
    let mut v = Vec::new();
    let json = |rng: &mut Rng| rng.below(3) != 0;
    let with_json = |args: Vec<String>, j: bool| {
        let mut a = if j {
            vec!["--json".to_owned()]
        } else {
            Vec::new()
        };
        a.extend(args);
        a
    };

    // totp --at: the edges of i64 and of the accepted range, dates, junk.
    let fixed_at = [
        "9223372036854775807",
        "-9223372036854775808",
        "253402300799",
        "253402300800",
        "-1",
        "0",
        "99999999999999999999",
        "1e9",
        "",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:60Z",
        "10000-01-01",
        "2027-02-30",
        "+5",
        "--",
    ];
    for at in fixed_at {
        for j in [true, false] {
            let args = with_json(
                vec!["totp".into(), "GitHub".into(), "--at".into(), at.into()],
                j,
            );
            v.push(Case {
                what: "totp --at (fixed)".into(),
                args,
                stdin: Vec::new(),
            });
        }
    }
    for _ in 0..40 {
        let at = match rng.below(4) {
            0 => (rng.next() as i64).to_string(),
            1 => format!(
                "{:04}-{:02}-{:02}",
                rng.below(12_000),
                rng.below(14),
                rng.below(33)
            ),
            2 => lossy(&mutate(rng, b"2027-01-31T12:00:00+02:00")),
            _ => spicy_text(rng, 3),
        };
        let j = json(rng);
        v.push(Case {
            what: "totp --at".into(),
            args: with_json(vec!["totp".into(), "GitHub".into(), "--at".into(), at], j),
            stdin: Vec::new(),
        });
    }

    // expiring --within: units, overflow, junk.
    for _ in 0..40 {
        let within = match rng.below(3) {
            0 => {
                let mut s = String::new();
                for _ in 0..=rng.below(3) {
                    s.push_str(&(rng.next() >> rng.below(64)).to_string());
                    s.push_str(rng.pick_str(&["s", "m", "h", "d", "w", "y", ""]));
                }
                s
            }
            1 => lossy(&mutate(rng, b"1h30m")),
            _ => spicy_text(rng, 3),
        };
        let j = json(rng);
        v.push(Case {
            what: "expiring --within".into(),
            args: with_json(vec!["expiring".into(), "--within".into(), within], j),
            stdin: Vec::new(),
        });
    }

    // add: odd names, tags, URLs, users, dates, periods (value on stdin).
    for i in 0..60 {
        let mut args = vec!["add".to_owned(), "api-key".to_owned()];
        let name = if rng.chance(4) {
            format!("item {i}")
        } else {
            format!("n{i}{}", spicy_text(rng, 3))
        };
        args.push(name);
        for (flag, base) in [
            ("--url", "https://api.example.com/v1?x=1"),
            ("--tag", "prod"),
            ("--username", "alice"),
            ("--expires", "2027-01-31"),
            ("--rotate-every", "90d"),
            ("--warn", "7d"),
        ] {
            if rng.chance(2) {
                let val = if rng.chance(2) {
                    lossy(&mutate(rng, base.as_bytes()))
                } else {
                    format!("{base}{}", spicy_text(rng, 2))
                };
                args.push(flag.into());
                args.push(val);
            }
        }
        let j = json(rng);
        v.push(Case {
            what: "add".into(),
            args: with_json(args, j),
            stdin: b"sk_test_value\n".to_vec(),
        });
    }

    // import: mutated otpauth lists, Google migration lines and Aegis files on stdin.
    let google = google_line();
    let aegis = aegis_plain();
    for _ in 0..50 {
        let mut body = Vec::new();
        for _ in 0..=rng.below(3) {
            body.extend(mutate(rng, OTPAUTH.as_bytes()));
            body.push(b'\n');
        }
        let j = json(rng);
        v.push(Case {
            what: "import otpauth".into(),
            args: with_json(
                vec![
                    "import".into(),
                    "otpauth".into(),
                    "-".into(),
                    "--dry-run".into(),
                ],
                j,
            ),
            stdin: body,
        });
    }
    for _ in 0..40 {
        let j = json(rng);
        v.push(Case {
            what: "import google-migration".into(),
            args: with_json(
                vec![
                    "import".into(),
                    "google-migration".into(),
                    "-".into(),
                    "--dry-run".into(),
                ],
                j,
            ),
            stdin: mutate(rng, google.as_bytes()),
        });
    }
    for _ in 0..40 {
        let j = json(rng);
        v.push(Case {
            what: "import aegis".into(),
            args: with_json(
                vec![
                    "import".into(),
                    "aegis".into(),
                    "-".into(),
                    "--dry-run".into(),
                ],
                j,
            ),
            stdin: mutate(rng, aegis.as_bytes()),
        });
    }
    // An import that reaches the vault: names from issuers with control characters.
    v.push(Case::new(
        "import otpauth with an ESC in the label",
        &["import", "otpauth", "-"],
        b"otpauth://totp/Evil:%1B%5D0%3Bx%07?secret=JBSWY3DPEHPK3PXP\n".to_vec(),
    ));
    v.push(Case::new(
        "request --curl with a non-ASCII short flag",
        &["--json", "request", "k", "--curl"],
        "curl http://127.0.0.1:1/ -\u{e9}\n",
    ));

    // request --curl: mutated curl lines (non-ASCII short flags included, which once
    // panicked); the URL is a closed local port.
    let curl = "curl -X POST 'http://127.0.0.1:1/v1/items?x=1' -H 'Accept: application/json' -H \"X-Trace: a b\" -d '{\"a\":1}' --compressed";
    let mut added = 0;
    while added < 40 {
        let line = lossy(&mutate(rng, curl.as_bytes()));
        if line.contains("://") && !line.contains("127.0.0.1:1") {
            continue;
        }
        added += 1;
        let j = json(rng);
        v.push(Case {
            what: "request --curl".into(),
            args: with_json(vec!["request".into(), "k".into(), "--curl".into()], j),
            stdin: format!("{line}\n").into_bytes(),
        });
    }

    // inspect -: mutated JWTs.
    for _ in 0..50 {
        let j = json(rng);
        v.push(Case {
            what: "inspect".into(),
            args: with_json(vec!["inspect".into(), "-".into()], j),
            stdin: mutate(rng, JWT.as_bytes()),
        });
    }
    v
}

#[test]
fn bad_input_never_panics_and_keeps_the_error_contract() {
    let cli = Cli::new();
    cli.init();
    cli.ok(&["add", "totp", "GitHub"], &format!("{OTPAUTH}\n"));
    cli.ok(&["add", "api-key", "k"], "sk_test_value\n");
    // One session for every run: no key derivation per run.
    let s = cli.ok(&["unlock", "--ttl", "1h"], "");
    let session = s["session"].as_str().expect("session").to_owned();

    let mut rng = Rng(SEED);
    let all = cases(&mut rng);
    assert!(all.len() >= 300, "{} cases", all.len());
    let mut failures = Vec::new();
    for case in &all {
        if let Some(why) = check(&cli, &session, case) {
            failures.push(format!("{why}\n  case: {}", case.describe()));
        }
    }
    // The vault still opens with its password and holds what it held, plus what `add`
    // accepted: no run damaged it.
    let list = cli.ok(&["list"], "");
    let names: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert!(
        names.contains(&"GitHub") && names.contains(&"k"),
        "{names:?}"
    );
    for n in &names {
        assert!(
            !n.chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "stored name {n:?}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs failed (seed {SEED:#x}):\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
