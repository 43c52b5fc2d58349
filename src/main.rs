//! The `mlpc` binary: installs the internal-error hook and runs the CLI.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: the compiler allocates many small
/// strings and vectors, and glibc's malloc/free were about a third of a large
/// `mlpc check` (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| mlpc_cli::report_internal_error(info)));
    match std::panic::catch_unwind(mlpc_cli::main) {
        Ok(code) => code,
        Err(_) => ExitCode::from(101),
    }
}

#[path = "cli.rs"]
mod mlpc_cli;
