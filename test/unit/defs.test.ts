// Definition sites read from a file's text on demand (defs.ts DefsSource) hold the same tokens, with
// the same lines, as sites cut from the file's tokens; and the definitions found are the ones C has.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tokenize } from '../../src/core/config/lex';
import { scanDefs, type FileDefs } from '../../src/core/layout/defs';

const TEXT = [
  'typedef unsigned long __kernel_ulong_t;',
  'struct outer {',
  '  int a;',
  '  struct inner { char c[4]; } in; /* nested: file scope in C */',
  '  union { long l; void *p; };',
  '} __attribute__((aligned(64)));',
  'enum e { E_A, E_B = 3, \\',
  '  E_MAX };',
  'typedef struct { int x; } pair_t, *pair_p;',
  'typedef DECLARE_BITMAP(mask_t, 64);',
  'static int f(void) { struct local { int z; } v; return v.z; }',
  'const char *s = "a;b{c"; char q = \'}\';',
  'struct last { int y; } __packed',
].join('\n');

function plain(d: FileDefs): unknown {
  const one = (s: FileDefs['order'][number]) => ({ kind: s.kind, key: s.key, line: s.line, consts: s.consts, toks: s.toks.map((t) => [t.k, t.t, t.line]) });
  return {
    order: d.order.map(one),
    records: [...d.records].map(([k, s]) => [k, one(s)]),
    typedefs: [...d.typedefs].map(([k, s]) => [k, one(s)]),
    enumConsts: [...d.enumConsts].map(([k, s]) => [k, s.key]),
  };
}

function both(text: string): [unknown, unknown] {
  const starts: number[] = [];
  const lazy = scanDefs(tokenize(text, 0, starts), { text, starts });
  return [plain(lazy), plain(scanDefs(tokenize(text)))];
}

describe('definition sites', () => {
  it('records each token offset: one per token, at its first character', () => {
    const starts: number[] = [];
    const toks = tokenize('a->b <<= 1.5e+3;\n "s;" \\\n z', 0, starts);
    assert.deepStrictEqual(starts, [0, 1, 3, 5, 9, 15, 18, 26]);
    for (let i = 0; i < toks.length; i++) assert.strictEqual('a->b <<= 1.5e+3;\n "s;" \\\n z'.slice(starts[i], starts[i] + toks[i].t.length), toks[i].t);
  });

  it('finds the definitions C has: nested tags at file scope, typedef names, enum constants, none in a function', () => {
    const d = scanDefs(tokenize(TEXT));
    assert.deepStrictEqual([...d.records.keys()], ['struct inner', 'struct outer', 'enum e', 'struct last']);
    assert.deepStrictEqual([...d.typedefs.keys()], ['__kernel_ulong_t', 'pair_t', 'pair_p', 'mask_t']);
    assert.deepStrictEqual(d.records.get('enum e')!.consts, ['E_A', 'E_B', 'E_MAX']);
    assert.strictEqual(d.records.get('struct outer')!.line, 1);
    assert.strictEqual(d.records.get('struct inner')!.line, 3);
  });

  it('a site read from the text holds the tokens and lines of one cut from the tokens', () => {
    const [lazy, eager] = both(TEXT);
    assert.deepStrictEqual(lazy, eager);
    // the attribute after the closing brace belongs to the type, up to the ';'
    const starts: number[] = [];
    const d = scanDefs(tokenize(TEXT, 0, starts), { text: TEXT, starts });
    const outer = d.records.get('struct outer')!.toks;
    assert.deepStrictEqual(outer.slice(-9).map((t) => t.t), ['__attribute__', '(', '(', 'aligned', '(', '64', ')', ')', ')']);
    assert.deepStrictEqual(d.records.get('enum e')!.toks.map((t) => t.line), [6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7]);
  });

  it('the same on the fixture trees\' headers', () => {
    const dir = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'realtree');
    const headers: string[] = [];
    const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name.endsWith('.h')) headers.push(p); } };
    walk(dir);
    assert.ok(headers.length >= 10, `${headers.length} headers`);
    let sites = 0;
    for (const h of headers) {
      const [lazy, eager] = both(fs.readFileSync(h, 'latin1'));
      assert.deepStrictEqual(lazy, eager, h);
      sites += (eager as { order: unknown[] }).order.length;
    }
    assert.ok(sites >= 15, `${sites} sites`);
  });
});
