//! The `lambda` step: a Lambda invocation whose payload may hold params, text and
//! report values, and whose one optional `report` output is the function's response.

use super::fields::Fields;
use super::symbols::StepSymbol;
use super::values::Lowerer;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ArtifactType, Lambda, LambdaFunction, PayloadValue};
use crate::syntax::ast::{self, Expr, ExprKind};

pub fn lambda(lw: &mut Lowerer, f: &mut Fields, step: &ast::Step, sym: &StepSymbol) -> Option<Lambda> {
    let function = f
        .require("function", "\"arn:aws:lambda:us-east-1:123456789012:function:notify\"", &mut lw.diags)
        .and_then(|e| function(lw, e));
    let payload = match f.get("payload") {
        Some(e) => lw.map(e, "`payload`", |lw, _, value| payload_value(lw, value)),
        None => Some(Vec::new()),
    };
    match sym.outputs.as_slice() {
        [] | [(_, Some(ArtifactType::Report) | None, _)] => {}
        [(name, Some(ty), span)] => lw.push(
            Diagnostic::new(
                Code::ArtifactTypeMismatch,
                *span,
                format!("a lambda step's output is the function's response, a report; `{name}` is {ty}"),
            )
            .label("not a report")
            .help(format!(
                "declare it as `out {name}: report {{ schema = {{ ... }} }}`, the keys the function returns"
            )),
        ),
        [_, (_, _, second), ..] => lw.push(
            Diagnostic::new(Code::WrongArtifactCount, *second, "a lambda step has at most one `out`: its response")
                .label("a second output")
                .help("return every value in one JSON object, and declare its keys in the report's `schema`"),
        ),
    }
    super::models::no_inputs(
        lw,
        step,
        "lambda",
        "pass what the function needs in `payload`: `\"${step.output}\"` is an output's S3 URI",
    );
    Some(Lambda { function: function?, payload: payload? })
}

/// `function`: a function's name, partial ARN or ARN, known at compile time.
fn function(lw: &mut Lowerer, e: &Expr) -> Option<LambdaFunction> {
    let written = lw.static_text(e, "`function`")?;
    let parsed = LambdaFunction::parse(&written);
    if parsed.is_none() {
        lw.push(
            Diagnostic::new(Code::InvalidValue, e.span, format!("`{written}` does not name a Lambda function"))
                .label("not a function name or ARN")
                .help("write the function's name (letters, digits, `-`, `_`, at most 64), or its ARN `arn:aws:lambda:REGION:ACCOUNT:function:NAME`, optionally with `:VERSION` or `:ALIAS`"),
        );
    }
    parsed
}

/// A payload value: a report value read at run time, or a scalar, param or text.
fn payload_value(lw: &mut Lowerer, e: &Expr) -> Option<PayloadValue> {
    match &e.kind {
        ExprKind::Path(path) if lw.is_report_path(path) => {
            lw.report_value(path, "a `payload` value").map(PayloadValue::Report)
        }
        _ => lw.scalar(e, "a `payload` value").map(PayloadValue::Value),
    }
}
