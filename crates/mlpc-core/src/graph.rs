//! Renders the step graph for people: Mermaid and Graphviz dot, with the artifact
//! names on the edges.

use std::fmt::Write as _;

use petgraph::visit::EdgeRef;

use crate::ir::Pipeline;

/// `flowchart LR` with one node per step and labelled edges.
pub fn mermaid(p: &Pipeline) -> String {
    let mut out = String::from("flowchart LR\n");
    for id in &p.order {
        if let Some(step) = p.step(*id) {
            let _ = writeln!(out, "    {}[\"{}<br/><i>{}</i>\"]", step.name.node, step.name.node, step.kind_name());
        }
    }
    for (from, to, label) in edges(p) {
        let _ = writeln!(out, "    {from} -->|{}| {to}", mermaid_text(&label));
    }
    out
}

/// A `digraph` in Graphviz's dot language.
pub fn dot(p: &Pipeline) -> String {
    let mut out = format!("digraph {} {{\n    rankdir=LR;\n    node [shape=box];\n", dot_id(&p.name.node));
    for id in &p.order {
        if let Some(step) = p.step(*id) {
            let _ = writeln!(
                out,
                "    {} [label={}];",
                dot_id(&step.name.node),
                dot_id(&format!("{}\n({})", step.name.node, step.kind_name()))
            );
        }
    }
    for (from, to, label) in edges(p) {
        let style = if label == "after" { ", style=dashed" } else { "" };
        let _ = writeln!(out, "    {} -> {} [label={}{style}];", dot_id(&from), dot_id(&to), dot_id(&label));
    }
    out.push_str("}\n");
    out
}

/// Edges in a stable order: by consumer in topological order, then by source position.
fn edges(p: &Pipeline) -> Vec<(String, String, String)> {
    let mut rank_of = vec![0; p.steps.len()];
    for (rank, id) in p.order.iter().enumerate() {
        if let Some(slot) = rank_of.get_mut(id.0) {
            *slot = rank;
        }
    }
    let mut list: Vec<(usize, usize, String, String, String)> = p
        .graph
        .edge_references()
        .filter_map(|e| {
            let from = p.step(*p.graph.node_weight(e.source())?)?;
            let to = p.step(*p.graph.node_weight(e.target())?)?;
            let rank = *rank_of.get(to.id.0)?;
            Some((rank, e.id().index(), from.name.node.clone(), to.name.node.clone(), e.weight().label()))
        })
        .collect();
    list.sort_by_key(|(rank, index, ..)| (*rank, *index));
    list.into_iter().map(|(_, _, a, b, l)| (a, b, l)).collect()
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;").replace('|', "#124;")
}

fn dot_id(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}
