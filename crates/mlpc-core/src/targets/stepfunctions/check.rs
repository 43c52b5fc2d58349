//! What a Step Functions state machine cannot hold, reported with spans: names that
//! grow too long with a state's suffix, keys JSONPath would read as paths, Redshift
//! settings the Data API needs, and the service's limits.

use super::definition_size;
use super::expr::JOB_PREFIX_MAX;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Pipeline, SqlEngine, Step, StepKind};
use crate::aws::limits::{DEFINITION_BYTES as MAX_DEFINITION_BYTES, STATE_NAME as MAX_STATE_NAME};
use crate::targets::size;
use crate::targets::{queries, requests};

/// Job names end in `-<retry count>`, two digits at most.
const MAX_RETRY_ATTEMPTS: u32 = 99;

pub fn check(p: &Pipeline) -> Vec<Diagnostic> {
    let mut diags = requests::job_name_collisions(p, JOB_PREFIX_MAX, "Step Functions");
    for step in &p.steps {
        let name = &step.name.node;
        let suffix = match &step.kind {
            StepKind::Sql(sql) if sql.engine == SqlEngine::Redshift => " finished?",
            StepKind::Transform(_) => " model",
            _ => "",
        };
        if !suffix.is_empty() && name.len() <= MAX_STATE_NAME && name.len() + suffix.len() > MAX_STATE_NAME {
            diags.push(
                Diagnostic::new(
                    Code::NameTooLong,
                    step.name.span,
                    format!("step `{name}` gets a state `{name}{suffix}`, longer than {MAX_STATE_NAME} characters"),
                )
                .label("too long with its state suffix")
                .help(format!("shorten the step name to {} characters or fewer", MAX_STATE_NAME - suffix.len())),
            );
        }
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
        if let StepKind::Sql(sql) = &step.kind {
            if sql.engine == SqlEngine::Redshift {
                check_redshift(p, step, sql, &mut diags);
            }
        }
    }
    if !diags.is_empty() {
        return diags;
    }
    diags.extend(size::too_large(p, "Step Functions", definition_size(p, MAX_DEFINITION_BYTES)));
    diags
}

/// JSONPath reads a key ending in `.$` as a path to evaluate: a user's key must not.
fn check_keys(step: &Step, diags: &mut Vec<Diagnostic>) {
    let keys: Vec<&str> = match &step.kind {
        StepKind::Processing(j) => j.env.iter().map(|(k, _)| k.as_str()).collect(),
        StepKind::Training(j) => {
            j.env.iter().map(|(k, _)| k.as_str()).chain(j.hyperparameters.iter().map(|(k, _)| k.as_str())).collect()
        }
        StepKind::Transform(j) => j.env.iter().map(|(k, _)| k.as_str()).collect(),
        _ => Vec::new(),
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
    let how = "Step Functions runs the UNLOAD through the Redshift Data API";
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
