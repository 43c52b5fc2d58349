//! The Step Functions target: an Amazon States Language state machine that runs the
//! pipeline through Step Functions' SageMaker, Athena and Redshift Data integrations.
//!
//! `plan` turns the step graph into sequences and Parallel states; `states` builds
//! each step's states from the requests every target shares; `expr` writes run-time
//! values in JSONata (default) or JSONPath. Nothing a step produces has to travel
//! between states: every S3 location, and every job name, follows from the run's id.

mod check;
mod control;
mod endpoint;
pub mod expr;
mod lambda;
mod machine;
mod states;

use serde_json::{json, Map, Value as Json};

pub use check::check;
pub use expr::QueryLanguage;

use crate::ir::{ParamType, Pipeline, StepId, StepKind};
use crate::schedule::plan::{self, Plan};
use crate::targets::size::{self, Budget};
use crate::targets::{Built, InternalError, LowerError};
use expr::Exprs;
use machine::{Branch, Catcher, Choice, Fail, Machine, Parallel, Pass, ResultPath, Rule, State, States, Transition};

/// The name of the state that ends a failed run, and of the run's first state.
pub const FAILED: &str = "Pipeline failed";
pub const START: &str = "Start run";
const SUCCEEDED: &str = "Pipeline succeeded";

/// Lowers a checked pipeline into its state machine once, checks the machine (every
/// state goes somewhere; every state name, whatever invented it; the size) and writes
/// it as pretty JSON, byte-identical for the same pipeline.
pub fn build(p: &Pipeline, lang: QueryLanguage) -> Result<Built, InternalError> {
    super::count_lowering();
    let machine = match definition(p, lang) {
        Ok(machine) => check::transitions(&machine).map_err(LowerError::Internal).map(|()| machine),
        Err(e) => Err(e),
    };
    size::check_and_write(
        p,
        "Step Functions",
        machine,
        |machine| check::state_names(p, machine),
        |machine| machine.states.min_len().saturating_mul(2),
    )
}

/// The state machine; `Err` once the states lowered so far are over the size limit.
pub fn definition(p: &Pipeline, lang: QueryLanguage) -> Result<Machine, LowerError> {
    let mut b = Builder {
        x: Exprs::new(p, lang),
        parallels: 0,
        budget: Budget::default(),
        kept: Vec::new(),
        controls: crate::schedule::controls(p),
    };
    // The steps first: they name the texts the start state puts into the context.
    let steps = b.plan(&plan::plan(p))?;
    let mut segments = vec![b.start()];
    if let Some(check) = b.check_params() {
        segments.push(check);
    }
    // A pipeline with no steps yet (while it is being written) has no states to enter.
    if !steps.states.is_empty() {
        segments.push(steps);
    }
    let mut done = Segment::one(SUCCEEDED, State::Succeed);
    done.exits.clear();
    segments.push(done);
    let mut top = chain(segments);
    let mut caught = false;
    for (_, state) in &mut top.states {
        if let Some(catch) = state.catch_mut() {
            // A state that catches every error itself (a register step's group) goes on.
            if catch.iter().any(|c| c.error_equals.contains(&"States.ALL")) {
                continue;
            }
            catch.push(b.catcher());
            caught = true;
        }
    }
    // The state failures are caught into; a machine with no steps has none to catch,
    // and Step Functions refuses a state nothing leads to.
    if caught {
        top.states.push((FAILED.to_string(), b.fail_state()));
    }
    Ok(Machine {
        comment: p.settings.description.clone(),
        query_language: (lang == QueryLanguage::Jsonata).then_some("JSONata"),
        start_at: top.entry,
        timeout_seconds: p.settings.timeout,
        states: States(top.states),
    })
}

/// States that run one after another: entered at `entry`, left from the states at
/// the indexes `exits` (whose transitions are still open: a step that may be skipped
/// is left from its last state or from the state that skips it), or never left
/// (`exits` is empty: it ends the machine).
struct Segment {
    entry: String,
    states: Vec<(String, State)>,
    exits: Vec<usize>,
}

impl Segment {
    fn one(name: &str, state: State) -> Segment {
        Segment { entry: name.to_string(), states: vec![(name.to_string(), state)], exits: vec![0] }
    }

    /// Sends the open exits to `next`, or ends the branch there.
    fn close(&mut self, next: Transition) {
        for i in std::mem::take(&mut self.exits) {
            if let Some((_, state)) = self.states.get_mut(i) {
                state.continue_to(next.clone(), SUCCEEDED);
            }
        }
    }
}

/// Segments in order, each continuing into the next; the last one's exit is left
/// open for what follows the chain.
fn chain(segments: Vec<Segment>) -> Segment {
    let entry = segments.first().map(|s| s.entry.clone()).unwrap_or_default();
    let nexts: Vec<String> = segments.iter().skip(1).map(|s| s.entry.clone()).collect();
    let mut states = Vec::new();
    let mut exits = Vec::new();
    for (i, mut segment) in segments.into_iter().enumerate() {
        if let Some(next) = nexts.get(i) {
            segment.close(Transition::Next(next.clone()));
        }
        let offset = states.len();
        exits = segment.exits.iter().map(|e| e + offset).collect();
        states.extend(segment.states);
    }
    Segment { entry, states, exits }
}

/// A chain that ends its branch: its open exit becomes `End: true`.
fn finish(mut segment: Segment) -> Segment {
    segment.close(Transition::End);
    segment
}

/// The Fail state a run with a mistyped parameter ends in.
fn invalid_param_state(param: &str) -> String {
    format!("Invalid parameter {param}")
}

/// The Fail state a run without a required parameter ends in.
fn missing_param_state(param: &str) -> String {
    format!("Missing parameter {param}")
}

struct Builder<'a> {
    x: Exprs<'a>,
    parallels: usize,
    budget: Budget,
    /// The steps whose results later states read (a training step's model, a
    /// condition's outcome), as the states built so far hold them, in run order: a
    /// Parallel passes those of its branches on (`Exprs::export_kept`).
    kept: Vec<StepId>,
    /// What each step needs of the conditions to run (`schedule::controls`).
    controls: Vec<std::collections::BTreeSet<(StepId, bool)>>,
}

impl Builder<'_> {
    fn jsonata(&self) -> bool {
        self.x.lang == QueryLanguage::Jsonata
    }

    /// The declared defaults merged with the execution's input, and the run's id.
    fn start(&self) -> Segment {
        let defaults: Map<String, Json> =
            self.x.p.params.iter().filter_map(|q| Some((q.name.node.clone(), q.default.as_ref()?.to_json()))).collect();
        let defaults = Json::Object(defaults);
        if self.jsonata() {
            return Segment::one(
                START,
                State::Pass(Pass {
                    comment: Some("The parameters: declared defaults, overridden by the execution's input; an id for this run's job names".into()),
                    assign: Some(json!({
                        "params": format!("{{% $merge([{defaults}, $states.input]) %}}"),
                        "jobid": "{% $split($uuid(), '-')[4] %}",
                    })),
                    ..Pass::default()
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
                    State::Pass(Pass {
                        comment: Some("The declared defaults and the execution's input".into()),
                        parameters: Some(json!({ "defaults": defaults, "given.$": "$" })),
                        transition: Some(Transition::Next(merge.to_string())),
                        ..Pass::default()
                    }),
                ),
                (
                    merge.to_string(),
                    State::Pass(Pass {
                        comment: Some(
                            "The parameters: defaults overridden by the input; an id for this run's job names".into(),
                        ),
                        parameters: Some(json!({
                            "params.$": "States.JsonMerge($.defaults, $.given, false)",
                            "run": run,
                        })),
                        ..Pass::default()
                    }),
                ),
            ],
            exits: vec![1],
        }
    }

    /// A Choice that sends a run without a required parameter, or whose parameters
    /// have the wrong JSON type, to a Fail state naming the parameter.
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
            if param.default.is_none() {
                let missing = missing_param_state(n);
                let test = if self.jsonata() {
                    json!({ "Condition": format!("{{% $not($exists($params.{n})) %}}") })
                } else {
                    json!({ "Not": { "Variable": format!("$.params.{n}"), "IsPresent": true } })
                };
                choices.push(Rule { test, next: missing.clone() });
                fails.push((
                    missing,
                    State::Fail(Fail {
                        error: Some("mlpc.MissingParameter".into()),
                        cause: Some(format!("parameter `{n}` is required: give it in the execution's input")),
                        ..Fail::default()
                    }),
                ));
            }
            let test = if self.jsonata() {
                json!({ "Condition": format!("{{% {jsonata} %}}") })
            } else {
                json!({ "Not": { "Variable": format!("$.params.{n}"), test: true } })
            };
            choices.push(Rule { test, next: fail.clone() });
            fails.push((
                fail,
                State::Fail(Fail {
                    error: Some("mlpc.InvalidParameter".into()),
                    cause: Some(format!("parameter `{n}` must be {what}")),
                    ..Fail::default()
                }),
            ));
        }
        let mut states = vec![(name.to_string(), State::Choice(Choice { choices, default: None }))];
        states.extend(fails);
        Some(Segment { entry: name.to_string(), states, exits: vec![0] })
    }

    fn plan(&mut self, plan: &Plan) -> Result<Segment, LowerError> {
        match plan {
            Plan::Step(id) => {
                let step =
                    self.x.p.step(*id).ok_or_else(|| LowerError::Internal("plan names an unknown step".into()))?;
                let mut segment = states::step(&self.x, step).map_err(LowerError::Internal)?;
                if let Some(needs) = self.controls.get(id.0).filter(|needs| !needs.is_empty()) {
                    segment = control::gate(&self.x, step, needs, segment);
                }
                for (name, state) in &segment.states {
                    self.budget.spend(name.len() + state.min_len()).map_err(LowerError::TooLarge)?;
                }
                match step.kind {
                    StepKind::Training(_) | StepKind::Tuning(_) | StepKind::Condition(_) => self.kept.push(*id),
                    StepKind::Sql(_)
                    | StepKind::Processing(_)
                    | StepKind::Transform(_)
                    | StepKind::Python(_)
                    | StepKind::Fail(_)
                    | StepKind::Model(_)
                    | StepKind::Register(_)
                    | StepKind::Lambda(_)
                    | StepKind::Endpoint(_) => {}
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
                let before = self.kept.clone();
                let mut out = Vec::new();
                // What each branch's steps left for later states, by branch index.
                let mut made: Vec<(usize, StepId)> = Vec::new();
                for (k, branch) in branches.iter().enumerate() {
                    self.kept.clone_from(&before);
                    let mut segment = self.plan(branch)?;
                    let new: Vec<StepId> = self.kept.get(before.len()..).unwrap_or_default().to_vec();
                    if self.jsonata() && !new.is_empty() {
                        // A branch's variables end with it: its last state outputs them.
                        let export = format!("{name} branch {} results", k + 1);
                        segment = chain(vec![segment, Segment::one(&export, State::Pass(self.x.export_kept(&new)))]);
                    }
                    made.extend(new.into_iter().map(|m| (k, m)));
                    let segment = finish(segment);
                    out.push(Branch { start_at: segment.entry, states: States(segment.states) });
                }
                self.kept = before.clone();
                self.kept.extend(made.iter().map(|(_, m)| *m));
                let mut parallel = Parallel { branches: out, ..Parallel::default() };
                if self.jsonata() {
                    parallel.assign = self.x.import_kept(&made);
                } else if made.is_empty() {
                    // JSONPath: the branches' outputs are not needed, keep the run's context.
                    parallel.result_path = Some(ResultPath::Discard);
                } else {
                    // JSONPath: everything kept so far, from the branch that holds it.
                    let held = before.iter().map(|m| (0, *m)).chain(made.iter().copied());
                    parallel.result_selector = Some(self.x.select_kept(held));
                    parallel.result_path = Some(ResultPath::At(expr::STEPS_PATH.to_string()));
                }
                Ok(Segment::one(&name, State::Parallel(parallel)))
            }
        }
    }

    /// Every failure at the top level, including a failed Parallel branch, ends in
    /// the Fail state with the error and its cause.
    fn catcher(&self) -> Catcher {
        const ALL: &[&str] = &["States.ALL"];
        if self.jsonata() {
            Catcher {
                error_equals: ALL,
                next: FAILED.into(),
                output: Some("{% $states.errorOutput %}".into()),
                result_path: None,
            }
        } else {
            Catcher { error_equals: ALL, next: FAILED.into(), output: None, result_path: Some("$.error".into()) }
        }
    }

    fn fail_state(&self) -> State {
        State::Fail(if self.jsonata() {
            Fail {
                error: Some("{% $states.input.Error %}".into()),
                cause: Some("{% $states.input.Cause %}".into()),
                ..Fail::default()
            }
        } else {
            Fail {
                error_path: Some("$.error.Error".into()),
                cause_path: Some("$.error.Cause".into()),
                ..Fail::default()
            }
        })
    }
}
