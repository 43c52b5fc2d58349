//! The registry of diagnostic codes: one line per code, one explanation file per code.
//!
//! Codes are stable: a code is never reused for another problem. They are grouped by
//! phase: E01 syntax, E02 names, E03 types and values, E04 the step graph, E05 target
//! capabilities and limits, E06 `mlpc import` (about the definition read, not a `.mlp`); warnings use W and the phase digit of what they warn about.

use super::Severity;

macro_rules! codes {
    ($($variant:ident = $code:literal, $name:literal, $severity:ident;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users type it, e.g. `E0201`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A kebab-case name that says what is wrong, e.g. `unknown-step`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// The long explanation shown by `mlpc explain`.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => include_str!(concat!("explain/", $code, ".md")),)* }
            }
        }
    };
}

codes! {
    SyntaxError = "E0101", "syntax-error", Error;
    UnterminatedString = "E0102", "unterminated-string", Error;
    InvalidEscape = "E0103", "invalid-escape", Error;
    NumberOutOfRange = "E0104", "number-out-of-range", Error;
    MissingPipeline = "E0105", "missing-pipeline", Error;
    ExtraPipeline = "E0106", "extra-pipeline", Error;
    NestingTooDeep = "E0107", "nesting-too-deep", Error;
    InvalidUtf8 = "E0108", "invalid-utf8", Error;

    UnknownStep = "E0201", "unknown-step", Error;
    UnknownOutput = "E0202", "unknown-output", Error;
    UnknownParam = "E0203", "unknown-param", Error;
    UnknownConfigKey = "E0204", "unknown-config-key", Error;
    DuplicateName = "E0205", "duplicate-name", Error;
    UnknownImage = "E0206", "unknown-image", Error;
    UnknownReference = "E0207", "unknown-reference", Error;
    ConfigFileUnreadable = "E0208", "config-file-unreadable", Error;
    ConfigNotDeclared = "E0209", "config-not-declared", Error;
    UnknownKey = "E0210", "unknown-key", Error;
    MissingKey = "E0211", "missing-key", Error;
    CodeFileNotFound = "E0212", "code-file-not-found", Error;
    UnknownFunction = "E0213", "unknown-function", Error;
    UnknownReportKey = "E0214", "unknown-report-key", Error;

    ArtifactTypeMismatch = "E0301", "artifact-type-mismatch", Error;
    WrongValueType = "E0302", "wrong-value-type", Error;
    ParamDefaultMismatch = "E0303", "param-default-mismatch", Error;
    InvalidParamConstraint = "E0304", "invalid-param-constraint", Error;
    ParamTypeMismatch = "E0305", "param-type-mismatch", Error;
    UnknownInstanceType = "E0306", "unknown-instance-type", Error;
    InvalidSchedule = "E0307", "invalid-schedule", Error;
    InvalidValue = "E0308", "invalid-value", Error;
    UnknownArtifactType = "E0309", "unknown-artifact-type", Error;
    UnboundInput = "E0310", "unbound-input", Error;
    WrongArtifactCount = "E0311", "wrong-artifact-count", Error;
    UnknownSagemakerImage = "E0312", "unknown-sagemaker-image", Error;
    UntypedInput = "E0313", "untyped-input", Error;
    IncompatibleComparison = "E0314", "incompatible-comparison", Error;
    NotACondition = "E0315", "not-a-condition", Error;

    DependencyCycle = "E0401", "dependency-cycle", Error;

    UnsupportedStepKind = "E0501", "unsupported-step-kind", Error;
    NameTooLong = "E0502", "name-too-long", Error;
    InvalidName = "E0503", "invalid-name", Error;
    UnrepresentableValue = "E0504", "unrepresentable-value", Error;
    RequestLimitExceeded = "E0505", "request-limit-exceeded", Error;
    ReservedName = "E0506", "reserved-name", Error;
    NotADefinition = "E0601", "not-a-definition", Error;
    CannotImport = "E0602", "cannot-import", Error;
    BrokenDefinition = "E0603", "broken-definition", Error;

    UnusedOutput = "W0201", "unused-output", Warning;
    UnusedParam = "W0202", "unused-param", Warning;
    UnusedImage = "W0203", "unused-image", Warning;
    UnrecognisedInstanceType = "W0301", "unrecognised-instance-type", Warning;
    SharedOutputUri = "W0302", "shared-output-uri", Warning;
    UnescapedQuotes = "W0303", "unescaped-quotes", Warning;
    NeverRuns = "W0401", "never-runs", Warning;
    IgnoredSetting = "W0501", "ignored-setting", Warning;
    ImportChanged = "W0601", "import-changed", Warning;
}

impl Code {
    /// Looks a code up by its code (`E0201`, any case) or its name (`unknown-step`).
    pub fn lookup(text: &str) -> Option<Code> {
        let text = text.trim();
        Code::ALL.iter().copied().find(|c| c.as_str().eq_ignore_ascii_case(text) || c.name() == text)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Code {
    /// The explanation as `mlpc explain` shows it: each code's page has two examples,
    /// the first raising the code and the second its fix (tests/explain.rs holds them
    /// to that); each is labelled so, so a reader need not guess which is which.
    pub fn explanation_labelled(self) -> String {
        let mut out = String::with_capacity(self.explanation().len() + 64);
        let mut examples = 0;
        for line in self.explanation().split_inclusive('\n') {
            if line.trim_end() == "```mlp" {
                out.push_str(&match examples {
                    0 => format!("This raises {}:\n\n", self.as_str()),
                    _ => "Fixed:\n\n".to_string(),
                });
                examples += 1;
            }
            out.push_str(line);
        }
        out
    }
}
