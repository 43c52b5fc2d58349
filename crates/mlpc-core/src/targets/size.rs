//! The size limit SageMaker and Step Functions both put on a definition (1 MiB), checked
//! on the tree a target built: a running lower bound while the tree is lowered (so a
//! pipeline far over the limit stops early, without lowering all of it), then the exact
//! size while the pretty text is written, through a writer that stops at the limit.

use serde_json::Value as Json;

use crate::aws::limits::DEFINITION_BYTES as MAX_DEFINITION_BYTES;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::Pipeline;

/// The definition is over the limit: `Err` of lowering or writing. The size is exact
/// when known, or only a bound (`more than`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TooLarge {
    Exactly(usize),
    MoreThan(usize),
}

/// A running lower bound on a definition's size: the compact JSON of the pieces lowered
/// so far (each shorter compact than within the pretty text).
#[derive(Debug, Default)]
pub struct Budget {
    used: usize,
}

impl Budget {
    /// Adds a lowered piece; `Err` once the pieces alone are over the limit.
    pub fn spend(&mut self, piece: &Json) -> Result<(), TooLarge> {
        let mut counter = Counter { count: 0, limit: usize::MAX };
        // Writing into a counter cannot fail.
        let _ = serde_json::to_writer(&mut counter, piece);
        self.used += counter.count;
        if self.used > MAX_DEFINITION_BYTES {
            return Err(TooLarge::MoreThan(MAX_DEFINITION_BYTES));
        }
        Ok(())
    }
}

/// The definition as pretty JSON with a final newline, or `Err` when it is over the
/// limit (exact size: the writer counts past the limit without keeping the bytes).
pub fn write_pretty(definition: &Json) -> Result<String, TooLarge> {
    let mut out = Limited { bytes: Vec::new(), counter: Counter { count: 0, limit: MAX_DEFINITION_BYTES } };
    // Writing into memory fails only when the limit is passed, and then the counter has it.
    let _ = serde_json::to_writer_pretty(&mut out, definition);
    out.bytes.push(b'\n');
    if out.counter.count + 1 > MAX_DEFINITION_BYTES {
        let mut counter = Counter { count: 0, limit: usize::MAX };
        let _ = serde_json::to_writer_pretty(&mut counter, definition);
        return Err(TooLarge::Exactly(counter.count + 1));
    }
    // serde_json writes UTF-8 only: the lossy path never runs.
    Ok(String::from_utf8(out.bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Counts bytes; fails once past `limit`, so a writer stops early.
struct Counter {
    count: usize,
    limit: usize,
}

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.count += buf.len();
        if self.count > self.limit {
            return Err(std::io::Error::other("over the limit"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Keeps the bytes while they are within the limit.
struct Limited {
    bytes: Vec<u8>,
    counter: Counter,
}

impl std::io::Write for Limited {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.counter.write(buf)?;
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
