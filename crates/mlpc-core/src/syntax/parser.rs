//! One function per grammar production (grammar/mlpc.ebnf). `expect_*` must find its
//! production; `parse_*` may find nothing. Bodies recover at the next item, so one
//! run reports every syntax error it can.

use super::ast::*;
use super::error::ParseError;
use super::lexeme::{ident_text, is_ident_char, skip_all, skip_inline, PResult};
use super::Parser;
use crate::diagnostics::Code;
use crate::source::{Span, Spanned};

/// Deeper nesting of lists and maps than this is refused, so no input can exhaust the stack.
pub const MAX_DEPTH: usize = 64;

impl<'s> Parser<'s> {
    /// pipeline := "pipeline" ident "{" pipeline_item* "}"
    pub fn expect_pipeline(&mut self, i: &'s str) -> PResult<'s, Pipeline> {
        let start = i;
        let (i, _) = self.expect_keyword(i, "pipeline")?;
        let i = skip_all(i).0;
        let (i, name) = self.expect_ident(i, "the pipeline's name")?;
        let i = skip_all(i).0;
        let (i, items) = self.expect_body(i, Self::expect_pipeline_item)?;
        Ok((i, Pipeline { name, items, span: self.span(start, i) }))
    }

    /// pipeline_item := param | image | step | field
    fn expect_pipeline_item(&mut self, i: &'s str) -> PResult<'s, Item> {
        match self.keyword_before_name(i) {
            Some("param") => self.expect_param(i).map(|(r, p)| (r, Item::Param(p))),
            Some("image") => self.expect_image(i).map(|(r, p)| (r, Item::Image(p))),
            Some("step") => self.expect_step(i).map(|(r, p)| (r, Item::Step(p))),
            _ => self.expect_field(i, "a setting, `param`, `image` or `step`").map(|(r, f)| (r, Item::Setting(f))),
        }
    }

    /// param := "param" ident ":" ident "=" value ("{" field* "}")?
    fn expect_param(&mut self, i: &'s str) -> PResult<'s, Param> {
        let start = i;
        let (i, _) = self.expect_keyword(i, "param")?;
        let i = skip_inline(i);
        let (i, name) = self.expect_ident(i, "the parameter's name")?;
        let i = skip_inline(i);
        let (i, ()) = self.expect_char(i, ':', "`:` and the parameter's type")?;
        let i = skip_inline(i);
        let (ty_end, ty) = self.expect_ident(i, "a type: `string`, `int`, `float` or `bool`")?;
        // Without `= DEFAULT` the parameter is required, and ends at its type (not
        // after a comment that follows it).
        let (i, default) = match skip_inline(ty_end).strip_prefix('=') {
            Some(rest) => {
                let (rest, value) = self.expect_value(skip_inline(rest))?;
                (rest, Some(value))
            }
            None => (ty_end, None),
        };
        let after = skip_inline(i);
        let (i, attributes) = if after.starts_with('{') {
            self.expect_body(after, |p, i| p.expect_field(i, "an attribute: `description`, `min`, `max` or `enum`"))?
        } else {
            (i, Vec::new())
        };
        Ok((i, Param { name, ty, default, attributes, span: self.span(start, i) }))
    }

    /// image := "image" ident "=" value
    fn expect_image(&mut self, i: &'s str) -> PResult<'s, Image> {
        let start = i;
        let (i, _) = self.expect_keyword(i, "image")?;
        let i = skip_inline(i);
        let (i, name) = self.expect_ident(i, "the image's name")?;
        let i = skip_inline(i);
        let (i, ()) = self.expect_char(i, '=', "`=` and the image")?;
        let i = skip_inline(i);
        let (i, value) = self.expect_value(i)?;
        Ok((i, Image { name, value, span: self.span(start, i) }))
    }

    /// step := "step" ident ":" ident "{" step_item* "}"
    fn expect_step(&mut self, i: &'s str) -> PResult<'s, Step> {
        let start = i;
        let (i, _) = self.expect_keyword(i, "step")?;
        let i = skip_inline(i);
        let (i, name) = self.expect_ident(i, "the step's name")?;
        if i.starts_with('-') {
            return Err(self.hyphenated_step_name(&name, i));
        }
        let i = skip_inline(i);
        let (i, ()) = self.expect_char(i, ':', "`:` and the step's kind")?;
        let i = skip_inline(i);
        let (i, kind) =
            self.expect_ident(i, "a step kind: `sql`, `processing`, `training`, `transform` or `python`")?;
        let i = skip_inline(i);
        let (i, items) = self.expect_body(i, Self::expect_step_item)?;
        Ok((i, Step { name, kind, items, span: self.span(start, i) }))
    }

    /// `step prep-data: ...`: a name with `-` (common in real pipelines: SageMaker and
    /// Airflow allow it) gets the `_` spelling, which targets turn back into `-` in job
    /// names.
    fn hyphenated_step_name(&self, name: &Ident, rest: &'s str) -> ParseError {
        let tail_len = rest.find(|c: char| !(is_ident_char(c) || c == '-')).unwrap_or(rest.len());
        let whole = format!("{}{}", name.node, &rest[..tail_len]);
        let span = Span::new(name.span.start as usize, self.offset(rest) + tail_len);
        ParseError::custom(Code::SyntaxError, span, format!("a step name cannot contain `-`: `{whole}`"))
            .with_label("`-` in a name")
            .with_help(format!(
                "write `{}`: `-` would read as a minus sign in references such as `STEP.OUTPUT`; job names on SageMaker still use `-`",
                whole.replace('-', "_")
            ))
    }

    /// step_item := input | output | field
    fn expect_step_item(&mut self, i: &'s str) -> PResult<'s, StepItem> {
        match self.keyword_before_name(i) {
            Some("in") => self.expect_input(i).map(|(r, x)| (r, StepItem::Input(x))),
            Some("out") => self.expect_output(i).map(|(r, x)| (r, StepItem::Output(x))),
            _ => self.expect_field(i, "a key, `in` or `out`").map(|(r, f)| (r, StepItem::Field(f))),
        }
    }

    /// input := "in" ident (":" type)? ("=" value map?)?
    fn expect_input(&mut self, i: &'s str) -> PResult<'s, Input> {
        let start = i;
        let (i, _) = self.expect_keyword(i, "in")?;
        let i = skip_inline(i);
        let (mut end, name) = self.expect_ident(i, "the input's name")?;
        let mut ty = None;
        let mut i = skip_inline(end);
        if let Some(rest) = i.strip_prefix(':') {
            let (rest, t) = self.expect_type(skip_inline(rest))?;
            ty = Some(t);
            end = rest;
            i = skip_inline(rest);
        }
        let mut source = None;
        let mut options = None;
        if let Some(rest) = i.strip_prefix('=') {
            let (rest, value) = self.expect_value(skip_inline(rest))?;
            source = Some(value);
            end = rest;
            // The options map, on the same line as its input.
            let after = skip_inline(rest);
            if after.starts_with('{') {
                let (rest, map) = self.expect_value(after)?;
                options = Some(map);
                end = rest;
            }
        } else if ty.is_none() {
            return Err(ParseError::expected(self.offset(i), "`:` and a type, or `=` and the producing `STEP.OUTPUT`"));
        }
        Ok((end, Input { name, ty, source, options, span: self.span(start, end) }))
    }

    /// output := "out" ident ":" type map?
    fn expect_output(&mut self, i: &'s str) -> PResult<'s, Output> {
        let start = i;
        let (i, _) = self.expect_keyword(i, "out")?;
        let i = skip_inline(i);
        let (i, name) = self.expect_ident(i, "the output's name")?;
        let i = skip_inline(i);
        let (i, ()) = self.expect_char(i, ':', "`:` and the output's type, e.g. `dataset<csv>`")?;
        let (mut i, ty) = self.expect_type(skip_inline(i))?;
        // The options map, on the same line as its output.
        let mut options = None;
        let after = skip_inline(i);
        if after.starts_with('{') {
            let (rest, map) = self.expect_value(after)?;
            options = Some(map);
            i = rest;
        }
        Ok((i, Output { name, ty, options, span: self.span(start, i) }))
    }

    /// type := ident ("<" ident ">")?
    fn expect_type(&mut self, i: &'s str) -> PResult<'s, TypeExpr> {
        let start = i;
        let (i, name) = self.expect_ident(i, "an artifact type: `dataset<FORMAT>`, `model` or `files`")?;
        let after = skip_inline(i);
        if let Some(rest) = after.strip_prefix('<') {
            let (rest, argument) = self.expect_ident(skip_inline(rest), "a format: `csv`, `parquet` or `json`")?;
            let rest = skip_inline(rest);
            let (rest, ()) = self.expect_char(rest, '>', "`>`")?;
            return Ok((rest, TypeExpr { name, argument: Some(argument), span: self.span(start, rest) }));
        }
        Ok((i, TypeExpr { name, argument: None, span: self.span(start, i) }))
    }

    /// field := key ("=" value | "{" map_body "}") ; key := ident | string
    pub fn expect_field(&mut self, i: &'s str, what: &'static str) -> PResult<'s, Field> {
        let start = i;
        let (i, key) = if i.starts_with('"') {
            let (rest, parts) = self.parse_string(i, true)?;
            (rest, Spanned::new(plain_text(&parts), self.span(i, rest)))
        } else {
            self.expect_ident(i, what)?
        };
        let i = skip_inline(i);
        if i.starts_with('{') {
            let (rest, value) = self.expect_map(i)?;
            return Ok((rest, Field { key, value, span: self.span(start, rest) }));
        }
        let (i, ()) = self.expect_char(i, '=', "`=` and a value")?;
        let i = skip_inline(i);
        let (i, value) = self.expect_expr(i)?;
        Ok((i, Field { key, value, span: self.span(start, i) }))
    }

    /// expr := and_expr ("or" and_expr)*
    pub fn expect_expr(&mut self, i: &'s str) -> PResult<'s, Expr> {
        self.expect_binary(i, BinaryOp::Or, Self::expect_and)
    }

    /// and_expr := not_expr ("and" not_expr)*
    fn expect_and(&mut self, i: &'s str) -> PResult<'s, Expr> {
        self.expect_binary(i, BinaryOp::And, Self::expect_not)
    }

    /// Operands joined by the word `op`, left to right, on one line (or anywhere within
    /// parentheses).
    fn expect_binary(
        &mut self,
        i: &'s str,
        op: BinaryOp,
        operand: fn(&mut Self, &'s str) -> PResult<'s, Expr>,
    ) -> PResult<'s, Expr> {
        let (mut i, mut lhs) = operand(self, i)?;
        let mut operands = 1;
        while let Some(rest) = self.operator_word(i, op.as_str()) {
            // The operands nest in the tree: as many as lists may nest, no more.
            operands += 1;
            if operands > MAX_DEPTH {
                return Err(self
                    .too_deep(i, format!("a condition joins more than {MAX_DEPTH} operands with `{}`", op.as_str())));
            }
            let (rest, rhs) = operand(self, skip_all(rest).0)?;
            let span = lhs.span.to(rhs.span);
            lhs = Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span };
            i = rest;
        }
        Ok((i, lhs))
    }

    /// not_expr := "not" not_expr | comparison
    fn expect_not(&mut self, i: &'s str) -> PResult<'s, Expr> {
        let Some(rest) = self.word(i, "not") else {
            return self.expect_comparison(i);
        };
        let (rest, operand) = self.nested(skip_all(rest).0, "conditions", Self::expect_not)?;
        Ok((rest, Expr { kind: ExprKind::Not(Box::new(operand)), span: self.span(i, rest) }))
    }

    /// comparison := operand (("==" | "!=" | "<=" | ">=" | "<" | ">" | "in") operand)?
    fn expect_comparison(&mut self, i: &'s str) -> PResult<'s, Expr> {
        let (i, lhs) = self.expect_operand(i)?;
        let Some((op, rest)) = self.comparison_operator(i) else {
            return Ok((i, lhs));
        };
        let (rest, rhs) = self.expect_operand(skip_all(rest).0)?;
        if let Some((again, _)) = self.comparison_operator(rest) {
            let at = self.offset(skip_inline(rest));
            return Err(ParseError::custom(
                Code::SyntaxError,
                Span::new(at, at + again.as_str().len()),
                format!("comparisons do not chain: `{}` after `{}`", again.as_str(), op.as_str()),
            )
            .with_label("a second comparison")
            .with_help("join two comparisons with `and`: `a < b and b < c`"));
        }
        let span = lhs.span.to(rhs.span);
        Ok((rest, Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span }))
    }

    /// operand := "(" expr ")" | value
    fn expect_operand(&mut self, i: &'s str) -> PResult<'s, Expr> {
        if !i.starts_with('(') {
            return self.expect_value(i);
        }
        self.nested(i, "conditions", |p, start| {
            let (rest, inner) = p.expect_expr(skip_all(start.strip_prefix('(').unwrap_or(start)).0)?;
            let (rest, ()) = p.expect_char(skip_all(rest).0, ')', "`)`")?;
            Ok((rest, Expr { kind: ExprKind::Group(Box::new(inner)), span: p.span(start, rest) }))
        })
    }

    /// The comparison operator after `i` on the same line, and the text after it.
    fn comparison_operator(&self, i: &'s str) -> Option<(BinaryOp, &'s str)> {
        let at = skip_inline(i);
        if let Some(rest) = BinaryOp::COMPARISONS.iter().find_map(|op| at.strip_prefix(op.as_str()).map(|r| (*op, r))) {
            return Some(rest);
        }
        self.operator_word(i, "in").map(|rest| (BinaryOp::In, rest))
    }

    /// The rest after the operator word `word`, when it follows `i` on the same line.
    fn operator_word(&self, i: &'s str, word: &str) -> Option<&'s str> {
        let at = skip_inline(i);
        // A word operator needs space before it: `x.in` is a path.
        if at.len() == i.len() {
            return None;
        }
        self.word(at, word)
    }

    /// The rest after `word` at `i` when it stands there as a whole word.
    fn word(&self, i: &'s str, word: &str) -> Option<&'s str> {
        match ident_text(i) {
            Ok((rest, w)) if w == word => Some(rest),
            _ => None,
        }
    }

    /// value := string | number | duration | date | bool | list | map | call | path
    pub fn expect_value(&mut self, i: &'s str) -> PResult<'s, Expr> {
        let start = i;
        let (rest, kind) = match i.chars().next() {
            Some('"') => {
                let (rest, parts) = self.parse_string(i, false)?;
                (rest, ExprKind::Str(parts))
            }
            Some('[') => return self.expect_list(i),
            Some('{') => return self.expect_map(i),
            Some(c) if c.is_ascii_digit() || c == '-' => self.parse_numeric(i)?,
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let (after, word) = ident_text(i).map_err(|_| ParseError::expected(self.offset(i), "a value"))?;
                match word {
                    "true" if !after.starts_with(['.', '[']) => (after, ExprKind::Bool(true)),
                    "false" if !after.starts_with(['.', '[']) => (after, ExprKind::Bool(false)),
                    _ if after.starts_with('(') => return self.expect_call(i),
                    _ => {
                        let (rest, path) = self.expect_path(i)?;
                        (rest, ExprKind::Path(path))
                    }
                }
            }
            _ => return Err(ParseError::expected(self.offset(i), "a value")),
        };
        Ok((rest, Expr { kind, span: self.span(start, rest) }))
    }

    /// path := ident ("." ident | "[" string "]")*
    pub fn expect_path(&mut self, i: &'s str) -> PResult<'s, Path> {
        let start = i;
        let (mut i, first) = self.expect_ident(i, "a name")?;
        let mut segments = vec![Segment::Name(first)];
        loop {
            if let Some(rest) = i.strip_prefix('.') {
                let (rest, name) = self.expect_ident(rest, "a name after `.`")?;
                if rest.starts_with('-') && rest.get(1..).is_some_and(|r| r.starts_with(is_ident_char)) {
                    return Err(self.hyphenated_key(start, i, rest));
                }
                segments.push(Segment::Name(name));
                i = rest;
            } else if let Some(rest) = i.strip_prefix('[') {
                let rest = skip_inline(rest);
                let key_start = rest;
                let (rest, parts) = self.parse_string(rest, true)?;
                let key = Spanned::new(plain_text(&parts), self.span(key_start, rest));
                let (rest, ()) = self.expect_char(skip_inline(rest), ']', "`]`")?;
                segments.push(Segment::Key(key));
                i = rest;
            } else {
                break;
            }
        }
        Ok((i, Path { segments, span: self.span(start, i) }))
    }

    /// `config.data-source.x`: a key with `-` after a `.`, which must go in brackets.
    /// `dot` is the `.` before the key, `hyphen` the first `-` in it.
    fn hyphenated_key(&self, start: &'s str, dot: &'s str, hyphen: &'s str) -> ParseError {
        let key_start = dot.get(1..).unwrap_or("");
        let end = hyphen.find(|c: char| !(is_ident_char(c) || c == '-')).unwrap_or(hyphen.len());
        let after = hyphen.get(end..).unwrap_or("");
        let key = key_start.get(..key_start.len() - after.len()).unwrap_or("");
        let before = start.get(..start.len() - dot.len()).unwrap_or("");
        // The rest of the path as written, for the suggestion (`.query` after it).
        let tail_len = after.find(|c: char| !(is_ident_char(c) || c == '.')).unwrap_or(after.len());
        let tail = after.get(..tail_len).unwrap_or("");
        ParseError::custom(Code::SyntaxError, self.span(key_start, after), format!("`{key}` is not a name"))
            .with_label("`-` cannot be part of a name after `.`")
            .with_help(format!("put a key with `-` in brackets: `{before}[\"{key}\"]{tail}`"))
    }

    /// call := ident "(" (value ("," value)* ","?)? ")"
    fn expect_call(&mut self, i: &'s str) -> PResult<'s, Expr> {
        let start = i;
        let (i, name) = self.expect_ident(i, "a function name")?;
        let (i, args) = self.expect_sequence(i, '(', ')', "`)`")?;
        Ok((i, Expr { kind: ExprKind::Call(name, args), span: self.span(start, i) }))
    }

    /// list := "[" (value sep)* "]"
    fn expect_list(&mut self, i: &'s str) -> PResult<'s, Expr> {
        let (rest, items) = self.expect_sequence(i, '[', ']', "`]`")?;
        Ok((rest, Expr { kind: ExprKind::List(items), span: self.span(i, rest) }))
    }

    /// map := "{" (field sep)* "}"
    fn expect_map(&mut self, i: &'s str) -> PResult<'s, Expr> {
        let (rest, fields) =
            self.nested(i, "lists and maps", |p, i| p.expect_body(i, |p, i| p.expect_field(i, "a key")))?;
        let entries = fields.into_iter().map(|f| MapEntry { key: f.key, value: f.value, span: f.span }).collect();
        Ok((rest, Expr { kind: ExprKind::Map(entries), span: self.span(i, rest) }))
    }

    /// Values between `open` and `close`, separated by commas or line breaks.
    fn expect_sequence(&mut self, i: &'s str, open: char, close: char, closer: &'static str) -> PResult<'s, Vec<Expr>> {
        self.nested(i, "lists and maps", |p, i| {
            let (mut i, ()) = p.expect_char(i, open, "an opening bracket")?;
            let mut items = Vec::new();
            loop {
                i = skip_all(i).0;
                if let Some(rest) = i.strip_prefix(close) {
                    return Ok((rest, items));
                }
                let (rest, value) = p.expect_value(i)?;
                items.push(value);
                i = p.expect_separator(rest, close, closer)?;
            }
        })
    }

    /// sep := "," | line break; also succeeds before `close` without consuming it.
    pub fn expect_separator(&self, i: &'s str, close: char, closer: &'static str) -> Result<&'s str, ParseError> {
        let inline = skip_inline(i);
        if let Some(rest) = inline.strip_prefix(',') {
            return Ok(rest);
        }
        let (after, newline) = skip_all(inline);
        if newline || after.starts_with(close) {
            return Ok(after);
        }
        let mut err = ParseError::expected(self.offset(inline), "`,` or a line break");
        err.expected.push(closer);
        Err(err)
    }

    /// Runs `f` one nesting level deeper, refusing input nested past `MAX_DEPTH`;
    /// `what` ("lists and maps", "conditions") names what nests, for the message.
    fn nested<T>(
        &mut self,
        i: &'s str,
        what: &str,
        f: impl FnOnce(&mut Self, &'s str) -> PResult<'s, T>,
    ) -> PResult<'s, T> {
        if self.depth >= MAX_DEPTH {
            return Err(self.too_deep(i, format!("{what} are nested more than {MAX_DEPTH} deep")));
        }
        self.depth += 1;
        let result = f(self, i);
        self.depth -= 1;
        result
    }

    /// E0107 at `i`: no input may nest deeper than the parser (and the trees it
    /// builds, when dropped) can recurse.
    fn too_deep(&self, i: &'s str, message: String) -> ParseError {
        let at = self.offset(i);
        ParseError::custom(Code::NestingTooDeep, Span::new(at, at + 1), message)
            .with_label("too deep")
            .with_help("flatten the value; no pipeline needs this much nesting")
    }

    /// Consumes `word` as a whole identifier.
    fn expect_keyword(&self, i: &'s str, word: &'static str) -> PResult<'s, ()> {
        self.word(i, word).map(|rest| (rest, ())).ok_or_else(|| ParseError::expected(self.offset(i), word))
    }

    /// The keyword at `i` when it is followed by a name (`step x`), not by `=`.
    fn keyword_before_name(&self, i: &'s str) -> Option<&'s str> {
        let (rest, word) = ident_text(i).ok()?;
        let next = skip_inline(rest);
        (rest.len() != next.len() && next.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')).then_some(word)
    }
}
