// Evaluates every JSONata expression in the Arguments of every Task state of a
// JSONata state machine, with the jsonata package (the one asl-validator uses), and
// prints {state name: rendered Arguments} as JSON. A Choice state renders to the
// list of its rules' Conditions (true or false, in order), a Fail state to its
// rendered {Error, Cause}. A Choice or Fail whose expression raises renders to
// {"error": JSONata's error code}, as Step Functions would fail the run there.
//
// Usage: node render_jsonata.js DEFINITION.json BINDINGS.json
// BINDINGS: {"params": {...}, "jobid": "...", "states": {"context": {...}}}: the
// variables Step Functions provides (`$states`) and the machine assigns (`$params`,
// `$jobid`). Only JSONata's standard functions are available here, which is all the
// Task arguments mlpc writes use.
"use strict";
const fs = require("fs");
const path = require("path");
const jsonata = require(path.join(__dirname, "../../target/node/node_modules/jsonata"));

const [definitionPath, bindingsPath] = process.argv.slice(2);
const definition = JSON.parse(fs.readFileSync(definitionPath, "utf8"));
const bindings = JSON.parse(fs.readFileSync(bindingsPath, "utf8"));

async function render(value) {
  if (typeof value === "string") {
    const m = /^\{%([\s\S]*)%\}$/.exec(value);
    return m ? await jsonata(m[1]).evaluate({}, bindings) : value;
  }
  if (Array.isArray(value)) {
    const out = [];
    for (const v of value) out.push(await render(v));
    return out;
  }
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = await render(v);
    return out;
  }
  return value;
}

async function walk(states, out) {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === "Task") out[name] = await render(state.Arguments);
    const raising = async (value) => {
      try {
        return await render(value);
      } catch (e) {
        return { error: e.code || String(e) };
      }
    };
    if (state.Type === "Choice") out[name] = await raising(state.Choices.map((rule) => rule.Condition));
    if (state.Type === "Fail") out[name] = await raising({ Error: state.Error, Cause: state.Cause });
    for (const branch of state.Branches || []) await walk(branch.States, out);
  }
}

(async () => {
  const out = {};
  await walk(definition.States, out);
  process.stdout.write(JSON.stringify(out));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
