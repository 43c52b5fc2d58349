//! Control flow in the DAG. A condition step is a branch task (`mlpc_condition`): it
//! reads the reports its check compares from S3, decides, and returns the tasks to
//! run after it: those guarded by the outcome, and those that only wait for it. The
//! branch skips its other downstream tasks, and Airflow's default trigger rule
//! (`all_success`) skips whatever needs a skipped task: the shared schedule's rule. A
//! fail step is a task (`mlpc_fail`) that fails the run with its message. Both take
//! their condition or message as data (nested lists and maps the DAG's own helpers
//! evaluate), so every user string reaches Python as an escaped, Jinja-safe literal.

use super::{arg, Arg, Jinja};
use crate::ir::{
    CompareAs, Cond, Lambda, Literal, MessagePart, Operand, PayloadValue, Pipeline, ReportValue, Step, StepId, Value,
};
use crate::targets::python::node;
use crate::targets::requests::{self, Node, Piece};

/// A condition step's task: its module-level function and keyword arguments.
pub fn condition_call(p: &Pipeline, step: &Step, check: &Cond, jinja: &Jinja) -> (&'static str, Vec<Arg>) {
    let mut reports = Reports::default();
    let tree = cond(p, check, &mut reports);
    // The direct downstream tasks: by the guard they have on this step, or none.
    let (mut when_true, mut when_false, mut always) = (Vec::new(), Vec::new(), Vec::new());
    for down in p.downstream(step.id) {
        let Some(s) = p.step(down) else { continue };
        let list = match s.guard {
            Some(g) if g.condition == step.id && g.when => &mut when_true,
            Some(g) if g.condition == step.id => &mut when_false,
            Some(_) | None => &mut always,
        };
        list.push(text(&s.name.node));
    }
    let kwargs = vec![
        arg("check", node(&tree, 8, jinja)),
        arg("reports", node(&reports.uris(p), 8, jinja)),
        arg("when_true", node(&Node::List(when_true), 8, jinja)),
        arg("when_false", node(&Node::List(when_false), 8, jinja)),
        arg("always", node(&Node::List(always), 8, jinja)),
    ];
    ("mlpc_condition", kwargs)
}

/// A fail step's task: the message's parts (text, or a report value to read).
pub fn fail_call(p: &Pipeline, message: &[MessagePart], jinja: &Jinja) -> (&'static str, Vec<Arg>) {
    let mut reports = Reports::default();
    let parts: Vec<Node> = message
        .iter()
        .map(|part| match part {
            MessagePart::Text(t) => Node::Text(requests::text_pieces(t)),
            MessagePart::Report(value) => report_value(p, value, "any", &mut reports),
        })
        .collect();
    let kwargs =
        vec![arg("message", node(&Node::List(parts), 8, jinja)), arg("reports", node(&reports.uris(p), 8, jinja))];
    ("mlpc_fail", kwargs)
}

/// A lambda step's operator arguments: the function, the payload as data (each value
/// an operand the DAG's helpers resolve when the task runs, so params and report
/// values keep their types), the reports it reads, and where its response goes.
pub fn lambda_args(p: &Pipeline, step: &Step, lambda: &Lambda, jinja: &Jinja) -> Vec<Arg> {
    let mut reports = Reports::default();
    let payload: Vec<(String, Node)> = lambda
        .payload
        .iter()
        .map(|(key, value)| {
            let value = match value {
                PayloadValue::Value(Value::Int(n)) => map(vec![("int", Node::Int(*n))]),
                PayloadValue::Value(Value::Float(f)) => map(vec![("float", text(&crate::ir::format_float(*f)))]),
                PayloadValue::Value(Value::Bool(b)) => map(vec![("bool", Node::Bool(*b))]),
                PayloadValue::Value(Value::Param(name)) => map(vec![("param", text(name))]),
                PayloadValue::Value(Value::Text(t)) => map(vec![("string", Node::Text(requests::text_pieces(t)))]),
                PayloadValue::Report(value) => report_value(p, value, "any", &mut reports),
            };
            (key.clone(), value)
        })
        .collect();
    let mut args = vec![
        arg("function_name", node(&text(&lambda.function.written), 8, jinja)),
        arg("payload_data", node(&Node::Map(payload), 8, jinja)),
        arg("reports", node(&reports.uris(p), 8, jinja)),
    ];
    if let Some(location) = step.outputs.iter().find_map(|o| requests::report_location(p, step, &o.name.node)) {
        args.push(arg("response_uri", node(&Node::Text(location), 8, jinja)));
    }
    args
}

/// The reports a task reads, each once, in the order first needed.
#[derive(Default)]
struct Reports(Vec<(StepId, String)>);

impl Reports {
    fn index(&mut self, value: &ReportValue) -> i64 {
        let source = (value.step, value.output.clone());
        let at = self.0.iter().position(|s| *s == source).unwrap_or_else(|| {
            self.0.push(source);
            self.0.len() - 1
        });
        i64::try_from(at).unwrap_or(i64::MAX)
    }

    /// The S3 URI of each report's document, in order.
    fn uris(&self, p: &Pipeline) -> Node {
        Node::List(
            self.0
                .iter()
                .filter_map(|(step, output)| Some(Node::Text(requests::report_location(p, p.step(*step)?, output)?)))
                .collect(),
        )
    }
}

fn text(s: &str) -> Node {
    Node::Text(vec![Piece::Literal(s.to_string())])
}

fn map(entries: Vec<(&str, Node)>) -> Node {
    Node::Map(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn kind(compare_as: CompareAs) -> &'static str {
    match compare_as {
        CompareAs::Number => "number",
        CompareAs::String => "string",
        CompareAs::Bool => "bool",
    }
}

/// `{"report": index, "keys": [...], "kind": ..., "name": ...}`: the value, which the
/// run checks is there and of `kind` (`any` in a message).
fn report_value(p: &Pipeline, value: &ReportValue, kind: &str, reports: &mut Reports) -> Node {
    let name = std::iter::once(format!("{}.{}", p.step_name(value.step), value.output))
        .chain(value.path.iter().cloned())
        .collect::<Vec<_>>()
        .join(".");
    map(vec![
        ("report", Node::Int(reports.index(value))),
        ("keys", Node::List(value.path.iter().map(|k| text(k)).collect())),
        ("kind", text(kind)),
        ("name", text(&name)),
    ])
}

fn operand(p: &Pipeline, o: &Operand, compare_as: CompareAs, reports: &mut Reports) -> Node {
    match o {
        Operand::Report(value) => report_value(p, value, kind(compare_as), reports),
        Operand::Param(name) => map(vec![("param", text(name))]),
        Operand::Literal(Literal::String(s)) => map(vec![("string", text(s))]),
        Operand::Literal(Literal::Int(n)) => map(vec![("int", Node::Int(*n))]),
        // As text: the DAG turns it back with `float()`, exactly (Python's repr).
        Operand::Literal(Literal::Float(f)) => map(vec![("float", text(&crate::ir::format_float(*f)))]),
        Operand::Literal(Literal::Bool(b)) => map(vec![("bool", Node::Bool(*b))]),
    }
}

fn cond(p: &Pipeline, c: &Cond, reports: &mut Reports) -> Node {
    match c {
        // The DAG's MLPC_COMPARISONS take the `.mlp` spelling.
        Cond::Compare { op, left, right, compare_as } => map(vec![
            ("op", text(op.as_str())),
            ("left", operand(p, left, *compare_as, reports)),
            ("right", operand(p, right, *compare_as, reports)),
        ]),
        Cond::In { value, values, compare_as } => map(vec![
            ("op", text("in")),
            ("left", operand(p, value, *compare_as, reports)),
            ("right", Node::List(values.iter().map(|v| operand(p, v, *compare_as, reports)).collect())),
        ]),
        Cond::All(items) => map(vec![("all", Node::List(items.iter().map(|i| cond(p, i, reports)).collect()))]),
        Cond::Any(items) => map(vec![("any", Node::List(items.iter().map(|i| cond(p, i, reports)).collect()))]),
        Cond::Not(inner) => map(vec![("not", cond(p, inner, reports))]),
    }
}
