//! Diagnostics as SARIF 2.1.0, the format GitHub code scanning reads: one run whose
//! rules are the codes that occur (with their `mlpc explain` text as help), one result
//! per diagnostic with its region and related locations, and the files that could not
//! be read as notifications of a failed invocation.

use serde_json::{json, Value};

use super::{Code, Diagnostic};
use crate::source::{LineIndex, SourceFile, Span};

/// Where the format's schema is published (what the output's `$schema` names).
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The checked files with their diagnostics, and the files that could not be read
/// (their path and why), as one SARIF log.
pub fn log(checked: &[(&SourceFile, &[Diagnostic])], unreadable: &[(String, String)], version: &str) -> Value {
    let mut codes: Vec<Code> = checked.iter().flat_map(|(_, ds)| ds.iter().map(|d| d.code)).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes.iter().map(|code| rule(*code)).collect();
    let mut results = Vec::new();
    for (file, diagnostics) in checked {
        let index = LineIndex::new(&file.text);
        for d in diagnostics.iter() {
            let rule_index = codes.iter().position(|c| *c == d.code).unwrap_or(0);
            results.push(result(d, rule_index, file, &index));
        }
    }
    let notifications: Vec<Value> = unreadable
        .iter()
        .map(|(path, reason)| {
            json!({
                "level": "error",
                "message": { "text": reason },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(path) } } }],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "mlpc",
                "version": version,
                "semanticVersion": version,
                "rules": rules,
            } },
            "invocations": [{
                "executionSuccessful": unreadable.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A code as a rule: its name, the explanation's first sentence as the short
/// description, its first paragraph as the full one, the whole explanation as help.
fn rule(code: Code) -> Value {
    let explanation = code.explanation();
    let body = explanation.split_once('\n').map_or("", |(_, rest)| rest).trim();
    let paragraph = body.split("\n\n").next().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = match paragraph.find(". ") {
        Some(end) => paragraph.get(..=end).unwrap_or(&paragraph).to_string(),
        None => paragraph.clone(),
    };
    json!({
        "id": code.as_str(),
        "name": code.name(),
        "shortDescription": { "text": sentence },
        "fullDescription": { "text": paragraph },
        "help": { "text": body, "markdown": body },
        // SARIF names two of its levels as mlpc names its severities.
        "defaultConfiguration": { "level": code.severity().as_str() },
        "properties": { "tags": [code.name()] },
    })
}

fn result(d: &Diagnostic, rule_index: usize, file: &SourceFile, index: &LineIndex) -> Value {
    let text = d.one_text();
    let related: Vec<Value> = d
        .secondary
        .iter()
        .enumerate()
        .map(|(k, label)| {
            json!({
                "id": k,
                "physicalLocation": location(&file.name, label.span, index),
                "message": { "text": if label.text.is_empty() { d.message.clone() } else { label.text.clone() } },
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": rule_index,
        "level": d.severity.as_str(),
        "message": { "text": text },
        "locations": [{ "physicalLocation": location(&file.name, d.primary.span, index) }],
    });
    if !related.is_empty() {
        if let Some(object) = result.as_object_mut() {
            object.insert("relatedLocations".into(), Value::Array(related));
        }
    }
    result
}

fn location(path: &str, span: Span, index: &LineIndex) -> Value {
    let (start_line, start_column) = index.line_col(span.start as usize);
    let (end_line, end_column) = index.line_col(span.end as usize);
    // SARIF regions end after their last character; an empty span still covers one.
    let end_column = if (end_line, end_column) == (start_line, start_column) { end_column + 1 } else { end_column };
    json!({
        "artifactLocation": { "uri": uri(path) },
        "region": {
            "startLine": start_line,
            "startColumn": start_column,
            "endLine": end_line,
            "endColumn": end_column,
        },
    })
}

/// A path as a relative URI reference: `/` separators, and every byte outside the
/// unreserved characters and `/` percent-encoded (spaces, `#`, `%`, non-ASCII).
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
