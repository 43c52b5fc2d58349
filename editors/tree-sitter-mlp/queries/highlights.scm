; Highlighting for .mlp files. Capture names are the common ones Neovim, Helix and Zed
; share; within one node, the more specific patterns come first.

(comment) @comment

[
  "pipeline"
  "param"
  "image"
  "step"
  "in"
  "out"
] @keyword

[
  "and"
  "or"
  "not"
] @keyword.operator

(binary_expression
  operator: "in" @keyword.operator)

[
  "=="
  "!="
  "<="
  ">="
  "<"
  ">"
  "="
] @operator

(pipeline
  name: (identifier) @module)

(step
  name: (identifier) @function)

(step
  kind: (identifier) @type.builtin)

(param
  name: (identifier) @variable.parameter)

(param
  type: (identifier) @type.builtin)

(image
  name: (identifier) @constant)

(input
  name: (identifier) @variable.member)

(output
  name: (identifier) @variable.member)

(type) @type

(field
  key: (identifier) @property)

(field
  key: (string) @property)

(call
  function: (identifier) @function.builtin)

((path
  .
  (identifier) @variable.builtin)
  (#any-of? @variable.builtin "params" "config" "run"))

(path
  (identifier) @variable)

[
  (string)
  (triple_string)
] @string

(escape_sequence) @string.escape

(interpolation
  [
    "${"
    "}"
  ] @punctuation.special)

[
  (number)
  (duration)
] @number

(date) @string.special

(boolean) @boolean

[
  "{"
  "}"
  "["
  "]"
  "("
  ")"
] @punctuation.bracket

[
  ","
  ":"
  "."
] @punctuation.delimiter
