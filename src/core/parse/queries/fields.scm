; Struct/union fields whose type can hold a reference count. The extractor applies the name rule
; (triggers.ts) and keeps `int __percpu *` only with the __percpu qualifier and one '*'.
((field_declaration type: (_) @type) @field
  (#match? @type "^(atomic_t|atomic_long_t|refcount_t|local_t|struct[ \t\n]+kref|struct[ \t\n]+percpu_ref|(unsigned[ \t\n]+)?(int|long))$"))
