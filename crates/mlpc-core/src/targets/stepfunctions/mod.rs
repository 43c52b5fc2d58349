//! The Step Functions target: an Amazon States Language state machine that runs the
//! pipeline through Step Functions' SageMaker, Athena and Redshift Data integrations.
//!
//! `plan` turns the step graph into sequences and Parallel states; `states` builds
//! each step's states from the requests every target shares; `expr` writes run-time
//! values in JSONata (default) or JSONPath. Nothing a step produces has to travel
//! between states: every S3 location, and every job name, follows from the run's id.

mod check;
mod expr;
mod states;

use serde_json::{json, Map, Value as Json};

pub use check::check;
pub use expr::QueryLanguage;

use crate::ir::{ParamType, Pipeline};
use crate::schedule::plan::{self, Plan};
use crate::targets::size::{self, Budget};
use crate::targets::{Built, InternalError, LowerError};
use expr::Exprs;

/// The name of the state that ends a failed run, and of the run's first state.
pub const FAILED: &str = "Pipeline failed";
pub const START: &str = "Start run";
const SUCCEEDED: &str = "Pipeline succeeded";
/// Where a segment's last state continues; replaced when segments are chained.
const NEXT: &str = "\u{0}next";

/// Lowers a checked pipeline into its state machine once, checks the machine (every
/// state name, whatever invented it; the size) and writes it as pretty JSON,
/// byte-identical for the same pipeline.
pub fn build(p: &Pipeline, lang: QueryLanguage) -> Result<Built, InternalError> {
    super::count_lowering();
    let machine = definition(p, lang);
    size::check_and_write(
        p,
        "Step Functions",
        machine,
        |machine| check::state_names(p, machine),
        |machine| size::json_min_len(machine).saturating_mul(2),
    )
}

/// The state machine; `Err` once the states lowered so far are over the size limit.
pub fn definition(p: &Pipeline, lang: QueryLanguage) -> Result<Json, LowerError> {
    let mut b = Builder { x: Exprs::new(p, lang), parallels: 0, budget: Budget::default() };
    // The steps first: they name the texts the start state puts into the context.
    let steps = b.plan(&plan::plan(p))?;
    let mut segments = vec![b.start()];
    if let Some(check) = b.check_params() {
        segments.push(check);
    }
    segments.push(steps);
    let mut done = Segment::one(SUCCEEDED, json!({ "Type": "Succeed" }));
    done.exit = None;
    segments.push(done);
    let mut top = chain(segments);
    for (_, state) in &mut top.states {
        b.catch(state);
    }
    top.states.push((FAILED.to_string(), b.fail_state()));
    let mut out = Map::new();
    if let Some(d) = &p.settings.description {
        out.insert("Comment".into(), json!(d));
    }
    if lang == QueryLanguage::Jsonata {
        out.insert("QueryLanguage".into(), json!("JSONata"));
    }
    out.insert("StartAt".into(), json!(top.entry));
    if let Some(t) = p.settings.timeout {
        out.insert("TimeoutSeconds".into(), json!(t));
    }
    out.insert("States".into(), Json::Object(top.states.into_iter().collect()));
    Ok(Json::Object(out))
}

/// States that run one after another: entered at `entry`, left from `exit` (whose
/// `Next` is still `NEXT`), or never left (`exit` is `None`: it ends the machine).
struct Segment {
    entry: String,
    states: Vec<(String, Json)>,
    exit: Option<String>,
}

impl Segment {
    fn one(name: &str, state: Json) -> Segment {
        Segment { entry: name.to_string(), states: vec![(name.to_string(), state)], exit: Some(name.to_string()) }
    }
}

/// Segments in order, each continuing into the next; the last one's exit is left
/// open for what follows the chain.
fn chain(segments: Vec<Segment>) -> Segment {
    let entry = segments.first().map(|s| s.entry.clone()).unwrap_or_default();
    let mut states = Vec::new();
    let count = segments.len();
    let nexts: Vec<String> = segments.iter().skip(1).map(|s| s.entry.clone()).collect();
    let mut exit = None;
    for (i, mut segment) in segments.into_iter().enumerate() {
        if let (Some(next), true) = (nexts.get(i), i + 1 < count) {
            for (_, state) in &mut segment.states {
                patch_next(state, Some(next));
            }
        }
        exit = segment.exit;
        states.extend(segment.states);
    }
    Segment { entry, states, exit }
}

/// A chain that ends its branch: its open exit becomes `End: true`.
fn finish(mut segment: Segment) -> Segment {
    for (_, state) in &mut segment.states {
        patch_next(state, None);
    }
    segment.exit = None;
    segment
}

/// Points `NEXT` at `next`, or ends the branch there.
fn patch_next(state: &mut Json, next: Option<&str>) {
    if let Some(map) = state.as_object_mut() {
        if map.get("Next").and_then(Json::as_str) == Some(NEXT) {
            match next {
                Some(n) => {
                    map.insert("Next".into(), json!(n));
                }
                None => {
                    map.shift_remove("Next");
                    map.insert("End".into(), json!(true));
                }
            }
        }
        // Only `Check parameters` continues through its Default, and steps always
        // follow it; its rules, like every other Choice's, name their states.
        if map.get("Default").and_then(Json::as_str) == Some(NEXT) {
            map.insert("Default".into(), json!(next.unwrap_or(SUCCEEDED)));
        }
    }
}

/// The Fail state a run with a mistyped parameter ends in.
fn invalid_param_state(param: &str) -> String {
    format!("Invalid parameter {param}")
}

struct Builder<'a> {
    x: Exprs<'a>,
    parallels: usize,
    budget: Budget,
}

impl Builder<'_> {
    fn jsonata(&self) -> bool {
        self.x.lang == QueryLanguage::Jsonata
    }

    /// The declared defaults merged with the execution's input, and the run's id.
    fn start(&self) -> Segment {
        let defaults: Map<String, Json> =
            self.x.p.params.iter().map(|param| (param.name.node.clone(), param.default.to_json())).collect();
        let defaults = Json::Object(defaults);
        if self.jsonata() {
            return Segment::one(
                START,
                json!({
                    "Type": "Pass",
                    "Comment": "The parameters: declared defaults, overridden by the execution's input; an id for this run's job names",
                    "Assign": {
                        "params": format!("{{% $merge([{defaults}, $states.input]) %}}"),
                        "jobid": "{% $split($uuid(), '-')[4] %}",
                    },
                    "Next": NEXT,
                }),
            );
        }
        let merge = "Merge parameters";
        let mut run = json!({ "jobid.$": "States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 4)" });
        let texts = self.x.texts.borrow();
        if !texts.is_empty() {
            run["text"] = texts.iter().enumerate().map(|(i, t)| (format!("t{i}"), json!(t))).collect();
        }
        Segment {
            entry: START.to_string(),
            states: vec![
                (
                    START.to_string(),
                    json!({
                        "Type": "Pass",
                        "Comment": "The declared defaults and the execution's input",
                        "Parameters": { "defaults": defaults, "given.$": "$" },
                        "Next": merge,
                    }),
                ),
                (
                    merge.to_string(),
                    json!({
                        "Type": "Pass",
                        "Comment": "The parameters: defaults overridden by the input; an id for this run's job names",
                        "Parameters": {
                            "params.$": "States.JsonMerge($.defaults, $.given, false)",
                            "run": run,
                        },
                        "Next": NEXT,
                    }),
                ),
            ],
            exit: Some(merge.to_string()),
        }
    }

    /// A Choice that sends a run whose parameters have the wrong JSON type to a Fail
    /// state naming the parameter.
    fn check_params(&self) -> Option<Segment> {
        let p = self.x.p;
        if p.params.is_empty() {
            return None;
        }
        let name = "Check parameters";
        let mut choices = Vec::new();
        let mut fails = Vec::new();
        for param in &p.params {
            let n = &param.name.node;
            let fail = invalid_param_state(n);
            let (jsonata, test, what) = match param.ty {
                ParamType::String => (format!("$type($params.{n}) != 'string'"), "IsString", "a string"),
                ParamType::Int => (
                    format!("$type($params.{n}) != 'number' or $params.{n} != $round($params.{n})"),
                    "IsNumeric",
                    "an int",
                ),
                ParamType::Float => (format!("$type($params.{n}) != 'number'"), "IsNumeric", "a float"),
                ParamType::Bool => (format!("$type($params.{n}) != 'boolean'"), "IsBoolean", "a bool"),
            };
            choices.push(if self.jsonata() {
                json!({ "Condition": format!("{{% {jsonata} %}}"), "Next": fail })
            } else {
                json!({ "Not": { "Variable": format!("$.params.{n}"), test: true }, "Next": fail })
            });
            fails.push((
                fail,
                json!({ "Type": "Fail", "Error": "mlpc.InvalidParameter", "Cause": format!("parameter `{n}` must be {what}") }),
            ));
        }
        let mut states = vec![(name.to_string(), json!({ "Type": "Choice", "Choices": choices, "Default": NEXT }))];
        states.extend(fails);
        Some(Segment { entry: name.to_string(), states, exit: Some(name.to_string()) })
    }

    fn plan(&mut self, plan: &Plan) -> Result<Segment, LowerError> {
        match plan {
            Plan::Step(id) => {
                let step =
                    self.x.p.step(*id).ok_or_else(|| LowerError::Internal("plan names an unknown step".into()))?;
                let segment = states::step(&self.x, step).map_err(LowerError::Internal)?;
                for (_, state) in &segment.states {
                    self.budget.spend(size::json_min_len(state)).map_err(LowerError::TooLarge)?;
                }
                Ok(segment)
            }
            Plan::Sequence(parts) => {
                let segments = parts.iter().map(|part| self.plan(part)).collect::<Result<Vec<_>, _>>()?;
                Ok(chain(segments))
            }
            Plan::Parallel(branches) => {
                self.parallels += 1;
                let name = format!("Parallel {}", self.parallels);
                let mut out = Vec::new();
                for branch in branches {
                    let segment = finish(self.plan(branch)?);
                    out.push(json!({
                        "StartAt": segment.entry,
                        "States": Json::Object(segment.states.into_iter().collect()),
                    }));
                }
                let mut state = json!({ "Type": "Parallel", "Branches": out, "Next": NEXT });
                if !self.jsonata() {
                    // The branches' outputs are not needed: keep the run's context.
                    state["ResultPath"] = Json::Null;
                }
                Ok(Segment::one(&name, state))
            }
        }
    }

    /// Every failure at the top level, including a failed Parallel branch, ends in
    /// the Fail state with the error and its cause.
    fn catch(&self, state: &mut Json) {
        if !matches!(state.get("Type").and_then(Json::as_str), Some("Task" | "Parallel")) {
            return;
        }
        state["Catch"] = if self.jsonata() {
            json!([{ "ErrorEquals": ["States.ALL"], "Next": FAILED, "Output": "{% $states.errorOutput %}" }])
        } else {
            json!([{ "ErrorEquals": ["States.ALL"], "Next": FAILED, "ResultPath": "$.error" }])
        };
    }

    fn fail_state(&self) -> Json {
        if self.jsonata() {
            json!({ "Type": "Fail", "Error": "{% $states.input.Error %}", "Cause": "{% $states.input.Cause %}" })
        } else {
            json!({ "Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause" })
        }
    }
}
