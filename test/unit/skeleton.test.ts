// The editor re-indexes a file for the layout only when its skeleton (text minus function bodies)
// changes; every edit that can change a size must change the skeleton.
import * as assert from 'assert';
import { layoutSkeleton } from '../../src/core/layout/skeleton';

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
  });
});
