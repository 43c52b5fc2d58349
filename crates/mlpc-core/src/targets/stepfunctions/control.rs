//! Control flow in the state machine. A condition reads the reports it compares with
//! S3 `GetObject` Tasks, then a Choice sends the run to a Pass that keeps its outcome
//! (`"true"`/`"false"`) where later states read it (`Exprs::outcome`; carried out of
//! Parallel branches like a model). Each step that needs outcomes (`schedule::controls`)
//! is entered through a Choice that runs it when every outcome is as it needs, and
//! otherwise goes on past it: skipped, never failed; a skipped condition keeps the
//! outcome `"skipped"`, so whatever needs it is skipped too. A fail step reads its
//! reports, then ends in a Fail state with the message.

use serde_json::{json, Value as Json};

use super::expr::{jsonata_string, python_float, Exprs, MessagePiece, QueryLanguage};
use super::machine::{Choice, Fail, Pass, ResultPath, Rule, State, Task};
use super::Segment;
use crate::ir::{
    format_float, CmpOp, CompareAs, Cond, Literal, MessagePart, Operand, ReportValue, Step, StepId, StepKind,
};
use crate::targets::requests::{self, Node, Piece};

/// The Error of the Fail state a fail step ends in.
pub const FAIL_ERROR: &str = "mlpc.Fail";
/// The Error of the Fail state a run ends in when a report value is missing or has
/// another type than the comparison needs.
pub const REPORT_VALUE_ERROR: &str = "mlpc.ReportValue";

/// The reports a step reads, each once, in the order first read: their GetObject
/// states, and where each value is then found.
pub(super) struct Reads {
    states: Vec<(String, State)>,
    sources: Vec<(StepId, String)>,
}

impl Reads {
    pub(super) fn new(x: &Exprs, step: &Step, values: &[&ReportValue]) -> Result<Reads, String> {
        let mut reads = Reads { states: Vec::new(), sources: Vec::new() };
        for value in values {
            let source = (value.step, value.output.clone());
            if reads.sources.contains(&source) {
                continue;
            }
            let index = reads.sources.len();
            let producer = x.p.step(value.step).ok_or("a report of an unknown step")?;
            let (bucket, key) = requests::report_object(x.p, producer, &value.output)
                .ok_or_else(|| format!("report `{}.{}` has no S3 object", producer.name.node, value.output))?;
            let request = Node::Map(vec![
                ("Bucket".to_string(), Node::Text(vec![Piece::Literal(bucket)])),
                ("Key".to_string(), Node::Text(key)),
            ]);
            let body = x.body(&request)?;
            let mut task = Task { resource: "arn:aws:states:::aws-sdk:s3:getObject", ..Task::default() };
            task.comment = Some(format!("Reads the report `{}.{}`", producer.name.node, value.output));
            match x.lang {
                QueryLanguage::Jsonata => {
                    task.arguments = Some(body);
                    task.assign = Some(json!({ format!("report_{index}"): "{% $parse($states.result.Body) %}" }));
                }
                QueryLanguage::Jsonpath => {
                    task.parameters = Some(body);
                    task.result_selector = Some(json!({ "value.$": "States.StringToJson($.Body)" }));
                    task.result_path = Some(ResultPath::At(format!("$.reports.r{index}")));
                }
            }
            let name = format!("{} reads {}.{}", step.name.node, producer.name.node, value.output);
            reads.states.push((name, State::Task(task)));
            reads.sources.push(source);
        }
        Ok(reads)
    }

    /// Where a value read by these states is: a JSONPath path or a JSONata expression.
    pub(super) fn value(&self, x: &Exprs, value: &ReportValue) -> Result<String, String> {
        let index = self
            .sources
            .iter()
            .position(|(s, o)| *s == value.step && *o == value.output)
            .ok_or("a report value that was not read")?;
        let mut out = match x.lang {
            QueryLanguage::Jsonata => format!("$report_{index}"),
            QueryLanguage::Jsonpath => format!("$.reports.r{index}.value"),
        };
        for key in &value.path {
            match (ReportValue::is_plain_key(key), x.lang) {
                (true, _) => {
                    out.push('.');
                    out.push_str(key);
                }
                // The check refuses keys with a backquote, quote or backslash here.
                (false, QueryLanguage::Jsonata) => out.push_str(&format!(".`{key}`")),
                (false, QueryLanguage::Jsonpath) => out.push_str(&format!("['{key}']")),
            }
        }
        Ok(out)
    }

    /// The reads in order, then `rest`.
    pub(super) fn then(self, rest: Segment) -> Segment {
        let mut segments: Vec<Segment> = self
            .states
            .into_iter()
            .map(|(name, state)| Segment { entry: name.clone(), states: vec![(name, state)], exits: vec![0] })
            .collect();
        segments.push(rest);
        super::chain(segments)
    }
}

/// A condition step: its reads, a Choice that checks the values' types and then the
/// condition, and the two Passes that keep its outcome.
pub fn condition(x: &Exprs, step: &Step, check: &Cond) -> Result<Segment, String> {
    let values = check.report_values();
    let reads = Reads::new(x, step, &values)?;
    let name = step.name.node.clone();
    let holds = format!("{name} holds");
    let fails = format!("{name} does not hold");
    let mut choices = Vec::new();
    let mut bad_values = Vec::new();
    for (i, (value, compare_as)) in check.typed_report_values().into_iter().enumerate() {
        let at = reads.value(x, value)?;
        let fail = format!("{name} bad value {}", i + 1);
        let (json_type, is_type, what) = match compare_as {
            CompareAs::Number => ("number", "IsNumeric", "a number"),
            CompareAs::String => ("string", "IsString", "a string"),
            CompareAs::Bool => ("boolean", "IsBoolean", "a boolean"),
        };
        match x.lang {
            QueryLanguage::Jsonata => choices.push(Rule {
                test: json!({ "Condition": format!("{{% $not($type({at}) = '{json_type}') %}}") }),
                next: fail.clone(),
            }),
            QueryLanguage::Jsonpath => {
                // In order: a missing value first, so no type test reads a missing path.
                choices
                    .push(Rule { test: json!({ "Not": { "Variable": at, "IsPresent": true } }), next: fail.clone() });
                choices.push(Rule { test: json!({ "Not": { "Variable": at, is_type: true } }), next: fail.clone() });
            }
        }
        let shown = std::iter::once(format!("{}.{}", x.p.step_name(value.step), value.output))
            .chain(value.path.iter().cloned())
            .collect::<Vec<_>>()
            .join(".");
        bad_values.push((
            fail,
            State::Fail(Fail {
                error: Some(REPORT_VALUE_ERROR.into()),
                cause: Some(format!("condition `{name}`: report value `{shown}` is missing or not {what}")),
                ..Fail::default()
            }),
        ));
    }
    choices.push(Rule { test: rule(x, &reads, check)?, next: holds.clone() });
    let choice = Choice { choices, default: Some(fails.clone()) };
    let mut states = vec![(name.clone(), State::Choice(choice))];
    let holds_at = states.len();
    states.push((holds.clone(), State::Pass(keep_outcome(x, step.id, "true"))));
    states.push((fails, State::Pass(keep_outcome(x, step.id, "false"))));
    states.extend(bad_values);
    let decided = Segment { entry: name, states, exits: vec![holds_at, holds_at + 1] };
    Ok(reads.then(decided))
}

/// The Pass that keeps a condition's outcome for the states after it.
fn keep_outcome(x: &Exprs, id: StepId, outcome: &str) -> Pass {
    let name = x.p.step_name(id);
    match x.lang {
        QueryLanguage::Jsonata => {
            Pass { assign: Some(json!({ format!("outcome_{name}"): outcome })), ..Pass::default() }
        }
        QueryLanguage::Jsonpath => Pass {
            result: Some(Json::String(outcome.to_string())),
            result_path: Some(ResultPath::At(x.outcome(id))),
            ..Pass::default()
        },
    }
}

/// The Choice rule's test for a condition.
fn rule(x: &Exprs, reads: &Reads, c: &Cond) -> Result<Json, String> {
    match x.lang {
        QueryLanguage::Jsonata => Ok(json!({ "Condition": format!("{{% {} %}}", jsonata(x, reads, c)?) })),
        QueryLanguage::Jsonpath => jsonpath(x, reads, c),
    }
}

fn jsonata(x: &Exprs, reads: &Reads, c: &Cond) -> Result<String, String> {
    let operand = |o: &Operand| -> Result<String, String> {
        Ok(match o {
            Operand::Report(value) => reads.value(x, value)?,
            Operand::Param(name) => format!("$params.{name}"),
            Operand::Literal(Literal::String(s)) => jsonata_string(s),
            Operand::Literal(Literal::Int(n)) => n.to_string(),
            Operand::Literal(Literal::Float(f)) => format_float(*f),
            Operand::Literal(Literal::Bool(b)) => b.to_string(),
        })
    };
    let join = |items: &[Cond], op: &str| -> Result<String, String> {
        let parts: Vec<String> =
            items.iter().map(|i| jsonata(x, reads, i).map(|s| format!("({s})"))).collect::<Result<_, _>>()?;
        Ok(parts.join(&format!(" {op} ")))
    };
    Ok(match c {
        Cond::Compare { op, left, right, .. } => {
            let op = match op {
                CmpOp::Eq => "=",
                CmpOp::Ne => "!=",
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
            };
            format!("{} {op} {}", operand(left)?, operand(right)?)
        }
        Cond::In { value, values, .. } => {
            let items: Vec<String> = values.iter().map(operand).collect::<Result<_, _>>()?;
            format!("{} in [{}]", operand(value)?, items.join(", "))
        }
        Cond::All(items) => join(items, "and")?,
        Cond::Any(items) => join(items, "or")?,
        Cond::Not(inner) => format!("$not({})", jsonata(x, reads, inner)?),
    })
}

/// A JSONPath side of a comparison: a path, or a literal value.
enum Side {
    Path(String),
    Value(Json),
}

fn jsonpath(x: &Exprs, reads: &Reads, c: &Cond) -> Result<Json, String> {
    let side = |o: &Operand| -> Result<Side, String> {
        Ok(match o {
            Operand::Report(value) => Side::Path(reads.value(x, value)?),
            Operand::Param(name) => Side::Path(format!("$.params.{name}")),
            Operand::Literal(lit) => Side::Value(lit.to_json()),
        })
    };
    Ok(match c {
        Cond::Compare { op, left, right, compare_as } => compare(*op, side(left)?, side(right)?, *compare_as),
        Cond::In { value, values, compare_as } => {
            let items: Vec<Json> = values
                .iter()
                .map(|v| Ok(compare(CmpOp::Eq, side(value)?, side(v)?, *compare_as)))
                .collect::<Result<_, String>>()?;
            combined(items, "Or")
        }
        Cond::All(items) => combined(items.iter().map(|i| jsonpath(x, reads, i)).collect::<Result<_, _>>()?, "And"),
        Cond::Any(items) => combined(items.iter().map(|i| jsonpath(x, reads, i)).collect::<Result<_, _>>()?, "Or"),
        Cond::Not(inner) => json!({ "Not": jsonpath(x, reads, inner)? }),
    })
}

/// JSONPath rules joined by `And` or `Or`; one rule on its own.
fn combined(rules: Vec<Json>, key: &str) -> Json {
    match <[Json; 1]>::try_from(rules) {
        Ok([one]) => one,
        Err(rules) => json!({ key: rules }),
    }
}

/// A JSONPath comparison rule: the path on the left (sides swap, the operator mirrored,
/// when only the right one is a path); two literals are decided now.
fn compare(op: CmpOp, left: Side, right: Side, compare_as: CompareAs) -> Json {
    let mirrored = |op: CmpOp| match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        same @ (CmpOp::Eq | CmpOp::Ne) => same,
    };
    let (op, variable, other) = match (left, right) {
        (Side::Path(l), r) => (op, l, r),
        (l @ Side::Value(_), Side::Path(r)) => (mirrored(op), r, l),
        (Side::Value(l), Side::Value(r)) => return constant(decide(op, &l, &r)),
    };
    if op == CmpOp::Ne {
        return json!({ "Not": compare(CmpOp::Eq, Side::Path(variable), other, compare_as) });
    }
    let family = match compare_as {
        CompareAs::Number => "Numeric",
        CompareAs::String => "String",
        CompareAs::Bool => "Boolean",
    };
    let relation = match op {
        CmpOp::Eq | CmpOp::Ne => "Equals",
        CmpOp::Lt => "LessThan",
        CmpOp::Le => "LessThanEquals",
        CmpOp::Gt => "GreaterThan",
        CmpOp::Ge => "GreaterThanEquals",
    };
    match other {
        Side::Path(path) => json!({ "Variable": variable, format!("{family}{relation}Path"): path }),
        Side::Value(value) => json!({ "Variable": variable, format!("{family}{relation}"): value }),
    }
}

/// Two literals compared now, as the run would.
fn decide(op: CmpOp, l: &Json, r: &Json) -> bool {
    let ordering = match (l, r) {
        (Json::Number(a), Json::Number(b)) => a.as_f64().zip(b.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
        (Json::String(a), Json::String(b)) => Some(a.cmp(b)),
        (Json::Bool(a), Json::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    };
    let Some(ordering) = ordering else { return false };
    match op {
        CmpOp::Eq => ordering.is_eq(),
        CmpOp::Ne => ordering.is_ne(),
        CmpOp::Lt => ordering.is_lt(),
        CmpOp::Le => ordering.is_le(),
        CmpOp::Gt => ordering.is_gt(),
        CmpOp::Ge => ordering.is_ge(),
    }
}

/// A rule that always or never matches.
fn constant(holds: bool) -> Json {
    let always = json!({ "Variable": "$", "IsPresent": true });
    if holds {
        always
    } else {
        json!({ "Not": always })
    }
}

/// A fail step: its reads, then the Fail state with the message.
pub fn fail(x: &Exprs, step: &Step, fail: &crate::ir::Fail) -> Result<Segment, String> {
    let reads = Reads::new(x, step, &fail.report_values())?;
    let pieces: Vec<MessagePiece> = fail
        .message
        .iter()
        .map(|part| {
            Ok(match part {
                MessagePart::Text(text) => MessagePiece::Text(requests::text_pieces(text)),
                MessagePart::Report(value) => {
                    let at = reads.value(x, value)?;
                    let expr = match (x.lang, value.ty) {
                        (QueryLanguage::Jsonata, Some(crate::ir::ParamType::Float)) => python_float(&at),
                        _ => at,
                    };
                    MessagePiece::Value { expr, is_string: value.ty == Some(crate::ir::ParamType::String) }
                }
            })
        })
        .collect::<Result<_, String>>()?;
    let (cause, dynamic) = x.message(&pieces)?;
    let state = match (x.lang, dynamic) {
        (QueryLanguage::Jsonpath, true) => {
            Fail { error: Some(FAIL_ERROR.into()), cause_path: Some(cause), ..Fail::default() }
        }
        (QueryLanguage::Jsonata, true) => {
            Fail { error: Some(FAIL_ERROR.into()), cause: Some(format!("{{% {cause} %}}")), ..Fail::default() }
        }
        (_, false) => Fail { error: Some(FAIL_ERROR.into()), cause: Some(cause), ..Fail::default() },
    };
    let mut ends = Segment::one(&step.name.node, State::Fail(state));
    ends.exits.clear();
    Ok(reads.then(ends))
}

/// Enters `inner` (a step's states) only when every outcome it needs is as needed;
/// otherwise goes on past it. A skipped condition keeps the outcome `"skipped"`.
pub fn gate(x: &Exprs, step: &Step, needs: &std::collections::BTreeSet<(StepId, bool)>, inner: Segment) -> Segment {
    let name = format!("{} runs?", step.name.node);
    let expected = |when: bool| if when { "true" } else { "false" };
    let test = match x.lang {
        QueryLanguage::Jsonata => {
            let tests: Vec<String> =
                needs.iter().map(|(c, when)| format!("{} = '{}'", x.outcome(*c), expected(*when))).collect();
            json!({ "Condition": format!("{{% {} %}}", tests.join(" and ")) })
        }
        QueryLanguage::Jsonpath => {
            let tests: Vec<Json> = needs
                .iter()
                .map(|(c, when)| json!({ "Variable": x.outcome(*c), "StringEquals": expected(*when) }))
                .collect();
            combined(tests, "And")
        }
    };
    // A Pass, not the Choice's default, is the way past: a Choice cannot end a branch.
    let skipped = format!("{} skipped", step.name.node);
    let choice = Choice { choices: vec![Rule { test, next: inner.entry.clone() }], default: Some(skipped.clone()) };
    let pass = match step.kind {
        // Keeps "skipped" for the steps that need this condition's outcome.
        StepKind::Condition(_) => keep_outcome(x, step.id, "skipped"),
        StepKind::Sql(_)
        | StepKind::Processing(_)
        | StepKind::Training(_)
        | StepKind::Transform(_)
        | StepKind::Python(_)
        | StepKind::Fail(_)
        | StepKind::Model(_)
        | StepKind::Register(_)
        | StepKind::Lambda(_)
        | StepKind::Endpoint(_)
        | StepKind::Tuning(_) => {
            Pass { comment: Some("Skipped: a condition it needs came out otherwise".into()), ..Pass::default() }
        }
    };
    let mut states = vec![(name.clone(), State::Choice(choice)), (skipped, State::Pass(pass))];
    let mut exits = vec![1];
    let offset = states.len();
    exits.extend(inner.exits.iter().map(|e| e + offset));
    states.extend(inner.states);
    Segment { entry: name, states, exits }
}
