import * as assert from 'assert';
import { CODES, CODE_IDS, docsUrl, runFileRules } from '../../src/core/rules';
import { dropSuppressed } from '../../src/core/rules/suppress';
import { clearParseCache } from '../../src/core/rules/syntax';
import type { Diagnostic } from '../../src/core/rules';
import { PROFILE, scan, stubSizer } from './support/rules';
import * as fs from 'fs';
import * as path from 'path';

const d = (code: Diagnostic['code'], line: number): Diagnostic =>
  ({ code, severity: 'warning', message: '', file: 'f.c', line, column: 1, endLine: line, endColumn: 1 });

describe('rules: codes table, ignore comments, speed', () => {
  it('has PCPU000..PCPU007 with docs anchors, a rationale and a lesson each', () => {
    assert.deepStrictEqual(CODE_IDS, ['PCPU000', 'PCPU001', 'PCPU002', 'PCPU003', 'PCPU004', 'PCPU005', 'PCPU006', 'PCPU007']);
    assert.strictEqual(CODES.PCPU000.severity, 'info');
    for (const id of CODE_IDS) {
      assert.ok(CODES[id].rationale.length > 40 && CODES[id].lesson.length > 10, id);
      assert.match(docsUrl(id), new RegExp(`#${id.toLowerCase()}$`));
    }
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    for (const id of CODE_IDS) assert.ok(readme.includes(`### ${id}\n`), `README has ### ${id}`);
  });

  it('drops a diagnostic silenced on its line or the line above, by code or for all codes', () => {
    const text = ['int a; // percpu-lens: ignore PCPU001', '/* percpu-lens: ignore PCPU003, PCPU006 */', 'x;', '// percpu-lens: ignore', 'y;', 'z;'].join('\n');
    const kept = dropSuppressed(text, [d('PCPU001', 1), d('PCPU003', 1), d('PCPU006', 3), d('PCPU005', 3), d('PCPU007', 5), d('PCPU002', 6)]);
    assert.deepStrictEqual(kept.map((x) => `${x.code}:${x.line}`), ['PCPU003:1', 'PCPU005:3', 'PCPU002:6']);
  });

  // The editor re-runs the file rules on every edit and unchanged functions come from the parse
  // cache: a re-run after an edit must equal a cold run on the edited text (timing is in the bench).
  it('gives the same diagnostics after an edit as a fresh run on the edited text', async () => {
    const fn = (i: number) => [
      `static int f${i}(struct dev *dev)`, '{', `\tstruct st *s = per_cpu_ptr(dev->st, smp_processor_id());`,
      `\tdev->pc${i} = alloc_percpu(int);`, `\tif (!dev->pc${i})`, '\t\treturn -ENOMEM;', '\treturn s->x;', '}', '',
    ].join('\n');
    const plain = (i: number) => [`static int g${i}(int a)`, '{', '\tint b = a * 2;', '\tb += a;', '\tb -= 1;', '\treturn b;', '}', ''].join('\n');
    const parts: string[] = [];
    for (let i = 0; parts.join('\n').split('\n').length < 5000; i++) parts.push(i % 10 === 0 ? fn(i) : plain(i));
    const text = parts.join('\n');
    const input = { file: 'big.c', text, findings: await scan(text, 'big.c'), profile: PROFILE, sizer: stubSizer() };
    const first = await runFileRules(input);
    // 1 of every 10 functions has the pattern: one PCPU003 each
    assert.strictEqual(first.filter((d) => d.code === 'PCPU003').length, parts.filter((p) => p.includes('per_cpu_ptr')).length);
    // the edit adds the pattern to one more function and shifts nothing else
    const edited = text.replace('\tint b = a * 2;', '\tint *b = per_cpu_ptr(dev->st, smp_processor_id());');
    const again = await runFileRules({ ...input, text: edited, findings: await scan(edited, 'big.c') });
    clearParseCache();
    const fresh = await runFileRules({ ...input, text: edited, findings: await scan(edited, 'big.c') });
    assert.strictEqual(again.filter((d) => d.code === 'PCPU003').length, first.filter((d) => d.code === 'PCPU003').length + 1);
    assert.deepStrictEqual(again, fresh);
  });
});
