//! What a number's text means, for `.mlp` literals and config JSON alike: an integer
//! (no `.`, `e` or `E`) is exact, 64-bit signed; any other number is the nearest
//! 64-bit float. Text whose value would change on the way (an integer past 64 bits, a
//! float that overflows, or underflows to zero) is refused rather than rounded, so a
//! value reaches every target with one spelling.

/// A number as mlpc carries it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

/// Why a number's text has no value mlpc can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unrepresentable {
    /// An integer outside i64.
    IntegerRange,
    /// A float beyond f64's largest finite value.
    FloatOverflow,
    /// A non-zero float that rounds to zero.
    FloatUnderflow,
    /// Not a number at all.
    Malformed,
}

impl Unrepresentable {
    /// What the number is, after "is": "an integer outside …".
    pub fn describe(self) -> &'static str {
        match self {
            Unrepresentable::IntegerRange => {
                "an integer outside the 64-bit range (-9223372036854775808 to 9223372036854775807)"
            }
            Unrepresentable::FloatOverflow => "a number too large for a 64-bit float (about 1.8e308 at most)",
            Unrepresentable::FloatUnderflow => {
                "a number too small for a 64-bit float: it would become 0.0 (about 5e-324 at least)"
            }
            Unrepresentable::Malformed => "not a number",
        }
    }
}

/// The number a text spells, or why it cannot be carried.
pub fn parse(text: &str) -> Result<Number, Unrepresentable> {
    if !text.contains(['.', 'e', 'E']) {
        return match text.parse::<i64>() {
            Ok(n) => Ok(Number::Int(n)),
            Err(_) if text.trim_start_matches(['-', '+']).bytes().all(|b| b.is_ascii_digit()) => {
                Err(Unrepresentable::IntegerRange)
            }
            Err(_) => Err(Unrepresentable::Malformed),
        };
    }
    let f = text.parse::<f64>().map_err(|_| Unrepresentable::Malformed)?;
    if f.is_infinite() {
        return Err(Unrepresentable::FloatOverflow);
    }
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    if f == 0.0 && mantissa.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        return Err(Unrepresentable::FloatUnderflow);
    }
    // `-0.0` and `0.0` are one value with two spellings on the targets: keep one.
    Ok(Number::Float(if f == 0.0 { 0.0 } else { f }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_exact_and_floats_refuse_to_change_value() {
        assert_eq!(parse("9223372036854775807"), Ok(Number::Int(i64::MAX)));
        assert_eq!(parse("-9223372036854775808"), Ok(Number::Int(i64::MIN)));
        assert_eq!(parse("-0"), Ok(Number::Int(0)));
        assert_eq!(parse("18446744073709551615"), Err(Unrepresentable::IntegerRange));
        assert_eq!(parse("-9223372036854775809"), Err(Unrepresentable::IntegerRange));
        assert_eq!(parse("1E2"), Ok(Number::Float(100.0)));
        assert_eq!(parse("-0.0"), Ok(Number::Float(0.0)));
        assert!(matches!(parse("-0.0"), Ok(Number::Float(f)) if f.is_sign_positive()));
        assert_eq!(parse("0e-400"), Ok(Number::Float(0.0)));
        assert_eq!(parse("1e-400"), Err(Unrepresentable::FloatUnderflow));
        assert_eq!(parse("1e400"), Err(Unrepresentable::FloatOverflow));
        assert_eq!(parse("5e-324"), Ok(Number::Float(5e-324)));
        assert_eq!(parse("x"), Err(Unrepresentable::Malformed));
    }
}
