// The rules over a tree: a failure while checking one file (here the sizes the layout gives it) is
// that file's error; the other files still get their diagnostics, and the run its result.
import * as assert from 'assert';
import { treeDiagnostics } from '../../src/core/estimate/diagnostics';
import type { FileRulesOut } from '../../src/core/estimate/reuse';
import type { Sizer } from '../../src/core/layout/sizer';
import { PROFILE, scan, stubSizer } from './support/rules';

const GOOD = 'static long counts[NR_CPUS];\n';
const BAD = 'void *p;\nvoid f(void) { p = __alloc_percpu(BROKEN_SIZE, 8); }\nstatic long more[NR_CPUS];\n';

describe('rules over a tree', () => {
  it('one file whose sizes throw gets an error; the others are checked', async () => {
    const texts = new Map([['good.c', GOOD], ['bad.c', BAD]]);
    const findings = [...await scan(GOOD, 'good.c'), ...await scan(BAD, 'bad.c')];
    const base = stubSizer({}, texts);
    // a defect in the layout on odd input (the fuzz test found one): it throws instead of answering unknown
    const sizer: Sizer = { ...base, evalInt: (e, f, s) => { if (f === 'bad.c') throw new TypeError("Cannot read properties of undefined (reading 'k')"); return base.evalInt(e, f, s); } };
    const saved: FileRulesOut[] = [];
    const r = await treeDiagnostics({
      root: '/t', scan: { root: '/t', findings, errors: [], stats: { filesSeen: 2, bytesSeen: 0, filesParsed: 2, bytesParsed: 0, filesTreeSitter: 2, bytesTreeSitter: 0, filesSkipped: 0, ms: 0 } },
      textOf: (f) => texts.get(f) ?? '', sizer, profile: PROFILE, modules: [], onFile: (x) => saved.push(x),
    });
    assert.deepStrictEqual(r.errors.map((e) => e.file), ['bad.c']);
    assert.match(r.errors[0].message, /^rules: Cannot read properties/);
    // good.c's NR_CPUS array is still reported (PCPU001)
    assert.deepStrictEqual(r.diagnostics.filter((d) => d.file === 'good.c').map((d) => d.code), ['PCPU001']);
    assert.strictEqual(r.filesChecked, 1);
    assert.deepStrictEqual(saved.map((x) => [x.file, x.error !== undefined]), [['bad.c', true], ['good.c', false]]);
  });
});
