//! The comments of a source text. The syntax tree has no comments, but it knows
//! where every string literal is, and outside strings a `#` always starts one.

use crate::source::Span;
use crate::syntax::ast::{ExprKind, File, Ident, Segment};

/// A `# ...` comment: where it is and its text, `#` included, without the line break
/// (or a carriage return before it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comment<'s> {
    pub start: usize,
    pub end: usize,
    pub text: &'s str,
    /// Alone on its line (only white space before it), rather than after code.
    pub own_line: bool,
}

/// Every comment of `text`, in order. `file` is `text` parsed.
pub fn find<'s>(text: &'s str, file: &File) -> Vec<Comment<'s>> {
    let mut strings = Vec::new();
    string_spans(text, file, &mut strings);
    strings.sort_unstable_by_key(|s| s.start);
    let mut strings = strings.into_iter().peekable();
    let mut comments = Vec::new();
    let mut at = 0;
    while let Some(offset) = text.get(at..).and_then(|rest| rest.find(['#', '"'])) {
        let start = at + offset;
        while strings.peek().is_some_and(|s| (s.end as usize) <= start) {
            strings.next();
        }
        if let Some(string) = strings.peek().filter(|s| (s.start as usize) <= start) {
            at = string.end as usize;
            continue;
        }
        if text.get(start..).is_some_and(|rest| rest.starts_with('"')) {
            // A quote outside every string literal the tree holds cannot happen in a
            // file that parsed; step over it rather than loop.
            at = start + 1;
            continue;
        }
        let line_end = text.get(start..).and_then(|rest| rest.find('\n')).map_or(text.len(), |n| start + n);
        let raw = text.get(start..line_end).unwrap_or("");
        let body = raw.strip_suffix('\r').unwrap_or(raw);
        let line_start = text.get(..start).and_then(|before| before.rfind('\n')).map_or(0, |n| n + 1);
        let own_line = text.get(line_start..start).is_some_and(|before| before.chars().all(is_inline_space));
        comments.push(Comment { start, end: start + body.len(), text: body, own_line });
        at = line_end;
    }
    comments
}

/// The white space the grammar skips within a line (`_` in grammar/mlpc.ebnf), and
/// the carriage return of a CR LF line break.
pub fn is_inline_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{feff}' | '\r')
}

fn string_spans(text: &str, file: &File, out: &mut Vec<Span>) {
    let quoted_key = |key: &Ident, out: &mut Vec<Span>| {
        if text.get(key.span.range()).is_some_and(|k| k.starts_with('"')) {
            out.push(key.span);
        }
    };
    for pipeline in &file.pipelines {
        pipeline.each_value(&mut |key, value| {
            key.into_iter().for_each(|k| quoted_key(k, out));
            value.walk(&mut |expr| match &expr.kind {
                ExprKind::Str(_) => out.push(expr.span),
                ExprKind::Map(entries) => entries.iter().for_each(|e| quoted_key(&e.key, out)),
                ExprKind::Path(path) => out.extend(path.segments.iter().filter_map(|segment| match segment {
                    Segment::Key(key) => Some(key.span),
                    Segment::Name(_) => None,
                })),
                ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Bool(_)
                | ExprKind::Duration(_)
                | ExprKind::Date(_)
                | ExprKind::List(_)
                | ExprKind::Call(..)
                | ExprKind::Binary(..)
                | ExprKind::Not(_)
                | ExprKind::Group(_) => {}
            });
        });
    }
}
