//! The AWS service limits and name rules mlpc checks, one constant per fact. Each
//! names the API field or documented quota it comes from.

/// SageMaker job names: `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$` (CreateProcessingJob,
/// CreateTrainingJob, CreateTransformJob, CreateModel).
pub const SAGEMAKER_JOB_NAME: usize = 63;
/// A hyperparameter tuning job's name: `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$`
/// (CreateHyperParameterTuningJob's `HyperParameterTuningJobName`), shorter than other
/// jobs' because SageMaker names each trial's training job after it.
pub const TUNING_JOB_NAME: usize = 32;
/// A tuning job searches at most 30 hyperparameters, all kinds of range together
/// (`ParameterRanges`), and a categorical range has at most 30 values (`ParameterValues`)
/// of at most 256 characters each (`ParameterValue`).
pub const TUNING_RANGES: usize = 30;
pub const TUNING_CHOICE_VALUE: usize = 256;
/// The objective's metric name (`HyperParameterTuningJobObjective.MetricName`).
pub const TUNING_METRIC_NAME: usize = 255;
/// SageMaker Pipelines: step names (`Steps[].Name`).
pub const SAGEMAKER_STEP_NAME: usize = 64;
/// SageMaker Pipelines: the pipeline name (CreatePipeline `PipelineName`).
pub const SAGEMAKER_PIPELINE_NAME: usize = 82;
/// SageMaker Pipelines: a parameter's value, in characters.
pub const SAGEMAKER_PARAM_VALUE: usize = 1024;
/// SageMaker Pipelines: the values of a parameter's `EnumValues`.
pub const SAGEMAKER_ENUM_VALUES: usize = 16;
/// SageMaker Pipelines: a step's `RetryPolicies[].MaxAttempts`.
pub const SAGEMAKER_RETRY_ATTEMPTS: u32 = 20;

/// SageMaker jobs: environment variables per job, and the longest value, per job
/// kind (processing, training, transform); names have at most 1024 characters.
pub const PROCESSING_ENV: (usize, usize) = (100, 256);
pub const TRAINING_ENV: (usize, usize) = (100, 512);
pub const TRANSFORM_ENV: (usize, usize) = (16, 10240);
pub const ENV_NAME: usize = 1024;
/// The longest duration every target takes: Step Functions' `TimeoutSeconds` and a
/// Retrier's `IntervalSeconds` are at most 99,999,999 s (about 3 years 2 months);
/// Airflow's `timedelta` and SageMaker's fields take more, so this is every
/// duration's ceiling (`timeout`, `retry.delay`, `cache`).
pub const MAX_DURATION: u64 = 99_999_999;

/// SageMaker jobs: `StoppingCondition.MaxRuntimeInSeconds` is at least 1; a processing
/// job's is at most 777,600 (9 days; CreateProcessingJob's ProcessingStoppingCondition).
pub const JOB_MIN_RUNTIME: u64 = 1;
pub const PROCESSING_MAX_RUNTIME: u64 = 777_600;
/// A training job runs at most 28 days (StoppingCondition; the default quota is lower).
pub const TRAINING_MAX_RUNTIME: u64 = 2_419_200;
/// A training job's `InputDataConfig` holds at most 20 channels.
pub const TRAINING_CHANNELS: usize = 20;
/// Airflow refuses a DAG whose tag is longer than 100 characters (`TAG_MAX_LEN`), and
/// tags go everywhere: the shortest limit of the three targets.
pub const TAG_CHARS: usize = 100;
/// Processing jobs: `ProcessingInputs` (the code counts as one), `ContainerArguments`
/// and the characters of one argument.
pub const PROCESSING_INPUTS: usize = 10;
pub const PROCESSING_ARGS: usize = 100;
pub const PROCESSING_ARG_CHARS: usize = 256;
/// Training jobs: `HyperParameters` entries, and the longest key and value.
pub const HYPERPARAMETERS: usize = 100;
pub const HYPERPARAMETER_KEY: usize = 256;
pub const HYPERPARAMETER_VALUE: usize = 2500;

/// CreateModelPackage: the group's name (an `EntityName`), the length of one content
/// type and of one response MIME type.
pub const MODEL_PACKAGE_GROUP_NAME: usize = 63;
pub const CONTENT_TYPE: usize = 256;
/// CreateModelPackage's `ModelPackageDescription` (an `EntityDescription`): at most 1024
/// characters of letters, marks, separators, symbols, numbers and punctuation, so no
/// control characters (no line breaks or tabs).
pub const MODEL_PACKAGE_DESCRIPTION: usize = 1024;
/// CreateEndpoint: the endpoint's name (an `EndpointName`).
pub const ENDPOINT_NAME: usize = 63;
pub const RESPONSE_MIME_TYPE: usize = 1024;

/// Step Functions: state names (and state machine names), in characters.
pub const STATE_NAME: usize = 80;
/// Step Functions: the state machine name (CreateStateMachine `name`).
pub const STATE_MACHINE_NAME: usize = 80;

/// Airflow (not AWS, but a limit of the same kind): task and DAG ids.
pub const AIRFLOW_ID: usize = 250;

/// SageMaker's CreatePipeline and Step Functions' CreateStateMachine: the longest
/// definition, in bytes.
pub const DEFINITION_BYTES: usize = 1024 * 1024;
