//! A hyperparameter tuning job: the training job it repeats, the hyperparameters it
//! searches, and the metric that picks the best job, whose model is the step's `out`.

use super::{Training, Value};

/// `step NAME: tuning { objective = minimize("validation:rmse"), hyperparameters = {
/// eta = range(0.05, 0.5, log), … }, max_jobs = 10 }`.
#[derive(Clone, Debug)]
pub struct Tuning {
    /// The training job every trial runs; its `hyperparameters` are the fixed ones
    /// (SageMaker's `StaticHyperParameters`), without the searched keys.
    pub job: Training,
    pub objective: Objective,
    /// The searched hyperparameters, in source order.
    pub ranges: Vec<(String, ParameterRange)>,
    /// `max_jobs`: how many training jobs the search runs at most.
    pub max_jobs: i64,
    /// `parallel`: how many run at once (default 1).
    pub parallel: i64,
    pub strategy: Strategy,
}

/// `maximize("metric")` or `minimize("metric")`.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    pub goal: Goal,
    pub metric: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    Maximize,
    Minimize,
}

impl Goal {
    /// The value of `HyperParameterTuningJobObjective.Type`.
    pub fn as_api(self) -> &'static str {
        match self {
            Goal::Maximize => "Maximize",
            Goal::Minimize => "Minimize",
        }
    }
}

/// How the search picks the next hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Bayesian,
    Random,
}

impl Strategy {
    pub fn as_api(self) -> &'static str {
        match self {
            Strategy::Bayesian => "Bayesian",
            Strategy::Random => "Random",
        }
    }
}

/// One searched hyperparameter. Bounds and values are literals (`Value::Int`,
/// `Value::Float`, `Value::Bool` or a static `Value::Text`): a search space is fixed
/// when the job is created.
#[derive(Clone, Debug)]
pub enum ParameterRange {
    /// `range(lo, hi)` with integer bounds.
    Integer { lo: i64, hi: i64, log: bool },
    /// `range(lo, hi)` with a non-integer bound.
    Continuous { lo: f64, hi: f64, log: bool },
    /// `choice(a, b, …)`.
    Categorical(Vec<Value>),
}

impl ParameterRange {
    /// `ScalingType`: what the SageMaker SDK writes (`Auto` unless `log`).
    pub fn scaling(&self) -> &'static str {
        match self {
            ParameterRange::Integer { log: true, .. } | ParameterRange::Continuous { log: true, .. } => "Logarithmic",
            ParameterRange::Integer { log: false, .. }
            | ParameterRange::Continuous { log: false, .. }
            | ParameterRange::Categorical(_) => "Auto",
        }
    }
}
