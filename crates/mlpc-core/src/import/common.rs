//! Pieces every job step shares: its step-level fields (`DependsOn`, `RetryPolicies`,
//! `CacheConfig`), instances, roles, environments, durations, output locations.

use serde_json::Value as Json;

use super::context::{short, Context, Obj, Pointer};
use super::draft;
use super::expr::{self, quote, Piece};
use super::pipeline::Shared;

/// `DependsOn`, `RetryPolicies`, `CacheConfig` and `Description` of a step.
pub fn step_fields(cx: &mut Context, obj: &mut Obj<'_>, step: &mut draft::Step, is_job: bool) {
    let depends: Vec<(&Json, Pointer)> = obj.list("DependsOn");
    let mut after = Vec::new();
    for (name, at) in depends {
        if let Some(n) = name.as_str() {
            cx.waits_for(n, &at);
        }
        let Some(info) = name.as_str().and_then(|n| cx.steps.get(n)).cloned() else {
            cx.broken(
                &at,
                format!("`DependsOn` names {}, not a step of the definition", short(name)),
                "name a step of the definition",
            );
            continue;
        };
        // A Model step said by its transform: wait for the transform instead.
        let waited = match &info.folded_into {
            Some(transform) => cx.steps.get(transform).map_or(info.name.clone(), |t| t.name.clone()),
            None => info.name.clone(),
        };
        if super::jobs::imported(&info.kind) {
            after.push(waited);
        } else {
            cx.left_out(
                &at,
                &format!("waiting for `{}`, a step that is not in the .mlp", info.name),
                "the step this one waits for was left out; it now starts without waiting for it",
                &mut step.notes,
            );
        }
    }
    if !after.is_empty() {
        step.field("after", format!("[{}]", after.join(", ")));
    }
    if let Some(description) = obj.str("Description") {
        step.field("description", quote(description));
    }
    if let Some((policies, at)) = obj.take("RetryPolicies") {
        match retry(policies, is_job) {
            Some(Some(text)) => step.field("retry", text),
            Some(None) => {}
            None => cx.left_out(
                &at,
                &format!("the retry policies {}", short(policies)),
                "`retry { attempts, delay }` retries a job on SageMaker's transient errors (service fault, throttling, capacity, internal error, resource limit) at a fixed delay; other policies cannot be said",
                &mut step.notes,
            ),
        }
    }
    if let Some((config, at)) = obj.take("CacheConfig") {
        let enabled = config.get("Enabled").and_then(Json::as_bool);
        let expire = config.get("ExpireAfter").and_then(Json::as_str).and_then(iso_seconds);
        match (enabled, expire) {
            (Some(false), _) => {}
            (Some(true), Some(seconds)) if seconds > 0 => step.field("cache", duration(seconds)),
            _ => cx.left_out(
                &at,
                &format!("the cache settings {}", short(config)),
                "`cache` takes a duration: how long a previous identical run is reused",
                &mut step.notes,
            ),
        }
    }
}

/// `retry { … }` when the policies are the ones mlpc writes for it: the same attempts
/// and delay, no backoff, for every transient error. `Some(None)` for no retry.
pub fn retry(policies: &Json, is_job: bool) -> Option<Option<String>> {
    use crate::targets::sagemaker::{JOB_ERRORS, STEP_ERRORS};
    let policies = policies.as_array()?;
    if policies.is_empty() {
        return Some(None);
    }
    let mut errors: Vec<&str> = Vec::new();
    let mut shape = None;
    for policy in policies {
        let map = policy.as_object()?;
        if map.keys().any(|k| !["ExceptionType", "IntervalSeconds", "BackoffRate", "MaxAttempts"].contains(&k.as_str()))
        {
            return None;
        }
        let attempts = map.get("MaxAttempts")?.as_u64()?;
        let interval = map.get("IntervalSeconds").map_or(Some(1), Json::as_u64)?;
        if map.get("BackoffRate").is_some_and(|b| b.as_f64() != Some(1.0)) {
            return None;
        }
        if *shape.get_or_insert((attempts, interval)) != (attempts, interval) {
            return None;
        }
        errors.extend(map.get("ExceptionType")?.as_array()?.iter().filter_map(Json::as_str));
    }
    let mut wanted: Vec<&str> = STEP_ERRORS.to_vec();
    if is_job {
        wanted.extend(JOB_ERRORS);
    }
    errors.sort_unstable();
    errors.dedup();
    wanted.sort_unstable();
    let (attempts, interval) = shape?;
    (errors == wanted).then(|| Some(format!("{{ attempts = {attempts}, delay = {} }}", duration(interval))))
}

/// Seconds of an ISO 8601 duration as SageMaker takes them (`P30D`, `PT1H30M`).
pub fn iso_seconds(text: &str) -> Option<u64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total: u64 = 0;
    for (part, units) in
        [(date, &[('W', 604_800u64), ('D', 86_400)][..]), (time, &[('H', 3600), ('M', 60), ('S', 1)][..])]
    {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let (_, unit) = units.iter().find(|(u, _)| *u == c)?;
            total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(*unit)?)?;
            number.clear();
        }
        if !number.is_empty() {
            return None;
        }
    }
    Some(total)
}

/// Seconds as a `.mlp` duration in the largest unit that divides them.
pub fn duration(seconds: u64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if seconds > 0 && seconds % size == 0 {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

/// An integer field: a number, or an Integer parameter.
pub fn int(cx: &mut Context, value: &Json, at: &Pointer, notes: &mut Vec<String>) -> Option<String> {
    if let Some(n) = value.as_i64() {
        return Some(n.to_string());
    }
    match expr::pieces(cx, value, at, notes)?.as_slice() {
        [Piece::Param(name, super::context::ParamType::Integer)] => Some(format!("params.{name}")),
        _ => {
            cx.left_out(
                at,
                &format!("the count {}", short(value)),
                "an integer field takes a number or an Integer parameter",
                notes,
            );
            None
        }
    }
}

/// A text field.
pub fn text(cx: &mut Context, value: &Json, at: &Pointer, notes: &mut Vec<String>) -> Option<String> {
    expr::pieces(cx, value, at, notes).map(|p| expr::text(&p))
}

/// `InstanceType`, `InstanceCount` and `VolumeSizeInGB` as `instance`, `count`, `volume_gb`.
pub fn resources(cx: &mut Context, mut obj: Obj<'_>, step: &mut draft::Step) {
    if let Some((value, at)) = obj.take("InstanceType") {
        if let Some(t) = text(cx, value, &at, &mut step.notes) {
            step.field("instance", t);
        }
    }
    for (key, field, default) in [("InstanceCount", "count", 1), ("VolumeSizeInGB", "volume_gb", 30)] {
        if let Some((value, at)) = obj.take(key) {
            if value.as_i64() == Some(default) {
                continue;
            }
            if let Some(n) = int(cx, value, &at, &mut step.notes) {
                step.field(field, n);
            }
        }
    }
    cx.rest(obj, &mut step.notes);
}

/// A step's role: the pipeline's, or left out.
pub fn role(cx: &mut Context, value: &Json, at: &Pointer, shared: &Shared, notes: &mut Vec<String>) {
    let Some(role) = text(cx, value, at, notes) else { return };
    if shared.role.as_deref() != Some(role.as_str()) {
        cx.left_out(
            at,
            &format!("the role {role}, which differs from the pipeline's"),
            "`.mlp` has one `role` for every job of a pipeline; this step runs as the pipeline's",
            notes,
        );
    }
}

/// `Environment` as `env = { … }`.
pub fn env(cx: &mut Context, value: &Json, at: &Pointer, step: &mut draft::Step) {
    let Some(map) = value.as_object() else {
        cx.left_out(
            at,
            &format!("the environment {}", short(value)),
            "an environment is a map of names to text",
            &mut step.notes,
        );
        return;
    };
    let mut entries = Vec::new();
    for (key, v) in map {
        let valid = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            cx.left_out(
                &at.key(key),
                &format!("the environment variable `{key}`"),
                "`env` names are letters, digits and `_`",
                &mut step.notes,
            );
            continue;
        }
        if let Some(t) = text(cx, v, &at.key(key), &mut step.notes) {
            entries.push(format!("{key} = {t}"));
        }
    }
    if !entries.is_empty() {
        step.field("env", format!("{{ {} }}", entries.join(", ")));
    }
}

/// Where an output is written: under `artifacts` as mlpc lays it out
/// (`<artifacts>/<pipeline>/<run id>/<step>/<output>/`), or its own `uri`.
pub fn location(
    cx: &mut Context,
    value: &Json,
    at: &Pointer,
    step: &str,
    output: &mut draft::Output,
    notes: &mut Vec<String>,
) {
    let Some(pieces) = expr::pieces(cx, value, at, notes) else { return };
    if let Some(artifacts) = artifacts_of(&pieces, &cx.pipeline, step, &output.name) {
        match &cx.artifacts {
            None => {
                cx.artifacts = Some(artifacts);
                return;
            }
            Some(known) if *known == artifacts => return,
            Some(_) => {}
        }
    }
    let mut pieces = pieces;
    if !matches!(pieces.last(), Some(Piece::Literal(s)) if s.ends_with('/')) {
        cx.changed(
            at,
            format!("the output location {} is written with a `/` at its end", expr::text(&pieces)),
            "an output `uri` in .mlp is a folder; SageMaker writes the same objects under either",
        );
        pieces.push(Piece::Literal("/".into()));
    }
    output.attributes.push(("uri".into(), expr::text(&pieces)));
}

/// The `artifacts` of a location in mlpc's layout for this step's output.
fn artifacts_of(pieces: &[Piece], pipeline: &str, step: &str, output: &str) -> Option<String> {
    let [Piece::Literal(root), Piece::RunId, Piece::Literal(tail)] = pieces else { return None };
    if *tail != format!("/{step}/{output}/") {
        return None;
    }
    let artifacts = root.strip_suffix(&format!("/{pipeline}/"))?;
    (artifacts.starts_with("s3://") && !artifacts.is_empty()).then(|| artifacts.to_string())
}

/// The output name a location in mlpc's layout gives: `…/<run id>/<step>/<NAME>/`.
pub fn name_in_layout(value: &Json, step: &str) -> Option<String> {
    let values = value.get("Std:Join")?.get("Values")?.as_array()?;
    let tail = values.last()?.as_str()?;
    let name = tail.strip_prefix(&format!("/{step}/"))?.strip_suffix('/')?;
    crate::syntax::is_name(name).then(|| name.to_string())
}

/// A map key as `.mlp` writes it: bare when it is a name, quoted otherwise.
pub fn key(name: &str) -> String {
    if crate::syntax::is_name(name) {
        name.to_string()
    } else {
        quote(name)
    }
}
