//! Deploys a Step Functions state machine: code files to S3, then CreateStateMachine,
//! or UpdateStateMachine when one of that name exists, then optionally
//! StartExecution with the given input and `--param` overrides.

use aws_sdk_sfn::types::Tag;

use super::{aws_config, overrides, remote_error, s3, DeployError, DeployOptions};
use crate::ir::Pipeline;

pub async fn deploy(
    p: &Pipeline,
    definition: &str,
    options: &DeployOptions,
    log: &mut dyn FnMut(String),
) -> Result<(), DeployError> {
    let input = execution_input(p, options)?;
    let config = aws_config(p, options).await;
    s3::upload_code(&config, p, options, log).await?;
    let client = aws_sdk_sfn::Client::new(&config);
    let endpoint = options.endpoint_url.as_deref();
    let name = p.name.node.clone();
    let existing = find(&client, &name)
        .await
        .map_err(|e| remote_error(&format!("looking up state machine {name}"), endpoint, &e))?;
    let arn = match existing {
        Some(arn) => {
            client
                .update_state_machine()
                .state_machine_arn(&arn)
                .definition(definition)
                .set_role_arn(options.role_arn.clone())
                .send()
                .await
                .map_err(|e| remote_error(&format!("updating state machine {name}"), endpoint, &e))?;
            log(format!("machine   {arn} (updated)"));
            arn
        }
        None => {
            let Some(role) = &options.role_arn else {
                return Err(DeployError::Usage(format!(
                    "creating state machine {name} needs --role-arn: the IAM role Step Functions runs it as (it must be allowed to start SageMaker jobs and pass the pipeline's role)"
                )));
            };
            let tags: Vec<Tag> = p.settings.tags.iter().map(|t| Tag::builder().key(t).value("").build()).collect();
            let created = client
                .create_state_machine()
                .name(&name)
                .definition(definition)
                .role_arn(role)
                .set_tags((!tags.is_empty()).then_some(tags))
                .send()
                .await
                .map_err(|e| remote_error(&format!("creating state machine {name}"), endpoint, &e))?;
            let arn = created.state_machine_arn().to_string();
            log(format!("machine   {arn} (created)"));
            arn
        }
    };
    if !options.start {
        return Ok(());
    }
    let started = client
        .start_execution()
        .state_machine_arn(&arn)
        .name(execution_name())
        .input(&input)
        .send()
        .await
        .map_err(|e| remote_error(&format!("starting state machine {name}"), endpoint, &e))?;
    log(format!("execution {} (input {input})", started.execution_arn()));
    Ok(())
}

/// A readable execution name, unique per start: it is the run's id, so it appears in
/// every S3 location and job name of the run.
fn execution_name() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("run-{}-{:06x}", now.as_secs(), (now.subsec_nanos() ^ std::process::id()) & 0xff_ffff)
}

/// `--input` (a JSON object, default `{}`) with each `--param` set in it, typed as declared.
fn execution_input(p: &Pipeline, options: &DeployOptions) -> Result<String, DeployError> {
    if !options.start && (options.input.is_some() || !options.params.is_empty()) {
        return Err(DeployError::Usage(
            "--input and --param apply to the execution --start starts: add --start".to_string(),
        ));
    }
    let mut input = match &options.input {
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(_) => {
                return Err(DeployError::Usage("--input must be a JSON object, e.g. '{\"max_depth\": 7}'".to_string()))
            }
            Err(e) => return Err(DeployError::Usage(format!("--input is not JSON: {e}"))),
        },
        None => serde_json::Map::new(),
    };
    for (name, value) in overrides::parse(p, &options.params).map_err(DeployError::Usage)? {
        input.insert(name, value.to_json());
    }
    if options.start {
        overrides::require_all(p, |name| input.contains_key(name), "--param NAME=VALUE or --input")
            .map_err(DeployError::Usage)?;
    }
    serde_json::to_string(&input).map_err(|e| DeployError::Usage(e.to_string()))
}

/// The ARN of the state machine named `name`, if there is one.
async fn find(
    client: &aws_sdk_sfn::Client,
    name: &str,
) -> Result<
    Option<String>,
    aws_sdk_sfn::error::SdkError<
        aws_sdk_sfn::operation::list_state_machines::ListStateMachinesError,
        aws_sdk_sfn::config::http::HttpResponse,
    >,
> {
    let mut pages = client.list_state_machines().into_paginator().send();
    while let Some(page) = pages.next().await {
        if let Some(m) = page?.state_machines().iter().find(|m| m.name() == name) {
            return Ok(Some(m.state_machine_arn().to_string()));
        }
    }
    Ok(None)
}
