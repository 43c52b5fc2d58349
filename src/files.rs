//! Reads the files a pipeline names from disk, relative to the `.mlp` file's folder:
//! the core's [`Files`] for the command line and the tests.

use std::path::{Path, PathBuf};

use mlpc_core::{is_shipped, Files, IS_A_DIRECTORY, MAX_FOLDER_FILES, NOT_FOUND};

pub struct DiskFiles {
    base: PathBuf,
    /// `base` resolved once (symbolic links, `..`), the folder every path must stay in;
    /// `None` when leaving it is allowed.
    inside: Option<Result<PathBuf, String>>,
}

impl DiskFiles {
    /// Files relative to `base`. With `allow_outside`, paths may lead out of it (`..`,
    /// an absolute path, a symbolic link); without, they may not: a pipeline built in
    /// CI from a pull request must not ship the machine's files (`code = "/etc/passwd"`)
    /// into a DAG or to S3.
    pub fn new(base: PathBuf, allow_outside: bool) -> DiskFiles {
        let inside = (!allow_outside).then(|| {
            let folder = if base.as_os_str().is_empty() { Path::new(".") } else { base.as_path() };
            std::fs::canonicalize(folder).map_err(|e| e.to_string())
        });
        DiskFiles { base, inside }
    }

    /// Where `path` leads, if it stays inside `base` (or leaving is allowed).
    fn inside(&self, path: &str) -> Result<PathBuf, String> {
        let full = self.base.join(path);
        let Some(base) = &self.inside else {
            return Ok(full);
        };
        let base = base.as_ref().map_err(Clone::clone)?;
        match std::fs::canonicalize(&full) {
            Ok(resolved) if resolved.starts_with(base) => Ok(full),
            Ok(_) => Err(OUTSIDE.to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(NOT_FOUND.to_string()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Why a path is refused when it leads out of the pipeline's folder.
pub const OUTSIDE: &str =
    "it is outside the .mlp file's folder (by `..`, an absolute path or a symbolic link); pass --allow-outside-paths to read it";

/// The largest file mlpc reads, of any kind: a pipeline, its config, a code file, a
/// `file()` input. Larger is a mistake (or `/dev/zero`), not a pipeline.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a regular file of at most [`MAX_FILE_BYTES`]; anything else (a device, a named
/// pipe that would block, a socket) is refused with the reason.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => NOT_FOUND.to_string(),
        _ => e.to_string(),
    })?;
    if meta.is_dir() {
        return Err(IS_A_DIRECTORY.to_string());
    }
    if !meta.is_file() {
        return Err("it is not a regular file (a device, a named pipe or a socket)".to_string());
    }
    let too_large =
        |size: u64| format!("it is {size} bytes; mlpc reads files of up to {MAX_FILE_BYTES} bytes (16 MiB)");
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // The file may grow between the two looks: read one byte past the limit at most.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

impl Files for DiskFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        read_limited(&self.inside(path)?)
    }

    fn list(&self, folder: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        walk(&self.inside(folder)?, "", &mut out)?;
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
