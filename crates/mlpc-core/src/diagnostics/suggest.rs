//! "Did you mean ...?" suggestions for unknown names.

/// The closest candidate to `name`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let score = if candidate.eq_ignore_ascii_case(name) {
            1.0
        } else {
            strsim::jaro_winkler(&lower, &candidate.to_ascii_lowercase())
        };
        let close = score >= 0.84 || strsim::damerau_levenshtein(name, candidate) <= 1;
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// A help line: "did you mean `x`?", or a list of what exists when nothing is close.
pub fn help_for<'a, I>(name: &str, candidates: I, what: &str) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let all: Vec<&str> = candidates.into_iter().collect();
    if let Some(best) = did_you_mean(name, all.iter().copied()) {
        return Some(format!("did you mean `{best}`?"));
    }
    if all.is_empty() {
        return None;
    }
    let mut sorted = all;
    sorted.sort_unstable();
    sorted.dedup();
    let shown: Vec<String> = sorted.iter().take(12).map(|c| format!("`{c}`")).collect();
    let more = if sorted.len() > 12 { ", ..." } else { "" };
    Some(format!("the {what} are: {}{more}", shown.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["split", "train", "score"];
        assert_eq!(did_you_mean("trian", names), Some("train"));
        assert_eq!(did_you_mean("splt", names), Some("split"));
        assert_eq!(did_you_mean("zzzzzz", names), None);
    }
}
