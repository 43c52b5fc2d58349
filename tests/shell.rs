// mlpc-test: end-to-end
//! `mlpc completions` and `mlpc man` through their real consumers: bash runs the
//! completion script and completes command lines; groff renders the manual page
//! (scripts/setup-tools installs it where it is missing).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::process::Command;

fn mlpc(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mlpc")).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// What bash completes for the words of `line` (the cursor after its last word),
/// with the script `mlpc completions bash` printed loaded.
fn bash_completes(script: &std::path::Path, line: &str) -> Vec<String> {
    let words: Vec<String> = line.split(' ').map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT={}\n_mlpc mlpc \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words.join(" "),
        words.len() - 1,
        line.len(),
    );
    let out = Command::new("bash").args(["--norc", "-c", &program]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn bash_completes_subcommands_flags_and_values() {
    let script = std::env::temp_dir().join(format!("mlpc-completion-{}.bash", std::process::id()));
    std::fs::write(&script, mlpc(&["completions", "bash"])).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&script).output().unwrap();
    assert!(syntax.status.success(), "{}", String::from_utf8_lossy(&syntax.stderr));

    let subcommands = bash_completes(&script, "mlpc ");
    for sub in ["check", "build", "deploy", "graph", "explain", "completions", "man"] {
        assert!(subcommands.iter().any(|s| s == sub), "`{sub}` not offered: {subcommands:?}");
    }
    let flags = bash_completes(&script, "mlpc build pipeline.mlp --");
    for flag in ["--target", "--airflow-version", "--query-language", "--deny-warnings", "--output"] {
        assert!(flags.iter().any(|f| f == flag), "`{flag}` not offered: {flags:?}");
    }
    let targets = bash_completes(&script, "mlpc build pipeline.mlp --target ");
    assert_eq!(targets, ["airflow", "sagemaker", "stepfunctions"], "{targets:?}");
    let shells = bash_completes(&script, "mlpc completions ");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(shells.iter().any(|s| s == shell), "`{shell}` not offered: {shells:?}");
    }
}

#[test]
fn the_other_shells_get_their_own_scripts() {
    // zsh, fish and PowerShell are not on the test machines: each script is in its
    // shell's completion idiom and knows the subcommands and the targets.
    for (shell, marker) in
        [("zsh", "#compdef mlpc"), ("fish", "complete -c mlpc"), ("powershell", "Register-ArgumentCompleter")]
    {
        let script = mlpc(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        assert!(script.contains("'explain'") || script.contains("explain"), "{shell}: no subcommands");
        // PowerShell's script completes flags and subcommands, not flag values.
        if shell != "powershell" {
            assert!(script.contains("stepfunctions"), "{shell}: no target values");
        }
    }
}

#[test]
fn the_manual_page_renders_with_groff_without_warnings() {
    let page = std::env::temp_dir().join(format!("mlpc-{}.1", std::process::id()));
    std::fs::write(&page, mlpc(&["man"])).unwrap();
    // `-P-cbou`: plain text, no overstriking or escape sequences for bold and underline.
    let groff = Command::new("groff").args(["-man", "-Tutf8", "-ww", "-P-cbou"]).arg(&page).output();
    let out = groff.expect("groff is missing: run scripts/setup-tools");
    assert!(out.status.success() && out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for section in ["NAME", "SYNOPSIS", "MLPC CHECK", "MLPC BUILD", "MLPC DEPLOY", "MLPC EXPLAIN", "MLPC COMPLETIONS"] {
        assert!(text.contains(section), "no section {section}:\n{text}");
    }
    assert!(text.contains("--target <TARGET>") && text.contains("airflow, sagemaker, stepfunctions"), "{text}");
}
