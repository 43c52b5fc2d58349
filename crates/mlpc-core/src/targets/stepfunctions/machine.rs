//! The Step Functions target's own tree: an Amazon States Language machine whose states
//! say where they go (`Next`, `End`, a Choice's `Default`) as fields, not as text to
//! patch. Request bodies and choice rules stay JSON: they are the services' payloads and
//! the query language's expressions. Each state type writes its fields in one order.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value as Json;

use crate::targets::size::json_min_len;

#[derive(Debug, Serialize)]
pub struct Machine {
    #[serde(rename = "Comment", skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(rename = "QueryLanguage", skip_serializing_if = "Option::is_none")]
    pub query_language: Option<&'static str>,
    #[serde(rename = "StartAt")]
    pub start_at: String,
    #[serde(rename = "TimeoutSeconds", skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    #[serde(rename = "States")]
    pub states: States,
}

/// A Parallel state's branch: a machine of its own.
#[derive(Debug, Serialize)]
pub struct Branch {
    #[serde(rename = "StartAt")]
    pub start_at: String,
    #[serde(rename = "States")]
    pub states: States,
}

/// Named states in the order they are written.
#[derive(Debug, Default)]
pub struct States(pub Vec<(String, State)>);

impl Serialize for States {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, state) in &self.0 {
            map.serialize_entry(name, state)?;
        }
        map.end()
    }
}

impl States {
    /// Every state name, those of Parallel branches included, depth first.
    pub fn names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_names(&mut out);
        out
    }

    fn collect_names<'a>(&'a self, out: &mut Vec<&'a str>) {
        for (name, state) in &self.0 {
            out.push(name);
            if let State::Parallel(parallel) = state {
                for branch in &parallel.branches {
                    branch.states.collect_names(out);
                }
            }
        }
    }

    /// A lower bound of the states' compact JSON length.
    pub fn min_len(&self) -> usize {
        self.0.iter().map(|(name, state)| name.len() + 3 + state.min_len()).sum::<usize>() + 2
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "Type")]
pub enum State {
    Pass(Pass),
    Task(Task),
    Choice(Choice),
    Wait(Wait),
    Parallel(Parallel),
    Fail(Fail),
    Succeed,
}

/// Where a state goes when it is done. Unset (`None` in a state) only while the
/// state is the open end of a sequence being built; `check` refuses a machine that
/// still has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transition {
    Next(String),
    End,
}

impl Serialize for Transition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        match self {
            Transition::Next(name) => map.serialize_entry("Next", name)?,
            Transition::End => map.serialize_entry("End", &true)?,
        }
        map.end()
    }
}

impl State {
    /// Sets where the state goes; a Choice continues through its `Default`, and a
    /// Choice that ends the machine (never built: steps follow `Check parameters`)
    /// goes to `end_of_choice`. Terminal states keep no transition.
    pub fn continue_to(&mut self, next: Transition, end_of_choice: &str) {
        match self {
            State::Pass(Pass { transition, .. })
            | State::Task(Task { transition, .. })
            | State::Wait(Wait { transition, .. })
            | State::Parallel(Parallel { transition, .. }) => *transition = Some(next),
            State::Choice(choice) => {
                choice.default = Some(match next {
                    Transition::Next(name) => name,
                    Transition::End => end_of_choice.to_string(),
                })
            }
            State::Fail(_) | State::Succeed => {}
        }
    }

    /// Whether the state still waits for its transition.
    pub fn is_open(&self) -> bool {
        match self {
            State::Pass(Pass { transition, .. })
            | State::Task(Task { transition, .. })
            | State::Wait(Wait { transition, .. })
            | State::Parallel(Parallel { transition, .. }) => transition.is_none(),
            State::Choice(choice) => choice.default.is_none(),
            State::Fail(_) | State::Succeed => false,
        }
    }

    /// The state's catchers, for the states that can fail with an error to catch.
    pub fn catch_mut(&mut self) -> Option<&mut Vec<Catcher>> {
        match self {
            State::Task(task) => Some(&mut task.catch),
            State::Parallel(parallel) => Some(&mut parallel.catch),
            State::Pass(_) | State::Choice(_) | State::Wait(_) | State::Fail(_) | State::Succeed => None,
        }
    }

    /// A lower bound of the state's compact JSON length: its request bodies and names.
    pub fn min_len(&self) -> usize {
        let json = |j: &Option<Json>| j.as_ref().map_or(0, json_min_len);
        match self {
            State::Pass(pass) => json(&pass.parameters) + json(&pass.assign) + json(&pass.result) + 16,
            State::Task(task) => task.resource.len() + json(&task.arguments) + json(&task.parameters) + 16,
            State::Choice(choice) => choice.choices.iter().map(|rule| json_min_len(&rule.test)).sum::<usize>() + 16,
            State::Wait(_) | State::Succeed | State::Fail(_) => 16,
            State::Parallel(parallel) => parallel.branches.iter().map(|b| b.states.min_len()).sum::<usize>() + 16,
        }
    }
}

/// `ResultPath`: `null` discards the state's result, a path places it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResultPath {
    Discard,
    At(String),
}

impl Serialize for ResultPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ResultPath::Discard => s.serialize_unit(),
            ResultPath::At(path) => s.serialize_str(path),
        }
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Pass {
    #[serde(rename = "Comment", skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(rename = "Parameters", skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Json>,
    #[serde(rename = "Output", skip_serializing_if = "Option::is_none")]
    pub output: Option<Json>,
    #[serde(rename = "Assign", skip_serializing_if = "Option::is_none")]
    pub assign: Option<Json>,
    /// JSONPath: the Pass's own result, placed at `result_path`.
    #[serde(rename = "Result", skip_serializing_if = "Option::is_none")]
    pub result: Option<Json>,
    #[serde(rename = "ResultPath", skip_serializing_if = "Option::is_none")]
    pub result_path: Option<ResultPath>,
    #[serde(flatten)]
    pub transition: Option<Transition>,
}

/// A service integration; its request is the `Arguments` (JSONata) or the
/// `Parameters` (JSONPath).
#[derive(Debug, Default, Serialize)]
pub struct Task {
    #[serde(rename = "Comment", skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(rename = "Resource")]
    pub resource: &'static str,
    #[serde(rename = "Arguments", skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Json>,
    #[serde(rename = "Parameters", skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Json>,
    #[serde(rename = "ResultSelector", skip_serializing_if = "Option::is_none")]
    pub result_selector: Option<Json>,
    #[serde(rename = "ResultPath", skip_serializing_if = "Option::is_none")]
    pub result_path: Option<ResultPath>,
    #[serde(rename = "TimeoutSeconds", skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    #[serde(rename = "Retry", skip_serializing_if = "Vec::is_empty")]
    pub retry: Vec<Retrier>,
    #[serde(flatten)]
    pub transition: Option<Transition>,
    #[serde(rename = "Assign", skip_serializing_if = "Option::is_none")]
    pub assign: Option<Json>,
    #[serde(rename = "Catch", skip_serializing_if = "Vec::is_empty")]
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Serialize)]
pub struct Retrier {
    #[serde(rename = "ErrorEquals")]
    pub error_equals: &'static [&'static str],
    #[serde(rename = "IntervalSeconds")]
    pub interval_seconds: u64,
    #[serde(rename = "MaxAttempts")]
    pub max_attempts: u32,
    #[serde(rename = "BackoffRate")]
    pub backoff_rate: f64,
}

#[derive(Debug, Serialize)]
pub struct Catcher {
    #[serde(rename = "ErrorEquals")]
    pub error_equals: &'static [&'static str],
    #[serde(rename = "Next")]
    pub next: String,
    /// JSONata: what the next state receives.
    #[serde(rename = "Output", skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// JSONPath: where the error goes in the state data.
    #[serde(rename = "ResultPath", skip_serializing_if = "Option::is_none")]
    pub result_path: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Choice {
    #[serde(rename = "Choices")]
    pub choices: Vec<Rule>,
    /// Where a run goes when no rule matches; unset while open, like a transition.
    #[serde(rename = "Default", skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// A choice rule: its test in the query language (`Condition`, or `Variable` and a
/// comparison, `Not`, `Or`), and the state it leads to.
#[derive(Debug, Serialize)]
pub struct Rule {
    #[serde(flatten)]
    pub test: Json,
    #[serde(rename = "Next")]
    pub next: String,
}

#[derive(Debug, Serialize)]
pub struct Wait {
    #[serde(rename = "Seconds")]
    pub seconds: u64,
    #[serde(flatten)]
    pub transition: Option<Transition>,
}

#[derive(Debug, Default, Serialize)]
pub struct Parallel {
    #[serde(rename = "Branches")]
    pub branches: Vec<Branch>,
    #[serde(flatten)]
    pub transition: Option<Transition>,
    #[serde(rename = "ResultSelector", skip_serializing_if = "Option::is_none")]
    pub result_selector: Option<Json>,
    #[serde(rename = "ResultPath", skip_serializing_if = "Option::is_none")]
    pub result_path: Option<ResultPath>,
    #[serde(rename = "Assign", skip_serializing_if = "Option::is_none")]
    pub assign: Option<Json>,
    #[serde(rename = "Catch", skip_serializing_if = "Vec::is_empty")]
    pub catch: Vec<Catcher>,
}

/// A failed end: the error and cause as text (`Error`, `Cause`, which JSONata may
/// compute) or read from the state data (`ErrorPath`, `CausePath`, JSONPath).
#[derive(Debug, Default, Serialize)]
pub struct Fail {
    #[serde(rename = "Error", skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(rename = "Cause", skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    #[serde(rename = "ErrorPath", skip_serializing_if = "Option::is_none")]
    pub error_path: Option<String>,
    #[serde(rename = "CausePath", skip_serializing_if = "Option::is_none")]
    pub cause_path: Option<String>,
}
