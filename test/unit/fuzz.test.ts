// Fuzz: real-looking kernel C (the sample tree, the rule fixtures, a generated driver) mutated by
// bytes and tokens, then scanned, laid out and checked by the rules. Nothing may throw and every
// iteration must end (parses run with a timeout; a hang trips mocha's timeout). Seeded, so a
// failure replays: the seed, iteration and input are printed and the input saved.
// PERCPU_LENS_FUZZ_MS bounds the time (default 20 s; `npm run fuzz` runs 10 min),
// PERCPU_LENS_FUZZ_SEED picks the seed.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scanTextWith } from '../../src/core/parse/scanText';
import { DocScan } from '../../src/core/parse';
import { LayoutEngine } from '../../src/core/layout';
import { layoutSizer } from '../../src/core/layout/sizer';
import { ARCHES } from '../../src/core/config/arch';
import { defaultConfig } from '../../src/core/config/kconfig';
import { runFileRules } from '../../src/core/rules';
import { PROFILE } from './support/rules';
import { kernelStyleFile, pick, prng } from './support/kernelGen';

const ROOT = path.join(__dirname, '..', '..', '..');
const BUDGET_MS = Number(process.env.PERCPU_LENS_FUZZ_MS) || 20000;
const SEED = Number(process.env.PERCPU_LENS_FUZZ_SEED) || 20261123;

function seeds(): Buffer[] {
  const dirs = [path.join(ROOT, 'samples', 'kernel'), path.join(ROOT, 'test', 'fixtures', 'rules')];
  const out: Buffer[] = [];
  for (const d of dirs) {
    for (const e of fs.readdirSync(d, { recursive: true, withFileTypes: true })) {
      if (e.isFile() && /\.[ch]$/.test(e.name)) out.push(fs.readFileSync(path.join(e.parentPath, e.name)));
    }
  }
  out.push(Buffer.from(kernelStyleFile(400, prng(1)), 'latin1'));
  return out;
}

const FRAGMENTS = ['{', '}', '(', ')', '[', ']', ';', ',', '/*', '*/', '//', '"', "'", '\\\n', '#if NR_CPUS > 1\n', '#ifdef CONFIG_SMP\n',
  '#else\n', '#endif\n', '#define X(a) a##a\n', 'DEFINE_PER_CPU(', 'DECLARE_PER_CPU_ALIGNED(', 'alloc_percpu(', '__alloc_percpu(', 'free_percpu(',
  '[NR_CPUS]', 'NR_CPUS', 'atomic_t refcnt;', 'struct kref', 'int __percpu *ref', '__attribute__((aligned(64)))', 'typeof(', 'sizeof(',
  'struct {', 'union {', 'enum { A, B', 'static ', '\x00', '\r', '\r\n', '\xff\xfe', '\xc3(', '\xed\xa0\x80', '\u00e9', 'DEFINE_PER_CPU(DEFINE_PER_CPU(int, x), y)'];

type Mutation = (b: Buffer, r: () => number, all: Buffer[]) => Buffer;
const at = (b: Buffer, r: () => number) => Math.floor(r() * (b.length + 1));
const tokenSpans = (b: Buffer): [number, number][] => [...b.toString('latin1').matchAll(/[A-Za-z_]\w*|\d+|\S/g)].map((m) => [m.index!, m.index! + m[0].length]);

const MUTATIONS: Record<string, Mutation> = {
  flipBytes: (b, r) => {
    const c = Buffer.from(b);
    for (let i = 0, n = 1 + Math.floor(r() * 8); i < n && c.length; i++) c[Math.floor(r() * c.length)] = Math.floor(r() * 256);
    return c;
  },
  deleteToken: (b, r) => {
    const t = tokenSpans(b);
    if (!t.length) return b;
    const [s, e] = pick(r, t);
    return Buffer.concat([b.subarray(0, s), b.subarray(e)]);
  },
  duplicateToken: (b, r) => {
    const t = tokenSpans(b);
    if (!t.length) return b;
    const [s, e] = pick(r, t);
    return Buffer.concat([b.subarray(0, e), b.subarray(s, e), b.subarray(e)]);
  },
  truncate: (b, r) => b.subarray(0, at(b, r)),
  insertFragment: (b, r) => {
    const i = at(b, r);
    return Buffer.concat([b.subarray(0, i), Buffer.from(pick(r, FRAGMENTS), 'latin1'), b.subarray(i)]);
  },
  crlf: (b, r) => Buffer.from(b.toString('latin1').replace(/\n/g, () => (r() < 0.5 ? '\r\n' : r() < 0.1 ? '\r' : '\n')), 'latin1'),
  spliceOther: (b, r, all) => {
    const o = pick(r, all);
    const s = at(o, r);
    const i = at(b, r);
    return Buffer.concat([b.subarray(0, i), o.subarray(s, s + Math.floor(r() * 2000)), b.subarray(i)]);
  },
  deleteSpan: (b, r) => {
    const s = at(b, r);
    return Buffer.concat([b.subarray(0, s), b.subarray(s + Math.floor(r() * 500))]);
  },
  macroSoup: (b, r) => {
    const i = at(b, r);
    const depth = 1 + Math.floor(r() * 60);
    const soup = 'DEFINE_PER_CPU('.repeat(depth) + 'int, x' + ')'.repeat(Math.floor(r() * depth)) + ';\n';
    return Buffer.concat([b.subarray(0, i), Buffer.from(soup), b.subarray(i)]);
  },
};

/** The text as the CLI (latin1) or an editor (UTF-8 decoded, maybe with astral characters) sees it. */
function decode(b: Buffer, r: () => number): string {
  if (r() < 0.75) return b.toString('latin1');
  const s = b.toString('utf8');
  return r() < 0.5 ? s : s.replace(/;/g, () => (r() < 0.05 ? ';\u{1F600}' : ';'));
}

describe('fuzz: mutated kernel C through scan, layout and rules', function () {
  this.timeout(BUDGET_MS + 180000);

  it(`never throws and always ends (seed ${SEED}, ${BUDGET_MS} ms)`, async () => {
    const all = seeds();
    const r = prng(SEED);
    const names = Object.keys(MUTATIONS);
    const layout = await LayoutEngine.create({ arch: ARCHES.x86_64, config: defaultConfig('x86_64') });
    const abs = path.join(os.tmpdir(), 'percpu-lens-fuzz', 'f.c');
    const stop = Date.now() + BUDGET_MS;
    let iter = 0;
    let findings = 0;
    for (; Date.now() < stop; iter++) {
      let buf = pick(r, all);
      const applied: string[] = [];
      for (let k = 0, n = 1 + Math.floor(r() * 4); k < n; k++) {
        const m = pick(r, names);
        applied.push(m);
        buf = MUTATIONS[m](buf, r, all);
      }
      const text = decode(buf, r);
      const file = r() < 0.2 ? 'f.h' : 'f.c';
      try {
        const res = await scanTextWith(text, file, { parseTimeoutMs: 2000 });
        const lines = text.split('\n').length;
        for (const f of res.findings) {
          assert.ok(f.line >= 1 && f.line <= lines && f.column >= 1, `finding outside the text: ${JSON.stringify(f)}`);
          assert.strictEqual(f.file, file);
        }
        findings += res.findings.length;
        layout.addSource(abs, text);
        layout.typesInFile(abs);
        const sizeOf = (t: string) => layout.sizeOf(t, abs);
        for (const f of res.findings) if (f.type) sizeOf(f.type);
        const ds = await runFileRules({ file, text, findings: res.findings, profile: PROFILE, sizer: layoutSizer(layout, () => abs) });
        for (const d of ds) assert.ok(d.line >= 1, `diagnostic without a line: ${JSON.stringify(d)}`);
        if (iter % 8 === 0) {
          // the incremental path must agree with a fresh scan on the same mangled input
          const { doc } = await DocScan.open(file, pick(r, all).toString('latin1'), { parseTimeoutMs: 2000 });
          try {
            const inc = await doc.setText(text);
            if (res.errors.length === 0 && inc.errors.length === 0) assert.deepStrictEqual(inc.findings, res.findings);
          } finally {
            doc.close();
          }
        }
      } catch (e) {
        const saved = path.join(os.tmpdir(), `percpu-lens-fuzz-${SEED}-${iter}.c`);
        fs.writeFileSync(saved, text, 'latin1');
        throw new Error(`fuzz seed ${SEED} iteration ${iter} (${applied.join(', ')}), input saved to ${saved}: ${(e as Error).stack ?? e}`);
      }
    }
    assert.ok(iter > 0);
    console.log(`      fuzz: ${iter} inputs, ${findings} findings, seed ${SEED}`);
  });
});
