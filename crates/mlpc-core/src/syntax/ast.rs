//! The syntax tree as the user wrote it: names as strings, nothing resolved, a span on
//! every node. Only `check` reads it; targets never do.

use crate::source::{Span, Spanned};

pub type Ident = Spanned<String>;

/// A whole `.mlp` file: exactly one pipeline when it is valid.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub pipelines: Vec<Pipeline>,
    /// Names declared by items that failed to parse (`param NAME`, `step NAME`, a
    /// setting's key...): the checker stays silent about them, so one syntax error
    /// does not also show up as "unknown" or "missing" elsewhere.
    pub broken: Vec<Ident>,
    pub span: Span,
}

/// `pipeline NAME { item* }`
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub name: Ident,
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Setting(Field),
    Param(Param),
    Image(Image),
    Step(Step),
}

/// `KEY = value`, or `KEY { ... }` which means `KEY = { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `param NAME: TYPE = default { attributes }`
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Ident,
    /// `None` for a required parameter (`param x: string`): every run must give it.
    pub default: Option<Expr>,
    pub attributes: Vec<Field>,
    pub span: Span,
}

/// `image NAME = value`
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `step NAME: KIND { step_item* }`
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub name: Ident,
    pub kind: Ident,
    pub items: Vec<StepItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StepItem {
    Field(Field),
    Input(Input),
    Output(Output),
}

/// `in NAME[: TYPE] = SOURCE [{ options }]`, where SOURCE is `STEP.OUTPUT` or an S3
/// URI from outside (a string, `params.X`); the source is optional in the syntax so
/// that the checker can say "unbound input" instead of a bare syntax error.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub source: Option<Expr>,
    /// `{ distribution = sharded }`: a map on the same line, after the source.
    pub options: Option<Expr>,
    pub span: Span,
}

/// `out NAME: TYPE [{ options }]`
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub name: Ident,
    pub ty: TypeExpr,
    /// `{ uri = "s3://..." }`: a map on the same line, after the type.
    pub options: Option<Expr>,
    pub span: Span,
}

/// `dataset<csv>`, `model`, `files`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub name: Ident,
    pub argument: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Str(Vec<StrPart>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A duration in seconds, written `90s`, `30m`, `2h` or `7d`.
    Duration(u64),
    /// A calendar date written `2026-01-01`.
    Date(String),
    List(Vec<Expr>),
    Map(Vec<MapEntry>),
    /// `a`, `a.b`, `config.steps["data-source"].x`
    Path(Path),
    /// `name(arg, ...)`
    Call(Ident, Vec<Expr>),
    /// `a <= b`, `a in [x, y]`, `a and b`: an operator between two expressions.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `not a`
    Not(Box<Expr>),
    /// `(a)`: kept as written, so that what is printed back keeps its parentheses.
    Group(Box<Expr>),
}

/// The operators of conditions, loosest first: `or`, `and`, then the comparisons
/// (which do not chain) and `in`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
        }
    }

    /// The comparisons, longest spelling first so that `<=` is not read as `<`.
    pub const COMPARISONS: [BinaryOp; 6] =
        [BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Le, BinaryOp::Ge, BinaryOp::Lt, BinaryOp::Gt];
}

/// `key = value` inside `{ }`; the key may be an identifier or a string.
#[derive(Clone, Debug, PartialEq)]
pub struct MapEntry {
    pub key: Ident,
    pub value: Expr,
    pub span: Span,
}

/// A piece of a string literal: text, or a `${ path }` interpolation.
#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Text(String),
    Interpolation(Path),
}

/// The text of a string literal, interpolations left out (a key, which has none; a
/// description shown in an editor).
pub fn plain_text(parts: &[StrPart]) -> String {
    parts
        .iter()
        .map(|p| match p {
            StrPart::Text(t) => t.as_str(),
            StrPart::Interpolation(_) => "",
        })
        .collect()
}

/// A dotted reference; the first segment is always an identifier.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub segments: Vec<Segment>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// `.name` (or the leading name)
    Name(Ident),
    /// `["key"]`
    Key(Spanned<String>),
}

impl Segment {
    pub fn text(&self) -> &str {
        match self {
            Segment::Name(n) | Segment::Key(n) => &n.node,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Segment::Name(n) | Segment::Key(n) => n.span,
        }
    }
}

impl Path {
    /// The path as written, keys in brackets: `config.steps["data-source"]`.
    pub fn display(&self) -> String {
        let mut out = String::new();
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Name(n) if i == 0 => out.push_str(&n.node),
                Segment::Name(n) => {
                    out.push('.');
                    out.push_str(&n.node);
                }
                Segment::Key(k) => out.push_str(&format!("[{:?}]", k.node)),
            }
        }
        out
    }
}

impl Pipeline {
    /// Every value the pipeline holds at item level, with the key it is written under
    /// (a setting's, a parameter attribute's, a step field's; `None` for a parameter's
    /// default, an image, an input's source and options, an output's options), in the
    /// order written. With `Expr::walk`, every expression of the file: the formatter
    /// finds string literals so, the editor queries paths.
    pub fn each_value<'a>(&'a self, f: &mut dyn FnMut(Option<&'a Ident>, &'a Expr)) {
        for item in &self.items {
            match item {
                Item::Setting(field) => f(Some(&field.key), &field.value),
                Item::Param(param) => {
                    param.default.iter().for_each(|d| f(None, d));
                    param.attributes.iter().for_each(|a| f(Some(&a.key), &a.value));
                }
                Item::Image(image) => f(None, &image.value),
                Item::Step(step) => {
                    for step_item in &step.items {
                        match step_item {
                            StepItem::Field(field) => f(Some(&field.key), &field.value),
                            StepItem::Input(input) => {
                                input.source.iter().chain(&input.options).for_each(|e| f(None, e))
                            }
                            StepItem::Output(output) => output.options.iter().for_each(|e| f(None, e)),
                        }
                    }
                }
            }
        }
    }
}

impl Expr {
    /// This expression and every expression inside it, outermost first: list items,
    /// call arguments, map values (a map's keys are not expressions), operands.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Str(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Duration(_)
            | ExprKind::Date(_)
            | ExprKind::Path(_) => {}
            ExprKind::List(items) | ExprKind::Call(_, items) => items.iter().for_each(|e| e.walk(f)),
            ExprKind::Map(entries) => entries.iter().for_each(|e| e.value.walk(f)),
            ExprKind::Binary(_, lhs, rhs) => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::Not(inner) | ExprKind::Group(inner) => inner.walk(f),
        }
    }

    /// A short name for the kind of value, for messages: "a string", "a list"...
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            ExprKind::Str(_) => "a string",
            ExprKind::Int(_) => "an integer",
            ExprKind::Float(_) => "a number",
            ExprKind::Bool(_) => "a boolean",
            ExprKind::Duration(_) => "a duration",
            ExprKind::Date(_) => "a date",
            ExprKind::List(_) => "a list",
            ExprKind::Map(_) => "a map",
            ExprKind::Path(_) => "a reference",
            ExprKind::Call(..) => "a function call",
            ExprKind::Binary(BinaryOp::And | BinaryOp::Or, ..) | ExprKind::Not(_) => "a condition",
            ExprKind::Binary(..) => "a comparison",
            ExprKind::Group(inner) => inner.describe(),
        }
    }
}
