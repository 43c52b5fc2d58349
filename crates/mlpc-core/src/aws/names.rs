//! AWS's rules for names the checker judges: regions, S3 buckets, IAM role ARNs, and
//! how much of a SageMaker job name is left for mlpc's fixed part.

use super::limits::SAGEMAKER_JOB_NAME;

/// A region code such as `us-east-1` or `us-gov-west-1`: at least three parts of
/// lower-case letters and digits, the last one a number.
pub fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// An S3 bucket name: 3 to 63 lower-case letters, digits, `-` and `.`.
pub fn is_bucket(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
}

/// An IAM role ARN: `arn:PARTITION:iam::ACCOUNT:role/NAME`, a 12-digit account.
pub fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "iam", "", account, resource]
        if partition.starts_with("aws") && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
            && resource.strip_prefix("role/").is_some_and(|n| !n.is_empty()))
}

/// A SageMaker entity name (a model package group's, an endpoint's): 1 to `max`
/// letters, digits and `-`, neither first nor last a `-`.
pub fn is_entity_name(name: &str, max: usize) -> bool {
    (1..=max).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// A MIME type as CreateModelPackage takes a response type: `[-\w]+/.+`.
pub fn is_mime_type(text: &str) -> bool {
    text.split_once('/').is_some_and(|(kind, rest)| {
        !kind.is_empty() && kind.chars().all(|c| c == '-' || c == '_' || c.is_alphanumeric()) && !rest.is_empty()
    })
}

/// The longest fixed part (`<pipeline>-<step>`) of a job name followed by `suffix`
/// more characters, within SageMaker's 63.
pub const fn job_prefix_within(suffix: usize) -> usize {
    SAGEMAKER_JOB_NAME - suffix
}
