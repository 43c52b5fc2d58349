//! Fuzz target: `mlpc import` never panics on any input, its spans lie inside the
//! input, and what it writes parses and is in `mlpc fmt` layout.
#![no_main]

#[path = "../invariants.rs"]
#[allow(dead_code)] // each target uses its part
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::import(data));
