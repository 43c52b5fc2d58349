//! `tuning` steps: the training job each trial runs (checked as a training step's
//! fields), the searched hyperparameters (`range`, `choice`), the objective, and the
//! search's size.

use super::fields::Fields;
use super::symbols::StepSymbol;
use super::values::Lowerer;
use super::Context;
use crate::aws::limits::{TUNING_CHOICE_VALUE, TUNING_METRIC_NAME, TUNING_RANGES};
use crate::diagnostics::suggest::help_for;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Goal, Objective, ParameterRange, Strategy, Tuning, Value};
use crate::kinds::Kind;
use crate::syntax::ast::{self, Expr, ExprKind, StrPart};

/// The functions a hyperparameter's value may call, in a tuning step.
const SEARCH_FUNCTIONS: [&str; 2] = ["range", "choice"];

pub fn tuning(lw: &mut Lowerer, cx: &Context, f: &mut Fields, step: &ast::Step, sym: &StepSymbol) -> Option<Tuning> {
    let objective =
        f.require("objective", "minimize(\"validation:rmse\")", &mut lw.diags).and_then(|e| objective(lw, e));
    let max_jobs = f
        .require("max_jobs", "10", &mut lw.diags)
        .and_then(|e| lw.static_int(e, "`max_jobs`", 1..=i64::from(i32::MAX)));
    let parallel = match f.get("parallel") {
        Some(e) => lw.static_int(e, "`parallel`", 1..=i64::from(i32::MAX)),
        None => Some(1),
    };
    let strategy = match f.get("strategy") {
        Some(e) => lw.choice(e, "`strategy`", &["bayesian", "random"]).map(|s| match s {
            "random" => Strategy::Random,
            _ => Strategy::Bayesian,
        }),
        None => Some(Strategy::Bayesian),
    };
    let hyperparameters_span = f
        .require("hyperparameters", "{ eta = range(0.05, 0.5, log) }", &mut lw.diags)
        .and_then(|_| f.key_span("hyperparameters"));
    let (job, ranges) = super::steps::training(lw, cx, f, step, sym, Kind::Tuning)?;
    if ranges.is_empty() {
        if let Some(span) = hyperparameters_span {
            lw.push(
                Diagnostic::new(Code::MissingKey, span, "a tuning step searches at least one hyperparameter")
                    .label("no `range(...)` or `choice(...)` here")
                    .help("give a hyperparameter a search space, e.g. `eta = range(0.05, 0.5, log)` or `booster = choice(\"gbtree\", \"dart\")`; with fixed hyperparameters only, use a training step"),
            );
            return None;
        }
    }
    check_range_count(lw, f, ranges.len());
    if let (Some(Objective { metric, .. }), Some(e)) = (&objective, f.get("objective")) {
        objective_is_logged(lw, e, metric, &job, cx);
    }
    Some(Tuning { job, objective: objective?, ranges, max_jobs: max_jobs?, parallel: parallel?, strategy: strategy? })
}

/// `maximize("metric")` or `minimize("metric")`.
fn objective(lw: &mut Lowerer, e: &Expr) -> Option<Objective> {
    let help = "write `minimize(\"validation:rmse\")` or `maximize(\"validation:auc\")`: the metric the best job has";
    let (goal, arg) = match &e.kind {
        ExprKind::Call(name, args) if matches!(name.node.as_str(), "maximize" | "minimize") => {
            let goal = if name.node == "maximize" { Goal::Maximize } else { Goal::Minimize };
            match args.as_slice() {
                [arg] => (goal, arg),
                _ => {
                    lw.push(
                        Diagnostic::new(
                            Code::WrongValueType,
                            e.span,
                            format!("`{}` takes one argument, the metric's name", name.node),
                        )
                        .label(format!("{} arguments", args.len()))
                        .help(help),
                    );
                    return None;
                }
            }
        }
        ExprKind::Call(name, _) => {
            lw.push(
                Diagnostic::new(Code::UnknownFunction, name.span, format!("unknown function `{}`", name.node))
                    .label("not an objective")
                    .maybe_help(
                        help_for(&name.node, ["maximize", "minimize"], "objectives").or(Some(help.to_string())),
                    ),
            );
            return None;
        }
        _ => {
            lw.push(
                Diagnostic::new(
                    Code::WrongValueType,
                    e.span,
                    format!("`objective` is `maximize(...)` or `minimize(...)`, found {}", e.describe()),
                )
                .label("expected an objective")
                .help(help),
            );
            return None;
        }
    };
    let metric = lw.static_text(arg, "the objective's metric")?;
    if !(1..=TUNING_METRIC_NAME).contains(&metric.chars().count()) {
        lw.push(
            Diagnostic::new(
                Code::InvalidValue,
                arg.span,
                format!("a metric name has 1 to {TUNING_METRIC_NAME} characters"),
            )
            .label(format!("{} characters", metric.chars().count()))
            .help("name the metric as the training job logs it, e.g. \"validation:rmse\""),
        );
        return None;
    }
    Some(Objective { goal, metric })
}

/// The objective is a metric the trials report: one of `metrics` when the step sets
/// them; without them, only a built-in algorithm (an AWS image without `code`) logs
/// metrics SageMaker knows by name.
fn objective_is_logged(lw: &mut Lowerer, e: &Expr, metric: &str, job: &crate::ir::Training, cx: &Context) {
    let span = match &e.kind {
        ExprKind::Call(_, args) => args.first().map_or(e.span, |a| a.span),
        _ => e.span,
    };
    if !job.metrics.is_empty() {
        if !job.metrics.iter().any(|(name, _)| name == metric) {
            lw.push(
                Diagnostic::new(
                    Code::UnknownReference,
                    span,
                    format!("the objective `{metric}` is not one of the step's `metrics`"),
                )
                .label("not in `metrics`")
                .maybe_help(
                    help_for(metric, job.metrics.iter().map(|(n, _)| n.as_str()), "metrics").or_else(|| {
                        Some(format!(
                            "add `\"{metric}\" = \"REGEX\"` to `metrics`: the pattern that finds it in the logs"
                        ))
                    }),
                ),
            );
        }
        return;
    }
    let built_in = job.code.is_none() && cx.images.get(&job.image.name).is_some_and(|image| image.framework.is_some());
    if !built_in {
        lw.push(
            Diagnostic::new(Code::MissingKey, span, format!("nothing tells SageMaker where `{metric}` is in the training logs"))
                .label("no pattern for the objective")
                .help(format!("add `metrics = {{ \"{metric}\" = \"REGEX\" }}`: a regular expression whose first group is the value; only built-in algorithms (an AWS image without `code`) report their metrics by name")),
        );
    }
}

/// A hyperparameter of a training or tuning step: one value, or a search space.
pub enum Hyperparameter {
    Fixed(Value),
    Searched(ParameterRange),
}

/// A hyperparameter's value: a scalar, or `range(...)`/`choice(...)` in a tuning step;
/// `None` when it was reported. In a training step every search is reported.
pub fn hyperparameter(lw: &mut Lowerer, key: &str, e: &Expr, kind: Kind) -> Option<Hyperparameter> {
    let ExprKind::Call(name, args) = &e.kind else {
        return lw.scalar(e, &format!("hyperparameter `{key}`")).map(Hyperparameter::Fixed);
    };
    if !SEARCH_FUNCTIONS.contains(&name.node.as_str()) {
        lw.push(
            Diagnostic::new(Code::UnknownFunction, name.span, format!("unknown function `{}`", name.node))
                .label("not a search space")
                .maybe_help(help_for(&name.node, SEARCH_FUNCTIONS, "functions").or_else(|| {
                    Some(
                        "a hyperparameter is a value, `range(lo, hi)`, `range(lo, hi, log)` or `choice(a, b, …)`"
                            .to_string(),
                    )
                })),
        );
        return None;
    }
    if kind != Kind::Tuning {
        lw.push(
            Diagnostic::new(
                Code::WrongValueType,
                e.span,
                format!("hyperparameter `{key}` is searched, and a {} step runs one job", kind.name()),
            )
            .label("a search space")
            .help(
                "make the step a `tuning` step with `objective` and `max_jobs`, or give the hyperparameter one value",
            ),
        );
        return None;
    }
    let range = if name.node == "range" { range(lw, key, e, args) } else { choice(lw, key, e, args) };
    range.map(Hyperparameter::Searched)
}

/// `range(lo, hi)` or `range(lo, hi, log)`: literal numbers, `lo < hi`, `lo > 0` with `log`.
fn range(lw: &mut Lowerer, key: &str, call: &Expr, args: &[Expr]) -> Option<ParameterRange> {
    let (lo, hi, log) = match args {
        [lo, hi] => (lo, hi, false),
        [lo, hi, scale] => {
            let ok = matches!(&scale.kind, ExprKind::Path(p) if p.segments.len() == 1 && p.segments.first().is_some_and(|s| s.text() == "log"));
            if !ok {
                lw.push(
                    Diagnostic::new(Code::InvalidValue, scale.span, "the third argument of `range` is `log`")
                        .label("not a scale")
                        .help("write `range(lo, hi, log)` to search on a log scale, or `range(lo, hi)`"),
                );
                return None;
            }
            (lo, hi, true)
        }
        _ => {
            lw.push(
                Diagnostic::new(
                    Code::WrongValueType,
                    call.span,
                    format!("`range` takes 2 or 3 arguments, found {}", args.len()),
                )
                .label("wrong number of arguments")
                .help("write `range(lo, hi)` or `range(lo, hi, log)`"),
            );
            return None;
        }
    };
    // A bound as written: its integer, if it is one, and its value.
    let number = |lw: &mut Lowerer, e: &Expr| match &e.kind {
        ExprKind::Int(n) => Some((Some(*n), *n as f64)),
        ExprKind::Float(f) => Some((None, *f)),
        _ => {
            lw.push(
                Diagnostic::new(
                    Code::WrongValueType,
                    e.span,
                    format!("a bound of `range` is a literal number, found {}", e.describe()),
                )
                .label("expected a number")
                .help("write the bound as a number: a search space is fixed when the tuning job starts"),
            );
            None
        }
    };
    let (lo_bound, hi_bound) = (number(lw, lo), number(lw, hi));
    let ((lo_int, low), (hi_int, high)) = (lo_bound?, hi_bound?);
    if low >= high {
        lw.push(
            Diagnostic::new(
                Code::InvalidValue,
                call.span,
                format!("the range of `{key}` is empty: its lower bound is not below its upper bound"),
            )
            .label("lower bound ≥ upper bound")
            .help("write the lower bound first, e.g. `range(0.05, 0.5)`; for one value, write the value"),
        );
        return None;
    }
    if log && low <= 0.0 {
        lw.push(
            Diagnostic::new(
                Code::InvalidValue,
                lo.span,
                format!("a log-scaled range starts above 0; `{key}` starts at {}", show(lo)),
            )
            .label("not above 0")
            .help("raise the lower bound above 0, or drop `log`"),
        );
        return None;
    }
    Some(match (lo_int, hi_int) {
        (Some(lo), Some(hi)) => ParameterRange::Integer { lo, hi, log },
        _ => ParameterRange::Continuous { lo: low, hi: high, log },
    })
}

fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Float(f) => crate::ir::format_float(*f),
        _ => e.describe().to_string(),
    }
}

/// `choice(a, b, …)`: 1 to 30 literal values.
fn choice(lw: &mut Lowerer, key: &str, call: &Expr, args: &[Expr]) -> Option<ParameterRange> {
    if args.is_empty() || args.len() > TUNING_RANGES {
        lw.push(
            Diagnostic::new(
                Code::InvalidValue,
                call.span,
                format!("`choice` takes 1 to {TUNING_RANGES} values, found {}", args.len()),
            )
            .label("wrong number of values")
            .help(format!("list the values `{key}` may take, e.g. `choice(\"gbtree\", \"dart\")`")),
        );
        return None;
    }
    let values: Vec<Option<Value>> = args
        .iter()
        .map(|a| {
            let value = match &a.kind {
                ExprKind::Int(n) => Value::Int(*n),
                ExprKind::Float(f) => Value::Float(*f),
                ExprKind::Bool(b) => Value::Bool(*b),
                ExprKind::Str(parts) if parts.iter().all(|p| matches!(p, StrPart::Text(_))) => {
                    Value::Text(crate::ir::Text::literal(lw.static_text(a, "a choice")?))
                }
                ExprKind::Str(_) => {
                    lw.push(
                        Diagnostic::new(Code::WrongValueType, a.span, "a value of `choice` is fixed text, and this one holds `${...}`")
                            .label("known only when the run starts")
                            .help("a search space is fixed when the tuning job starts: write the value out, and `$${` for a literal `${`"),
                    );
                    return None;
                }
                _ => {
                    lw.push(
                        Diagnostic::new(Code::WrongValueType, a.span, format!("a value of `choice` is a literal, found {}", a.describe()))
                            .label("expected a literal")
                            .help("write each value as a string, number or boolean: a search space is fixed when the tuning job starts"),
                    );
                    return None;
                }
            };
            let chars = crate::targets::requests::value_pieces(&value)
                .iter()
                .map(|p| match p {
                    crate::targets::requests::Piece::Literal(t) => t.chars().count(),
                    _ => 0,
                })
                .sum::<usize>();
            if chars > TUNING_CHOICE_VALUE {
                lw.push(
                    Diagnostic::new(Code::InvalidValue, a.span, format!("a value of `choice` has at most {TUNING_CHOICE_VALUE} characters"))
                        .label(format!("{chars} characters"))
                        .help("shorten the value: SageMaker's `CategoricalParameterRange` takes at most 256 characters per value"),
                );
                return None;
            }
            Some(value)
        })
        .collect();
    Some(ParameterRange::Categorical(values.into_iter().collect::<Option<Vec<_>>>()?))
}

/// At most 30 searched hyperparameters per tuning job (all kinds of range together).
fn check_range_count(lw: &mut Lowerer, f: &Fields, ranges: usize) {
    if ranges > TUNING_RANGES {
        if let Some(span) = f.key_span("hyperparameters") {
            lw.push(
                Diagnostic::new(
                    Code::RequestLimitExceeded,
                    span,
                    format!(
                        "a tuning job searches at most {TUNING_RANGES} hyperparameters; this one searches {ranges}"
                    ),
                )
                .label("too many ranges")
                .help("fix some of them to one value"),
            );
        }
    }
}
