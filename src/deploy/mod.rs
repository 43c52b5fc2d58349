//! `mlpc deploy`: puts a checked pipeline into the service that runs it, with the
//! AWS SDK for Rust. Credentials and region come from the usual AWS sources (the
//! environment, profiles, SSO, instance roles); `--endpoint-url` points every call at
//! another endpoint (a local emulator). Each action is idempotent, and they run in an
//! order where a failure at any point leaves what a re-run completes: code uploads,
//! then create-or-update, then the optional start.

pub mod overrides;
mod s3;
pub mod sagemaker;
pub mod stepfunctions;

use aws_sdk_sagemaker::error::{ProvideErrorMetadata, SdkError};

use crate::ir::Pipeline;

/// Why a deploy stopped.
#[derive(Debug)]
pub enum DeployError {
    /// The request is wrong before anything is sent (a bad `--param`): exit 2.
    Usage(String),
    /// A service refused a call or could not be reached: exit 3.
    Remote(String),
}

/// Where and how to deploy.
#[derive(Clone, Debug, Default)]
pub struct DeployOptions {
    /// Sends every AWS call here instead of the AWS endpoints.
    pub endpoint_url: Option<String>,
    /// Starts an execution once the pipeline is in place.
    pub start: bool,
    /// `NAME=VALUE` parameter overrides for the started execution.
    pub params: Vec<String>,
    /// Step Functions: the execution's input (a JSON object), before `params`.
    pub input: Option<String>,
    /// The IAM role the service runs the pipeline as: required to create a state
    /// machine; for SageMaker, instead of the pipeline's `role`.
    pub role_arn: Option<String>,
}

/// Runs an async deploy to completion on a single-threaded runtime.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, DeployError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| DeployError::Remote(format!("cannot start the network runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

/// The AWS configuration from the usual sources; the pipeline's `region` wins over
/// the environment's, since its images and role live there.
async fn aws_config(p: &Pipeline, options: &DeployOptions) -> aws_config::SdkConfig {
    load_config(p.settings.region.as_deref(), options.endpoint_url.as_deref()).await
}

/// The AWS configuration from the usual sources, with a region and endpoint that win.
async fn load_config(region: Option<&str>, endpoint_url: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_string()));
    }
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// A failed call as one readable line: what was attempted, where, and the service's
/// own words (its error code and message), or the network's.
fn remote_error<E, R>(action: &str, endpoint: Option<&str>, err: &SdkError<E, R>) -> DeployError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let place = endpoint.map(|u| format!(" at {u}")).unwrap_or_default();
    let cause = match err {
        SdkError::ServiceError(e) => {
            let e = e.err();
            format!("{}: {}", e.code().unwrap_or("error"), e.message().unwrap_or("(no message)"))
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            format!("the endpoint cannot be reached ({})", chain(err))
        }
        _ => chain(err),
    };
    DeployError::Remote(format!("{action} failed{place}: {cause}"))
}

/// An error and its sources, innermost last, without debug dumps.
fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = e.source();
    }
    out
}
