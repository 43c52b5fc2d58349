//! The step kinds: the one table the checker's key lists, the parser's and checker's
//! messages, what each target can run and the reference's tables derive from
//! (`tests/tidy.rs` holds `grammar/README.md` to it; `tests/kinds.rs` holds the checker's
//! required keys to it).

use crate::aws::instance_types;
use crate::targets::Target;

/// A kind of step, as written after `step NAME:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Sql,
    Processing,
    Training,
    Transform,
    Python,
    Condition,
    Fail,
    Model,
    Register,
    Lambda,
    Endpoint,
    Tuning,
}

/// A SageMaker job kind: each has its own instance types and request limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Processing,
    Training,
    Transform,
    /// Not a job: the instances a real-time endpoint serves on (a registered model's
    /// `inference_instances`).
    Endpoint,
}

impl JobKind {
    /// The instance types SageMaker offers for this kind of job.
    pub fn instance_types(self) -> &'static [&'static str] {
        match self {
            JobKind::Processing => instance_types::PROCESSING,
            JobKind::Training => instance_types::TRAINING,
            JobKind::Transform => instance_types::TRANSFORM,
            JobKind::Endpoint => instance_types::ENDPOINT,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            JobKind::Processing => "processing",
            JobKind::Training => "training",
            JobKind::Transform => "transform",
            JobKind::Endpoint => "endpoint",
        }
    }
}

/// What the table says of one kind.
#[derive(Debug)]
pub struct KindInfo {
    pub name: &'static str,
    /// Keys a step of this kind must set (besides `in`/`out` items).
    pub required: &'static [&'static str],
    /// Keys it may set, besides the ones every step may set (`COMMON`) and those every
    /// step that runs something may set (`RUNS`).
    pub optional: &'static [&'static str],
    /// Optional keys of which a step must set exactly one.
    pub one_of: &'static [&'static str],
    /// What it runs as, for documentation.
    pub runs_as: &'static str,
    /// How to run such a step on a target that cannot.
    pub elsewhere: &'static str,
}

/// Keys every step may set.
pub const COMMON: &[&str] = &["after", "when", "description"];

/// Keys every step that runs a job, query or task may set: a `condition` or `fail`
/// step decides at once and takes none of them.
pub const RUNS: &[&str] = &["retry", "timeout", "cache"];

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Sql,
        Kind::Processing,
        Kind::Training,
        Kind::Transform,
        Kind::Python,
        Kind::Condition,
        Kind::Fail,
        Kind::Model,
        Kind::Register,
        Kind::Lambda,
        Kind::Endpoint,
        Kind::Tuning,
    ];

    pub fn info(self) -> &'static KindInfo {
        match self {
            Kind::Sql => &KindInfo {
                name: "sql",
                required: &["engine"],
                optional: &[
                    "query",
                    "statement",
                    "database",
                    "workgroup",
                    "catalog",
                    "cluster",
                    "db_user",
                    "iam_role",
                    "connection",
                ],
                one_of: &["query", "statement"],
                runs_as:
                    "an Athena query or a Redshift UNLOAD to the output's S3 prefix; or a statement with no result",
                elsewhere: "",
            },
            Kind::Processing => &KindInfo {
                name: "processing",
                one_of: &[],
                required: &["image", "instance", "code"],
                optional: &["entry", "count", "volume_gb", "args", "env", "max_runtime"],
                runs_as: "a SageMaker processing job",
                elsewhere: "",
            },
            Kind::Training => &KindInfo {
                name: "training",
                one_of: &[],
                required: &["image", "instance"],
                optional: &[
                    "code",
                    "entry",
                    "count",
                    "volume_gb",
                    "hyperparameters",
                    "env",
                    "metrics",
                    "spot",
                    "max_runtime",
                ],
                runs_as: "a SageMaker training job; each `in` is a channel",
                elsewhere: "",
            },
            Kind::Tuning => &KindInfo {
                name: "tuning",
                one_of: &[],
                required: &["image", "instance", "objective", "hyperparameters", "max_jobs"],
                optional: &[
                    "parallel",
                    "strategy",
                    "metrics",
                    "code",
                    "entry",
                    "count",
                    "volume_gb",
                    "env",
                    "max_runtime",
                ],
                runs_as: "a SageMaker hyperparameter tuning job: training jobs over the `range`/`choice` hyperparameters; its `out` is the best job's model",
                elsewhere: "",
            },
            Kind::Transform => &KindInfo {
                name: "transform",
                one_of: &[],
                required: &["model", "instance"],
                optional: &["count", "content_type", "split", "image", "env"],
                runs_as: "a SageMaker batch transform job",
                elsewhere: "",
            },
            Kind::Python => &KindInfo {
                name: "python",
                one_of: &[],
                required: &["callable"],
                optional: &["args", "code", "image", "instance"],
                runs_as: "a Python task (Airflow); elsewhere a processing job in `image` that calls it",
                elsewhere: "set `image` and `instance`: off Airflow a python step runs as a processing job",
            },
            Kind::Condition => &KindInfo {
                name: "condition",
                one_of: &[],
                required: &["check"],
                optional: &[],
                runs_as: "a decision on report values, params and literals; steps with `when` run on its outcome",
                elsewhere: "",
            },
            Kind::Model => &KindInfo {
                name: "model",
                one_of: &[],
                required: &["model"],
                optional: &["image", "env", "instance"],
                runs_as: "a SageMaker model (CreateModel) of a trained model; its `out` is the model's name",
                elsewhere: "",
            },
            Kind::Register => &KindInfo {
                name: "register",
                one_of: &[],
                required: &["model", "group"],
                optional: &[
                    "approval",
                    "image",
                    "content_types",
                    "response_types",
                    "inference_instances",
                    "transform_instances",
                    "metrics",
                ],
                runs_as: "a model package version in a group (CreateModelPackage), with its metrics; `description` describes the version",
                elsewhere: "",
            },
            Kind::Lambda => &KindInfo {
                name: "lambda",
                one_of: &[],
                required: &["function"],
                optional: &["payload"],
                runs_as: "a Lambda invocation with `payload` as its event; an `out NAME: report` is its response",
                elsewhere: "",
            },
            Kind::Endpoint => &KindInfo {
                name: "endpoint",
                one_of: &[],
                required: &["model", "name", "instance"],
                optional: &["count", "update"],
                runs_as: "a real-time endpoint serving a created model, created (or with `update = true`, updated when it exists) and in service when the step ends",
                elsewhere: "SageMaker Pipelines has no step that creates an endpoint and waits until it is in service: deploy it with a `lambda` step that calls CreateEndpoint, or build for Airflow or Step Functions",
            },
            Kind::Fail => &KindInfo {
                name: "fail",
                one_of: &[],
                required: &["message"],
                optional: &[],
                runs_as: "ends the run as failed, with the message",
                elsewhere: "",
            },
        }
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Whether the kind's job can share an input among its instances
    /// (`{ distribution = sharded }`): processing inputs and training channels can; a
    /// transform job splits its one input by `split`, and a python task has no instances.
    pub fn distributes_inputs(self) -> bool {
        match self {
            Kind::Processing | Kind::Training | Kind::Tuning => true,
            Kind::Sql
            | Kind::Transform
            | Kind::Python
            | Kind::Condition
            | Kind::Fail
            | Kind::Model
            | Kind::Register
            | Kind::Lambda
            | Kind::Endpoint => false,
        }
    }

    /// Whether the kind decides the run's course rather than running anything.
    pub fn decides(self) -> bool {
        match self {
            Kind::Condition | Kind::Fail => true,
            Kind::Sql
            | Kind::Processing
            | Kind::Training
            | Kind::Transform
            | Kind::Python
            | Kind::Model
            | Kind::Register
            | Kind::Lambda
            | Kind::Endpoint
            | Kind::Tuning => false,
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The names of every kind, for messages and "did you mean".
    pub fn names() -> impl Iterator<Item = &'static str> {
        Kind::ALL.into_iter().map(Kind::name)
    }

    /// Every key a step of this kind may set, its own and the common ones.
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        let info = self.info();
        let runs: &[&str] = if self.decides() { &[] } else { RUNS };
        info.required.iter().chain(info.optional).chain(COMMON).chain(runs).copied()
    }

    /// The SageMaker job a step of this kind runs, if it runs one.
    pub fn job(self) -> Option<JobKind> {
        match self {
            Kind::Processing => Some(JobKind::Processing),
            // Each trial of a tuning job is a training job.
            Kind::Training | Kind::Tuning => Some(JobKind::Training),
            Kind::Transform => Some(JobKind::Transform),
            Kind::Sql
            | Kind::Python
            | Kind::Condition
            | Kind::Fail
            | Kind::Model
            | Kind::Register
            | Kind::Lambda
            | Kind::Endpoint => None,
        }
    }

    /// Whether `target` can run a step of this kind.
    pub fn runs_on(self, target: Target) -> bool {
        match (self, target) {
            (
                Kind::Sql
                | Kind::Processing
                | Kind::Training
                | Kind::Transform
                | Kind::Model
                | Kind::Register
                | Kind::Lambda
                | Kind::Tuning,
                _,
            ) => true,
            (Kind::Endpoint, Target::Airflow | Target::StepFunctions) => true,
            (Kind::Endpoint, Target::Sagemaker) => false,
            // Off Airflow only with `image` and `instance` (checked with the step).
            (Kind::Python, Target::Airflow | Target::Sagemaker | Target::StepFunctions) => true,
            // Lowered target by target (issue 14); the others say so with E0501.
            (Kind::Condition | Kind::Fail, Target::Airflow | Target::Sagemaker | Target::StepFunctions) => true,
        }
    }
}
