; Array dimensions that mention NR_CPUS or CONFIG_NR_CPUS, in declarators (fields, globals,
; locals, parameters) and in type names (casts, sizeof, macro type arguments).
((array_declarator size: (_) @dim) @array
  (#match? @dim "(^|[^A-Za-z0-9_])(CONFIG_)?NR_CPUS([^A-Za-z0-9_]|$)"))
((abstract_array_declarator size: (_) @dim) @array
  (#match? @dim "(^|[^A-Za-z0-9_])(CONFIG_)?NR_CPUS([^A-Za-z0-9_]|$)"))
