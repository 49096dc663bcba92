//! What the property runs of the import formats share: damaged input made from a good file,
//! and the check that no message (a record's label, reason or hint, or the whole-file
//! error) repeats a secret of the file.

use proptest::prelude::*;

use super::Record;
use crate::error::Result;

/// A secret long enough that finding it in a message cannot be a coincidence.
pub(crate) fn secret() -> impl Strategy<Value = String> {
    "[A-Z2-7]{24,40}"
}

/// Every message the result carries.
fn messages(result: &Result<Vec<Record>>) -> Vec<String> {
    match result {
        Err(e) => vec![e.to_string()],
        Ok(records) => records
            .iter()
            .flat_map(|r| {
                [
                    Some(r.label.clone()),
                    r.candidate.as_ref().err().cloned(),
                    r.candidate.as_ref().ok().and_then(|c| c.hint.clone()),
                ]
            })
            .flatten()
            .collect(),
    }
}

pub(crate) fn assert_no_secret(result: &Result<Vec<Record>>, secret: &str) {
    for m in messages(result) {
        assert!(!m.contains(secret), "a message repeats a secret: {m}");
    }
}

/// `data` with bytes replaced at `edits` (index modulo the length) and cut at `cut`.
pub(crate) fn mutate(data: &[u8], edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut out = data.to_vec();
    if !out.is_empty() {
        for &(i, b) in edits {
            let n = out.len();
            out[i % n] = b;
        }
    }
    if let Some(c) = cut {
        out.truncate(c % (data.len() + 1));
    }
    out
}

pub(crate) fn edits() -> impl Strategy<Value = Vec<(usize, u8)>> {
    prop::collection::vec((any::<usize>(), any::<u8>()), 0..6)
}
