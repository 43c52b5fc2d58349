//! The core crate stays lean: its dependency tree holds no AWS SDK, async runtime,
//! HTTP stack or command-line parser (ARCHITECTURE.md, "A lean core").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

/// Crates that must never be in mlpc-core's normal dependency tree.
const FORBIDDEN: &[&str] = &["aws-", "tokio", "hyper", "clap", "reqwest", "rustls", "mimalloc"];

#[test]
fn core_links_no_aws_sdk_tokio_hyper_or_clap() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = std::process::Command::new(cargo)
        .current_dir(common::root())
        .args(["tree", "--locked", "--offline", "-p", "mlpc-core", "-e", "normal", "--prefix", "none"])
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: Vec<&str> = tree.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(crates.contains(&"mlpc-core") && crates.contains(&"nom"), "unexpected cargo tree output:\n{tree}");
    let bad: Vec<&&str> = crates.iter().filter(|c| FORBIDDEN.iter().any(|f| c.starts_with(f))).collect();
    assert!(bad.is_empty(), "mlpc-core depends on {bad:?}:\n{tree}");
}

#[test]
fn the_binary_does_link_them() {
    // The same look-up on the binary finds the SDK: the test above can fail.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = std::process::Command::new(cargo)
        .current_dir(common::root())
        .args(["tree", "--locked", "--offline", "-p", "mlpc", "-e", "normal", "--prefix", "none"])
        .output()
        .expect("cargo tree runs");
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.lines().any(|l| l.starts_with("aws-sdk-sagemaker ")), "{tree}");
    assert!(tree.lines().any(|l| l.starts_with("tokio ")), "{tree}");
}
