//! Pipeline settings: `description`, `schedule`, `start`, `catchup`, `timeout`, `tags`,
//! `owner`, `region`, `role`, `artifacts`, `config`, `retry { attempts, delay }`, and
//! Airflow's `aws_connection` and `max_active_runs`.

use super::fields::Fields;
use super::values::Lowerer;
use crate::aws::limits::{MAX_DURATION, TAG_CHARS};
use crate::aws::names;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Retry, Schedule, Settings};
use crate::source::Spanned;
use crate::syntax::ast::{Expr, ExprKind, Field};

pub const SETTINGS: &[&str] = &[
    "description",
    "schedule",
    "start",
    "catchup",
    "timeout",
    "tags",
    "owner",
    "region",
    "role",
    "artifacts",
    "config",
    "retry",
    "aws_connection",
    "max_active_runs",
];

pub const SCHEDULE_PRESETS: &[&str] = &["@once", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly"];

/// Lowers the pipeline's settings; `config` was read before (the lowerer needs it).
pub fn lower(lw: &mut Lowerer, mut fields: Fields) -> Settings {
    let mut s = Settings::default();
    if let Some(e) = fields.get("description") {
        s.description = lw.static_text(e, "`description`");
    }
    if let Some(e) = fields.get("schedule") {
        s.schedule = schedule(lw, e);
    }
    if let Some(e) = fields.get("start") {
        s.start = date(lw, e);
    }
    if let Some(e) = fields.get("catchup") {
        s.catchup = match &e.kind {
            ExprKind::Bool(b) => *b,
            _ => {
                lw.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        e.span,
                        format!("`catchup` must be `true` or `false`, found {}", e.describe()),
                    )
                    .label("expected a boolean")
                    .help("write `catchup = true` or `catchup = false`"),
                );
                false
            }
        };
    }
    if let Some(e) = fields.get("timeout") {
        s.timeout = lw.duration_in(e, "`timeout`", 1..=MAX_DURATION, "a run's timeout on every target");
    }
    if let Some(e) = fields.get("aws_connection") {
        s.aws_connection = lw.static_text(e, "`aws_connection`").map(|c| Spanned::new(c, e.span));
    }
    if let Some(e) = fields.get("max_active_runs") {
        s.max_active_runs = lw
            .static_int(e, "`max_active_runs`", 1..=i64::from(u32::MAX))
            .and_then(|n| u32::try_from(n).ok())
            .map(|n| Spanned::new(n, e.span));
    }
    if let Some(e) = fields.get("tags") {
        s.tags = lw
            .list(e, "`tags`", |lw, item| {
                let tag = lw.static_text(item, "a tag")?;
                let chars = tag.chars().count();
                if chars > TAG_CHARS {
                    lw.push(
                        Diagnostic::new(Code::InvalidValue, item.span, format!("a tag of {chars} characters; tags have at most {TAG_CHARS}"))
                            .label("too long")
                            .help(format!("Airflow refuses to load a DAG with a longer tag: shorten it to {TAG_CHARS} characters, or put the text in `description`")),
                    );
                    return None;
                }
                Some(tag)
            })
            .unwrap_or_default();
    }
    if let Some(e) = fields.get("owner") {
        s.owner = lw.static_text(e, "`owner`");
    }
    if let Some(e) = fields.get("region") {
        s.region = region(lw, e);
    }
    if let Some(e) = fields.get("role") {
        s.role = lw.text(e, "`role`");
        if let Some(literal) = s.role.as_ref().and_then(|r| r.as_literal()) {
            check_role_arn(lw, e, &literal, "`role`");
        }
    }
    if let Some(e) = fields.get("artifacts") {
        s.artifacts = artifacts(lw, e);
    }
    if let Some(e) = fields.get("config") {
        s.config = lw.static_text(e, "`config`");
    }
    if let Some(e) = fields.get("retry") {
        s.retry = retry(lw, e);
    }
    fields.finish(SETTINGS, &mut lw.diags);
    s
}

/// `retry { attempts = N, delay = DURATION }`
pub fn retry(lw: &mut Lowerer, e: &Expr) -> Option<Retry> {
    let ExprKind::Map(entries) = &e.kind else {
        lw.push(
            Diagnostic::new(Code::WrongValueType, e.span, format!("`retry` must be a block, found {}", e.describe()))
                .label("expected `{ attempts = N, delay = DURATION }`")
                .help("write `retry { attempts = 3, delay = 5m }`"),
        );
        return None;
    };
    let as_fields: Vec<Field> =
        entries.iter().map(|m| Field { key: m.key.clone(), value: m.value.clone(), span: m.span }).collect();
    let mut fields = Fields::new(as_fields.iter(), "`retry`".to_string(), e.span, &mut lw.diags);
    let attempts = fields.require("attempts", "3", &mut lw.diags).and_then(|a| lw.static_int(a, "`attempts`", 0..=100));
    let delay = match fields.get("delay") {
        Some(d) => lw.duration_in(d, "`delay`", 0..=MAX_DURATION, "a retry's delay on every target"),
        None => Some(300),
    };
    fields.finish(&["attempts", "delay"], &mut lw.diags);
    Some(Retry { attempts: u32::try_from(attempts?).ok()?, delay: delay? })
}

fn schedule(lw: &mut Lowerer, e: &Expr) -> Option<Schedule> {
    let text = lw.static_text(e, "`schedule`")?;
    let trimmed = text.trim();
    if trimmed.starts_with('@') {
        if SCHEDULE_PRESETS.contains(&trimmed) {
            return Some(Schedule::Preset(trimmed.to_string()));
        }
        let help = crate::diagnostics::suggest::help_for(trimmed, SCHEDULE_PRESETS.iter().copied(), "presets");
        lw.push(
            Diagnostic::new(Code::InvalidSchedule, e.span, format!("`{trimmed}` is not a schedule preset"))
                .label("unknown preset")
                .maybe_help(help),
        );
        return None;
    }
    let fields = trimmed.split_whitespace().count();
    let parsed = croner::Cron::new(trimmed).parse();
    match (fields, parsed) {
        (5, Ok(_)) => Some(Schedule::Cron(trimmed.split_whitespace().collect::<Vec<_>>().join(" "))),
        (5, Err(err)) => {
            lw.push(
                Diagnostic::new(Code::InvalidSchedule, e.span, format!("invalid cron expression `{trimmed}`: {err}"))
                    .label("invalid cron expression")
                    .help("a cron expression has five fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\""),
            );
            None
        }
        (n, _) => {
            lw.push(
                Diagnostic::new(
                    Code::InvalidSchedule,
                    e.span,
                    format!("a cron expression has 5 fields, this one has {n}"),
                )
                .label("expected minute hour day-of-month month day-of-week")
                .help("write e.g. \"0 3 * * *\" (daily at 03:00), or a preset such as \"@daily\""),
            );
            None
        }
    }
}

fn date(lw: &mut Lowerer, e: &Expr) -> Option<String> {
    let text = match &e.kind {
        ExprKind::Date(d) => d.clone(),
        _ => lw.static_text(e, "`start`")?,
    };
    if valid_date(&text) {
        return Some(text);
    }
    lw.push(
        Diagnostic::new(Code::InvalidValue, e.span, format!("`{text}` is not a calendar date"))
            .label("expected YYYY-MM-DD")
            .help("write a real date such as `2026-01-01`"),
    );
    None
}

pub fn valid_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d) && y >= 1900
}

fn region(lw: &mut Lowerer, e: &Expr) -> Option<String> {
    let text = lw.static_text(e, "`region`")?;
    if names::is_region(&text) {
        return Some(text);
    }
    lw.push(
        Diagnostic::new(Code::InvalidValue, e.span, format!("`{text}` is not an AWS region name"))
            .label("invalid region")
            .help("write a region code such as \"us-east-1\" or \"eu-west-1\""),
    );
    None
}

fn artifacts(lw: &mut Lowerer, e: &Expr) -> Option<String> {
    let text = lw.static_text(e, "`artifacts`")?;
    let bucket = text.strip_prefix("s3://").map(|rest| rest.split('/').next().unwrap_or(""));
    if bucket.is_some_and(names::is_bucket) {
        return Some(text.trim_end_matches('/').to_string());
    }
    lw.push(
        Diagnostic::new(Code::InvalidValue, e.span, format!("`{text}` is not an S3 location"))
            .label("expected s3://BUCKET/PREFIX")
            .help("write an S3 URI such as \"s3://my-bucket/pipelines\" (bucket names are 3-63 lower-case letters, digits, `-` and `.`)"),
    );
    None
}

/// Checks a literal IAM role ARN: `arn:PARTITION:iam::ACCOUNT:role/NAME`.
pub fn check_role_arn(lw: &mut Lowerer, e: &Expr, arn: &str, field: &str) {
    if !names::is_role_arn(arn) {
        lw.push(
            Diagnostic::new(Code::InvalidValue, e.span, format!("{field} is not an IAM role ARN"))
                .label("expected arn:aws:iam::ACCOUNT:role/NAME")
                .help("write the role's ARN, e.g. \"arn:aws:iam::123456789012:role/SageMakerExecution\""),
        );
    }
}
