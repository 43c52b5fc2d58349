//! Lambda steps in a SageMaker definition: a `Lambda` step whose Arguments are the
//! payload, with the function's full ARN (SageMaker takes no name) and the response's
//! keys as typed `OutputParameters`, which later steps read as
//! `Steps.<step>.OutputParameters['<key>']`. So the response is no S3 object here:
//! its report needs a flat schema, and nothing may read it as a file.

use super::expr;
use super::tree::Val;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Lambda, LambdaFunction, ParamType, PayloadValue, Pipeline, Schema, Step, StepKind, TextPart, Value};
use crate::targets::requests::{self, Node};

/// The function's ARN: as written, or built from its name, the pipeline's region and
/// the account and partition of its role. `None` when neither gives one.
pub fn function_arn(p: &Pipeline, function: &LambdaFunction) -> Option<String> {
    if let (Some(partition), Some(region), Some(account)) = (&function.partition, &function.region, &function.account) {
        return Some(arn(partition, region, account, function));
    }
    let role = p.settings.role.as_ref()?.as_literal()?;
    let parts: Vec<&str> = role.splitn(6, ':').collect();
    let (partition, role_account) = match parts.as_slice() {
        ["arn", partition, "iam", "", account, _] => (*partition, *account),
        _ => return None,
    };
    let account = function.account.as_deref().unwrap_or(role_account);
    Some(arn(partition, p.settings.region.as_deref()?, account, function))
}

fn arn(partition: &str, region: &str, account: &str, f: &LambdaFunction) -> String {
    let qualifier = f.qualifier.as_ref().map(|q| format!(":{q}")).unwrap_or_default();
    format!("arn:{partition}:lambda:{region}:{account}:function:{}{qualifier}", f.name)
}

/// The `Lambda` step of a lambda step.
pub fn step(p: &Pipeline, step: &Step, lambda: &Lambda) -> Result<Val, String> {
    let arn = function_arn(p, &lambda.function).ok_or("a lambda step without an ARN passed the SageMaker check")?;
    let mut args = Vec::new();
    for (key, value) in &lambda.payload {
        let value = match value {
            PayloadValue::Value(Value::Int(i)) => Val::Int(*i),
            PayloadValue::Value(Value::Float(f)) => Val::Json(serde_json::json!(f)),
            PayloadValue::Value(Value::Bool(b)) => Val::Bool(*b),
            PayloadValue::Value(Value::Param(name)) => expr::get(format!("Parameters.{name}")),
            PayloadValue::Value(Value::Text(t)) => expr::node(p, Node::Text(requests::text_pieces(t)))?,
            PayloadValue::Report(value) => super::control::report_value(p, value),
        };
        args.push((std::borrow::Cow::Owned(key.clone()), value));
    }
    let mut out = super::job_step(p, step, "Lambda", Val::Map(args));
    out.set("FunctionArn", Val::Str(arn));
    let outputs = response_types(step).ok_or("a lambda response without a flat schema passed the SageMaker check")?;
    if !outputs.is_empty() {
        let outputs = outputs
            .into_iter()
            .map(|(name, ty)| {
                let ty = match ty {
                    ParamType::String => "String",
                    ParamType::Int => "Integer",
                    ParamType::Float => "Float",
                    ParamType::Bool => "Boolean",
                };
                Val::map(vec![("OutputName", Val::Str(name.to_string())), ("OutputType", Val::Str(ty.into()))])
            })
            .collect();
        out.set("OutputParameters", Val::List(outputs));
    }
    Ok(out)
}

/// The response's keys and types: none without a report output; `None` when the
/// report has no schema, or one that is not a flat map of values.
fn response_types(step: &Step) -> Option<Vec<(&str, ParamType)>> {
    let Some(report) = step.outputs.iter().find_map(|o| o.report.as_ref()) else {
        return Some(Vec::new());
    };
    match report.schema.as_ref()? {
        Schema::Map(entries) => entries
            .iter()
            .map(|(k, s)| match s {
                Schema::Value(ty) => Some((k.as_str(), *ty)),
                Schema::Map(_) => None,
            })
            .collect(),
        Schema::Value(_) => None,
    }
}

/// What SageMaker cannot do with a lambda step: call a function it has no ARN for,
/// type a response without a flat schema, or read the response as a file.
pub fn check(p: &Pipeline, step: &Step, diags: &mut Vec<Diagnostic>) {
    match &step.kind {
        StepKind::Lambda(lambda) => {
            if step.retry.is_some_and(|r| r.attempts > 0) {
                diags.push(
                    Diagnostic::new(
                        Code::IgnoredSetting,
                        step.name.span,
                        format!("SageMaker does not retry a Lambda step: the `retry` of `{}` does not apply there", step.name.node),
                    )
                    .label("no RetryPolicies on a Lambda step")
                    .help("retry inside the function, or leave `retry` out for SageMaker (Step Functions and Airflow apply it)"),
                );
            }
            if function_arn(p, &lambda.function).is_none() {
                diags.push(
                    Diagnostic::new(
                        Code::UnrepresentableValue,
                        step.name.span,
                        format!("SageMaker calls a Lambda function by its ARN, and `{}` gives none", lambda.function.written),
                    )
                    .label("a function name")
                    .help("write the function's ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`), or set the pipeline's `region` and a literal `role`, whose account mlpc then uses"),
                );
            }
            if let (Some(output), None) = (step.outputs.iter().find(|o| o.report.is_some()), response_types(step)) {
                diags.push(
                    Diagnostic::new(
                        Code::UnrepresentableValue,
                        output.span,
                        format!("SageMaker types a Lambda's response key by key: `{}` needs a flat `schema`", output.name.node),
                    )
                    .label("no flat schema")
                    .help("declare each key the function returns: `schema = { approved = bool, score = float }` (string, int, float or bool, no nested maps)"),
                );
            }
        }
        StepKind::Register(register) => {
            if let Some(metrics) = register.metrics.as_ref().filter(|m| is_lambda(p, m.step)) {
                diags.push(read_as_file(p, metrics.step, &metrics.output, metrics.span));
            }
        }
        StepKind::Sql(_)
        | StepKind::Processing(_)
        | StepKind::Training(_)
        | StepKind::Transform(_)
        | StepKind::Python(_)
        | StepKind::Condition(_)
        | StepKind::Fail(_)
        | StepKind::Model(_)
        | StepKind::Endpoint(_)
        | StepKind::Tuning(_) => {}
    }
    for text in step.texts() {
        for part in &text.parts {
            if let TextPart::Output { step: producer, output, .. } = part {
                if is_lambda(p, *producer) {
                    diags.push(read_as_file(p, *producer, output, step.name.span));
                }
            }
        }
    }
}

fn is_lambda(p: &Pipeline, id: crate::ir::StepId) -> bool {
    p.step(id).is_some_and(|s| matches!(s.kind, StepKind::Lambda(_)))
}

fn read_as_file(p: &Pipeline, producer: crate::ir::StepId, output: &str, span: crate::source::Span) -> Diagnostic {
    let name = p.step_name(producer);
    Diagnostic::new(
        Code::UnrepresentableValue,
        span,
        format!("on SageMaker, the response `{name}.{output}` of a Lambda step is no file in S3"),
    )
    .label("read as a file here")
    .help("read its values instead (`STEP.OUTPUT.key`), or have the function write a file and pass its URI")
}
