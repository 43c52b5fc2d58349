//! Control flow in the IR: reports (JSON files a step writes, whose values a run reads),
//! the checked expression of a `condition` step, and the message of a `fail` step.

use super::{Literal, ParamType, StepId, Text};
use crate::source::Span;

/// A `report` output: a JSON document the step writes as `file` in its output folder.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The file name in the output folder (`report.json` unless set).
    pub file: String,
    /// The values the document holds, when declared: paths into it are checked.
    pub schema: Option<Schema>,
}

/// The default `file` of a report.
pub const DEFAULT_REPORT_FILE: &str = "report.json";

/// A report's schema: nested maps whose leaves are scalar types.
#[derive(Clone, Debug, PartialEq)]
pub enum Schema {
    Value(ParamType),
    /// Keys in source order.
    Map(Vec<(String, Schema)>),
}

impl Schema {
    /// The schema at `key` of a map.
    pub fn get(&self, key: &str) -> Option<&Schema> {
        match self {
            Schema::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, s)| s),
            Schema::Value(_) => None,
        }
    }

    /// The keys of a map, for "did you mean".
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Schema::Map(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            Schema::Value(_) => Vec::new(),
        }
    }
}

/// A value a run reads from a report: `evaluate.evaluation.regression_metrics.mse.value`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportValue {
    pub step: StepId,
    pub output: String,
    /// The keys from the document's root to the value.
    pub path: Vec<String>,
    /// The value's type, from the schema; `None` when the report declares none.
    pub ty: Option<ParamType>,
    pub span: Span,
}

impl ReportValue {
    /// Whether a key can be written after a dot in every target's path language
    /// (JsonPath, JSONata, Python attribute-free lookups alike): otherwise brackets.
    pub fn is_plain_key(key: &str) -> bool {
        key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    }
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Report(ReportValue),
    Param(String),
    /// A literal, or a config value inlined.
    Literal(Literal),
}

/// How the two sides of a comparison are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareAs {
    Number,
    String,
    Bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// The checked `check` of a condition step.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Compare {
        op: CmpOp,
        left: Operand,
        right: Operand,
        compare_as: CompareAs,
    },
    /// `value in [a, b]`: equal to one of them.
    In {
        value: Operand,
        values: Vec<Operand>,
        compare_as: CompareAs,
    },
    /// Every one holds (`a and b and c`, flattened).
    All(Vec<Cond>),
    /// One of them holds (`a or b or c`, flattened).
    Any(Vec<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    /// Every report value the condition reads, in source order.
    pub fn report_values(&self) -> Vec<&ReportValue> {
        self.typed_report_values_all().into_iter().map(|(r, _)| r).collect()
    }

    /// Each report value the condition reads, once (the first time), with how it is
    /// compared there: what a target checks it is before comparing.
    pub fn typed_report_values(&self) -> Vec<(&ReportValue, CompareAs)> {
        let mut out: Vec<(&ReportValue, CompareAs)> = Vec::new();
        for (value, compare_as) in self.typed_report_values_all() {
            if !out.iter().any(|(seen, _)| *seen == value) {
                out.push((value, compare_as));
            }
        }
        out
    }

    fn typed_report_values_all(&self) -> Vec<(&ReportValue, CompareAs)> {
        let mut out = Vec::new();
        self.visit_operands(&mut |o, compare_as| {
            if let Operand::Report(r) = o {
                out.push((r, compare_as));
            }
        });
        out
    }

    /// Every operand, in source order, with how its comparison compares.
    fn visit_operands<'a>(&'a self, f: &mut impl FnMut(&'a Operand, CompareAs)) {
        match self {
            Cond::Compare { left, right, compare_as, .. } => {
                f(left, *compare_as);
                f(right, *compare_as);
            }
            Cond::In { value, values, compare_as } => {
                f(value, *compare_as);
                values.iter().for_each(|v| f(v, *compare_as));
            }
            Cond::All(items) | Cond::Any(items) => items.iter().for_each(|c| c.visit_operands(f)),
            Cond::Not(inner) => inner.visit_operands(f),
        }
    }
}

/// `step NAME: condition { check = … }`
#[derive(Clone, Debug)]
pub struct Condition {
    pub check: Cond,
}

/// `step NAME: fail { message = "…" }`: ends the run as failed.
#[derive(Clone, Debug)]
pub struct Fail {
    pub message: Vec<MessagePart>,
}

impl Fail {
    /// The report values the message shows, in order.
    pub fn report_values(&self) -> Vec<&ReportValue> {
        self.message
            .iter()
            .filter_map(|part| match part {
                MessagePart::Report(value) => Some(value),
                MessagePart::Text(_) => None,
            })
            .collect()
    }
}

/// A piece of a fail message: run-time text, or a value read from a report.
#[derive(Clone, Debug, PartialEq)]
pub enum MessagePart {
    Text(Text),
    Report(ReportValue),
}
