// The editor re-indexes a file for the layout only when its skeleton (text minus function bodies)
// changes; every edit that can change a size must change the skeleton.
import * as assert from 'assert';
import { functionBodyInteriors, layoutSkeleton } from '../../src/core/layout/skeleton';
import { tokenize } from '../../src/core/config/lex';
import { scanDefs } from '../../src/core/layout/defs';

const BASE = [
  '#include <linux/percpu.h>',
  'struct st { int a; long b; };',
  'typedef struct __attribute__((packed)) { char c; int d; } packed_t;',
  'static int table[] = { 1, 2, 3 };',
  'static DEFINE_PER_CPU(struct st, st_pcpu);',
  'static int f(struct st *s)',
  '{',
  '\tif (s->a) { return 1; }',
  '\treturn s->b; /* } not a brace */',
  '}',
  'struct after { char x[4]; };',
  '',
].join('\n');

const same = (edited: string) => assert.strictEqual(layoutSkeleton(edited), layoutSkeleton(BASE), edited);
const differs = (edited: string) => assert.notStrictEqual(layoutSkeleton(edited), layoutSkeleton(BASE), edited);

describe('layout skeleton', () => {
  it('ignores edits inside function bodies, comments and strings there included', () => {
    same(BASE.replace('return s->b;', 'return s->b + 1; /* { */'));
    same(BASE.replace('\tif (s->a) { return 1; }\n', '\tif (s->a) {\n\t\tint x = "}"[0];\n\t\treturn x;\n\t}\n'));
  });

  it('sees edits to records, attributed records, initializers, declarations and what follows a body', () => {
    differs(BASE.replace('long b;', 'long b; int c;'));
    differs(BASE.replace('char c; int d;', 'char c; long d;')); // `) {` of __attribute__ is not a function
    differs(BASE.replace('{ 1, 2, 3 }', '{ 1, 2, 3, 4 }'));
    differs(BASE.replace('struct st, st_pcpu', 'struct after, st_pcpu'));
    differs(BASE.replace('char x[4]', 'char x[8]'));
  });

  it('keeps directives, even inside a body', () => {
    differs(BASE.replace('#include <linux/percpu.h>', '#include <linux/percpu.h>\n#define N 4'));
    const withDefine = BASE.replace('\treturn s->b;', '#define LOCAL 4\n\treturn s->b;');
    assert.notStrictEqual(layoutSkeleton(withDefine), layoutSkeleton(withDefine.replace('LOCAL 4', 'LOCAL 8')));
    // a '#' that does not start its line, or follows an unterminated literal's line (the literal
    // swallows its newline, as the lexer reads it), starts no directive: the skeleton keeps none
    const body = (inner: string) => `int f(void)\n{\n${inner}\n}\n`;
    assert.strictEqual(layoutSkeleton(body('\tx = 1; #define A 1')), 'int f(void)\n{}\n');
    assert.strictEqual(layoutSkeleton(body("\tc = ';\n#define B 2")), 'int f(void)\n{}\n');
    assert.strictEqual(layoutSkeleton(body('\tc = 1; /* x */\n  #define C 3\n\ty = 2;')), 'int f(void)\n{#define C 3}\n');
  });

  it('finds function bodies for the definitions scan to skip, keeping lines and every file-scope definition', () => {
    const text = `${BASE}static int g(void)\n{\n\tstruct local { int z; } l = { 0 };\n\treturn l.z;\n}\nenum after_g { AG0, AG1 };\nstatic void h(void) {`;
    const skip = functionBodyInteriors(text);
    // f's and g's insides; h's body is not closed and stays
    assert.deepStrictEqual(skip.map(([a, b]) => text.slice(a, b).trim().split('\n')[0]), ['if (s->a) { return 1; }', 'struct local { int z; } l = { 0 };']);
    const all = tokenize(text);
    const some = tokenize(text, 0, undefined, skip);
    assert.ok(!some.some((t) => t.t === 'return') && all.some((t) => t.t === 'return'));
    const line = (toks: ReturnType<typeof tokenize>, t: string) => toks.find((x) => x.t === t)?.line;
    assert.strictEqual(line(some, 'AG1'), line(all, 'AG1'));
    // the same definitions as from the whole text: scanDefs skips bodies (struct local is g's)
    const keys = (toks: ReturnType<typeof tokenize>) => { const d = scanDefs(toks); return [[...d.records.keys()], [...d.typedefs.keys()], [...d.enumConsts.keys()]]; };
    assert.deepStrictEqual(keys(some), keys(all));
    assert.deepStrictEqual(keys(some), [['struct st', 'struct after', 'enum after_g'], ['packed_t'], ['AG0', 'AG1']]);
  });

  it('leaves a record whose head ends in an attribute call to the definitions scan', () => {
    // read as a record by defs.ts (an attribute-like call after the tag), so never skipped as a body
    const text = 'static int f(int a)\n{\n\treturn a;\n}\nstruct s __packed_aligned(4) {\n\tint a;\n};\n';
    const skip = functionBodyInteriors(text);
    assert.strictEqual(skip.length, 1);
    const d = scanDefs(tokenize(text, 0, undefined, skip));
    assert.deepStrictEqual([...d.records.keys()], ['struct s']);
    assert.strictEqual(d.records.get('struct s')!.line, 4); // 0-based: the fifth line
  });
});
