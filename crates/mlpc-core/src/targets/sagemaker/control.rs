//! Control flow in a SageMaker definition: `PropertyFiles` on the steps that write
//! reports, `Condition` steps whose branches (`IfSteps`/`ElseSteps`) hold the steps
//! they guard and everything downstream of those (`schedule::placements`), `Fail`
//! steps, and report values read with `Std:JsonGet`.

use super::expr;
use super::tree::Val;
use crate::ir::{CmpOp, Cond, Fail, Literal, MessagePart, Operand, Pipeline, ReportValue, Step, StepKind};
use crate::targets::requests;

/// `"PropertyFiles": [...]` for a step's report outputs, when it has any.
pub fn property_files(step: &Step) -> Option<Val> {
    let files: Vec<Val> = step
        .outputs
        .iter()
        .filter_map(|o| {
            let report = o.report.as_ref()?;
            Some(Val::map(vec![
                ("PropertyFileName", Val::Str(o.name.node.clone())),
                ("OutputName", Val::Str(o.name.node.clone())),
                ("FilePath", Val::Str(report.file.clone())),
            ]))
        })
        .collect();
    (!files.is_empty()).then_some(Val::List(files))
}

/// A report value once its step has run: a Lambda step's response key is one of its
/// `OutputParameters`; any other report is a property file, read with `Std:JsonGet`.
pub fn report_value(p: &Pipeline, value: &ReportValue) -> Val {
    if let (Some(StepKind::Lambda(_)), [key]) = (p.step(value.step).map(|s| &s.kind), value.path.as_slice()) {
        return expr::get(format!("Steps.{}.OutputParameters['{key}']", p.step_name(value.step)));
    }
    Val::map(vec![(
        "Std:JsonGet",
        Val::map(vec![
            ("PropertyFile", expr::get(format!("Steps.{}.PropertyFiles.{}", p.step_name(value.step), value.output))),
            ("Path", Val::Str(json_path(&value.path))),
        ]),
    )])
}

/// The JsonPath of a value inside its report: keys after dots, others in brackets.
pub fn json_path(keys: &[String]) -> String {
    let mut out = String::new();
    for key in keys {
        if ReportValue::is_plain_key(key) {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
        } else {
            out.push_str("['");
            out.push_str(&key.replace('\\', "\\\\").replace('\'', "\\'"));
            out.push_str("']");
        }
    }
    out
}

fn operand(p: &Pipeline, o: &Operand) -> Val {
    match o {
        Operand::Report(value) => report_value(p, value),
        Operand::Param(name) => expr::get(format!("Parameters.{name}")),
        Operand::Literal(lit) => match lit {
            Literal::String(s) => Val::Str(s.clone()),
            Literal::Int(n) => Val::Int(*n),
            Literal::Bool(b) => Val::Bool(*b),
            Literal::Float(_) => Val::Json(lit.to_json()),
        },
    }
}

/// The condition's `Conditions`: SageMaker ANDs the list, and has `Not`, `Or` and
/// `In` but neither `And` nor `NotEquals` (the SDK writes `Not` of `Equals`).
pub fn conditions(p: &Pipeline, check: &Cond) -> Val {
    match check {
        Cond::All(items) => Val::List(items.iter().map(|c| condition(p, c)).collect()),
        other @ (Cond::Compare { .. } | Cond::In { .. } | Cond::Any(_) | Cond::Not(_)) => {
            Val::List(vec![condition(p, other)])
        }
    }
}

fn condition(p: &Pipeline, c: &Cond) -> Val {
    let not = |inner: Val| Val::map(vec![("Type", Val::Str("Not".into())), ("Condition", inner)]);
    match c {
        Cond::Compare { op, left, right, .. } => {
            let ty = match op {
                CmpOp::Eq | CmpOp::Ne => "Equals",
                CmpOp::Lt => "LessThan",
                CmpOp::Le => "LessThanOrEqualTo",
                CmpOp::Gt => "GreaterThan",
                CmpOp::Ge => "GreaterThanOrEqualTo",
            };
            let compared = Val::map(vec![
                ("Type", Val::Str(ty.into())),
                ("LeftValue", operand(p, left)),
                ("RightValue", operand(p, right)),
            ]);
            if *op == CmpOp::Ne {
                not(compared)
            } else {
                compared
            }
        }
        Cond::In { value, values, .. } => Val::map(vec![
            ("Type", Val::Str("In".into())),
            ("QueryValue", operand(p, value)),
            ("Values", Val::List(values.iter().map(|v| operand(p, v)).collect())),
        ]),
        Cond::Any(items) => Val::map(vec![
            ("Type", Val::Str("Or".into())),
            ("Conditions", Val::List(items.iter().map(|c| condition(p, c)).collect())),
        ]),
        // Inside `Or` or `Not` there is no list to AND: a and b = not (not a or not b).
        Cond::All(items) => not(Val::map(vec![
            ("Type", Val::Str("Or".into())),
            ("Conditions", Val::List(items.iter().map(|c| not(condition(p, c))).collect())),
        ])),
        Cond::Not(inner) => not(condition(p, inner)),
    }
}

/// A fail step's `ErrorMessage`: a string, or `Std:Join` of its pieces (a lone
/// parameter or report value is joined too, so the message is text).
pub fn error_message(p: &Pipeline, fail: &Fail) -> Result<Val, String> {
    let mut values: Vec<Val> = Vec::new();
    for part in &fail.message {
        match part {
            MessagePart::Text(text) => {
                let (parts, _) = expr::text_values(p, requests::text_pieces(text))?;
                parts.into_iter().for_each(|v| push(&mut values, v));
            }
            MessagePart::Report(value) => push(&mut values, report_value(p, value)),
        }
    }
    let all_strings = matches!(values.as_slice(), [Val::Str(_)]);
    Ok(expr::join(values, all_strings))
}

/// Adds a piece to a `Std:Join`'s values, merging adjacent strings.
fn push(values: &mut Vec<Val>, value: Val) {
    match (values.last_mut(), value) {
        (Some(Val::Str(prev)), Val::Str(s)) => prev.push_str(&s),
        (_, value) => values.push(value),
    }
}
