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
                .help("mlpc unloads the query's result to the step's output: write a SELECT (or WITH … SELECT); statements without a result (DDL, INSERT, MSCK REPAIR, UNLOAD) are not supported in a sql step yet"),
        );
    }
    let literal: String = query
        .parts
        .iter()
        .filter_map(|p| match p {
            TextPart::Literal(s) => Some(s.as_str()),
            TextPart::Param(_) | TextPart::RunId | TextPart::RunDate | TextPart::Output { .. } => None,
        })
        .collect::<Vec<_>>()
        .join(" ");
    if second_statement(&literal) {
        return Some(
            Diagnostic::new(Code::InvalidValue, span, "a `query` must be one SELECT, found `;` and another statement")
                .label("more than one statement")
                .help("keep one SELECT per sql step; a trailing `;` is fine"),
        );
    }
    None
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
}
