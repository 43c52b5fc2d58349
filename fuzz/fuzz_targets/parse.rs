//! Fuzz target: the parser never panics, every diagnostic span lies inside the input,
//! and a file that parses formats to the same meaning, idempotently.
#![no_main]

#[path = "../invariants.rs"]
#[allow(dead_code)] // each target uses its part
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::parse(data));
