//! `mlpc fmt`: finds the `.mlp` files, formats each with the core's `fmt::format`, and
//! writes back what changed (atomically), lists it (`--check`) or diffs it (`--diff`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mlpc::diagnostics::render::{self, Style};
use mlpc::fmt::FormatError;

use super::{err, out, read_input, write_atomically, Failure};

/// What happened to the files, for the summary and the exit status.
#[derive(Default)]
struct Tally {
    changed: usize,
    unchanged: usize,
    refused: usize,
    io_errors: usize,
}

pub fn run(paths: &[String], check: bool, diff: bool, style: Style) -> Result<ExitCode, Failure> {
    let default = [".".to_string()];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let mut tally = Tally::default();
    for path in paths {
        if path == "-" {
            format_one(path, check, diff, style, &mut tally)?;
            continue;
        }
        let mut files = Vec::new();
        if let Err(message) = collect(Path::new(path), true, &mut files) {
            err(&format!("error: {message}\n"));
            tally.io_errors += 1;
            continue;
        }
        for file in files {
            format_one(&file.to_string_lossy(), check, diff, style, &mut tally)?;
        }
    }
    summary(&tally, check, paths.len() == 1 && paths.first().is_some_and(|p| p == "-"));
    Ok(if tally.io_errors > 0 {
        ExitCode::from(2)
    } else if tally.refused > 0 || (check && tally.changed > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The `.mlp` files at `path`: the file itself when named, or every `.mlp` file under a
/// folder (sorted; hidden folders and symbolic links to folders skipped).
fn collect(path: &Path, named: bool, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let metadata = if named { std::fs::metadata(path) } else { std::fs::symlink_metadata(path) }
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if !metadata.is_dir() {
        if named || path.extension().is_some_and(|e| e == "mlp") && metadata.is_file() {
            files.push(path.to_path_buf());
        }
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("cannot read the folder `{}`: {e}", path.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    entries.sort();
    for entry in entries {
        collect(&entry, false, files)?;
    }
    Ok(())
}

fn format_one(path: &str, check: bool, diff: bool, style: Style, tally: &mut Tally) -> Result<(), Failure> {
    let input = match read_input(path) {
        Ok(input) => input,
        Err(Failure::Usage(message)) => {
            err(&format!("error: {message}\n"));
            tally.io_errors += 1;
            return Ok(());
        }
        Err(internal) => return Err(internal),
    };
    if let Some(d) = &input.decode_error {
        err(&render::human(std::slice::from_ref(d), &input.source, style));
        tally.refused += 1;
        return Ok(());
    }
    let text = &input.source.text;
    let formatted = match mlpc::fmt::format(text) {
        Ok(formatted) => formatted,
        Err(FormatError::Syntax(diagnostics)) => {
            err(&render::human(&diagnostics, &input.source, style));
            err(&format!("{path}: not formatted: it has syntax errors\n"));
            tally.refused += 1;
            return Ok(());
        }
        Err(FormatError::Internal(message)) => return Err(Failure::Internal(format!("formatting {path}: {message}"))),
    };
    let stdin = path == "-";
    if formatted == *text {
        tally.unchanged += 1;
        if stdin && !check {
            out(formatted.as_bytes())?;
        }
        return Ok(());
    }
    tally.changed += 1;
    if diff {
        let shown = if stdin { "<stdin>" } else { path };
        let patch = similar::TextDiff::from_lines(text.as_str(), formatted.as_str())
            .unified_diff()
            .header(shown, shown)
            .to_string();
        out(patch.as_bytes())?;
    } else if check {
        out(format!("would reformat: {path}\n").as_bytes())?;
    } else if stdin {
        out(formatted.as_bytes())?;
    } else if let Err(e) = write_atomically(Path::new(path), formatted.as_bytes()) {
        err(&format!("error: cannot write `{path}`: {e}\n"));
        tally.io_errors += 1;
    }
    Ok(())
}

fn summary(tally: &Tally, check: bool, stdin_only: bool) {
    if stdin_only && tally.refused == 0 {
        return;
    }
    let files = |n: usize| if n == 1 { "1 file".to_string() } else { format!("{n} files") };
    let mut parts = Vec::new();
    if tally.changed > 0 || tally.unchanged == 0 {
        parts.push(if check {
            format!("{} would be reformatted", files(tally.changed))
        } else {
            format!("{} reformatted", files(tally.changed))
        });
    }
    if tally.unchanged > 0 {
        parts.push(if check {
            format!("{} already formatted", files(tally.unchanged))
        } else {
            format!("{} left unchanged", files(tally.unchanged))
        });
    }
    if tally.refused > 0 {
        parts.push(format!("{} with errors left unchanged", files(tally.refused)));
    }
    err(&format!("{}\n", parts.join(", ")));
}
