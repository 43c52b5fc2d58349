//! Lambda steps in the state machine: the payload's report values read first (S3
//! GetObject, as a condition reads them), then a Task on `lambda:invoke`, whose
//! response arrives parsed as `Payload`. A `report` output is written where the
//! report lives (S3 PutObject), so every step reads it as it reads any report.

use serde_json::{json, Map, Value as Json};

use super::control::Reads;
use super::expr::{Exprs, QueryLanguage};
use super::machine::{ResultPath, State, Transition};
use super::states::task;
use super::Segment;
use crate::ir::{Lambda, PayloadValue, Step, Value};
use crate::targets::requests::{self, Node, Piece};

const LAMBDA_ERRORS: &[&str] = &[
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
];
const S3_ERRORS: &[&str] = &["S3.S3Exception", "States.TaskFailed"];

pub fn lambda(x: &Exprs, step: &Step, lambda: &Lambda) -> Result<Segment, String> {
    let reads = Reads::new(x, step, &lambda.report_values())?;
    let name = step.name.node.clone();
    let jsonata = x.lang == QueryLanguage::Jsonata;
    let mut payload = Map::new();
    for (key, value) in &lambda.payload {
        let (k, v) = match value {
            PayloadValue::Value(Value::Int(i)) => (key.clone(), json!(i)),
            PayloadValue::Value(Value::Float(f)) => (key.clone(), json!(f)),
            PayloadValue::Value(Value::Bool(b)) => (key.clone(), json!(b)),
            // The param itself, typed as it is.
            PayloadValue::Value(Value::Param(param)) => x.dynamic_entry(
                key,
                match x.lang {
                    QueryLanguage::Jsonata => format!("$params.{param}"),
                    QueryLanguage::Jsonpath => format!("$.params.{param}"),
                },
            ),
            PayloadValue::Value(Value::Text(t)) => {
                let body = x.body(&Node::Map(vec![(key.clone(), Node::Text(requests::text_pieces(t)))]))?;
                body.as_object()
                    .and_then(|m| m.iter().next())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .ok_or("an empty payload entry")?
            }
            PayloadValue::Report(value) => x.dynamic_entry(key, reads.value(x, value)?),
        };
        payload.insert(k, v);
    }
    let body = json!({ "FunctionName": lambda.function.written, "Payload": Json::Object(payload) });
    let mut invoke = task(x, step, "arn:aws:states:::lambda:invoke", body, LAMBDA_ERRORS, true);
    let response = step.outputs.iter().find(|o| o.report.is_some());
    let Some(output) = response else {
        return Ok(reads.then(Segment::one(&name, State::Task(invoke))));
    };
    // The response, kept for the state that writes it.
    let at = format!("$.lambda.{name}");
    let var = format!("lambda_{name}");
    if jsonata {
        invoke.assign = Some(json!({ var.clone(): "{% $states.result.Payload %}" }));
    } else {
        invoke.result_selector = Some(json!({ "value.$": "$.Payload" }));
        invoke.result_path = Some(ResultPath::At(at.clone()));
    }
    let (bucket, key) = requests::report_object(x.p, step, &output.name.node)
        .ok_or("a Lambda response without a known bucket passed the Step Functions check")?;
    let mut request = x.body(&Node::Map(vec![
        ("Bucket".to_string(), Node::Text(vec![Piece::Literal(bucket)])),
        ("Key".to_string(), Node::Text(key)),
    ]))?;
    let (body_key, body) = if jsonata {
        ("Body".to_string(), json!(format!("{{% $string(${var}) %}}")))
    } else {
        ("Body.$".to_string(), json!(format!("States.JsonToString({at}.value)")))
    };
    if let Some(map) = request.as_object_mut() {
        map.insert(body_key, body);
    }
    let writes = format!("{name} writes {}", output.name.node);
    let mut put = task(x, step, "arn:aws:states:::aws-sdk:s3:putObject", request, S3_ERRORS, false);
    put.comment = Some(format!("Writes the response of `{name}` as the report `{name}.{}`", output.name.node));
    invoke.transition = Some(Transition::Next(writes.clone()));
    let segment = Segment {
        entry: name.clone(),
        states: vec![(name, State::Task(invoke)), (writes, State::Task(put))],
        exits: vec![1],
    };
    Ok(reads.then(segment))
}
