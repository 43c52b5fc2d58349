//! How run-time values are written in a SageMaker Pipeline definition: parameters
//! and the execution id as `Get` expressions, step outputs as property references,
//! and strings built from several pieces as `Std:Join`.

use super::tree::Val;
use crate::ir::{ParamType, Pipeline, StepKind};
use crate::targets::requests::{Node, Piece};

/// The expression for the execution id (`run.id`).
pub const EXECUTION_ID: &str = "Execution.PipelineExecutionId";

/// The name of the model step SageMaker runs before a transform step (the SDK's
/// `ModelStep` naming).
pub fn model_step_name(transform_step: &str) -> String {
    format!("{transform_step}-CreateModel")
}

/// The name of a register step's `RegisterModel` step (the SDK's `ModelStep` naming).
pub fn register_step_name(step: &str) -> String {
    format!("{step}-RegisterModel")
}

/// The name another step's `DependsOn` gives a step: the definition's step that
/// finishes it (a model or register step's own, named as the SDK names them).
pub fn definition_name(step: &crate::ir::Step) -> String {
    let name = &step.name.node;
    match step.kind {
        StepKind::Model(_) => model_step_name(name),
        StepKind::Register(_) => register_step_name(name),
        StepKind::Sql(_)
        | StepKind::Processing(_)
        | StepKind::Training(_)
        | StepKind::Transform(_)
        | StepKind::Python(_)
        | StepKind::Condition(_)
        | StepKind::Fail(_)
        | StepKind::Lambda(_)
        | StepKind::Endpoint(_)
        | StepKind::Tuning(_) => name.clone(),
    }
}

pub fn get(path: impl Into<String>) -> Val {
    Val::get(path.into())
}

/// Converts a request body, moving its strings; `Err` for a piece no SageMaker
/// definition can hold (a bug in the caller: job names are SageMaker's to choose).
pub fn node(p: &Pipeline, n: Node) -> Result<Val, String> {
    Ok(match n {
        Node::Text(pieces) => text(p, pieces)?,
        Node::Int(i) => Val::Int(i),
        Node::IntParam(name) => get(format!("Parameters.{name}")),
        Node::Bool(b) => Val::Bool(b),
        Node::List(items) => Val::List(items.into_iter().map(|i| node(p, i)).collect::<Result<_, _>>()?),
        Node::Map(entries) => {
            Val::Map(entries.into_iter().map(|(k, v)| Ok((k.into(), node(p, v)?))).collect::<Result<_, String>>()?)
        }
    })
}

/// A string field: a literal, one string-valued expression, or `Std:Join` of the
/// pieces. A non-string parameter alone is joined too, as the SDK's `to_string()`
/// does, so the field receives text.
pub fn text(p: &Pipeline, pieces: Vec<Piece>) -> Result<Val, String> {
    let (values, all_strings) = text_values(p, pieces)?;
    Ok(join(values, all_strings))
}

/// The values a text joins, adjacent literals merged; and whether every one is a
/// string already.
pub fn text_values(p: &Pipeline, pieces: Vec<Piece>) -> Result<(Vec<Val>, bool), String> {
    // A python step's job writes its outputs where it is told: their locations. A
    // tuning step's model is where its best job left it.
    let pieces: Vec<Piece> = pieces
        .into_iter()
        .flat_map(|piece| match &piece {
            Piece::OutputUri { step, output } => match p.step(*step) {
                Some(producer) if matches!(producer.kind, StepKind::Python(_)) => {
                    crate::targets::requests::output_location(p, producer, output)
                }
                Some(_) | None => vec![piece],
            },
            Piece::Literal(_) | Piece::Param(_) | Piece::RunId | Piece::RunKey | Piece::RunDate => vec![piece],
            Piece::ModelArtifact(step) => crate::targets::requests::best_model(p, *step).unwrap_or_else(|| vec![piece]),
            Piece::JobName(_) | Piece::BestTrainingJob(_) | Piece::ModelName(_) => vec![piece],
        })
        .collect();
    let mut values: Vec<Val> = Vec::new();
    let mut all_strings = true;
    for piece in pieces {
        let value = match piece {
            Piece::Literal(s) if s.is_empty() => continue,
            Piece::Literal(s) => {
                if let Some(Val::Str(prev)) = values.last_mut() {
                    prev.push_str(&s);
                    continue;
                }
                Val::Str(s)
            }
            Piece::Param(name) => {
                if p.param(&name).map(|param| param.ty) != Some(ParamType::String) {
                    all_strings = false;
                }
                get(format!("Parameters.{name}"))
            }
            // Execution ids are lower-case letters and digits: already a safe key.
            Piece::RunId | Piece::RunKey => get(EXECUTION_ID),
            Piece::RunDate => return Err("`run.date` reached the SageMaker definition".to_string()),
            Piece::OutputUri { step, output } => {
                let producer = p.step(step).ok_or("output of an unknown step")?;
                let name = &producer.name.node;
                match producer.kind {
                    // A sql step is a processing job here (`sql`).
                    StepKind::Processing(_) | StepKind::Sql(_) => {
                        get(format!("Steps.{name}.ProcessingOutputConfig.Outputs['{output}'].S3Output.S3Uri"))
                    }
                    StepKind::Transform(_) => get(format!("Steps.{name}.TransformOutput.S3OutputPath")),
                    StepKind::Training(_) => get(format!("Steps.{name}.ModelArtifacts.S3ModelArtifacts")),
                    StepKind::Python(_)
                    | StepKind::Condition(_)
                    | StepKind::Fail(_)
                    | StepKind::Model(_)
                    | StepKind::Register(_)
                    | StepKind::Lambda(_)
                    | StepKind::Endpoint(_)
                    | StepKind::Tuning(_) => {
                        return Err(format!("step `{name}` has no output a SageMaker step can reference"))
                    }
                }
            }
            Piece::ModelArtifact(step) => {
                let producer = p.step(step).ok_or("model of an unknown step")?;
                get(format!("Steps.{}.ModelArtifacts.S3ModelArtifacts", producer.name.node))
            }
            Piece::ModelName(step) => {
                let producer = p.step(step).ok_or("model of an unknown step")?;
                get(format!("Steps.{}.ModelName", model_step_name(&producer.name.node)))
            }
            Piece::BestTrainingJob(step) => {
                let producer = p.step(step).ok_or("tuning of an unknown step")?;
                get(format!("Steps.{}.BestTrainingJob.TrainingJobName", producer.name.node))
            }
            Piece::JobName(_) => return Err("a job name reached the SageMaker definition".to_string()),
        };
        values.push(value);
    }
    Ok((values, all_strings))
}

/// Values as one string: nothing, the one value when it is a string already, or
/// `Std:Join` on "".
pub fn join(mut values: Vec<Val>, all_strings: bool) -> Val {
    match values.len() {
        0 => Val::Str(String::new()),
        1 if all_strings => values.remove(0),
        _ => {
            Val::map(vec![("Std:Join", Val::map(vec![("On", Val::Str(String::new())), ("Values", Val::List(values))]))])
        }
    }
}

/// An ISO-8601 duration for a number of seconds: `P30D`, `PT1H30M`, `PT45S`.
pub fn iso_duration(seconds: u64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let mut out = format!("P{}", if days > 0 { format!("{days}D") } else { String::new() });
    if rest > 0 || days == 0 {
        out.push('T');
        for (n, unit) in [(h, 'H'), (m, 'M'), (s, 'S')] {
            if n > 0 {
                out.push_str(&format!("{n}{unit}"));
            }
        }
        if rest == 0 {
            out.push_str("0S");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::iso_duration;

    #[test]
    fn iso_durations() {
        assert_eq!(iso_duration(0), "PT0S");
        assert_eq!(iso_duration(45), "PT45S");
        assert_eq!(iso_duration(5400), "PT1H30M");
        assert_eq!(iso_duration(86_400 * 30), "P30D");
        assert_eq!(iso_duration(86_400 + 7200 + 1), "P1DT2H1S");
    }
}
