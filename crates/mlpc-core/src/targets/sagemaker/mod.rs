//! The SageMaker target: a Pipeline definition (JSON, Version 2020-12-01).
//!
//! Each job step's Arguments are the shared API requests of `requests`, minus the
//! job name (SageMaker names a pipeline's jobs itself), with run-time strings as
//! `Get`/`Std:Join` expressions. Inputs read upstream outputs through property
//! references, which is also how SageMaker learns the edges; `after` becomes
//! DependsOn. A `sql` step is a processing job that runs its query: see `sql`.

mod check;
mod control;
mod expr;
mod lambda;
pub(crate) mod sql;
mod tree;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value as Json};
use tree::Val;

pub use check::check;
pub use expr::model_step_name;

use crate::ir::{Literal, ParamType, Pipeline, Retry, Step, StepId, StepKind, TransformModel};
use crate::schedule::{self, Placement};
use crate::targets::size::{self, Budget};
use crate::targets::{requests, Built, InternalError, LowerError};

pub const VERSION: &str = "2020-12-01";

/// The pipeline's name in SageMaker, which allows letters, digits and `-` only.
pub fn pipeline_name(p: &Pipeline) -> String {
    p.name.node.replace('_', "-")
}

/// Lowers a checked pipeline into its definition once, checks the definition's size
/// and writes it as pretty JSON, byte-identical for the same pipeline.
pub fn build(p: &Pipeline) -> Result<Built, InternalError> {
    super::count_lowering();
    let mut budget = Budget::default();
    let lowered = definition(p, &mut budget);
    size::check_and_write(p, "SageMaker", lowered, |def| check::step_names(p, def), |_| budget.pretty_hint())
}

/// The definition as the target's tree: written as `Version`, `Metadata`,
/// `Parameters`, `Steps`.
pub struct Definition {
    parameters: Vec<Json>,
    steps: Vec<Val>,
}

impl Definition {
    /// The name of every step, in order, those in a condition's branches included.
    pub fn step_names(&self) -> impl Iterator<Item = &str> {
        let mut names = Vec::new();
        let mut pending: Vec<&Val> = self.steps.iter().rev().collect();
        while let Some(step) = pending.pop() {
            if let Some(Val::Str(name)) = step.field("Name") {
                names.push(name.as_str());
            }
            let args = step.field("Arguments");
            for key in ["ElseSteps", "IfSteps"] {
                if let Some(Val::List(inner)) = args.and_then(|a| a.field(key)) {
                    pending.extend(inner.iter().rev());
                }
            }
        }
        names.into_iter()
    }
}

impl Serialize for Definition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("Version", VERSION)?;
        map.serialize_entry("Metadata", &Val::Map(Vec::new()))?;
        map.serialize_entry("Parameters", &self.parameters)?;
        map.serialize_entry("Steps", &self.steps)?;
        map.end()
    }
}

/// The definition; `Err` once the steps lowered so far are over the size limit.
pub fn definition(p: &Pipeline, budget: &mut Budget) -> Result<Definition, LowerError> {
    let mut lowered: Vec<Vec<Val>> = vec![Vec::new(); p.steps.len()];
    for id in &p.order {
        let step = p.step(*id).ok_or_else(|| LowerError::Internal("order names an unknown step".into()))?;
        for val in lower_step(p, step).map_err(LowerError::Internal)? {
            budget.spend(val.min_len()).map_err(LowerError::TooLarge)?;
            if let Some(slot) = lowered.get_mut(id.0) {
                slot.push(val);
            }
        }
    }
    let placements = schedule::placements(&schedule::controls(p));
    let steps = branch(p, &placements, &mut lowered, Placement::Top, 0).map_err(LowerError::Internal)?;
    Ok(Definition { parameters: p.params.iter().map(parameter).collect(), steps })
}

/// The steps placed at `at`, in order; a condition step gets its two branches. The
/// checker bounds how deep conditions nest (`check::MAX_CONDITION_NESTING`).
fn branch(
    p: &Pipeline,
    placements: &[Placement],
    lowered: &mut [Vec<Val>],
    at: Placement,
    depth: usize,
) -> Result<Vec<Val>, String> {
    if depth > check::MAX_CONDITION_NESTING {
        return Err("conditions nest deeper than the check allows".to_string());
    }
    let mut out = Vec::new();
    for &id in &p.order {
        match placements.get(id.0) {
            Some(placed) if *placed == at => {}
            Some(Placement::Nowhere) => return Err(format!("step `{}` has no branch to sit in", p.step_name(id))),
            Some(Placement::Top | Placement::Branch(..)) | None => continue,
        }
        let mut vals = lowered.get_mut(id.0).map(std::mem::take).unwrap_or_default();
        if matches!(p.step(id).map(|s| &s.kind), Some(StepKind::Condition(_))) {
            let if_steps = branch(p, placements, lowered, Placement::Branch(id, true), depth + 1)?;
            let else_steps = branch(p, placements, lowered, Placement::Branch(id, false), depth + 1)?;
            // A condition lowers to one step, whose Arguments take the branches.
            if let Some(Val::Map(entries)) = vals.first_mut().and_then(|v| v.field_mut("Arguments")) {
                entries.push(("IfSteps".into(), Val::List(if_steps)));
                entries.push(("ElseSteps".into(), Val::List(else_steps)));
            }
        }
        out.extend(vals);
    }
    Ok(out)
}

fn parameter(param: &crate::ir::Param) -> Json {
    let ty = match param.ty {
        ParamType::String => "String",
        ParamType::Int => "Integer",
        ParamType::Float => "Float",
        ParamType::Bool => "Boolean",
    };
    let mut out = json!({ "Name": param.name.node, "Type": ty });
    // A required parameter has no default: SageMaker refuses an execution without it.
    if let Some(default) = &param.default {
        out["DefaultValue"] = default.to_json();
    }
    // SageMaker takes allowed values for string parameters only; `mlpc deploy --param`
    // checks the others.
    if param.ty == ParamType::String && !param.allowed.is_empty() {
        out["EnumValues"] = param.allowed.iter().map(Literal::to_text).collect();
    }
    out
}

/// The definition's steps for one `.mlp` step: one, or two for `transform` (the model
/// first).
fn lower_step(p: &Pipeline, step: &Step) -> Result<Vec<Val>, String> {
    let (ty, request) = match &step.kind {
        // A condition or fail step has no job: no RetryPolicies or CacheConfig (the
        // checker refuses `retry` and `cache` on them).
        StepKind::Condition(condition) => {
            let args = Val::map(vec![("Conditions", control::conditions(p, &condition.check))]);
            return Ok(vec![job_step(p, step, "Condition", args)]);
        }
        StepKind::Fail(fail) => {
            let args = Val::map(vec![("ErrorMessage", control::error_message(p, fail)?)]);
            return Ok(vec![job_step(p, step, "Fail", args)]);
        }
        StepKind::Sql(query) => ("Processing", sql::job(p, step, query, arguments)?),
        StepKind::Python(py) => {
            let job = py.job.as_ref().ok_or("a python step without its job passed the SageMaker check")?;
            ("Processing", arguments(p, requests::python_job(p, step, py, job))?)
        }
        StepKind::Processing(job) => ("Processing", arguments(p, requests::processing_job(p, step, job))?),
        StepKind::Training(job) => ("Training", arguments(p, requests::training_job(p, step, job))?),
        // `ResourceConfig`, as the published schema wants it; the SDK writes the API's other
        // spelling, `HyperParameterTuningResourceConfig` (docs/sagemaker.md).
        StepKind::Tuning(t) => ("Tuning", arguments(p, requests::tuning_job(p, step, t))?),
        StepKind::Model(m) => return Ok(vec![model(p, step, requests::model_step(p, step, m))?]),
        StepKind::Endpoint(_) => return Err("an endpoint step passed the SageMaker check".to_string()),
        StepKind::Lambda(l) => {
            let mut out = lambda::step(p, step, l)?;
            // A Lambda step takes a cache but no retry policy (the check warns).
            add_cache(&mut out, step);
            return Ok(vec![out]);
        }
        StepKind::Register(r) => {
            let mut register = Val::map(vec![
                ("Name", Val::Str(expr::register_step_name(&step.name.node))),
                ("Type", Val::Str("RegisterModel".into())),
                ("Arguments", expr::node(p, requests::register(p, step, r))?),
            ]);
            set_depends_on(p, step, &mut register);
            add_policies(&mut register, step, false);
            return Ok(vec![register]);
        }
        StepKind::Transform(job) => {
            let mut steps = Vec::new();
            // Its own model first (the SDK's ModelStep), unless a model step made it.
            if let Some(request) = requests::model(p, step, job) {
                steps.push(model(p, step, request)?);
            }
            let mut args = arguments(p, requests::transform_job(p, step, job))?;
            let runs = match &job.model {
                TransformModel::Created(created) => p.step_name(created.step).to_string(),
                TransformModel::Own { .. } => step.name.node.clone(),
            };
            args.set("ModelName", expr::get(format!("Steps.{}.ModelName", model_step_name(&runs))));
            let mut transform = job_step(p, step, "Transform", args);
            add_policies(&mut transform, step, true);
            steps.push(transform);
            return Ok(steps);
        }
    };
    let mut out = job_step(p, step, ty, request);
    add_policies(&mut out, step, true);
    if let Some(files) = control::property_files(step) {
        out.set("PropertyFiles", files);
    }
    Ok(vec![out])
}

/// The `Model` step of a CreateModel request, named `<step>-CreateModel` as the SDK's
/// `ModelStep` names it; SageMaker names the model.
fn model(p: &Pipeline, step: &Step, request: requests::Node) -> Result<Val, String> {
    let mut args = arguments(p, request)?;
    args.remove("ModelName");
    let mut model = Val::map(vec![
        ("Name", Val::Str(model_step_name(&step.name.node))),
        ("Type", Val::Str("Model".into())),
        ("Arguments", args),
    ]);
    // A model step's own `after`: what it waits for besides its trained model.
    if matches!(step.kind, StepKind::Model(_)) {
        set_depends_on(p, step, &mut model);
    }
    add_policies(&mut model, step, false);
    Ok(model)
}

/// A request as step Arguments: without job names, which SageMaker chooses itself
/// for a pipeline's jobs. `ModelName` stays as a `false` placeholder, in place, for
/// the caller to replace or remove: a transform reads it from its model step.
fn arguments(p: &Pipeline, request: requests::Node) -> Result<Val, String> {
    const JOB_NAMES: [&str; 4] =
        ["ProcessingJobName", "TrainingJobName", "TransformJobName", "HyperParameterTuningJobName"];
    let request = match request {
        requests::Node::Map(entries) => requests::Node::Map(
            entries
                .into_iter()
                .filter(|(k, _)| !JOB_NAMES.contains(&k.as_str()))
                .map(|(k, v)| if k == "ModelName" { (k, requests::Node::Bool(false)) } else { (k, v) })
                .collect(),
        ),
        other @ (requests::Node::Text(_)
        | requests::Node::Int(_)
        | requests::Node::IntParam(_)
        | requests::Node::Bool(_)
        | requests::Node::List(_)) => other,
    };
    expr::node(p, request)
}

/// The step object around a job's arguments: name, type, and what it waits for
/// besides its inputs.
pub(super) fn job_step(p: &Pipeline, step: &Step, ty: &'static str, args: Val) -> Val {
    let mut out =
        Val::map(vec![("Name", Val::Str(step.name.node.clone())), ("Type", Val::Str(ty.into())), ("Arguments", args)]);
    set_depends_on(p, step, &mut out);
    if let Some(d) = &step.description {
        out.set("Description", Val::Str(d.clone()));
    }
    out
}

/// `DependsOn` of a definition step, when the step waits for any (`depends_on`).
fn set_depends_on(p: &Pipeline, step: &Step, out: &mut Val) {
    let depends = depends_on(p, step);
    if !depends.is_empty() {
        out.set("DependsOn", Val::List(depends.into_iter().map(Val::Str).collect()));
    }
}

/// The steps named in `after`, in source order, and the python steps it reads.
fn depends_on(p: &Pipeline, step: &Step) -> Vec<String> {
    let mut ids: Vec<StepId> = step.after.iter().map(|(id, _)| *id).collect();
    // A python step's outputs are locations, not properties SageMaker could follow:
    // a step reading one names the python step.
    let read = step.inputs.iter().filter_map(|i| i.producer().map(|r| r.step));
    let named = step.texts().into_iter().flat_map(|t| &t.parts).filter_map(|part| match part {
        crate::ir::TextPart::Output { step, .. } => Some(*step),
        crate::ir::TextPart::Literal(_)
        | crate::ir::TextPart::Param(_)
        | crate::ir::TextPart::RunId
        | crate::ir::TextPart::RunDate
        | crate::ir::TextPart::ModelName(_) => None,
    });
    // A register step's metrics: a python step's report is a location too.
    let metrics = match &step.kind {
        StepKind::Register(r) => r.metrics.as_ref().map(|m| m.step),
        StepKind::Sql(_)
        | StepKind::Processing(_)
        | StepKind::Training(_)
        | StepKind::Transform(_)
        | StepKind::Python(_)
        | StepKind::Condition(_)
        | StepKind::Fail(_)
        | StepKind::Model(_)
        | StepKind::Lambda(_)
        | StepKind::Endpoint(_)
        | StepKind::Tuning(_) => None,
    };
    ids.extend(
        read.chain(named)
            .chain(metrics)
            .filter(|id| p.step(*id).is_some_and(|s| matches!(s.kind, StepKind::Python(_)))),
    );
    ids.sort();
    ids.dedup();
    ids.iter().filter_map(|id| p.step(*id)).map(expr::definition_name).collect()
}

/// SageMaker's error types worth retrying: the service's own faults and throttling,
/// and for jobs, internal errors and a lack of capacity or quota.
/// The errors `retry` retries on: every step's, and a job's (`mlpc import` reads them back).
pub(crate) const STEP_ERRORS: [&str; 2] = ["Step.SERVICE_FAULT", "Step.THROTTLING"];
pub(crate) const JOB_ERRORS: [&str; 3] =
    ["SageMaker.JOB_INTERNAL_ERROR", "SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT"];

/// `retry` → RetryPolicies; `cache` → CacheConfig.
fn add_policies(out: &mut Val, step: &Step, is_job: bool) {
    if let Some(Retry { attempts, delay }) = step.retry {
        if attempts > 0 {
            let policy = |errors: &[&str]| json!({ "ExceptionType": errors, "IntervalSeconds": delay, "BackoffRate": 1.0, "MaxAttempts": attempts });
            let mut policies = vec![policy(&STEP_ERRORS)];
            if is_job {
                policies.push(policy(&JOB_ERRORS));
            }
            out.set("RetryPolicies", Val::Json(json!(policies)));
        }
    }
    if is_job {
        add_cache(out, step);
    }
}

/// `cache` → CacheConfig.
fn add_cache(out: &mut Val, step: &Step) {
    if let Some(seconds) = step.cache {
        out.set("CacheConfig", Val::Json(json!({ "Enabled": true, "ExpireAfter": expr::iso_duration(seconds) })));
    }
}
