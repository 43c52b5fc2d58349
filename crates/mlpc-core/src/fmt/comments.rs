//! The comments of a source text. The syntax tree has no comments, but it knows
//! where every string literal is, and outside strings a `#` always starts one.

use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, File, Ident, Item, Path, Segment, StepItem};

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
    for pipeline in &file.pipelines {
        for item in &pipeline.items {
            match item {
                Item::Setting(field) => field_spans(text, &field.key, &field.value, out),
                Item::Param(param) => {
                    param.default.iter().for_each(|d| expr_spans(text, d, out));
                    param.attributes.iter().for_each(|f| field_spans(text, &f.key, &f.value, out));
                }
                Item::Image(image) => expr_spans(text, &image.value, out),
                Item::Step(step) => {
                    for step_item in &step.items {
                        match step_item {
                            StepItem::Field(field) => field_spans(text, &field.key, &field.value, out),
                            StepItem::Input(input) => {
                                input.source.iter().chain(&input.options).for_each(|e| expr_spans(text, e, out));
                            }
                            StepItem::Output(output) => output.options.iter().for_each(|e| expr_spans(text, e, out)),
                        }
                    }
                }
            }
        }
    }
}

fn field_spans(text: &str, key: &Ident, value: &Expr, out: &mut Vec<Span>) {
    if text.get(key.span.range()).is_some_and(|k| k.starts_with('"')) {
        out.push(key.span);
    }
    expr_spans(text, value, out);
}

fn expr_spans(text: &str, expr: &Expr, out: &mut Vec<Span>) {
    match &expr.kind {
        ExprKind::Str(_) => out.push(expr.span),
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Duration(_) | ExprKind::Date(_) => {}
        ExprKind::List(items) | ExprKind::Call(_, items) => items.iter().for_each(|e| expr_spans(text, e, out)),
        ExprKind::Map(entries) => entries.iter().for_each(|e| field_spans(text, &e.key, &e.value, out)),
        ExprKind::Path(path) => path_spans(path, out),
        ExprKind::Binary(_, lhs, rhs) => {
            expr_spans(text, lhs, out);
            expr_spans(text, rhs, out);
        }
        ExprKind::Not(inner) | ExprKind::Group(inner) => expr_spans(text, inner, out),
    }
}

fn path_spans(path: &Path, out: &mut Vec<Span>) {
    for segment in &path.segments {
        if let Segment::Key(key) = segment {
            out.push(key.span);
        }
    }
}
