// Wrapper macros around DEFINE_PER_CPU: which macros count, and what a file-scope use expands to.
import * as assert from 'assert';
import { parseDefine, MacroLookup } from '../../src/core/config/macros';
import { expandWrappers, functionDefines, upperCalls, wrapperNames, WrapperGraph } from '../../src/core/estimate/wrappers';

const HEADER = [
  '#define __DEFINE_SRCU(name, is_static) \\',
  '\tstatic DEFINE_PER_CPU(struct srcu_data, name##_srcu_data); \\',
  '\tis_static struct srcu_struct name = { .sda = &name##_srcu_data }',
  '#define DEFINE_STATIC_SRCU(name) __DEFINE_SRCU(name, static)',
  '#define DEFINE_ALLOC_TAG(_t) static DEFINE_PER_CPU(struct counters, _t##_cntr)',
  // lower case: used inside statement expressions in functions, never at file scope
  '#define alloc_hooks(_do) ({ DEFINE_ALLOC_TAG(_alloc_tag); _do; })',
  '#define KMALLOC(x) alloc_hooks(kmalloc(x))',
].join('\n');

describe('per-CPU wrapper macros', () => {
  it('names the upper-case macros that reach DEFINE_PER_CPU, through each other', () => {
    assert.deepStrictEqual([...wrapperNames([HEADER])].sort(), ['DEFINE_ALLOC_TAG', 'DEFINE_STATIC_SRCU', '__DEFINE_SRCU']);
  });

  it('follows a chain across texts, whatever order the texts come in', () => {
    const a = '#define DEFINE_COOKIE(n) DEFINE_MID(n)';
    const b = '#define DEFINE_MID(n) static DEFINE_PER_CPU(int, n)';
    const want = ['DEFINE_COOKIE', 'DEFINE_MID'];
    assert.deepStrictEqual([...wrapperNames([a, b])].sort(), want);
    assert.deepStrictEqual([...wrapperNames([b, a])].sort(), want);
    // six levels at most, as before: a seventh wrapper is not followed
    const chain = ['#define W0(n) DEFINE_PER_CPU(int, n)', ...[1, 2, 3, 4, 5, 6].map((i) => `#define W${i}(n) W${i - 1}(n)`)];
    assert.deepStrictEqual([...wrapperNames(chain)].sort(), ['W0', 'W1', 'W2', 'W3', 'W4', 'W5']);
  });

  it('lets the definers go once their names are taken, keeping the macros that call a function', () => {
    const g = new WrapperGraph();
    g.add(`${HEADER}\n#define percpu_counter_init(fbc, v, gfp) __percpu_counter_init_many(fbc, v, gfp, 1)`);
    assert.deepStrictEqual([...g.names(true)].sort(), ['DEFINE_ALLOC_TAG', 'DEFINE_STATIC_SRCU', '__DEFINE_SRCU']);
    assert.strictEqual(g.usedBy.size + g.roots.size, 0);
    assert.throws(() => g.names(), /released/);
    assert.deepStrictEqual([...g.callers(new Set(['__percpu_counter_init_many']))], ['percpu_counter_init']);
  });

  it('finds the same function-like #defines as the plain regex, continuation lines included', () => {
    const re = /^[ \t]*#[ \t]*define[ \t]+(\w+)\(([^)]*)\)((?:[^\n]*\\\n)*[^\n]*)/gm;
    const texts = [
      HEADER,
      '#define A(x) x /* define */ \\\n  #define B(y) y\nint define_me;\n  #  define C(z) define(z)\n#define D 1\n#define',
      'a\r#define E(x) x\n', // a \r starts a line for ^ too
    ];
    for (const t of texts) {
      assert.deepStrictEqual([...functionDefines(t)].map((m) => [m.index, m[0]]), [...t.matchAll(re)].map((m) => [m.index, m[0]]));
    }
    assert.deepStrictEqual([...functionDefines(texts[1])].map((m) => m[1]), ['A', 'C']);
    assert.deepStrictEqual([...functionDefines(texts[2])].map((m) => m[1]), ['E']);
  });

  it('expands a file-scope use and keeps the line and column of the use; uses inside functions do not count', () => {
    const defs = new Map(HEADER.replace(/\\\n/g, ' ').split('\n').map((l) => parseDefine(l.replace(/^#define /, ''), 'h')!).map((d) => [d.name, d]));
    const lookup: MacroLookup = (n) => defs.get(n);
    const src = 'int x;\n  DEFINE_STATIC_SRCU(my_srcu);\nvoid f(void)\n{\n\tDEFINE_STATIC_SRCU(inner);\n}\n';
    const r = expandWrappers(src, wrapperNames([HEADER]), lookup);
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(r.defs.map((d) => [d.macro, d.via, d.type, d.name, d.line, d.column]), [
      ['DEFINE_PER_CPU', 'DEFINE_STATIC_SRCU', 'struct srcu_data', 'my_srcu_srcu_data', 2, 3],
    ]);
  });

  it('reports a use it cannot expand instead of dropping it', () => {
    const r = expandWrappers('DEFINE_STATIC_SRCU(a, b, c);\n', new Set(['DEFINE_STATIC_SRCU']), (n) =>
      (n === 'DEFINE_STATIC_SRCU' ? parseDefine('DEFINE_STATIC_SRCU(name) DEFINE_PER_CPU(int, name)', 'h') : undefined));
    assert.strictEqual(r.defs.length, 0);
    assert.strictEqual(r.problems.length, 1);
    assert.strictEqual(r.problems[0].line, 1);
  });

  it('lists the upper-case names a text calls as the regex \\b[A-Z_][A-Z0-9_]*\\s*\\( finds them, in first-use order', () => {
    const text = [
      'DEFINE_PER_CPU(int, a);', // a call
      'static DEFINE_STATIC_SRCU (s);', // space before (
      'x = FOO_bar(1) + foo_BAR(2) + x9FOO(3) + 9FOO(4);', // mixed case, a lower-case start, a digit start: none
      'y = BAR9\n  (5) + _(6) + BAR9(7);', // newline before (, a lone underscore, a repeat
      'z = ((void)0) + \u00e9QUX(8) + NB\u00a0(9);', // no name before (; after a non-ASCII letter; no-break space
      'DEFINE_PER_CPU(int, b);',
    ].join('\n');
    assert.deepStrictEqual(upperCalls(text), ['DEFINE_PER_CPU', 'DEFINE_STATIC_SRCU', 'BAR9', '_', 'QUX', 'NB']);
    const regex = [...new Set([...text.matchAll(/\b([A-Z_][A-Z0-9_]*)\s*\(/g)].map((m) => m[1]))];
    assert.deepStrictEqual(upperCalls(text), regex);
  });
});
