//! What an import knows as it goes: the JSON text (for spans), the diagnostics, the
//! names given to parameters and steps; and a reader for JSON objects that remembers
//! which fields were read, so that every field left is reported.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Value as Json};

use crate::diagnostics::{Code, Diagnostic};
use crate::ide::json_path::{locate_value, Segment};
use crate::source::Span;

/// A JSON pointer (RFC 6901) into the definition, e.g. `/Steps/2/Arguments/RoleArn`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pointer(Vec<Segment>);

impl Pointer {
    pub fn key(&self, key: &str) -> Pointer {
        let mut next = self.clone();
        next.0.push(Segment::Key(key.to_string()));
        next
    }

    pub fn index(&self, index: usize) -> Pointer {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("/");
        }
        for segment in &self.0 {
            match segment {
                Segment::Key(key) => write!(f, "/{}", key.replace('~', "~0").replace('/', "~1"))?,
                Segment::Index(i) => write!(f, "/{i}")?,
            }
        }
        Ok(())
    }
}

/// The SageMaker type of a parameter (and of a Lambda step's output).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Float,
    Boolean,
}

impl ParamType {
    /// The type as a definition names it (`Parameters[].Type`, `OutputType`).
    pub fn from_api(name: &str) -> Option<ParamType> {
        match name {
            "String" => Some(ParamType::String),
            "Integer" => Some(ParamType::Integer),
            "Float" => Some(ParamType::Float),
            "Boolean" => Some(ParamType::Boolean),
            _ => None,
        }
    }

    /// The type as `.mlp` writes it.
    pub fn mlp(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "int",
            ParamType::Float => "float",
            ParamType::Boolean => "bool",
        }
    }
}

/// A step of the definition, as the import names it.
#[derive(Clone, Debug)]
pub struct StepInfo {
    /// The step's name in the `.mlp`.
    pub name: String,
    pub kind: String,
    /// Output names: a processing job's in order; a training job's model; a
    /// transform's result.
    pub outputs: Vec<String>,
    /// A Model step folded into the transform that runs it: that transform.
    pub folded_into: Option<String>,
    /// The condition (SageMaker name) whose branch holds the step, and which branch:
    /// `true` for `IfSteps`.
    pub branch: Option<(String, bool)>,
    /// Where the step is: a second step of the same name (reported) is not imported.
    pub at: Pointer,
}

/// A value read from a report: a property file (`Std:JsonGet`) or a Lambda step's
/// response (`OutputParameters`), with the type its use shows.
#[derive(Clone, Debug)]
pub struct ReportUse {
    /// The step (SageMaker name) and its output.
    pub step: String,
    pub output: String,
    pub keys: Vec<String>,
    pub ty: Option<&'static str>,
}

pub struct Context<'a> {
    source: &'a str,
    /// The span of `PipelineDefinition` when the input was a DescribePipeline
    /// response: every diagnostic points there.
    wrapped: Option<Span>,
    pub diags: Vec<Diagnostic>,
    /// SageMaker name → (`.mlp` name, type).
    pub params: HashMap<String, (String, ParamType)>,
    /// SageMaker name → the step.
    pub steps: HashMap<String, StepInfo>,
    /// The `.mlp` pipeline's name.
    pub pipeline: String,
    /// The `artifacts` setting, once an output location shows it.
    pub artifacts: Option<String>,
    /// (SageMaker step name, output) → the output's type, from how jobs read it.
    pub types: HashMap<(String, String), String>,
    /// SageMaker step name → the image of a training step.
    pub training_images: HashMap<String, String>,
    /// What was left out of the pipeline as a whole (whole steps), as comments at its top.
    pub notes: Vec<String>,
    /// (SageMaker step name, property file name) → (output name, file path).
    pub property_files: std::collections::BTreeMap<(String, String), (String, String)>,
    /// Every report value read, for the reports' schemas.
    pub report_uses: Vec<ReportUse>,
    /// SageMaker name of a tuning step → its trials' output path.
    pub tuning_outputs: HashMap<String, serde_json::Value>,
    /// Codes of the diagnostics past `MAX_SHOWN`.
    unshown: Vec<Code>,
    /// How many things were left out (E0602), shown or not.
    pub left_out_count: usize,
    /// The step being imported (SageMaker name), for the edges its references make.
    pub current: Option<String>,
    /// (step, the step it waits for, where): from `Get`s and `DependsOn`.
    pub edges: Vec<(String, String, Pointer)>,
}

/// How many diagnostics an import makes: with the one that counts the rest, what
/// the human report shows.
pub const MAX_SHOWN: usize = crate::diagnostics::render::MAX_SHOWN - 1;

impl<'a> Context<'a> {
    pub fn new(source: &'a str, wrapped: Option<Span>) -> Self {
        Context {
            source,
            wrapped,
            diags: Vec::new(),
            params: HashMap::new(),
            steps: HashMap::new(),
            pipeline: String::new(),
            artifacts: None,
            types: HashMap::new(),
            training_images: HashMap::new(),
            notes: Vec::new(),
            property_files: std::collections::BTreeMap::new(),
            report_uses: Vec::new(),
            tuning_outputs: HashMap::new(),
            unshown: Vec::new(),
            left_out_count: 0,
            current: None,
            edges: Vec::new(),
        }
    }

    pub fn span(&self, at: &Pointer) -> Span {
        if let Some(span) = self.wrapped {
            return span;
        }
        locate_value(self.source, &at.0).unwrap_or_default()
    }

    /// Reports what `.mlp` cannot say (E0602) and notes it in `notes`, which become
    /// comments where it belongs.
    pub fn left_out(&mut self, at: &Pointer, what: &str, help: &str, notes: &mut Vec<String>) {
        notes.push(format!("mlpc import left out {at}: {what}"));
        self.left_out_count += 1;
        self.report(Code::CannotImport, at, format!("{what} (at {at})"), "left out of the .mlp", help);
    }

    /// Reports what the import changed without changing what the jobs compute (W0601).
    pub fn changed(&mut self, at: &Pointer, what: String, help: &str) {
        self.report(Code::ImportChanged, at, format!("{what} (at {at})"), "changed on import", help);
    }

    /// Reports a reference or structure that is wrong in the definition itself (E0603).
    pub fn broken(&mut self, at: &Pointer, what: String, help: &str) {
        self.report(Code::BrokenDefinition, at, format!("{what} (at {at})"), "invalid in the definition", help);
    }

    /// A diagnostic, while fewer than `MAX_SHOWN` were made: past that they are only
    /// counted (finding a span scans the text, so a storm of them would be quadratic).
    fn report(&mut self, code: Code, at: &Pointer, message: String, label: &str, help: &str) {
        if self.diags.len() >= MAX_SHOWN {
            self.unshown.push(code);
            return;
        }
        self.diags.push(Diagnostic::new(code, self.span(at), message).label(label).help(help.to_string()));
    }

    /// Notes that the step being imported waits for `step`.
    pub fn waits_for(&mut self, step: &str, at: &Pointer) {
        if let Some(current) = &self.current {
            self.edges.push((current.clone(), step.to_string(), at.clone()));
        }
    }

    /// Reports the first cycle among the steps' edges (E0603): SageMaker refuses such a
    /// definition, and the `.mlp` would not check.
    pub fn report_cycle(&mut self) {
        let mut next: std::collections::BTreeMap<&str, Vec<(&str, &Pointer)>> = std::collections::BTreeMap::new();
        for (from, to, at) in &self.edges {
            next.entry(from.as_str()).or_default().push((to.as_str(), at));
        }
        // Iterative depth-first search: 0 unseen, 1 on the path, 2 done.
        let mut state: HashMap<&str, u8> = HashMap::new();
        let starts: Vec<&str> = next.keys().copied().collect();
        for start in starts {
            if state.get(start).copied().unwrap_or(0) != 0 {
                continue;
            }
            let mut path: Vec<(&str, usize)> = vec![(start, 0)];
            state.insert(start, 1);
            while let Some((node, i)) = path.last().copied() {
                let edge = next.get(node).and_then(|edges| edges.get(i)).copied();
                let Some((to, at)) = edge else {
                    state.insert(node, 2);
                    path.pop();
                    continue;
                };
                if let Some(top) = path.last_mut() {
                    top.1 += 1;
                }
                match state.get(to).copied().unwrap_or(0) {
                    0 => {
                        state.insert(to, 1);
                        path.push((to, 0));
                    }
                    1 => {
                        let from = path.iter().position(|(n, _)| *n == to).unwrap_or(0);
                        let mut names: Vec<&str> = path.iter().skip(from).map(|(n, _)| *n).collect();
                        names.push(to);
                        let at = at.clone();
                        let message = format!("the steps wait for each other in a cycle: {}", names.join(" → "));
                        self.broken(&at, message, "a pipeline's steps wait for one another in one direction only; remove one of these references");
                        return;
                    }
                    _ => {}
                }
            }
        }
    }

    /// How many diagnostics there are, shown and not, for `rewind`.
    pub fn checkpoint(&self) -> [usize; 4] {
        [self.diags.len(), self.unshown.len(), self.left_out_count, self.report_uses.len()]
    }

    /// Forgets the diagnostics (and what they counted) made since `checkpoint`.
    pub fn rewind(&mut self, [shown, unshown, left_out, uses]: [usize; 4]) {
        self.diags.truncate(shown);
        self.unshown.truncate(unshown);
        self.left_out_count = left_out;
        self.report_uses.truncate(uses);
    }

    /// The diagnostics, with one that counts those not shown.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        if let Some(first) = self.unshown.iter().min().copied() {
            let n = self.unshown.len();
            let d = Diagnostic::new(first, Span::default(), format!("{n} more problems like these are not shown"))
                .help("fix or remove what is reported above and import again; each is also a comment in the .mlp");
            self.diags.push(d);
        }
        self.diags
    }

    /// Every field of `obj` that was not read is left out, unless it holds the
    /// service's default (`defaults::is_default`).
    pub fn rest(&mut self, obj: Obj<'_>, notes: &mut Vec<String>) {
        for (key, value) in obj.map {
            if obj.read.contains(&key.as_str()) || super::defaults::is_default(key, value) {
                continue;
            }
            let at = obj.at.key(key);
            self.left_out(
                &at,
                &format!("`{key}` = {}", short(value)),
                "the .mlp language has no way to say this field; the step runs without it",
                notes,
            );
        }
    }
}

/// A JSON value in a message, cut short.
pub fn short(value: &Json) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text,
    }
}

/// An object being read field by field.
pub struct Obj<'j> {
    map: &'j Map<String, Json>,
    pub at: Pointer,
    read: std::collections::HashSet<&'j str>,
}

impl<'j> Obj<'j> {
    /// `value` as an object; `None` (and nothing read) when it is not one.
    pub fn new(value: &'j Json, at: Pointer) -> Option<Obj<'j>> {
        value.as_object().map(|map| Obj { map, at, read: std::collections::HashSet::new() })
    }

    /// The field, marked as read.
    pub fn take(&mut self, key: &str) -> Option<(&'j Json, Pointer)> {
        let (name, value) = self.map.get_key_value(key)?;
        self.read.insert(name.as_str());
        Some((value, self.at.key(key)))
    }

    /// The field as an object reader, marked as read.
    pub fn object(&mut self, key: &str) -> Option<Obj<'j>> {
        // Marked as read only when it is an object: anything else is reported by `rest`.
        self.map.get(key).filter(|v| v.is_object())?;
        let (value, at) = self.take(key)?;
        Obj::new(value, at)
    }

    /// The field as a list, marked as read; empty when absent or not a list (which
    /// `rest` then reports).
    pub fn list(&mut self, key: &str) -> Vec<(&'j Json, Pointer)> {
        if !self.map.get(key).is_some_and(Json::is_array) {
            return Vec::new();
        }
        match self.take(key) {
            Some((Json::Array(items), at)) => items.iter().enumerate().map(|(i, v)| (v, at.index(i))).collect(),
            _ => Vec::new(),
        }
    }

    /// The field as a string, marked as read only when it is one.
    pub fn str(&mut self, key: &str) -> Option<&'j str> {
        let (name, value) = self.map.get_key_value(key)?;
        let text = value.as_str()?;
        self.read.insert(name.as_str());
        Some(text)
    }

    pub fn peek(&self, key: &str) -> Option<&'j Json> {
        self.map.get(key)
    }

    /// The keys not read yet, in order.
    pub fn unread(&self) -> Vec<String> {
        self.map.keys().filter(|k| !self.read.contains(&k.as_str())).cloned().collect()
    }
}
