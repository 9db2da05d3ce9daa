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
import { changeAt, changeMarks } from '../../src/vscode/chunkMapModel';
import { compareViews, diffPanelData } from '../../src/vscode/diffModel';
import { isSafeRevision, parsePanelState, parseWebviewMessage } from '../../src/vscode/messages';
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

  it('the diff panel, per-CPU type grown: the two static blocks of NEW\'s map marked +8 B (24 → 32 as gcc sizes them), the area as ld links it', async () => {
    const { d, view } = await run('stats-type.patch');
    const after = gccTruth(d, BUILTIN, MODULES, ['-O2'], false, 128);
    const before = gccTruth(base, BUILTIN, MODULES, ['-O2'], false, 128);
    const marks = changeMarks(view.result.items, 'new');
    const blocks = view.after.snapshot.chunks.find((c) => c.kind === 'first')!.blocks.filter((b) => b.kind === 'static');
    const marked = blocks.flatMap((b) => { const c = changeAt(marks, b.kind, b.file, b.line); return c ? [[b.label, b.size, c.status, c.before, c.after, c.delta]] : []; });
    assert.deepStrictEqual(marked.sort(), [['rx_stats', 32, 'changed', 24, 32, 8], ['tx_stats', 32, 'changed', 24, 32, 8]]);
    // the unchanged variables carry no mark
    assert.strictEqual(blocks.length - marked.length, blocks.filter((b) => !['rx_stats', 'tx_stats'].includes(b.label ?? '')).length);
    // OLD's map: the same two variables at their (unmoved) lines, before the change
    const old = changeMarks(view.result.items, 'old');
    assert.deepStrictEqual(changeAt(old, 'static', 'kernel/counters.c', 6)?.before, 24);
    const p = diffPanelData(view.result);
    assert.deepStrictEqual(p.result.static, { before: before.staticSize, after: after.staticSize, delta: 24 });
    assert.strictEqual(p.summaryLine, 'add/remove: 0/0 grow/shrink: 2/0 up/down: 16/0 (16)');
    // the static area's blocks of NEW end where ld ends .data..percpu
    assert.strictEqual(view.after.snapshot.firstChunk.static, after.staticSize);
  });

  it('the diff panel, module refcount made per-CPU: the new alloc_percpu block marked +8 B in NEW, ref[NR_CPUS] (128 B a slot, 1 KiB at NR_CPUS=8) marked removed in OLD', async () => {
    const { view } = await run('module-ref-percpu.mbox');
    const marks = changeMarks(view.result.items, 'new');
    // the allocation's block in NEW's first chunk (the simulated dynamic area), tagged with its call site
    const allocs = view.after.snapshot.chunks.flatMap((c) => c.blocks).filter((b) => b.kind === 'alloc' && changeAt(marks, b.kind, b.file, b.line));
    assert.deepStrictEqual(allocs.map((b) => [b.file, b.line, b.size]), [['kernel/module.c', 8, 8]]);
    assert.deepStrictEqual(changeAt(marks, 'alloc', 'kernel/module.c', 8), { status: 'added', before: 0, after: 8, delta: 8, unit: 'cpu', detail: 'size 8 align 4 ×1' }); // two unsigned ints: size 8, align 4 (gcc)
    // struct module_ref { local_t count; } ____cacheline_aligned: 128 B with 128-byte lines (gcc, diff.test.ts); the array is on line 17
    const arr = view.before.nrCpusArrays.find((a) => a.name === 'struct module.ref')!;
    assert.deepStrictEqual([arr.file, arr.line, arr.elementBytes, arr.total, arr.container], ['include/linux/module.h', 17, 128, 1024, 'struct module']);
    const gone = changeAt(changeMarks(view.result.items, 'old'), 'nr_cpus_array', arr.file, arr.line);
    assert.deepStrictEqual([gone?.status, gone?.before, gone?.delta, gone?.unit], ['removed', 128, -128, 'slot']);
    assert.strictEqual(changeAt(marks, 'nr_cpus_array', arr.file, arr.line), undefined, 'a removed item has no mark on NEW');
    const p = diffPanelData(view.result);
    assert.strictEqual(p.summaryLine, 'add/remove: 1/1 grow/shrink: 0/0 up/down: 8/-128 (-120)');
    // 8 B a CPU for the counters at 8 CPUs: 64 B instead of 1 KiB in every module
    assert.deepStrictEqual([p.result.totals.atCpus.delta, p.result.items.find((i) => i.kind === 'nr_cpus_array')?.atNrCpus?.delta], [64, -1024]);
    assert.deepStrictEqual(p.result.diagnostics.removed.map((g) => [g.code, g.file]), [['PCPU001', 'include/linux/module.h']]);
  });

  it('the diff panel, net_device refcount made per-CPU at 64 CPUs: one added call site of 4 B, 256 B per device', async () => {
    const d = dirtyRepo('netdev-pcpu-refcnt.patch');
    made.push(d);
    const view = await new RealCore().diffWorkingTree(d, 'HEAD', { ...settings, configPath: '', nrCpus: 64, possibleCpus: 64 }, new AbortController().signal, () => undefined);
    const p = diffPanelData(view.result);
    // sizeof(int) = 4 (gcc, diff.test.ts) × 64 CPUs
    assert.deepStrictEqual(p.result.items.map((i) => [i.kind, i.status, i.name, i.before, i.after, i.delta]), [['alloc', 'added', 'alloc_netdev: alloc_percpu(int)', 0, 4, 4]]);
    assert.deepStrictEqual([p.result.totals.cpus, p.result.totals.atCpus.delta], [64, 256]);
    const marks = changeMarks(p.result.items, 'new');
    const i = p.result.items[0];
    assert.ok(view.after.snapshot.chunks.flatMap((c) => c.blocks).some((b) => b.kind === 'alloc' && b.file === i.file && b.line === i.line && changeAt(marks, b.kind, b.file, b.line)));
  });

  it('one pairing: Compare two configs (compareViews over the editor views) and diff (over the estimates) pair the same items', async () => {
    for (const patch of ['stats-type.patch', 'module-ref-percpu.mbox', 'shared-aligned.patch']) {
      const { view } = await run(patch);
      const c = compareViews(view.before, view.after);
      // NR_CPUS arrays count whole in a comparison of two configs and per slot in diff: compared by status
      const fromView = c.rows.filter((r) => r.status !== 'same').map((r) => [r.kind, r.status, r.name, r.file, r.line, r.kind === 'nr_cpus_array' ? 0 : r.delta]);
      const fromCore = view.result.items.filter((i) => i.kind !== 'module').map((i) => [i.kind, i.status, i.name, i.file, i.line, i.kind === 'nr_cpus_array' ? 0 : i.delta]);
      assert.deepStrictEqual(fromView, fromCore, patch);
    }
  });

  it('the panel state of a diff: restored by the serializer; the page may open only the files the estimates or the diff name', async () => {
    const { view } = await run('module-ref-percpu.mbox');
    const state = { views: [{ title: 'HEAD', view: view.before }, { title: 'working tree', view: view.after }], diff: diffPanelData(view.result) };
    const back = parsePanelState(JSON.parse(JSON.stringify(state)));
    assert.strictEqual(back?.diff?.summaryLine, state.diff.summaryLine);
    assert.deepStrictEqual(parseWebviewMessage({ type: 'open', viewIndex: 1, file: 'kernel/module.c', line: 8 }, back), { type: 'open', viewIndex: 1, file: 'kernel/module.c', line: 8 });
    assert.strictEqual(parseWebviewMessage({ type: 'open', viewIndex: 1, file: '../etc/passwd', line: 1 }, back), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'open', viewIndex: 1, file: 'kernel/nope.c', line: 1 }, back), undefined);
    // OLD's files open at the revision (git show REV:./FILE): only names git cannot take for an option
    assert.deepStrictEqual(['HEAD', 'a1b2c3d', 'HEAD~2', 'v6.12', 'origin/main', '-o', '--output=/tmp/x', 'a b', 'HEAD:x', ''].map(isSafeRevision),
      [true, true, true, true, true, false, false, false, false, false]);
    // a broken diff is dropped, the views kept
    assert.deepStrictEqual(Object.keys(parsePanelState({ ...state, diff: { result: {} } })!), ['views']);
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
