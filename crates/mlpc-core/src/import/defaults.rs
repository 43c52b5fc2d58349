//! Fields a definition may hold with the value the service uses when they are absent,
//! as the SageMaker SDK writes them out: importing them as nothing changes nothing.
//! Any other value of these fields is reported like any unknown field.

use serde_json::{json, Value as Json};

/// Whether `key = value` is the service's default (or the SDK's way of saying "off").
pub fn is_default(key: &str, value: &Json) -> bool {
    let default = match key {
        "AppManaged" => json!(false),
        "S3CompressionType" => json!("None"),
        "S3InputMode" | "TrainingInputMode" => json!("File"),
        "S3DataType" => json!("S3Prefix"),
        "S3UploadMode" => json!("EndOfJob"),
        "S3DataDistributionType" => json!("FullyReplicated"),
        // The SDK writes an empty environment for a model without one.
        "Environment" => json!({}),
        // The SDK's estimators switch the profiler off in a pipeline; absent, CreateTrainingJob
        // runs no profiler either.
        "ProfilerConfig" => json!({ "DisableProfiler": true }),
        "Metadata" => json!({}),
        // The SDK's `ModelMetrics` with no bias or explainability reports.
        "Bias" | "Explainability" => json!({}),
        // CreateModelPackage validates the model unless told otherwise.
        "SkipModelValidation" => json!("None"),
        _ => return false,
    };
    *value == default
}
