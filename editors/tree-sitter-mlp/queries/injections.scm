; SQL in a `sql` step's `query` or `statement`, in either kind of string.

((field
  key: (identifier) @_key
  value: [
    (string)
    (triple_string)
  ] @injection.content)
  (#any-of? @_key "query" "statement")
  (#set! injection.language "sql")
  (#set! injection.include-children))

((comment) @injection.content
  (#set! injection.language "comment"))
