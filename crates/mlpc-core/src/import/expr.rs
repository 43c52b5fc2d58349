//! JSON values of a definition as `.mlp` expressions: literals, `Get` property
//! references and `Std:Join`.

use serde_json::Value as Json;

use super::context::{short, Context, ParamType, Pointer};

/// A reference to another step's output, `STEP.OUTPUT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputRef {
    pub step: String,
    pub output: String,
}

/// A value inside a report: `STEP.OUTPUT.key.key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRef {
    pub output: OutputRef,
    pub keys: Vec<String>,
}

impl ReportRef {
    /// As `.mlp` writes it: keys after dots, others in brackets.
    pub fn path(&self) -> String {
        let mut out = format!("{}.{}", self.output.step, self.output.output);
        for key in &self.keys {
            if crate::syntax::is_name(key) {
                out.push('.');
                out.push_str(key);
            } else {
                out.push('[');
                out.push_str(&quote_line(key));
                out.push(']');
            }
        }
        out
    }
}

/// One piece of text that is known only when the pipeline runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Literal(String),
    Param(String, ParamType),
    RunId,
    Output(OutputRef),
    Report(ReportRef),
    /// `BestTrainingJob.TrainingJobName` of a tuning step (SageMaker name): part of
    /// its model's location, which `best_models` turns into the model.
    BestJob(String),
}

/// `s` as a `.mlp` string literal: every character that could end it or start an
/// interpolation is escaped, so it reads back as exactly `s`. Text of several lines (a
/// query) is written as a `"""` string, one line a line, when that reads back the same.
pub fn quote(s: &str) -> String {
    if s.contains('\n') {
        let indent = "      ";
        let mut block = String::from("\"\"\"\n");
        for line in s.split('\n') {
            block.push_str(indent);
            let mut escaped = String::new();
            escape_into(&mut escaped, line);
            // Leading white space of the text's own is kept from the dedent as an escape.
            if let Some(rest) = escaped.strip_prefix(' ') {
                escaped = format!("\\u{{20}}{rest}");
            }
            block.push_str(&escaped);
            block.push('\n');
        }
        block.push_str(indent);
        block.push_str("\"\"\"");
        if crate::syntax::string_value(&block).as_deref() == Some(s) {
            return block;
        }
    }
    quote_line(s)
}

/// A float as a `.mlp` float literal (with a `.` or an exponent).
pub fn float_literal(f: f64) -> String {
    let text = crate::ir::format_float(f);
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// `s` as a one-line string literal.
fn quote_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    escape_into(&mut out, s);
    out.push('"');
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
}

/// Pieces as `.mlp` text: a bare reference when the one piece is a string parameter or
/// the run's id, a string with `${…}` otherwise (other parameters are put into text
/// that way, as a text field needs).
pub fn text(pieces: &[Piece]) -> String {
    match pieces {
        [Piece::Param(name, ParamType::String)] => return format!("params.{name}"),
        [Piece::RunId] => return "run.id".to_string(),
        [Piece::Literal(s)] => return quote(s),
        _ => {}
    }
    let mut out = String::from("\"");
    for piece in pieces {
        match piece {
            Piece::Literal(s) => escape_into(&mut out, s),
            Piece::Param(name, _) => out.push_str(&format!("${{params.{name}}}")),
            Piece::RunId => out.push_str("${run.id}"),
            Piece::Output(r) => out.push_str(&format!("${{{}.{}}}", r.step, r.output)),
            Piece::Report(r) => out.push_str(&format!("${{{}}}", r.path())),
            // Replaced by `best_models` or reported there.
            Piece::BestJob(_) => {}
        }
    }
    out.push('"');
    out
}

/// A JSON value as pieces of text: a literal (numbers and booleans as their text, as
/// `Std:Join` writes them), a `Get`, or a `Std:Join` of those. `None` (reported) when
/// it holds something `.mlp` cannot say.
pub fn pieces(cx: &mut Context, value: &Json, at: &Pointer, notes: &mut Vec<String>) -> Option<Vec<Piece>> {
    let raw = raw_pieces(cx, value, at, notes)?;
    best_models(cx, raw, at, notes)
}

/// `pieces`, a tuning job's best job name left as it is.
fn raw_pieces(cx: &mut Context, value: &Json, at: &Pointer, notes: &mut Vec<String>) -> Option<Vec<Piece>> {
    match value {
        Json::String(s) => Some(vec![Piece::Literal(s.clone())]),
        Json::Number(n) => Some(vec![Piece::Literal(n.to_string())]),
        Json::Bool(b) => Some(vec![Piece::Literal(b.to_string())]),
        Json::Object(map) if map.len() == 1 => {
            if let Some(path) = map.get("Get") {
                return get(cx, path, &at.key("Get"), notes).map(|piece| vec![piece]);
            }
            if let Some(join) = map.get("Std:Join") {
                return std_join(cx, join, &at.key("Std:Join"), notes);
            }
            if let Some(json_get) = map.get("Std:JsonGet") {
                return self::json_get(cx, json_get, &at.key("Std:JsonGet"), notes).map(|r| vec![Piece::Report(r)]);
            }
            let function = map.keys().next().map_or("", String::as_str);
            cx.left_out(
                at,
                &format!("the function `{function}`"),
                "`.mlp` text is made of literals, params, `run.id` and step outputs (`Get`, `Std:Join`); this value is not",
                notes,
            );
            None
        }
        Json::Null | Json::Array(_) | Json::Object(_) => {
            cx.left_out(at, &format!("the value {}", short(value)), "expected text, a `Get` or a `Std:Join`", notes);
            None
        }
    }
}

fn std_join(cx: &mut Context, join: &Json, at: &Pointer, notes: &mut Vec<String>) -> Option<Vec<Piece>> {
    let on = join.get("On").and_then(Json::as_str);
    let values = join.get("Values").and_then(Json::as_array);
    let (Some(on), Some(values)) = (on, values) else {
        cx.broken(at, "a `Std:Join` without `On` text and a `Values` list".into(), "SageMaker refuses it too");
        return None;
    };
    let mut out = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 && !on.is_empty() {
            out.push(Piece::Literal(on.to_string()));
        }
        out.extend(raw_pieces(cx, value, &at.key("Values").index(i), notes)?);
    }
    Some(merge(out))
}

/// A tuning step's best model, as SageMaker can only name it: the trials' output path,
/// the best job's name, `/output/model.tar.gz`. The pieces of that become the model.
fn best_models(cx: &mut Context, mut pieces: Vec<Piece>, at: &Pointer, notes: &mut Vec<String>) -> Option<Vec<Piece>> {
    const MODEL: &str = "/output/model.tar.gz";
    while let Some(i) = pieces.iter().position(|p| matches!(p, Piece::BestJob(_))) {
        let Some(Piece::BestJob(step)) = pieces.get(i).cloned() else { break };
        let info = cx.steps.get(&step).cloned();
        let location = cx.tuning_outputs.get(&step).cloned().and_then(|json| {
            let mut scratch = Vec::new();
            pieces_quiet(cx, &json, &mut scratch)
        });
        let (Some(info), Some(location)) = (info, location) else { break };
        let n = location.len();
        let before = i.checked_sub(n).and_then(|start| pieces.get(start..i));
        // The first piece of the location may have text before it, merged.
        let matches = before.is_some_and(|run| {
            run.iter().zip(&location).enumerate().all(|(k, (got, want))| match (got, want) {
                (Piece::Literal(g), Piece::Literal(w)) if k == 0 => g.ends_with(w.as_str()),
                (got, want) => got == want,
            })
        });
        let after = match pieces.get(i + 1) {
            Some(Piece::Literal(tail)) => tail.strip_prefix(MODEL).map(str::to_string),
            _ => None,
        };
        let (true, Some(after)) = (matches, after) else { break };
        let start = i - n;
        let mut replacement = Vec::new();
        if let (Some(Piece::Literal(g)), Some(Piece::Literal(w))) = (pieces.get(start), location.first()) {
            let head = g.get(..g.len() - w.len()).unwrap_or_default();
            if !head.is_empty() {
                replacement.push(Piece::Literal(head.to_string()));
            }
        }
        let output = info.outputs.first().cloned().unwrap_or_else(|| "model".into());
        replacement.push(Piece::Output(OutputRef { step: info.name.clone(), output }));
        if !after.is_empty() {
            replacement.push(Piece::Literal(after));
        }
        pieces.splice(start..=i + 1, replacement);
    }
    if pieces.iter().any(|p| matches!(p, Piece::BestJob(_))) {
        cx.left_out(
            at,
            "the best training job's name, other than in the tuning step's model location",
            "`.mlp` reads a tuning step's best model (`tune.model`), not the job's name",
            notes,
        );
        return None;
    }
    Some(pieces)
}

/// `pieces` for a value already reported where it stands (a tuning job's output path).
fn pieces_quiet(cx: &mut Context, value: &Json, notes: &mut Vec<String>) -> Option<Vec<Piece>> {
    let before = cx.checkpoint();
    // Raw: a location that names a best training job itself is not resolved again
    // (a tuning step's output path built from its own result would never end).
    let out = raw_pieces(cx, value, &Pointer::default(), notes);
    cx.rewind(before);
    out
}

/// `Std:JsonGet` of a step's property file: a value of its report.
pub fn json_get(cx: &mut Context, value: &Json, at: &Pointer, notes: &mut Vec<String>) -> Option<ReportRef> {
    let file = value.get("PropertyFile").and_then(|f| f.get("Get")).and_then(Json::as_str);
    let path = value.get("Path").and_then(Json::as_str);
    let (Some(file), Some(path)) = (file, path) else {
        cx.left_out(
            at,
            "a `Std:JsonGet` that reads no property file of a step",
            "`.mlp` reads JSON values from a step's report output (a property file); a file at another S3 URI cannot be said",
            notes,
        );
        return None;
    };
    let Some((step, name)) = file.strip_prefix("Steps.").and_then(|r| r.split_once(".PropertyFiles.")) else {
        cx.broken(at, format!("`{file}` is not a property file"), "a property file is `Steps.STEP.PropertyFiles.NAME`");
        return None;
    };
    let Some((output, _)) = cx
        .property_files
        .get(&(step.to_string(), name.to_string()))
        .filter(|(output, _)| crate::syntax::is_name(output))
        .cloned()
    else {
        cx.broken(
            at,
            format!("`{file}` names no property file of the definition"),
            "declare it in the step's PropertyFiles",
        );
        return None;
    };
    let Some(keys) = json_path_keys(path) else {
        cx.left_out(
            at,
            &format!("the JSON path `{path}`"),
            "a report path is keys (`a.b`, `a['c-d']`): no list indexes or wildcards",
            notes,
        );
        return None;
    };
    let Some(step_name) = cx.steps.get(step).map(|s| s.name.clone()) else {
        cx.broken(
            at,
            format!("`{file}` is a property file of no step of the definition"),
            "a property file belongs to a step",
        );
        return None;
    };
    cx.report_uses.push(super::context::ReportUse {
        step: step.to_string(),
        output: output.clone(),
        keys: keys.clone(),
        ty: None,
    });
    Some(ReportRef { output: OutputRef { step: step_name, output }, keys })
}

/// The keys of a JsonPath as mlpc writes it (`a.b['c-d']`); `None` for anything else.
pub fn json_path_keys(path: &str) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    let mut rest = path.strip_prefix("$.").unwrap_or(path);
    while !rest.is_empty() {
        // As deep as `.mlp` nests maps: a report's schema is written nested.
        if keys.len() >= crate::syntax::MAX_DEPTH / 2 {
            return None;
        }
        if let Some(quoted) = rest.strip_prefix("['") {
            let mut key = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next()? {
                    (_, '\\') => key.push(chars.next()?.1),
                    (i, '\'') => break i,
                    (_, c) => key.push(c),
                }
            };
            rest = quoted.get(end + 1..)?.strip_prefix(']')?;
            keys.push(key);
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let key = rest.get(..end)?;
            if !crate::syntax::is_name(key) {
                return None;
            }
            keys.push(key.to_string());
            rest = rest.get(end..)?;
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    (!keys.is_empty()).then_some(keys)
}

/// Adjacent literals as one.
fn merge(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match (out.last_mut(), piece) {
            (Some(Piece::Literal(last)), Piece::Literal(next)) => last.push_str(&next),
            (_, piece) => out.push(piece),
        }
    }
    out
}

/// A `Get`: a parameter, the execution id, or a step's output.
fn get(cx: &mut Context, path: &Json, at: &Pointer, notes: &mut Vec<String>) -> Option<Piece> {
    let Some(path) = path.as_str() else {
        cx.broken(at, format!("`Get` of {}, not a property path", short(path)), "a `Get` names a property as text");
        return None;
    };
    if let Some(name) = path.strip_prefix("Parameters.") {
        let Some((mlp, ty)) = cx.params.get(name).cloned() else {
            cx.broken(at, format!("`{path}` names no parameter of the definition"), "declare it in `Parameters`");
            return None;
        };
        return Some(Piece::Param(mlp, ty));
    }
    if path == "Execution.PipelineExecutionId" {
        return Some(Piece::RunId);
    }
    if path.starts_with("Execution.") {
        cx.left_out(
            at,
            &format!("the execution variable `{path}`"),
            "`.mlp` text can name the run (`run.id`, SageMaker's PipelineExecutionId) but no other execution variable",
            notes,
        );
        return None;
    }
    if let Some(rest) = path.strip_prefix("Steps.") {
        return step_property(cx, rest, at, notes);
    }
    cx.left_out(at, &format!("the property `{path}`"), "not a parameter, the run's id or a step's output", notes);
    None
}

/// `S.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri`,
/// `S.ModelArtifacts.S3ModelArtifacts` or `S.TransformOutput.S3OutputPath` as `S.o`.
fn step_property(cx: &mut Context, rest: &str, at: &Pointer, notes: &mut Vec<String>) -> Option<Piece> {
    // Step names hold no `.` (SageMaker allows letters, digits, `-` and `_`).
    let (step, property) = rest.split_once('.').unwrap_or((rest, ""));
    cx.waits_for(step, at);
    let Some(info) = cx.steps.get(step).cloned() else {
        let mut known: Vec<&str> = cx.steps.keys().map(String::as_str).collect();
        known.sort_unstable();
        let help = match crate::diagnostics::suggest::did_you_mean(step, known) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "a `Get` may name the definition's steps only".to_string(),
        };
        cx.broken(at, format!("`Steps.{rest}` names no step of the definition"), &help);
        return None;
    };
    let output = match (info.kind.as_str(), property) {
        ("Processing", p) if p.starts_with("ProcessingOutputConfig.Outputs[") && p.ends_with("].S3Output.S3Uri") => {
            let inner = p.trim_start_matches("ProcessingOutputConfig.Outputs[").trim_end_matches("].S3Output.S3Uri");
            let by_name = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
            match by_name {
                Some(name) => info.outputs.iter().find(|o| *o == name).cloned(),
                None => inner.parse::<usize>().ok().and_then(|i| info.outputs.get(i).cloned()),
            }
        }
        ("Training", "ModelArtifacts.S3ModelArtifacts") | ("Transform", "TransformOutput.S3OutputPath") => {
            info.outputs.first().cloned()
        }
        ("Model", "ModelName") => Some(super::control::MODEL_OUTPUT.to_string()),
        ("Tuning", "BestTrainingJob.TrainingJobName") => return Some(Piece::BestJob(step.to_string())),
        ("Lambda", p) if p.starts_with("OutputParameters['") && p.ends_with("']") => {
            let key = p.trim_start_matches("OutputParameters['").trim_end_matches("']").to_string();
            let output = super::control::LAMBDA_OUTPUT.to_string();
            cx.report_uses.push(super::context::ReportUse {
                step: step.to_string(),
                output: output.clone(),
                keys: vec![key.clone()],
                ty: None,
            });
            return Some(Piece::Report(ReportRef { output: OutputRef { step: info.name, output }, keys: vec![key] }));
        }
        _ => {
            cx.left_out(
                at,
                &format!("the property `Steps.{rest}`"),
                "`.mlp` reads a step's outputs (processing outputs, a training job's model, a transform's results), not its other properties",
                notes,
            );
            return None;
        }
    };
    match output {
        Some(output) => Some(Piece::Output(OutputRef { step: info.name, output })),
        None => {
            cx.broken(at, format!("`Steps.{rest}` names no output of `{step}`"), "name one of the step's outputs");
            None
        }
    }
}
