// The byte prefilter's one-pass WebAssembly search finds a token exactly where a plain substring
// test does: at every offset, across 16-byte blocks, at the very end, never past the data's end
// (whatever an earlier, longer file left in its memory), and on random texts.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scanTree } from '../../src/core/parse/scanTree';
import fc from 'fast-check';
import { ACCESSOR, IN_PLACE_LIMIT, TRIGGER, byIndexOf, prefilter, searchBuffer, searchInUse } from '../../src/core/parse/prefilter';
import { ACCESSOR_TOKENS, PREFILTER_TOKENS, TRIGGER_RE } from '../../src/core/parse/triggers';

/** The reference: which groups' tokens the text contains, by String.includes. */
function expected(text: string): number {
  return (PREFILTER_TOKENS.some((t) => text.includes(t)) ? TRIGGER : 0) | (ACCESSOR_TOKENS.some((t) => text.includes(t)) ? ACCESSOR : 0);
}
const bytes = (s: string) => Buffer.from(s, 'latin1');
const TOKENS = [...PREFILTER_TOKENS, ...ACCESSOR_TOKENS];

describe('byte prefilter', () => {
  it('assembles prefilterWasm.ts from prefilter.wat as committed (node scripts/wasm.js)', async () => {
    const { generated, OUT } = require(path.resolve('scripts/wasm.js')) as { generated(): Promise<string>; OUT: string };
    assert.strictEqual(fs.readFileSync(OUT, 'utf8'), await generated());
  });

  it('searches with WebAssembly SIMD on Node (every token fits its table)', () => {
    assert.strictEqual(searchInUse(), true);
  });

  it('finds each token at every offset of texts up to 64 bytes, and nothing in the text without it', () => {
    for (const t of TOKENS) {
      const group = PREFILTER_TOKENS.includes(t) ? TRIGGER : ACCESSOR;
      for (let len = t.length; len <= 64; len++) {
        for (let at = 0; at + t.length <= len; at++) {
          const text = 'x'.repeat(at) + t + 'y'.repeat(len - at - t.length);
          assert.strictEqual(prefilter(bytes(text)), group, `${t} at ${at} of ${len}`);
          // one byte off, at either end: not the token (none of the tokens starts or ends with 'x')
          const near = 'x'.repeat(at) + 'x' + t.slice(1) + 'y'.repeat(len - at - t.length);
          const near2 = 'x'.repeat(at) + t.slice(0, -1) + 'x' + 'y'.repeat(len - at - t.length);
          assert.strictEqual(prefilter(bytes(near)), expected(near), `${t} with its first byte off at ${at} of ${len}`);
          assert.strictEqual(prefilter(bytes(near2)), expected(near2), `${t} with its last byte off at ${at} of ${len}`);
        }
      }
    }
  });

  it('does not read a token past the end of a file read where a longer one was (in place)', () => {
    for (const t of TOKENS) {
      for (const pad of [0, 1, 5, 15, 16, 17, 31]) {
        const whole = 'a'.repeat(pad) + t;
        const long = searchBuffer(whole.length)!;
        long.write(whole, 'latin1');
        assert.notStrictEqual(prefilter(long), 0);
        // the same memory, a file that ends inside the token: its last bytes are still there
        for (let cut = 1; cut < t.length; cut++) {
          const short = searchBuffer(whole.length - cut)!;
          assert.strictEqual(prefilter(short), 0, `${t} cut by ${cut} after ${pad}`);
        }
      }
    }
  });

  it('equals the substring test on random texts, in place and copied, and so does the indexOf fallback', () => {
    // texts over the tokens' own bytes and their pieces, so tokens and near misses are common
    const piece = fc.constantFrom(...TOKENS.flatMap((t) => [t, t.slice(1), t.slice(0, -1), t.slice(1, 3)]), ' ', '\n', 'x', '_', 't');
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (ps) => {
      const text = ps.join('');
      const want = expected(text);
      const copied = prefilter(bytes(text));
      const inPlace = searchBuffer(text.length)!;
      inPlace.write(text, 'latin1');
      return copied === want && prefilter(inPlace) === want && byIndexOf(bytes(text)) === want;
    }), { numRuns: 3000, seed: 42 });
  });

  it('grows its memory for a big file and finds a token at its very end; above the in-place limit it searches with indexOf', () => {
    const acc = ACCESSOR_TOKENS[ACCESSOR_TOKENS.length - 1];
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x');
    big.write(acc, big.length - acc.length, 'latin1');
    assert.strictEqual(prefilter(big), ACCESSOR);
    const inPlace = searchBuffer(big.length)!;
    big.copy(inPlace);
    assert.strictEqual(prefilter(inPlace), ACCESSOR);
    assert.strictEqual(searchBuffer(IN_PLACE_LIMIT + 1), undefined);
    const huge = Buffer.alloc(IN_PLACE_LIMIT + 1, 'y');
    huge.write(PREFILTER_TOKENS[0], 0, 'latin1');
    assert.strictEqual(prefilter(huge), TRIGGER);
  });

  it('lets through every word the lexer and PCPU003 react to', () => {
    // TRIGGER_RE's words (triggers.ts) and PCPU003's accessors, each spelled out
    const words = ['DEFINE_PER_CPU', 'DEFINE_PER_CPU_SHARED_ALIGNED', 'DECLARE_PER_CPU_READ_MOSTLY', 'alloc_percpu', 'alloc_percpu_gfp',
      '__alloc_percpu', '__alloc_percpu_gfp', 'alloc_percpu_noprof', '__alloc_percpu_gfp_noprof', '__alloc_reserved_percpu',
      '__alloc_reserved_percpu_noprof', 'free_percpu', 'NR_CPUS', 'CONFIG_NR_CPUS', 'atomic_t', 'atomic_long_t', 'refcount_t',
      'local_t', 'kref', 'percpu_ref', '__percpu'];
    for (const w of words) {
      assert.ok(new RegExp(TRIGGER_RE.source).test(w), `${w} is a trigger`);
      assert.strictEqual(prefilter(bytes(`int ${w} x;`)) & TRIGGER, TRIGGER, w);
    }
    for (const call of ['per_cpu_ptr(p, smp_processor_id())', 'per_cpu(v, smp_processor_id())', 'get_cpu_var(v)', 'get_cpu_ptr(p)']) {
      assert.strictEqual(prefilter(bytes(`x = ${call};`)) & ACCESSOR, ACCESSOR, call);
    }
  });

  it('lists a file calling get_cpu_ptr alone for PCPU003, not one naming a sensor_id (scan)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-prefilter-'));
    try {
      fs.writeFileSync(path.join(dir, 'ptr.c'), 'void f(struct s __attribute__((unused)) *x) { int *p = get_cpu_ptr(x->stats); (*p)++; }\n');
      fs.writeFileSync(path.join(dir, 'sensor.c'), 'int read(int sensor_id, int cpu_var) { return sensor_id + cpu_var; }\n');
      const r = await scanTree(dir, { workers: 0 });
      assert.deepStrictEqual(r.accessorFiles, ['ptr.c']);
      assert.strictEqual(r.stats.filesParsed, 0); // no trigger in either
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads an empty file as holding nothing', () => {
    assert.strictEqual(prefilter(Buffer.alloc(0)), 0);
    assert.strictEqual(prefilter(searchBuffer(0)!), 0);
  });
});
