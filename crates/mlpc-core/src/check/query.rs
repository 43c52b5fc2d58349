//! A `query` is one `SELECT` (or `WITH … SELECT`): every target writes its result by
//! wrapping it (Athena and Redshift `UNLOAD (…) TO`, SageMaker dataset definitions), so
//! a statement (`CREATE`, `INSERT`, `MSCK REPAIR`, an `UNLOAD` of its own) or a second
//! statement after `;` would become SQL the engine refuses or, worse, runs otherwise.
//! Only the literal text is read: a query that starts with a parameter is the run's.

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Text, TextPart};
use crate::source::Span;

/// The problem with a query's shape, if any, as a diagnostic at `span`.
pub fn check(query: &Text, span: Span) -> Option<Diagnostic> {
    let Some(TextPart::Literal(start)) = query.parts.first() else {
        return None;
    };
    let body = skip_trivia(start);
    // The first word, after any opening parentheses.
    let word: String = body.trim_start_matches('(').chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    if body.is_empty() && query.parts.len() > 1 {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    if lower != "select" && lower != "with" {
        let found =
            if word.is_empty() { "no statement".to_string() } else { format!("`{}`", word.to_ascii_uppercase()) };
        return Some(
            Diagnostic::new(Code::InvalidValue, span, format!("a `query` must be one SELECT, found {found}"))
                .label("not a SELECT")
                .help("mlpc unloads the query's result to the step's output: write a SELECT (or WITH … SELECT); to run a statement without a result (DDL, INSERT, MSCK REPAIR), write `statement = \"…\"` instead of `query`, with no `out`"),
        );
    }
    let literal = literal_text(query);
    if second_statement(&literal) {
        return Some(
            Diagnostic::new(Code::InvalidValue, span, "a `query` must be one SELECT, found `;` and another statement")
                .label("more than one statement")
                .help("keep one SELECT per sql step; a trailing `;` is fine"),
        );
    }
    None
}

/// The written parts of a text, joined by spaces where a reference was: what can be
/// judged before a run.
fn literal_text(text: &Text) -> String {
    text.literal_parts().collect::<Vec<_>>().join(" ")
}

/// The problem with a `statement`, if any: the engines run one statement per call
/// (Athena's StartQueryExecution, Redshift's ExecuteStatement), so a second one after
/// `;` would be refused when the run reaches it.
pub fn check_statement(statement: &Text, span: Span) -> Option<Diagnostic> {
    let literal = literal_text(statement);
    if statement.parts.len() == 1
        && skip_trivia(&literal).trim_matches(|c: char| c.is_whitespace() || c == ';').is_empty()
    {
        return Some(
            Diagnostic::new(Code::InvalidValue, span, "the `statement` is empty")
                .label("no SQL")
                .help("write the statement to run, e.g. `statement = \"MSCK REPAIR TABLE events\"`"),
        );
    }
    second_statement(&literal).then(|| {
        Diagnostic::new(Code::InvalidValue, span, "a `statement` is one statement, found `;` and another")
            .label("more than one statement")
            .help("give each statement its own sql step, ordered with `after = [...]`; a trailing `;` is fine")
    })
}

/// A Redshift query's quotes doubled for `UNLOAD('…')` (`''2020-01''`), as configs
/// written for that form hold them, read as single quotes (`'2020-01'`) in every literal
/// part, as Airflow's RedshiftToS3Operator reads them before it wraps the query in
/// `UNLOAD ($$…$$)`, now for every target. `Some` with a warning when it changed the
/// query.
pub fn unescape_redshift(query: &mut Text, span: Span) -> Option<Diagnostic> {
    let mut first = None;
    for part in &mut query.parts {
        if let TextPart::Literal(s) = part {
            let (rewritten, found) = unescape_doubled_quotes(s);
            if let Some(found) = found {
                first.get_or_insert(found);
                *s = rewritten;
            }
        }
    }
    let found = first?;
    let read = format!("'{}'", found.get(2..found.len().saturating_sub(2)).unwrap_or_default());
    Some(
        Diagnostic::new(
            Code::UnescapedQuotes,
            span,
            format!("the query holds `{found}`, quotes doubled for `UNLOAD('…')`; mlpc reads them as `{read}`"),
        )
        .label("quotes doubled")
        .help("every target quotes the query for UNLOAD itself (`$$…$$`), as Airflow's RedshiftToS3Operator does after the same rewrite: write single quotes, in the config too, to silence this"),
    )
}

/// `''value''` read as `'value'`, where the value has no quote and no white space
/// (`''2020-01''`, `''CA''`), and its first match: the values a config pre-escapes for
/// `UNLOAD('…')`. RedshiftToS3Operator's own rewrite (`re.sub(r"''(.+?)''", r"'\1'")`)
/// is wider: it also joins two empty strings, `'' and b <> ''`, which this leaves as
/// written (and Airflow refuses, E0504).
fn unescape_doubled_quotes(text: &str) -> (String, Option<String>) {
    let mut out = String::with_capacity(text.len());
    let mut first = None;
    let mut rest = text;
    while let Some(start) = rest.find("''") {
        let after = &rest[start + 2..];
        let value_len = after.find(|c: char| c == '\'' || c.is_whitespace()).unwrap_or(after.len());
        let close = Some(value_len).filter(|n| *n > 0 && after[*n..].starts_with("''"));
        match close {
            Some(end) => {
                out.push_str(&rest[..start]);
                out.push('\'');
                out.push_str(&after[..end]);
                out.push('\'');
                first.get_or_insert_with(|| rest[start..start + 2 + end + 2].to_string());
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[..start + 1]);
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    (out, first)
}

/// The text after leading white space and SQL comments (`-- …`, `/* … */`).
fn skip_trivia(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("--") {
            s = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, after)| after);
        } else {
            return s;
        }
    }
}

/// Whether something other than white space and comments follows a `;` that is outside
/// quotes and comments.
fn second_statement(sql: &str) -> bool {
    let mut rest = sql;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        rest = match c {
            '\'' | '"' => after.split_once(c).map_or("", |(_, tail)| tail),
            '-' if after.starts_with('-') => after.split_once('\n').map_or("", |(_, tail)| tail),
            '/' if after.starts_with('*') => after.split_once("*/").map_or("", |(_, tail)| tail),
            ';' => return !skip_trivia(after).trim_start_matches(';').trim().is_empty(),
            _ => after,
        };
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(sql: &str) -> Option<String> {
        check(&Text::literal(sql), Span::new(0, 0)).map(|d| d.message.clone())
    }

    #[test]
    fn selects_pass_and_statements_do_not() {
        assert_eq!(shape("select 1"), None);
        assert_eq!(shape("  -- daily\n  /* x */ WITH a AS (select 1) select * from a;"), None);
        assert_eq!(shape("(select 1) union (select 2)"), None);
        assert_eq!(shape("select ';' as x; -- done"), None);
        assert!(shape("CREATE DATABASE x").unwrap().contains("found `CREATE`"));
        assert!(shape("UNLOAD (select 1) TO 's3://b/x'").unwrap().contains("found `UNLOAD`"));
        assert!(shape("select 1; drop table t").unwrap().contains("another statement"));
        assert!(shape("").unwrap().contains("no statement"));
    }

    #[test]
    fn doubled_quotes_are_read_as_redshift_to_s3_operator_reads_them() {
        // As Python's re.sub(r"''(.+?)''", r"'\1'", text) for values without white space.
        for (text, want) in [
            ("where t between ''2020-01'' and ''2022-07''", "where t between '2020-01' and '2022-07'"),
            ("plain 'x'", "plain 'x'"),
            ("'it''s'", "'it''s'"),
            ("''''", "''''"),
            ("'''a'''", "''a''"),
            ("''a\nb''", "''a\nb''"),
            ("x''y", "x''y"),
            ("''é''", "'é'"),
            ("email <> '' and phone <> ''", "email <> '' and phone <> ''"),
        ] {
            assert_eq!(unescape_doubled_quotes(text).0, want, "{text:?}");
        }
    }
}
