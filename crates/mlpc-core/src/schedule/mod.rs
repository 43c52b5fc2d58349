//! The schedule every target reads: which steps a step waits for, which steps a run
//! skips, and (for targets without a DAG, such as Step Functions) the graph as
//! sequences and parallel groups. One home, so that control flow means the same on
//! every target.
//!
//! A step waits for every step it reads from, names in `after`, or is guarded by (a
//! guard is an edge of the IR's graph like the others). A step is skipped in a run
//! when its guard's condition did not come out as the guard asks, or when a step it
//! waits for is skipped: a skipped step's dependants are skipped too, never failed
//! (the contract's part 2, "Reports, conditions and failure").

pub mod plan;

use std::collections::BTreeSet;

use crate::ir::{Pipeline, StepId};

/// The steps `id` waits for, in source order: data, `after` and guard edges alike.
pub fn waits_for(p: &Pipeline, id: StepId) -> Vec<StepId> {
    p.upstream(id)
}

/// The steps a run skips, given how each condition step came out (`outcome(c)` is
/// `Some(true)` or `Some(false)`; `None` for a condition that did not run). Computed
/// in topological order, so one pass settles every step.
pub fn skipped(p: &Pipeline, outcome: impl Fn(StepId) -> Option<bool>) -> BTreeSet<StepId> {
    let mut skipped = BTreeSet::new();
    for &id in &p.order {
        let Some(step) = p.step(id) else { continue };
        let guard_fails =
            step.guard.is_some_and(|g| skipped.contains(&g.condition) || outcome(g.condition) != Some(g.when));
        if guard_fails || waits_for(p, id).iter().any(|up| skipped.contains(up)) {
            skipped.insert(id);
        }
    }
    skipped
}
