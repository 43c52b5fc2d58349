//! Run-time values in both of ASL's query languages.
//!
//! The run's context is the same in both: the parameters merged with their defaults
//! (`params`), and a 12-hex-digit id drawn once per execution (`jobid`) that makes
//! job names unique. JSONata keeps them in variables (`$params`, `$jobid`); JSONPath
//! keeps them in the state data (`$.params`, `$.run.jobid`), which every state passes
//! on unchanged (`ResultPath: null`).
//!
//! A JSONPath value that is computed needs its key renamed to `Key.$`, and an array
//! with a computed element becomes `States.Array(...)`; so values are converted
//! together with their key.

use serde_json::{json, Map, Value as Json};

use crate::ir::{ParamType, Pipeline};
use crate::targets::requests::{self, Node, Piece};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueryLanguage {
    #[default]
    Jsonata,
    Jsonpath,
}

impl QueryLanguage {
    pub const ALL: [QueryLanguage; 2] = [QueryLanguage::Jsonata, QueryLanguage::Jsonpath];

    /// The name on the command line (`--query-language jsonpath`).
    pub fn name(self) -> &'static str {
        match self {
            QueryLanguage::Jsonata => "jsonata",
            QueryLanguage::Jsonpath => "jsonpath",
        }
    }
}

/// The longest static part of a job name: 63 − `-` − 12 hex digits − `-` − two
/// digits of the retry count.
/// JSONPath: where the run's state keeps each training step's reported model archive.
/// JSONPath: what later states read of a step (a training step's model archive, a
/// condition's outcome), by step name.
pub const STEPS_PATH: &str = "$.steps";

pub const JOB_PREFIX_MAX: usize = crate::aws::names::job_prefix_within(1 + 12 + 1 + 2);

/// Converts run-time values for one pipeline and language.
pub struct Exprs<'a> {
    pub p: &'a Pipeline,
    pub lang: QueryLanguage,
    /// JSONPath: literal texts with a character an intrinsic's quoted string would
    /// need escaped (`'`, `{`, `}`, `\`), or any outside printable ASCII, carried in the
    /// run's context (`$.run.text.tN`) and passed as arguments instead. Implementations
    /// disagree on those escapes (asl-validator refuses `\\`, moto mangles `\'`, `\{`
    /// and non-ASCII), so none is written.
    pub texts: std::cell::RefCell<Vec<String>>,
}

impl<'a> Exprs<'a> {
    pub fn new(p: &'a Pipeline, lang: QueryLanguage) -> Exprs<'a> {
        Exprs { p, lang, texts: Default::default() }
    }
}

/// A converted value: known now, or computed from an expression of the language.
enum Conv {
    Static(Json),
    /// JSONata: the expression inside `{% %}`; JSONPath: a path or intrinsic call.
    Dynamic(String),
}

impl Exprs<'_> {
    /// A request body, as the Arguments (JSONata) or Parameters (JSONPath) of a Task.
    pub fn body(&self, n: &Node) -> Result<Json, String> {
        match self.conv(n)? {
            Conv::Static(j) => Ok(j),
            Conv::Dynamic(e) => Err(format!("a request body cannot be computed as a whole: {e}")),
        }
    }

    /// A JSONata expression or JSONPath path as an entry.
    pub fn dynamic_entry(&self, key: &str, expr: String) -> (String, Json) {
        self.keyed(key, Conv::Dynamic(expr))
    }

    fn keyed(&self, key: &str, c: Conv) -> (String, Json) {
        match (c, self.lang) {
            (Conv::Static(j), _) => (key.to_string(), j),
            (Conv::Dynamic(e), QueryLanguage::Jsonata) => (key.to_string(), Json::String(format!("{{% {e} %}}"))),
            (Conv::Dynamic(e), QueryLanguage::Jsonpath) => (format!("{key}.$"), Json::String(e)),
        }
    }

    fn conv(&self, n: &Node) -> Result<Conv, String> {
        Ok(match n {
            Node::Text(pieces) => self.text(pieces)?,
            Node::Int(i) => Conv::Static(Json::from(*i)),
            Node::IntParam(name) => Conv::Dynamic(self.param(name)),
            Node::Bool(b) => Conv::Static(Json::Bool(*b)),
            Node::Map(entries) => {
                let mut map = Map::new();
                for (k, v) in entries {
                    let (k, v) = self.keyed(k, self.conv(v)?);
                    map.insert(k, v);
                }
                Conv::Static(Json::Object(map))
            }
            Node::List(items) => {
                let items: Vec<Conv> = items.iter().map(|i| self.conv(i)).collect::<Result<_, _>>()?;
                let dynamic = items.iter().any(|c| matches!(c, Conv::Dynamic(_)));
                match (self.lang, dynamic) {
                    (QueryLanguage::Jsonpath, true) => {
                        let args: Vec<String> = items
                            .into_iter()
                            .map(|c| match c {
                                Conv::Dynamic(e) => Ok(e),
                                Conv::Static(Json::String(s)) => Ok(self.intrinsic_literal(&s)),
                                Conv::Static(other) => Err(format!("a computed list holds {other}")),
                            })
                            .collect::<Result<_, _>>()?;
                        Conv::Dynamic(format!("States.Array({})", args.join(", ")))
                    }
                    _ => Conv::Static(Json::Array(items.into_iter().map(|c| self.keyed("", c).1).collect())),
                }
            }
        })
    }

    /// The parameter's value.
    fn param(&self, name: &str) -> String {
        match self.lang {
            QueryLanguage::Jsonata => format!("$params.{name}"),
            QueryLanguage::Jsonpath => format!("$.params.{name}"),
        }
    }

    /// A string from pieces: a literal, one string parameter, or a concatenation.
    fn text(&self, pieces: &[Piece]) -> Result<Conv, String> {
        let mut literal = String::new();
        let mut parts: Vec<Part> = Vec::new();
        self.push_pieces(pieces, &mut literal, &mut parts)?;
        flush(&mut literal, &mut parts);
        Ok(match parts.as_slice() {
            // asl-validator takes an empty string for neither a text nor an expression.
            [] if self.lang == QueryLanguage::Jsonata => Conv::Dynamic("''".to_string()),
            [] => Conv::Static(Json::String(String::new())),
            [Part::Literal(s)] => match self.lang {
                // A literal that looks like a JSONata expression would be evaluated; one
                // with a line break asl-validator cannot tell from an expression.
                QueryLanguage::Jsonata if s.starts_with("{%") || s.contains(['\n', '\r', '\u{2028}', '\u{2029}']) => {
                    Conv::Dynamic(jsonata_string(s))
                }
                // asl-validator refuses, in JSONPath too, a literal that starts like a
                // JSONata expression and holds a line break: it is read from the run's
                // context instead.
                QueryLanguage::Jsonpath if s.starts_with("{%") && s.contains(['\n', '\r', '\u{2028}', '\u{2029}']) => {
                    Conv::Dynamic(self.context_text(s))
                }
                QueryLanguage::Jsonata | QueryLanguage::Jsonpath => Conv::Static(Json::String(s.clone())),
            },
            [Part::Value { expr, is_string: true }] => Conv::Dynamic(expr.clone()),
            _ => Conv::Dynamic(self.concat(&parts)),
        })
    }

    /// Adds text pieces to `parts`, literals gathered in `literal` until a value comes.
    fn push_pieces(&self, pieces: &[Piece], literal: &mut String, parts: &mut Vec<Part>) -> Result<(), String> {
        for piece in self.expand(pieces) {
            match piece {
                Piece::Literal(s) => literal.push_str(&s),
                other @ (Piece::Param(_)
                | Piece::RunId
                | Piece::RunKey
                | Piece::RunDate
                | Piece::JobName(_)
                | Piece::OutputUri { .. }
                | Piece::ModelArtifact(_)
                | Piece::BestTrainingJob(_)
                | Piece::ModelName(_)) => {
                    flush(literal, parts);
                    parts.push(self.part(&other)?);
                }
            }
        }
        Ok(())
    }

    fn part(&self, piece: &Piece) -> Result<Part, String> {
        let jsonata = self.lang == QueryLanguage::Jsonata;
        Ok(match piece {
            Piece::Param(name) => match self.p.param(name).map(|q| q.ty) {
                // JSONata's `$string(2.0)` is "2": spell a float as Python does, as the
                // Airflow target and a literal do ("2.0", "1e-05").
                Some(ParamType::Float) if jsonata => {
                    Part::Value { expr: python_float(&self.param(name)), is_string: true }
                }
                ty => Part::Value { expr: self.param(name), is_string: ty == Some(ParamType::String) },
            },
            // The execution's start, an ISO 8601 timestamp in UTC: its date.
            Piece::RunDate => Part::Value {
                expr: if jsonata {
                    "$substring($states.context.Execution.StartTime, 0, 10)".to_string()
                } else {
                    "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)".to_string()
                },
                is_string: true,
            },
            // Execution names are letters, digits, `-` and `_`: already a safe key.
            Piece::RunId | Piece::RunKey => Part::Value {
                expr: if jsonata { "$states.context.Execution.Name" } else { "$$.Execution.Name" }.to_string(),
                is_string: true,
            },
            Piece::JobName(step) => {
                let prefix = self.job_prefix(*step);
                let expr = if jsonata {
                    format!(
                        "{} & $jobid & '-' & $string($states.context.State.RetryCount)",
                        jsonata_string(&format!("{prefix}-"))
                    )
                } else {
                    // The prefix is letters, digits and `-` only: nothing to escape.
                    format!("States.Format('{prefix}-{{}}-{{}}', $.run.jobid, $$.State.RetryCount)")
                };
                Part::Value { expr, is_string: true }
            }
            // The archive the training job reported: its name holds the attempt that
            // made it, which only the training state knows.
            Piece::ModelArtifact(step) => Part::Value { expr: self.model_artifact(*step), is_string: true },
            // The best job of a tuning step, as its Task reported it (`keep_model`).
            Piece::BestTrainingJob(step) => Part::Value { expr: self.model_artifact(*step), is_string: true },
            // A model step's model is named as a transform's own: from the run's id.
            Piece::ModelName(step) => Part::Value { expr: self.model_name(*step), is_string: true },
            Piece::Literal(_) | Piece::OutputUri { .. } => return Err("unexpanded piece".to_string()),
        })
    }

    /// What a training or tuning Task keeps for the steps that read its model, and
    /// where in its result that is: a training job's archive, or the name of a tuning
    /// job's best training job, in whose folder the archive is (`requests::best_model`).
    fn kept_model(&self, step: crate::ir::StepId) -> (&'static str, &'static str) {
        if matches!(self.p.step(step).map(|s| &s.kind), Some(crate::ir::StepKind::Tuning(_))) {
            ("BestTrainingJob", "BestTrainingJob.TrainingJobName")
        } else {
            ("S3ModelArtifacts", "ModelArtifacts.S3ModelArtifacts")
        }
    }

    /// Where what a training or tuning Task kept (`keep_model`) is read from: in
    /// `$.steps` (JSONPath) or a variable (JSONata).
    pub fn model_artifact(&self, step: crate::ir::StepId) -> String {
        let name = self.p.step_name(step);
        match self.lang {
            QueryLanguage::Jsonata => format!("$model_{name}"),
            QueryLanguage::Jsonpath => format!("{STEPS_PATH}.{name}.{}", self.kept_model(step).0),
        }
    }

    /// Makes a training or tuning Task keep what `model_artifact` reads.
    pub fn keep_model(&self, step: crate::ir::StepId, task: &mut super::machine::Task) {
        let name = self.p.step_name(step);
        let (key, reported) = self.kept_model(step);
        match self.lang {
            QueryLanguage::Jsonata => {
                task.assign = Some(json!({ format!("model_{name}"): format!("{{% $states.result.{reported} %}}") }));
            }
            QueryLanguage::Jsonpath => {
                task.result_selector = Some(json!({ format!("{key}.$"): format!("$.{reported}") }));
                task.result_path = Some(super::machine::ResultPath::At(format!("{STEPS_PATH}.{name}")));
            }
        }
    }

    /// Where a condition's outcome is kept: `"true"`, `"false"`, or `"skipped"` when
    /// the condition itself was skipped.
    pub fn outcome(&self, step: crate::ir::StepId) -> String {
        let name = self.p.step_name(step);
        match self.lang {
            QueryLanguage::Jsonata => format!("$outcome_{name}"),
            QueryLanguage::Jsonpath => format!("{STEPS_PATH}.{name}.outcome"),
        }
    }

    /// JSONata: the variable that holds what later states read of a step (a training
    /// step's model, a condition's outcome).
    fn kept_variable(&self, step: crate::ir::StepId) -> String {
        let name = self.p.step_name(step);
        match self.p.step(step).map(|s| &s.kind) {
            Some(crate::ir::StepKind::Condition(_)) => format!("outcome_{name}"),
            // Only training, tuning and condition steps keep anything (`Builder::plan`).
            Some(
                crate::ir::StepKind::Training(_)
                | crate::ir::StepKind::Tuning(_)
                | crate::ir::StepKind::Sql(_)
                | crate::ir::StepKind::Processing(_)
                | crate::ir::StepKind::Transform(_)
                | crate::ir::StepKind::Python(_)
                | crate::ir::StepKind::Fail(_)
                | crate::ir::StepKind::Model(_)
                | crate::ir::StepKind::Register(_)
                | crate::ir::StepKind::Lambda(_)
                | crate::ir::StepKind::Endpoint(_),
            )
            | None => format!("model_{name}"),
        }
    }

    /// JSONata: the Pass ending a Parallel branch, whose output carries what the
    /// branch's steps left for later states (its variables end with it).
    pub fn export_kept(&self, kept: &[crate::ir::StepId]) -> super::machine::Pass {
        let fields: Vec<String> = kept.iter().map(|m| format!("'{0}': ${0}", self.kept_variable(*m))).collect();
        super::machine::Pass {
            comment: Some("What this branch's steps leave for the states after the Parallel".into()),
            output: Some(Json::String(format!("{{% {{{}}} %}}", fields.join(", ")))),
            ..super::machine::Pass::default()
        }
    }

    /// JSONata: a Parallel's Assign taking each kept value from the branch that made it.
    pub fn import_kept(&self, made: &[(usize, crate::ir::StepId)]) -> Option<Json> {
        if made.is_empty() {
            return None;
        }
        let entries: Map<String, Json> = made
            .iter()
            .map(|(k, m)| {
                let var = self.kept_variable(*m);
                let value = format!("{{% $states.result[{k}].{var} %}}");
                (var, Json::String(value))
            })
            .collect();
        Some(Json::Object(entries))
    }

    /// JSONPath: a Parallel's ResultSelector gathering every kept value from the branch
    /// that holds it (any branch holds those made before the Parallel).
    pub fn select_kept(&self, held: impl Iterator<Item = (usize, crate::ir::StepId)>) -> Json {
        Json::Object(
            held.map(|(k, m)| {
                let name = self.p.step_name(m);
                (format!("{name}.$"), Json::String(format!("$[{k}].steps.{name}")))
            })
            .collect(),
        )
    }

    /// The static part of a step's job names.
    pub fn job_prefix(&self, step: crate::ir::StepId) -> String {
        requests::job_prefix(self.p, step, JOB_PREFIX_MAX)
    }

    /// A transform's model name: the job prefix and the run's id (created once).
    pub fn model_name(&self, step: crate::ir::StepId) -> String {
        let prefix = self.job_prefix(step);
        match self.lang {
            QueryLanguage::Jsonata => format!("{} & $jobid", jsonata_string(&format!("{prefix}-"))),
            QueryLanguage::Jsonpath => format!("States.Format('{prefix}-{{}}', $.run.jobid)"),
        }
    }

    /// Output locations as the literal and run-time pieces they are made of: every one
    /// is known from the run's id. (A model archive is read from state: `model_artifact`.)
    fn expand(&self, pieces: &[Piece]) -> Vec<Piece> {
        let mut out = Vec::new();
        for piece in pieces {
            match piece {
                Piece::OutputUri { step, output } => {
                    if let Some(s) = self.p.step(*step) {
                        out.extend(requests::output_location(self.p, s, output));
                    }
                }
                // A tuning step's model is in its best job's folder.
                Piece::ModelArtifact(step) => match requests::best_model(self.p, *step) {
                    Some(pieces) => out.extend(pieces),
                    None => out.push(piece.clone()),
                },
                other @ (Piece::Literal(_)
                | Piece::BestTrainingJob(_)
                | Piece::ModelName(_)
                | Piece::Param(_)
                | Piece::RunId
                | Piece::RunKey
                | Piece::RunDate
                | Piece::JobName(_)) => out.push(other.clone()),
            }
        }
        out
    }

    fn concat(&self, parts: &[Part]) -> String {
        match self.lang {
            QueryLanguage::Jsonata => parts
                .iter()
                .map(|p| match p {
                    Part::Literal(s) => jsonata_string(s),
                    Part::Value { expr, is_string: true } => expr.clone(),
                    Part::Value { expr, is_string: false } => format!("$string({expr})"),
                })
                .collect::<Vec<_>>()
                .join(" & "),
            QueryLanguage::Jsonpath => {
                let mut template = String::new();
                let mut args = Vec::new();
                for p in parts {
                    match p {
                        Part::Literal(s) if needs_escape(s) => {
                            template.push_str("{}");
                            args.push(self.context_text(s));
                        }
                        Part::Literal(s) => template.push_str(s),
                        Part::Value { expr, .. } => {
                            template.push_str("{}");
                            args.push(expr.clone());
                        }
                    }
                }
                format!("States.Format('{template}', {})", args.join(", "))
            }
        }
    }
}

impl Exprs<'_> {
    /// A literal as an intrinsic argument.
    fn intrinsic_literal(&self, s: &str) -> String {
        if needs_escape(s) {
            self.context_text(s)
        } else {
            format!("'{s}'")
        }
    }

    /// The path of a literal text kept in the run's context.
    fn context_text(&self, s: &str) -> String {
        let mut texts = self.texts.borrow_mut();
        let index = texts.iter().position(|t| t == s).unwrap_or_else(|| {
            texts.push(s.to_string());
            texts.len() - 1
        });
        format!("$.run.text.t{index}")
    }
}

enum Part {
    Literal(String),
    Value { expr: String, is_string: bool },
}

/// Ends the literal being gathered: it becomes a part.
fn flush(literal: &mut String, parts: &mut Vec<Part>) {
    if !literal.is_empty() {
        parts.push(Part::Literal(std::mem::take(literal)));
    }
}

/// A piece of a fail message: run-time text, or a value read at run time (a path or
/// JSONata expression; `is_string` when it needs no conversion to text).
pub enum MessagePiece {
    Text(Vec<Piece>),
    Value { expr: String, is_string: bool },
}

impl Exprs<'_> {
    /// A message: the text itself when it has no run-time part (`false`), else the
    /// JSONata expression or JSONPath intrinsic that builds it (`true`).
    pub fn message(&self, pieces: &[MessagePiece]) -> Result<(String, bool), String> {
        let mut literal = String::new();
        let mut parts: Vec<Part> = Vec::new();
        for piece in pieces {
            match piece {
                MessagePiece::Text(text) => self.push_pieces(text, &mut literal, &mut parts)?,
                MessagePiece::Value { expr, is_string } => {
                    flush(&mut literal, &mut parts);
                    parts.push(Part::Value { expr: expr.clone(), is_string: *is_string });
                }
            }
        }
        flush(&mut literal, &mut parts);
        Ok(match parts.as_slice() {
            [] => (String::new(), false),
            [Part::Literal(s)] => (s.clone(), false),
            _ => (self.concat(&parts), true),
        })
    }
}

/// A JSONata expression that spells the number `value` as Python's `repr(float)` does:
/// `2.0`, `0.0001`, `1e-05`, `1.5e+16`. It takes the shortest digits JSONata's
/// `$string` gives (at most 15 significant ones) and lays them out by Python's rule:
/// positional for exponents -4 to 15, else `d.ddde±XX`.
pub fn python_float(value: &str) -> String {
    [
        "($v := ",
        value,
        "; $a := $abs($v); $js := $string($a); $sci := $contains($js, 'e'); ",
        "$m := $sci ? $substringBefore($js, 'e') : $js; ",
        "$int := $contains($m, '.') ? $substringBefore($m, '.') : $m; ",
        "$frac := $contains($m, '.') ? $substringAfter($m, '.') : ''; ",
        "$lead := $int = '0' ? $length($frac) - $length($replace($frac, /^0+/, '')) : 0; ",
        "$digits := $replace($replace($int & $frac, /^0+/, ''), /0+$/, ''); ",
        "$e := $sci ? $number($replace($substringAfter($js, 'e'), '+', '')) : ($int = '0' ? -($lead + 1) : $length($int) - 1); ",
        "$d := $digits = '' ? '0' : $digits; ",
        "$body := $e >= -4 and $e < 16 ? ($e >= 0 ? $substring($pad($d, $e + 1, '0'), 0, $e + 1) & '.' & ($length($d) > $e + 1 ? $substring($d, $e + 1) : '0') : '0.' & $join($map([1..(-$e - 1)], function(){'0'})) & $d) : $substring($d, 0, 1) & ($length($d) > 1 ? '.' & $substring($d, 1) : '') & 'e' & ($e < 0 ? '-' : '+') & $pad($string($abs($e)), -2, '0'); ",
        "($v < 0 ? '-' : '') & ($a = 0 ? '0.0' : $body))",
    ]
    .concat()
}

/// A JSONata string literal: single-quoted, with JSON's escapes (JSONata has no
/// `\'`, so a quote is `\u0027`).
pub fn jsonata_string(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\u0027"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Whether a text is kept out of an intrinsic's quoted string: it has a character
/// that needs an escape there, or one outside printable ASCII, which moto's
/// interpreter mangles inside intrinsics.
fn needs_escape(s: &str) -> bool {
    s.chars().any(|c| matches!(c, '\'' | '{' | '}' | '\\') || !(' '..='~').contains(&c))
}
