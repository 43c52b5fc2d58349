//! The step graph: one node per step, one edge per artifact, model or `after` link.
//! Cycles are found as strongly connected components (Kosaraju's algorithm, which
//! petgraph runs without recursion, so a 100,000-step chain cannot overflow the
//! stack) and reported once each, with every edge
//! labelled; acyclic graphs get a topological order that keeps source order on ties.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Edge, StepId};
use crate::source::Span;

/// An edge with the span of the reference that created it.
pub struct Link {
    pub from: StepId,
    pub to: StepId,
    pub edge: Edge,
    pub span: Span,
}

pub fn build(step_count: usize, links: &[Link]) -> DiGraph<StepId, Edge> {
    let mut graph = DiGraph::with_capacity(step_count, links.len());
    for i in 0..step_count {
        graph.add_node(StepId(i));
    }
    for link in links {
        graph.add_edge(NodeIndex::new(link.from.0), NodeIndex::new(link.to.0), link.edge.clone());
    }
    graph
}

/// One diagnostic per cycle, naming every step and labelling every edge on it.
pub fn cycles(graph: &DiGraph<StepId, Edge>, links: &[Link], names: &[String]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut components = kosaraju_scc(graph);
    components.sort_by_key(|c| c.iter().min().copied());
    for component in components {
        let members: HashSet<NodeIndex> = component.iter().copied().collect();
        let self_loop = component.len() == 1 && component.iter().any(|&n| graph.contains_edge(n, n));
        if component.len() < 2 && !self_loop {
            continue;
        }
        let Some(&start) = component.iter().min() else {
            continue;
        };
        let path = cycle_through(graph, start, &members);
        diags.push(cycle_diagnostic(&path, links, names));
    }
    diags
}

/// A simple cycle from `start` back to it, inside one strongly connected component.
fn cycle_through(graph: &DiGraph<StepId, Edge>, start: NodeIndex, members: &HashSet<NodeIndex>) -> Vec<NodeIndex> {
    // Breadth-first search for the shortest way back to `start`.
    let mut parent: std::collections::HashMap<NodeIndex, NodeIndex> = std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        let mut next: Vec<NodeIndex> = graph.edges(node).map(|e| e.target()).filter(|t| members.contains(t)).collect();
        next.sort();
        for target in next {
            if target == start {
                let mut path = vec![node];
                let mut cur = node;
                while cur != start {
                    let Some(&p) = parent.get(&cur) else { break };
                    path.push(p);
                    cur = p;
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(v) = parent.entry(target) {
                v.insert(node);
                queue.push_back(target);
            }
        }
    }
    vec![start]
}

fn cycle_diagnostic(path: &[NodeIndex], links: &[Link], names: &[String]) -> Diagnostic {
    let name = |n: NodeIndex| names.get(n.index()).cloned().unwrap_or_default();
    let mut spelled: Vec<String> = path.iter().map(|&n| format!("`{}`", name(n))).collect();
    if let Some(first) = spelled.first().cloned() {
        spelled.push(first);
    }
    let edges: Vec<&Link> = path
        .iter()
        .enumerate()
        .filter_map(|(i, &from)| {
            let to = *path.get(i + 1).or(path.first())?;
            links.iter().filter(|l| l.from.0 == from.index() && l.to.0 == to.index()).min_by_key(|l| l.span)
        })
        .collect();
    let describe = |l: &Link| {
        let (from, to) =
            (names.get(l.from.0).cloned().unwrap_or_default(), names.get(l.to.0).cloned().unwrap_or_default());
        match &l.edge {
            Edge::After => format!("`{to}` runs after `{from}` here"),
            Edge::Guard => format!("`{to}` runs when `{from}` says so here"),
            Edge::Model { output } | Edge::Artifact { output, .. } => {
                format!("`{to}` reads `{from}.{output}` here")
            }
            Edge::Text { output } => format!("`{to}` writes the location of `{from}.{output}` here"),
            Edge::Report { output } => format!("`{to}` reads a value of `{from}.{output}` here"),
        }
    };
    let (first, rest) = match edges.split_first() {
        Some((f, r)) => (*f, r),
        None => return Diagnostic::new(Code::DependencyCycle, Span::default(), "the steps form a cycle"),
    };
    let mut d = Diagnostic::new(
        Code::DependencyCycle,
        first.span,
        format!("the steps form a cycle: {}", spelled.join(" → ")),
    )
    .label(describe(first))
    .help("a step cannot depend on its own results, directly or through other steps: remove one of these references");
    for link in rest {
        d = d.secondary(link.span, describe(link));
    }
    d
}

/// Kahn's algorithm; among ready steps the one written first goes first.
pub fn topological_order(graph: &DiGraph<StepId, Edge>) -> Vec<StepId> {
    let mut indegree: Vec<usize> =
        graph.node_indices().map(|n| graph.neighbors_directed(n, petgraph::Direction::Incoming).count()).collect();
    let mut ready: BinaryHeap<Reverse<usize>> =
        indegree.iter().enumerate().filter(|(_, d)| **d == 0).map(|(i, _)| Reverse(i)).collect();
    let mut order = Vec::with_capacity(indegree.len());
    while let Some(Reverse(i)) = ready.pop() {
        order.push(StepId(i));
        for target in graph.neighbors_directed(NodeIndex::new(i), petgraph::Direction::Outgoing) {
            if let Some(d) = indegree.get_mut(target.index()) {
                *d = d.saturating_sub(1);
                if *d == 0 {
                    ready.push(Reverse(target.index()));
                }
            }
        }
    }
    order
}
