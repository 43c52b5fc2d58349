//! Fuzz target: parse → check → emit for every target never panics, a pipeline that
//! checks clean always emits, and the JSON targets' output always parses.
#![no_main]

#[path = "../invariants.rs"]
#[allow(dead_code)] // each target uses its part
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::compile(data));
