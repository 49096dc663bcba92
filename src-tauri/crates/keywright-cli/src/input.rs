//! Secret input: stdin (piped) or a hidden prompt on the terminal. Never argv.

use std::io::{IsTerminal, Read};

use keywright_core::Error;
use zeroize::Zeroizing;

/// Stdin, read at most once, handed out line by line.
pub struct Input {
    password_stdin: bool,
    lines: Option<Vec<Zeroizing<String>>>,
    next: usize,
}

impl Input {
    pub fn new(password_stdin: bool) -> Self {
        Input {
            password_stdin,
            lines: None,
            next: 0,
        }
    }

    pub fn password_stdin(&self) -> bool {
        self.password_stdin
    }

    fn load(&mut self) -> Result<&[Zeroizing<String>], Error> {
        if self.lines.is_none() {
            let mut all = Zeroizing::new(String::new());
            std::io::stdin()
                .read_to_string(&mut all)
                .map_err(|e| Error::InvalidInput {
                    field: "stdin".into(),
                    reason: format!("cannot read: {e}"),
                })?;
            let lines = all
                .split('\n')
                .map(|l| Zeroizing::new(l.strip_suffix('\r').unwrap_or(l).to_owned()))
                .collect::<Vec<_>>();
            self.lines = Some(lines);
        }
        Ok(self.lines.as_deref().unwrap_or_default())
    }

    fn stdin_is_terminal() -> bool {
        std::io::stdin().is_terminal()
    }

    /// The next line of stdin, or `None` at the end.
    pub fn line(&mut self) -> Result<Option<Zeroizing<String>>, Error> {
        let i = self.next;
        let lines = self.load()?;
        let line = lines.get(i).cloned();
        // A final empty string after the last newline is not a line.
        let is_last_empty = i + 1 == lines.len() && line.as_ref().is_some_and(|l| l.is_empty());
        if is_last_empty {
            return Ok(None);
        }
        self.next += 1;
        Ok(line)
    }

    /// Everything left on stdin, joined with newlines, trailing newlines removed.
    pub fn rest(&mut self) -> Result<Zeroizing<String>, Error> {
        let i = self.next;
        let lines = self.load()?;
        let rest = Zeroizing::new(
            lines
                .get(i..)
                .unwrap_or_default()
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        self.next = lines.len();
        Ok(Zeroizing::new(rest.trim_end_matches('\n').to_owned()))
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
