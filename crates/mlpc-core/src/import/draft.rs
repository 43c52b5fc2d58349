//! The `.mlp` an import writes, item by item, and its text. Values are already `.mlp`
//! expressions here (`expr.rs` wrote them); the text is then put in the canonical
//! layout by `mlpc fmt`, so nothing here aligns or wraps.

use std::fmt::Write;

/// A pipeline being written.
#[derive(Default)]
pub struct Pipeline {
    pub name: String,
    /// Comments at the top of the pipeline: what was left out of the definition as a
    /// whole.
    pub notes: Vec<String>,
    /// `key = value`, in the order the language reference lists them.
    pub settings: Vec<(String, String)>,
    /// Whole `param` lines.
    pub params: Vec<String>,
    /// `image NAME = VALUE`.
    pub images: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

/// A step being written.
pub struct Step {
    pub name: String,
    /// The step's name in the definition.
    pub origin: String,
    pub kind: &'static str,
    /// What was left out of this step, as comments at its top.
    pub notes: Vec<String>,
    pub fields: Vec<(String, String)>,
    pub inputs: Vec<Input>,
    pub outputs: Vec<Output>,
}

impl Step {
    pub fn new(name: &str, origin: &str, kind: &'static str) -> Step {
        Step {
            name: name.to_string(),
            origin: origin.to_string(),
            kind,
            notes: Vec::new(),
            fields: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
        }
    }

    pub fn field(&mut self, key: &str, value: impl Into<String>) {
        self.fields.push((key.to_string(), value.into()));
    }
}

pub struct Input {
    pub name: String,
    /// Written when the source is not another step's output (the language needs it
    /// there).
    pub ty: Option<String>,
    pub source: String,
    /// `{ ... }` attributes, e.g. `distribution = sharded`.
    pub attributes: Vec<(String, String)>,
}

pub struct Output {
    pub name: String,
    pub ty: String,
    pub attributes: Vec<(String, String)>,
}

/// The order a step's fields are written in, as the language reference's examples
/// have them; a stable sort keeps others in the order they were found.
const FIELD_ORDER: [&str; 43] = [
    "description",
    "when",
    "after",
    "engine",
    "cluster",
    "catalog",
    "database",
    "db_user",
    "workgroup",
    "iam_role",
    "query",
    "check",
    "message",
    "function",
    "payload",
    "model",
    "group",
    "approval",
    "image",
    "instance",
    "count",
    "volume_gb",
    "code",
    "entry",
    "args",
    "objective",
    "max_jobs",
    "parallel",
    "strategy",
    "content_type",
    "split",
    "content_types",
    "response_types",
    "inference_instances",
    "transform_instances",
    "env",
    "hyperparameters",
    "metrics",
    "spot",
    "max_runtime",
    "timeout",
    "retry",
    "cache",
];

/// The pipeline as `.mlp` text (not yet in the canonical layout).
pub fn print(p: &Pipeline) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "pipeline {} {{", p.name);
    notes(&mut out, &p.notes, "  ");
    for (key, value) in &p.settings {
        let _ = writeln!(out, "  {}", field(key, value));
    }
    if !p.params.is_empty() {
        out.push('\n');
    }
    for param in &p.params {
        let _ = writeln!(out, "  {param}");
    }
    if !p.images.is_empty() {
        out.push('\n');
    }
    for (name, value) in &p.images {
        let _ = writeln!(out, "  image {name} = {value}");
    }
    for step in &p.steps {
        let _ = writeln!(out, "\n  step {}: {} {{", step.name, step.kind);
        notes(&mut out, &step.notes, "    ");
        let mut fields: Vec<&(String, String)> = step.fields.iter().collect();
        fields.sort_by_key(|(key, _)| FIELD_ORDER.iter().position(|k| k == key).unwrap_or(FIELD_ORDER.len()));
        for (key, value) in fields {
            let _ = writeln!(out, "    {}", field(key, value));
        }
        for input in &step.inputs {
            let ty = input.ty.as_ref().map(|t| format!(": {t}")).unwrap_or_default();
            let _ = writeln!(out, "    in {}{ty} = {}{}", input.name, input.source, attributes(&input.attributes));
        }
        for output in &step.outputs {
            let _ = writeln!(out, "    out {}: {}{}", output.name, output.ty, attributes(&output.attributes));
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

/// `key = value`, or `retry { … }` as the language reference writes that block.
fn field(key: &str, value: &str) -> String {
    if key == "retry" {
        format!("{key} {value}")
    } else {
        format!("{key} = {value}")
    }
}

fn attributes(attributes: &[(String, String)]) -> String {
    if attributes.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = attributes.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!(" {{ {} }}", inner.join(", "))
}

/// Each note as comment lines; a line break in a note starts another comment line.
/// Notes quote the definition: any other control character is written escaped, so a
/// note cannot end its comment.
fn notes(out: &mut String, notes: &[String], indent: &str) {
    for note in notes {
        for line in note.split('\n') {
            let line: String = line
                .chars()
                .map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() })
                .collect();
            let _ = writeln!(out, "{indent}# {line}");
        }
    }
}
