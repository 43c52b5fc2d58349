//! `report` outputs: the options `file` and `schema` (read when symbols are collected,
//! so any step can read a report whatever the order of steps), and paths into a report
//! (`evaluate.evaluation.regression_metrics.mse.value`) checked against its schema.

use crate::diagnostics::suggest::help_for;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ParamType, Report, Schema, DEFAULT_REPORT_FILE};
use crate::syntax::ast::{Expr, ExprKind, Path, Segment, StrPart};

/// The options only a report takes; `uri` is every output's and is read with them.
pub const REPORT_OPTIONS: [&str; 2] = ["file", "schema"];

/// A report's `file` and `schema` from the output's options; a wrong one is reported
/// and left at its default, so that paths into the report are not reported again.
pub fn options(options: Option<&Expr>, diags: &mut Vec<Diagnostic>) -> Report {
    let mut report = Report { file: DEFAULT_REPORT_FILE.to_string(), schema: None };
    let Some(ExprKind::Map(entries)) = options.map(|o| &o.kind) else {
        return report;
    };
    for entry in entries {
        match entry.key.node.as_str() {
            "file" => {
                if let Some(file) = file(&entry.value, diags) {
                    report.file = file;
                }
            }
            "schema" => report.schema = schema(&entry.value, diags, 0),
            _ => {}
        }
    }
    report
}

fn file(e: &Expr, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let text = match &e.kind {
        ExprKind::Str(parts) => match parts.as_slice() {
            [StrPart::Text(t)] => Some(t.clone()),
            _ => None,
        },
        _ => None,
    };
    let Some(text) = text else {
        diags.push(
            Diagnostic::new(
                Code::WrongValueType,
                e.span,
                format!("a report's `file` must be a plain string, found {}", e.describe()),
            )
            .label("expected a file name")
            .help("name the JSON file the step writes in its output folder, e.g. `file = \"evaluation.json\"`"),
        );
        return None;
    };
    let bad = text.is_empty()
        || text.starts_with('/')
        || text.ends_with('/')
        || text.split('/').any(|part| part.is_empty() || part == "." || part == "..")
        || text.chars().any(char::is_control);
    if bad {
        diags.push(
            Diagnostic::new(Code::InvalidValue, e.span, format!("`{}` is not a file name inside the output folder", text.escape_debug()))
                .label("not a relative file path")
                .help("name the file relative to the output folder, without `..` or a leading `/`, e.g. `file = \"evaluation.json\"`"),
        );
        return None;
    }
    Some(text)
}

/// The value types a schema's leaves take.
const LEAF_TYPES: [&str; 4] = ["string", "int", "float", "bool"];

fn schema(e: &Expr, diags: &mut Vec<Diagnostic>, depth: usize) -> Option<Schema> {
    match &e.kind {
        ExprKind::Map(entries) if entries.is_empty() => {
            diags.push(
                Diagnostic::new(Code::InvalidValue, e.span, "an empty map in a report's schema")
                    .label("no keys")
                    .help("list the keys the report holds, e.g. `{ mse = float }`, or remove the map"),
            );
            None
        }
        ExprKind::Map(entries) => {
            let mut out = Vec::new();
            let mut ok = true;
            for entry in entries {
                if out.iter().any(|(k, _): &(String, Schema)| *k == entry.key.node) {
                    diags.push(
                        Diagnostic::new(
                            Code::DuplicateName,
                            entry.key.span,
                            format!("`{}` is twice in the schema", entry.key.node),
                        )
                        .label("again here")
                        .help("keep one of them"),
                    );
                    ok = false;
                    continue;
                }
                match schema(&entry.value, diags, depth + 1) {
                    Some(s) => out.push((entry.key.node.clone(), s)),
                    None => ok = false,
                }
            }
            ok.then_some(Schema::Map(out))
        }
        ExprKind::Path(Path { segments, .. }) if segments.len() == 1 && depth > 0 => {
            let name = segments.first().map(Segment::text).unwrap_or("");
            let ty = match name {
                "string" => Some(ParamType::String),
                "int" => Some(ParamType::Int),
                "float" => Some(ParamType::Float),
                "bool" => Some(ParamType::Bool),
                _ => None,
            };
            if ty.is_none() {
                diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        e.span,
                        format!("`{name}` is not a type a report value can have"),
                    )
                    .label("unknown type")
                    .maybe_help(
                        help_for(name, LEAF_TYPES, "value types")
                            .or_else(|| Some("a report value is a `string`, `int`, `float` or `bool`".to_string())),
                    ),
                );
            }
            ty.map(Schema::Value)
        }
        _ => {
            diags.push(
                Diagnostic::new(Code::WrongValueType, e.span, format!("a report's schema holds maps and value types, found {}", e.describe()))
                    .label("expected a map or a type")
                    .help("write the report's keys with their types, e.g. `schema = { regression_metrics = { mse = { value = float } } }`"),
            );
            None
        }
    }
}

/// Checks `keys` (the path after `STEP.OUTPUT`) against the report's schema: the value's
/// type when the schema names it; an error for a key it lacks or a path that stops at a
/// map or runs past a value.
pub fn path_type(report: &Report, keys: &[Segment], whole: &Path) -> Result<Option<ParamType>, Diagnostic> {
    let Some(mut at) = report.schema.as_ref() else {
        return Ok(None);
    };
    for (i, key) in keys.iter().enumerate() {
        match at {
            Schema::Map(_) => match at.get(key.text()) {
                Some(next) => at = next,
                None => {
                    let known = at.keys();
                    let shown = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                    return Err(Diagnostic::new(
                        Code::UnknownReportKey,
                        key.span(),
                        format!("the report's schema has no `{}` here", key.text()),
                    )
                    .label("not in the schema")
                    .help(
                        help_for(key.text(), known, "keys here")
                            .unwrap_or_else(|| format!("the keys here are {shown}")),
                    ));
                }
            },
            Schema::Value(ty) => {
                return Err(Diagnostic::new(
                    Code::UnknownReportKey,
                    key.span(),
                    format!(
                        "`{}` is past a value: the schema says `{}` is {}",
                        key.text(),
                        prefix(whole, i),
                        ty.with_article()
                    ),
                )
                .label("the path goes on past a value")
                .help(format!("end the path at `{}`", prefix(whole, i))));
            }
        }
    }
    match at {
        Schema::Value(ty) => Ok(Some(*ty)),
        Schema::Map(_) => Err(Diagnostic::new(
            Code::UnknownReportKey,
            whole.span,
            format!("`{}` is a map in the report's schema, not a value", whole.display()),
        )
        .label("a map")
        .help(format!(
            "go on to a value: {}",
            at.keys().iter().map(|k| format!("`{}.{k}`", whole.display())).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The path up to and including the `i`th key after `STEP.OUTPUT`.
fn prefix(whole: &Path, i: usize) -> String {
    let cut = Path { segments: whole.segments.iter().take(i + 2).cloned().collect(), span: whole.span };
    cut.display()
}
