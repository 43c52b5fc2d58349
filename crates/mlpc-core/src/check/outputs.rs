//! An output's options: `{ uri = "s3://.../${run.id}/" }` writes it there instead of
//! under the pipeline's `artifacts`; `{ path = "/opt/ml/processing/…" }` is where a
//! processing job leaves it.

use super::values::Lowerer;
use crate::diagnostics::suggest::help_for;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Text, TextPart};
use crate::syntax::ast::Expr;

/// An output's options.
#[derive(Default)]
pub struct OutputOptions {
    pub uri: Option<Text>,
    pub path: Option<String>,
}

enum OutputOption {
    /// A report's own option, read with the symbols (`reports.rs`).
    Report,
    Uri(Text),
    Path(String),
}

/// The output's `uri` and `path`, if set; `None` when the options were wrong (reported).
pub fn options(
    lw: &mut Lowerer,
    options: &Expr,
    step: &crate::syntax::ast::Step,
    output: &str,
    report: bool,
) -> Option<OutputOptions> {
    let what = format!("the `uri` of `{}.{output}`", step.name.node);
    let kind = crate::kinds::Kind::from_name(&step.kind.node);
    let mut known = vec!["uri", "path"];
    if report {
        known.extend(super::reports::REPORT_OPTIONS);
    }
    let entries = lw.map(options, "the output's options", |lw, key, value| match key {
        // A report's own options, read with the symbols (`reports.rs`).
        _ if report && super::reports::REPORT_OPTIONS.contains(&key) => Some(OutputOption::Report),
        "path" => super::inputs::container_path(lw, value, kind, step).map(OutputOption::Path),
        "uri" => {
            let uri = lw.text(value, "`uri`")?;
            super::inputs::check_s3_uri(lw, &uri, value.span, &what)?;
            if !matches!(uri.parts.last(), Some(TextPart::Literal(end)) if end.ends_with('/')) {
                lw.push(
                    Diagnostic::new(Code::InvalidValue, value.span, format!("{what} does not end with `/`"))
                        .label("a prefix ends with `/`")
                        .help("an output is a prefix its step writes objects under: end the URI with `/`"),
                );
                return None;
            }
            if !uri.parts.iter().any(|p| matches!(p, TextPart::RunId)) {
                lw.push(
                    Diagnostic::new(Code::SharedOutputUri, value.span, format!("{what} is the same in every run"))
                        .label("no `${run.id}` in it")
                        .help("runs overwrite each other's output there, and a run may read the last run's: put `${run.id}` in the URI, e.g. \"s3://bucket/scores/${run.id}/\""),
                );
            }
            Some(OutputOption::Uri(uri))
        }
        other => {
            lw.push(
                Diagnostic::new(Code::UnknownKey, value.span, format!("unknown output option `{other}`"))
                    .label("unknown option")
                    .maybe_help(help_for(other, known.iter().copied(), "output options").or_else(|| {
                        Some(if report {
                            "a report takes `file`, `schema` and `uri`".to_string()
                        } else {
                            "an output takes `uri = \"s3://.../\"` and (processing) `path`".to_string()
                        })
                    })),
            );
            None
        }
    })?;
    let mut out = OutputOptions::default();
    for (_, option) in entries {
        match option {
            OutputOption::Report => {}
            OutputOption::Uri(uri) => out.uri = Some(uri),
            OutputOption::Path(path) => out.path = Some(path),
        }
    }
    Some(out)
}
