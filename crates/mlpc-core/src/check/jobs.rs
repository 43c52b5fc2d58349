//! What SageMaker jobs share: images (declared or inline), instance types checked
//! against aws-sdk-sagemaker's own enums (`aws::instance_types`), counts and volumes.

use std::collections::HashMap;

use super::values::Lowerer;
use super::Context;
use crate::diagnostics::suggest::{did_you_mean, help_for};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Image, ImageRef, Resources, Text, TextPart, Value};
use crate::syntax::ast::{self, Expr, ExprKind};

pub use crate::kinds::JobKind;

/// Resolves every `image NAME = ...` declaration.
pub fn lower_images(
    lw: &mut Lowerer,
    images: &[&ast::Image],
    region: Option<&str>,
    region_span: Option<crate::source::Span>,
) -> HashMap<String, Image> {
    let mut out = HashMap::new();
    for image in images {
        let resolved = match &image.value.kind {
            ExprKind::Call(name, args) => {
                sagemaker_image(lw, name, args, &image.value, region, region_span).map(|(uri, fw)| (uri, Some(fw)))
            }
            _ => lw
                .static_text(&image.value, "an image")
                .and_then(|uri| check_uri(lw, &image.value, uri))
                .map(|uri| (uri, None)),
        };
        if let Some((uri, framework)) = resolved {
            out.insert(image.name.node.clone(), Image { name: image.name.clone(), uri, framework, span: image.span });
        }
    }
    out
}

fn check_uri(lw: &mut Lowerer, e: &Expr, uri: String) -> Option<String> {
    let ok = !uri.is_empty() && !uri.contains(char::is_whitespace) && uri.len() <= 255;
    if ok {
        return Some(uri);
    }
    lw.push(
        Diagnostic::new(Code::InvalidValue, e.span, "not a container image URI")
            .label("invalid image")
            .help("write the image's URI, e.g. \"123456789012.dkr.ecr.us-east-1.amazonaws.com/my-image:1\" (at most 255 characters, no spaces)"),
    );
    None
}

/// `sagemaker_image(framework, version[, processor])`
fn sagemaker_image(
    lw: &mut Lowerer,
    name: &ast::Ident,
    args: &[Expr],
    call: &Expr,
    region: Option<&str>,
    region_span: Option<crate::source::Span>,
) -> Option<(String, (String, String))> {
    if name.node != "sagemaker_image" {
        lw.push(
            Diagnostic::new(Code::UnknownFunction, name.span, format!("unknown function `{}`", name.node))
                .label("unknown function")
                .help("the one function is `sagemaker_image(framework, version)`"),
        );
        return None;
    }
    if !(2..=3).contains(&args.len()) {
        lw.push(
            Diagnostic::new(Code::WrongValueType, call.span, format!("`sagemaker_image` takes 2 or 3 arguments, found {}", args.len()))
                .label("wrong number of arguments")
                .help("write `sagemaker_image(\"xgboost\", \"1.7-1\")`, optionally with a processor: `sagemaker_image(\"pytorch\", \"2.1\", \"gpu\")`"),
        );
        return None;
    }
    let texts: Vec<Option<String>> =
        args.iter().map(|a| lw.static_text(a, "an argument of `sagemaker_image`")).collect();
    let (framework, version) = match (texts.first(), texts.get(1)) {
        (Some(Some(f)), Some(Some(v))) => (f.clone(), v.clone()),
        _ => return None,
    };
    let processor = match texts.get(2) {
        Some(Some(p)) => Some(p.clone()),
        Some(None) => return None,
        None => None,
    };
    let Some(region) = region else {
        lw.push(
            Diagnostic::new(Code::MissingKey, call.span, "`sagemaker_image` needs the pipeline's `region`")
                .label("resolved for the pipeline's region")
                .help("add `region = \"us-east-1\"` (or your region) to the pipeline"),
        );
        return None;
    };
    match crate::aws::images::sagemaker_image_uri(&framework, &version, processor.as_deref(), region) {
        Ok(uri) => Some((uri.uri, (framework, version))),
        Err(err) => {
            use crate::aws::images::ImageError;
            let arg_span = |i: usize| args.get(i).map_or(call.span, |a| a.span);
            let (span, message, known, what, given) = match err {
                ImageError::UnknownFramework { known } => (
                    arg_span(0),
                    format!("no SageMaker image for framework `{framework}`"),
                    known,
                    "frameworks".to_string(),
                    framework.clone(),
                ),
                ImageError::UnknownVersion { known, .. } => (
                    arg_span(1),
                    format!("no `{framework}` image with version `{version}`"),
                    known,
                    format!("`{framework}` versions"),
                    version.clone(),
                ),
                ImageError::UnknownRegion { known, .. } => (
                    region_span.unwrap_or(call.span),
                    format!("no `{framework}` {version} image is published in region `{region}`"),
                    known,
                    format!("regions with `{framework}` {version}"),
                    region.to_string(),
                ),
                ImageError::UnknownProcessor { known, .. } => {
                    let p = processor.unwrap_or_default();
                    (
                        arg_span(2),
                        format!("`{framework}` {version} has no `{p}` image"),
                        known,
                        "processors".to_string(),
                        p,
                    )
                }
            };
            let text = help_for(&given, known.iter().map(String::as_str), &what);
            lw.push(
                Diagnostic::new(Code::UnknownSagemakerImage, span, message)
                    .label("not in mlpc's image table")
                    .maybe_help(text),
            );
            None
        }
    }
}

/// `image = NAME` (a declared image) or `image = "uri"`.
pub fn image_ref(lw: &mut Lowerer, e: &Expr, images: &HashMap<String, Image>, declared: &[&str]) -> Option<ImageRef> {
    match &e.kind {
        ExprKind::Path(p) if p.segments.len() == 1 => {
            let name = p.segments.first().map(|s| s.text()).unwrap_or("");
            if let Some(image) = images.get(name) {
                return Some(ImageRef { name: name.to_string(), uri: image.uri.clone() });
            }
            if !declared.contains(&name) && !lw.broken.contains(name) {
                lw.push(
                    Diagnostic::new(Code::UnknownImage, e.span, format!("unknown image `{name}`"))
                        .label("not declared")
                        .maybe_help(
                            help_for(name, declared.iter().copied(), "images")
                                .or_else(|| Some(format!("declare it: `image {name} = \"URI\"`"))),
                        ),
                );
            }
            None
        }
        ExprKind::Call(name, _) => {
            lw.push(
                Diagnostic::new(Code::WrongValueType, e.span, format!("`image` names a declared image; `{}(...)` belongs in a declaration", name.node))
                    .label("call in a step")
                    .help("declare it in the pipeline, `image xgb = sagemaker_image(\"xgboost\", \"1.7-1\")`, and write `image = xgb` here"),
            );
            None
        }
        _ => {
            let uri = lw.static_text(e, "`image`")?;
            let uri = check_uri(lw, e, uri)?;
            Some(ImageRef { name: String::new(), uri })
        }
    }
}

/// `instance`, `count`, `volume_gb` of a job.
pub fn resources(
    lw: &mut Lowerer,
    cx: &Context,
    kind: JobKind,
    instance: &Expr,
    count: Option<&Expr>,
    volume: Option<&Expr>,
) -> Option<Resources> {
    let text = lw.text(instance, "`instance`");
    if let Some(text) = &text {
        check_instance(lw, cx, kind, instance, text);
    }
    let count = match count {
        Some(e) => positive(lw, e, "`count`", 1, 100),
        None => Some(Value::Int(1)),
    };
    let volume_gb = match volume {
        Some(e) => positive(lw, e, "`volume_gb`", 1, 16384),
        None => Some(Value::Int(30)),
    };
    let instance_value = match text?.parts.as_slice() {
        [TextPart::Param(name)] => Value::Param(name.clone()),
        parts => Value::Text(Text { parts: parts.to_vec() }),
    };
    Some(Resources { instance: instance_value, instance_span: instance.span, count: count?, volume_gb: volume_gb? })
}

/// An integer field that must be positive when it is a literal.
fn positive(lw: &mut Lowerer, e: &Expr, field: &str, min: i64, max: i64) -> Option<Value> {
    let value = lw.int(e, field)?;
    if let Value::Int(n) = value {
        if !(min..=max).contains(&n) {
            lw.push(
                Diagnostic::new(Code::InvalidValue, e.span, format!("{field} is {n}, outside {min}..={max}"))
                    .label("out of range")
                    .help(format!("SageMaker accepts {field} from {min} to {max}")),
            );
            return None;
        }
    }
    Some(value)
}

/// Checks a literal instance type, or the default and `enum` values of the string
/// parameter that fills it, against SageMaker's list for this kind of job.
pub(super) fn check_instance(lw: &mut Lowerer, cx: &Context, kind: JobKind, e: &Expr, text: &Text) {
    let known = kind.instance_types();
    if let Some(literal) = text.as_literal() {
        if !known.contains(&literal.as_str()) {
            lw.push(unknown_instance(cx, kind, e.span, &literal, known));
        }
        return;
    }
    let Some(param_name) = text.as_param() else {
        return;
    };
    let Some((param, _)) = lw.symbols.param(param_name) else {
        return;
    };
    for (span, value) in super::params::literal_strings(param) {
        if !known.contains(&value) {
            let d = unknown_instance(cx, kind, span, value, known)
                .secondary(e.span, format!("parameter `{param_name}` is used as a {} instance type here", kind.name()));
            lw.push(d);
        }
    }
}

fn unknown_instance(cx: &Context, kind: JobKind, span: crate::source::Span, value: &str, known: &[&str]) -> Diagnostic {
    let (code, message) = if cx.options.allow_unknown_instance_types {
        (Code::UnrecognisedInstanceType, format!("`{value}` is not a {} instance type known to mlpc", kind.name()))
    } else {
        (Code::UnknownInstanceType, format!("`{value}` is not a SageMaker {} instance type", kind.name()))
    };
    let suggestion = did_you_mean(value, known.iter().copied());
    let mut help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "{} instance types look like `{}`",
            kind.name(),
            known.iter().find(|k| k.starts_with("ml.m5")).copied().unwrap_or("ml.m5.xlarge")
        ),
    };
    if !cx.options.allow_unknown_instance_types {
        help.push_str(" If the type is newer than mlpc, pass --allow-unknown-instance-types.");
    }
    Diagnostic::new(code, span, message).label("unknown instance type").help(help)
}
