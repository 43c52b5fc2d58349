// The VS Code extension's TextMate grammar in VS Code's own tokenizer (vscode-textmate
// with the Oniguruma regex engine, from target/node): every file named on the command
// line tokenizes and ends outside any string (no quote left open), and a sample's
// tokens get the scopes a theme colours. Run by tests/vscode.rs.
const fs = require('fs');
const path = require('path');
const modules = path.resolve(__dirname, '../../target/node/node_modules');
const textmate = require(path.join(modules, 'vscode-textmate'));
const oniguruma = require(path.join(modules, 'vscode-oniguruma'));

const grammarPath = path.resolve(__dirname, '../../editors/vscode/syntaxes/mlp.tmLanguage.json');

async function grammar() {
  const wasm = fs.readFileSync(path.join(modules, 'vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === 'source.mlp' ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  return registry.loadGrammar('source.mlp');
}

// Each token's text and its innermost scope, line by line; and the rule stack at the end.
function tokenize(g, text) {
  let stack = textmate.INITIAL;
  const tokens = [];
  for (const line of text.split('\n')) {
    const result = g.tokenizeLine(line, stack);
    for (const t of result.tokens) {
      tokens.push([line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1], t.scopes]);
    }
    stack = result.ruleStack;
  }
  return { tokens, ended: stack.equals(textmate.INITIAL) || stack.depth === 1 };
}

const SAMPLE = `# A small job.
pipeline daily {
  region = "us-east-1"
  param day: string = "2026-01-01"
  image sk = sagemaker_image("sklearn", "1.2-1")

  step extract: sql {
    query = """
      select * from clicks where day = '\${params.day}' and note = "\\t"
    """
    out rows: dataset<parquet>
  }

  step ok: condition {
    check = not (config.a.b in ["x"]) and 30m >= 2
  }
}
`;

function expect(tokens, text, scope) {
  const found = tokens.find(([t, s]) => t === text && s.startsWith(scope));
  if (!found) {
    const seen = tokens.filter(([t]) => t === text).map(([, s]) => s);
    throw new Error(`\`${text}\` should be ${scope}, is ${JSON.stringify(seen)}`);
  }
}

(async () => {
  const g = await grammar();
  let files = 0;
  for (const file of process.argv.slice(2)) {
    const { ended } = tokenize(g, fs.readFileSync(file, 'utf8'));
    if (!ended) throw new Error(`${file}: the grammar is still inside a string or interpolation at the end`);
    files += 1;
  }
  const { tokens } = tokenize(g, SAMPLE);
  expect(tokens, '# A small job.', 'comment.line');
  expect(tokens, 'pipeline', 'keyword.other');
  expect(tokens, 'daily', 'entity.name.namespace');
  expect(tokens, 'extract', 'entity.name.function');
  expect(tokens, 'sql', 'support.type');
  expect(tokens, 'day', 'variable.parameter');
  expect(tokens, 'sk', 'entity.name.constant');
  expect(tokens, 'sagemaker_image', 'support.function');
  expect(tokens, 'region', 'variable.other.property');
  expect(tokens, 'rows', 'variable.other.member');
  expect(tokens, 'dataset<parquet>', 'entity.name.type');
  expect(tokens, 'us-east-1', 'string.quoted.double');
  expect(tokens, '      select * from clicks where day = \'', 'string.quoted.triple');
  expect(tokens, '${', 'punctuation.definition.template-expression.begin');
  expect(tokens, '\\t', 'constant.character.escape');
  expect(tokens, 'not', 'keyword.operator.logical');
  expect(tokens, 'in', 'keyword.operator.logical');
  expect(tokens, '30m', 'constant.numeric.duration');
  expect(tokens, '2', 'constant.numeric');
  expect(tokens, 'config', 'variable.language');
  console.log(`tokenized ${files} files and the sample`);
})().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
