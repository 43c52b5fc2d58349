//! Control flow: a `condition` step's `check` (typed: both sides of a comparison must
//! compare as numbers, strings or booleans), a `fail` step's `message`, and the `when`
//! guard any step may have.

use super::fields::Fields;
use super::graph::Link;
use super::values::{literal_type, Lowerer};
use crate::diagnostics::suggest::help_for;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{CmpOp, CompareAs, Cond, Condition, Edge, Fail, Guard, Literal, MessagePart, Operand, ParamType};
use crate::kinds::Kind;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, StrPart};

pub fn condition(lw: &mut Lowerer, f: &mut Fields) -> Option<Condition> {
    let check = f.require("check", "evaluate.report.mse <= params.threshold", &mut lw.diags)?;
    Some(Condition { check: cond(lw, check)? })
}

pub fn fail(lw: &mut Lowerer, f: &mut Fields) -> Option<Fail> {
    let e = f.require("message", "\"the model is not good enough\"", &mut lw.diags)?;
    let ExprKind::Str(parts) = &e.kind else {
        lw.push(
            Diagnostic::new(
                Code::WrongValueType,
                e.span,
                format!("`message` must be a string, found {}", e.describe()),
            )
            .label("expected a string")
            .help("write the message in quotes; `${...}` puts params and report values in it"),
        );
        return None;
    };
    // Runs of text and `${...}` are run-time text; a report value is read at run time.
    let mut message = Vec::new();
    let mut run: Vec<StrPart> = Vec::new();
    let mut ok = true;
    let flush = |lw: &mut Lowerer, run: &mut Vec<StrPart>, message: &mut Vec<MessagePart>, ok: &mut bool| {
        if !run.is_empty() {
            match lw.interpolate(run) {
                Some(text) => message.push(MessagePart::Text(text)),
                None => *ok = false,
            }
            run.clear();
        }
    };
    for part in parts {
        match part {
            StrPart::Interpolation(path) if lw.is_report_path(path) => {
                flush(lw, &mut run, &mut message, &mut ok);
                match lw.report_value(path, "a `${...}` in `message`") {
                    Some(value) => message.push(MessagePart::Report(value)),
                    None => ok = false,
                }
            }
            other => run.push(other.clone()),
        }
    }
    flush(lw, &mut run, &mut message, &mut ok);
    if message.is_empty() {
        message.push(MessagePart::Text(crate::ir::Text::literal("")));
    }
    ok.then_some(Fail { message })
}

/// `when = COND` or `when = not COND`, COND a condition step.
pub fn guard(lw: &mut Lowerer, e: &Expr) -> Option<Guard> {
    let (inner, when) = match &e.kind {
        ExprKind::Not(inner) => (inner.as_ref(), false),
        _ => (e, true),
    };
    let inner = ungroup(inner);
    let name = match &inner.kind {
        ExprKind::Path(p) if p.segments.len() == 1 => p.segments.first().map(|s| s.text().to_string()),
        _ => None,
    };
    let Some(name) = name else {
        lw.push(
            Diagnostic::new(Code::WrongValueType, e.span, format!("`when` names a condition step, found {}", inner.describe()))
                .label("expected a condition step's name")
                .help("write the check in a condition step, `step ok: condition { check = ... }`, then `when = ok` or `when = not ok`"),
        );
        return None;
    };
    let Some(id) = lw.symbols.step_id(&name) else {
        if !lw.broken.contains(&name) {
            lw.push(
                Diagnostic::new(Code::UnknownStep, inner.span, format!("unknown step `{name}`"))
                    .label("no such step")
                    .maybe_help(help_for(&name, lw.symbols.step_names().collect::<Vec<_>>(), "steps")),
            );
        }
        return None;
    };
    let kind = lw.symbols.step(id).map(|s| s.ast.kind.node.as_str()).unwrap_or("");
    if Kind::from_name(kind) != Some(Kind::Condition) {
        let conditions: Vec<&str> = lw
            .symbols
            .steps
            .iter()
            .filter(|s| s.ast.kind.node == Kind::Condition.name())
            .map(|s| s.ast.name.node.as_str())
            .collect();
        let mut d = Diagnostic::new(
            Code::NotACondition,
            inner.span,
            format!("`when` names `{name}`, which is a {kind} step, not a condition"),
        )
        .label("not a condition");
        if let Some(declared) = lw.symbols.step(id).map(|s| s.ast.kind.span) {
            d = d.secondary(declared, format!("`{name}` is a {kind} step"));
        }
        d = d.help(match conditions.as_slice() {
            [] => format!("add a condition, `step {name}_ok: condition {{ check = ... }}`, and write `when = {name}_ok`; to wait for `{name}` only, use `after = [{name}]`"),
            names => format!("`when` takes a condition step ({}); to wait for `{name}`, use `after = [{name}]`", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
        });
        lw.push(d);
        return None;
    }
    lw.links.push(Link { from: id, to: lw.current, edge: Edge::Guard, span: inner.span });
    Some(Guard { condition: id, when, span: e.span })
}

fn ungroup(mut e: &Expr) -> &Expr {
    while let ExprKind::Group(inner) = &e.kind {
        e = inner;
    }
    e
}

/// A checked condition; every mistake in it is reported.
fn cond(lw: &mut Lowerer, e: &Expr) -> Option<Cond> {
    let e = ungroup(e);
    match &e.kind {
        ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), left, right) => {
            let (l, r) = (cond(lw, left), cond(lw, right));
            let (l, r) = (l?, r?);
            let mut items = Vec::new();
            for side in [l, r] {
                match (op, side) {
                    (BinaryOp::And, Cond::All(inner)) | (BinaryOp::Or, Cond::Any(inner)) => items.extend(inner),
                    (_, other) => items.push(other),
                }
            }
            Some(if *op == BinaryOp::And { Cond::All(items) } else { Cond::Any(items) })
        }
        ExprKind::Not(inner) => Some(Cond::Not(Box::new(cond(lw, inner)?))),
        ExprKind::Binary(BinaryOp::In, left, right) => {
            let value = operand(lw, left);
            let ExprKind::List(items) = &ungroup(right).kind else {
                lw.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        right.span,
                        format!("`in` takes a list, found {}", right.describe()),
                    )
                    .label("expected a list")
                    .help("write the values in brackets, e.g. `x in [\"a\", \"b\"]`"),
                );
                return None;
            };
            if items.is_empty() {
                lw.push(
                    Diagnostic::new(Code::InvalidValue, right.span, "`in []` never holds")
                        .label("an empty list")
                        .help("list the values to compare with, e.g. `x in [\"a\", \"b\"]`"),
                );
                return None;
            }
            let values: Vec<_> = items.iter().map(|i| operand(lw, i)).collect();
            let value = value?;
            let values: Vec<_> = values.into_iter().collect::<Option<_>>()?;
            let mut compare_as = None;
            let mut ok = true;
            for item in &values {
                match compare(lw, CmpOp::Eq, &value, item, "in") {
                    Some(c) => compare_as = compare_as.or(Some(c)),
                    None => ok = false,
                }
            }
            Some(Cond::In {
                value: value.operand,
                values: values.into_iter().map(|v| v.operand).collect(),
                compare_as: if ok { compare_as? } else { return None },
            })
        }
        ExprKind::Binary(op, left, right) => {
            let op = match op {
                BinaryOp::Eq => CmpOp::Eq,
                BinaryOp::Ne => CmpOp::Ne,
                BinaryOp::Lt => CmpOp::Lt,
                BinaryOp::Le => CmpOp::Le,
                BinaryOp::Gt => CmpOp::Gt,
                BinaryOp::Ge => CmpOp::Ge,
                BinaryOp::And | BinaryOp::Or | BinaryOp::In => return None,
            };
            let (l, r) = (operand(lw, left), operand(lw, right));
            let (l, r) = (l?, r?);
            let compare_as = compare(lw, op, &l, &r, op.as_str())?;
            Some(Cond::Compare { op, left: l.operand, right: r.operand, compare_as })
        }
        // A boolean on its own holds when it is true.
        ExprKind::Path(_) => {
            let side = operand(lw, e)?;
            match side.ty {
                Some(ParamType::Bool) | None => {
                    let truth = Side {
                        operand: Operand::Literal(Literal::Bool(true)),
                        ty: Some(ParamType::Bool),
                        span: e.span,
                    };
                    let compare_as = compare(lw, CmpOp::Eq, &side, &truth, "==")?;
                    Some(Cond::Compare { op: CmpOp::Eq, left: side.operand, right: truth.operand, compare_as })
                }
                Some(ty) => {
                    lw.push(
                        Diagnostic::new(
                            Code::IncompatibleComparison,
                            e.span,
                            format!("a condition on its own must be a bool, and this is {}", ty.with_article()),
                        )
                        .label("not a bool")
                        .help("compare it: e.g. `params.threshold > 0`"),
                    );
                    None
                }
            }
        }
        _ => {
            lw.push(
                Diagnostic::new(Code::WrongValueType, e.span, format!("`check` must be a comparison, found {}", e.describe()))
                    .label("expected a comparison")
                    .help("compare a report value, a param or a config value: `evaluate.report.mse <= params.threshold`; combine with `and`, `or`, `not`"),
            );
            None
        }
    }
}

struct Side {
    operand: Operand,
    ty: Option<ParamType>,
    span: Span,
}

fn operand(lw: &mut Lowerer, e: &Expr) -> Option<Side> {
    let e = ungroup(e);
    let literal = |lit: Literal| {
        let ty = literal_type(&lit);
        Some(Side { operand: Operand::Literal(lit), ty: Some(ty), span: e.span })
    };
    match &e.kind {
        ExprKind::Int(n) => literal(Literal::Int(*n)),
        ExprKind::Float(f) => literal(Literal::Float(*f)),
        ExprKind::Bool(b) => literal(Literal::Bool(*b)),
        ExprKind::Str(parts) => match parts.as_slice() {
            [] => literal(Literal::String(String::new())),
            [StrPart::Text(t)] => literal(Literal::String(t.clone())),
            _ => {
                lw.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        e.span,
                        "a condition compares plain strings, not interpolated ones",
                    )
                    .label("has `${...}`")
                    .help("compare the value itself: `params.region == \"eu-west-1\"`"),
                );
                None
            }
        },
        ExprKind::Path(path) => {
            let (operand, ty) = lw.operand(path)?;
            Some(Side { operand, ty, span: e.span })
        }
        _ => {
            lw.push(
                Diagnostic::new(Code::WrongValueType, e.span, format!("a comparison compares values, found {}", e.describe()))
                    .label("not a value")
                    .help("compare report values, `params.X`, `config.X` and literals; combine comparisons with `and`, `or`, `not`"),
            );
            None
        }
    }
}

/// How `left OP right` compares, or an error when their types do not go together.
fn compare(lw: &mut Lowerer, op: CmpOp, left: &Side, right: &Side, shown: &str) -> Option<CompareAs> {
    let class = |ty: ParamType| match ty {
        ParamType::Int | ParamType::Float => CompareAs::Number,
        ParamType::String => CompareAs::String,
        ParamType::Bool => CompareAs::Bool,
    };
    let compare_as = match (left.ty, right.ty) {
        (Some(l), Some(r)) if class(l) == class(r) => class(l),
        (Some(l), Some(r)) => {
            lw.push(
                Diagnostic::new(
                    Code::IncompatibleComparison,
                    left.span.to(right.span),
                    format!("`{shown}` compares {} with {}", l.with_article(), r.with_article()),
                )
                .label("these cannot be compared")
                .secondary(left.span, l.with_article())
                .secondary(right.span, r.with_article())
                .help(if [left, right].iter().any(|s| quoted_number(&s.operand)) {
                    "compare values of one type: a number in quotes is a string; write it without quotes"
                } else {
                    "compare values of one type: numbers with numbers, strings with strings, booleans with booleans"
                }),
            );
            return None;
        }
        (Some(t), None) | (None, Some(t)) => class(t),
        (None, None) => {
            lw.push(
                Diagnostic::new(
                    Code::IncompatibleComparison,
                    left.span.to(right.span),
                    "neither side says whether to compare as numbers or as strings",
                )
                .label("two report values without a schema")
                .help("declare the report's `schema` (e.g. `schema = { mse = float }`) so its values have types"),
            );
            return None;
        }
    };
    if compare_as == CompareAs::Bool && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        lw.push(
            Diagnostic::new(
                Code::IncompatibleComparison,
                left.span.to(right.span),
                format!("`{shown}` orders booleans"),
            )
            .label("booleans have no order")
            .help("compare booleans with `==` or `!=`"),
        );
        return None;
    }
    Some(compare_as)
}

/// A string literal that reads as a number: `"6"`, most likely meant as `6`.
fn quoted_number(o: &Operand) -> bool {
    matches!(o, Operand::Literal(Literal::String(s)) if s.trim().parse::<f64>().is_ok())
}
