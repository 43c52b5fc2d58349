//! Models: the `model` a step reads (a transform's, a model step's), and the `model`
//! step, which creates a SageMaker model of a trained model in its serving container.

use super::fields::Fields;
use super::graph::Link;
use super::jobs::{image_ref, resources, JobKind};
use super::symbols::StepSymbol;
use super::values::Lowerer;
use super::Context;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ArtifactRef, ArtifactType, CreateModel, Edge};
use crate::syntax::ast::{self, Expr};

/// The step output `model = …` names, with its type, and the edge from its producer:
/// a trained `model`, or with `created`, also a `sagemaker_model` a model step made.
pub fn model_ref(lw: &mut Lowerer, e: &Expr, created: bool) -> Option<(ArtifactRef, ArtifactType)> {
    let m = lw.artifact(e, "`model`")?;
    lw.links.push(Link { from: m.step, to: lw.current, edge: Edge::Model { output: m.output.clone() }, span: m.span });
    let produced = lw.symbols.step(m.step).and_then(|s| s.outputs.iter().find(|(n, _, _)| *n == m.output));
    let (ty, span) = match produced {
        Some((_, Some(ty), span)) => (*ty, *span),
        // The output's type was wrong, and reported.
        Some((_, None, _)) | None => return None,
    };
    match ty {
        ArtifactType::Model => Some((m, ty)),
        ArtifactType::SagemakerModel if created => Some((m, ty)),
        ArtifactType::SagemakerModel | ArtifactType::Dataset(_) | ArtifactType::Files | ArtifactType::Report => {
            let name = format!("{}.{}", lw.symbols.step(m.step).map_or("", |s| s.ast.name.node.as_str()), m.output);
            let (wants, help) = if created {
                ("a model", "use a training step's `model` output (`train.model`) or a model step's (`m.created`)")
            } else {
                ("a trained model", "use the `model` output of a training step, e.g. `train.model`")
            };
            lw.push(
                Diagnostic::new(
                    Code::ArtifactTypeMismatch,
                    m.span,
                    format!("`model` must be {wants}, but `{name}` is {ty}"),
                )
                .label(format!("not {wants}"))
                .secondary(span, format!("produced as {ty} here"))
                .help(help),
            );
            None
        }
    }
}

pub fn create_model(
    lw: &mut Lowerer,
    cx: &Context,
    f: &mut Fields,
    step: &ast::Step,
    sym: &StepSymbol,
) -> Option<CreateModel> {
    let model_expr = f.require("model", "train.model", &mut lw.diags);
    let model = model_expr.and_then(|e| model_ref(lw, e, false)).map(|(m, _)| m);
    let image = match (f.get("image"), &model) {
        (Some(e), _) => image_ref(lw, e, &cx.images, &cx.image_names),
        (None, Some(m)) => super::steps::producer_image(lw, cx, m, step, model_expr),
        (None, None) => None,
    };
    let env = super::steps::env(lw, f);
    // Checked as a transform's instance type: what the model would serve on.
    let instance = f.get("instance").map(|e| resources(lw, cx, JobKind::Transform, e, None, None).map(|r| r.instance));
    let outputs: Vec<_> = sym.outputs.iter().collect();
    match outputs.as_slice() {
        [(_, Some(ArtifactType::SagemakerModel) | None, _)] => {}
        [(name, Some(ty), span)] => lw.push(
            Diagnostic::new(Code::ArtifactTypeMismatch, *span, format!("a model step's output is the model it creates; `{name}` is {ty}"))
                .label("not a sagemaker_model")
                .help(format!("declare it as `out {name}: sagemaker_model`")),
        ),
        _ => lw.push(
            Diagnostic::new(Code::WrongArtifactCount, step.name.span, "a model step has exactly one `out` of type `sagemaker_model`")
                .label(format!("step `{}`", step.name.node))
                .help("add `out created: sagemaker_model`: later steps read the model by it (`transform` with `model = NAME.created`)"),
        ),
    }
    if let Some(first) = step.items.iter().find_map(|i| match i {
        ast::StepItem::Input(input) => Some(input.span),
        ast::StepItem::Field(_) | ast::StepItem::Output(_) => None,
    }) {
        lw.push(
            Diagnostic::new(Code::WrongArtifactCount, first, "a model step takes no inputs")
                .label("input on a model step")
                .help("name the trained model in `model = train.model`"),
        );
    }
    Some(CreateModel {
        model: model?,
        image: image?,
        env: env?,
        instance: match instance {
            Some(i) => Some(i?),
            None => None,
        },
    })
}
