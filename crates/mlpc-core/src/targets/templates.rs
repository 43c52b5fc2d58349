//! The minijinja environment for Python output: strict undefined values, no
//! auto-escaping (values arrive escaped), templates embedded in the binary.

use minijinja::{Environment, UndefinedBehavior};

pub const AIRFLOW_DAG: &str = "airflow/dag.py.j2";

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_trim_blocks(false);
    // Embedded at compile time: a generated file never depends on files at run time.
    let added = env.add_template(AIRFLOW_DAG, include_str!("../../templates/airflow/dag.py.j2"));
    debug_assert!(added.is_ok(), "the embedded DAG template must parse");
    env
}
