//! The size limit SageMaker and Step Functions both put on a definition (1 MiB), checked
//! on the tree a target built: a running lower bound while the tree is lowered (so a
//! pipeline far over the limit stops early, without lowering all of it), then the exact
//! size of the pretty text written.

use serde_json::Value as Json;

use crate::aws::limits::DEFINITION_BYTES as MAX_DEFINITION_BYTES;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::Pipeline;
use crate::targets::{Built, InternalError, LowerError};

/// The definition is over the limit: `Err` of lowering or writing. The size is exact
/// when known, or only a bound (`more than`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TooLarge {
    Exactly(usize),
    MoreThan(usize),
}

/// A running lower bound on a definition's size: the least compact JSON the pieces
/// lowered so far can take (each takes more within the pretty text).
#[derive(Debug, Default)]
pub struct Budget {
    used: usize,
}

impl Budget {
    /// Adds a lowered piece of at least `min_len` bytes; `Err` once the pieces alone
    /// are over the limit.
    pub fn spend(&mut self, min_len: usize) -> Result<(), TooLarge> {
        self.used += min_len;
        if self.used > MAX_DEFINITION_BYTES {
            return Err(TooLarge::MoreThan(MAX_DEFINITION_BYTES));
        }
        Ok(())
    }

    /// A size to reserve for the pretty text: indentation roughly doubles the compact
    /// bound.
    pub fn pretty_hint(&self) -> usize {
        self.used.saturating_mul(2)
    }
}

/// A lower bound of a JSON value's compact length, without writing it: quotes, keys
/// and string bytes (escapes only add to it).
pub fn json_min_len(json: &Json) -> usize {
    match json {
        Json::Null | Json::Bool(_) | Json::Number(_) => 1,
        Json::String(s) => s.len() + 2,
        Json::Array(items) => 2 + items.iter().map(json_min_len).sum::<usize>(),
        Json::Object(map) => 2 + map.iter().map(|(k, v)| k.len() + 3 + json_min_len(v)).sum::<usize>(),
    }
}

/// The definition as pretty JSON with a final newline, or `Err` with its exact size
/// when that is over the limit. Written straight into memory: the budget has already
/// stopped any definition far over the limit while it was lowered, and a counting
/// writer in between cost more than the text it counted (BENCHMARKS.md).
fn write_pretty(definition: &impl serde::Serialize, size_hint: usize) -> Result<String, TooLarge> {
    let mut bytes = Vec::with_capacity(size_hint.min(2 * MAX_DEFINITION_BYTES) + 1);
    // Writing a tree of strings, numbers and maps into memory cannot fail.
    let _ = serde_json::to_writer_pretty(&mut bytes, definition);
    bytes.push(b'\n');
    if bytes.len() > MAX_DEFINITION_BYTES {
        return Err(TooLarge::Exactly(bytes.len()));
    }
    // serde_json writes UTF-8 only: the lossy path never runs.
    Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// The end both JSON back ends share: the lowered definition (or why lowering stopped),
/// the checks of the tree it built, then the text written within the size limit.
pub fn check_and_write<T: serde::Serialize>(
    p: &Pipeline,
    service: &str,
    lowered: Result<T, LowerError>,
    check: impl FnOnce(&T) -> Vec<Diagnostic>,
    size_hint: impl FnOnce(&T) -> usize,
) -> Result<Built, InternalError> {
    let tree = match lowered {
        Ok(tree) => tree,
        Err(LowerError::TooLarge(size)) => {
            return Ok(Built { diagnostics: vec![too_large(p, service, size)], text: None })
        }
        Err(LowerError::Internal(e)) => return Err(InternalError(e)),
    };
    let diagnostics = check(&tree);
    if !diagnostics.is_empty() {
        return Ok(Built { diagnostics, text: None });
    }
    Ok(match write_pretty(&tree, size_hint(&tree)) {
        Ok(text) => Built { diagnostics, text: Some(text) },
        Err(size) => Built { diagnostics: vec![too_large(p, service, size)], text: None },
    })
}

/// E0505 for a definition over the limit.
pub fn too_large(p: &Pipeline, service: &str, size: TooLarge) -> Diagnostic {
    let size = match size {
        TooLarge::Exactly(size) => format!("{size} bytes"),
        TooLarge::MoreThan(limit) => format!("more than {limit} bytes"),
    };
    Diagnostic::new(
        Code::RequestLimitExceeded,
        p.name.span,
        format!(
            "the {service} definition of `{}` would be {size}; {service} takes at most {MAX_DEFINITION_BYTES}",
            p.name.node
        ),
    )
    .label("definition too large")
    .help("split the pipeline into several, or move long queries and arguments into files")
}
