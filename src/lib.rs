//! The `mlpc` crate: the command line's library half. It re-exports the compiler
//! (`mlpc-core`: parse, check, generate; no I/O, no AWS SDK) and adds `deploy`, the
//! only code that talks to AWS.

pub use mlpc_core::*;

pub mod deploy;
