//! The size limit SageMaker and Step Functions both put on a definition (1 MiB), and
//! how a target checks it quickly: a lower bound first, the exact size only when the
//! bound does not already settle it.

use serde_json::Value as Json;

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::Pipeline;

use crate::aws::limits::DEFINITION_BYTES as MAX_DEFINITION_BYTES;

/// Whether the compact JSON of `parts` — pieces of a definition, each shorter compact
/// than within the pretty text — already adds up to more than `limit`. Stops at the
/// first piece past it, so a lazy iterator builds no more than that.
pub fn pieces_exceed(parts: impl IntoIterator<Item = Json>, limit: usize) -> bool {
    let mut lower_bound = 0;
    for part in parts {
        lower_bound += serde_json::to_string(&part).map_or(0, |t| t.len());
        if lower_bound > limit {
            return true;
        }
    }
    false
}

/// E0505 when `size` (a target's `definition_size`: exact, or `Err(limit)` when only
/// known to be over it) is over the limit.
pub fn too_large(p: &Pipeline, service: &str, size: Result<usize, usize>) -> Option<Diagnostic> {
    let size = match size {
        Ok(size) if size <= MAX_DEFINITION_BYTES => return None,
        Ok(size) => format!("{size} bytes"),
        Err(limit) => format!("more than {limit} bytes"),
    };
    Some(
        Diagnostic::new(
            Code::RequestLimitExceeded,
            p.name.span,
            format!(
                "the {service} definition of `{}` would be {size}; {service} takes at most {MAX_DEFINITION_BYTES}",
                p.name.node
            ),
        )
        .label("definition too large")
        .help("split the pipeline into several, or move long queries and arguments into files"),
    )
}
