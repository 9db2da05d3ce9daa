; PCPU003: per_cpu_ptr(p, smp_processor_id()) and per_cpu(v, smp_processor_id()), raw_ variant too.
((call_expression
   function: (identifier) @fn
   arguments: (argument_list . (_) @var . (call_expression function: (identifier) @cpu arguments: (argument_list) .) .)) @call
  (#match? @fn "^(per_cpu_ptr|per_cpu)$")
  (#match? @cpu "^(raw_)?smp_processor_id$"))
; get_cpu_var/put_cpu_var and get_cpu_ptr/put_cpu_ptr pairs, matched per function.
((call_expression function: (identifier) @pair arguments: (argument_list . (_) @pvar .)) @pcall
  (#match? @pair "^(get|put)_cpu_(var|ptr)$"))
