//! `code` and `entry`: the script or folder a step ships, read through the host and
//! identified by its digest. A folder is packed into one `sourcedir.tar.gz`
//! (`crate::archive`); `entry` names the script in it that runs. Training ships its code
//! packed even when it is one script: the framework images' script mode takes an archive.

use sha2::{Digest, Sha256};

use super::values::Lowerer;
use super::Context;
use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{CodeFile, LocalData, Packed, SOURCEDIR};
use crate::source::Span;
use crate::syntax::ast::Expr;

/// Longest `entry`: it runs inside a processing job's entrypoint, of at most 256
/// characters per item, next to mlpc's unpacking command.
const MAX_ENTRY: usize = 100;

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a step's code may already be in S3: a job's can (the job downloads it), a
/// python step's cannot (Airflow imports it on the worker).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum S3Code {
    Allowed,
    Refused,
}

/// Reads what `code` names (a file, or a folder packed whole). Each path is read once
/// per pipeline; steps sharing it share its bytes. An S3 URI, where allowed, is code
/// already uploaded (as the SageMaker SDK leaves it): used where it is, unread.
pub fn code_file(lw: &mut Lowerer, cx: &Context, e: &Expr, s3: S3Code) -> Option<CodeFile> {
    let path = lw.static_text(e, "`code`")?;
    if path.starts_with("s3://") {
        if s3 == S3Code::Allowed {
            return s3_code(lw, &path, e.span);
        }
        lw.push(
            Diagnostic::new(Code::CodeFileNotFound, e.span, format!("`code` names `{path}`, an S3 URI; a python step's `code` is a file or folder next to the .mlp"))
                .label("an S3 URI, not a local path")
                .help("put the module (or its folder) next to the .mlp and write its relative path, e.g. `code = \"checks.py\"`: the Airflow worker imports it, and other targets ship it under `artifacts`"),
        );
        return None;
    }
    let read = cx.code_files.borrow_mut().entry(path.clone()).or_insert_with(|| read_code(cx, &path, e.span)).clone();
    match read {
        Ok(file) => Some(CodeFile { span: e.span, ..file }),
        Err(reason) => {
            let (label, help) = match reason.as_str() {
                crate::NOT_FOUND => (
                    "no such file or folder",
                    "the path is relative to the .mlp file; check its spelling and that it is committed",
                ),
                _ => (
                    "cannot be read",
                    "the path is relative to the .mlp file; check that mlpc may read it and everything in it",
                ),
            };
            lw.push(
                Diagnostic::new(Code::CodeFileNotFound, e.span, format!("cannot read code `{path}`: {reason}"))
                    .label(label)
                    .help(help),
            );
            None
        }
    }
}

/// Code already in S3: a script, or a `.tar.gz` archive whose `entry` runs.
fn s3_code(lw: &mut Lowerer, uri: &str, span: Span) -> Option<CodeFile> {
    let key = uri.strip_prefix("s3://").and_then(|rest| rest.split_once('/')).filter(|(bucket, key)| {
        crate::aws::names::is_bucket(bucket) && !key.is_empty() && !key.ends_with('/') && !key.contains("//")
    });
    let Some((_, key)) = key else {
        lw.push(
            Diagnostic::new(Code::CodeFileNotFound, span, format!("`{uri}` is not the S3 URI of a file"))
                .label("expected `s3://BUCKET/KEY`")
                .help("name the script or archive itself, e.g. `code = \"s3://acme-ml/code/prep.py\"`, or a file or folder next to the .mlp"),
        );
        return None;
    };
    let file_name = key.rsplit('/').next().unwrap_or(key).to_string();
    let packed =
        file_name.ends_with(".tar.gz").then(|| Packed { files: std::sync::Arc::from(Vec::new()), entry: None });
    Some(CodeFile {
        path: uri.to_string(),
        file_name,
        sha256: String::new(),
        size: 0,
        contents: std::sync::Arc::from(Vec::new()),
        packed,
        s3_uri: Some(uri.to_string()),
        span,
    })
}

/// A file shipped as it is, named by the last part of its path.
fn loose_file(path: &str, bytes: impl Into<std::sync::Arc<[u8]>>, span: Span) -> CodeFile {
    let contents: std::sync::Arc<[u8]> = bytes.into();
    CodeFile {
        path: path.to_string(),
        file_name: path.rsplit(['/', '\\']).next().unwrap_or(path).to_string(),
        sha256: digest(&contents),
        size: contents.len() as u64,
        contents,
        packed: None,
        s3_uri: None,
        span,
    }
}

/// A file of a folder: its path in the folder, and its bytes.
type FolderFile = (String, std::sync::Arc<[u8]>);

/// Every shipped file of a folder.
fn read_folder(cx: &Context, folder: &str) -> Result<Vec<FolderFile>, String> {
    let base = folder.trim_end_matches('/');
    cx.files
        .list(folder)?
        .into_iter()
        .map(|name| match cx.files.read(&format!("{base}/{name}")) {
            Ok(bytes) => Ok((name, bytes.into())),
            Err(reason) => Err(format!("`{name}` in it: {reason}")),
        })
        .collect()
}

fn read_code(cx: &Context, path: &str, span: Span) -> Result<CodeFile, String> {
    match cx.files.read(path) {
        Ok(bytes) => Ok(loose_file(path, bytes, span)),
        Err(reason) if reason == crate::IS_A_DIRECTORY => {
            let files = read_folder(cx, path)?;
            if files.is_empty() {
                return Err("the folder holds no files to ship".to_string());
            }
            packed(path, &files, None, span)
        }
        Err(reason) => Err(reason),
    }
}

fn packed(path: &str, files: &[FolderFile], entry: Option<String>, span: Span) -> Result<CodeFile, String> {
    let archive = crate::archive::pack(files)?;
    Ok(CodeFile {
        path: path.to_string(),
        file_name: SOURCEDIR.to_string(),
        sha256: digest(&archive),
        size: archive.len() as u64,
        contents: archive,
        packed: Some(Packed { files: files.iter().map(|(name, _)| name.clone()).collect(), entry }),
        s3_uri: None,
        span,
    })
}

/// Reads what a `file("…")` input names: one file, or every shipped file of a folder
/// (`crate::is_shipped`), each kept with its path in the folder.
pub fn local_data(lw: &mut Lowerer, cx: &Context, e: &Expr, input: &str) -> Option<LocalData> {
    let path = lw.static_text(e, "the path of `file()`")?;
    let fail = |lw: &mut Lowerer, reason: String| {
        let label = if reason == crate::NOT_FOUND { "no such file or folder" } else { "cannot be read" };
        lw.push(
            Diagnostic::new(Code::CodeFileNotFound, e.span, format!("input `{input}` reads `{path}`: {reason}"))
                .label(label)
                .help("`file()` names a file or folder relative to the .mlp file, uploaded with the pipeline; data already in S3 is bound by its URI, `= \"s3://…\"`"),
        );
    };
    match cx.files.read(&path) {
        Ok(bytes) => {
            let name = path.rsplit(['/', '\\']).next().unwrap_or(&path);
            let one = loose_file(name, bytes, e.span);
            Some(LocalData { path: path.clone(), sha256: one.sha256.clone(), files: vec![one], folder: false })
        }
        Err(reason) if reason == crate::IS_A_DIRECTORY => {
            let files = match read_folder(cx, &path) {
                Ok(files) if files.is_empty() => {
                    fail(lw, "the folder holds no files to upload".to_string());
                    return None;
                }
                Ok(files) => files,
                Err(reason) => {
                    fail(lw, reason);
                    return None;
                }
            };
            let files: Vec<CodeFile> =
                files.into_iter().map(|(name, bytes)| loose_file(&name, bytes, e.span)).collect();
            let listing: String = files.iter().map(|f| format!("{}\0{}\n", f.path, f.sha256)).collect();
            Some(LocalData { path: path.clone(), sha256: digest(listing.as_bytes()), files, folder: true })
        }
        Err(reason) => {
            fail(lw, reason);
            None
        }
    }
}

/// What runs the shipped code.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// A processing job: a script runs itself, a folder needs `entry`.
    Processing,
    /// A training job's script mode: the script, or `entry` in the folder; packed always.
    Training,
}

/// Settles `entry` against the code it points into: required for a folder, refused for
/// a single script (which is what runs), one of the folder's `.py`/`.sh` files.
pub fn with_entry(lw: &mut Lowerer, code: CodeFile, entry: Option<&Expr>, runs: Runs) -> Option<CodeFile> {
    let Some(packed_folder) = code.packed.clone() else {
        if let Some(e) = entry {
            lw.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    e.span,
                    format!("`entry` picks a script in a code folder, but `code` is the script `{}`", code.path),
                )
                .label("`code` is one file")
                .secondary(code.span, "the script that runs")
                .help("remove `entry`, or point `code` at the folder, e.g. `code = \"src/\"`"),
            );
            return None;
        }
        return match runs {
            Runs::Processing => Some(code),
            Runs::Training if code.s3_uri.is_some() => {
                lw.push(
                    Diagnostic::new(Code::InvalidValue, code.span, format!("script mode runs code from an archive, and `{}` is one script", code.path))
                        .label("not a `.tar.gz` archive")
                        .help("name the archive the script is in and the script with `entry`, as the SageMaker SDK uploads it: `code = \"s3://…/sourcedir.tar.gz\"`, `entry = \"train.py\"`"),
                );
                None
            }
            Runs::Training => {
                let files = [(code.file_name.clone(), code.contents.clone())];
                match packed(&code.path, &files, Some(code.file_name.clone()), code.span) {
                    Ok(file) => Some(file),
                    Err(reason) => {
                        lw.push(
                            Diagnostic::new(
                                Code::CodeFileNotFound,
                                code.span,
                                format!("cannot pack `{}`: {reason}", code.path),
                            )
                            .label("cannot be packed"),
                        );
                        None
                    }
                }
            }
        };
    };
    let scripts = || packed_folder.files.iter().filter(|f| f.ends_with(".py") || f.ends_with(".sh"));
    let Some(e) = entry else {
        let example = scripts().next().map_or("main.py", String::as_str);
        lw.push(
            Diagnostic::new(
                Code::MissingKey,
                code.span,
                format!(
                    "`code` is the {} `{}`: say which script in it runs with `entry`",
                    if code.s3_uri.is_some() { "archive" } else { "folder" },
                    code.path
                ),
            )
            .label(if code.s3_uri.is_some() { "an archive" } else { "a folder" })
            .help(format!("add `entry = \"{example}\"`, the script's path inside the folder")),
        );
        return None;
    };
    let name = lw.static_text(e, "`entry`")?;
    let safe = name.len() <= MAX_ENTRY
        && !name.starts_with(['/', '-'])
        && name.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c));
    if !safe {
        lw.push(
            Diagnostic::new(Code::InvalidValue, e.span, format!("`entry = \"{name}\"` is not a script path inside the folder"))
                .label("not a relative path")
                .help(format!("write the script's path relative to the folder, of letters, digits, `.`, `_`, `-` and `/`, at most {MAX_ENTRY} characters, e.g. `entry = \"train.py\"`")),
        );
        return None;
    }
    // An archive in S3 is not read: what it holds is for the job to find.
    if code.s3_uri.is_none() && !packed_folder.files.contains(&name) {
        let mut d =
            Diagnostic::new(Code::InvalidValue, e.span, format!("the folder `{}` holds no file `{name}`", code.path))
                .label("not in the folder")
                .secondary(code.span, "the folder");
        d = match did_you_mean(&name, scripts().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!(
                "`entry` is relative to the folder; its scripts are {}",
                list(scripts().map(String::as_str))
            )),
        };
        lw.push(d);
        return None;
    }
    Some(CodeFile { packed: Some(Packed { entry: Some(name), ..packed_folder }), ..code })
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.take(5).map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "none (no `.py` or `.sh` file)".to_string()
    } else {
        names.join(", ")
    }
}

/// The script that runs a python step's callable in a processing job, shipped like a code
/// file (content-addressed under the pipeline's artifacts).
pub fn python_runner(span: Span) -> CodeFile {
    loose_file("mlpc_runner.py", &include_bytes!("../../templates/python/mlpc_runner.py")[..], span)
}

/// The script that moves a sql step's result to its output where a processing job runs
/// the query (SageMaker), shipped like a code file.
pub fn sql_unloader(span: Span) -> CodeFile {
    loose_file(crate::ir::SQL_UNLOADER, &include_bytes!("../../templates/python/mlpc_sql.py")[..], span)
}
