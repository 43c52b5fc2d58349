//! Steps: the fields each kind takes, inputs bound to producers with compatible
//! types, outputs each kind must have, and `after`, `retry`, `timeout`, `cache`.

use super::code::{code_file, with_entry, Runs, S3Code};
use super::fields::Fields;
use super::graph::Link;
use super::jobs::{image_ref, resources, JobKind};
use super::symbols::StepSymbol;
use super::values::{show_seconds, Lowerer};
use super::Context;
use crate::aws::limits::{JOB_MIN_RUNTIME, MAX_DURATION, PROCESSING_MAX_RUNTIME, TRAINING_MAX_RUNTIME};
use crate::diagnostics::suggest::help_for;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::kinds::Kind;
use crate::source::Span;
use crate::syntax::ast::{self, Expr, ExprKind, StepItem};

const ATHENA_ONLY: &[&str] = &["workgroup", "catalog"];
const REDSHIFT_ONLY: &[&str] = &["cluster", "db_user", "iam_role", "connection"];

pub fn lower(lw: &mut Lowerer, cx: &Context, id: StepId, sym: &StepSymbol) -> Option<Step> {
    let step = sym.ast;
    lw.current = id;
    lw.step = Some(id);
    let kind_name = step.kind.node.as_str();
    let owner = format!("step `{}` ({kind_name})", step.name.node);
    let mut fields = Fields::new(
        step.items.iter().filter_map(|i| match i {
            StepItem::Field(f) => Some(f),
            _ => None,
        }),
        owner,
        step.name.span,
        &mut lw.diags,
    )
    .with_broken(&lw.broken);
    let inputs = super::inputs::inputs(lw, cx, step);
    let Some(kind) = Kind::from_name(kind_name) else {
        lw.push(
            Diagnostic::new(Code::InvalidValue, step.kind.span, format!("unknown step kind `{kind_name}`"))
                .label("unknown kind")
                .maybe_help(help_for(kind_name, Kind::names(), "step kinds")),
        );
        return None;
    };
    let lowered = match kind {
        Kind::Sql => sql(lw, &mut fields, step, sym, &inputs).map(StepKind::Sql),
        Kind::Processing => processing(lw, cx, &mut fields).map(StepKind::Processing),
        Kind::Training => training(lw, cx, &mut fields, step, sym, kind).map(|(job, _)| StepKind::Training(job)),
        Kind::Tuning => super::tuning::tuning(lw, cx, &mut fields, step, sym).map(StepKind::Tuning),
        Kind::Transform => transform(lw, cx, &mut fields, step, sym, &inputs).map(StepKind::Transform),
        Kind::Python => python(lw, cx, &mut fields).map(StepKind::Python),
        Kind::Condition => super::control::condition(lw, &mut fields).map(StepKind::Condition),
        Kind::Fail => super::control::fail(lw, &mut fields).map(StepKind::Fail),
        Kind::Model => super::models::create_model(lw, cx, &mut fields, step, sym).map(StepKind::Model),
        Kind::Register => super::models::register(lw, cx, &mut fields, step, sym).map(StepKind::Register),
        Kind::Lambda => super::lambda::lambda(lw, &mut fields, step, sym).map(StepKind::Lambda),
        Kind::Endpoint => super::models::endpoint(lw, cx, &mut fields, step, sym).map(StepKind::Endpoint),
    };
    let decides = kind.decides();
    if decides {
        no_artifacts(lw, step, kind);
        for key in crate::kinds::RUNS {
            if let Some(span) = fields.key_span(key) {
                lw.push(
                    Diagnostic::new(
                        Code::UnknownKey,
                        span,
                        format!("a {} step runs no job: `{key}` does not apply", kind.name()),
                    )
                    .label("no job to apply it to")
                    .help(format!("remove `{key}`; set it on the steps that run jobs")),
                );
            }
        }
    }
    let guard = fields.get("when").and_then(|e| super::control::guard(lw, e));
    let after = fields.get("after").and_then(|e| after(lw, e)).unwrap_or_default();
    let retry = match fields.get("retry") {
        Some(e) => super::settings::retry(lw, e),
        // A decision runs no job: nothing to retry.
        None if decides => None,
        None => cx.default_retry,
    };
    let timeout = fields
        .get("timeout")
        .and_then(|e| lw.duration_in(e, "`timeout`", 1..=MAX_DURATION, "a step's timeout on every target"));
    // A job without its own `max_runtime` runs for at most the timeout.
    let job_limit = match &lowered {
        Some(StepKind::Processing(job)) if job.max_runtime.is_none() => Some(("processing", PROCESSING_MAX_RUNTIME)),
        Some(StepKind::Training(job) | StepKind::Tuning(Tuning { job, .. })) if job.max_runtime.is_none() => {
            Some(("training", TRAINING_MAX_RUNTIME))
        }
        Some(
            StepKind::Processing(_)
            | StepKind::Training(_)
            | StepKind::Transform(_)
            | StepKind::Sql(_)
            | StepKind::Python(_)
            | StepKind::Condition(_)
            | StepKind::Fail(_)
            | StepKind::Model(_)
            | StepKind::Register(_)
            | StepKind::Lambda(_)
            | StepKind::Endpoint(_)
            | StepKind::Tuning(_),
        )
        | None => None,
    };
    if let (Some((job, limit)), Some(seconds), Some(e)) = (job_limit, timeout, fields.get("timeout")) {
        if seconds > limit {
            lw.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    e.span,
                    format!(
                        "`timeout` of {} is the {job} job's run-time limit, above the {} SageMaker takes",
                        show_seconds(seconds),
                        show_seconds(limit)
                    ),
                )
                .label("becomes MaxRuntimeInSeconds")
                .help(format!("shorten the timeout, or set `max_runtime` to at most {}", show_seconds(limit))),
            );
        }
    }
    let cache = fields
        .get("cache")
        .and_then(|e| lw.duration_in(e, "`cache`", 1..=MAX_DURATION, "a cache's lifetime on every target"));
    let description = fields.get("description").and_then(|e| lw.static_text(e, "`description`"));
    let all_keys: Vec<&str> = kind.keys().collect();
    fields.finish(&all_keys, &mut lw.diags);

    let outputs: Vec<Output> = sym
        .outputs
        .iter()
        .filter_map(|(name, ty, span)| {
            let out = step.items.iter().find_map(|i| match i {
                StepItem::Output(o) if o.name.span == *span => Some(o),
                _ => None,
            })?;
            let report = sym.report(name).cloned();
            let options = match &out.options {
                Some(options) => super::outputs::options(lw, options, step, name, report.is_some())?,
                None => super::outputs::OutputOptions::default(),
            };
            Some(Output {
                name: crate::source::Spanned::new(name.clone(), *span),
                ty: (*ty)?,
                uri: options.uri,
                report,
                path: options.path,
                span: out.span,
            })
        })
        .collect();
    let inputs = inputs.filter(|inputs| distinct_paths(lw, inputs, &outputs));
    Some(Step {
        id,
        name: step.name.clone(),
        kind: lowered?,
        inputs: inputs?,
        outputs,
        after,
        retry,
        timeout,
        cache,
        description,
        guard,
        span: step.span,
    })
}

fn sql(
    lw: &mut Lowerer,
    f: &mut Fields,
    step: &ast::Step,
    sym: &StepSymbol,
    inputs: &Option<Vec<Input>>,
) -> Option<Sql> {
    let engine =
        f.require("engine", "athena", &mut lw.diags).and_then(|e| lw.choice(e, "`engine`", &["athena", "redshift"]));
    let (query_expr, statement_expr) = (f.get("query"), f.get("statement"));
    let (sql_expr, statement) = match (query_expr, statement_expr) {
        (Some(q), None) => (Some(q), false),
        (None, Some(s)) => (Some(s), true),
        (Some(q), Some(s)) => {
            lw.push(
                Diagnostic::new(Code::InvalidValue, s.span, "a sql step runs a `query` or a `statement`, not both")
                    .label("a second SQL text")
                    .secondary(q.span, "the query")
                    .help("split them into two sql steps; order them with `after = [...]`"),
            );
            // Judged as the query, whose result the `out` holds.
            (None, false)
        }
        (None, None) => {
            lw.push(
                Diagnostic::new(Code::MissingKey, step.name.span, format!("step `{}` has no SQL to run: it needs `query` or `statement`", step.name.node))
                    .label("no `query` or `statement`")
                    .help("add `query = \"select ...\"` (its result is the step's `out`) or `statement = \"...\"` (DDL, INSERT, MSCK REPAIR: no result, no `out`)"),
            );
            (None, false)
        }
    };
    let field = if statement { "`statement`" } else { "`query`" };
    let mut query = sql_expr.and_then(|e| lw.text(e, field));
    if let (Some(text), Some(e)) = (&mut query, sql_expr) {
        let shape =
            if statement { super::query::check_statement(text, e.span) } else { super::query::check(text, e.span) };
        if let Some(d) = shape {
            lw.push(d);
        }
        // Only a query is wrapped in `UNLOAD('…')`-style quoting; a statement runs as written.
        if engine == Some("redshift") && !statement {
            if let Some(d) = super::query::unescape_redshift(text, e.span) {
                lw.push(d);
            }
        }
    }
    let text = |lw: &mut Lowerer, f: &mut Fields, key: &str| f.get(key).and_then(|e| lw.text(e, &format!("`{key}`")));
    let database = text(lw, f, "database");
    let workgroup = text(lw, f, "workgroup");
    let catalog = text(lw, f, "catalog");
    let cluster = text(lw, f, "cluster");
    let db_user = text(lw, f, "db_user");
    let iam_role = text(lw, f, "iam_role");
    let connection = f.get("connection").and_then(|e| lw.static_text(e, "`connection`"));
    let outputs: Vec<_> = sym.outputs.iter().collect();
    match outputs.as_slice() {
        // Without SQL, what the outputs should be is unknown.
        _ if query_expr.is_none() && statement_expr.is_none() => {}
        _ if statement => {
            for (name, _, span) in &outputs {
                lw.push(
                    Diagnostic::new(Code::WrongArtifactCount, *span, format!("a statement has no result for `{name}` to hold"))
                        .label("output of a statement")
                        .help("remove the `out`; steps that need the statement done first name it in `after = [...]`; to write a result, use `query = \"select ...\"`"),
                );
            }
        }
        [(_, Some(ArtifactType::Dataset(Format::Csv | Format::Parquet)), _)] | [(_, None, _)] => {}
        [(_, Some(other), span)] => lw.push(
            Diagnostic::new(
                Code::ArtifactTypeMismatch,
                *span,
                format!("a sql step writes `dataset<parquet>` or `dataset<csv>`, not {other}"),
            )
            .label("unsupported output type")
            .help("declare the output as `dataset<parquet>` or `dataset<csv>`"),
        ),
        _ => lw.push(count_error(
            step,
            "a sql step has exactly one `out` (the query's result)",
            "add `out rows: dataset<parquet>`",
        )),
    }
    if let Some(first) = inputs.as_ref().and_then(|i| i.first()) {
        lw.push(
            Diagnostic::new(Code::WrongArtifactCount, first.span, "a sql step takes no inputs")
                .label("input on a sql step")
                .help("the query reads tables, not artifacts; use `after = [step]` to wait for another step"),
        );
    }
    let engine = match engine? {
        "athena" => SqlEngine::Athena,
        _ => SqlEngine::Redshift,
    };
    let (foreign, other) = match engine {
        SqlEngine::Athena => (REDSHIFT_ONLY, "redshift"),
        SqlEngine::Redshift => (ATHENA_ONLY, "athena"),
    };
    for key in foreign {
        if let Some(span) = f.key_span(key) {
            lw.push(
                Diagnostic::new(Code::UnknownKey, span, format!("`{key}` applies to {other} queries, not to this one"))
                    .label(format!("{other} only"))
                    .help(format!("remove `{key}`, or set `engine = {other}`")),
            );
        }
    }
    Some(Sql {
        engine,
        query: query?,
        statement,
        database,
        workgroup,
        catalog,
        cluster,
        db_user,
        iam_role,
        connection,
        unloader: super::code::sql_unloader(step.name.span),
    })
}

fn processing(lw: &mut Lowerer, cx: &Context, f: &mut Fields) -> Option<Processing> {
    let image =
        f.require("image", "my_image", &mut lw.diags).and_then(|e| image_ref(lw, e, &cx.images, &cx.image_names));
    let instance = f.require("instance", "\"ml.m5.xlarge\"", &mut lw.diags);
    let code =
        f.require("code", "\"code/script.py\"", &mut lw.diags).and_then(|e| code_file(lw, cx, e, S3Code::Allowed));
    let entry = f.get("entry");
    let code = code.and_then(|c| with_entry(lw, c, entry, Runs::Processing));
    let count = f.get("count");
    let volume = f.get("volume_gb");
    let resources = instance.and_then(|i| resources(lw, cx, JobKind::Processing, i, count, volume));
    let args =
        f.get("args").map(|e| lw.list(e, "`args`", |lw, a| lw.text(a, "an argument"))).unwrap_or(Some(Vec::new()));
    let env = env(lw, f);
    let max_runtime = f.get("max_runtime").map(|e| {
        lw.duration_in(
            e,
            "`max_runtime`",
            JOB_MIN_RUNTIME..=PROCESSING_MAX_RUNTIME,
            "a SageMaker processing job's run time",
        )
    });
    Some(Processing {
        image: image?,
        resources: resources?,
        code: code?,
        args: args?,
        env: env?,
        max_runtime: max_runtime.flatten(),
    })
}

/// A training step's fields, or the training job each trial of a tuning step runs
/// (`kind`), with the hyperparameters a tuning step searches apart.
pub(super) fn training(
    lw: &mut Lowerer,
    cx: &Context,
    f: &mut Fields,
    step: &ast::Step,
    sym: &StepSymbol,
    kind: Kind,
) -> Option<(Training, Vec<(String, ParameterRange)>)> {
    let image =
        f.require("image", "my_image", &mut lw.diags).and_then(|e| image_ref(lw, e, &cx.images, &cx.image_names));
    let instance = f.require("instance", "\"ml.m5.xlarge\"", &mut lw.diags);
    let count = f.get("count");
    let volume = f.get("volume_gb");
    let resources = instance.and_then(|i| resources(lw, cx, JobKind::Training, i, count, volume));
    let entry = f.get("entry");
    let code = match f.get("code") {
        Some(e) => {
            code_file(lw, cx, e, S3Code::Allowed).and_then(|c| with_entry(lw, c, entry, Runs::Training)).map(Some)
        }
        None => {
            if let Some(e) = entry {
                lw.push(
                    Diagnostic::new(Code::InvalidValue, e.span, "`entry` picks a script in `code`, and this step has no `code`")
                        .label("no `code` to run it from")
                        .help("add `code = \"src/\"` (a folder next to the .mlp) for the framework image's script mode, or remove `entry`"),
                );
            }
            Some(None)
        }
    };
    let mut ranges = Vec::new();
    let hyperparameters = f
        .get("hyperparameters")
        .map(|e| {
            let all = lw.map(e, "`hyperparameters`", |lw, key, v| super::tuning::hyperparameter(lw, key, v, kind))?;
            let mut fixed = Vec::new();
            for (key, value) in all {
                match value {
                    super::tuning::Hyperparameter::Fixed(v) => fixed.push((key, v)),
                    super::tuning::Hyperparameter::Searched(range) => ranges.push((key, range)),
                }
            }
            Some(fixed)
        })
        .unwrap_or(Some(Vec::new()));
    let env = env(lw, f);
    let metrics = f
        .get("metrics")
        .map(|e| lw.map(e, "`metrics`", |lw, key, v| lw.static_text(v, &format!("the pattern of metric `{key}`"))))
        .unwrap_or(Some(Vec::new()));
    let spot = match f.get("spot") {
        Some(e) => match &e.kind {
            ExprKind::Bool(b) => Some(*b),
            _ => {
                lw.push(
                    Diagnostic::new(
                        Code::WrongValueType,
                        e.span,
                        format!("`spot` must be `true` or `false`, found {}", e.describe()),
                    )
                    .label("expected a boolean")
                    .help("write `spot = true`"),
                );
                None
            }
        },
        None => Some(false),
    };
    // Script mode sets these itself; a second value would be a duplicate key.
    if let (Some(Some(_)), Some(e)) = (&code, f.get("hyperparameters")) {
        if let ExprKind::Map(entries) = &e.kind {
            for entry in
                entries.iter().filter(|m| crate::targets::requests::SCRIPT_MODE_KEYS.contains(&m.key.node.as_str()))
            {
                lw.push(
                    Diagnostic::new(Code::InvalidValue, entry.span, format!("hyperparameter `{}` is set by `code`", entry.key.node))
                        .label("set by script mode")
                        .help("remove it: with `code`, mlpc sets `sagemaker_program` from `entry` and `sagemaker_submit_directory` to the uploaded archive"),
                );
            }
        }
    }
    let max_runtime = f.get("max_runtime").map(|e| {
        lw.duration_in(
            e,
            "`max_runtime`",
            JOB_MIN_RUNTIME..=TRAINING_MAX_RUNTIME,
            "a SageMaker training job's run time",
        )
    });
    let models = sym.outputs.iter().filter(|(_, t, _)| *t == Some(ArtifactType::Model)).count();
    let others = sym.outputs.iter().find(|(_, t, _)| t.is_some() && *t != Some(ArtifactType::Model));
    if let Some((name, Some(ty), span)) = others {
        lw.push(
            Diagnostic::new(
                Code::WrongArtifactCount,
                *span,
                format!("a {} step's only output is its model; `{name}` is {ty}", kind.name()),
            )
            .label("not a model")
            .help("declare one output of type `model`; write other files from a processing step"),
        );
    } else if models != 1 && sym.outputs.iter().all(|(_, t, _)| t.is_some()) {
        let message = format!("a {} step has exactly one `out` of type `model`", kind.name());
        lw.push(count_error(step, &message, "add `out model: model`"));
    }
    let job = Training {
        image: image?,
        resources: resources?,
        hyperparameters: hyperparameters?,
        env: env?,
        metrics: metrics?,
        spot: spot?,
        max_runtime: max_runtime.flatten(),
        code: code?,
    };
    Some((job, ranges))
}

fn transform(
    lw: &mut Lowerer,
    cx: &Context,
    f: &mut Fields,
    step: &ast::Step,
    sym: &StepSymbol,
    inputs: &Option<Vec<Input>>,
) -> Option<Transform> {
    let model_expr = f.require("model", "train.model", &mut lw.diags);
    let model = model_expr.and_then(|e| super::models::model_ref(lw, e, true));
    let model = match model {
        Some((m, ArtifactType::SagemakerModel)) => {
            // The model step made the container: the transform has none of its own.
            for key in ["image", "env"] {
                if let (Some(_), Some(span)) = (f.get(key), f.key_span(key)) {
                    lw.push(
                        Diagnostic::new(Code::InvalidValue, span, format!("`{key}` belongs to the model step: this transform runs a model it created"))
                            .label("set by the model step")
                            .help(format!("set `{key}` on the model step, or read the trained model (`train.model`) to create one here")),
                    );
                }
            }
            Some(TransformModel::Created(m))
        }
        Some((m, _)) => {
            let image = match f.get("image") {
                Some(e) => image_ref(lw, e, &cx.images, &cx.image_names),
                None => producer_image(lw, cx, &m, step, model_expr),
            };
            let env = env(lw, f);
            match (image, env) {
                (Some(image), Some(env)) => Some(TransformModel::Own { model: m, image, env }),
                _ => None,
            }
        }
        None => {
            // Reported; still read the other keys for their own mistakes.
            let _ = f.get("image").map(|e| image_ref(lw, e, &cx.images, &cx.image_names));
            let _ = env(lw, f);
            None
        }
    };
    let instance = f.require("instance", "\"ml.m5.large\"", &mut lw.diags);
    let count = f.get("count");
    let resources = instance.and_then(|i| resources(lw, cx, JobKind::Transform, i, count, None));
    let content_type = f.get("content_type").and_then(|e| lw.text(e, "`content_type`"));
    let split = f.get("split").and_then(|e| lw.choice(e, "`split`", &["none", "line", "recordio", "tfrecord"])).map(
        |s| match s {
            "line" => SplitType::Line,
            "recordio" => SplitType::RecordIo,
            "tfrecord" => SplitType::TfRecord,
            _ => SplitType::None,
        },
    );
    let n_in = inputs.as_ref().map_or(1, Vec::len);
    let n_out = sym.outputs.len();
    if inputs.is_some() && (n_in != 1 || n_out != 1) {
        lw.push(count_error(
            step,
            &format!("a transform step has exactly one `in` and one `out` (this one has {n_in} and {n_out})"),
            "read one dataset with `in data = STEP.OUTPUT` and write one with `out predictions: dataset<csv>`",
        ));
    }
    Some(Transform { model: model?, resources: resources?, content_type, split })
}

/// The image of the step that trained the model, when the step sets none.
pub(super) fn producer_image(
    lw: &mut Lowerer,
    cx: &Context,
    model: &ArtifactRef,
    step: &ast::Step,
    at: Option<&Expr>,
) -> Option<ImageRef> {
    let producer = lw.symbols.step(model.step)?.ast;
    let image_expr = producer.items.iter().find_map(|i| match i {
        StepItem::Field(f) if f.key.node == "image" => Some(&f.value),
        _ => None,
    });
    if let Some(ExprKind::Path(p)) = image_expr.map(|e| &e.kind) {
        let name = p.segments.first().map(|s| s.text()).unwrap_or("");
        return cx.images.get(name).map(|i| ImageRef { name: name.to_string(), uri: i.uri.clone() });
    }
    if let Some(ExprKind::Str(parts)) = image_expr.map(|e| &e.kind) {
        if let [ast::StrPart::Text(uri)] = parts.as_slice() {
            return Some(ImageRef { name: String::new(), uri: uri.clone() });
        }
    }
    if image_expr.is_none() {
        lw.push(
            Diagnostic::new(
                Code::MissingKey,
                at.map_or(step.name.span, |e| e.span),
                format!("step `{}` needs an `image` to serve its model", step.name.node),
            )
            .label(format!("`{}` sets no image to reuse", producer.name.node))
            .help("add `image = NAME` to the transform step"),
        );
    }
    None
}

fn python(lw: &mut Lowerer, cx: &Context, f: &mut Fields) -> Option<Python> {
    let callable = f.require("callable", "\"package.module:function\"", &mut lw.diags);
    let image = f.get("image").map(|e| image_ref(lw, e, &cx.images, &cx.image_names));
    let instance = f.get("instance");
    let resources = instance.map(|i| resources(lw, cx, JobKind::Processing, i, None, None));
    let code = f.get("code").map(|e| (code_file(lw, cx, e, S3Code::Refused), e.span));
    let args =
        f.get("args").map(|e| lw.list(e, "`args`", |lw, a| lw.scalar(a, "an argument"))).unwrap_or(Some(Vec::new()));
    let callable_expr = callable?;
    let text = lw.static_text(callable_expr, "`callable`")?;
    let parsed = text.split_once(':').filter(|(module, function)| {
        let ident = |s: &str| {
            s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        !module.is_empty() && module.split('.').all(ident) && ident(function)
    });
    let Some((module, function)) = parsed else {
        lw.push(
            Diagnostic::new(Code::InvalidValue, callable_expr.span, format!("`{text}` is not a Python callable path"))
                .label("expected \"package.module:function\"")
                .help("name the module with dots and the function after a colon, e.g. \"etl.checks:validate\""),
        );
        return None;
    };
    // A code folder is the import root: it must hold the callable's module.
    if let Some((Some(CodeFile { packed: Some(folder), path, .. }), span)) = &code {
        let file = module.replace('.', "/");
        let wanted = [format!("{file}.py"), format!("{file}/__init__.py")];
        if !folder.files.iter().any(|f| wanted.contains(f)) {
            lw.push(
                Diagnostic::new(Code::InvalidValue, *span, format!("the folder `{path}` holds no module `{module}`"))
                    .label(format!("no `{}` in it", wanted[0]))
                    .help(format!(
                        "the folder is put first on the import path: `{module}` must be `{}` or `{}` inside it",
                        wanted[0], wanted[1]
                    )),
            );
            return None;
        }
    }
    // The code file is the callable's module: `code = "checks.py"` ships `checks`.
    if let Some((Some(file @ CodeFile { packed: None, .. }), span)) = &code {
        let stem = file.file_name.strip_suffix(".py").unwrap_or(&file.file_name);
        if stem != module {
            lw.push(
                Diagnostic::new(Code::InvalidValue, *span, format!("`code` ships the module `{stem}`, but the callable is in `{module}`"))
                    .label("not the callable's module")
                    .help(if module.contains('.') {
                        format!("`code` ships one module file, put first on the import path; a module in a package (`{module}`) must be in the image, or name the callable `{stem}:{function}`")
                    } else {
                        format!("ship the module the callable names, `code = \"{module}.py\"`, or name the callable `{stem}:{function}`")
                    }),
            );
            return None;
        }
    }
    // An `image` or `instance` that was wrong is reported; one without the other is
    // reported by the targets that need both.
    let job = match (image.flatten(), resources.flatten()) {
        (Some(image), Some(resources)) => Some(PythonJob {
            image,
            resources,
            code: match code {
                Some((file, _)) => Some(file?),
                None => None,
            },
            runner: super::code::python_runner(callable_expr.span),
        }),
        (_, _) => None,
    };
    Some(Python { module: module.to_string(), function: function.to_string(), args: args?, job })
}

pub(super) fn env(lw: &mut Lowerer, f: &mut Fields) -> Option<Vec<(String, Text)>> {
    let Some(e) = f.get("env") else {
        return Some(Vec::new());
    };
    let entries = lw.map(e, "`env`", |lw, key, v| lw.text(v, &format!("environment variable `{key}`")))?;
    let mut ok = true;
    if let ExprKind::Map(map) = &e.kind {
        for entry in map {
            let k = &entry.key.node;
            let valid = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                lw.push(
                    Diagnostic::new(
                        Code::InvalidName,
                        entry.key.span,
                        format!("`{k}` is not a valid environment variable name"),
                    )
                    .label("invalid name")
                    .help("use letters, digits and `_`, not starting with a digit"),
                );
                ok = false;
            }
        }
    }
    ok.then_some(entries)
}

/// `after = [step, ...]`
fn after(lw: &mut Lowerer, e: &Expr) -> Option<Vec<(StepId, Span)>> {
    lw.list(e, "`after`", |lw, item| {
        let name = match &item.kind {
            ExprKind::Path(p) if p.segments.len() == 1 => p.segments.first().map(|s| s.text().to_string()),
            _ => None,
        };
        let Some(name) = name else {
            lw.push(
                Diagnostic::new(
                    Code::WrongValueType,
                    item.span,
                    format!("`after` lists step names, found {}", item.describe()),
                )
                .label("expected a step name")
                .help("write step names without quotes, e.g. `after = [extract]`"),
            );
            return None;
        };
        match lw.symbols.step_id(&name) {
            Some(id) => {
                lw.links.push(Link { from: id, to: lw.current, edge: Edge::After, span: item.span });
                Some((id, item.span))
            }
            None if lw.broken.contains(&name) => None,
            None => {
                lw.push(
                    Diagnostic::new(Code::UnknownStep, item.span, format!("unknown step `{name}`"))
                        .label("no such step")
                        .maybe_help(help_for(&name, lw.symbols.step_names().collect::<Vec<_>>(), "steps")),
                );
                None
            }
        }
    })
}

/// A condition or fail step decides; it reads no artifacts and writes none.
/// A processing job's inputs and outputs are folders of their own: no two at one path.
/// One inside another is allowed, as SageMaker runs it (the SDK's Abalone example reads
/// its data at /opt/ml/processing/input, around the code's folder).
fn distinct_paths(lw: &mut Lowerer, inputs: &[Input], outputs: &[Output]) -> bool {
    if inputs.iter().all(|i| i.path.is_none()) && outputs.iter().all(|o| o.path.is_none()) {
        return true;
    }
    let code = crate::ir::PROCESSING_CODE_DIR.to_string();
    // The code's folder first: a clash with it is reported at the input or output.
    let mut places: Vec<(String, &str, Span)> = vec![(code, "code", Span::default())];
    places.extend(inputs.iter().map(|i| (i.local_path(), i.name.node.as_str(), i.span)));
    places.extend(outputs.iter().map(|o| (o.local_path(), o.name.node.as_str(), o.span)));
    let mut ok = true;
    for (i, (path, name, span)) in places.iter().enumerate() {
        let clash = places.iter().take(i).find(|(other, _, _)| other == path);
        if let Some((other_path, other, other_span)) = clash {
            let mut d =
                Diagnostic::new(Code::InvalidValue, *span, format!("`{name}` and `{other}` are both at {other_path}"))
                    .label("a folder of its own, shared")
                    .help("give each input and output of a processing job a `path` of its own");
            if *other_span != Span::default() {
                d = d.secondary(*other_span, "here");
            }
            lw.push(d);
            ok = false;
        }
    }
    ok
}

fn no_artifacts(lw: &mut Lowerer, step: &ast::Step, kind: Kind) {
    for item in &step.items {
        let (span, what) = match item {
            StepItem::Input(i) => (i.span, "an input"),
            StepItem::Output(o) => (o.span, "an output"),
            StepItem::Field(_) => continue,
        };
        let help = match kind {
            Kind::Condition => "a condition reads report values in its `check`; remove the item",
            _ => "a fail step ends the run; its `message` may hold report values with `${...}`: remove the item",
        };
        lw.push(
            Diagnostic::new(Code::WrongArtifactCount, span, format!("a {} step has no inputs or outputs", kind.name()))
                .label(format!("{what} of a {} step", kind.name()))
                .help(help),
        );
    }
}

fn count_error(step: &ast::Step, message: &str, help: &str) -> Diagnostic {
    Diagnostic::new(Code::WrongArtifactCount, step.name.span, message.to_string())
        .label(format!("step `{}`", step.name.node))
        .help(help.to_string())
}
