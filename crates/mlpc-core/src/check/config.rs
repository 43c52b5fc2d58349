//! The `config` JSON file: loaded once, and `config.a.b["c"]` paths looked up in it at
//! compile time. Errors point at the reference in the .mlp and name the JSON file.

use serde_json::Value as Json;

use crate::diagnostics::suggest::help_for;
use crate::diagnostics::{Code, Diagnostic};
use crate::syntax::ast::{Path, Segment};

/// The loaded config, or the knowledge that loading it failed (already reported),
/// so that references to it do not each report again.
pub enum Config {
    NotDeclared,
    Failed,
    Loaded { file: String, json: Json },
}

impl Config {
    /// Looks a `config...` path up; `path.segments[0]` is `config`.
    pub fn lookup<'a>(&'a self, path: &Path, diags: &mut Vec<Diagnostic>) -> Option<&'a Json> {
        let (file, json) = match self {
            Config::Loaded { file, json } => (file, json),
            Config::Failed => return None,
            Config::NotDeclared => {
                diags.push(
                    Diagnostic::new(
                        Code::ConfigNotDeclared,
                        path.span,
                        format!("`{}` is used but the pipeline has no `config` file", path.display()),
                    )
                    .label("config reference")
                    .help("add `config = \"config.json\"` to the pipeline, naming a JSON file next to the .mlp"),
                );
                return None;
            }
        };
        let Some(first) = path.segments.get(1) else {
            diags.push(
                Diagnostic::new(Code::UnknownConfigKey, path.span, "`config` alone is not a value")
                    .label("needs a key")
                    .help(format!("name a key of {file}, e.g. `config.some_key`")),
            );
            return None;
        };
        let mut current = json;
        let mut walked = String::from("config");
        for segment in std::iter::once(first).chain(path.segments.iter().skip(2)) {
            let key = segment.text();
            let Json::Object(map) = current else {
                diags.push(
                    Diagnostic::new(
                        Code::UnknownConfigKey,
                        segment.span(),
                        format!("`{walked}` in {file} is {}, so it has no key `{key}`", describe(current)),
                    )
                    .label(format!("`{walked}` has no keys")),
                );
                return None;
            };
            match map.get(key) {
                Some(next) => current = next,
                None => {
                    diags.push(
                        Diagnostic::new(
                            Code::UnknownConfigKey,
                            segment.span(),
                            format!("{file} has no key `{key}` in `{walked}`"),
                        )
                        .label("unknown config key")
                        .maybe_help(help_for(
                            key,
                            map.keys().map(String::as_str),
                            "keys there",
                        )),
                    );
                    return None;
                }
            }
            push_segment(&mut walked, segment);
        }
        Some(current)
    }

    pub fn file_name(&self) -> &str {
        match self {
            Config::Loaded { file, .. } => file,
            _ => "the config file",
        }
    }
}

fn push_segment(walked: &mut String, segment: &Segment) {
    match segment {
        Segment::Name(n) => {
            walked.push('.');
            walked.push_str(&n.node);
        }
        Segment::Key(k) => walked.push_str(&format!("[{:?}]", k.node)),
    }
}

/// A config number as mlpc carries it, read from its text as written (serde_json's
/// `arbitrary_precision` keeps it), or why it cannot be carried.
pub fn json_number(n: &serde_json::Number) -> Result<crate::number::Number, crate::number::Unrepresentable> {
    crate::number::parse(&n.to_string())
}

/// For a config number mlpc cannot carry exactly, how to go on: as a JSON string where
/// text will do (`text_ok`), else within range.
pub fn number_help(json: &Json, text_ok: bool) -> Option<String> {
    match json {
        Json::Number(n) if json_number(n).is_err() => Some(if text_ok {
            format!("write it as a JSON string to pass its digits as text: \"{n}\"")
        } else {
            "use a value a 64-bit integer or float holds".to_string()
        }),
        _ => None,
    }
}

/// "a string", "an object", ... for messages.
pub fn describe(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(n) => match json_number(n) {
            Ok(crate::number::Number::Int(_)) => "an integer",
            Ok(crate::number::Number::Float(_)) => "a number",
            Err(why) => why.describe(),
        },
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}
