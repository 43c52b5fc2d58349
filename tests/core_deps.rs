//! The core crate stays lean: its dependency tree holds no AWS SDK, async runtime,
//! HTTP stack or command-line parser (ARCHITECTURE.md, "A lean core").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

/// Crates that must never be in mlpc-core's normal dependency tree.
const FORBIDDEN: &[&str] = &["aws-", "tokio", "hyper", "clap", "reqwest", "rustls", "mimalloc"];

/// The crates in `package`'s normal dependency tree (from Cargo.lock, offline).
fn dependencies(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = std::process::Command::new(cargo)
        .current_dir(common::root())
        .args(["tree", "--locked", "--offline", "-p", package, "-e", "normal", "--prefix", "none"])
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    tree.lines().filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect()
}

#[test]
fn core_links_no_aws_sdk_tokio_hyper_or_clap() {
    let crates = dependencies("mlpc-core");
    assert!(crates.iter().any(|c| c == "nom"), "unexpected cargo tree output: {crates:?}");
    let bad: Vec<&String> = crates.iter().filter(|c| FORBIDDEN.iter().any(|f| c.starts_with(f))).collect();
    assert!(bad.is_empty(), "mlpc-core depends on {bad:?}");
}

#[test]
fn the_binary_does_link_them() {
    // The same look-up on the binary finds the SDK: the test above can fail.
    let crates = dependencies("mlpc");
    for wanted in ["aws-sdk-sagemaker", "tokio", "clap"] {
        assert!(crates.iter().any(|c| c == wanted), "{wanted} missing from {crates:?}");
    }
}
