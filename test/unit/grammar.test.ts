// The injection grammar's patterns (plain regexes, valid in both Oniguruma and JS) hit the per-CPU
// macros and accessors and nothing similar.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const grammar = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../syntaxes/percpu.injection.tmLanguage.json'), 'utf8'));
const rule = (name: string) => new RegExp(`^(?:${grammar.repository[name].match})$`);

describe('injection grammar', () => {
  it('injects into C outside comments and strings', () => {
    assert.strictEqual(grammar.scopeName, 'percpu.injection');
    assert.match(grammar.injectionSelector, /L:source\.c -comment -string/);
  });
  const cases: Record<string, [string[], string[]]> = {
    define: [['DEFINE_PER_CPU', 'DEFINE_PER_CPU_ALIGNED', 'DECLARE_PER_CPU_SHARED_ALIGNED', 'DEFINE_PER_CPU_READ_MOSTLY'], ['DEFINE_PERCPU', 'define_per_cpu']],
    alloc: [['alloc_percpu', 'alloc_percpu_gfp', '__alloc_percpu', '__alloc_percpu_gfp', '__alloc_reserved_percpu', 'free_percpu'], ['kmalloc', 'alloc_percpu_stats']],
    accessor: [['per_cpu', 'per_cpu_ptr', 'this_cpu_ptr', 'this_cpu_inc', '__this_cpu_read', 'raw_cpu_ptr', 'get_cpu_var', 'put_cpu_var', 'get_cpu_ptr'], ['per_cpu_offset_x', 'smp_processor_id']],
    qualifier: [['__percpu'], ['percpu', '__percpu_x']],
  };
  for (const [name, [yes, no]] of Object.entries(cases)) {
    it(name, () => {
      for (const w of yes) assert.match(w, rule(name), w);
      for (const w of no) assert.doesNotMatch(w, rule(name), w);
    });
  }
});
