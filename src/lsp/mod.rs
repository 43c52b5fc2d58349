//! `mlpc lsp`: a Language Server Protocol server on stdin/stdout (lsp-server does the
//! framing). Documents are synchronised in full; each open or change checks the file
//! as `mlpc check` does and publishes its diagnostics. Definition, hover, completion,
//! references, rename and document symbols come from the core's `ide` queries,
//! formatting from `mlpc::fmt`. A bad document never stops the server: every message
//! is handled under `catch_unwind`, a request that fails gets an error response, and
//! files the pipeline names (`config`, code) are read as `mlpc check` reads them.

mod positions;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use mlpc::ide::{CompletionKind, Definition, Document, SymbolKind};
use mlpc::{CheckOptions, Diagnostic, Files, Severity, Target, TargetOptions};
use serde_json::{json, Value};

use positions::Lines;

use super::Failure;

struct Server {
    connection: Connection,
    documents: HashMap<String, Open>,
    utf8: bool,
    target: Option<TargetOptions>,
}

/// An open document: its version and its text parsed for queries.
struct Open {
    version: Value,
    document: Document,
}

pub fn run() -> Result<ExitCode, Failure> {
    let (connection, io_threads) = Connection::stdio();
    let failed = |e: &dyn std::fmt::Display| Failure::Usage(format!("language server: {e}"));
    let (id, params) = connection.initialize_start().map_err(|e| failed(&e))?;
    let utf8 = params["capabilities"]["general"]["positionEncodings"]
        .as_array()
        .is_some_and(|encodings| encodings.iter().any(|e| e == "utf-8"));
    let target = params["initializationOptions"]["target"]
        .as_str()
        .and_then(|name| Target::ALL.into_iter().find(|t| t.name() == name || t.aliases().contains(&name)))
        .map(TargetOptions::defaults);
    let result = json!({
        "capabilities": {
            "positionEncoding": if utf8 { "utf-8" } else { "utf-16" },
            "textDocumentSync": { "openClose": true, "change": 1, "save": { "includeText": false } },
            "definitionProvider": true,
            "hoverProvider": true,
            "completionProvider": { "triggerCharacters": [".", ":", "="] },
            "documentFormattingProvider": true,
            "documentSymbolProvider": true,
            "referencesProvider": true,
            "renameProvider": true,
        },
        "serverInfo": { "name": "mlpc", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result).map_err(|e| failed(&e))?;
    let mut server = Server { connection, documents: HashMap::new(), utf8, target };
    let shut_down = server.serve().map_err(|e| failed(&e))?;
    drop(server);
    io_threads.join().map_err(|e| failed(&e))?;
    // The protocol's exit codes: 0 after `shutdown`, 1 when the client exited or went
    // away without asking.
    Ok(if shut_down { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

impl Server {
    /// Answers until the client shuts the server down (true) or exits or goes away
    /// without asking (false).
    fn serve(&mut self) -> Result<bool, Box<dyn std::error::Error>> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(true);
                    }
                    let id = request.id.clone();
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.request(&request)));
                    let response = match outcome {
                        Ok(Ok(value)) => Response::new_ok(id, value),
                        Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
                        Err(_) => Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            format!("internal error in mlpc while answering {}", request.method),
                        ),
                    };
                    self.connection.sender.send(Message::Response(response))?;
                }
                Message::Notification(notification) if notification.method == "exit" => return Ok(false),
                Message::Notification(notification) => {
                    // A panic was reported on stderr by the hook; the server goes on.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.notification(notification)));
                }
                Message::Response(_) => {}
            }
        }
        Ok(false)
    }

    fn notification(&mut self, notification: Notification) {
        let params = &notification.params;
        let uri = params["textDocument"]["uri"].as_str().unwrap_or("").to_string();
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                let text = params["textDocument"]["text"].as_str().unwrap_or("");
                let version = params["textDocument"]["version"].clone();
                self.documents.insert(uri.clone(), Open { version, document: Document::parse(text) });
                self.publish(&uri);
            }
            "textDocument/didChange" => {
                // Full synchronisation: the last change holds the whole text.
                let changes = params["contentChanges"].as_array();
                if let (Some(open), Some(text)) =
                    (self.documents.get_mut(&uri), changes.and_then(|c| c.last()).and_then(|c| c["text"].as_str()))
                {
                    open.version = params["textDocument"]["version"].clone();
                    open.document = Document::parse(text);
                }
                self.publish(&uri);
            }
            "textDocument/didSave" => self.publish(&uri),
            "workspace/didChangeWatchedFiles" => {
                // A config or code file changed: what the open pipelines say may too.
                let uris: Vec<String> = self.documents.keys().cloned().collect();
                uris.iter().for_each(|u| self.publish(u));
            }
            "textDocument/didClose" => {
                self.documents.remove(&uri);
                self.send_diagnostics(&uri, Value::Null, Vec::new());
            }
            _ => {}
        }
    }

    fn request(&mut self, request: &Request) -> Result<Value, (ErrorCode, String)> {
        let params = &request.params;
        let uri = params["textDocument"]["uri"].as_str().unwrap_or("");
        let open = self.documents.get(uri).ok_or_else(|| (ErrorCode::InvalidParams, format!("`{uri}` is not open")))?;
        let document = &open.document;
        let text = document.text();
        if text.len() as u64 > mlpc::files::MAX_FILE_BYTES {
            return Err((ErrorCode::RequestFailed, too_large(text.len())));
        }
        let lines = Lines::new(text, self.utf8);
        let offset = || {
            let position = &params["position"];
            let number = |v: &Value| v.as_u64().unwrap_or(0) as usize;
            lines.offset(number(&position["line"]), number(&position["character"]))
        };
        let base = folder(uri);
        Ok(match request.method.as_str() {
            "textDocument/definition" => match document.definition(offset()) {
                Some(Definition::Here(span)) => {
                    json!({ "uri": uri, "range": lines.range(span.start as usize, span.end as usize) })
                }
                Some(Definition::Config(path)) => {
                    let Some((config_path, json_text)) = config_text(document, base.as_deref()) else {
                        return Ok(Value::Null);
                    };
                    let Some(span) = mlpc::ide::config_key_location(&json_text, &path) else { return Ok(Value::Null) };
                    let config_lines = Lines::new(&json_text, self.utf8);
                    json!({
                        "uri": file_uri(&config_path),
                        "range": config_lines.range(span.start as usize, span.end as usize),
                    })
                }
                None => Value::Null,
            },
            "textDocument/hover" => {
                let config = config_json(document, base.as_deref());
                match document.hover(offset(), config.as_ref()) {
                    Some(hover) => json!({
                        "contents": { "kind": "markdown", "value": hover.markdown },
                        "range": lines.range(hover.span.start as usize, hover.span.end as usize),
                    }),
                    None => Value::Null,
                }
            }
            "textDocument/completion" => {
                let config = config_json(document, base.as_deref());
                let items: Vec<Value> = document
                    .completions(offset(), config.as_ref())
                    .into_iter()
                    .map(|c| json!({ "label": c.label, "kind": completion_kind(c.kind), "detail": c.detail }))
                    .collect();
                Value::Array(items)
            }
            "textDocument/formatting" => match mlpc::fmt::format(text) {
                Ok(formatted) if formatted == text => json!([]),
                Ok(formatted) => json!([{ "range": lines.range(0, text.len()), "newText": formatted }]),
                Err(mlpc::fmt::FormatError::Syntax(_)) => {
                    return Err((ErrorCode::RequestFailed, "not formatted: the file has syntax errors".into()))
                }
                Err(mlpc::fmt::FormatError::Internal(e)) => {
                    return Err((ErrorCode::InternalError, format!("internal error in mlpc fmt: {e}")))
                }
            },
            "textDocument/references" => {
                let at = offset();
                let declaration = match document.definition(at) {
                    Some(Definition::Here(span)) => Some(span),
                    Some(Definition::Config(_)) | None => None,
                };
                let with_declaration = params["context"]["includeDeclaration"].as_bool().unwrap_or(true);
                let locations: Vec<Value> = document
                    .references(at)
                    .into_iter()
                    .filter(|span| with_declaration || Some(*span) != declaration)
                    .map(|span| json!({ "uri": uri, "range": lines.range(span.start as usize, span.end as usize) }))
                    .collect();
                Value::Array(locations)
            }
            "textDocument/rename" => {
                let new_name = params["newName"].as_str().unwrap_or("");
                let spans = document.rename(offset(), new_name).map_err(|why| (ErrorCode::RequestFailed, why))?;
                let edits: Vec<Value> = spans
                    .into_iter()
                    .map(|span| json!({ "range": lines.range(span.start as usize, span.end as usize), "newText": new_name }))
                    .collect();
                json!({ "changes": { uri: edits } })
            }
            "textDocument/documentSymbol" => {
                Value::Array(document.symbols().iter().map(|s| symbol(s, &lines)).collect())
            }
            other => return Err((ErrorCode::MethodNotFound, format!("mlpc does not answer {other}"))),
        })
    }

    /// Checks an open document as `mlpc check` would and publishes what it found.
    fn publish(&self, uri: &str) {
        let Some(open) = self.documents.get(uri) else { return };
        let text = open.document.text();
        let lines = Lines::new(text, self.utf8);
        if text.len() as u64 > mlpc::files::MAX_FILE_BYTES {
            let diagnostic = json!({
                "range": lines.range(0, 0),
                "severity": 1,
                "source": "mlpc",
                "message": too_large(text.len()),
            });
            self.send_diagnostics(uri, open.version.clone(), vec![diagnostic]);
            return;
        }
        let checked = match folder(uri) {
            Some(base) => {
                let files = mlpc::files::DiskFiles::new(base, false);
                mlpc::check(text, &files, &CheckOptions::default(), self.target.map(TargetOptions::target))
            }
            None => mlpc::check(text, &mlpc::MemoryFiles::default(), &CheckOptions::default(), None),
        };
        let diagnostics = checked.diagnostics.iter().map(|d| diagnostic(d, uri, &lines)).collect();
        self.send_diagnostics(uri, open.version.clone(), diagnostics);
    }

    fn send_diagnostics(&self, uri: &str, version: Value, diagnostics: Vec<Value>) {
        let params = json!({ "uri": uri, "version": version, "diagnostics": diagnostics });
        let notification = Notification::new("textDocument/publishDiagnostics".into(), params);
        let _ = self.connection.sender.send(Message::Notification(notification));
    }
}

fn too_large(bytes: usize) -> String {
    format!("this file is {bytes} bytes; mlpc reads pipeline files of up to 16 MiB: split the pipeline")
}

fn diagnostic(d: &Diagnostic, uri: &str, lines: &Lines) -> Value {
    let message = d.one_text();
    let related: Vec<Value> = d
        .secondary
        .iter()
        .map(|label| {
            json!({
                "location": { "uri": uri, "range": lines.range(label.span.start as usize, label.span.end as usize) },
                "message": label.text,
            })
        })
        .collect();
    json!({
        "range": lines.range(d.primary.span.start as usize, d.primary.span.end as usize),
        "severity": match d.severity { Severity::Error => 1, Severity::Warning => 2 },
        "code": d.code.as_str(),
        "source": "mlpc",
        "message": message,
        "relatedInformation": related,
    })
}

fn symbol(s: &mlpc::ide::Symbol, lines: &Lines) -> Value {
    // LSP SymbolKind: Module 2, Field 8, Function 12, Variable 13, Constant 14.
    let kind = match s.kind {
        SymbolKind::Pipeline => 2,
        SymbolKind::Param => 13,
        SymbolKind::Image => 14,
        SymbolKind::Step => 12,
        SymbolKind::Output => 8,
    };
    json!({
        "name": s.name,
        "detail": s.detail,
        "kind": kind,
        "range": lines.range(s.span.start as usize, s.span.end as usize),
        "selectionRange": lines.range(s.selection.start as usize, s.selection.end as usize),
        "children": s.children.iter().map(|c| symbol(c, lines)).collect::<Vec<_>>(),
    })
}

fn completion_kind(kind: CompletionKind) -> u8 {
    // LSP CompletionItemKind: Function 3, Field 5, Variable 6, Property 10,
    // Keyword 14, EnumMember 20, Constant 21.
    match kind {
        CompletionKind::Step => 3,
        CompletionKind::Output => 5,
        CompletionKind::Param => 6,
        CompletionKind::Image => 21,
        CompletionKind::ConfigKey | CompletionKind::Key => 10,
        CompletionKind::StepKind => 20,
        CompletionKind::Keyword => 14,
    }
}

/// The folder of a `file:` URI's document, which its `config` and `code` paths are
/// relative to; `None` for other schemes (an unsaved buffer reads no files).
fn folder(uri: &str) -> Option<PathBuf> {
    let path = uri.strip_prefix("file://")?;
    let decoded = percent_decode(path)?;
    Path::new(&decoded).parent().map(Path::to_path_buf)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", mlpc::diagnostics::sarif::uri(&path.to_string_lossy()))
}

/// The config file's path and text, read as `mlpc check` reads it.
fn config_text(document: &Document, base: Option<&Path>) -> Option<(PathBuf, String)> {
    let base = base?;
    let name = document.config_file()?;
    let bytes = mlpc::files::DiskFiles::new(base.to_path_buf(), false).read(&name).ok()?;
    Some((base.join(&name), String::from_utf8(bytes).ok()?))
}

fn config_json(document: &Document, base: Option<&Path>) -> Option<Value> {
    let (_, text) = config_text(document, base)?;
    serde_json::from_str(&text).ok()
}
