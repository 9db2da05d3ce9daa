// The editor's "per-CPU cost of uncommitted changes": the working tree of a git copy of the diff
// fixture (test/fixtures/diff/base) against HEAD, through the editor's core adapter (RealCore, the
// code the estimate process runs), then the status bar text and the CodeLens titles. Expected
// figures: sizes and the linked static area from gcc + ld (support/linkTruth), worked into strings
// by hand; never from the code under test.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ForkedCore } from '../../src/vscode/forkedCore';
import { RealCore } from '../../src/vscode/realCore';
import { parseSettings } from '../../src/vscode/settings';
import { diffLenses, diffStatusText, lensTitle, parseOneline, signedBytes } from '../../src/vscode/diffText';
import type { DiffItem } from '../../src/core/estimate/diff';
import { gccTruth } from './support/linkTruth';

const repo = path.join(__dirname, '..', '..', '..');
const base = path.join(repo, 'test', 'fixtures', 'diff', 'base');
const patches = path.join(repo, 'test', 'fixtures', 'diff', 'patches');
// link order read by hand from Kbuild and the Makefiles (as in diff.test.ts)
const BUILTIN = ['kernel/module.c', 'kernel/counters.c', 'net/dev.c'];
const MODULES = { foo: ['drivers/foo.c'] };
// the fixture's .config: NR_CPUS=8, 128-byte lines; 8 possible CPUs
const settings = { ...parseSettings(() => undefined).settings, configPath: '.config', possibleCpus: 8 };

/** a git repository holding base, committed, with `patch` applied to its working tree only */
function dirtyRepo(patch: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-diffed-'));
  fs.cpSync(base, d, { recursive: true, dereference: true });
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: d, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'base');
  git('apply', path.join(patches, patch));
  return d;
}

describe('editor: per-CPU cost of uncommitted changes', function () {
  this.timeout(180000);
  const made: string[] = [];
  after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });
  const run = async (patch: string) => {
    const d = dirtyRepo(patch);
    made.push(d);
    const view = await new RealCore().diffWorkingTree(d, 'HEAD', settings, new AbortController().signal, () => undefined);
    return { d, view };
  };

  it('a per-CPU type grows (u64 errors added to struct pcpu_stats): the status bar and a lens on each variable', async () => {
    const { d, view } = await run('stats-type.patch');
    const before = gccTruth(base, BUILTIN, MODULES, ['-O2'], false, 128);
    const after = gccTruth(d, BUILTIN, MODULES, ['-O2'], false, 128);
    // gcc: sizeof(struct pcpu_stats) 24 → 32 (8 B more each); ld places tx_stats 144 → 160 and rx_stats
    // 176 → 192 (gcc aligns the 32-byte objects to 32), so the area ends at 228 instead of 204: +24
    assert.deepStrictEqual([before.symbols.get('rx_stats')?.size, after.symbols.get('rx_stats')?.size], [24, 32]);
    assert.strictEqual(after.staticSize - before.staticSize, 24);
    assert.strictEqual(diffStatusText(view.result), 'this change: +24 B/cpu static, 0 B/cpu dynamic');
    const lenses = diffLenses(view.result);
    assert.deepStrictEqual([...lenses.keys()], ['kernel/counters.c']);
    // DEFINE_PER_CPU(struct pcpu_stats, rx_stats) on line 6, tx_stats on line 7
    assert.deepStrictEqual(lenses.get('kernel/counters.c')!.map((l) => [l.line, l.title]), [
      [6, '+8 B/cpu (was 24 B)'], [7, '+8 B/cpu (was 24 B)'],
    ]);
    // the log gets the CLI's text report
    assert.match(view.text, /^percpu-lens diff: HEAD → working tree\n/);
    assert.match(view.text, /static area \(s\): \d+ → \d+ B \(\+24\)/);
  });

  it('module refcount made per-CPU: +8 B/cpu dynamic, a lens on the new alloc_percpu, none for the removed array', async () => {
    const { view } = await run('module-ref-percpu.mbox');
    // sizeof(struct module_ref) after the patch: two unsigned ints = 8 (gcc, diff.test.ts); no static change
    assert.strictEqual(diffStatusText(view.result), 'this change: 0 B/cpu static, +8 B/cpu dynamic');
    const lenses = diffLenses(view.result);
    // mod->refptr = alloc_percpu(struct module_ref); on line 8 of kernel/module.c after the patch
    assert.deepStrictEqual([...lenses.entries()].map(([f, l]) => [f, l.map((x) => [x.line, x.title])]), [['kernel/module.c', [[8, '+8 B/cpu (new)']]]]);
  });

  it('in the estimate process (forkedCore + estimateWorker): the same result and report as in this process', async () => {
    const { d, view } = await run('module-ref-percpu.mbox');
    const phases = new Set<string>();
    const forked = await new ForkedCore().diffWorkingTree(d, 'HEAD', settings, new AbortController().signal, (_d, _t, m) => { if (m) phases.add(m); });
    const noMs = (r: typeof view.result) => ({ ...r, stats: undefined });
    assert.deepStrictEqual(noMs(forked.result), noMs(view.result));
    assert.strictEqual(diffStatusText(forked.result), 'this change: 0 B/cpu static, +8 B/cpu dynamic');
    assert.ok(phases.has('scanning') && phases.has('rules'), [...phases].join());
  });

  it('against an older revision (the picked one): the committed patch counts, as from HEAD before it was committed', async () => {
    const { d } = await run('module-ref-percpu.mbox');
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'refcount per-CPU'], { cwd: d });
    const log = execFileSync('git', ['log', '--oneline', '--no-decorate', '-20'], { cwd: d, encoding: 'utf8' });
    const picks = parseOneline(log);
    assert.deepStrictEqual(picks.map((p) => p.description), ['refcount per-CPU', 'base']);
    const v = await new RealCore().diffWorkingTree(d, picks[1].rev, settings, new AbortController().signal, () => undefined);
    assert.strictEqual(diffStatusText(v.result), 'this change: 0 B/cpu static, +8 B/cpu dynamic');
    assert.match(v.text, new RegExp(`^percpu-lens diff: ${picks[1].rev} → working tree`));
  });

  it('not a git repository: a clear error', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-diffed-nogit-'));
    made.push(d);
    await assert.rejects(new RealCore().diffWorkingTree(d, 'HEAD', settings, new AbortController().signal, () => undefined), /git/i);
  });
});

describe('editor: diff strings', () => {
  const it0: DiffItem = { kind: 'static', status: 'changed', name: 'x', file: 'a.c', line: 3, before: 128, after: 192, delta: 64 };
  it('signed binary units', () => {
    assert.deepStrictEqual([signedBytes(1229), signedBytes(-64), signedBytes(0), signedBytes(1536)], ['+1.2 KiB', '-64 B', '0 B', '+1.5 KiB']);
  });
  it('lens titles: changed, added, NR_CPUS arrays per slot with the whole array', () => {
    assert.strictEqual(lensTitle(it0), '+64 B/cpu (was 128 B)');
    assert.strictEqual(lensTitle({ ...it0, status: 'added', before: 0, after: 64, delta: 64 }), '+64 B/cpu (new)');
    // ref[NR_CPUS] of 128-byte lines at NR_CPUS=8: 1024 B; shrunk to 8-byte slots: 64 B
    assert.strictEqual(lensTitle({ ...it0, kind: 'nr_cpus_array', before: 128, after: 8, delta: -120, atNrCpus: { before: 1024, after: 64, delta: -960 } }),
      '-120 B/slot (was 128 B, -960 B at NR_CPUS)');
  });
  it('git log --oneline as picks: hash, subject', () => {
    assert.deepStrictEqual(parseOneline('8e04d19 The kernel era comes from the Makefile\n2328d76 README: diff speed\n\n'), [
      { label: '8e04d19', description: 'The kernel era comes from the Makefile', rev: '8e04d19' },
      { label: '2328d76', description: 'README: diff speed', rev: '2328d76' },
    ]);
  });
});
