//! Python source for generated DAGs: the one escaping function every user string
//! goes through (`string_literal`), Jinja-safe text for Airflow's templated fields,
//! and request bodies printed as Python literals in the layout `ruff format` keeps.

use std::fmt::Write;

use super::requests::{Node, Piece};

/// A Python string literal that evaluates to exactly `s`. Quotes follow ruff's
/// choice (double, unless the text has more double quotes than single ones);
/// control, format and non-character code points are escaped, so the source is
/// printable and reads back byte for byte.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_string_literal(&mut out, s);
    out
}

/// `string_literal`, appended to `out`.
pub fn push_string_literal(out: &mut String, s: &str) {
    // Most strings are printable ASCII without `"` or `\`: written as they are.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\') {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    let doubles = s.matches('"').count();
    let singles = s.matches('\'').count();
    let quote = if doubles > singles { '\'' } else { '"' };
    out.reserve(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if needs_escape(c) => {
                let n = c as u32;
                // Writing to a String cannot fail.
                let _ = if n <= 0xff {
                    write!(out, "\\x{n:02x}")
                } else if n <= 0xffff {
                    write!(out, "\\u{n:04x}")
                } else {
                    write!(out, "\\U{n:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// A Python bytes literal for data that is not UTF-8 text.
pub fn bytes_literal(bytes: &[u8]) -> String {
    let doubles = bytes.iter().filter(|&&b| b == b'"').count();
    let singles = bytes.iter().filter(|&&b| b == b'\'').count();
    let quote = if doubles > singles { '\'' } else { '"' };
    let mut out = format!("b{quote}");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b if b as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(quote);
    out
}

/// Characters that are invisible, break lines, or change text direction.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c as u32,
            0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f | 0x2028..=0x202e
            | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb | 0xe000..=0xf8ff | 0xfdd0..=0xfdef | 0xfffe | 0xffff
            | 0xe0000..=0xe007f | 0xf0000..=0x10ffff)
        || (c as u32 & 0xfffe) == 0xfffe
}

/// A Jinja string literal (inside `{{ }}`) that renders to exactly `s`.
fn jinja_string(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            // Jinja turns a raw CR into a newline, even inside a string literal;
            // its escapes survive (the lexer decodes them after that step).
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// How run-time pieces are written in Jinja for one DAG.
pub trait Pieces {
    /// Appends the Jinja text of a piece that is not a literal.
    fn push_piece(&self, out: &mut String, piece: &Piece);
}

/// Template text for a templated operator field that renders to the value the
/// pieces describe. Literal text that Jinja would read as syntax (any brace), change
/// (a CR becomes a newline, a final newline is dropped), or that would make Airflow
/// load a template file (text ending in one of `template_ext`), is written as a Jinja
/// string expression, so it arrives unchanged.
pub fn jinja_text(pieces: &[Piece], renderer: &dyn Pieces, template_ext: &[&str]) -> String {
    let mut out = String::new();
    push_jinja_text(&mut out, pieces, renderer, template_ext);
    out
}

/// `jinja_text`, appended to `out`.
pub fn push_jinja_text(out: &mut String, pieces: &[Piece], renderer: &dyn Pieces, template_ext: &[&str]) {
    let last = pieces.len().saturating_sub(1);
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(s) => {
                let ends_badly = i == last && (s.ends_with('\n') || template_ext.iter().any(|e| s.ends_with(e)));
                if s.contains(['{', '}', '\r']) || ends_badly || s.contains("#}") || s.contains("%}") {
                    out.push_str("{{ ");
                    out.push_str(&jinja_string(s));
                    out.push_str(" }}");
                } else {
                    out.push_str(s);
                }
            }
            other @ (Piece::Param(_)
            | Piece::RunId
            | Piece::RunKey
            | Piece::RunDate
            | Piece::JobName(_)
            | Piece::OutputUri { .. }
            | Piece::ModelArtifact(_)
            | Piece::BestTrainingJob(_)
            | Piece::ModelName(_)) => renderer.push_piece(out, other),
        }
    }
}

/// Prints a request body as a Python literal, one entry per line with trailing
/// commas, starting at `indent` spaces. Every string is templated text.
pub fn node(n: &Node, indent: usize, renderer: &dyn Pieces) -> String {
    let mut out = String::with_capacity(printed_len(n, indent));
    push_node(&mut out, &mut String::new(), n, indent, renderer);
    out
}

/// About the length `node` prints (exact for plain text), so that its buffer is
/// allocated once.
fn printed_len(n: &Node, indent: usize) -> usize {
    match n {
        Node::Text(pieces) => {
            2 + pieces.iter().map(|p| if let Piece::Literal(s) = p { s.len() } else { 32 }).sum::<usize>()
        }
        Node::Int(_) | Node::IntParam(_) | Node::Bool(_) => 24,
        Node::List(items) => indent + 3 + items.iter().map(|i| indent + 6 + printed_len(i, indent + 4)).sum::<usize>(),
        Node::Map(entries) => {
            indent + 3 + entries.iter().map(|(k, v)| indent + 10 + k.len() + printed_len(v, indent + 4)).sum::<usize>()
        }
    }
}

/// `node`, appended to `out`: one buffer for the whole body (a DAG of 10,000 steps
/// prints millions of nodes), and one scratch buffer for each text's Jinja form.
fn push_node(out: &mut String, scratch: &mut String, n: &Node, indent: usize, renderer: &dyn Pieces) {
    let pad = |out: &mut String, width: usize| {
        const SPACES: &str = "                                                                ";
        let mut left = width;
        while left > 0 {
            let n = left.min(SPACES.len());
            out.push_str(&SPACES[..n]);
            left -= n;
        }
    };
    match n {
        Node::Text(pieces) => {
            scratch.clear();
            push_jinja_text(scratch, pieces, renderer, &[]);
            push_string_literal(out, scratch);
        }
        Node::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Node::IntParam(name) => {
            scratch.clear();
            renderer.push_piece(scratch, &Piece::Param(name.clone()));
            push_string_literal(out, scratch);
        }
        Node::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Node::List(items) if items.is_empty() => out.push_str("[]"),
        Node::List(items) => {
            out.push_str("[\n");
            for item in items {
                pad(out, indent + 4);
                push_node(out, scratch, item, indent + 4, renderer);
                out.push_str(",\n");
            }
            pad(out, indent);
            out.push(']');
        }
        Node::Map(entries) if entries.is_empty() => out.push_str("{}"),
        Node::Map(entries) => {
            out.push_str("{\n");
            for (k, v) in entries {
                pad(out, indent + 4);
                push_string_literal(out, k);
                out.push_str(": ");
                push_node(out, scratch, v, indent + 4, renderer);
                out.push_str(",\n");
            }
            pad(out, indent);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_choose_quotes_like_ruff() {
        assert_eq!(string_literal("plain"), "\"plain\"");
        assert_eq!(string_literal("say \"hi\""), "'say \"hi\"'");
        assert_eq!(string_literal("it's \"x\" 'y'"), "\"it's \\\"x\\\" 'y'\"");
        assert_eq!(string_literal("a\\b\n\u{0}\u{2028}é"), "\"a\\\\b\\n\\x00\\u2028é\"");
    }

    struct Plain;
    impl Pieces for Plain {
        fn push_piece(&self, out: &mut String, _: &Piece) {
            out.push_str("{{ run_id }}");
        }
    }

    #[test]
    fn jinja_text_protects_literal_braces_and_template_extensions() {
        let pieces = vec![Piece::Literal("a{{b}}'c".into()), Piece::RunId, Piece::Literal("/x.sql".into())];
        assert_eq!(jinja_text(&pieces, &Plain, &[".sql"]), "{{ 'a{{b}}\\'c' }}{{ run_id }}{{ '/x.sql' }}");
    }
}
