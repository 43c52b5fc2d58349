//! Endpoint steps in the state machine. SageMaker's endpoint calls have no `.sync`
//! form, so the step creates this run's endpoint configuration, then creates the
//! endpoint (or with `update = true`, updates it when DescribeEndpoint finds it), and
//! polls DescribeEndpoint until it is `InService`; a failed endpoint ends the run.

use serde_json::json;

use super::expr::{Exprs, QueryLanguage};
use super::machine::{Choice, Fail, Pass, ResultPath, Rule, State, Transition, Wait};
use super::states::{going_on, task, SAGEMAKER_ERRORS};
use super::Segment;
use crate::ir::{Endpoint, Step};
use crate::targets::requests::{self, Node};

/// Seconds between two status checks of an endpoint being created or updated.
pub const ENDPOINT_POLL_SECONDS: u64 = 30;
/// The statuses an endpoint being created or updated does not come back from.
const FAILED: [&str; 3] = ["Failed", "OutOfService", "UpdateRollbackFailed"];

pub fn endpoint(x: &Exprs, step: &Step, e: &Endpoint) -> Result<Segment, String> {
    let name = step.name.node.clone();
    let jsonata = x.lang == QueryLanguage::Jsonata;
    let [create, update, exists, status, check, wait, failed, done] =
        ["create", "update", "exists?", "status", "in service?", "wait", "failed", "done"]
            .map(|s| format!("{name} {s}"));
    let mut config = task(
        x,
        step,
        "arn:aws:states:::sagemaker:createEndpointConfig",
        x.body(&requests::endpoint_config(step, e))?,
        SAGEMAKER_ERRORS,
        true,
    );
    let request = x.body(&requests::endpoint(step, e))?;
    let named = x.body(&Node::Map(vec![("EndpointName".to_string(), Node::Text(requests::text_pieces(&e.name)))]))?;
    let mut states = Vec::new();
    let mut creating =
        task(x, step, "arn:aws:states:::sagemaker:createEndpoint", request.clone(), SAGEMAKER_ERRORS, false);
    creating.transition = Some(Transition::Next(status.clone()));
    if e.update {
        // Update what exists; DescribeEndpoint fails for a missing endpoint: create it.
        config.transition = Some(Transition::Next(exists.clone()));
        let mut describe = task(
            x,
            step,
            "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
            named.clone(),
            SAGEMAKER_ERRORS,
            false,
        );
        describe.transition = Some(Transition::Next(update.clone()));
        describe.catch = vec![going_on(x, &create, format!("$.endpoints.{name}_missing"))];
        let mut updating = task(x, step, "arn:aws:states:::sagemaker:updateEndpoint", request, SAGEMAKER_ERRORS, false);
        updating.transition = Some(Transition::Next(status.clone()));
        states.push((name.clone(), State::Task(config)));
        states.push((exists, State::Task(describe)));
        states.push((update, State::Task(updating)));
        states.push((create, State::Task(creating)));
    } else {
        config.transition = Some(Transition::Next(create.clone()));
        states.push((name.clone(), State::Task(config)));
        states.push((create, State::Task(creating)));
    }
    let mut describe =
        task(x, step, "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint", named, SAGEMAKER_ERRORS, false);
    describe.transition = Some(Transition::Next(check.clone()));
    let is = |value: &str| -> serde_json::Value {
        if jsonata {
            json!({ "Condition": format!("{{% $endpoint_{name} = '{value}' %}}") })
        } else {
            json!({ "Variable": format!("$.endpoints.{name}.status"), "StringEquals": value })
        }
    };
    if jsonata {
        describe.assign = Some(json!({ format!("endpoint_{name}"): "{% $states.result.EndpointStatus %}" }));
    } else {
        describe.result_selector = Some(json!({ "status.$": "$.EndpointStatus" }));
        describe.result_path = Some(ResultPath::At(format!("$.endpoints.{name}")));
    }
    let failing = if jsonata {
        json!({ "Condition": format!("{{% $endpoint_{name} in {} %}}", json!(FAILED).to_string().replace('"', "'")) })
    } else {
        json!({ "Or": FAILED.iter().map(|s| is(s)).collect::<Vec<_>>() })
    };
    states.push((status.clone(), State::Task(describe)));
    states.push((
        check,
        State::Choice(Choice {
            choices: vec![
                Rule { test: is("InService"), next: done.clone() },
                Rule { test: failing, next: failed.clone() },
            ],
            default: Some(wait.clone()),
        }),
    ));
    states
        .push((wait, State::Wait(Wait { seconds: ENDPOINT_POLL_SECONDS, transition: Some(Transition::Next(status)) })));
    states.push((
        failed,
        State::Fail(Fail {
            error: Some("SageMaker.EndpointFailed".into()),
            cause: Some(format!("the endpoint of step `{name}` did not come into service (see DescribeEndpoint)")),
            ..Fail::default()
        }),
    ));
    states.push((done, State::Pass(Pass::default())));
    let exits = vec![states.len() - 1];
    Ok(Segment { entry: name, states, exits })
}
