//! The step graph as a tree of sequences and parallel groups, for targets with no DAG:
//! ASL has chains and Parallel states only. The groups are found so:
//!
//! - steps that share no dependency at all (separate components of the
//!   comparability graph) run in separate branches of one Parallel;
//! - a set in which every step of one part precedes every step of the next (the
//!   components of the incomparability graph, in order) runs as a sequence.
//!
//! A graph built only from these two operations (series-parallel) is run with no
//! waiting added: nothing waits for a step it does not depend on. Any other set of
//! steps (it contains an "N": a→c, b→c, b→d, and a, d unrelated) is run in
//! layers by longest path from its sources: each layer is a Parallel, each layer
//! waits for the whole previous one. That keeps every edge, runs every step once, and
//! adds waiting only inside such a set; `added_waits` counts it.

use std::collections::BTreeSet;

use crate::ir::{Pipeline, StepId};

/// How a set of steps runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    Step(StepId),
    /// Each part after the previous one has finished.
    Sequence(Vec<Plan>),
    /// All branches at once; finished when all are.
    Parallel(Vec<Plan>),
}

/// Reachability between the steps, as bit sets: `after[a]` holds every step that
/// depends on `a`, directly or not.
struct Reach {
    after: Vec<Vec<u64>>,
}

impl Reach {
    fn new(p: &Pipeline) -> Reach {
        let n = p.steps.len();
        let words = n.div_ceil(64);
        let mut after = vec![vec![0u64; words]; n];
        // Reverse topological order: a step's successors are complete when it is visited.
        for id in p.order.iter().rev() {
            let mut bits = vec![0u64; words];
            for next in p.downstream(*id) {
                set(&mut bits, next.0);
                if let Some(theirs) = after.get(next.0) {
                    for (b, t) in bits.iter_mut().zip(theirs) {
                        *b |= t;
                    }
                }
            }
            if let Some(slot) = after.get_mut(id.0) {
                *slot = bits;
            }
        }
        Reach { after }
    }

    /// Whether `b` runs after `a` (depends on it, directly or not).
    fn precedes(&self, a: usize, b: usize) -> bool {
        self.after.get(a).and_then(|bits| bits.get(b / 64)).is_some_and(|w| w & (1 << (b % 64)) != 0)
    }

    fn related(&self, a: usize, b: usize) -> bool {
        self.precedes(a, b) || self.precedes(b, a)
    }
}

fn set(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

/// The plan for the whole pipeline.
pub fn plan(p: &Pipeline) -> Plan {
    let reach = Reach::new(p);
    let all: Vec<usize> = p.order.iter().map(|id| id.0).collect();
    build(p, &reach, all, 0)
}

/// Deeper than this, a set is run in layers instead of being split further, so that
/// pathological graphs cannot nest Parallel states (or this recursion) without bound.
const MAX_DEPTH: usize = 32;

/// `set` is in topological order.
fn build(p: &Pipeline, reach: &Reach, set: Vec<usize>, depth: usize) -> Plan {
    if let [only] = set.as_slice() {
        return Plan::Step(StepId(*only));
    }
    if depth < MAX_DEPTH {
        let parts = components(&set, |a, b| reach.related(a, b));
        if parts.len() > 1 {
            return Plan::Parallel(parts.into_iter().map(|c| build(p, reach, c, depth + 1)).collect());
        }
        let parts = components(&set, |a, b| !reach.related(a, b));
        if parts.len() > 1 {
            // Incomparability components of a connected order are totally ordered.
            let mut parts = parts;
            parts.sort_by_key(|c| c.first().copied());
            let mut seq = Vec::new();
            for part in parts {
                match build(p, reach, part, depth + 1) {
                    Plan::Sequence(inner) => seq.extend(inner),
                    other @ (Plan::Step(_) | Plan::Parallel(_)) => seq.push(other),
                }
            }
            return Plan::Sequence(seq);
        }
    }
    layers(p, &set)
}

/// The connected components of `set` under `linked`, each in the order of `set`,
/// ordered by their first member's position.
fn components(set: &[usize], linked: impl Fn(usize, usize) -> bool) -> Vec<Vec<usize>> {
    let mut component = vec![usize::MAX; set.len()];
    let mut count = 0;
    for start in 0..set.len() {
        if component.get(start) != Some(&usize::MAX) {
            continue;
        }
        let mut stack = vec![start];
        if let Some(c) = component.get_mut(start) {
            *c = count;
        }
        while let Some(i) = stack.pop() {
            for (j, slot) in component.iter_mut().enumerate() {
                if *slot == usize::MAX {
                    if let (Some(&a), Some(&b)) = (set.get(i), set.get(j)) {
                        if linked(a, b) {
                            *slot = count;
                            stack.push(j);
                        }
                    }
                }
            }
        }
        count += 1;
    }
    let mut out = vec![Vec::new(); count];
    for (i, c) in component.iter().enumerate() {
        if let (Some(part), Some(&s)) = (out.get_mut(*c), set.get(i)) {
            part.push(s);
        }
    }
    out
}

/// The fallback: layers by longest path within `set`, each a Parallel (or one step).
fn layers(p: &Pipeline, set: &[usize]) -> Plan {
    let members: BTreeSet<usize> = set.iter().copied().collect();
    let mut level = vec![0usize; p.steps.len()];
    for &s in set {
        let own = p
            .upstream(StepId(s))
            .iter()
            .filter(|u| members.contains(&u.0))
            .filter_map(|u| level.get(u.0).map(|l| l + 1))
            .max()
            .unwrap_or(0);
        if let Some(l) = level.get_mut(s) {
            *l = own;
        }
    }
    let depth = set.iter().filter_map(|s| level.get(*s)).max().copied().unwrap_or(0);
    let mut seq = Vec::new();
    for l in 0..=depth {
        let layer: Vec<Plan> =
            set.iter().filter(|s| level.get(**s) == Some(&l)).map(|s| Plan::Step(StepId(*s))).collect();
        match layer.len() {
            0 => {}
            1 => seq.extend(layer),
            _ => seq.push(Plan::Parallel(layer)),
        }
    }
    Plan::Sequence(seq)
}

/// Pairs (a, b) where b waits for a although it does not depend on it: the waiting
/// the plan adds. Zero for every series-parallel graph.
pub fn added_waits(p: &Pipeline, plan: &Plan) -> Vec<(StepId, StepId)> {
    let reach = Reach::new(p);
    let mut waits = Vec::new();
    collect_waits(plan, &mut |a, b| {
        if !reach.precedes(a.0, b.0) {
            waits.push((a, b));
        }
    });
    waits.sort();
    waits
}

/// Calls `f(a, b)` for every pair the plan orders (a finishes before b starts).
fn collect_waits(plan: &Plan, f: &mut impl FnMut(StepId, StepId)) {
    match plan {
        Plan::Step(_) => {}
        Plan::Parallel(branches) => branches.iter().for_each(|b| collect_waits(b, f)),
        Plan::Sequence(parts) => {
            for (i, part) in parts.iter().enumerate() {
                collect_waits(part, f);
                for later in parts.iter().skip(i + 1) {
                    for a in steps_of(part) {
                        for b in steps_of(later) {
                            f(a, b);
                        }
                    }
                }
            }
        }
    }
}

/// Every step of a plan, in plan order.
pub fn steps_of(plan: &Plan) -> Vec<StepId> {
    match plan {
        Plan::Step(id) => vec![*id],
        Plan::Sequence(parts) | Plan::Parallel(parts) => parts.iter().flat_map(steps_of).collect(),
    }
}
