//! Fuzz target: the `mlpc` binary (path in MLPC_BIN) on any pipeline text, writing to
//! a full device and into closed pipes, reading a named pipe and /dev/zero, always
//! exits 0, 1 or 2 in time. The input also goes through the parser and checker in
//! process, whose coverage guides libFuzzer (the binary itself is not instrumented).
#![no_main]

#[path = "../invariants.rs"]
#[allow(dead_code)] // each target uses its part
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let bin = BIN.get_or_init(|| {
        std::env::var_os("MLPC_BIN").map(std::path::PathBuf::from).unwrap_or_else(|| {
            eprintln!("set MLPC_BIN to a built mlpc binary (cargo build --release; MLPC_BIN=target/release/mlpc)");
            std::process::exit(2)
        })
    });
    invariants::parse(data);
    let text = String::from_utf8_lossy(data);
    let _ = mlpc::check(&text, &mlpc::MemoryFiles::default(), &Default::default(), None);
    invariants::cli(data, bin);
});
