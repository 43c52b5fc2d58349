//! What a Step Functions state machine cannot hold, reported with spans: keys JSONPath
//! would read as paths, Redshift settings the Data API needs and the service's limits,
//! checked on the pipeline; and every state name, checked on the machine as built.

use super::expr::JOB_PREFIX_MAX;
use super::machine::{Machine, State, States, Transition};
use crate::aws::limits::STATE_NAME as MAX_STATE_NAME;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Pipeline, SqlEngine, Step, StepKind};
use crate::source::Span;
use crate::targets::{queries, requests};

/// Job names end in `-<retry count>`, two digits at most.
const MAX_RETRY_ATTEMPTS: u32 = 99;

pub fn check(p: &Pipeline) -> Vec<Diagnostic> {
    let mut diags = requests::job_name_collisions(p, JOB_PREFIX_MAX, "Step Functions");
    for step in &p.steps {
        let name = &step.name.node;
        if let Some(retry) = step.retry.filter(|r| r.attempts > MAX_RETRY_ATTEMPTS) {
            diags.push(
                Diagnostic::new(
                    Code::RequestLimitExceeded,
                    step.name.span,
                    format!(
                        "step `{name}` retries {} times; on Step Functions mlpc allows at most {MAX_RETRY_ATTEMPTS}",
                        retry.attempts
                    ),
                )
                .label("too many retries")
                .help("each attempt's job name ends in its retry count, which must stay within two digits"),
            );
        }
        check_keys(step, &mut diags);
        check_reports(p, step, &mut diags);
        if let StepKind::Sql(sql) = &step.kind {
            if sql.engine == SqlEngine::Redshift {
                check_redshift(p, step, sql, &mut diags);
            }
        }
    }
    diags
}

/// A report the machine reads needs a bucket known before the run (GetObject takes it
/// apart from the key), and keys that JSONPath brackets and JSONata backquotes hold.
fn check_reports(p: &Pipeline, step: &Step, diags: &mut Vec<Diagnostic>) {
    let values: Vec<&crate::ir::ReportValue> = match &step.kind {
        StepKind::Condition(condition) => condition.check.report_values(),
        StepKind::Fail(fail) => fail.report_values(),
        StepKind::Lambda(lambda) => {
            // The response is written where its report output is, with S3 PutObject.
            for output in step.outputs.iter().filter(|o| o.report.is_some()) {
                if requests::report_object(p, step, &output.name.node).is_none() {
                    diags.push(
                        Diagnostic::new(
                            Code::UnrepresentableValue,
                            output.span,
                            format!("the report `{}.{}` has no bucket known before the run", step.name.node, output.name.node),
                        )
                        .label("its `uri` computes the bucket")
                        .help("Step Functions writes a Lambda's response with S3 PutObject, which takes the bucket by itself: write the bucket literally in the output's `uri`"),
                    );
                }
            }
            lambda.report_values()
        }
        StepKind::Model(_)
        | StepKind::Register(_)
        | StepKind::Endpoint(_)
        | StepKind::Sql(_)
        | StepKind::Processing(_)
        | StepKind::Training(_)
        | StepKind::Transform(_)
        | StepKind::Python(_)
        | StepKind::Tuning(_) => return,
    };
    let mut reported = std::collections::HashSet::new();
    for value in values {
        let Some(producer) = p.step(value.step) else { continue };
        if requests::report_object(p, producer, &value.output).is_none() && reported.insert((value.step, &value.output))
        {
            let span = producer.output(&value.output).map_or(producer.name.span, |o| o.span);
            diags.push(
                Diagnostic::new(
                    Code::UnrepresentableValue,
                    span,
                    format!("the report `{}.{}` has no bucket known before the run", producer.name.node, value.output),
                )
                .label("its `uri` computes the bucket")
                .secondary(value.span, "read here")
                .help("Step Functions reads a report with S3 GetObject, which takes the bucket by itself: write the bucket literally in the output's `uri`"),
            );
        }
        if let Some(key) = value.path.iter().find(|k| k.contains(['\'', '`', '\\']) || k.chars().any(char::is_control))
        {
            diags.push(
                Diagnostic::new(
                    Code::UnrepresentableValue,
                    value.span,
                    format!("the report key {key:?} cannot be written in a Step Functions path"),
                )
                .label("has a quote, backquote, backslash or control character")
                .help("rename the key in the report (JSONPath brackets and JSONata backquotes cannot escape these)"),
            );
        }
    }
}

/// The machine as built goes somewhere from every state: each state that is not an
/// end has its `Next` or `End`, and every state named (by a transition, a choice rule,
/// a default or a catcher) exists in the same scope, where names are unique. A failure
/// here is mlpc's own mistake.
pub fn transitions(machine: &Machine) -> Result<(), String> {
    scope_transitions(&machine.start_at, &machine.states)
}

fn scope_transitions(start_at: &str, states: &States) -> Result<(), String> {
    let mut names = std::collections::HashSet::new();
    for (name, _) in &states.0 {
        if !names.insert(name.as_str()) {
            return Err(format!("two states are named `{name}`"));
        }
    }
    let known = |target: &str, from: &str| {
        if names.contains(target) {
            Ok(())
        } else {
            Err(format!("state `{from}` goes to `{target}`, which is not in its scope"))
        }
    };
    known(start_at, "StartAt")?;
    for (name, state) in &states.0 {
        if state.is_open() {
            return Err(format!("state `{name}` has no transition"));
        }
        let next = match state {
            State::Pass(s) => s.transition.as_ref(),
            State::Task(s) => s.transition.as_ref(),
            State::Wait(s) => s.transition.as_ref(),
            State::Parallel(s) => {
                for branch in &s.branches {
                    scope_transitions(&branch.start_at, &branch.states)?;
                }
                s.transition.as_ref()
            }
            State::Choice(choice) => {
                for rule in &choice.choices {
                    known(&rule.next, name)?;
                }
                if let Some(default) = &choice.default {
                    known(default, name)?;
                }
                None
            }
            State::Fail(_) | State::Succeed => None,
        };
        if let Some(Transition::Next(target)) = next {
            known(target, name)?;
        }
        let catchers = match state {
            State::Task(s) => s.catch.as_slice(),
            State::Parallel(s) => s.catch.as_slice(),
            State::Pass(_) | State::Wait(_) | State::Choice(_) | State::Fail(_) | State::Succeed => &[],
        };
        for catcher in catchers {
            known(&catcher.next, name)?;
        }
    }
    Ok(())
}

/// Every state name of the built machine over Step Functions' limit, whatever named it
/// (a step, a parameter's check, mlpc's own states): one diagnostic per name in the
/// source, at its longest state. Step names that are too long themselves are reported
/// by the check of every target's names.
pub fn state_names(p: &Pipeline, machine: &Machine) -> Vec<Diagnostic> {
    let names = machine.states.names();
    // The longest state of each origin, in source order.
    let mut longest: Vec<(Origin, &str)> = Vec::new();
    for name in names.into_iter().filter(|n| n.chars().count() > MAX_STATE_NAME) {
        let origin = origin(p, name);
        if matches!(origin, Origin::Step(whole, _) if whole == name) {
            continue;
        }
        match longest.iter_mut().find(|(o, _)| *o == origin) {
            Some((_, current)) if current.len() >= name.len() => {}
            Some((_, current)) => *current = name,
            None => longest.push((origin, name)),
        }
    }
    longest.sort_by_key(|(origin, _)| origin.span().start);
    longest.into_iter().map(|(origin, state)| too_long(&origin, state)).collect()
}

/// What in the source gave a state its name.
#[derive(Debug, PartialEq, Eq)]
enum Origin<'a> {
    /// A step: its name, and the span of that name.
    Step(&'a str, Span),
    Param(&'a str, Span),
    /// A state of mlpc's own (or one it cannot place): at the pipeline's name.
    Pipeline(Span),
}

impl Origin<'_> {
    fn span(&self) -> Span {
        match self {
            Origin::Step(_, span) | Origin::Param(_, span) | Origin::Pipeline(span) => *span,
        }
    }
}

fn origin<'a>(p: &'a Pipeline, state: &str) -> Origin<'a> {
    if let Some(param) = p.params.iter().find(|param| {
        state == super::invalid_param_state(&param.name.node) || state == super::missing_param_state(&param.name.node)
    }) {
        return Origin::Param(&param.name.node, param.name.span);
    }
    match p.step_naming(state, ' ') {
        Some(s) => Origin::Step(&s.name.node, s.name.span),
        None => Origin::Pipeline(p.name.span),
    }
}

fn too_long(origin: &Origin, state: &str) -> Diagnostic {
    let len = state.chars().count();
    let (what, name, span) = match origin {
        Origin::Step(name, span) => ("step", *name, *span),
        Origin::Param(name, span) => ("parameter", *name, *span),
        Origin::Pipeline(span) => {
            return Diagnostic::new(
                Code::NameTooLong,
                *span,
                format!(
                "the state machine gets a state `{state}` of {len} characters; Step Functions allows {MAX_STATE_NAME}"
            ),
            )
            .label("names a state that is too long")
            .help("shorten the names in the pipeline")
        }
    };
    let keep = MAX_STATE_NAME.saturating_sub(len - name.chars().count());
    Diagnostic::new(
        Code::NameTooLong,
        span,
        format!("{what} `{name}` gets a state `{state}`, longer than {MAX_STATE_NAME} characters"),
    )
    .label(if what == "step" { "too long with its state suffix" } else { "too long inside its state's name" })
    .help(format!("shorten the {what} name to {keep} characters or fewer"))
}

/// JSONPath reads a key ending in `.$` as a path to evaluate: a user's key must not.
fn check_keys(step: &Step, diags: &mut Vec<Diagnostic>) {
    let keys: Vec<&str> = match &step.kind {
        StepKind::Processing(j) => j.env.iter().map(|(k, _)| k.as_str()).collect(),
        StepKind::Training(j) | StepKind::Tuning(crate::ir::Tuning { job: j, .. }) => {
            j.env.iter().map(|(k, _)| k.as_str()).chain(j.hyperparameters.iter().map(|(k, _)| k.as_str())).collect()
        }
        StepKind::Transform(j) => j.env().iter().map(|(k, _)| k.as_str()).collect(),
        StepKind::Model(m) => m.env.iter().map(|(k, _)| k.as_str()).collect(),
        StepKind::Lambda(l) => l.payload.iter().map(|(k, _)| k.as_str()).collect(),
        StepKind::Endpoint(_) => Vec::new(),
        StepKind::Sql(_) | StepKind::Python(_) | StepKind::Condition(_) | StepKind::Fail(_) | StepKind::Register(_) => {
            Vec::new()
        }
    };
    for key in keys.into_iter().filter(|k| k.ends_with(".$")) {
        diags.push(
            Diagnostic::new(
                Code::UnrepresentableValue,
                step.name.span,
                format!("the key `{key}` of step `{}` ends in `.$`", step.name.node),
            )
            .label("read as a path by Step Functions")
            .help("Step Functions evaluates keys ending in `.$` as paths: rename the key"),
        );
    }
}

fn check_redshift(p: &Pipeline, step: &Step, sql: &crate::ir::Sql, diags: &mut Vec<Diagnostic>) {
    let how = if sql.statement {
        "Step Functions runs the statement through the Redshift Data API"
    } else {
        "Step Functions runs the UNLOAD through the Redshift Data API"
    };
    diags.extend(queries::missing_settings(step, &queries::redshift_settings(p, sql), "Step Functions", how));
    if queries::has_dollar_quote(sql) {
        diags.push(
            Diagnostic::new(
                Code::UnrepresentableValue,
                step.name.span,
                format!("the query of step `{}` contains `$$`", step.name.node),
            )
            .label("ends the UNLOAD's quoting")
            .help("the query is passed to UNLOAD in `$$ ... $$`: write it without `$$`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::machine::{Machine, Pass, State, States, Transition};
    use super::transitions;

    fn machine(states: Vec<(&str, State)>) -> Machine {
        Machine {
            comment: None,
            query_language: None,
            start_at: "a".into(),
            timeout_seconds: None,
            states: States(states.into_iter().map(|(n, s)| (n.to_string(), s)).collect()),
        }
    }

    fn pass(next: Option<Transition>) -> State {
        State::Pass(Pass { transition: next, ..Pass::default() })
    }

    #[test]
    fn a_complete_machine_passes() {
        let m = machine(vec![("a", pass(Some(Transition::Next("b".into())))), ("b", State::Succeed)]);
        assert_eq!(transitions(&m), Ok(()));
    }

    #[test]
    fn an_open_state_a_dangling_next_and_a_repeated_name_are_refused() {
        let open = machine(vec![("a", pass(None))]);
        assert_eq!(transitions(&open), Err("state `a` has no transition".to_string()));
        let dangling = machine(vec![("a", pass(Some(Transition::Next("c".into()))))]);
        assert_eq!(transitions(&dangling), Err("state `a` goes to `c`, which is not in its scope".to_string()));
        let twice = machine(vec![("a", pass(Some(Transition::End))), ("a", State::Succeed)]);
        assert_eq!(transitions(&twice), Err("two states are named `a`".to_string()));
    }
}
