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

/// What a step needs of each condition to run: every `(condition, outcome)` of its own
/// guard and of every step it waits for. Empty for a step that always runs. Indexed
/// by step id.
pub fn controls(p: &Pipeline) -> Vec<BTreeSet<(StepId, bool)>> {
    let mut out = vec![BTreeSet::new(); p.steps.len()];
    for &id in &p.order {
        let mut needs = BTreeSet::new();
        if let Some(g) = p.step(id).and_then(|s| s.guard) {
            needs.insert((g.condition, g.when));
        }
        for up in waits_for(p, id) {
            if let Some(theirs) = out.get(up.0) {
                needs.extend(theirs.iter().copied());
            }
        }
        if let Some(slot) = out.get_mut(id.0) {
            *slot = needs;
        }
    }
    out
}

/// Where a step sits among nested branches, for targets whose branches hold their
/// steps (SageMaker's `IfSteps`/`ElseSteps`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Runs whatever the conditions decide.
    Top,
    /// In the branch of this condition for this outcome (the innermost one).
    Branch(StepId, bool),
    /// Needs outcomes of conditions that are not nested in one another, or both
    /// outcomes of one condition: no single branch holds it.
    Nowhere,
}

/// Each step's placement, from what each step needs (`controls`): in the branch of
/// the condition whose own needs, plus its outcome, are exactly the step's needs.
pub fn placements(controls: &[BTreeSet<(StepId, bool)>]) -> Vec<Placement> {
    controls
        .iter()
        .map(|needs| {
            if needs.is_empty() {
                return Placement::Top;
            }
            let innermost = needs.iter().find(|(c, when)| {
                controls.get(c.0).is_some_and(|theirs| {
                    theirs.len() + 1 == needs.len() && !theirs.contains(&(*c, *when)) && theirs.is_subset(needs)
                })
            });
            innermost.map_or(Placement::Nowhere, |(c, when)| Placement::Branch(*c, *when))
        })
        .collect()
}

/// How deep conditions nest in one another's branches at most (1 for a condition at
/// the top, 0 without conditions), from what each step needs (`controls`).
pub fn nesting_depth(p: &Pipeline, controls: &[BTreeSet<(StepId, bool)>]) -> usize {
    controls
        .iter()
        .enumerate()
        .filter(|(i, _)| p.steps.get(*i).is_some_and(|s| matches!(s.kind, crate::ir::StepKind::Condition(_))))
        .map(|(_, needs)| needs.len() + 1)
        .max()
        .unwrap_or(0)
}
