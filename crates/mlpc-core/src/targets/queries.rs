//! The SQL a `sql` step runs where a target runs it as its own step (Airflow, Step
//! Functions): the query wrapped in an UNLOAD to the step's output location, so the
//! result lands as files of the declared format under one S3 prefix; a statement as
//! written.

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ArtifactType, Format, Pipeline, Sql, Step, TextPart};
use crate::targets::requests::{self, Piece};

/// E0211 naming every setting of `step` that `service` needs to run its query and that
/// the step lacks. `how` says how the service runs it, for the help line.
pub fn missing_settings(step: &Step, required: &[(&str, bool)], service: &str, how: &str) -> Option<Diagnostic> {
    let missing: Vec<&str> = required.iter().filter(|(_, set)| !set).map(|(k, _)| *k).collect();
    if missing.is_empty() {
        return None;
    }
    let settings = missing.iter().map(|k| format!("`{k} = \"...\"`")).collect::<Vec<_>>().join(", ");
    let role = if missing.contains(&"iam_role") { " (`iam_role` falls back to the pipeline's `role`)" } else { "" };
    Some(
        Diagnostic::new(
            Code::MissingKey,
            step.name.span,
            format!("step `{}` needs `{}` on {service}", step.name.node, missing.join("`, `")),
        )
        .label(format!("{service} cannot run this query without it"))
        .help(format!("{how}: set {settings}{role}")),
    )
}

/// The Redshift settings a service needs to run the step's SQL itself: the cluster, the
/// database, the user, and, for a query's UNLOAD, the role Redshift writes to S3 with.
pub fn redshift_settings<'a>(p: &Pipeline, sql: &Sql) -> Vec<(&'a str, bool)> {
    let mut settings = vec![
        ("cluster", sql.cluster.is_some()),
        ("database", sql.database.is_some()),
        ("db_user", sql.db_user.is_some()),
    ];
    if !sql.statement {
        settings.push(("iam_role", sql.iam_role.is_some() || p.settings.role.is_some()));
    }
    settings
}

/// Whether the query's written text contains `$$`, which would end the `$$ ... $$`
/// quoting Redshift's UNLOAD gets the query in. Each literal part is judged alone:
/// what a parameter brings is only known at run time. A statement is not wrapped.
pub fn has_dollar_quote(sql: &Sql) -> bool {
    !sql.statement && sql.query.parts.iter().any(|part| matches!(part, TextPart::Literal(s) if s.contains("$$")))
}

/// What Athena runs for the step: a statement as written, a query in its UNLOAD.
pub fn athena_sql(p: &Pipeline, step: &Step, sql: &Sql) -> Vec<Piece> {
    if sql.statement {
        trim_query(requests::text_pieces(&sql.query))
    } else {
        athena_unload(p, step, sql)
    }
}

/// What Redshift runs for the step: a statement as written, a query in its UNLOAD.
pub fn redshift_sql(p: &Pipeline, step: &Step, sql: &Sql) -> Vec<Piece> {
    if sql.statement {
        trim_query(requests::text_pieces(&sql.query))
    } else {
        redshift_unload(p, step, sql)
    }
}

/// Whether the step's output is declared Parquet (otherwise CSV text).
pub fn is_parquet(step: &Step) -> bool {
    matches!(step.outputs.first().map(|o| o.ty), Some(ArtifactType::Dataset(Format::Parquet)))
}

/// The output's S3 prefix: `<artifacts>/<pipeline>/<run.id>/<step>/<output>/`.
pub fn location(p: &Pipeline, step: &Step) -> Vec<Piece> {
    let out_name = step.outputs.first().map_or("rows", |o| o.name.node.as_str());
    requests::output_location(p, step, out_name)
}

/// Athena: `UNLOAD (query) TO '<location>' WITH (format = ...)`.
pub fn athena_unload(p: &Pipeline, step: &Step, sql: &Sql) -> Vec<Piece> {
    let format = if is_parquet(step) { "format = 'PARQUET'" } else { "format = 'TEXTFILE', field_delimiter = ','" };
    let mut unload = vec![Piece::Literal("UNLOAD (\n".to_string())];
    unload.extend(trim_query(requests::text_pieces(&sql.query)));
    unload.push(Piece::Literal("\n) TO '".to_string()));
    unload.extend(sql_quoted(location(p, step)));
    unload.push(Piece::Literal(format!("' WITH ({format})")));
    unload
}

/// Where Athena writes the query's own metadata: `<run>/<step>/_athena/`, beside the output.
pub fn athena_metadata_location(p: &Pipeline, step: &Step) -> Vec<Piece> {
    vec![Piece::Literal(requests::run_root(p)), Piece::RunKey, Piece::Literal(format!("/{}/_athena/", step.name.node))]
}

/// Redshift: `UNLOAD ($$ query $$) TO '<location>' IAM_ROLE '<role>' FORMAT AS ...`.
/// Dollar quoting carries the query verbatim; a query containing `$$` is refused by
/// the target checks.
pub fn redshift_unload(p: &Pipeline, step: &Step, sql: &Sql) -> Vec<Piece> {
    let mut unload = vec![Piece::Literal("UNLOAD ($$\n".to_string())];
    unload.extend(trim_query(requests::text_pieces(&sql.query)));
    unload.push(Piece::Literal("\n$$) TO '".to_string()));
    unload.extend(sql_quoted(location(p, step)));
    unload.push(Piece::Literal("' IAM_ROLE '".to_string()));
    if let Some(role) = sql.iam_role.as_ref().or(p.settings.role.as_ref()) {
        unload.extend(sql_quoted(requests::text_pieces(role)));
    }
    let format = if is_parquet(step) { "PARQUET" } else { "CSV" };
    unload.push(Piece::Literal(format!("' FORMAT AS {format}")));
    unload
}

/// The query without trailing white space and semicolons, which UNLOAD cannot wrap.
pub fn trim_query(mut pieces: Vec<Piece>) -> Vec<Piece> {
    if let Some(Piece::Literal(last)) = pieces.last_mut() {
        let trimmed = last.trim_end_matches(|c: char| c.is_whitespace() || c == ';').len();
        last.truncate(trimmed);
    }
    pieces
}

/// Pieces placed inside a SQL string literal: quotes in literal text are doubled.
pub fn sql_quoted(pieces: Vec<Piece>) -> Vec<Piece> {
    pieces
        .into_iter()
        .map(|p| match p {
            Piece::Literal(s) => Piece::Literal(s.replace('\'', "''")),
            other @ (Piece::Param(_)
            | Piece::RunId
            | Piece::RunKey
            | Piece::RunDate
            | Piece::JobName(_)
            | Piece::OutputUri { .. }
            | Piece::ModelArtifact(_)
            | Piece::BestTrainingJob(_)
            | Piece::ModelName(_)) => other,
        })
        .collect()
}
