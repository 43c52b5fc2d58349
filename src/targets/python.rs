//! Python source for generated DAGs: the one escaping function every user string
//! goes through (`string_literal`), Jinja-safe text for Airflow's templated fields,
//! and request bodies printed as Python literals in the layout `ruff format` keeps.

use super::requests::{Node, Piece};

/// A Python string literal that evaluates to exactly `s`. Quotes follow ruff's
/// choice (double, unless the text has more double quotes than single ones);
/// control, format and non-character code points are escaped, so the source is
/// printable and reads back byte for byte.
pub fn string_literal(s: &str) -> String {
    let doubles = s.matches('"').count();
    let singles = s.matches('\'').count();
    let quote = if doubles > singles { '\'' } else { '"' };
    let mut out = String::with_capacity(s.len() + 2);
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
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
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
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// How run-time pieces are written in Jinja for one DAG.
pub trait Pieces {
    fn piece(&self, piece: &Piece) -> String;
}

/// Template text for a templated operator field that renders to the value the
/// pieces describe. Literal text that Jinja would read as syntax (any brace), or that
/// would make Airflow load a template file (text ending in one of `template_ext`), is
/// written as a Jinja string expression, so it arrives unchanged.
pub fn jinja_text(pieces: &[Piece], renderer: &dyn Pieces, template_ext: &[&str]) -> String {
    let mut out = String::new();
    let last = pieces.len().saturating_sub(1);
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(s) => {
                let ends_badly = i == last && template_ext.iter().any(|e| s.ends_with(e));
                if s.contains(['{', '}']) || ends_badly || s.contains("#}") || s.contains("%}") {
                    out.push_str(&format!("{{{{ {} }}}}", jinja_string(s)));
                } else {
                    out.push_str(s);
                }
            }
            other => out.push_str(&renderer.piece(other)),
        }
    }
    out
}

/// Prints a request body as a Python literal, one entry per line with trailing
/// commas, starting at `indent` spaces. Every string is templated text.
pub fn node(n: &Node, indent: usize, renderer: &dyn Pieces) -> String {
    let pad = " ".repeat(indent + 4);
    let close = " ".repeat(indent);
    match n {
        Node::Text(pieces) => string_literal(&jinja_text(pieces, renderer, &[])),
        Node::Int(i) => i.to_string(),
        Node::IntParam(name) => string_literal(&renderer.piece(&Piece::Param(name.clone()))),
        Node::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Node::List(items) if items.is_empty() => "[]".to_string(),
        Node::List(items) => {
            let body: String = items.iter().map(|i| format!("{pad}{},\n", node(i, indent + 4, renderer))).collect();
            format!("[\n{body}{close}]")
        }
        Node::Map(entries) if entries.is_empty() => "{}".to_string(),
        Node::Map(entries) => {
            let body: String = entries
                .iter()
                .map(|(k, v)| format!("{pad}{}: {},\n", string_literal(k), node(v, indent + 4, renderer)))
                .collect();
            format!("{{\n{body}{close}}}")
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
        fn piece(&self, _: &Piece) -> String {
            "{{ run_id }}".to_string()
        }
    }

    #[test]
    fn jinja_text_protects_literal_braces_and_template_extensions() {
        let pieces = vec![Piece::Literal("a{{b}}'c".into()), Piece::RunId, Piece::Literal("/x.sql".into())];
        assert_eq!(jinja_text(&pieces, &Plain, &[".sql"]), "{{ 'a{{b}}\\'c' }}{{ run_id }}{{ '/x.sql' }}");
    }
}
