; Scopes, definitions and references: a pipeline's steps, params, images and a step's
; outputs are defined once and referred to by paths (`prep.train`, `params.depth`).

(pipeline_body) @local.scope

(step_body) @local.scope

(step
  name: (identifier) @local.definition.function)

(param
  name: (identifier) @local.definition.parameter)

(image
  name: (identifier) @local.definition.constant)

(output
  name: (identifier) @local.definition.field)

(path
  .
  (identifier) @local.reference)
