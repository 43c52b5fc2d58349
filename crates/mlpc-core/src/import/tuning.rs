//! Tuning steps: the trial definition read as a training job, the search (objective,
//! limits, strategy, ranges) as `tuning` keys, and the best trial's model, which
//! SageMaker names only by joining the trials' output path with
//! `BestTrainingJob.TrainingJobName` (see `expr::best_models`).

use serde_json::Value as Json;

use super::context::{short, Context, Obj};
use super::draft;
use super::expr::quote;
use super::pipeline::Shared;

pub fn tuning(cx: &mut Context, args: &mut Obj<'_>, step: &mut draft::Step, shared: &mut Shared, sm_name: &str) {
    let mut searched = Vec::new();
    if let Some(mut config) = args.object("HyperParameterTuningJobConfig") {
        match config.str("Strategy") {
            Some("Bayesian") | None => {}
            Some("Random") => step.field("strategy", "random"),
            Some(other) => {
                let at = config.at.key("Strategy");
                cx.left_out(
                    &at,
                    &format!("the `{other}` search strategy"),
                    "`strategy` is `bayesian` or `random`",
                    &mut step.notes,
                );
            }
        }
        if let Some(mut objective) = config.object("HyperParameterTuningJobObjective") {
            let goal = match objective.peek("Type").and_then(Json::as_str) {
                Some("Minimize") => Some("minimize"),
                Some("Maximize") => Some("maximize"),
                _ => None,
            };
            // Read only when both are there; anything else is reported as it stands.
            if let (Some(goal), Some(metric)) = (goal, objective.peek("MetricName").and_then(Json::as_str)) {
                let _ = (objective.take("Type"), objective.take("MetricName"));
                step.field("objective", format!("{goal}({})", quote(metric)));
            }
            cx.rest(objective, &mut step.notes);
        }
        if let Some(mut limits) = config.object("ResourceLimits") {
            if let Some(n) = limits.peek("MaxNumberOfTrainingJobs").and_then(Json::as_i64) {
                let _ = limits.take("MaxNumberOfTrainingJobs");
                step.field("max_jobs", n.to_string());
            }
            if let Some(n) = limits.peek("MaxParallelTrainingJobs").and_then(Json::as_i64) {
                let _ = limits.take("MaxParallelTrainingJobs");
                if n != 1 {
                    step.field("parallel", n.to_string());
                }
            }
            cx.rest(limits, &mut step.notes);
        }
        if config.peek("TrainingJobEarlyStoppingType").and_then(Json::as_str) == Some("Off") {
            let _ = config.take("TrainingJobEarlyStoppingType");
        }
        if let Some(mut ranges) = config.object("ParameterRanges") {
            for (kind, integer) in [("ContinuousParameterRanges", false), ("IntegerParameterRanges", true)] {
                for (range, at) in ranges.list(kind) {
                    match bounds(range, integer) {
                        Some((name, text)) => searched.push(format!("{} = {text}", super::common::key(name))),
                        None => cx.left_out(
                            &at,
                            &format!("the range {}", short(range)),
                            "a range has numeric bounds, scaled `Auto` or `Logarithmic` (`log`)",
                            &mut step.notes,
                        ),
                    }
                }
            }
            for (range, at) in ranges.list("CategoricalParameterRanges") {
                let name = range.get("Name").and_then(Json::as_str);
                let values: Option<Vec<String>> = range
                    .get("Values")
                    .and_then(Json::as_array)
                    .and_then(|v| v.iter().map(|s| s.as_str().map(quote)).collect());
                match (name, values) {
                    (Some(name), Some(values)) if !values.is_empty() => {
                        searched.push(format!("{} = choice({})", super::common::key(name), values.join(", ")));
                    }
                    _ => cx.left_out(
                        &at,
                        &format!("the range {}", short(range)),
                        "a categorical range names its values",
                        &mut step.notes,
                    ),
                }
            }
            cx.rest(ranges, &mut step.notes);
        }
        cx.rest(config, &mut step.notes);
    }
    if let Some(mut definition) = args.object("TrainingJobDefinition") {
        // The SDK puts the trials' instances here; mlpc in ResourceConfig.
        if let Some((value, at)) = definition.take("HyperParameterTuningResourceConfig") {
            if let Some(obj) = Obj::new(value, at) {
                super::common::resources(cx, obj, step);
            }
        }
        super::jobs::training(cx, &mut definition, step, shared, sm_name, "StaticHyperParameters", searched);
        cx.rest(definition, &mut step.notes);
    }
}

/// `name = range(lo, hi[, log])` of a continuous or integer range.
fn bounds(range: &Json, integer: bool) -> Option<(&str, String)> {
    let name = range.get("Name")?.as_str()?;
    let bound = |key: &str| -> Option<String> {
        let text = range.get(key)?.as_str()?;
        if integer {
            return text.parse::<i64>().ok().map(|n| n.to_string());
        }
        text.parse::<f64>().ok().filter(|f| f.is_finite()).map(super::expr::float_literal)
    };
    let scale = match range.get("ScalingType").and_then(Json::as_str) {
        None | Some("Auto") => "",
        Some("Logarithmic") => ", log",
        Some(_) => return None,
    };
    Some((name, format!("range({}, {}{scale})", bound("MinValue")?, bound("MaxValue")?)))
}
