/**
 * tree-sitter grammar for mlpc's `.mlp` pipeline files, for highlighting, folding and
 * structural editing in Neovim, Helix and Zed. The language itself is defined by
 * grammar/mlpc.ebnf and mlpc's parser; this grammar accepts every file mlpc accepts
 * (tests/tree_sitter.rs parses every `.mlp` of the repository) and is more lenient
 * elsewhere: line breaks are white space here, so items may also share a line.
 *
 * Regenerate src/ after a change: `tree-sitter generate` in this folder
 * (CONTRIBUTING.md, "tree-sitter grammar").
 */

/// Items of a body, lists and arguments: each may be followed by a comma.
const items = (rule) => repeat(seq(rule, optional(',')));

module.exports = grammar({
  name: 'mlp',

  extras: ($) => [/[ \t\r\n\uFEFF]/, $.comment],

  word: ($) => $.identifier,

  conflicts: ($) => [[$.field, $.binary_expression], [$.binary_expression]],

  rules: {
    source_file: ($) => repeat($.pipeline),

    pipeline: ($) => seq('pipeline', field('name', $.identifier), field('body', $.pipeline_body)),

    pipeline_body: ($) => seq('{', items(choice($.param, $.image, $.step, $.field)), '}'),

    param: ($) =>
      seq(
        'param',
        field('name', $.identifier),
        ':',
        field('type', $.identifier),
        optional(seq('=', field('default', $._value))),
        optional(field('attributes', $.map)),
      ),

    image: ($) => seq('image', field('name', $.identifier), '=', field('value', $._value)),

    step: ($) =>
      seq('step', field('name', $.identifier), ':', field('kind', $.identifier), field('body', $.step_body)),

    step_body: ($) => seq('{', items(choice($.input, $.output, $.field)), '}'),

    input: ($) =>
      seq(
        'in',
        field('name', $.identifier),
        optional(seq(':', field('type', $.type))),
        optional(seq('=', field('source', $._value), optional(field('options', $.map)))),
      ),

    output: ($) =>
      seq('out', field('name', $.identifier), ':', field('type', $.type), optional(field('options', $.map))),

    type: ($) => seq($.identifier, optional(seq('<', $.identifier, '>'))),

    field: ($) =>
      seq(
        field('key', choice($.identifier, $.string)),
        choice(seq('=', field('value', $._expression)), field('value', $.map)),
      ),

    _expression: ($) => choice($.binary_expression, $.not_expression, $.parenthesized_expression, $._value),

    binary_expression: ($) =>
      choice(
        prec.left(1, seq(field('left', $._expression), field('operator', 'or'), field('right', $._expression))),
        prec.left(2, seq(field('left', $._expression), field('operator', 'and'), field('right', $._expression))),
        prec.left(
          4,
          seq(
            field('left', $._expression),
            field('operator', choice('==', '!=', '<=', '>=', '<', '>')),
            field('right', $._expression),
          ),
        ),
        // Line breaks are white space here, so after a field's value `in` may compare
        // (`x in [...]`) or start the next item (`in NAME = ...`): no precedence, and
        // the parser tries both (the conflict below) until the next tokens decide.
        seq(field('left', $._expression), field('operator', 'in'), field('right', $._expression)),
      ),

    not_expression: ($) => prec(3, seq('not', field('operand', $._expression))),

    parenthesized_expression: ($) => seq('(', $._expression, ')'),

    _value: ($) =>
      choice($.string, $.triple_string, $.number, $.duration, $.date, $.boolean, $.list, $.map, $.call, $.path),

    list: ($) => seq('[', items($._value), ']'),

    map: ($) => seq('{', items($.field), '}'),

    call: ($) => seq(field('function', $.identifier), token.immediate('('), items($._value), ')'),

    path: ($) =>
      seq($.identifier, repeat(choice(seq(token.immediate('.'), $.identifier), seq(token.immediate('['), $.string, ']')))),

    boolean: (_) => choice('true', 'false'),

    number: (_) => token(/-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/),

    duration: (_) => token(/[0-9]+[smhd]/),

    date: (_) => token(/[0-9]{4}-[0-9]{2}-[0-9]{2}/),

    string: ($) =>
      seq(
        '"',
        repeat(choice($.escape_sequence, $.interpolation, $.string_content, alias(token.immediate(prec(2, '$${')), $.escape_sequence))),
        token.immediate('"'),
      ),

    triple_string: ($) =>
      seq(
        '"""',
        repeat(
          choice(
            $.escape_sequence,
            $.interpolation,
            alias($._triple_content, $.string_content),
            alias(token.immediate(prec(2, '$${')), $.escape_sequence),
          ),
        ),
        token.immediate(prec(2, '"""')),
      ),

    // Text of a one-line string: up to a quote, a backslash, a `$` or the line's end;
    // a `$` that does not start `${` is text too.
    string_content: (_) => token.immediate(prec(1, choice(/[^"\\$\n]+/, '$'))),

    // Text of a `"""` string: line breaks and lone quotes are text; `"""` ends it.
    _triple_content: (_) => token.immediate(prec(1, choice(/[^"\\$]+/, '"', '""', '$'))),

    escape_sequence: (_) => token.immediate(prec(2, seq('\\', choice(/["\\ntr$]/, /u\{[0-9a-fA-F]{1,6}\}/)))),

    interpolation: ($) => seq(token.immediate(prec(2, '${')), $.path, '}'),

    identifier: (_) => /[A-Za-z_][A-Za-z0-9_]*/,

    comment: (_) => token(seq('#', /.*/)),
  },
});
