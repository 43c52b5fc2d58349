//! The `mlpc` crate: the command line's library half. It re-exports the compiler
//! (`mlpc-core`: parse, check, generate; no I/O, no AWS SDK) and adds reading the files
//! a pipeline names (`files`) and `deploy`, the only code that talks to AWS.

pub use mlpc_core::*;

pub mod deploy;
pub mod files;
pub mod output;
