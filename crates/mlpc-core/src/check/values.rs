//! Lowers expressions to IR values for a field of a known type: resolves `params.*`,
//! `config.*` and `run.id`, checks that the value fits the field, and records which
//! params are used. Every failure is one diagnostic; callers get `None` and move on.

use std::collections::HashSet;

use serde_json::Value as Json;

use super::config::{describe, Config};
use super::graph::Link;
use super::symbols::Symbols;
use crate::diagnostics::suggest::{did_you_mean, help_for};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{
    format_float, ArtifactRef, ArtifactType, Edge, Literal, Operand, ParamType, ReportValue, Text, TextPart, Value,
};
use crate::kinds::Kind;
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, Path, StrPart};

/// What a field holds, for messages and for deciding which params fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    Text,
    Int,
    /// Any scalar: hyperparameters and python arguments.
    Scalar,
}

impl Want {
    fn describe(self) -> &'static str {
        match self {
            Want::Text => "a string",
            Want::Int => "an integer",
            Want::Scalar => "a string, number or boolean",
        }
    }

    fn accepts(self, ty: ParamType) -> bool {
        match self {
            Want::Text => ty == ParamType::String,
            Want::Int => ty == ParamType::Int,
            Want::Scalar => true,
        }
    }
}

/// A reference resolved to what it names.
enum Resolved<'j> {
    Param(String, ParamType),
    Config(&'j Json),
    /// `run.id` or `run.date`, as the text part it is.
    Run(TextPart),
    Artifact(ArtifactRef),
    /// A value in a report output: `STEP.OUTPUT.key...`.
    Report(ReportValue),
    /// Already reported (or refers to something broken): stay silent.
    Poison,
}

pub struct Lowerer<'a> {
    pub symbols: &'a Symbols<'a>,
    pub config: &'a Config,
    pub diags: Vec<Diagnostic>,
    pub used_params: HashSet<String>,
    /// Every dependency resolved so far, kept even when its step fails to lower, so
    /// that cycles are reported alongside other errors.
    pub links: Vec<super::graph::Link>,
    /// The step being lowered.
    pub current: crate::ir::StepId,
    /// The step being lowered, once steps are: only a step's text may name an output.
    pub step: Option<crate::ir::StepId>,
    /// Names declared by items that failed to parse (see `ast::File::broken`).
    pub broken: HashSet<String>,
}

impl<'a> Lowerer<'a> {
    pub fn new(symbols: &'a Symbols<'a>, config: &'a Config) -> Self {
        Lowerer {
            symbols,
            config,
            diags: Vec::new(),
            used_params: HashSet::new(),
            links: Vec::new(),
            current: crate::ir::StepId(0),
            step: None,
            broken: HashSet::new(),
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// A string field; `params.X` of type string, `config.*` strings, `run.id` and
    /// interpolated strings fit.
    pub fn text(&mut self, e: &Expr, field: &str) -> Option<Text> {
        match &e.kind {
            ExprKind::Str(parts) => self.interpolate(parts),
            ExprKind::Path(path) => match self.resolve(path) {
                Resolved::Param(name, ParamType::String) => Some(Text { parts: vec![TextPart::Param(name)] }),
                Resolved::Param(name, ty) => {
                    self.param_mismatch(path.span, &name, ty, Want::Text, field);
                    None
                }
                Resolved::Config(json) => match json {
                    Json::String(s) => Some(Text::literal(s.clone())),
                    other => {
                        self.config_mismatch(path, other, Want::Text, field);
                        None
                    }
                },
                Resolved::Run(part) => Some(Text { parts: vec![part] }),
                Resolved::Artifact(_) => {
                    self.artifact_in_value(path, field);
                    None
                }
                Resolved::Report(_) => {
                    self.report_value_elsewhere(path, field);
                    None
                }
                Resolved::Poison => None,
            },
            _ => {
                self.wrong_type(e, Want::Text, field);
                None
            }
        }
    }

    /// A string known at compile time: a literal or a `config.*` string, never a
    /// param or `run.id` (paths, regions, names...).
    pub fn static_text(&mut self, e: &Expr, field: &str) -> Option<String> {
        let text = self.text(e, field)?;
        match text.as_literal() {
            Some(s) => Some(s),
            None => {
                self.push(
                    Diagnostic::new(Code::WrongValueType, e.span, format!("{field} must be known at compile time"))
                        .label("uses a run-time value")
                        .help("write a literal string or a `config.*` value here; params and `run.id` are only known when the pipeline runs"),
                );
                None
            }
        }
    }

    /// An integer field: a literal, an int `config.*` value, or an int param.
    pub fn int(&mut self, e: &Expr, field: &str) -> Option<Value> {
        self.scalar_of(e, Want::Int, field)
    }

    /// Any scalar (hyperparameters, python arguments).
    pub fn scalar(&mut self, e: &Expr, field: &str) -> Option<Value> {
        self.scalar_of(e, Want::Scalar, field)
    }

    /// A literal integer known at compile time, within `range`.
    pub fn static_int(&mut self, e: &Expr, field: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        match self.int(e, field)? {
            Value::Int(n) if range.contains(&n) => Some(n),
            Value::Int(n) => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        e.span,
                        format!("{field} is {n}, outside {}..={}", range.start(), range.end()),
                    )
                    .label("out of range")
                    .help(format!("use a value from {} to {}", range.start(), range.end())),
                );
                None
            }
            _ => {
                self.push(
                    Diagnostic::new(Code::WrongValueType, e.span, format!("{field} must be known at compile time"))
                        .label("uses a parameter")
                        .help("write a literal integer here"),
                );
                None
            }
        }
    }

    pub fn duration(&mut self, e: &Expr, field: &str) -> Option<u64> {
        match &e.kind {
            ExprKind::Duration(s) => Some(*s),
            _ => {
                self.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        e.span,
                        format!("{field} must be a duration, found {}", e.describe()),
                    )
                    .label("expected a duration")
                    .help("write a whole number followed by s, m, h or d, e.g. `30m` or `2h`"),
                );
                None
            }
        }
    }

    /// A duration within `range` (seconds); `what_limits` names what the limit is of
    /// ("a processing job's run time").
    pub fn duration_in(
        &mut self,
        e: &Expr,
        field: &str,
        range: std::ops::RangeInclusive<u64>,
        what_limits: &str,
    ) -> Option<u64> {
        let seconds = self.duration(e, field)?;
        if range.contains(&seconds) {
            return Some(seconds);
        }
        let (what, limit) = if seconds < *range.start() {
            ("below", format!("at least {}", show_seconds(*range.start())))
        } else {
            ("above", format!("at most {}", show_seconds(*range.end())))
        };
        let help = if *range.end() == u64::MAX {
            format!("write a duration of at least {}", show_seconds(*range.start()))
        } else {
            format!("write a duration from {} to {}", show_seconds(*range.start()), show_seconds(*range.end()))
        };
        self.push(
            Diagnostic::new(
                Code::InvalidValue,
                e.span,
                format!("{field} is {}: {what_limits} must be {limit}", show_seconds(seconds)),
            )
            .label(format!("{what} the limit"))
            .help(help),
        );
        None
    }

    /// A list whose items each go through `item`. A `config.*` list is not accepted
    /// here: list items need their own spans.
    pub fn list<T>(
        &mut self,
        e: &Expr,
        field: &str,
        mut item: impl FnMut(&mut Self, &Expr) -> Option<T>,
    ) -> Option<Vec<T>> {
        let ExprKind::List(items) = &e.kind else {
            self.push(
                Diagnostic::new(
                    Code::WrongValueType,
                    e.span,
                    format!("{field} must be a list, found {}", e.describe()),
                )
                .label("expected a list")
                .help("write a list in brackets, e.g. `[\"a\", \"b\"]`"),
            );
            return None;
        };
        let lowered: Vec<Option<T>> = items.iter().map(|i| item(self, i)).collect();
        lowered.into_iter().collect()
    }

    /// A map whose keys are unique and whose values each go through `value`.
    pub fn map<T>(
        &mut self,
        e: &Expr,
        field: &str,
        mut value: impl FnMut(&mut Self, &str, &Expr) -> Option<T>,
    ) -> Option<Vec<(String, T)>> {
        let ExprKind::Map(entries) = &e.kind else {
            self.push(
                Diagnostic::new(Code::WrongValueType, e.span, format!("{field} must be a map, found {}", e.describe()))
                    .label("expected a map")
                    .help("write a map in braces, e.g. `{ KEY = \"value\" }`"),
            );
            return None;
        };
        let mut out: Vec<(String, T)> = Vec::new();
        let mut ok = true;
        let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
        for entry in entries {
            if let Some(&first_span) = seen.get(entry.key.node.as_str()) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        entry.key.span,
                        format!("key `{}` appears twice in {field}", entry.key.node),
                    )
                    .label("second time")
                    .secondary(first_span, "first time")
                    .help("keep one of them"),
                );
                ok = false;
                continue;
            }
            seen.insert(&entry.key.node, entry.key.span);
            match value(self, &entry.key.node, &entry.value) {
                Some(v) => out.push((entry.key.node.clone(), v)),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A bare word (or string) out of a fixed set, e.g. `engine = athena`.
    pub fn choice(&mut self, e: &Expr, field: &str, choices: &[&'static str]) -> Option<&'static str> {
        let word = match &e.kind {
            ExprKind::Path(p) if p.segments.len() == 1 => p.segments.first().map(|s| s.text().to_string()),
            ExprKind::Str(parts) => match parts.as_slice() {
                [StrPart::Text(t)] => Some(t.clone()),
                _ => None,
            },
            _ => None,
        };
        let found = word.as_deref().and_then(|w| choices.iter().find(|c| c.eq_ignore_ascii_case(w)).copied());
        if found.is_none() {
            let list = choices.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
            let suggestion = word.as_deref().and_then(|w| did_you_mean(w, choices.iter().copied()));
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`? {field} is one of {list}"),
                None => format!("{field} is one of {list}"),
            };
            self.push(
                Diagnostic::new(Code::InvalidValue, e.span, format!("invalid {field}"))
                    .label("not one of the accepted values")
                    .help(help),
            );
        }
        found
    }

    /// `STEP.OUTPUT`, resolved; any other expression is reported.
    pub fn artifact(&mut self, e: &Expr, field: &str) -> Option<ArtifactRef> {
        let ExprKind::Path(path) = &e.kind else {
            self.push(
                Diagnostic::new(
                    Code::WrongValueType,
                    e.span,
                    format!("{field} must name a step output, found {}", e.describe()),
                )
                .label("expected `STEP.OUTPUT`")
                .help("write the producing step and its output, e.g. `split.train`"),
            );
            return None;
        };
        match self.resolve(path) {
            Resolved::Artifact(a) => Some(a),
            Resolved::Poison => None,
            Resolved::Report(_) | Resolved::Param(..) | Resolved::Config(_) | Resolved::Run(_) => {
                self.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        e.span,
                        format!("{field} must name a step output, found `{}`", path.display()),
                    )
                    .label("not a step output")
                    .help("write the producing step and its output, e.g. `split.train`"),
                );
                None
            }
        }
    }

    fn scalar_of(&mut self, e: &Expr, want: Want, field: &str) -> Option<Value> {
        let value = match (&e.kind, want) {
            (ExprKind::Int(n), Want::Int | Want::Scalar) => Value::Int(*n),
            (ExprKind::Float(f), Want::Scalar) => Value::Float(*f),
            (ExprKind::Bool(b), Want::Scalar) => Value::Bool(*b),
            (ExprKind::Str(parts), Want::Scalar) => Value::Text(self.interpolate(parts)?),
            (ExprKind::Path(path), _) => return self.scalar_ref(path, want, field),
            _ => {
                self.wrong_type(e, want, field);
                return None;
            }
        };
        Some(value)
    }

    fn scalar_ref(&mut self, path: &Path, want: Want, field: &str) -> Option<Value> {
        match self.resolve(path) {
            Resolved::Param(name, ty) if want.accepts(ty) => Some(Value::Param(name)),
            Resolved::Param(name, ty) => {
                self.param_mismatch(path.span, &name, ty, want, field);
                None
            }
            Resolved::Config(json) => {
                let literal = json_literal(json);
                let value = match (literal, want) {
                    (Some(Literal::Int(n)), Want::Int | Want::Scalar) => Some(Value::Int(n)),
                    (Some(Literal::Bool(b)), Want::Scalar) => Some(Value::Bool(b)),
                    (Some(Literal::Float(f)), Want::Scalar) => Some(Value::Float(f)),
                    (Some(Literal::String(s)), Want::Scalar) => Some(Value::Text(Text::literal(s))),
                    _ => None,
                };
                if value.is_none() {
                    self.config_mismatch(path, json, want, field);
                }
                value
            }
            Resolved::Run(part) if want == Want::Scalar => Some(Value::Text(Text { parts: vec![part] })),
            Resolved::Run(_) => {
                self.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        path.span,
                        format!("{field} must be {}, found `{}` (a string)", want.describe(), path.display()),
                    )
                    .label("a string"),
                );
                None
            }
            Resolved::Artifact(_) => {
                self.artifact_in_value(path, field);
                None
            }
            Resolved::Report(_) => {
                self.report_value_elsewhere(path, field);
                None
            }
            Resolved::Poison => None,
        }
    }

    /// Text with `${...}` parts resolved; any scalar may be interpolated.
    pub fn interpolate(&mut self, parts: &[StrPart]) -> Option<Text> {
        let mut text = Text::default();
        let mut ok = true;
        for part in parts {
            match part {
                StrPart::Text(t) => push_literal(&mut text, t),
                StrPart::Interpolation(path) => match self.resolve(path) {
                    Resolved::Param(name, _) => text.parts.push(TextPart::Param(name)),
                    Resolved::Run(part) => text.parts.push(part),
                    Resolved::Config(json) => match json_literal(json) {
                        Some(lit) => push_literal(&mut text, &lit.to_text()),
                        None => {
                            let number_help = super::config::number_help(json, true);
                            self.push(
                                Diagnostic::new(
                                    Code::WrongValueType,
                                    path.span,
                                    format!(
                                        "`{}` in {} is {}, which cannot be put in a string",
                                        path.display(),
                                        self.config.file_name(),
                                        describe(json)
                                    ),
                                )
                                .label(match number_help {
                                    Some(_) => "cannot be represented exactly",
                                    None => "not a string, number or boolean",
                                })
                                .help(number_help.unwrap_or_else(|| {
                                    "interpolate a key that holds a string, number or boolean".to_string()
                                })),
                            );
                            ok = false;
                        }
                    },
                    Resolved::Artifact(reference) => match self.step {
                        // In a step: the output's S3 URI, and an edge from its producer.
                        Some(to) => {
                            let kind =
                                self.symbols.step(reference.step).and_then(|s| Kind::from_name(&s.ast.kind.node));
                            self.links.push(Link {
                                from: reference.step,
                                to,
                                edge: Edge::Text { output: reference.output.clone() },
                                span: reference.span,
                            });
                            // A model step's output is the model's name, not a location.
                            if kind == Some(Kind::Model) {
                                text.parts.push(TextPart::ModelName(reference.step));
                            } else {
                                text.parts.push(TextPart::Output {
                                    step: reference.step,
                                    output: reference.output,
                                    archive: matches!(kind, Some(Kind::Training | Kind::Tuning)),
                                });
                            }
                        }
                        None => {
                            self.artifact_in_value(path, "a string");
                            ok = false;
                        }
                    },
                    Resolved::Report(_) => {
                        self.report_value_elsewhere(path, "this string");
                        ok = false;
                    }
                    Resolved::Poison => ok = false,
                },
            }
        }
        if text.parts.is_empty() {
            text.parts.push(TextPart::Literal(String::new()));
        }
        ok.then_some(text)
    }

    /// A path into a report (`STEP.OUTPUT.key...`): the value it names, with an edge from
    /// the report's producer to the step being lowered. Anything else is reported.
    pub fn report_value(&mut self, path: &Path, field: &str) -> Option<ReportValue> {
        match self.resolve(path) {
            Resolved::Report(value) => {
                self.reads_report(&value);
                Some(value)
            }
            Resolved::Poison => None,
            Resolved::Artifact(_) | Resolved::Param(..) | Resolved::Config(_) | Resolved::Run(_) => {
                self.push(
                    Diagnostic::new(Code::WrongValueType, path.span, format!("{field} must be a value in a report, found `{}`", path.display()))
                        .label("not a report value")
                        .help("name a value inside a `report` output: `STEP.OUTPUT.key`, e.g. `evaluate.evaluation.metrics.mse`"),
                );
                None
            }
        }
    }

    /// A reference compared in a condition: a parameter, a config value (inlined), or
    /// a report value (with its edge); with its type when known.
    pub fn operand(&mut self, path: &Path) -> Option<(Operand, Option<ParamType>)> {
        match self.resolve(path) {
            Resolved::Param(name, ty) => Some((Operand::Param(name), Some(ty))),
            Resolved::Config(json) => match json_literal(json) {
                Some(lit) => {
                    let ty = literal_type(&lit);
                    Some((Operand::Literal(lit), Some(ty)))
                }
                None => {
                    self.config_mismatch(path, json, Want::Scalar, "a comparison");
                    None
                }
            },
            Resolved::Report(value) => {
                self.reads_report(&value);
                let ty = value.ty;
                Some((Operand::Report(value), ty))
            }
            Resolved::Run(_) => {
                self.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        path.span,
                        format!("a condition cannot compare `{}`", path.display()),
                    )
                    .label("a property of the run")
                    .help("compare report values, `params.X`, `config.X` and literals"),
                );
                None
            }
            Resolved::Artifact(_) => {
                self.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        path.span,
                        format!("a condition compares values, and `{}` is an artifact", path.display()),
                    )
                    .label("an artifact, not a value")
                    .help("declare the output as a `report` and compare a value in it: `STEP.OUTPUT.key`"),
                );
                None
            }
            Resolved::Poison => None,
        }
    }

    /// The step being lowered reads `value` at run time: it waits for the report.
    fn reads_report(&mut self, value: &ReportValue) {
        self.links.push(Link {
            from: value.step,
            to: self.current,
            edge: Edge::Report { output: value.output.clone() },
            span: value.span,
        });
    }

    /// Whether `path` names a value in a report output (`STEP.OUTPUT.key...`), before it
    /// is resolved: such a path is read at run time, not interpolated as text.
    pub fn is_report_path(&self, path: &Path) -> bool {
        let (Some(root), Some(output)) = (path.segments.first(), path.segments.get(1)) else {
            return false;
        };
        path.segments.len() > 2
            && self.symbols.step_id(root.text()).and_then(|id| self.symbols.step(id)).is_some_and(|s| {
                s.outputs.iter().any(|(n, t, _)| n == output.text() && *t == Some(ArtifactType::Report))
            })
    }

    /// Resolves `params.X`, `config...`, `run.id` and `STEP.OUTPUT`.
    fn resolve(&mut self, path: &Path) -> Resolved<'a> {
        let segs = &path.segments;
        let root = segs.first().map(|s| s.text()).unwrap_or("");
        match root {
            "params" => self.resolve_param(path),
            "config" => match self.config.lookup(path, &mut self.diags) {
                Some(json) => Resolved::Config(json),
                None => Resolved::Poison,
            },
            "run" if segs.len() == 2 && segs.get(1).is_some_and(|s| s.text() == "id") => Resolved::Run(TextPart::RunId),
            "run" if segs.len() == 2 && segs.get(1).is_some_and(|s| s.text() == "date") => {
                Resolved::Run(TextPart::RunDate)
            }
            "run" => {
                self.push(
                    Diagnostic::new(
                        Code::UnknownReference,
                        path.span,
                        format!("`{}` is not a run property", path.display()),
                    )
                    .label("unknown run property")
                    .help("the run has two properties: `run.id` and `run.date`"),
                );
                Resolved::Poison
            }
            _ => self.resolve_artifact(path),
        }
    }

    fn resolve_param(&mut self, path: &Path) -> Resolved<'a> {
        let (Some(name), 2) = (path.segments.get(1), path.segments.len()) else {
            self.push(
                Diagnostic::new(
                    Code::UnknownParam,
                    path.span,
                    format!("`{}` is not a parameter reference", path.display()),
                )
                .label("expected `params.NAME`")
                .help("parameters are plain values: write `params.NAME`"),
            );
            return Resolved::Poison;
        };
        match self.symbols.param(name.text()) {
            Some((_, Some(ty))) => {
                self.used_params.insert(name.text().to_string());
                Resolved::Param(name.text().to_string(), ty)
            }
            Some((_, None)) => {
                self.used_params.insert(name.text().to_string());
                Resolved::Poison
            }
            None if self.broken.contains(name.text()) => Resolved::Poison,
            None => {
                self.push(
                    Diagnostic::new(Code::UnknownParam, name.span(), format!("unknown parameter `{}`", name.text()))
                        .label("not declared")
                        .maybe_help(
                            help_for(name.text(), self.symbols.param_names(), "parameters")
                                .or_else(|| Some(format!("declare it: `param {}: string = \"...\"`", name.text()))),
                        ),
                );
                Resolved::Poison
            }
        }
    }

    fn resolve_artifact(&mut self, path: &Path) -> Resolved<'a> {
        let root = path.segments.first();
        let root_name = root.map(|s| s.text()).unwrap_or("");
        let root_span = root.map_or(path.span, |s| s.span());
        let Some(step_id) = self.symbols.step_id(root_name) else {
            if self.broken.contains(root_name) {
                return Resolved::Poison;
            }
            let known: Vec<&str> = self.symbols.step_names().chain(["params", "config", "run"]).collect();
            let (code, message) = if path.segments.len() == 1 {
                (Code::UnknownReference, format!("unknown name `{root_name}`"))
            } else {
                (Code::UnknownStep, format!("unknown step `{root_name}`"))
            };
            self.push(Diagnostic::new(code, root_span, message).label("not defined").maybe_help(help_for(
                root_name,
                known,
                "steps and roots (`params`, `config`, `run`)",
            )));
            return Resolved::Poison;
        };
        if let (Some(output), true) = (path.segments.get(1), path.segments.len() > 2) {
            let produced =
                self.symbols.step(step_id).and_then(|s| s.outputs.iter().find(|(n, _, _)| n == output.text()));
            if let Some((_, ty, span)) = produced {
                return self.resolve_report(step_id, output.text(), *ty, *span, path);
            }
        }
        let (Some(output), 2) = (path.segments.get(1), path.segments.len()) else {
            self.push(
                Diagnostic::new(
                    Code::UnknownOutput,
                    path.span,
                    format!("`{}` does not name one output of step `{root_name}`", path.display()),
                )
                .label("expected `STEP.OUTPUT`")
                .help(format!(
                    "name an output of `{root_name}`, e.g. `{root_name}.{}`",
                    self.output_names(step_id).first().copied().unwrap_or("OUTPUT")
                )),
            );
            return Resolved::Poison;
        };
        let known = self.output_names(step_id);
        if !known.contains(&output.text()) {
            let help = if known.is_empty() {
                Some(format!("step `{root_name}` declares no outputs; add `out NAME: TYPE` to it"))
            } else {
                help_for(output.text(), known.iter().copied(), "outputs of this step")
            };
            self.push(
                Diagnostic::new(
                    Code::UnknownOutput,
                    output.span(),
                    format!("step `{root_name}` has no output `{}`", output.text()),
                )
                .label("unknown output")
                .maybe_help(help),
            );
            return Resolved::Poison;
        }
        Resolved::Artifact(ArtifactRef { step: step_id, output: output.text().to_string(), span: path.span })
    }

    /// `STEP.OUTPUT.key...` where the step has that output: a report value when the
    /// output is a report and the path fits its schema.
    fn resolve_report(
        &mut self,
        step: crate::ir::StepId,
        output: &str,
        ty: Option<ArtifactType>,
        declared: Span,
        path: &Path,
    ) -> Resolved<'a> {
        let report = match ty {
            None => return Resolved::Poison,
            Some(ArtifactType::Report) => self.symbols.step(step).and_then(|s| s.report(output)),
            Some(other) => {
                let step_name = path.segments.first().map(|s| s.text()).unwrap_or("");
                self.push(
                    Diagnostic::new(
                        Code::UnknownOutput,
                        path.span,
                        format!("`{step_name}.{output}` is {other}, not a report: it holds no values to read"),
                    )
                    .label("not a report")
                    .secondary(declared, format!("declared as {other} here"))
                    .help(format!(
                        "read values from a `report` output; to use the {other} itself, write `{step_name}.{output}`"
                    )),
                );
                return Resolved::Poison;
            }
        };
        let Some(report) = report else { return Resolved::Poison };
        let keys = path.segments.get(2..).unwrap_or_default();
        match super::reports::path_type(report, keys, path) {
            Ok(ty) => Resolved::Report(ReportValue {
                step,
                output: output.to_string(),
                path: keys.iter().map(|k| k.text().to_string()).collect(),
                ty,
                span: path.span,
            }),
            Err(d) => {
                self.push(d);
                Resolved::Poison
            }
        }
    }

    fn report_value_elsewhere(&mut self, path: &Path, field: &str) {
        self.push(
            Diagnostic::new(
                Code::WrongValueType,
                path.span,
                format!("{field} cannot hold the report value `{}`", path.display()),
            )
            .label("read at run time, by a condition or a fail message")
            .help("report values can be compared in a condition's `check` and written in a fail step's `message`"),
        );
    }

    fn output_names(&self, id: crate::ir::StepId) -> Vec<&'a str> {
        self.symbols.step(id).map(|s| s.outputs.iter().map(|(n, _, _)| n.as_str()).collect()).unwrap_or_default()
    }

    fn wrong_type(&mut self, e: &Expr, want: Want, field: &str) {
        let help = match (want, &e.kind) {
            (Want::Int, ExprKind::Str(_)) => "remove the quotes: integers are written without them".to_string(),
            (Want::Text, ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_)) => {
                "put the value in quotes".to_string()
            }
            _ => format!("{field} takes {}", want.describe()),
        };
        self.push(
            Diagnostic::new(
                Code::WrongValueType,
                e.span,
                format!("{field} must be {}, found {}", want.describe(), e.describe()),
            )
            .label(format!("expected {}", want.describe()))
            .help(help),
        );
    }

    fn param_mismatch(&mut self, span: Span, name: &str, ty: ParamType, want: Want, field: &str) {
        let help = if want == Want::Text {
            format!("interpolate it to use its text: `\"${{params.{name}}}\"`")
        } else {
            format!("declare `{name}` with the type {field} takes, or use another parameter")
        };
        let mut d = Diagnostic::new(
            Code::ParamTypeMismatch,
            span,
            format!("{field} must be {}, but parameter `{name}` is {}", want.describe(), ty.with_article()),
        )
        .label(format!("{} parameter", ty.with_article()))
        .help(help);
        if let Some((param, _)) = self.symbols.param(name) {
            d = d.secondary(param.ty.span, "declared here");
        }
        self.push(d);
    }

    fn config_mismatch(&mut self, path: &Path, json: &Json, want: Want, field: &str) {
        let number_help = super::config::number_help(json, want != Want::Int);
        let label = match number_help {
            Some(_) => "cannot be represented exactly".to_string(),
            None => format!("{} in {}", describe(json), self.config.file_name()),
        };
        let help = if let Some(help) = number_help {
            help
        } else if want == Want::Text && json_literal(json).is_some() {
            format!("interpolate it to use its text: `\"${{{}}}\"`", path.display())
        } else {
            format!("{field} takes {}", want.describe())
        };
        self.push(
            Diagnostic::new(
                Code::WrongValueType,
                path.span,
                format!(
                    "{field} must be {}, but `{}` in {} is {}",
                    want.describe(),
                    path.display(),
                    self.config.file_name(),
                    describe(json)
                ),
            )
            .label(label)
            .help(help),
        );
    }

    fn artifact_in_value(&mut self, path: &Path, field: &str) {
        self.push(
            Diagnostic::new(
                Code::WrongValueType,
                path.span,
                format!("{field} cannot hold the artifact `{}`", path.display()),
            )
            .label("an artifact, not a value")
            .help("artifacts reach a step through its inputs: `in NAME = STEP.OUTPUT`"),
        );
    }
}

fn push_literal(text: &mut Text, s: &str) {
    if let Some(TextPart::Literal(last)) = text.parts.last_mut() {
        last.push_str(s);
    } else {
        text.parts.push(TextPart::Literal(s.to_string()));
    }
}

/// A JSON scalar as a literal; objects, lists, null and numbers mlpc cannot carry
/// exactly (`config::describe` says why) have none.
pub fn json_literal(json: &Json) -> Option<Literal> {
    match json {
        Json::String(s) => Some(Literal::String(s.clone())),
        Json::Bool(b) => Some(Literal::Bool(*b)),
        Json::Number(n) => match super::config::json_number(n).ok()? {
            crate::number::Number::Int(i) => Some(Literal::Int(i)),
            crate::number::Number::Float(f) => Some(Literal::Float(f)),
        },
        _ => None,
    }
}

/// A literal as the text a user would write for it.
/// The type of a literal value.
pub fn literal_type(lit: &Literal) -> ParamType {
    match lit {
        Literal::String(_) => ParamType::String,
        Literal::Int(_) => ParamType::Int,
        Literal::Float(_) => ParamType::Float,
        Literal::Bool(_) => ParamType::Bool,
    }
}

pub fn show_literal(lit: &Literal) -> String {
    match lit {
        Literal::String(s) => format!("{s:?}"),
        Literal::Float(f) => format_float(*f),
        other => other.to_text(),
    }
}

/// Seconds as the largest whole unit a `.mlp` duration would use: `777600s` is `9d`.
pub fn show_seconds(seconds: u64) -> String {
    match seconds {
        0 => "0s".to_string(),
        s if s % 86_400 == 0 => format!("{}d ({s} s)", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h ({s} s)", s / 3_600),
        s if s % 60 == 0 => format!("{}m ({s} s)", s / 60),
        s => format!("{s} s"),
    }
}
