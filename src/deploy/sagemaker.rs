//! Deploys a SageMaker Pipeline: code files to S3, then CreatePipeline, or
//! UpdatePipeline when a pipeline of that name exists, then optionally
//! StartPipelineExecution with parameter overrides.

use aws_sdk_sagemaker::config::http::HttpResponse;
use aws_sdk_sagemaker::error::SdkError;
use aws_sdk_sagemaker::operation::list_pipelines::ListPipelinesError;
use aws_sdk_sagemaker::types::{Parameter, Tag};
use sha2::{Digest, Sha256};

use super::{aws_config, load_config, overrides, remote_error, s3, DeployError, DeployOptions};
use crate::ir::Pipeline;
use crate::targets::sagemaker::pipeline_name;

/// Deploys `p`, whose definition is `definition`; prints one line per action.
pub async fn deploy(
    p: &Pipeline,
    definition: &str,
    options: &DeployOptions,
    log: &mut dyn FnMut(String),
) -> Result<(), DeployError> {
    let overrides = overrides::parse(p, &options.params).map_err(DeployError::Usage)?;
    if !options.start && !overrides.is_empty() {
        return Err(DeployError::Usage("--param applies to the execution --start starts: add --start".to_string()));
    }
    if options.input.is_some() {
        return Err(DeployError::Usage(
            "--input applies to --target stepfunctions; use --param NAME=VALUE".to_string(),
        ));
    }
    if options.start {
        overrides::require_all(p, |name| overrides.iter().any(|(n, _)| n == name), "--param NAME=VALUE")
            .map_err(DeployError::Usage)?;
    }
    let Some(role) = options.role_arn.clone().or_else(|| p.settings.role.as_ref().and_then(|r| r.as_literal())) else {
        return Err(DeployError::Usage(
            "the pipeline needs a literal `role` (an IAM role ARN) to be created".to_string(),
        ));
    };
    let config = aws_config(p, options).await;
    s3::upload_code(&config, p, options, log).await?;

    let client = aws_sdk_sagemaker::Client::new(&config);
    let endpoint = options.endpoint_url.as_deref();
    let name = pipeline_name(p);
    let exists = pipeline_exists(&client, &name)
        .await
        .map_err(|e| remote_error(&format!("looking up pipeline {name}"), endpoint, &e))?;
    let description = p.settings.description.clone();
    if exists {
        client
            .update_pipeline()
            .pipeline_name(&name)
            .pipeline_definition(definition)
            .role_arn(&role)
            .set_pipeline_description(description)
            .send()
            .await
            .map_err(|e| remote_error(&format!("updating pipeline {name}"), endpoint, &e))?;
        log(format!("pipeline  {name} (updated)"));
    } else {
        let tags: Vec<Tag> = p.settings.tags.iter().map(|t| Tag::builder().key(t).value("").build()).collect();
        client
            .create_pipeline()
            .pipeline_name(&name)
            .pipeline_definition(definition)
            .role_arn(&role)
            .set_pipeline_description(description)
            .set_tags((!tags.is_empty()).then_some(tags))
            // The same definition gives the same token: a create retried after a lost
            // answer is recognised instead of failing on the existing name.
            .client_request_token(token(&[name.as_bytes(), definition.as_bytes()]))
            .send()
            .await
            .map_err(|e| remote_error(&format!("creating pipeline {name}"), endpoint, &e))?;
        log(format!("pipeline  {name} (created)"));
    }
    if !options.start {
        return Ok(());
    }
    let parameters: Vec<Parameter> =
        overrides.iter().map(|(k, v)| Parameter::builder().name(k).value(v.to_text()).build()).collect();
    let started = client
        .start_pipeline_execution()
        .pipeline_name(&name)
        .set_pipeline_parameters((!parameters.is_empty()).then_some(parameters))
        // Each start is a new execution: the token only has to be unique.
        .client_request_token(token(&[name.as_bytes(), &start_nonce()]))
        .send()
        .await
        .map_err(|e| remote_error(&format!("starting pipeline {name}"), endpoint, &e))?;
    let shown: Vec<String> = overrides.iter().map(|(k, v)| format!("{k}={}", v.to_text())).collect();
    log(format!(
        "execution {}{}",
        started.pipeline_execution_arn().unwrap_or("(no ARN returned)"),
        if shown.is_empty() { String::new() } else { format!(" ({})", shown.join(", ")) }
    ));
    Ok(())
}

/// Whether a pipeline of this name exists. Listed by prefix rather than described, so
/// that "no such pipeline" is an empty answer, not an error code to interpret.
async fn pipeline_exists(
    client: &aws_sdk_sagemaker::Client,
    name: &str,
) -> Result<bool, SdkError<ListPipelinesError, HttpResponse>> {
    let mut pages = client.list_pipelines().pipeline_name_prefix(name).into_paginator().send();
    while let Some(page) = pages.next().await {
        if page?.pipeline_summaries().iter().any(|s| s.pipeline_name() == Some(name)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A client request token: 64 hex digits of SHA-256 over the parts.
fn token(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part);
        hash.update([0]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes that differ between two starts: the time and the process.
fn start_nonce() -> Vec<u8> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{nanos}-{}", std::process::id()).into_bytes()
}

/// DescribePipeline of `name` (for `mlpc import`), as the JSON the AWS CLI prints: its
/// `PipelineDefinition` is the definition as a string.
pub async fn describe(name: &str, region: Option<&str>, endpoint_url: Option<&str>) -> Result<String, DeployError> {
    let config = load_config(region, endpoint_url).await;
    if config.region().is_none() {
        return Err(DeployError::Usage(
            "no AWS region to find the pipeline in: give --region, or set AWS_REGION or a profile's region".to_string(),
        ));
    }
    let client = aws_sdk_sagemaker::Client::new(&config);
    let described = client
        .describe_pipeline()
        .pipeline_name(name)
        .send()
        .await
        .map_err(|e| remote_error(&format!("describing pipeline {name}"), endpoint_url, &e))?;
    let Some(definition) = described.pipeline_definition() else {
        return Err(DeployError::Remote(format!("describing pipeline {name}: the answer holds no PipelineDefinition")));
    };
    let response = serde_json::json!({
        "PipelineName": described.pipeline_name(),
        "PipelineDefinition": definition,
        "PipelineDescription": described.pipeline_description(),
        "RoleArn": described.role_arn(),
        "ParallelismConfiguration": described
            .parallelism_configuration()
            .map(|c| serde_json::json!({ "MaxParallelExecutionSteps": c.max_parallel_execution_steps() })),
    });
    serde_json::to_string_pretty(&response).map_err(|e| DeployError::Remote(e.to_string()))
}
