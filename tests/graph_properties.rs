//! Property: randomly generated valid pipelines (random DAGs of sql and processing
//! steps, with artifact edges and `after` edges) always compile for every target, the
//! JSON outputs parse, the Airflow output parses as Python, and the graph each target
//! encodes is the input graph:
//!
//! - Airflow: the `a_task >> b_task` statements (read with Python's `ast`) are exactly
//!   the `.mlp` edges;
//! - SageMaker: DependsOn plus every `Get` of another step are exactly the edges
//!   between the steps it runs (sql steps become inputs of their readers);
//! - Step Functions: every step has exactly one Task state, and the order the states
//!   impose (sequence and Parallel nesting) contains every edge and adds only what
//!   `plan::added_waits` reports, which is nothing for a series-parallel graph.
//!
//! With condition steps, SageMaker's branches, and Step Functions' gates (run by a
//! small interpreter of the JSONPath states mlpc writes), run exactly the steps the
//! shared schedule does not skip, for every outcome of the conditions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use mlpc::ir::Pipeline;
use mlpc::schedule::plan;
use mlpc::targets::stepfunctions::QueryLanguage;
use mlpc::targets::{Target, TargetOptions};
use mlpc::MemoryFiles;
use proptest::prelude::*;
use serde_json::{json, Value as Json};

/// A pipeline for a random DAG: step i reads steps with lower index where `reads[i][j]`,
/// waits (`after`) where `waits[i][j]`; the first `sql` steps are Athena queries, all
/// read by the last step at least.
fn pipeline(reads: &[Vec<bool>], waits: &[Vec<bool>], sql: usize) -> String {
    let mut text = String::from(
        "pipeline gen {\n  role = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://bucket-x/p\"\n  region = \"us-east-1\"\n  image i = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\"\n",
    );
    for (to, row) in reads.iter().enumerate() {
        if to < sql {
            text.push_str(&format!(
                "  step s{to}: sql {{\n    engine = athena, database = \"db\", query = \"select {to}\"\n    out out: dataset<parquet>\n  }}\n"
            ));
            continue;
        }
        text.push_str(&format!(
            "  step s{to}: processing {{\n    image = i, instance = \"ml.m5.large\", code = \"job.py\"\n"
        ));
        // The last step reads every query: on SageMaker a query runs inside its reader.
        let last = to + 1 == reads.len();
        for from in (0..to).filter(|f| row[*f] || (last && *f < sql)).take(9) {
            text.push_str(&format!("    in from{from} = s{from}.out\n"));
        }
        let after: Vec<String> = (sql..to).filter(|f| waits[to][*f] && !row[*f]).map(|f| format!("s{f}")).collect();
        if !after.is_empty() {
            text.push_str(&format!("    after = [{}]\n", after.join(", ")));
        }
        text.push_str("    out out: dataset<parquet>\n  }\n");
    }
    text + "}\n"
}

fn compile(text: &str, target: Target) -> Pipeline {
    let files = MemoryFiles::default().with("job.py", "print(1)\n");
    let checked = mlpc::check(text, &files, &Default::default(), Some(target));
    checked.pipeline.unwrap_or_else(|| panic!("{text}\n{:#?}", checked.diagnostics))
}

fn emit(ir: &Pipeline, target: Target, lang: QueryLanguage) -> String {
    let options = match target {
        Target::StepFunctions => TargetOptions::StepFunctions { query_language: lang },
        other => TargetOptions::defaults(other),
    };
    mlpc::targets::build(ir, &options, "").unwrap().output.unwrap().contents
}

/// The IR's edges as step-name pairs, without duplicates.
fn edges(ir: &Pipeline, keep: impl Fn(&mlpc::ir::Step) -> bool) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for step in ir.steps.iter().filter(|s| keep(s)) {
        for up in ir.upstream(step.id) {
            if keep(&ir.steps[up.0]) {
                out.insert((ir.steps[up.0].name.node.clone(), step.name.node.clone()));
            }
        }
    }
    out
}

fn gets(v: &Json, out: &mut BTreeSet<String>) {
    match v {
        Json::Object(m) => {
            if let Some(Json::String(path)) = m.get("Get") {
                if let Some(step) = path.strip_prefix("Steps.").and_then(|r| r.split('.').next()) {
                    out.insert(step.to_string());
                }
            }
            m.values().for_each(|x| gets(x, out));
        }
        Json::Array(a) => a.iter().for_each(|x| gets(x, out)),
        _ => {}
    }
}

fn sagemaker_edges(def: &Json) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for step in def["Steps"].as_array().unwrap() {
        let name = step["Name"].as_str().unwrap().to_string();
        let mut from = BTreeSet::new();
        gets(&step["Arguments"], &mut from);
        from.extend(step["DependsOn"].as_array().into_iter().flatten().map(|d| d.as_str().unwrap().to_string()));
        out.extend(from.into_iter().map(|f| (f, name.clone())));
    }
    out
}

/// For each state: the states that finish before it starts, as the ASL nests them.
fn asl_order(
    states: &Json,
    start: &str,
    before: &BTreeSet<String>,
    out: &mut BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<String> {
    let mut done = before.clone();
    let mut current = Some(start.to_string());
    while let Some(name) = current {
        let state = &states[&name];
        out.entry(name.clone()).or_default().extend(done.iter().cloned());
        if let Some(branches) = state["Branches"].as_array() {
            let mut all = done.clone();
            for b in branches {
                all.extend(asl_order(&b["States"], b["StartAt"].as_str().unwrap(), &done, out));
            }
            done = all;
        }
        done.insert(name.clone());
        // Follow the run's successful path: Next, or a Choice's default.
        current = state["Next"].as_str().or(state["Default"].as_str()).map(String::from);
    }
    done
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn json_targets_encode_exactly_the_input_graph(
        (reads, waits, sql) in (2usize..=10).prop_flat_map(|n| (
            prop::collection::vec(prop::collection::vec(any::<bool>(), n), n),
            prop::collection::vec(prop::collection::vec(prop::bool::weighted(0.15), n), n),
            0..3usize,
        ))
    ) {
        let sql = sql.min(reads.len() - 1);
        let text = pipeline(&reads, &waits, sql);

        let ir = compile(&text, Target::Sagemaker);
        let def: Json = serde_json::from_str(&emit(&ir, Target::Sagemaker, QueryLanguage::Jsonata)).unwrap();
        // Every step is a SageMaker step (a sql step a processing job of its own).
        prop_assert_eq!(sagemaker_edges(&def), edges(&ir, |_| true), "{}", text);

        let ir = compile(&text, Target::StepFunctions);
        let all = edges(&ir, |_| true);
        let plan = plan::plan(&ir);
        let added: BTreeSet<(String, String)> = plan::added_waits(&ir, &plan)
            .into_iter()
            .map(|(a, b)| (ir.steps[a.0].name.node.clone(), ir.steps[b.0].name.node.clone()))
            .collect();
        for lang in [QueryLanguage::Jsonata, QueryLanguage::Jsonpath] {
            let def: Json = serde_json::from_str(&emit(&ir, Target::StepFunctions, lang)).unwrap();
            let mut order = BTreeMap::new();
            asl_order(&def["States"], def["StartAt"].as_str().unwrap(), &BTreeSet::new(), &mut order);
            let names: BTreeSet<String> = ir.steps.iter().map(|s| s.name.node.clone()).collect();
            for n in &names {
                prop_assert!(order.contains_key(n), "step {} has no state\n{}", n, text);
            }
            // The order between steps the machine imposes (a Redshift-free pipeline:
            // every step is one state), transitively closed by construction.
            let imposed: BTreeSet<(String, String)> = names
                .iter()
                .flat_map(|b| order[b].iter().filter(|a| names.contains(*a)).map(move |a| (a.clone(), b.clone())))
                .collect();
            for e in &all {
                prop_assert!(imposed.contains(e), "edge {:?} not kept\n{}", e, text);
            }
            let closure = closure(&all);
            let extra: BTreeSet<(String, String)> = imposed.difference(&closure).cloned().collect();
            prop_assert_eq!(&extra, &added, "{}", text);
        }
    }
}

fn closure(edges: &BTreeSet<(String, String)>) -> BTreeSet<(String, String)> {
    let mut out = edges.clone();
    loop {
        let more: Vec<(String, String)> = out
            .iter()
            .flat_map(|(a, b)| out.iter().filter(move |(c, _)| c == b).map(move |(_, d)| (a.clone(), d.clone())))
            .filter(|e| !out.contains(e))
            .collect();
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

/// A deterministic stream of pseudo-random numbers (xorshift64) from `seed`.
fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// Airflow: 40 random pipelines, parsed by Python's `ast` in one process; the
/// dependency statements are exactly the edges.
#[test]
fn airflow_dags_parse_as_python_and_encode_exactly_the_input_graph() {
    let mut next = xorshift(7u64);
    let dir = std::env::temp_dir().join(format!("mlpc-graph-props-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut expected = BTreeMap::new();
    for case in 0..40 {
        let n = 2 + next() as usize % 12;
        let reads: Vec<Vec<bool>> = (0..n).map(|_| (0..n).map(|_| next() % 3 == 0).collect()).collect();
        let waits: Vec<Vec<bool>> = (0..n).map(|_| (0..n).map(|_| next() % 7 == 0).collect()).collect();
        let text = pipeline(&reads, &waits, next() as usize % 3);
        let ir = compile(&text, Target::Airflow);
        let file = dir.join(format!("case{case}.py"));
        std::fs::write(&file, emit(&ir, Target::Airflow, QueryLanguage::Jsonata)).unwrap();
        let edges: BTreeSet<(String, String)> = edges(&ir, |_| true);
        expected.insert(file.file_name().unwrap().to_string_lossy().into_owned(), edges);
    }
    let script = r#"
import ast, json, pathlib, sys
out = {}
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.py")):
    edges = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
            edges.append([node.left.id.removesuffix("_task"), node.right.id.removesuffix("_task")])
    out[path.name] = sorted(edges)
print(json.dumps(out))
"#;
    let out = Command::new("python3").args(["-c", script]).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parsed: BTreeMap<String, Vec<(String, String)>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed.len(), 40);
    for (file, edges) in parsed {
        let got: BTreeSet<(String, String)> = edges.into_iter().collect();
        assert_eq!(got, expected[&file], "{file}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The shared schedule skips exactly the steps whose guard fails and everything
    /// downstream of a skipped step, whatever the graph (guards are set on the IR here:
    /// the `when` syntax comes with condition steps).
    #[test]
    fn the_schedule_skips_failed_guards_and_everything_downstream(
        (reads, waits, guards, outcomes) in (2usize..=10).prop_flat_map(|n| (
            prop::collection::vec(prop::collection::vec(any::<bool>(), n), n),
            prop::collection::vec(prop::collection::vec(prop::bool::weighted(0.15), n), n),
            prop::collection::vec(prop::option::weighted(0.3, (0..n, any::<bool>())), n),
            prop::collection::vec(prop::option::of(any::<bool>()), n),
        ))
    ) {
        let text = pipeline(&reads, &waits, 0);
        let mut ir = compile(&text, Target::Airflow);
        // A guard may only name an earlier step, as the graph's edges do.
        for (id, guard) in guards.iter().enumerate() {
            if let Some((condition, when)) = guard.filter(|(c, _)| *c < id) {
                let guard = mlpc::ir::Guard { condition: mlpc::ir::StepId(condition), when, span: ir.span };
                ir.add_guard(mlpc::ir::StepId(id), guard);
            }
        }
        // Every edge runs from a lower index to a higher one: source order is a
        // topological order.
        ir.order = (0..ir.steps.len()).map(mlpc::ir::StepId).collect();
        let skipped = mlpc::schedule::skipped(&ir, |c| outcomes[c.0]);
        // Independently: the failed guards, then everything reachable from them.
        let mut expected = BTreeSet::new();
        let mut stack: Vec<usize> = (0..ir.steps.len())
            .filter(|&i| ir.steps[i].guard.is_some_and(|g| outcomes[g.condition.0] != Some(g.when)))
            .collect();
        while let Some(i) = stack.pop() {
            if expected.insert(i) {
                stack.extend(ir.downstream(mlpc::ir::StepId(i)).into_iter().map(|s| s.0));
            }
        }
        let got: BTreeSet<usize> = skipped.into_iter().map(|s| s.0).collect();
        prop_assert_eq!(got, expected, "{}", text);
    }
}

/// A pipeline with condition steps: `s0` writes a report every condition reads; step
/// `sK` (K ≥ 1) reads the steps `reads` says and runs under the guard `guards[K]`
/// (condition index, outcome); condition `cJ` may itself be guarded by an earlier one.
fn gated_pipeline(reads: &[Vec<bool>], guards: &[Option<(usize, bool)>], nested: &[Option<(usize, bool)>]) -> String {
    let mut text = String::from(
        "pipeline gen {\n  role = \"arn:aws:iam::123456789012:role/R\"\n  artifacts = \"s3://bucket-x/p\"\n  region = \"us-east-1\"\n  image i = \"123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1\"\n",
    );
    let keys: Vec<String> = (0..nested.len()).map(|j| format!("v{j} = float")).collect();
    text.push_str(&format!(
        "  step s0: processing {{\n    image = i, instance = \"ml.m5.large\", code = \"job.py\"\n    out rep: report {{ schema = {{ {} }} }}\n    out out: dataset<parquet>\n  }}\n",
        keys.join(", ")
    ));
    for (j, guard) in nested.iter().enumerate() {
        text.push_str(&format!("  step c{j}: condition {{\n    check = s0.rep.v{j} <= 0.5\n"));
        if let Some((c, when)) = guard.filter(|(c, _)| *c < j) {
            text.push_str(&format!("    when = {}c{c}\n", if when { "" } else { "not " }));
        }
        text.push_str("  }\n");
    }
    for (to, row) in reads.iter().enumerate().skip(1) {
        text.push_str(&format!(
            "  step s{to}: processing {{\n    image = i, instance = \"ml.m5.large\", code = \"job.py\"\n"
        ));
        for from in (0..to).filter(|f| row[*f]).take(9) {
            text.push_str(&format!("    in from{from} = s{from}.out\n"));
        }
        if let Some((c, when)) = guards[to].filter(|(c, _)| *c < nested.len()) {
            text.push_str(&format!("    when = {}c{c}\n", if when { "" } else { "not " }));
        }
        text.push_str("    out out: dataset<parquet>\n  }\n");
    }
    text + "}\n"
}

type GatedCase = (Vec<Vec<bool>>, Vec<Option<(usize, bool)>>, Vec<Option<(usize, bool)>>, Vec<bool>);

/// `gated_pipeline`'s arguments for 2 to 8 steps and 1 to 4 conditions, and an outcome
/// for each condition.
fn gated_cases() -> impl Strategy<Value = GatedCase> {
    (2usize..=8, 1usize..=4).prop_flat_map(|(n, m)| {
        (
            prop::collection::vec(prop::collection::vec(prop::bool::weighted(0.4), n), n),
            prop::collection::vec(prop::option::weighted(0.5, (0..m, any::<bool>())), n),
            prop::collection::vec(prop::option::weighted(0.4, (0..m, any::<bool>())), m),
            prop::collection::vec(any::<bool>(), m),
        )
    })
}

/// The value at a JSONPath of the forms mlpc writes (`$`, `$.a.b`, `$[0].a`), if any.
fn at<'a>(data: &'a Json, path: &str) -> Option<&'a Json> {
    let mut value = data;
    let rest = path.strip_prefix('$')?;
    for segment in rest.split('.').filter(|s| !s.is_empty()) {
        let (key, index) = match segment.split_once('[') {
            Some((key, index)) => (key, index.strip_suffix(']')?.parse::<usize>().ok()),
            None => (segment, None),
        };
        if !key.is_empty() {
            value = value.get(key)?;
        }
        if let Some(i) = index {
            value = value.get(i)?;
        }
    }
    Some(value)
}

/// Sets the value at a JSONPath `$.a.b`, creating the objects on the way.
fn put(data: &mut Json, path: &str, value: Json) {
    let keys: Vec<&str> = path.trim_start_matches("$.").split('.').collect();
    let mut at = data;
    for key in &keys[..keys.len() - 1] {
        at = at.as_object_mut().unwrap().entry(key.to_string()).or_insert(Json::Object(Default::default()));
    }
    at.as_object_mut().unwrap().insert(keys[keys.len() - 1].to_string(), value);
}

/// Whether a Choice rule of the forms mlpc writes (JSONPath) matches.
fn matches(rule: &Json, data: &Json) -> bool {
    if let Some(inner) = rule.get("Not") {
        return !matches(inner, data);
    }
    if let Some(all) = rule.get("And") {
        return all.as_array().unwrap().iter().all(|r| matches(r, data));
    }
    if let Some(any) = rule.get("Or") {
        return any.as_array().unwrap().iter().any(|r| matches(r, data));
    }
    let value = at(data, rule["Variable"].as_str().unwrap());
    let obj = rule.as_object().unwrap();
    let (test, expected) = obj.iter().find(|(k, _)| *k != "Variable" && *k != "Next").unwrap();
    let expected = match test.strip_suffix("Path") {
        Some(_) => at(data, expected.as_str().unwrap()).cloned().unwrap_or(Json::Null),
        None => expected.clone(),
    };
    let number = |v: &Json| v.as_f64();
    match test.trim_end_matches("Path") {
        "IsPresent" => value.is_some() == expected.as_bool().unwrap(),
        "IsNumeric" => value.is_some_and(Json::is_number) == expected.as_bool().unwrap(),
        "StringEquals" => value == Some(&expected),
        "NumericLessThanEquals" => value.and_then(number).zip(number(&expected)).is_some_and(|(a, b)| a <= b),
        other => panic!("a rule this test does not know: {other}"),
    }
}

/// Runs a JSONPath machine's states from `start` as Step Functions would, with every
/// Task done at once (a report read gets `report`); records each state entered.
/// Returns the state data at the end, or `None` when the run failed.
fn interpret(states: &Json, start: &str, mut data: Json, report: &Json, entered: &mut Vec<String>) -> Option<Json> {
    let mut current = start.to_string();
    loop {
        entered.push(current.clone());
        let state = &states[&current];
        let result_path = |data: &mut Json, result: Json| match &state["ResultPath"] {
            Json::Null if state.get("ResultPath").is_some() => {}
            Json::String(path) => put(data, path, result),
            _ => *data = result,
        };
        match state["Type"].as_str().unwrap() {
            "Pass" => {
                if let Some(result) = state.get("Result") {
                    result_path(&mut data, result.clone());
                }
            }
            "Task" => {
                let result = if state["Resource"] == "arn:aws:states:::aws-sdk:s3:getObject" {
                    json!({ "value": report })
                } else {
                    json!({ "S3ModelArtifacts": "s3://b/model.tar.gz" })
                };
                result_path(&mut data, result);
            }
            "Choice" => {
                let next = state["Choices"].as_array().unwrap().iter().find(|r| matches(r, &data));
                current = next.map_or(&state["Default"], |r| &r["Next"]).as_str().unwrap().to_string();
                continue;
            }
            "Parallel" => {
                let mut outputs = Vec::new();
                for branch in state["Branches"].as_array().unwrap() {
                    let start = branch["StartAt"].as_str().unwrap();
                    outputs.push(interpret(&branch["States"], start, data.clone(), report, entered)?);
                }
                let mut result = Json::Array(outputs);
                if let Some(selector) = state.get("ResultSelector") {
                    let selected: serde_json::Map<String, Json> = selector
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| {
                            (k.trim_end_matches(".$").to_string(), at(&result, v.as_str().unwrap()).unwrap().clone())
                        })
                        .collect();
                    result = Json::Object(selected);
                }
                result_path(&mut data, result);
            }
            "Fail" => return None,
            "Succeed" => return Some(data),
            other => panic!("a state type this test does not know: {other}"),
        }
        match state.get("Next") {
            Some(next) => current = next.as_str().unwrap().to_string(),
            None => return Some(data),
        }
    }
}

/// The steps a SageMaker execution runs, given each condition's outcome: the top-level
/// steps, and a condition's `IfSteps` or `ElseSteps` when the condition runs.
fn sagemaker_runs(steps: &[Json], outcome: &dyn Fn(&str) -> bool, out: &mut BTreeSet<String>) {
    for step in steps {
        let name = step["Name"].as_str().unwrap().to_string();
        if step["Type"] == "Condition" {
            let branch = if outcome(&name) { "IfSteps" } else { "ElseSteps" };
            sagemaker_runs(step["Arguments"][branch].as_array().unwrap(), outcome, out);
        }
        out.insert(name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// Random pipelines with conditions: SageMaker runs exactly the steps the shared
    /// schedule does not skip, for every outcome of the conditions; or, when a step
    /// needs outcomes no one branch holds, the build says so (E0501) instead.
    #[test]
    fn sagemaker_branches_skip_exactly_what_the_schedule_skips(
        (reads, guards, nested, outcomes) in gated_cases()
    ) {
        let text = gated_pipeline(&reads, &guards, &nested);
        let files = MemoryFiles::default().with("job.py", "print(1)\n");
        let checked = mlpc::compile(&text, &files, &Default::default(), Some(&TargetOptions::Sagemaker), "gen.mlp");
        let ir = mlpc::check(&text, &files, &Default::default(), None).pipeline.unwrap();
        let unplaceable = mlpc::schedule::placements(&mlpc::schedule::controls(&ir)).contains(&mlpc::schedule::Placement::Nowhere);
        let refused = checked.diagnostics.iter().any(|d| d.code == mlpc::Code::UnsupportedStepKind);
        prop_assert_eq!(refused, unplaceable, "{}\n{:?}", text, checked.diagnostics);
        let Some(output) = checked.output else { return Ok(()) };
        let def: Json = serde_json::from_str(&output.contents).unwrap();
        let index = |name: &str| name.strip_prefix('c').map(|j| j.parse::<usize>().unwrap());
        let mut ran = BTreeSet::new();
        sagemaker_runs(def["Steps"].as_array().unwrap(), &|name| outcomes[index(name).unwrap()], &mut ran);
        let condition_of = |id: mlpc::ir::StepId| index(ir.step_name(id));
        let skipped = mlpc::schedule::skipped(&ir, |c| condition_of(c).map(|j| outcomes[j]));
        let expected: BTreeSet<String> =
            ir.steps.iter().filter(|s| !skipped.contains(&s.id)).map(|s| s.name.node.clone()).collect();
        prop_assert_eq!(ran, expected, "{}", text);
    }

    /// The same pipelines on Step Functions (JSONPath), run by a small interpreter of
    /// the states mlpc writes: the steps whose states are entered are exactly those the
    /// shared schedule does not skip, for every outcome; and each entered once.
    #[test]
    fn stepfunctions_gates_skip_exactly_what_the_schedule_skips(
        (reads, guards, nested, outcomes) in gated_cases()
    ) {
        let text = gated_pipeline(&reads, &guards, &nested);
        let ir = compile(&text, Target::StepFunctions);
        let machine: Json = serde_json::from_str(&emit(&ir, Target::StepFunctions, QueryLanguage::Jsonpath)).unwrap();
        // Condition cJ holds when its value is at most 0.5.
        let report: serde_json::Map<String, Json> =
            outcomes.iter().enumerate().map(|(j, holds)| (format!("v{j}"), json!(if *holds { 0.0 } else { 1.0 }))).collect();
        let states = &machine["States"];
        // From the first state after the run's own (no parameters here).
        let first = states["Merge parameters"]["Next"].as_str().unwrap();
        let mut entered = Vec::new();
        let end = interpret(states, first, json!({ "run": { "jobid": "x" } }), &Json::Object(report), &mut entered);
        prop_assert!(end.is_some(), "{}\n{:?}", text, entered);
        let ran: BTreeSet<String> = ir.steps.iter().map(|s| s.name.node.clone()).filter(|n| entered.contains(n)).collect();
        for step in &ran {
            prop_assert_eq!(entered.iter().filter(|e| *e == step).count(), 1, "{} entered twice", step);
        }
        let index = |name: &str| name.strip_prefix('c').map(|j| j.parse::<usize>().unwrap());
        let skipped = mlpc::schedule::skipped(&ir, |c| index(ir.step_name(c)).map(|j| outcomes[j]));
        let expected: BTreeSet<String> =
            ir.steps.iter().filter(|s| !skipped.contains(&s.id)).map(|s| s.name.node.clone()).collect();
        prop_assert_eq!(ran, expected, "{}", text);
    }
}

/// Airflow: 40 random pipelines with conditions, read by Python's `ast` in one process
/// (the dependency statements, and each branch task's `when_true`/`when_false`/`always`
/// lists), then run by the rules Airflow applies with the trigger rule mlpc leaves at
/// its default (`all_success`): a branch task skips its direct downstream tasks it did
/// not return, and a task with a skipped upstream task is skipped. For every outcome of
/// the conditions, the tasks that run are exactly the steps the shared schedule does
/// not skip.
#[test]
fn airflow_branches_skip_exactly_what_the_schedule_skips() {
    let mut next = xorshift(11u64);
    let dir = std::env::temp_dir().join(format!("mlpc-branch-props-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut cases = BTreeMap::new();
    for case in 0..40 {
        let (n, m) = (2 + next() as usize % 7, 1 + next() as usize % 4);
        let reads: Vec<Vec<bool>> = (0..n).map(|_| (0..n).map(|_| next() % 5 < 2).collect()).collect();
        let mut guard = |k: usize| (next() % 2 == 0).then(|| (next() as usize % m, next() % 2 == 0)).filter(|_| k > 0);
        let guards: Vec<Option<(usize, bool)>> = (0..n).map(&mut guard).collect();
        let nested: Vec<Option<(usize, bool)>> = (0..m).map(|j| guard(j).filter(|(c, _)| *c < j)).collect();
        let text = gated_pipeline(&reads, &guards, &nested);
        let ir = compile(&text, Target::Airflow);
        let file = format!("case{case}.py");
        std::fs::write(dir.join(&file), emit(&ir, Target::Airflow, QueryLanguage::Jsonata)).unwrap();
        cases.insert(file, (ir, m, text));
    }
    let script = r#"
import ast, json, pathlib, sys
out = {}
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.py")):
    edges, branches = [], {}
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
            edges.append([node.left.id.removesuffix("_task"), node.right.id.removesuffix("_task")])
        if isinstance(node, ast.Call) and any(k.arg == "when_true" for k in node.keywords):
            lists = {k.arg: [e.value for e in k.value.elts] for k in node.keywords if k.arg in ("when_true", "when_false", "always")}
            branch = node.func.func  # task.branch(task_id=...)
            task_id = next(k.value.value for k in branch.keywords if k.arg == "task_id")
            branches[task_id] = lists
    out[path.name] = {"edges": sorted(edges), "branches": branches}
print(json.dumps(out))
"#;
    let out = Command::new("python3").args(["-c", script]).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parsed: BTreeMap<String, Json> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed.len(), 40);
    let mut branched = 0;
    for (file, dag) in &parsed {
        let (ir, m, text) = &cases[file];
        let edges: Vec<(String, String)> = serde_json::from_value(dag["edges"].clone()).unwrap();
        let branches = dag["branches"].as_object().unwrap();
        branched += usize::from(!branches.is_empty());
        for bits in 0..(1u32 << m) {
            let holds = |j: usize| bits & (1 << j) != 0;
            let mut skipped: BTreeSet<String> = BTreeSet::new();
            // Source order is a topological order of the tasks (edges go forward).
            for id in &ir.order {
                let name = ir.step_name(*id);
                let upstream: Vec<&String> = edges.iter().filter(|(_, to)| to == name).map(|(from, _)| from).collect();
                let skip = upstream.iter().any(|up| {
                    if skipped.contains(*up) {
                        return true;
                    }
                    let Some(lists) = branches.get(up.as_str()) else { return false };
                    let j: usize = up.strip_prefix('c').unwrap().parse().unwrap();
                    let chosen = if holds(j) { "when_true" } else { "when_false" };
                    let returned = lists["always"].as_array().unwrap().iter().chain(lists[chosen].as_array().unwrap());
                    !returned.clone().any(|t| t == name)
                });
                if skip {
                    skipped.insert(name.to_string());
                }
            }
            let index = |name: &str| name.strip_prefix('c').map(|j| j.parse::<usize>().unwrap());
            let expected: BTreeSet<String> = mlpc::schedule::skipped(ir, |c| index(ir.step_name(c)).map(holds))
                .into_iter()
                .map(|id| ir.step_name(id).to_string())
                .collect();
            assert_eq!(skipped, expected, "{file}, outcomes {bits:b}:\n{text}");
        }
    }
    assert!(branched >= 30, "too few pipelines with conditions: {branched}");
}
