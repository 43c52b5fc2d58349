//! The canonical layout (grammar/README.md, "Layout"): two spaces a level, one item a
//! line, `=` and types aligned in runs of one-line items, one blank line around each
//! step, other blank lines kept (at most one), lists and maps on one line or one
//! entry a line as they were written, comments beside the item they were written
//! with.

use super::comments::{is_inline_space, Comment};
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, File, Ident, Item, Path, Pipeline, Segment, StepItem, TypeExpr};

const INDENT: usize = 2;

/// The space between code and a comment after it, at least.
const COMMENT_GAP: usize = 2;

pub fn print(src: &str, file: &File, comments: &[Comment]) -> String {
    let mut printer = Printer { src, comments, emitted: vec![false; comments.len()] };
    let nodes: Vec<Node> = file.pipelines.iter().map(Node::Pipeline).collect();
    let entries = printer.entries(&nodes, 0, src.len(), 0);
    let mut out = String::new();
    for line in lines(entries, 0) {
        out.push_str(&line.text);
        if let Some(comment) = &line.comment {
            out.push_str(&" ".repeat(COMMENT_GAP));
            out.push_str(comment);
        }
        out.push('\n');
    }
    out
}

/// One output line: its text, indentation included, and a comment to put after it.
struct Line {
    text: String,
    comment: Option<String>,
}

/// Printed text that may run over several lines: the first line continues the line
/// the piece is put on, the others carry their own indentation.
struct Piece {
    lines: Vec<Line>,
}

impl Piece {
    fn text(text: impl Into<String>) -> Piece {
        Piece { lines: vec![Line { text: text.into(), comment: None }] }
    }

    /// Source text copied as it is: a `"""` string keeps its lines exactly.
    fn verbatim(text: &str) -> Piece {
        Piece { lines: text.split('\n').map(|l| Line { text: l.to_string(), comment: None }).collect() }
    }

    fn is_one_line(&self) -> bool {
        matches!(self.lines.as_slice(), [line] if line.comment.is_none())
    }

    fn push_str(&mut self, text: &str) {
        if let Some(last) = self.lines.last_mut() {
            last.text.push_str(text);
        }
    }

    /// `other` continues this piece's last line.
    fn append(&mut self, other: Piece) {
        let mut rest = other.lines.into_iter();
        if let (Some(last), Some(first)) = (self.lines.last_mut(), rest.next()) {
            last.text.push_str(&first.text);
            last.comment = first.comment.or(last.comment.take());
        }
        self.lines.extend(rest);
    }

    fn one_line_text(&self) -> String {
        self.lines.first().map(|l| l.text.clone()).unwrap_or_default()
    }
}

/// Something a body holds, one a line when the body is laid out on several lines.
#[derive(Clone, Copy)]
enum Node<'a> {
    Pipeline(&'a Pipeline),
    Item(&'a Item),
    StepItem(&'a StepItem),
    /// A map entry or a parameter's attribute.
    Entry {
        key: &'a Ident,
        value: &'a Expr,
        span: Span,
    },
    /// An element of a list or an argument of a call.
    Value(&'a Expr),
}

impl Node<'_> {
    fn span(self) -> Span {
        match self {
            Node::Pipeline(p) => p.span,
            Node::Item(Item::Setting(f)) | Node::StepItem(StepItem::Field(f)) => f.span,
            Node::Item(Item::Param(p)) => p.span,
            Node::Item(Item::Image(i)) => i.span,
            Node::Item(Item::Step(s)) => s.span,
            Node::StepItem(StepItem::Input(i)) => i.span,
            Node::StepItem(StepItem::Output(o)) => o.span,
            Node::Entry { span, .. } => span,
            Node::Value(e) => e.span,
        }
    }

    /// Pipelines and steps stand apart: one blank line before and after each.
    fn stands_apart(self) -> bool {
        matches!(self, Node::Pipeline(_) | Node::Item(Item::Step(_)))
    }
}

/// Which one-line items align their columns with each other.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// `KEY = value`: the `=` aligned.
    Field,
    /// `KEY { ... }` and list elements: nothing to align.
    Free,
    /// `param NAME: TYPE = ...`: the types and the `=` aligned.
    Param,
    /// `image NAME = ...`
    Image,
    /// `in  NAME: TYPE = SOURCE`
    Input,
    /// `out NAME: TYPE`
    Output,
}

/// A body's contents, before alignment.
enum Entry {
    Blank,
    Comment(String),
    /// A one-line item: its columns, then the rest of the line.
    Row {
        class: Class,
        cells: Vec<String>,
        rest: String,
        comment: Option<String>,
    },
    /// An item on several lines: not aligned, and it ends a run of aligned rows.
    Block {
        piece: Piece,
        comment: Option<String>,
    },
}

struct Printer<'s, 'c> {
    src: &'s str,
    comments: &'c [Comment<'s>],
    emitted: Vec<bool>,
}

impl<'s> Printer<'s, '_> {
    fn slice(&self, span: Span) -> &str {
        self.src.get(span.range()).unwrap_or("")
    }

    fn line_breaks(&self, from: usize, to: usize) -> usize {
        self.src.get(from..to).map_or(0, |gap| gap.matches('\n').count())
    }

    /// The indexes of the comments starting in `from..to` (comments are in order).
    fn comments_in(&self, from: usize, to: usize) -> std::ops::Range<usize> {
        let first = self.comments.partition_point(|c| c.start < from);
        let end = self.comments.partition_point(|c| c.start < to);
        first..end.max(first)
    }

    /// The comments starting in `from..to` not yet printed, now taken.
    fn take_comments(&mut self, from: usize, to: usize) -> Vec<Comment<'s>> {
        let mut taken = Vec::new();
        for index in self.comments_in(from, to) {
            if let (Some(flag), Some(comment)) = (self.emitted.get_mut(index), self.comments.get(index)) {
                if !*flag {
                    *flag = true;
                    taken.push(*comment);
                }
            }
        }
        taken
    }

    /// The comment after `from` on the same line, if it starts before `to`.
    fn take_same_line_comment(&mut self, from: usize, to: usize) -> Option<String> {
        let index = self.comments_in(from, to).next()?;
        let comment = self.comments.get(index)?;
        if self.line_breaks(from, comment.start) > 0 {
            return None;
        }
        let flag = self.emitted.get_mut(index)?;
        if *flag {
            return None;
        }
        *flag = true;
        Some(comment.text.to_string())
    }

    /// Where the bracket `open` is, at or after `from`, comments skipped.
    fn find_open(&self, from: usize, open: char) -> usize {
        let mut at = from;
        while let Some(c) = self.src.get(at..).and_then(|rest| rest.chars().next()) {
            if c == open {
                return at;
            }
            at = match self.comments_in(at, at + 1).next().and_then(|index| self.comments.get(index)) {
                Some(comment) => comment.end,
                None => at + c.len_utf8(),
            };
        }
        at
    }

    /// The items of a body laid out one a line, with the comments and blank lines
    /// around them. `open` is just after the opening bracket, `close` at the closing
    /// one; `indent` is the items' indentation.
    fn entries(&mut self, nodes: &[Node], open: usize, close: usize, indent: usize) -> Vec<Entry> {
        let mut entries = Vec::new();
        let mut previous_end = open;
        for (k, node) in nodes.iter().enumerate() {
            let span = node.span();
            let start = span.start as usize;
            let apart = k > 0 && (node.stands_apart() || nodes.get(k - 1).is_some_and(|n| n.stands_apart()));
            let mut first_thing = true;
            for comment in self.take_comments(previous_end, start) {
                let blank = self.line_breaks(previous_end, comment.start) > 1 || (first_thing && apart);
                if blank && !entries.is_empty() {
                    entries.push(Entry::Blank);
                }
                entries.push(Entry::Comment(comment.text.to_string()));
                previous_end = comment.end;
                first_thing = false;
            }
            let blank = self.line_breaks(previous_end, start) > 1 || (first_thing && apart);
            if blank && !entries.is_empty() {
                entries.push(Entry::Blank);
            }
            let (class, cells, rest) = self.node(*node, indent);
            for orphan in self.take_comments(start, span.end as usize) {
                entries.push(Entry::Comment(orphan.text.to_string()));
            }
            let next_start = nodes.get(k + 1).map_or(close, |n| n.span().start as usize);
            let comment = self.take_same_line_comment(span.end as usize, next_start);
            previous_end = span.end as usize;
            entries.push(if rest.is_one_line() {
                Entry::Row { class, cells, rest: rest.one_line_text(), comment }
            } else {
                let mut piece = Piece::text(head(&cells, &rest));
                piece.append(rest);
                Entry::Block { piece, comment }
            });
        }
        for comment in self.take_comments(previous_end, close) {
            if self.line_breaks(previous_end, comment.start) > 1 && !entries.is_empty() {
                entries.push(Entry::Blank);
            }
            entries.push(Entry::Comment(comment.text.to_string()));
            previous_end = comment.end;
        }
        entries
    }

    /// A node as columns and the rest of its line (which may run over several lines).
    fn node(&mut self, node: Node, indent: usize) -> (Class, Vec<String>, Piece) {
        match node {
            Node::Pipeline(pipeline) => {
                let open = self.find_open(pipeline.name.span.end as usize, '{');
                let nodes: Vec<Node> = pipeline.items.iter().map(Node::Item).collect();
                let body = self.body(&nodes, open, pipeline.span.end as usize, indent, Layout::Lines);
                (Class::Free, vec!["pipeline".into(), pipeline.name.node.clone()], body)
            }
            Node::Item(Item::Step(step)) => {
                let open = self.find_open(step.kind.span.end as usize, '{');
                let nodes: Vec<Node> = step.items.iter().map(Node::StepItem).collect();
                let body = self.body(&nodes, open, step.span.end as usize, indent, Layout::Lines);
                (Class::Free, vec!["step".into(), format!("{}:", step.name.node), step.kind.node.clone()], body)
            }
            Node::Item(Item::Setting(field)) | Node::StepItem(StepItem::Field(field)) => {
                self.field(&field.key, &field.value, indent)
            }
            Node::Entry { key, value, .. } => self.field(key, value, indent),
            Node::Item(Item::Param(param)) => {
                let mut rest = Piece::text("");
                let mut after_type = param.ty.span.end as usize;
                if let Some(default) = &param.default {
                    rest.push_str("= ");
                    rest.append(self.value(default, indent));
                    after_type = default.span.end as usize;
                }
                if !param.attributes.is_empty() {
                    let open = self.find_open(after_type, '{');
                    let nodes: Vec<Node> = param
                        .attributes
                        .iter()
                        .map(|f| Node::Entry { key: &f.key, value: &f.value, span: f.span })
                        .collect();
                    if param.default.is_some() {
                        rest.push_str(" ");
                    }
                    let body = self.body(&nodes, open, param.span.end as usize, indent, Layout::AsWritten);
                    rest.append(body);
                }
                let cells = vec!["param".into(), format!("{}:", param.name.node), param.ty.node.clone()];
                (Class::Param, cells, rest)
            }
            Node::Item(Item::Image(image)) => {
                let mut rest = Piece::text("= ");
                rest.append(self.value(&image.value, indent));
                (Class::Image, vec!["image".into(), image.name.node.clone()], rest)
            }
            Node::StepItem(StepItem::Input(input)) => {
                let name = match &input.ty {
                    Some(_) => format!("{}:", input.name.node),
                    None => input.name.node.clone(),
                };
                let ty = input.ty.as_ref().map(type_text).unwrap_or_default();
                let mut rest = Piece::text("");
                if let Some(source) = &input.source {
                    rest.push_str("= ");
                    rest.append(self.value(source, indent));
                }
                if let Some(options) = &input.options {
                    rest.push_str(" ");
                    rest.append(self.value(options, indent));
                }
                (Class::Input, vec!["in ".into(), name, ty], rest)
            }
            Node::StepItem(StepItem::Output(output)) => {
                let mut rest = Piece::text("");
                if let Some(options) = &output.options {
                    rest.append(self.value(options, indent));
                }
                (Class::Output, vec!["out".into(), format!("{}:", output.name.node), type_text(&output.ty)], rest)
            }
            Node::Value(expr) => (Class::Free, Vec::new(), self.value(expr, indent)),
        }
    }

    /// `KEY = value`, or `KEY { ... }` where it was written so.
    fn field(&mut self, key: &Ident, value: &Expr, indent: usize) -> (Class, Vec<String>, Piece) {
        let key_text = match self.slice(key.span) {
            quoted if quoted.starts_with('"') => quoted.to_string(),
            _ => key.node.clone(),
        };
        let after_key = self.src.get(key.span.end as usize..).unwrap_or("");
        let block_form = after_key.trim_start_matches(is_inline_space).starts_with('{');
        if block_form {
            let mut rest = Piece::text(format!("{key_text} "));
            rest.append(self.value(value, indent));
            return (Class::Free, Vec::new(), rest);
        }
        let mut rest = Piece::text("= ");
        rest.append(self.value(value, indent));
        (Class::Field, vec![key_text], rest)
    }

    fn value(&mut self, expr: &Expr, indent: usize) -> Piece {
        match &expr.kind {
            ExprKind::Str(_) | ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Duration(_) | ExprKind::Date(_) => {
                Piece::verbatim(self.slice(expr.span))
            }
            ExprKind::Bool(b) => Piece::text(b.to_string()),
            ExprKind::Path(path) => Piece::text(self.path(path)),
            ExprKind::List(items) => {
                let nodes: Vec<Node> = items.iter().map(Node::Value).collect();
                self.body(&nodes, expr.span.start as usize, expr.span.end as usize, indent, Layout::AsWritten)
            }
            ExprKind::Map(entries) => {
                let nodes: Vec<Node> =
                    entries.iter().map(|e| Node::Entry { key: &e.key, value: &e.value, span: e.span }).collect();
                self.body(&nodes, expr.span.start as usize, expr.span.end as usize, indent, Layout::AsWritten)
            }
            ExprKind::Call(name, args) => {
                let nodes: Vec<Node> = args.iter().map(Node::Value).collect();
                let mut piece = Piece::text(name.node.clone());
                piece.append(self.body(
                    &nodes,
                    name.span.end as usize,
                    expr.span.end as usize,
                    indent,
                    Layout::AsWritten,
                ));
                piece
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let mut piece = self.value(lhs, indent);
                piece.push_str(&format!(" {} ", op.as_str()));
                piece.append(self.value(rhs, indent));
                piece
            }
            ExprKind::Not(inner) => {
                let mut piece = Piece::text("not ");
                piece.append(self.value(inner, indent));
                piece
            }
            ExprKind::Group(inner) => {
                let mut piece = Piece::text("(");
                piece.append(self.value(inner, indent));
                piece.push_str(")");
                piece
            }
        }
    }

    fn path(&self, path: &Path) -> String {
        let mut out = String::new();
        for (i, segment) in path.segments.iter().enumerate() {
            match segment {
                Segment::Name(name) => {
                    if i > 0 {
                        out.push('.');
                    }
                    out.push_str(&name.node);
                }
                Segment::Key(key) => {
                    out.push('[');
                    out.push_str(self.slice(key.span));
                    out.push(']');
                }
            }
        }
        out
    }

    /// A bracketed body: `open_at` is its opening bracket, `end` just after its
    /// closing one. On one line it stays on one line unless its layout says lines.
    fn body(&mut self, nodes: &[Node], open_at: usize, end: usize, indent: usize, layout: Layout) -> Piece {
        let bracket = self.src.get(open_at..).and_then(|rest| rest.chars().next()).unwrap_or('{');
        let (open, close, spaced) = match bracket {
            '[' => ("[", "]", false),
            '(' => ("(", ")", false),
            _ => ("{", "}", true),
        };
        let inner_start = open_at + 1;
        let close_at = end.saturating_sub(1);
        let has_comments = !self.comments_in(inner_start, close_at).is_empty();
        if nodes.is_empty() && !has_comments {
            return Piece::text(format!("{open}{close}"));
        }
        let on_lines = match layout {
            Layout::Lines => true,
            Layout::AsWritten => self.written_on_lines(nodes, inner_start, close_at),
        };
        if !on_lines {
            let mut piece = Piece::text(if spaced { format!("{open} ") } else { open.to_string() });
            for (k, node) in nodes.iter().enumerate() {
                if k > 0 {
                    piece.push_str(", ");
                }
                let (_, cells, rest) = self.node(*node, indent);
                piece.push_str(&head(&cells, &rest));
                piece.append(rest);
            }
            piece.push_str(if spaced { " }" } else { close });
            return piece;
        }
        let first_start = nodes.first().map_or(close_at, |n| n.span().start as usize);
        let header = self.take_same_line_comment(inner_start, first_start);
        let entries = self.entries(nodes, inner_start, close_at, indent + INDENT);
        let mut piece = Piece { lines: vec![Line { text: open.to_string(), comment: header }] };
        piece.lines.extend(lines(entries, indent + INDENT));
        piece.lines.push(Line { text: format!("{}{close}", " ".repeat(indent)), comment: None });
        piece
    }

    /// Whether a line break was written directly inside the brackets: before the
    /// first item, between two, or after the last.
    fn written_on_lines(&self, nodes: &[Node], inner_start: usize, close_at: usize) -> bool {
        let mut previous_end = inner_start;
        for node in nodes {
            let span = node.span();
            if self.line_breaks(previous_end, span.start as usize) > 0 {
                return true;
            }
            previous_end = span.end as usize;
        }
        self.line_breaks(previous_end, close_at) > 0
    }
}

/// How a bracketed body is laid out.
#[derive(Clone, Copy)]
enum Layout {
    /// One item a line: pipelines and steps.
    Lines,
    /// On one line or one item a line, as it was written: lists, maps, calls, a
    /// parameter's attributes.
    AsWritten,
}

fn type_text(ty: &TypeExpr) -> String {
    match &ty.argument {
        Some(argument) => format!("{}<{}>", ty.name.node, argument.node),
        None => ty.name.node.clone(),
    }
}

/// The columns of an item that is not aligned with anything: one space apart, and a
/// space before the rest when there is one.
fn head(cells: &[String], rest: &Piece) -> String {
    let mut text = cells.iter().filter(|c| !c.is_empty()).map(String::as_str).collect::<Vec<_>>().join(" ");
    let rest_empty = rest.lines.len() == 1 && rest.lines.first().is_some_and(|l| l.text.is_empty());
    if !text.is_empty() && !rest_empty {
        text.push(' ');
    }
    text
}

/// A body's entries as lines at `indent`: rows aligned in runs (a run ends at a blank
/// line or an item on several lines), and in each run the comments after rows put in
/// one column.
fn lines(entries: Vec<Entry>, indent: usize) -> Vec<Line> {
    let margin = " ".repeat(indent);
    let mut out = Vec::new();
    let mut run: Vec<Entry> = Vec::new();
    for entry in entries {
        match entry {
            Entry::Blank => {
                flush_run(&mut run, &margin, &mut out);
                out.push(Line { text: String::new(), comment: None });
            }
            Entry::Block { piece, comment } => {
                flush_run(&mut run, &margin, &mut out);
                let mut piece_lines = piece.lines.into_iter();
                if let Some(first) = piece_lines.next() {
                    out.push(Line { text: format!("{margin}{}", first.text), comment: first.comment });
                }
                out.extend(piece_lines);
                if let (Some(last), Some(comment)) = (out.last_mut(), comment) {
                    last.comment = Some(comment);
                }
            }
            row_or_comment => run.push(row_or_comment),
        }
    }
    flush_run(&mut run, &margin, &mut out);
    out
}

fn flush_run(run: &mut Vec<Entry>, margin: &str, out: &mut Vec<Line>) {
    let mut widths: Vec<(Class, Vec<usize>)> = Vec::new();
    for entry in run.iter() {
        if let Entry::Row { class, cells, .. } = entry {
            let index = match widths.iter().position(|(c, _)| c == class) {
                Some(index) => index,
                None => {
                    widths.push((*class, Vec::new()));
                    widths.len() - 1
                }
            };
            if let Some((_, columns)) = widths.get_mut(index) {
                for (column, cell) in cells.iter().enumerate() {
                    let width = cell.chars().count();
                    match columns.get_mut(column) {
                        Some(w) => *w = (*w).max(width),
                        None => columns.push(width),
                    }
                }
            }
        }
    }
    let mut rows = Vec::new();
    for entry in run.drain(..) {
        match entry {
            Entry::Row { class, cells, rest, comment } => {
                let columns = widths.iter().find(|(c, _)| *c == class).map(|(_, w)| w.as_slice()).unwrap_or(&[]);
                let mut parts = Vec::new();
                for (column, cell) in cells.iter().enumerate() {
                    let width = columns.get(column).copied().unwrap_or(0);
                    if width > 0 {
                        parts.push(format!("{cell:<width$}"));
                    }
                }
                if !rest.is_empty() {
                    parts.push(rest);
                }
                let text = format!("{margin}{}", parts.join(" ")).trim_end().to_string();
                rows.push((text, comment));
            }
            Entry::Comment(text) => rows.push((format!("{margin}{text}"), None)),
            Entry::Blank | Entry::Block { .. } => {}
        }
    }
    let column = rows.iter().filter(|(_, c)| c.is_some()).map(|(t, _)| t.chars().count()).max().unwrap_or(0);
    for (text, comment) in rows {
        let line = match comment {
            Some(comment) => {
                let pad = column.saturating_sub(text.chars().count());
                Line { text: format!("{text}{}", " ".repeat(pad)), comment: Some(comment) }
            }
            None => Line { text, comment: None },
        };
        out.push(line);
    }
}
