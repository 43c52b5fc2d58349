//! mlpc-core compiles `.mlp` pipeline definitions to Airflow DAGs, SageMaker Pipeline
//! definitions and Step Functions state machines.
//!
//! The core is pure: source text and a way to read the files it names go in,
//! outputs and diagnostics come out. It does no I/O and links no AWS SDK, async
//! runtime or command-line parser: the `mlpc` binary crate reads and writes files,
//! and its `deploy` talks to AWS.

pub mod archive;
pub mod aws;
pub mod check;
pub mod diagnostics;
pub mod fmt;
pub mod graph;
pub mod ide;
pub mod import;
pub mod ir;
pub mod kinds;
pub mod number;
pub mod schedule;
pub mod source;
pub mod syntax;
pub mod targets;

use std::collections::BTreeMap;

pub use check::CheckOptions;
pub use diagnostics::{Code, Diagnostic, Severity};
pub use source::{SourceFile, Span};
pub use targets::{InternalError, OutputFile, Target, TargetOptions};

/// Reads the files a pipeline names (its `config` JSON, `code` files), by the path
/// written in the source, relative to the .mlp file.
pub trait Files {
    /// The file's bytes, or why not: [`NOT_FOUND`], [`IS_A_DIRECTORY`] or another reason.
    fn read(&self, path: &str) -> Result<Vec<u8>, String>;

    /// The files under a folder, at any depth: paths relative to it, joined with `/`,
    /// sorted, keeping only those [`is_shipped`] accepts; or why not.
    fn list(&self, folder: &str) -> Result<Vec<String>, String>;
}

/// Whether a file of a code folder ships: not one under a name that starts with `.`
/// (`.git`, `.venv`, editor files) nor in `__pycache__`, which differ between machines
/// and would change the archive's digest.
pub fn is_shipped(relative: &str) -> bool {
    relative.split('/').all(|part| !part.starts_with('.') && part != "__pycache__")
}

/// At most this many files in a code folder: `code = "."` in a large repository is a
/// mistake, not a package.
pub const MAX_FOLDER_FILES: usize = 10_000;

/// The reasons a [`Files`] implementation gives for the two cases the checker explains.
pub const NOT_FOUND: &str = "no such file";
pub const IS_A_DIRECTORY: &str = "it is a directory";

/// Files held in memory, for tests and for tools that embed mlpc.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles(pub BTreeMap<String, Vec<u8>>);

impl MemoryFiles {
    pub fn with(mut self, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.0.insert(path.to_string(), contents.into());
        self
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        match self.0.get(path) {
            Some(bytes) => Ok(bytes.clone()),
            None if self.0.keys().any(|k| k.starts_with(&folder_prefix(path))) => Err(IS_A_DIRECTORY.to_string()),
            None => Err(NOT_FOUND.to_string()),
        }
    }

    fn list(&self, folder: &str) -> Result<Vec<String>, String> {
        let prefix = folder_prefix(folder);
        Ok(self
            .0
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter(|k| is_shipped(k))
            .map(str::to_string)
            .collect())
    }
}

fn folder_prefix(folder: &str) -> String {
    format!("{}/", folder.trim_end_matches('/'))
}

/// The result of checking: the IR when there is no error, every diagnostic sorted by
/// position, and, when a target was built, its file.
#[derive(Debug, Default)]
pub struct Checked {
    pub pipeline: Option<ir::Pipeline>,
    pub diagnostics: Vec<Diagnostic>,
    /// The target's file, when one was built and nothing is wrong.
    pub output: Option<OutputFile>,
    /// A bug in mlpc met while building (exit 101), never a problem of the input.
    pub internal_error: Option<InternalError>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and checks a source text; with a target, also checks what that target can
/// run and name, which builds it (with the target's default options; the file is
/// dropped).
pub fn check(text: &str, files: &dyn Files, options: &CheckOptions, target: Option<Target>) -> Checked {
    let mut checked = compile(text, files, options, target.map(TargetOptions::defaults).as_ref(), "");
    checked.output = None;
    checked
}

/// Parses and checks a source text and, with target options, builds the target's
/// file: lowered once, its tree checked, then written. `source_name` is the input's
/// name as the file's header shows it.
pub fn compile(
    text: &str,
    files: &dyn Files,
    options: &CheckOptions,
    target: Option<&TargetOptions>,
    source_name: &str,
) -> Checked {
    let parsed = syntax::parse(text);
    let mut checked = Checked { diagnostics: parsed.errors, ..Checked::default() };
    if let Some(ast) = parsed.file.pipelines.first() {
        let (ir, check_diags) = check::check(ast, &parsed.file.broken, files, options);
        checked.diagnostics.extend(check_diags);
        if let (Some(ir), Some(target)) = (&ir, target) {
            match targets::build(ir, target, source_name) {
                Ok(outcome) => {
                    checked.diagnostics.extend(outcome.diagnostics);
                    checked.output = outcome.output;
                }
                Err(e) => checked.internal_error = Some(e),
            }
        }
        checked.pipeline = ir;
    }
    diagnostics::sort(&mut checked.diagnostics);
    if checked.has_errors() {
        checked.pipeline = None;
        checked.output = None;
    }
    checked
}

/// Decodes a file's bytes; invalid UTF-8 becomes an E0108 diagnostic at the first
/// bad byte, with the text decoded lossily so that it can still be shown.
pub fn decode_source(bytes: Vec<u8>) -> Result<String, Box<(String, Diagnostic)>> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let prefix = String::from_utf8_lossy(bytes.get(..at).unwrap_or(&[])).into_owned();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let start = prefix.len();
            let d = Diagnostic::new(
                Code::InvalidUtf8,
                Span::new(start, start + '\u{fffd}'.len_utf8()),
                "the file is not valid UTF-8",
            )
            .label(format!("invalid byte at offset {at}"))
            .help("save the file as UTF-8 text; .mlp files are text, not binary");
            Err(Box::new((text, d)))
        }
    }
}
