//! `--param NAME=VALUE` for a started execution, checked against the pipeline's
//! declared parameters before anything is sent: services take these values as
//! strings and check little (SageMaker checks only a string parameter's `enum`), so
//! mlpc checks type, `enum`, `min` and `max` here.

use crate::diagnostics::suggest;
use crate::ir::{Literal, Param, ParamType, Pipeline};

/// Each override as (name, typed value), in the order given; a repeated name keeps
/// the last value.
pub fn parse(p: &Pipeline, given: &[String]) -> Result<Vec<(String, Literal)>, String> {
    let mut out: Vec<(String, Literal)> = Vec::new();
    for arg in given {
        let Some((name, raw)) = arg.split_once('=') else {
            return Err(format!("--param `{arg}` is not NAME=VALUE"));
        };
        let name = name.trim();
        let Some(param) = p.param(name) else {
            let names = p.params.iter().map(|q| q.name.node.as_str());
            let help = suggest::help_for(name, names, "parameters")
                .unwrap_or_else(|| "the pipeline declares no parameters".to_string());
            return Err(format!("--param `{name}`: the pipeline has no parameter `{name}`; {help}"));
        };
        let value = typed(param, raw)?;
        check_constraints(param, &value)?;
        out.retain(|(n, _)| n != name);
        out.push((name.to_string(), value));
    }
    Ok(out)
}

/// Every required parameter (declared without a default) must be given to start a run:
/// `given` says whether a name was.
pub fn require_all(p: &Pipeline, given: impl Fn(&str) -> bool, how: &str) -> Result<(), String> {
    let missing: Vec<&str> =
        p.params.iter().filter(|q| q.default.is_none() && !given(&q.name.node)).map(|q| q.name.node.as_str()).collect();
    match missing.as_slice() {
        [] => Ok(()),
        [one] => Err(format!("parameter `{one}` is required and has no default: give it with {how}")),
        many => Err(format!(
            "parameters {} are required and have no default: give them with {how}",
            many.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn typed(param: &Param, raw: &str) -> Result<Literal, String> {
    let name = &param.name.node;
    let bad = |what: &str| format!("--param {name}={raw}: `{name}` is {what}");
    Ok(match param.ty {
        ParamType::String => Literal::String(raw.to_string()),
        ParamType::Int => Literal::Int(raw.trim().parse().map_err(|_| bad("an int, e.g. 5"))?),
        // The `.mlp`'s rules: a value no 64-bit float holds (`1e-400`, `inf`) is refused.
        ParamType::Float => match mlpc_core::number::parse(raw.trim()) {
            Ok(mlpc_core::number::Number::Float(f)) => Literal::Float(f),
            Ok(mlpc_core::number::Number::Int(n)) => Literal::Float(n as f64),
            Err(mlpc_core::number::Unrepresentable::Malformed) => return Err(bad("a float, e.g. 0.2")),
            Err(why) => return Err(format!("--param {name}={raw}: {}", why.describe())),
        },
        ParamType::Bool => match raw.trim() {
            "true" => Literal::Bool(true),
            "false" => Literal::Bool(false),
            _ => return Err(bad("a bool: true or false")),
        },
    })
}

fn as_f64(l: &Literal) -> Option<f64> {
    match l {
        Literal::Int(n) => Some(*n as f64),
        Literal::Float(f) => Some(*f),
        _ => None,
    }
}

fn check_constraints(param: &Param, value: &Literal) -> Result<(), String> {
    let name = &param.name.node;
    if !param.allowed.is_empty() && !param.allowed.contains(value) {
        let allowed: Vec<String> = param.allowed.iter().map(Literal::to_text).collect();
        return Err(format!("--param {name}={}: allowed values are {}", value.to_text(), allowed.join(", ")));
    }
    let v = as_f64(value);
    if let (Some(v), Some(min)) = (v, param.min.as_ref().and_then(as_f64)) {
        if v < min {
            return Err(format!(
                "--param {name}={}: the minimum is {}",
                value.to_text(),
                param.min.as_ref().map(Literal::to_text).unwrap_or_default()
            ));
        }
    }
    if let (Some(v), Some(max)) = (v, param.max.as_ref().and_then(as_f64)) {
        if v > max {
            return Err(format!(
                "--param {name}={}: the maximum is {}",
                value.to_text(),
                param.max.as_ref().map(Literal::to_text).unwrap_or_default()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse;
    use mlpc_core::ir::Literal;

    fn pipeline() -> mlpc_core::ir::Pipeline {
        let text = "pipeline p {\n  param eta: float = 0.3\n  param depth: int = 5\n}\n";
        let checked = mlpc_core::check(text, &mlpc_core::MemoryFiles::default(), &Default::default(), None);
        checked.pipeline.unwrap_or_else(|| panic!("{:?}", checked.diagnostics))
    }

    #[test]
    fn float_values_follow_the_mlp_rules() {
        let p = pipeline();
        let given = |raw: &str| parse(&p, &[format!("eta={raw}")]);
        assert_eq!(given("0.2"), Ok(vec![("eta".to_string(), Literal::Float(0.2))]));
        assert_eq!(given("1"), Ok(vec![("eta".to_string(), Literal::Float(1.0))]));
        for bad in ["1e-400", "1e400", "inf", "NaN", "x"] {
            assert!(given(bad).is_err(), "{bad} was accepted");
        }
        assert!(parse(&p, &["depth=18446744073709551615".to_string()]).is_err());
    }
}
