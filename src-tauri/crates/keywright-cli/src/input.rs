//! Secret input: stdin (piped) or a hidden prompt on the terminal. Never argv.
//!
//! Stdin is read as it is needed, one line at a time, and never beyond a limit: a line
//! (a password or a secret) is at most `MAX_SECRET_BYTES`, the rest of stdin (notes, a
//! request body, an import file) at most `MAX_IMPORT_BYTES`. Past a limit the command
//! stops without reading further.

use std::io::{BufRead, IsTerminal, Read};

use keywright_core::Error;
use keywright_core::limits::{MAX_IMPORT_BYTES, MAX_SECRET_BYTES};
use zeroize::Zeroizing;

/// Read the file at `path` (`what` names it in messages), refusing one larger than `limit`
/// bytes without reading it all (`/dev/zero` and endless pipes included).
pub fn read_file_limited(
    path: &std::path::Path,
    limit: usize,
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let io = |e: std::io::Error| Error::Io {
        action: what,
        path: path.to_path_buf(),
        source: e,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let mut buf = Zeroizing::new(Vec::new());
    f.take(limit as u64 + 1).read_to_end(&mut buf).map_err(io)?;
    if buf.len() > limit {
        return Err(Error::InvalidInput {
            field: "file".into(),
            reason: format!(
                "{} is larger than {limit} bytes, the limit for this file",
                path.display()
            ),
        });
    }
    Ok(buf)
}

/// Stdin, read lazily and handed out line by line.
pub struct Input {
    password_stdin: bool,
    source: Box<dyn BufRead>,
}

fn stdin_error(reason: String) -> Error {
    Error::InvalidInput {
        field: "stdin".into(),
        reason,
    }
}

impl Input {
    pub fn new(password_stdin: bool) -> Self {
        // Not `stdin().lock()`: the lock would be held for the whole command. Nothing is
        // read until a line is asked for.
        Self::from_reader(
            password_stdin,
            Box::new(std::io::BufReader::new(std::io::stdin())),
        )
    }

    /// Input from `source` instead of stdin (tests).
    pub fn from_reader(password_stdin: bool, source: Box<dyn BufRead>) -> Self {
        Input {
            password_stdin,
            source,
        }
    }

    pub fn password_stdin(&self) -> bool {
        self.password_stdin
    }

    fn stdin_is_terminal() -> bool {
        std::io::stdin().is_terminal()
    }

    /// The next line of stdin (without its `\n` or `\r\n`), or `None` at the end. A line
    /// longer than `MAX_SECRET_BYTES` is refused when the limit is passed.
    pub fn line(&mut self) -> Result<Option<Zeroizing<String>>, Error> {
        let mut buf = Zeroizing::new(Vec::new());
        // The longest accepted line with its "\r\n".
        let most = MAX_SECRET_BYTES as u64 + 2;
        let n = (&mut self.source)
            .take(most)
            .read_until(b'\n', &mut buf)
            .map_err(|e| stdin_error(format!("cannot read: {e}")))?;
        if n == 0 {
            return Ok(None);
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        if buf.len() > MAX_SECRET_BYTES {
            return Err(stdin_error(format!(
                "a line is longer than {MAX_SECRET_BYTES} bytes, the limit of a password or \
                 secret (stdin was not read further)"
            )));
        }
        let text = std::str::from_utf8(&buf)
            .map_err(|_| stdin_error("a line is not UTF-8 text".into()))?;
        Ok(Some(Zeroizing::new(text.to_owned())))
    }

    /// Everything left on stdin as bytes, up to `MAX_IMPORT_BYTES`; more is refused
    /// without reading it all.
    pub fn rest_bytes(&mut self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut buf = Zeroizing::new(Vec::new());
        (&mut self.source)
            .take(MAX_IMPORT_BYTES as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| stdin_error(format!("cannot read: {e}")))?;
        if buf.len() > MAX_IMPORT_BYTES {
            return Err(stdin_error(format!(
                "is more than {MAX_IMPORT_BYTES} bytes ({} MiB), the limit of what Keywright \
                 reads from stdin (stdin was not read further)",
                MAX_IMPORT_BYTES >> 20
            )));
        }
        Ok(buf)
    }

    /// Everything left on stdin as text, line ends as `\n`, trailing newlines removed; at
    /// most `MAX_IMPORT_BYTES`.
    pub fn rest(&mut self) -> Result<Zeroizing<String>, Error> {
        let bytes = self.rest_bytes()?;
        let text =
            std::str::from_utf8(&bytes).map_err(|_| stdin_error("is not UTF-8 text".into()))?;
        let text = Zeroizing::new(text.replace("\r\n", "\n"));
        let text = text.strip_suffix('\r').unwrap_or(&text);
        Ok(Zeroizing::new(text.trim_end_matches('\n').to_owned()))
    }

    /// The vault password: the first stdin line with --password-stdin, else a hidden
    /// prompt when a terminal is attached.
    pub fn password(&mut self, prompt: &str) -> Result<Zeroizing<String>, Error> {
        if self.password_stdin {
            return self.line()?.ok_or_else(|| Error::InvalidInput {
                field: "password".into(),
                reason: "--password-stdin was given but stdin is empty".into(),
            });
        }
        Self::prompt_hidden(prompt).map_err(|_| Error::Locked)
    }

    /// A secret value: the next stdin line when stdin is piped, else a hidden prompt.
    pub fn secret(&mut self, prompt: &str, field: &str) -> Result<Zeroizing<String>, Error> {
        if self.password_stdin || !Self::stdin_is_terminal() {
            return self.line()?.ok_or_else(|| Error::InvalidInput {
                field: field.into(),
                reason: "nothing on stdin; pipe the value in (it is never taken from the \
                         command line)"
                    .into(),
            });
        }
        Self::prompt_hidden(prompt)
    }

    /// A hidden prompt on the terminal.
    pub fn prompt_hidden(prompt: &str) -> Result<Zeroizing<String>, Error> {
        if !Self::stdin_is_terminal() {
            return Err(Error::InvalidInput {
                field: "input".into(),
                reason: "no terminal for a hidden prompt; use --password-stdin".into(),
            });
        }
        rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| Error::InvalidInput {
                field: "input".into(),
                reason: format!("cannot read from the terminal: {e}"),
            })
    }

    /// A new password: from stdin, or typed twice at a prompt.
    pub fn new_password(&mut self) -> Result<Zeroizing<String>, Error> {
        let pw = if self.password_stdin || !Self::stdin_is_terminal() {
            self.line()?.ok_or_else(|| Error::InvalidInput {
                field: "new password".into(),
                reason: "nothing on stdin".into(),
            })?
        } else {
            let a = Self::prompt_hidden("New vault password: ")?;
            let b = Self::prompt_hidden("Repeat the new password: ")?;
            if a != b {
                return Err(Error::InvalidInput {
                    field: "new password".into(),
                    reason: "the two entries differ".into(),
                });
            }
            a
        };
        if pw.is_empty() {
            return Err(Error::InvalidInput {
                field: "password".into(),
                reason: "is empty".into(),
            });
        }
        Ok(pw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(bytes: Vec<u8>) -> Input {
        Input::from_reader(true, Box::new(std::io::Cursor::new(bytes)))
    }

    fn lines(input: &mut Input) -> Vec<String> {
        std::iter::from_fn(|| input.line().expect("line"))
            .map(|l| l.to_string())
            .collect()
    }

    #[test]
    fn lines_as_before_crlf_and_a_last_line_without_newline() {
        assert_eq!(
            lines(&mut input(b"pw\r\nvalue\n\nlast".to_vec())),
            ["pw", "value", "", "last"]
        );
        assert_eq!(lines(&mut input(b"one\n".to_vec())), ["one"]);
        assert!(lines(&mut input(Vec::new())).is_empty());
        let mut i = input(b"pw\nnote 1\r\nnote 2\n\n\n".to_vec());
        assert_eq!(
            i.line().expect("line").as_deref().map(String::as_str),
            Some("pw")
        );
        assert_eq!(i.rest().expect("rest").as_str(), "note 1\nnote 2");
        assert!(i.line().expect("end").is_none());
    }

    #[test]
    fn a_line_over_the_secret_limit_is_refused_and_one_at_it_accepted() {
        let mut at = vec![b'k'; MAX_SECRET_BYTES];
        at.extend_from_slice(b"\r\nnext\n");
        let mut i = input(at);
        assert_eq!(
            i.line().expect("at the limit").map(|l| l.len()),
            Some(MAX_SECRET_BYTES)
        );
        assert_eq!(
            i.line().expect("next").as_deref().map(String::as_str),
            Some("next")
        );
        let e = input(vec![b'k'; MAX_SECRET_BYTES + 1])
            .line()
            .expect_err("over");
        assert!(e.to_string().contains("longer than 65536 bytes"), "{e}");
    }

    #[test]
    fn the_rest_stops_past_32_mib_and_keeps_bytes() {
        let mut i = input([b"pw\n".as_slice(), &[0x89, 0x50, 0x00, 0xFF]].concat());
        i.line().expect("pw");
        assert_eq!(
            i.rest_bytes().expect("bytes").as_slice(),
            [0x89, 0x50, 0x00, 0xFF]
        );
        let e = input(vec![b'#'; MAX_IMPORT_BYTES + 1])
            .rest_bytes()
            .expect_err("over");
        assert!(
            e.to_string().contains("more than 33554432 bytes (32 MiB)"),
            "{e}"
        );
    }
}
