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

/// One piece of text that is known only when the pipeline runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Literal(String),
    Param(String, ParamType),
    RunId,
    Output(OutputRef),
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
        }
    }
    out.push('"');
    out
}

/// A JSON value as pieces of text: a literal (numbers and booleans as their text, as
/// `Std:Join` writes them), a `Get`, or a `Std:Join` of those. `None` (reported) when
/// it holds something `.mlp` cannot say.
pub fn pieces(cx: &mut Context, value: &Json, at: &Pointer, notes: &mut Vec<String>) -> Option<Vec<Piece>> {
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
        out.extend(pieces(cx, value, &at.key("Values").index(i), notes)?);
    }
    Some(merge(out))
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
        return step_property(cx, rest, at, notes).map(Piece::Output);
    }
    cx.left_out(at, &format!("the property `{path}`"), "not a parameter, the run's id or a step's output", notes);
    None
}

/// `S.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri`,
/// `S.ModelArtifacts.S3ModelArtifacts` or `S.TransformOutput.S3OutputPath` as `S.o`.
fn step_property(cx: &mut Context, rest: &str, at: &Pointer, notes: &mut Vec<String>) -> Option<OutputRef> {
    // Step names hold no `.` (SageMaker allows letters, digits, `-` and `_`).
    let (step, property) = rest.split_once('.').unwrap_or((rest, ""));
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
        Some(output) => Some(OutputRef { step: info.name, output }),
        None => {
            cx.broken(at, format!("`Steps.{rest}` names no output of `{step}`"), "name one of the step's outputs");
            None
        }
    }
}
