//! Run-time parameters: the default has the declared type, `min`/`max`/`enum` fit the
//! type and each other, and the default satisfies them. A parameter without a default
//! is required: every run must give it.

use super::fields::Fields;
use super::values::{json_literal, show_literal, Lowerer};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Literal, Param, ParamType};
use crate::source::Span;
use crate::syntax::ast::{self, Expr, ExprKind};

const ATTRIBUTES: &[&str] = &["description", "min", "max", "enum"];

pub fn lower(lw: &mut Lowerer, param: &ast::Param, ty: ParamType) -> Option<Param> {
    let default = match &param.default {
        Some(e) => literal_of(lw, e, ty, &format!("the default of `{}`", param.name.node), Code::ParamDefaultMismatch)
            .map(Some),
        None => Some(None),
    };
    let owner = format!("parameter `{}`", param.name.node);
    let mut fields = Fields::new(param.attributes.iter(), owner, param.name.span, &mut lw.diags);
    let description = fields.get("description").and_then(|e| lw.static_text(e, "`description`"));
    let min = fields.get("min").map(|e| (bound(lw, e, ty, "min"), e.span));
    let max = fields.get("max").map(|e| (bound(lw, e, ty, "max"), e.span));
    let allowed = fields.get("enum").map(|e| (allowed_values(lw, e, ty), e.span));
    fields.finish(ATTRIBUTES, &mut lw.diags);

    let min_value = min.as_ref().and_then(|(v, _)| v.clone());
    let max_value = max.as_ref().and_then(|(v, _)| v.clone());
    if let (Some((Some(lo), lo_span)), Some((Some(hi), hi_span))) = (&min, &max) {
        if number(lo) > number(hi) {
            lw.push(
                Diagnostic::new(
                    Code::InvalidParamConstraint,
                    *hi_span,
                    format!("`max` ({}) is below `min` ({})", show_literal(hi), show_literal(lo)),
                )
                .label("max")
                .secondary(*lo_span, "min")
                .help("swap them, or correct one"),
            );
        }
    }
    let allowed_values = allowed.as_ref().and_then(|(v, _)| v.clone()).unwrap_or_default();
    if let (Some(Some(default)), Some(e)) = (&default, &param.default) {
        check_default(lw, e.span, default, &min, &max, allowed.as_ref());
    }
    Some(Param {
        name: param.name.clone(),
        ty,
        default: default?,
        description,
        min: min_value,
        max: max_value,
        allowed: allowed_values,
        span: param.span,
    })
}

fn check_default(
    lw: &mut Lowerer,
    span: Span,
    default: &Literal,
    min: &Option<(Option<Literal>, Span)>,
    max: &Option<(Option<Literal>, Span)>,
    allowed: Option<&(Option<Vec<Literal>>, Span)>,
) {
    if let Some((Some(lo), lo_span)) = min {
        if number(default) < number(lo) {
            lw.push(
                Diagnostic::new(
                    Code::InvalidParamConstraint,
                    span,
                    format!("the default {} is below `min` ({})", show_literal(default), show_literal(lo)),
                )
                .label("default")
                .secondary(*lo_span, "min")
                .help("choose a default within the bounds"),
            );
        }
    }
    if let Some((Some(hi), hi_span)) = max {
        if number(default) > number(hi) {
            lw.push(
                Diagnostic::new(
                    Code::InvalidParamConstraint,
                    span,
                    format!("the default {} is above `max` ({})", show_literal(default), show_literal(hi)),
                )
                .label("default")
                .secondary(*hi_span, "max")
                .help("choose a default within the bounds"),
            );
        }
    }
    if let Some((Some(values), enum_span)) = allowed {
        if !values.contains(default) {
            lw.push(
                Diagnostic::new(
                    Code::InvalidParamConstraint,
                    span,
                    format!("the default {} is not one of the `enum` values", show_literal(default)),
                )
                .label("default")
                .secondary(*enum_span, "allowed values")
                .help("add the default to `enum`, or choose a default from it"),
            );
        }
    }
}

/// A compile-time value of the parameter's type (ints are accepted for floats).
fn literal_of(lw: &mut Lowerer, e: &Expr, ty: ParamType, what: &str, code: Code) -> Option<Literal> {
    let literal = match &e.kind {
        ExprKind::Str(parts) => {
            let text = lw.interpolate(parts)?;
            match text.as_literal() {
                Some(s) => Literal::String(s),
                None => {
                    lw.push(
                        Diagnostic::new(code, e.span, format!("{what} must be known at compile time"))
                            .label("uses a run-time value")
                            .help("a parameter's default cannot use other params or `run.id`"),
                    );
                    return None;
                }
            }
        }
        ExprKind::Int(n) => Literal::Int(*n),
        ExprKind::Float(f) => Literal::Float(*f),
        ExprKind::Bool(b) => Literal::Bool(*b),
        ExprKind::Path(p) if p.segments.first().is_some_and(|s| s.text() == "config") => {
            let json = lw.config.lookup(p, &mut lw.diags)?;
            match json_literal(json) {
                Some(l) => l,
                None => {
                    let number_help = super::config::number_help(json, ty == ParamType::String);
                    lw.push(
                        Diagnostic::new(
                            code,
                            e.span,
                            format!(
                                "{what} must be {}, but `{}` in {} is {}",
                                ty.with_article(),
                                p.display(),
                                lw.config.file_name(),
                                super::config::describe(json)
                            ),
                        )
                        .label(match number_help {
                            Some(_) => "cannot be represented exactly",
                            None => "not a scalar",
                        })
                        .help(number_help.unwrap_or_else(|| "use a config key that holds a single value".to_string())),
                    );
                    return None;
                }
            }
        }
        _ => {
            lw.push(
                Diagnostic::new(
                    code,
                    e.span,
                    format!("{what} must be {} literal, found {}", ty.with_article(), e.describe()),
                )
                .label(format!("expected {}", ty.with_article()))
                .help("write a literal value, or a `config.*` value"),
            );
            return None;
        }
    };
    let fitted = match (ty, literal) {
        (ParamType::String, l @ Literal::String(_)) => Some(l),
        (ParamType::Int, l @ Literal::Int(_)) => Some(l),
        (ParamType::Float, Literal::Int(n)) => Some(Literal::Float(n as f64)),
        (ParamType::Float, l @ Literal::Float(_)) => Some(l),
        (ParamType::Bool, l @ Literal::Bool(_)) => Some(l),
        (_, other) => {
            let hint = match (&other, ty) {
                (Literal::String(_), ParamType::Int | ParamType::Float | ParamType::Bool) => {
                    "remove the quotes, or declare the parameter as `string`".to_string()
                }
                (Literal::Float(_), ParamType::Int) => {
                    "declare the parameter as `float`, or write a whole number".to_string()
                }
                _ => format!("write {} value, or change the parameter's type", ty.with_article()),
            };
            lw.push(
                Diagnostic::new(
                    code,
                    e.span,
                    format!("{what} is {}, but the parameter is {}", literal_kind(&other), ty.with_article()),
                )
                .label(format!("expected {}", ty.with_article()))
                .help(hint),
            );
            None
        }
    };
    fitted
}

fn bound(lw: &mut Lowerer, e: &Expr, ty: ParamType, which: &str) -> Option<Literal> {
    if !matches!(ty, ParamType::Int | ParamType::Float) {
        lw.push(
            Diagnostic::new(
                Code::InvalidParamConstraint,
                e.span,
                format!("`{which}` only applies to `int` and `float` parameters"),
            )
            .label(format!("on {} parameter", ty.with_article()))
            .help("remove it, or use `enum` to restrict the values"),
        );
        return None;
    }
    literal_of(lw, e, ty, &format!("`{which}`"), Code::InvalidParamConstraint)
}

fn allowed_values(lw: &mut Lowerer, e: &Expr, ty: ParamType) -> Option<Vec<Literal>> {
    if ty == ParamType::Bool {
        lw.push(
            Diagnostic::new(Code::InvalidParamConstraint, e.span, "`enum` does not apply to `bool` parameters")
                .label("on a bool parameter")
                .help("remove it: a bool is already `true` or `false`"),
        );
        return None;
    }
    let values =
        lw.list(e, "`enum`", |lw, item| literal_of(lw, item, ty, "an `enum` value", Code::InvalidParamConstraint))?;
    if values.is_empty() {
        lw.push(
            Diagnostic::new(Code::InvalidParamConstraint, e.span, "`enum` is empty")
                .label("no values")
                .help("list the allowed values, or remove `enum`"),
        );
        return None;
    }
    Some(values)
}

fn number(l: &Literal) -> f64 {
    match l {
        Literal::Int(n) => *n as f64,
        Literal::Float(f) => *f,
        _ => 0.0,
    }
}

fn literal_kind(l: &Literal) -> &'static str {
    match l {
        Literal::String(_) => "a string",
        Literal::Int(_) => "an integer",
        Literal::Float(_) => "a float",
        Literal::Bool(_) => "a boolean",
    }
}

/// A scheduled run has nobody to give a required parameter: Airflow refuses such a DAG
/// outright, and a SageMaker or Step Functions schedule would start runs that fail.
/// The literal strings a string param may hold as written: its default, then its
/// `enum` values, each with its span (other values are checked with the param).
pub fn literal_strings(param: &ast::Param) -> Vec<(Span, &str)> {
    let listed = param.attributes.iter().find(|a| a.key.node == "enum").map_or(&[][..], |a| match &a.value.kind {
        ExprKind::List(items) => items.as_slice(),
        _ => &[],
    });
    param
        .default
        .iter()
        .chain(listed)
        .filter_map(|e| match &e.kind {
            ExprKind::Str(parts) => match parts.as_slice() {
                [ast::StrPart::Text(value)] => Some((e.span, value.as_str())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

pub fn required_on_schedule(lw: &mut Lowerer, params: &[Param], schedule: Span) {
    for param in params.iter().filter(|p| p.default.is_none()) {
        lw.push(
            Diagnostic::new(
                Code::InvalidParamConstraint,
                param.name.span,
                format!("parameter `{}` is required, but the pipeline runs on a schedule", param.name.node),
            )
            .label("no default")
            .secondary(schedule, "scheduled runs are started with no parameters")
            .help("give the parameter a default, or remove `schedule` and start each run with its value"),
        );
    }
}
