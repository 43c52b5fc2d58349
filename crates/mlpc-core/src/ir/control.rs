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

/// `step NAME: lambda { function = "…", payload = { … } }`: a Lambda invocation; a
/// `report` output is its response.
#[derive(Clone, Debug)]
pub struct Lambda {
    pub function: LambdaFunction,
    /// The event the function gets: keys in source order.
    pub payload: Vec<(String, PayloadValue)>,
}

impl Lambda {
    /// The report values the payload holds, in order.
    pub fn report_values(&self) -> Vec<&ReportValue> {
        self.payload
            .iter()
            .filter_map(|(_, v)| match v {
                PayloadValue::Report(value) => Some(value),
                PayloadValue::Value(_) => None,
            })
            .collect()
    }
}

/// A value of a Lambda payload: a literal, param or text, or a value read from a report.
#[derive(Clone, Debug)]
pub enum PayloadValue {
    Value(super::Value),
    Report(ReportValue),
}

/// A Lambda function as `function` names it: a name, a partial ARN
/// (`ACCOUNT:function:NAME`) or a full ARN, with an optional version or alias.
#[derive(Clone, Debug, PartialEq)]
pub struct LambdaFunction {
    /// As written: what Step Functions and Airflow invoke.
    pub written: String,
    pub name: String,
    pub qualifier: Option<String>,
    /// From a full ARN.
    pub partition: Option<String>,
    pub region: Option<String>,
    /// From a full or partial ARN.
    pub account: Option<String>,
}

impl LambdaFunction {
    /// Parses Lambda's `FunctionName` forms; `None` when `written` is none of them.
    pub fn parse(written: &str) -> Option<LambdaFunction> {
        let parts: Vec<&str> = written.split(':').collect();
        let (partition, region, account, rest): (Option<&str>, Option<&str>, Option<&str>, &[&str]) =
            match parts.as_slice() {
                ["arn", partition, "lambda", region, account, "function", rest @ ..] => {
                    (Some(*partition), Some(*region), Some(*account), rest)
                }
                [account, "function", rest @ ..] => (None, None, Some(*account), rest),
                rest => (None, None, None, rest),
            };
        let (name, qualifier) = match rest {
            [name] => (*name, None),
            [name, qualifier] => (*name, Some(*qualifier)),
            _ => return None,
        };
        let word = |s: &str, max: usize| {
            (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        let ok = word(name, 64)
            && qualifier.is_none_or(|q| q == "$LATEST" || word(q, 128))
            && account.is_none_or(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
            && partition.is_none_or(|p| p.starts_with("aws"))
            && region.is_none_or(crate::aws::names::is_region)
            && written.len() <= 170;
        ok.then(|| LambdaFunction {
            written: written.to_string(),
            name: name.to_string(),
            qualifier: qualifier.map(str::to_string),
            partition: partition.map(str::to_string),
            region: region.map(str::to_string),
            account: account.map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::LambdaFunction;

    #[test]
    fn lambda_functions_parse_in_every_form_lambda_takes() {
        let f = LambdaFunction::parse("arn:aws:lambda:eu-west-1:123456789012:function:judge-model:live").unwrap();
        assert_eq!(
            (f.name.as_str(), f.qualifier.as_deref(), f.region.as_deref(), f.account.as_deref()),
            ("judge-model", Some("live"), Some("eu-west-1"), Some("123456789012"))
        );
        let f = LambdaFunction::parse("123456789012:function:judge").unwrap();
        assert_eq!((f.account.as_deref(), f.region), (Some("123456789012"), None));
        let f = LambdaFunction::parse("judge_model:$LATEST").unwrap();
        assert_eq!((f.name.as_str(), f.qualifier.as_deref()), ("judge_model", Some("$LATEST")));
        for bad in [
            "",
            "judge model",
            "arn:aws:lambda:us-east-1:function:judge",
            "arn:aws:lambda:us-east-1:12345:function:judge",
            "a:b:c",
            &"x".repeat(65),
        ] {
            assert_eq!(LambdaFunction::parse(bad), None, "{bad}");
        }
    }
}
