//! `mlpc import`: reads a SageMaker pipeline definition (a file, standard input, or
//! DescribePipeline through `deploy`), imports it with the core's `import::import`,
//! prints what was left out and writes the `.mlp`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mlpc::diagnostics::render::{self, Style};
use mlpc::{Severity, SourceFile};

use super::{err, out, read_input, write_atomically, Failure};

pub struct ImportArgs {
    pub file: Option<String>,
    pub sagemaker_pipeline: Option<String>,
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    pub name: Option<String>,
    pub output: Option<String>,
    pub force: bool,
}

pub fn run(args: &ImportArgs, style: Style) -> Result<ExitCode, Failure> {
    let (source, default_name) = match (&args.file, &args.sagemaker_pipeline) {
        (Some(file), None) => {
            let input = read_input(file)?;
            if let Some(d) = &input.decode_error {
                err(&render::human(std::slice::from_ref(d), &input.source, style));
                return Ok(ExitCode::from(1));
            }
            let stem = Path::new(file).file_stem().map(|s| s.to_string_lossy().into_owned());
            let stem = stem.filter(|_| file != "-").unwrap_or_else(|| "pipeline".to_string());
            (input.source, stem)
        }
        (None, Some(name)) => {
            match mlpc::deploy::block_on(mlpc::deploy::sagemaker::describe(
                name,
                args.region.as_deref(),
                args.endpoint_url.as_deref(),
            )) {
                Ok(Ok(text)) => (SourceFile::new(format!("DescribePipeline {name}"), text), name.clone()),
                Ok(Err(mlpc::deploy::DeployError::Usage(message))) | Err(mlpc::deploy::DeployError::Usage(message)) => {
                    return Err(Failure::Usage(message))
                }
                Ok(Err(mlpc::deploy::DeployError::Remote(message)))
                | Err(mlpc::deploy::DeployError::Remote(message)) => {
                    err(&format!("error: {message}\n"));
                    return Ok(ExitCode::from(3));
                }
            }
        }
        _ => return Err(Failure::Usage("give a definition file or --sagemaker-pipeline NAME".to_string())),
    };
    let imported = mlpc::import::import(&source.text, args.name.as_deref(), &default_name);
    let text = render::human(&imported.diagnostics, &source, style);
    if !text.is_empty() {
        err(&text);
    }
    let errors = imported.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let Some(mlp) = imported.mlp else { return Ok(ExitCode::from(1)) };
    match args.output.as_deref() {
        None | Some("-") => out(mlp.as_bytes())?,
        Some(path) => {
            let path = PathBuf::from(path);
            if path.exists() && !args.force {
                return Err(Failure::Usage(format!(
                    "`{}` exists: give --force to replace it, or another -o",
                    path.display()
                )));
            }
            write_atomically(&path, mlp.as_bytes())
                .map_err(|e| Failure::Usage(format!("cannot write `{}`: {e}", path.display())))?;
            err(&format!("wrote {}\n", path.display()));
        }
    }
    if imported.left_out > 0 {
        let n = imported.left_out;
        err(&format!(
            "{}: {n} thing{} left out of the .mlp (comments starting `mlpc import left out` mark each)\n",
            source.name,
            if n == 1 { "" } else { "s" }
        ));
    }
    if errors > 0 {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
