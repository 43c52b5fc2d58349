//! Key paths into the config file: the value at `config.a.b`, and where its key is
//! written in the JSON text (serde_json keeps no positions, so a small scanner finds
//! it: objects and arrays are walked, other values skipped).

use serde_json::Value;

use crate::source::Span;

/// The value at a key path.
pub fn value<'v>(config: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(config, |value, key| value.as_object()?.get(key))
}

/// Where the last key of `path` is written in `json` (its quoted string); `None` when
/// the path is not there or the text is not JSON.
pub fn locate(json: &str, path: &[String]) -> Option<Span> {
    let mut scanner = Scanner { bytes: json.as_bytes(), at: 0 };
    let mut found = None;
    for (depth, key) in path.iter().enumerate() {
        scanner.space();
        if scanner.peek()? != b'{' {
            return None;
        }
        scanner.at += 1;
        loop {
            scanner.space();
            if scanner.peek()? == b'}' {
                return None;
            }
            let start = scanner.at;
            let name = scanner.string()?;
            let end = scanner.at;
            scanner.space();
            if scanner.peek()? != b':' {
                return None;
            }
            scanner.at += 1;
            if name == *key {
                found = Some(Span::new(start, end));
                break;
            }
            scanner.skip_value()?;
            scanner.space();
            match scanner.peek()? {
                b',' => scanner.at += 1,
                _ => return None,
            }
        }
        if depth + 1 == path.len() {
            return found;
        }
    }
    found
}

/// One step of a JSON pointer (RFC 6901): an object's key or an array's index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Where the value at `pointer` is written in `json`, from its first character to its
/// last; `None` when it is not there or the text is not JSON.
pub fn locate_value(json: &str, pointer: &[Segment]) -> Option<Span> {
    let mut scanner = Scanner { bytes: json.as_bytes(), at: 0 };
    for segment in pointer {
        scanner.space();
        match (segment, scanner.peek()?) {
            (Segment::Key(key), b'{') => {
                scanner.at += 1;
                loop {
                    scanner.space();
                    let name = scanner.string()?;
                    scanner.space();
                    if scanner.peek()? != b':' {
                        return None;
                    }
                    scanner.at += 1;
                    if name == *key {
                        break;
                    }
                    scanner.skip_value()?;
                    scanner.space();
                    if scanner.peek()? != b',' {
                        return None;
                    }
                    scanner.at += 1;
                }
            }
            (Segment::Index(index), b'[') => {
                scanner.at += 1;
                for _ in 0..*index {
                    scanner.skip_value()?;
                    scanner.space();
                    if scanner.peek()? != b',' {
                        return None;
                    }
                    scanner.at += 1;
                }
            }
            _ => return None,
        }
    }
    scanner.space();
    let start = scanner.at;
    scanner.skip_value()?;
    Some(Span::new(start, scanner.at))
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn space(&mut self) {
        while self.peek().is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// A string at the cursor, decoded (escapes included), the cursor after it.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        if self.peek()? != b'"' {
            return None;
        }
        self.at += 1;
        loop {
            match self.peek()? {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    let raw = std::str::from_utf8(self.bytes.get(start..self.at)?).ok()?;
                    return serde_json::from_str(raw).ok();
                }
                _ => self.at += 1,
            }
        }
    }

    /// Skips one value of any kind; nesting is counted, not recursed into.
    fn skip_value(&mut self) -> Option<()> {
        self.space();
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.at += 1;
                }
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    self.at += 1;
                }
                b',' | b'}' | b']' if depth == 0 => return Some(()),
                _ => self.at += 1,
            }
            if depth == 0 && matches!(self.bytes.get(self.at.wrapping_sub(1)), Some(b'"' | b'}' | b']')) {
                return Some(());
            }
        }
    }
}
