//! The definition as a whole: names, parameters, the settings every step shares
//! (`role`, `region`, `artifacts`), images, and the fields every step may have
//! (`DependsOn`, `RetryPolicies`, `CacheConfig`).

use std::collections::{BTreeMap, HashSet};

use serde_json::Value as Json;

use super::context::{short, Context, Obj, ParamType, Pointer, StepInfo};
use super::draft;
use super::expr::quote;
use super::{jobs, prepass};

/// Everything the steps share, collected as they are imported.
#[derive(Default)]
pub struct Shared {
    /// Image URI → its declaration's name, in order of first use.
    pub images: Vec<(String, String)>,
    /// The pipeline's `role`: the role most jobs run as, as `.mlp` text.
    pub role: Option<String>,
    /// Regions of images that are not declared (a sql step's), for `region`.
    pub regions: Vec<String>,
    /// Names taken in the one namespace of params, images and steps.
    pub taken: HashSet<String>,
}

impl Shared {
    /// The name of the image declaration for `uri`, declared on first use.
    pub fn image(&mut self, uri: &str) -> String {
        if let Some((_, name)) = self.images.iter().find(|(u, _)| u == uri) {
            return name.clone();
        }
        let base = match crate::aws::images::identify(uri) {
            Some(found) => found.framework.to_string(),
            None => {
                let path = uri.rsplit('/').next().unwrap_or(uri);
                path.split([':', '@']).next().unwrap_or(path).to_string()
            }
        };
        let name = unique(&identifier(&base), &mut self.taken);
        self.images.push((uri.to_string(), name.clone()));
        name
    }
}

/// `name` as a `.mlp` identifier: other characters as `_`, never starting with a digit
/// or being a reserved root.
pub fn identifier(name: &str) -> String {
    let mut out: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "s_");
    }
    // Words that begin other references or expressions.
    const TAKEN: [&str; 5] = ["not", "and", "or", "true", "false"];
    if crate::check::RESERVED_ROOTS.contains(&out.as_str()) || TAKEN.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// `name`, or `name_2`, `name_3`… when taken; then taken.
fn unique(name: &str, taken: &mut HashSet<String>) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

pub fn pipeline(cx: &mut Context, definition: &Json, name: &str) -> draft::Pipeline {
    let root = Pointer::default();
    let mut p = draft::Pipeline { name: identifier(name), ..Default::default() };
    // `import` checked that the definition is an object with a `Steps` list.
    let Some(mut top) = Obj::new(definition, root.clone()) else { return p };
    cx.pipeline = p.name.clone();
    let mut shared = Shared::default();
    shared.taken.insert(p.name.clone());

    if let Some(version) = top.str("Version") {
        if version != crate::targets::sagemaker::VERSION {
            cx.changed(
                &root.key("Version"),
                format!(
                    "the definition is of version `{version}`; it is imported as `{}`",
                    crate::targets::sagemaker::VERSION
                ),
                "mlpc knows the 2020-12-01 schema, the only one SageMaker has published",
            );
        }
    }
    if let Some((config, at)) = top.take("PipelineExperimentConfig") {
        if !config.is_null() {
            cx.changed(
                &at,
                format!("the experiment settings {} are not imported", short(config)),
                "a SageMaker pipeline without them records no experiment; the jobs compute the same",
            );
        }
    }
    for (param, at) in top.list("Parameters") {
        if let Some(line) = parameter(cx, param, &at, &mut shared, &mut p.notes) {
            p.params.push(line);
        }
    }
    let steps = all_steps(cx, &mut top);
    name_steps(cx, &steps, &mut shared);
    prepass::infer_types(cx, &steps);
    prepass::fold_models(cx, &steps);
    shared.role = pipeline_role(cx, &steps);
    for (step, at) in &steps {
        if let Some(s) = jobs::step(cx, step, at, &mut shared, &steps) {
            p.steps.push(s);
        }
    }
    cx.current = None;
    cx.report_cycle();
    cx.rest(top, &mut p.notes);
    p.notes.append(&mut cx.notes);
    report_schemas(cx, &mut p);
    settings(cx, &mut p, &shared);
    hoist_retry(&mut p);
    p.images = shared
        .images
        .iter()
        .map(|(uri, name)| {
            let value = match crate::aws::images::identify(uri) {
                Some(found) => match found.processor {
                    Some(processor) => {
                        format!(
                            "sagemaker_image({}, {}, {})",
                            quote(found.framework),
                            quote(found.version),
                            quote(processor)
                        )
                    }
                    None => format!("sagemaker_image({}, {})", quote(found.framework), quote(found.version)),
                },
                None => quote(uri),
            };
            (name.clone(), value)
        })
        .collect();
    p
}

/// Every step, those inside a condition's branches included, in the order written.
fn all_steps<'j>(cx: &mut Context, top: &mut Obj<'j>) -> Vec<(&'j Json, Pointer)> {
    let mut out = Vec::new();
    let mut pending: Vec<(&'j Json, Pointer)> = top.list("Steps").into_iter().rev().collect();
    while let Some((step, at)) = pending.pop() {
        if !step.is_object() {
            cx.broken(
                &at,
                format!("a step that is {}, not an object", short(step)),
                "each step is an object with a Name, a Type and Arguments",
            );
            continue;
        }
        if step.get("Type").and_then(Json::as_str) == Some("Condition") {
            let args = at.key("Arguments");
            for key in ["ElseSteps", "IfSteps"] {
                if let Some(Json::Array(inner)) = step.get("Arguments").and_then(|a| a.get(key)) {
                    let branch = args.key(key);
                    pending.extend(inner.iter().enumerate().rev().map(|(i, s)| (s, branch.index(i))));
                }
            }
        }
        out.push((step, at));
    }
    out
}

/// Gives each step its `.mlp` name and notes its outputs, so that references between
/// steps resolve whatever their order.
fn name_steps(cx: &mut Context, steps: &[(&Json, Pointer)], shared: &mut Shared) {
    // Steps named after another (`X-CreateModel`) are named last: `X` is the user's.
    let named_after =
        |step: &&(&Json, Pointer)| matches!(step.0.get("Type").and_then(Json::as_str), Some("Model" | "RegisterModel"));
    let (later, first): (Vec<_>, Vec<_>) = steps.iter().partition(named_after);
    for (step, at) in first.into_iter().chain(later) {
        let Some(name) = step.get("Name").and_then(Json::as_str) else {
            cx.broken(at, "a step without a `Name`".into(), "every step has a unique name");
            continue;
        };
        let kind = step.get("Type").and_then(Json::as_str).unwrap_or_default().to_string();
        if cx.steps.contains_key(name) {
            cx.broken(
                &at.key("Name"),
                format!("two steps are named `{name}`"),
                "step names are unique in a definition",
            );
            continue;
        }
        // mlpc and the SDK's ModelStep name these steps after the step the user wrote.
        let stem = match kind.as_str() {
            "Model" => name.strip_suffix("-CreateModel"),
            "RegisterModel" => name.strip_suffix("-RegisterModel"),
            _ => None,
        };
        let mlp = unique(&identifier(stem.unwrap_or(name)), &mut shared.taken);
        let outputs = prepass::output_names(step, name);
        let info = StepInfo { name: mlp, kind, outputs, folded_into: None, branch: None, at: at.clone() };
        cx.steps.insert(name.to_string(), info);
    }
    for (step, _) in steps {
        let (Some(condition), Some("Condition")) =
            (step.get("Name").and_then(Json::as_str), step.get("Type").and_then(Json::as_str))
        else {
            continue;
        };
        for (key, holds) in [("IfSteps", true), ("ElseSteps", false)] {
            let inner = step.get("Arguments").and_then(|a| a.get(key)).and_then(Json::as_array);
            for name in inner.into_iter().flatten().filter_map(|s| s.get("Name")?.as_str()) {
                if let Some(info) = cx.steps.get_mut(name) {
                    info.branch = Some((condition.to_string(), holds));
                }
            }
        }
    }
}

fn parameter(
    cx: &mut Context,
    param: &Json,
    at: &Pointer,
    shared: &mut Shared,
    notes: &mut Vec<String>,
) -> Option<String> {
    let mut obj = Obj::new(param, at.clone())?;
    let name = obj.str("Name")?;
    let declared = obj.str("Type");
    let (ty, mlp_type) = match declared.and_then(ParamType::from_api) {
        Some(ty) => (ty, ty.mlp()),
        None => {
            let other = declared;
            cx.left_out(
                &at.key("Type"),
                &format!("the parameter `{name}` of type {}", other.unwrap_or("(none)")),
                "parameters are String, Integer, Float or Boolean",
                notes,
            );
            return None;
        }
    };
    let mlp = unique(&identifier(name), &mut shared.taken);
    if mlp != name {
        cx.left_out(
            &at.key("Name"),
            &format!("the parameter name `{name}`, which is `{mlp}` in the .mlp"),
            "a run passes the parameter by its new name; .mlp names are identifiers",
            notes,
        );
    }
    cx.params.insert(name.to_string(), (mlp.clone(), ty));
    let mut line = format!("param {mlp}: {mlp_type}");
    if let Some((default, default_at)) = obj.take("DefaultValue") {
        match literal(default, ty) {
            Some(text) => line.push_str(&format!(" = {text}")),
            None => cx.broken(
                &default_at,
                format!("the default {} is not {}", short(default), article(mlp_type)),
                "fix the default",
            ),
        }
    }
    if let Some((Json::Array(values), enum_at)) = obj.take("EnumValues") {
        let texts: Option<Vec<String>> = values.iter().map(|v| literal(v, ty)).collect();
        match texts {
            Some(texts) if !texts.is_empty() => line.push_str(&format!(" {{ enum = [{}] }}", texts.join(", "))),
            _ => cx.broken(&enum_at, format!("enum values that are not all of type {mlp_type}"), "fix the enum values"),
        }
    }
    cx.rest(obj, notes);
    Some(line)
}

fn article(ty: &str) -> String {
    if ty.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {ty}")
    } else {
        format!("a {ty}")
    }
}

/// A parameter's default or enum value as a `.mlp` literal of its type.
fn literal(value: &Json, ty: ParamType) -> Option<String> {
    match (ty, value) {
        (ParamType::String, Json::String(s)) => Some(quote(s)),
        (ParamType::Integer, Json::Number(n)) if n.is_i64() => Some(n.to_string()),
        (ParamType::Float, Json::Number(n)) => n.as_f64().filter(|f| f.is_finite()).map(super::expr::float_literal),
        (ParamType::Boolean, Json::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

/// A report's `schema`, from the values the pipeline reads and the types their
/// comparisons show; none when a value's type is not shown (the report is then read
/// unchecked, as the definition reads it).
fn report_schemas(cx: &Context, p: &mut draft::Pipeline) {
    for step in &mut p.steps {
        let sm_name = &step.origin;
        for output in step.outputs.iter_mut().filter(|o| o.ty == "report") {
            if output.attributes.iter().any(|(k, _)| k == "schema") {
                continue;
            }
            let uses: Vec<_> =
                cx.report_uses.iter().filter(|u| u.step == *sm_name && u.output == output.name).collect();
            let mut leaves: BTreeMap<Vec<String>, &str> = BTreeMap::new();
            let mut conflict = false;
            for u in &uses {
                match (u.ty, leaves.get(&u.keys).copied()) {
                    (Some(ty), None) => {
                        leaves.insert(u.keys.clone(), ty);
                    }
                    // Compared with an int and a float: a float.
                    (Some(ty), Some(known)) if is_number(ty) && is_number(known) && ty != known => {
                        leaves.insert(u.keys.clone(), "float");
                    }
                    (Some(ty), Some(known)) if ty != known => conflict = true,
                    _ => {}
                }
            }
            let typed = !conflict && uses.iter().all(|u| leaves.contains_key(&u.keys));
            if let (true, Some(schema)) = (typed && !leaves.is_empty(), schema_text(&leaves, &[])) {
                output.attributes.push(("schema".into(), schema));
            }
        }
    }
}

fn is_number(ty: &str) -> bool {
    ty == "int" || ty == "float"
}

/// The nested schema map of the leaves under `prefix`; `None` when a key is both a
/// value and a map.
fn schema_text(leaves: &BTreeMap<Vec<String>, &str>, prefix: &[String]) -> Option<String> {
    let mut entries: Vec<String> = Vec::new();
    let mut seen: Vec<&String> = Vec::new();
    for (keys, ty) in leaves.range(prefix.to_vec()..).take_while(|(k, _)| k.starts_with(prefix)) {
        let key = keys.get(prefix.len())?;
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let mut deeper = prefix.to_vec();
        deeper.push(key.clone());
        if keys.len() == prefix.len() + 1 {
            if leaves.keys().any(|k| k.len() > deeper.len() && k.starts_with(&deeper)) {
                return None;
            }
            entries.push(format!("{} = {ty}", super::common::key(key)));
        } else {
            entries.push(format!("{} = {}", super::common::key(key), schema_text(leaves, &deeper)?));
        }
    }
    Some(format!("{{ {} }}", entries.join(", ")))
}

/// The pipeline's `retry`, when every step that runs a job has one: the most common,
/// which the steps that have it then inherit. Not with a lambda step, which SageMaker
/// cannot retry (a default would be warned about there).
fn hoist_retry(p: &mut draft::Pipeline) {
    let retry = |s: &draft::Step| s.fields.iter().find(|(k, _)| k == "retry").map(|(_, v)| v.clone());
    let jobs: Vec<&draft::Step> = p.steps.iter().filter(|s| !matches!(s.kind, "condition" | "fail")).collect();
    if jobs.is_empty() || jobs.iter().any(|s| s.kind == "lambda" || retry(s).is_none()) {
        return;
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for value in jobs.iter().filter_map(|s| retry(s)) {
        *counts.entry(value).or_default() += 1;
    }
    let Some(most) = counts.values().copied().max() else { return };
    let Some(common) = counts.into_iter().find(|(_, n)| *n == most).map(|(v, _)| v) else { return };
    for step in &mut p.steps {
        step.fields.retain(|(k, v)| k != "retry" || *v != common);
    }
    p.settings.push(("retry".into(), common));
}

/// The pipeline name mlpc's output locations show, `<artifacts>/<NAME>/<run id>/<step>/<output>/`,
/// when every such location shows the same.
pub fn layout_name(definition: &Json) -> Option<String> {
    let mut found: Option<String> = None;
    let mut pending = vec![definition];
    while let Some(value) = pending.pop() {
        match value {
            Json::Object(map) => {
                if let Some(values) = map.get("Std:Join").and_then(|j| j.get("Values")).and_then(Json::as_array) {
                    if let [Json::String(root), run, Json::String(tail)] = values.as_slice() {
                        // `/<step>/<output>/`
                        let layout = tail.len() > 2
                            && tail.starts_with('/')
                            && tail.ends_with('/')
                            && tail.matches('/').count() == 3;
                        if layout && run.get("Get").and_then(Json::as_str) == Some("Execution.PipelineExecutionId") {
                            let name = root.strip_suffix('/').and_then(|r| r.rsplit('/').next()).unwrap_or_default();
                            if found.get_or_insert_with(|| name.to_string()) != name {
                                return None;
                            }
                        }
                    }
                }
                pending.extend(map.values());
            }
            Json::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    found.filter(|n| !n.is_empty())
}

/// The role most jobs run as (`RoleArn`, a Model step's `ExecutionRoleArn`): a literal
/// or a String parameter.
fn pipeline_role(cx: &Context, steps: &[(&Json, Pointer)]) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (step, _) in steps {
        let args = step.get("Arguments");
        let Some(role) = args.and_then(|a| a.get("RoleArn").or_else(|| a.get("ExecutionRoleArn"))) else { continue };
        let text = match role {
            Json::String(s) => quote(s),
            _ => match role.get("Get").and_then(Json::as_str).and_then(|p| p.strip_prefix("Parameters.")) {
                Some(param) => match cx.params.get(param) {
                    Some((name, ParamType::String)) => format!("params.{name}"),
                    _ => continue,
                },
                None => continue,
            },
        };
        *counts.entry(text).or_default() += 1;
    }
    // The most used; of equals, the first in order of the text, so the import is stable.
    let most = counts.values().copied().max()?;
    counts.into_iter().find(|(_, n)| *n == most).map(|(role, _)| role)
}

/// `region`, `role` and `artifacts` from what the steps showed.
fn settings(cx: &mut Context, p: &mut draft::Pipeline, shared: &Shared) {
    let region = shared
        .images
        .iter()
        .find_map(|(uri, _)| {
            let (_, rest) = uri.split_once(".dkr.ecr.")?;
            rest.split('.').next().map(str::to_string)
        })
        .or_else(|| shared.regions.first().cloned());
    if let Some(region) = region {
        p.settings.push(("region".into(), quote(&region)));
    }
    if let Some(role) = &shared.role {
        p.settings.push(("role".into(), role.clone()));
    }
    if let Some(artifacts) = &cx.artifacts {
        p.settings.push(("artifacts".into(), quote(artifacts)));
    }
}
