//! Reads the files a pipeline names from disk, relative to the `.mlp` file's folder:
//! the core's [`Files`] for the command line and the tests.

use std::path::{Path, PathBuf};

use mlpc_core::{is_shipped, Files, IS_A_DIRECTORY, MAX_FOLDER_FILES, NOT_FOUND};

pub struct DiskFiles {
    pub base: PathBuf,
}

impl Files for DiskFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let full = self.base.join(path);
        match std::fs::metadata(&full) {
            Ok(m) if m.is_dir() => return Err(IS_A_DIRECTORY.to_string()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(NOT_FOUND.to_string()),
            Err(e) => return Err(e.to_string()),
        }
        std::fs::read(&full).map_err(|e| e.to_string())
    }

    fn list(&self, folder: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        walk(&self.base.join(folder), "", &mut out)?;
        out.sort();
        Ok(out)
    }
}

/// Collects the shipped files under `dir`, as `prefix` + their path. Symbolic links to
/// files are followed; links to folders are not, so a loop cannot run away.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            return Err(format!("`{}` has a name that is not UTF-8", entry.path().display()));
        };
        let relative = format!("{prefix}{name}");
        if !is_shipped(&relative) {
            continue;
        }
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        if kind.is_dir() {
            walk(&entry.path(), &format!("{relative}/"), out)?;
        } else if kind.is_file() || (kind.is_symlink() && entry.path().is_file()) {
            out.push(relative);
            if out.len() > MAX_FOLDER_FILES {
                return Err(format!("it holds more than {MAX_FOLDER_FILES} files"));
            }
        }
    }
    Ok(())
}
