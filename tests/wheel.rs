// mlpc-test: end-to-end
//! `pip install mlpc` and the pre-commit hook that uses it, with the real tools:
//! maturin builds the wheel (`pyproject.toml`, `bindings = "bin"`; the dev profile, whose
//! artifacts the test build already made), pip installs it into a fresh venv, and real
//! pre-commit (both from scripts/setup-python's `target/py/tools`) runs it as a
//! `language: python` hook on a temporary git repository: a commit of a broken `.mlp`
//! is refused with its diagnostic, the fixed file is accepted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

fn tool(name: &str) -> PathBuf {
    let path = common::root().join("target/py/tools/bin").join(name);
    assert!(path.is_file(), "run scripts/setup-python: {} is missing", path.display());
    path
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn git(repo: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(["-c", "user.name=mlpc test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(repo);
    cmd
}

#[test]
fn the_wheel_installs_and_runs_as_a_pre_commit_hook() {
    let root = common::root();
    let work = std::env::temp_dir().join(format!("mlpc-wheel-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();

    // The wheel, from the same pyproject.toml a release uses.
    let wheels = work.join("wheels");
    let started = Instant::now();
    run(Command::new(tool("maturin")).args(["build", "--profile", "dev", "--out"]).arg(&wheels).current_dir(&root));
    let wheel = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"));
    let wheel = wheel.expect("maturin wrote a wheel");
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with(&format!("mlpc-{}-", env!("CARGO_PKG_VERSION"))), "{name}");
    eprintln!("wheel {name}: {} bytes, built in {:.1?}", std::fs::metadata(&wheel).unwrap().len(), started.elapsed());

    // Installed into a fresh venv, it puts `mlpc` on the venv's PATH.
    let venv = work.join("venv");
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    let started = Instant::now();
    run(Command::new(venv.join("bin/python"))
        .args(["-m", "pip", "install", "--quiet", "--no-index", "--disable-pip-version-check"])
        .arg(&wheel));
    eprintln!("pip install of the wheel: {:.1?}", started.elapsed());
    let version = run(Command::new(venv.join("bin/mlpc")).arg("--version"));
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), format!("mlpc {}", env!("CARGO_PKG_VERSION")));

    // A repository whose pre-commit hook installs mlpc from the wheel, as a team does
    // from PyPI with `additional_dependencies: [mlpc==VERSION]`.
    let repo = work.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    run(&mut git(&repo, &["init", "--quiet", "--initial-branch", "main"]));
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: mlpc-check\n        name: mlpc check\n        entry: mlpc check\n        language: python\n        additional_dependencies: [\"{}\"]\n        files: \\.mlp$\n      - id: mlpc-fmt\n        name: mlpc fmt\n        entry: mlpc fmt --check\n        language: python\n        additional_dependencies: [\"{}\"]\n        files: \\.mlp$\n",
            wheel.display(),
            wheel.display()
        ),
    )
    .unwrap();
    let broken = "pipeline p {\n  role      = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://bucket-x/p\"\n\n  step load: sql {\n    engine = athena\n    query  = \"select 1\"\n    out rows: dataset<csv>\n  }\n\n  step count: sql {\n    engine = athena\n    query  = \"select 2\"\n    after  = [laod]\n    out n: dataset<csv>\n  }\n}\n";
    std::fs::write(repo.join("p.mlp"), broken).unwrap();
    let pre_commit_home = work.join("pre-commit-home");
    let pre_commit = |args: &[&str]| {
        let mut cmd = Command::new(tool("pre-commit"));
        cmd.args(args).current_dir(&repo).env("PRE_COMMIT_HOME", &pre_commit_home).env("NO_COLOR", "1");
        cmd
    };
    run(&mut pre_commit(&["install"]));
    run(&mut git(&repo, &["add", "."]));

    let refused =
        git(&repo, &["commit", "--quiet", "-m", "broken"]).env("PRE_COMMIT_HOME", &pre_commit_home).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&refused.stderr));
    assert!(!refused.status.success(), "the broken pipeline was committed:\n{said}");
    assert!(said.contains("E0201") && said.contains("laod"), "the hook shows the diagnostic:\n{said}");

    std::fs::write(repo.join("p.mlp"), broken.replace("[laod]", "[load]")).unwrap();
    run(&mut git(&repo, &["add", "."]));
    let started = Instant::now();
    let accepted =
        git(&repo, &["commit", "--quiet", "-m", "fixed"]).env("PRE_COMMIT_HOME", &pre_commit_home).output().unwrap();
    assert!(
        accepted.status.success(),
        "the fixed pipeline was refused:\n{}{}",
        String::from_utf8_lossy(&accepted.stdout),
        String::from_utf8_lossy(&accepted.stderr)
    );
    eprintln!("commit with both hooks (environments installed): {:.1?}", started.elapsed());
    let log = run(&mut git(&repo, &["log", "--format=%s"]));
    assert_eq!(String::from_utf8_lossy(&log.stdout), "fixed\n");
    let _ = std::fs::remove_dir_all(&work);
}
