//! Links the `mlpc` binary as a position-dependent executable on Linux: the AWS SDK
//! gives it some 46,000 relative relocations, which a position-independent binary
//! applies at every start (about a millisecond of page faults for `mlpc --version`);
//! at a fixed address the linker resolves them once. BENCHMARKS.md has the figures.

fn main() {
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let gnu = std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    if linux && gnu {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
