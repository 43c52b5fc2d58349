//! Fuzz target: the parser never panics and every diagnostic span lies inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = mlpc::syntax::parse(&text);
    for d in &parsed.errors {
        let span = d.span();
        assert!(span.start <= span.end && span.end as usize <= text.len(), "span outside the input: {d:?}");
    }
});
