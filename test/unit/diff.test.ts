// `diff` on a fixture tree (test/fixtures/diff/base) with patches written against it. Expected
// figures come from gcc + ld on the tree before and after the patch (sizes with nm, the linked
// static area, modules' .data..percpu with objdump), and from the first-chunk rules of
// PERCPU-SPEC.md §1.2 worked by hand; never from the code under test.
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import {
  diffEstimates, diffToSarif, formatDiffMarkdown, formatDiffText, fromGit, fromPatch, fromTrees, fromWorkingTree, patchedFiles, DiffResult, InputError, Materialised,
} from '../../src/core/estimate/diff';
import { whyNotShared } from '../../src/core/estimate/diff/run';
import { compareItems } from '../../src/core/estimate/diff/compare';
import { withOverlay, fileExists } from '../../src/core/overlay';
import { readText } from '../../src/core/readText';
import { estimate, type EstimateResult } from '../../src/core/estimate';
import { autoconfFrom, gccTruth, Truth } from './support/linkTruth';
import { compileSizes } from './support/gccTruth';

const repo = path.join(__dirname, '..', '..', '..');
const base = path.join(repo, 'test', 'fixtures', 'diff', 'base');
const patches = path.join(repo, 'test', 'fixtures', 'diff', 'patches');
const cli = path.join(repo, 'dist', 'cli.js');
const cfgPath = path.join(base, '.config');
const config = parseDotConfig(fs.readFileSync(cfgPath, 'utf8'), cfgPath);
// link order read by hand from Kbuild and the Makefiles: kernel/ (module.o counters.o), net/ (dev.o)
const BUILTIN = ['kernel/module.c', 'kernel/counters.c', 'net/dev.c'];
const MODULES = { foo: ['drivers/foo.c'] };
const LINE = 128; // CONFIG_X86_L1_CACHE_SHIFT=7 in the fixture's .config
const PAGE = 4096;
// x86_64 under 6.12 (PERCPU-SPEC §2.1, §2.3): reserved 8 KiB, dyn argument 28 KiB, atom 2 MiB
const R = 8192;
const DYN = 28672;
const PFN_ALIGN = (x: number) => Math.ceil(x / PAGE) * PAGE;

function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pcpu-diff-${tag}-`));
}

/** base with the patch applied, as a separate tree for gcc (symlinked headers copied as files) */
function patchedCopy(patch: string): string {
  const d = tmpDir('tree');
  fs.cpSync(base, d, { recursive: true, dereference: true });
  execFileSync('git', ['apply', path.join(patches, patch)], { cwd: d, stdio: 'pipe' });
  return d;
}

const truthOf = (root: string): Truth => gccTruth(root, BUILTIN, MODULES, ['-O2'], false, LINE);

/** sizeof each expression, compiled by gcc against `root`'s headers */
function gccSizes(root: string, includes: string[], exprs: Record<string, string>): Record<string, number> {
  const d = tmpDir('sizes');
  try {
    fs.writeFileSync(path.join(d, 'autoconf.h'), autoconfFrom(fs.readFileSync(path.join(root, '.config'), 'utf8')));
    const src = includes.map((h) => `#include <${h}>`).join('\n') + '\n' + Object.entries(exprs).map(([k, e]) => `char ${k}[${e}];`).join('\n') + '\n';
    const got = compileSizes('gcc', ['-O2', '-I', path.join(root, 'include'), '-include', path.join(d, 'autoconf.h')], src);
    return Object.fromEntries(Object.keys(exprs).map((k) => [k, got.get(k)!]));
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
}

async function withSides<T>(m: Materialised, f: (m: Materialised) => Promise<T>): Promise<T> {
  try {
    return await f(m);
  } finally {
    m.cleanup();
  }
}

const opts = (over: { nrCpus?: number; cpus?: number } = {}) => ({ arch: ARCHES.x86_64, config, cpus: 8, ...over });
const runPatch = (patch: string, over: { nrCpus?: number; cpus?: number } = {}) =>
  withSides(fromPatch(path.join(patches, patch), base), (m) => diffEstimates(m, opts(over)));
const item = (r: DiffResult, kind: string, name: string) => r.items.find((i) => i.kind === kind && i.name === name);

describe('diff: the per-CPU cost of a patch, against gcc, ld and the allocator rules', function () {
  this.timeout(180000);
  let old: Truth;
  const made: string[] = [];
  before(() => {
    old = truthOf(base);
  });
  after(() => {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  });
  const newTruth = (patch: string) => {
    const d = patchedCopy(patch);
    made.push(d);
    return { dir: d, truth: truthOf(d) };
  };

  it('the base tree: the estimate links the static area as ld does (the deltas below rest on it)', async () => {
    const r = await runPatch('diag.patch');
    assert.strictEqual(r.static.before, old.staticSize);
  });

  it('module refcount made per-CPU (2.6.33): ref[NR_CPUS] of 128-byte lines is 1 KiB per module at NR_CPUS=8; the counters cost 8 B per CPU', async () => {
    const g0 = gccSizes(base, ['linux/module.h'], { ref: 'sizeof(((struct module *)0)->ref)', elem: 'sizeof(struct module_ref)' });
    const { dir } = newTruth('module-ref-percpu.mbox');
    const g1 = gccSizes(dir, ['linux/module.h'], { elem: 'sizeof(struct module_ref)' });
    assert.deepStrictEqual([g0.ref, g0.elem, g1.elem], [1024, 128, 8]); // 8 × 128: the history's "1 KiB per module"
    const r = await runPatch('module-ref-percpu.mbox');
    const ref = item(r, 'nr_cpus_array', 'struct module.ref');
    assert.ok(ref, JSON.stringify(r.items));
    assert.strictEqual(ref.status, 'removed');
    assert.deepStrictEqual([ref.before, ref.after, ref.delta], [g0.elem, 0, -g0.elem]);
    assert.deepStrictEqual(ref.atNrCpus, { before: g0.ref, after: 0, delta: -g0.ref });
    const alloc = r.items.find((i) => i.kind === 'alloc');
    assert.ok(alloc);
    assert.deepStrictEqual([alloc.status, alloc.file, alloc.line, alloc.before, alloc.after], ['added', 'kernel/module.c', 8, 0, g1.elem]);
    assert.deepStrictEqual(r.dynamic, { before: 0, after: 8, delta: 8 });
    assert.strictEqual(r.totals.atCpus.delta, 8 * 8); // 64 B of per-CPU counters replace 1 KiB in each module
    assert.deepStrictEqual(r.static, { before: old.staticSize, after: old.staticSize, delta: 0 });
    assert.deepStrictEqual(r.summary, { added: 1, removed: 1, grew: 0, shrank: 0, up: 8, down: -128, net: -120 });
    // the rule that flagged the array has nothing left to flag
    assert.deepStrictEqual(r.diagnostics.removed.map((d) => [d.code, d.file]), [['PCPU001', 'include/linux/module.h']]);
    assert.deepStrictEqual(r.diagnostics.added, []);
  });

  it('net_device refcount made per-CPU (2.6.37): 4 B per CPU, 256 B per device at 64 CPUs', async () => {
    const { dir } = newTruth('netdev-pcpu-refcnt.patch');
    const g = gccSizes(dir, ['linux/netdevice.h'], { cnt: 'sizeof(*((struct net_device *)0)->pcpu_refcnt)' });
    const r = await runPatch('netdev-pcpu-refcnt.patch', { nrCpus: 64, cpus: 64 });
    assert.deepStrictEqual(r.items.map((i) => [i.kind, i.status, i.name, i.before, i.after]), [['alloc', 'added', 'alloc_netdev: alloc_percpu(int)', 0, g.cnt]]);
    assert.strictEqual(r.totals.atCpus.delta, 256);
    assert.strictEqual(r.totals.cpus, 64);
    assert.deepStrictEqual(r.dynamic, { before: 0, after: 4, delta: 4 });
  });

  it('a per-CPU type grows in a header: both variables, the static area and the first chunk\'s dynamic area as ld and §1.2 say', async () => {
    const { truth } = newTruth('stats-type.patch');
    const r = await runPatch('stats-type.patch');
    for (const n of ['rx_stats', 'tx_stats']) {
      const i = item(r, 'static', n);
      assert.deepStrictEqual([i?.before, i?.after], [old.symbols.get(n)?.size, truth.symbols.get(n)?.size], n);
    }
    assert.deepStrictEqual([item(r, 'static', 'rx_stats')?.before, item(r, 'static', 'rx_stats')?.after], [24, 32]);
    assert.deepStrictEqual(r.static, { before: old.staticSize, after: truth.staticSize, delta: truth.staticSize - old.staticSize });
    const fcB = r.firstChunk.before as { dynamic: number; pagesPerCpu: number };
    const fcA = r.firstChunk.after as { dynamic: number; pagesPerCpu: number };
    // d = PFN_ALIGN(s + r + max(dyn, EARLY)) - s - r: the page rounding absorbs the growth
    assert.strictEqual(fcB.dynamic, PFN_ALIGN(old.staticSize + R + DYN) - old.staticSize - R);
    assert.strictEqual(fcA.dynamic, PFN_ALIGN(truth.staticSize + R + DYN) - truth.staticSize - R);
    assert.deepStrictEqual(r.firstChunk.changed, { pagesPerCpu: false, unitSize: false, dynamic: true, static: true });
  });

  it('a variable moved to DEFINE_PER_CPU_SHARED_ALIGNED: same size, new section and alignment; lines shifted above do not count as changes', async () => {
    const { truth } = newTruth('shared-aligned.patch');
    const r = await runPatch('shared-aligned.patch');
    assert.deepStrictEqual(r.items.map((i) => [i.kind, i.name, i.status, i.before, i.after, i.line, i.oldLine]), [['static', 'irq_count', 'changed', 8, 8, 11, 8]]);
    assert.match(r.items[0].detail ?? '', /\.data\.\.percpu align 8 → unsigned long \.\.shared_aligned align 128/);
    assert.deepStrictEqual(r.static, { before: old.staticSize, after: truth.staticSize, delta: truth.staticSize - old.staticSize });
    assert.deepStrictEqual(r.diagnostics.added, []);
    assert.deepStrictEqual(r.diagnostics.removed, []);
  });

  it('a 256 KiB per-CPU buffer: pages/cpu and the unit size change as §1.2 says', async () => {
    const { truth } = newTruth('big-buffer.patch');
    assert.strictEqual(truth.symbols.get('trace_pages')?.size, 64 * PAGE);
    const r = await runPatch('big-buffer.patch');
    const fb = r.firstChunk.before as { pagesPerCpu: number; unitSize: number };
    const fa = r.firstChunk.after as { pagesPerCpu: number; unitSize: number };
    assert.strictEqual(fb.pagesPerCpu, PFN_ALIGN(old.staticSize + R + DYN) / PAGE);
    assert.strictEqual(fa.pagesPerCpu, PFN_ALIGN(truth.staticSize + R + DYN) / PAGE);
    // before: size_sum 40960 → alloc 2 MiB, upa 8 (2 MiB / 8 = 256 KiB, a page multiple) → u = 256 KiB.
    // after: size_sum ≈ 299 KiB → 2 MiB / size_sum = 7 units at most; 7, 6, 5 do not divide 2 MiB
    // into pages, 4 does → u = 512 KiB (8 CPUs in 2 allocations of 4 units, none wasted)
    assert.deepStrictEqual([fb.unitSize, fa.unitSize], [262144, 524288]);
    assert.deepStrictEqual(r.firstChunk.changed, { pagesPerCpu: true, unitSize: true, dynamic: false, static: true });
    assert.deepStrictEqual(r.diagnostics.added.map((d) => d.code), ['PCPU005']);
  });

  it('only the diagnostics a change introduces, matched by code, file and the text they point at (robust to line shifts)', async () => {
    const r = await runPatch('diag.patch');
    assert.deepStrictEqual(r.items, []);
    assert.deepStrictEqual(r.diagnostics.added.map((d) => [d.code, d.file, d.line, d.symbol]),
      [['PCPU003', 'net/dev.c', 22, 'per_cpu_ptr(&xmit_recursion, smp_processor_id())']]);
    assert.deepStrictEqual(r.diagnostics.removed, []);
    // PCPU001 on module.h is in both trees and is not reported
    const sarif = diffToSarif(r);
    assert.deepStrictEqual(sarif.runs[0].results?.map((x) => [x.ruleId, x.locations?.[0].physicalLocation?.region?.startLine]), [['PCPU003', 22]]);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(repo, 'test', 'schemas', 'sarif-2.1.0.json'), 'utf8')));
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3)));
  });

  it('a module\'s .data..percpu grows as objdump says', async () => {
    const { truth } = newTruth('foo-module.patch');
    const r = await runPatch('foo-module.patch');
    const m = item(r, 'module', 'foo');
    assert.deepStrictEqual([m?.status, m?.before, m?.after], ['changed', old.modules.get('foo'), truth.modules.get('foo')]);
    assert.deepStrictEqual(r.reserved.delta, truth.modules.get('foo')! - old.modules.get('foo')!);
    assert.strictEqual(r.static.delta, 0);
  });

  it('a Makefile change read through the overlay: the module becomes built-in, its variables join the static area as ld places them', async () => {
    const dir = patchedCopy('foo-builtin.patch');
    made.push(dir);
    const truth = gccTruth(dir, [...BUILTIN, 'drivers/foo.c'], {}, ['-O2'], false, LINE);
    const r = await runPatch('foo-builtin.patch');
    assert.deepStrictEqual(r.items.map((i) => [i.kind, i.name, i.status, i.before, i.after]).sort(), [
      ['module', 'foo', 'removed', old.modules.get('foo'), 0],
      ['static', 'foo_busy', 'added', 0, truth.symbols.get('foo_busy')?.size],
      ['static', 'foo_state', 'added', 0, truth.symbols.get('foo_state')?.size],
    ]);
    assert.deepStrictEqual(r.static, { before: old.staticSize, after: truth.staticSize, delta: truth.staticSize - old.staticSize });
    assert.strictEqual(r.reserved.after, 0);
  });

  it('two trees give what the patch gives', async () => {
    const dir = patchedCopy('module-ref-percpu.mbox');
    made.push(dir);
    const viaPatch = await runPatch('module-ref-percpu.mbox');
    const viaTrees = await withSides(fromTrees(base, dir), (m) => diffEstimates(m, opts()));
    assert.deepStrictEqual(viaTrees.items, viaPatch.items);
    assert.deepStrictEqual([viaTrees.static, viaTrees.dynamic, viaTrees.totals], [viaPatch.static, viaPatch.dynamic, viaPatch.totals]);
    assert.deepStrictEqual(viaTrees.diagnostics.removed.map((d) => d.code), ['PCPU001']);
  });

  it('every fixture patch: NEW over an overlay, re-using OLD\'s Kbuild reading and type index, equals NEW estimated as a tree of its own', async () => {
    for (const p of fs.readdirSync(patches).sort()) {
      const dir = patchedCopy(p);
      made.push(dir);
      const a = await runPatch(p);
      if (p === 'foo-builtin.patch') assert.strictEqual(a.stats.notShared, 'drivers/Makefile is a build file');
      // a new .c file and its Makefile line: NEW's Kbuild sees the file the overlay adds (extra_events counts)
      else if (p === 'new-file.patch') assert.strictEqual(a.stats.notShared, 'kernel/Makefile is a build file');
      // kernel/module.c #includes a new header: Kbuild builds it into module.o (module_hits counts)
      else if (p === 'local-include.patch') assert.strictEqual(a.stats.notShared, 'kernel/module.c changes its local #includes');
      else assert.strictEqual(a.stats.notShared, undefined, `${p}: ${a.stats.notShared}`);
      const b = await withSides(fromTrees(base, dir), (m) => diffEstimates(m, opts()));
      assert.deepStrictEqual(a.items, b.items, p);
      assert.deepStrictEqual([a.static, a.dynamic, a.reserved, a.totals, a.firstChunk], [b.static, b.dynamic, b.reserved, b.totals, b.firstChunk], p);
      assert.deepStrictEqual(a.diagnostics.added.map((d) => d.message), b.diagnostics.added.map((d) => d.message), p);
      assert.deepStrictEqual(a.diagnostics.removed.map((d) => d.message), b.diagnostics.removed.map((d) => d.message), p);
    }
  });

  it('with the caches on (scan, stat index, file facts, header index): the same answers, and OLD\'s caches keep OLD\'s facts', async () => {
    const cacheDir = tmpDir('cache');
    made.push(cacheDir);
    const plain = await estimate({ root: base, ...opts() });
    for (const p of ['foo-builtin.patch', 'stats-type.patch', 'module-ref-percpu.mbox']) {
      const want = await runPatch(p);
      for (let i = 0; i < 2; i++) {
        const got = await withSides(fromPatch(path.join(patches, p), base), (m) => diffEstimates(m, { ...opts(), cacheDir }));
        assert.deepStrictEqual([got.items, got.static, got.reserved, got.dynamic], [want.items, want.static, want.reserved, want.dynamic], `${p} run ${i + 1}`);
      }
    }
    const cached = await estimate({ root: base, ...opts(), cacheDir });
    assert.deepStrictEqual([cached.static, cached.reserved, cached.dynamic, cached.nrCpusArrays], [plain.static, plain.reserved, plain.dynamic, plain.nrCpusArrays]);
  });

  it('OLD from the result cache (tree unchanged since the last run): the same answers, NEW re-uses nothing of OLD\'s sizing', async () => {
    const tree = tmpDir('aged');
    const cacheDir = tmpDir('cache');
    made.push(tree, cacheDir);
    fs.cpSync(base, tree, { recursive: true, dereference: true });
    // older than the racy window, so the first run's result is saved
    const t = new Date(Date.now() - 3600 * 1000);
    for (const e of fs.readdirSync(tree, { recursive: true, withFileTypes: true })) fs.utimesSync(path.join(e.parentPath, e.name), t, t);
    for (const p of ['stats-type.patch', 'module-ref-percpu.mbox']) {
      const want = await runPatch(p);
      const runs = [];
      for (let i = 0; i < 2; i++) runs.push(await withSides(fromPatch(path.join(patches, p), tree), (m) => diffEstimates(m, { ...opts(), cacheDir })));
      assert.strictEqual(runs[1].stats.oldCached, true, p);
      for (const got of runs) {
        assert.deepStrictEqual([got.items, got.static, got.reserved, got.dynamic, got.totals, got.firstChunk], [want.items, want.static, want.reserved, want.dynamic, want.totals, want.firstChunk], p);
        assert.deepStrictEqual(got.diagnostics.added.map((d) => d.message), want.diagnostics.added.map((d) => d.message), p);
        assert.deepStrictEqual(got.diagnostics.removed.map((d) => d.message), want.diagnostics.removed.map((d) => d.message), p);
      }
    }
  });

  it('a change to a build file or to a per-CPU wrapper macro re-reads Kbuild and the headers', () => {
    const versions = (f: string) => (f === 'kernel/srcu.c' ? ['int x;\n', 'DEFINE_STATIC_SRCU(x);\n'] : f === 'kernel/w.h' ? ['#define DEFINE_MY(n) \\\n\tDEFINE_PER_CPU(int, n)\n'] : f === 'kernel/i.c' ? ['#include "part.c"\n'] : ['int x;\n']);
    const names = new Set(['DEFINE_STATIC_SRCU']);
    assert.strictEqual(whyNotShared(['kernel/a.c', 'include/b.h'], names, versions), undefined);
    assert.match(whyNotShared(['kernel/a.c', 'kernel/Makefile'], names, versions) ?? '', /build file/);
    assert.match(whyNotShared(['kernel/srcu.c'], names, versions) ?? '', /uses a per-CPU wrapper/);
    assert.match(whyNotShared(['kernel/w.h'], names, versions) ?? '', /defines a per-CPU wrapper/);
    assert.match(whyNotShared(['kernel/i.c'], names, versions) ?? '', /^kernel\/i\.c #includes files built with it$/);
    // two versions read under a .config: the same files #included at the same lines share OLD's
    // Kbuild (an #if moved elsewhere in the file does not count); another one, not (unless Kbuild does not build the file)
    const two = (f: string) => (f === 'kernel/same.c'
      ? ['#include "part.c"\n#ifdef CONFIG_A\nint a;\n#endif\n', '#include "part.c"\nint b;\n#ifdef CONFIG_A\nint a;\n#endif\n']
      : f === 'kernel/off.c' ? ['int a;\n', 'int a;\n#ifdef CONFIG_OFF\n#include "part.h"\n#endif\n'] : ['int a;\n', 'int a;\n#include "part.h"\n']);
    const cond = (e: string) => e !== 'defined(CONFIG_OFF)';
    assert.strictEqual(whyNotShared(['kernel/same.c'], names, two, { cond }), undefined);
    assert.strictEqual(whyNotShared(['kernel/off.c'], names, two, { cond }), undefined);
    assert.strictEqual(whyNotShared(['kernel/new.c'], names, two, { cond }), 'kernel/new.c changes its local #includes');
    assert.strictEqual(whyNotShared(['kernel/new.c'], names, two, { cond, built: (f) => f !== 'kernel/new.c' }), undefined);
  });

  it('--git A B: two revisions give what the patch gives, nothing is checked out, the checkout is left as it was', async () => {
    const g = tmpDir('git');
    made.push(g);
    fs.cpSync(base, g, { recursive: true, dereference: true });
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: g, encoding: 'utf8' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'base');
    git('am', '-q', path.join(patches, 'module-ref-percpu.mbox'));
    const viaPatch = await runPatch('module-ref-percpu.mbox');
    // HEAD is B, not A: both revisions are overlays of the working tree, nothing is checked out
    const m = fromGit('HEAD~1', 'HEAD', g);
    let r: DiffResult;
    try {
      assert.strictEqual(m.old.root, fs.realpathSync(g));
      assert.deepStrictEqual([...m.old.overlay!.files.keys()].sort(), ['include/linux/module.h', 'kernel/module.c']);
      assert.strictEqual(m.new.overlay!.files.size, 0);
      r = await diffEstimates(m, opts());
      assert.strictEqual(git('worktree', 'list').trim().split('\n').length, 1);
    } finally {
      m.cleanup();
    }
    assert.strictEqual(git('status', '--porcelain'), '');
    assert.deepStrictEqual(r.items, viaPatch.items);
    assert.deepStrictEqual(r.diagnostics.removed.map((d) => d.code), ['PCPU001']);
    // the reverse, with the checkout at A (HEAD) and clean: read in place, nothing created
    const back = fromGit('HEAD', 'HEAD~1', g);
    try {
      assert.strictEqual(back.old.root, fs.realpathSync(g));
      const rb = await diffEstimates(back, opts());
      assert.deepStrictEqual(rb.summary, { added: 1, removed: 1, grew: 0, shrank: 0, up: 128, down: -8, net: 120 });
    } finally {
      back.cleanup();
    }
    assert.strictEqual(git('status', '--porcelain'), '');
    // the working tree against HEAD: an uncommitted header change and an untracked file the
    // (uncommitted) Makefile builds; nothing is checked out and the status stays as it was
    execFileSync('git', ['apply', path.join(patches, 'stats-type.patch')], { cwd: g });
    fs.writeFileSync(path.join(g, 'kernel', 'extra.c'), '#include <linux/percpu.h>\nDEFINE_PER_CPU(unsigned long, extra_count);\n');
    fs.appendFileSync(path.join(g, 'kernel', 'Makefile'), 'obj-y\t\t\t+= extra.o\n');
    const status = git('status', '--porcelain');
    const viaTypePatch = await runPatch('stats-type.patch');
    const w = fromWorkingTree('HEAD', g);
    let rw: DiffResult;
    try {
      assert.strictEqual(w.new.root, fs.realpathSync(g));
      rw = await diffEstimates(w, opts());
    } finally {
      w.cleanup();
    }
    assert.strictEqual(git('status', '--porcelain'), status);
    assert.strictEqual(git('worktree', 'list').trim().split('\n').length, 1);
    // two revisions over this dirty working tree: its changes and untracked files belong to neither
    const dirty = await withSides(fromGit('HEAD~1', 'HEAD', g), (x) => diffEstimates(x, opts()));
    assert.deepStrictEqual(dirty.items, viaPatch.items);
    assert.deepStrictEqual(dirty.diagnostics.removed.map((d) => d.code), ['PCPU001']);
    assert.strictEqual(git('status', '--porcelain'), status);
    assert.deepStrictEqual(rw.items.filter((i) => i.name !== 'extra_count'), viaTypePatch.items);
    assert.deepStrictEqual(rw.items.filter((i) => i.name === 'extra_count').map((i) => [i.status, i.file, i.after]), [['added', 'kernel/extra.c', 8]]);
    assert.strictEqual(rw.stats.notShared, 'kernel/Makefile is a build file');
  });

  it('text, Markdown and SARIF reports', async () => {
    const r = await runPatch('module-ref-percpu.mbox');
    const text = formatDiffText(r);
    assert.match(text, /^add\/remove: 1\/1 grow\/shrink: 0\/0 up\/down: 8\/-128 \(-120\)$/m);
    assert.match(text, /^alloc module_setup_refs: alloc_percpu\(struct module_ref\) +- +8 +\+8 +kernel\/module\.c:8 +\+64 B at 8 CPUs$/m);
    assert.match(text, /^NR_CPUS struct module\.ref +128 +- +-128 +include\/linux\/module\.h:17 +array at NR_CPUS=8: 1024 → 0 \(-1024 B\)/m);
    assert.match(text, /^static area \(s\): \d+ → \d+ B \(0\)$/m);
    const md = formatDiffMarkdown(r);
    assert.match(md, /^### percpu-lens: \+8 B per CPU \(\+64 B at 8 CPUs\), NR_CPUS arrays -1024 B per instance at NR_CPUS=8$/m);
    assert.match(md, /^\| ➖ \| NR\\_CPUS struct module.ref/m);
    assert.strictEqual(diffToSarif(r).runs[0].results?.length, 0); // a removed finding is not a SARIF result
  });
});

describe('diff inputs', function () {
  this.timeout(60000);
  it('reads the touched files of git patches, mboxes, plain unified diffs, renames, creations and deletions', () => {
    assert.deepStrictEqual(patchedFiles(fs.readFileSync(path.join(patches, 'module-ref-percpu.mbox'), 'utf8')),
      [{ old: 'include/linux/module.h', new: 'include/linux/module.h' }, { old: 'kernel/module.c', new: 'kernel/module.c' }]);
    assert.deepStrictEqual(patchedFiles(fs.readFileSync(path.join(patches, 'stats-type.patch'), 'utf8')),
      [{ old: 'include/linux/counters.h', new: 'include/linux/counters.h' }]);
    const text = [
      'diff --git a/x/old.c b/x/new.c', 'similarity index 100%', 'rename from x/old.c', 'rename to x/new.c',
      'diff --git a/y.c b/y.c', 'new file mode 100644', 'index 0000000..e69de29', '--- /dev/null', '+++ b/y.c', '@@ -0,0 +1 @@', '+int y;',
      'diff --git a/z.c b/z.c', 'deleted file mode 100644', '--- a/z.c', '+++ /dev/null', '@@ -1 +0,0 @@', '-int z;',
    ].join('\n');
    assert.deepStrictEqual(patchedFiles(text), [{ old: 'x/old.c', new: 'x/new.c' }, { new: 'y.c' }, { old: 'z.c' }]);
  });

  it('a patch that does not apply, or names a file the tree lacks: a clear error, nothing left behind', () => {
    const d = tmpDir('bad');
    // a temporary folder of this test's own: other runs on the machine make percpu-lens-diff-* too
    const tmp = path.join(d, 'tmp');
    fs.mkdirSync(tmp);
    const prev = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const p = path.join(d, 'bad.patch');
      fs.writeFileSync(p, '--- a/net/dev.c\n+++ b/net/dev.c\n@@ -1,2 +1,2 @@\n-no such line\n+x\n context\n');
      assert.throws(() => fromPatch(p, base), (e: Error) => e instanceof InputError && /does not apply/.test(e.message));
      fs.writeFileSync(p, '--- a/nope.c\n+++ b/nope.c\n@@ -1 +1 @@\n-a\n+b\n');
      assert.throws(() => fromPatch(p, base), (e: Error) => e instanceof InputError && /nope\.c is not in/.test(e.message));
      fs.writeFileSync(p, 'just a mail\n');
      assert.throws(() => fromPatch(p, base), /no file diffs/);
      assert.strictEqual(os.tmpdir(), tmp);
      assert.deepStrictEqual(fs.readdirSync(tmp), [], 'left behind');
    } finally {
      if (prev === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = prev;
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('CLI: JSON with the contract\'s fields; bad usage exits 2', () => {
    const cache = tmpDir('cache');
    try {
      const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120000, env: { ...process.env, XDG_CACHE_HOME: cache } });
      const ok = run(['diff', '--patch', path.join(patches, 'netdev-pcpu-refcnt.patch'), base, '--cpus', '64', '--nr-cpus', '64', '--json']);
      assert.strictEqual(ok.status, 0, ok.stderr);
      const j = JSON.parse(ok.stdout);
      for (const k of ['static', 'dynamic']) assert.deepStrictEqual(Object.keys(j[k]).sort(), ['after', 'before', 'delta']);
      assert.deepStrictEqual(Object.keys(j.firstChunk).filter((k) => k !== 'changed'), ['before', 'after']);
      assert.deepStrictEqual(Object.keys(j.diagnostics).filter((k) => k !== 'changed'), ['added', 'removed']);
      for (const k of ['kind', 'name', 'file', 'line', 'before', 'after', 'delta']) assert.ok(k in j.items[0], k);
      assert.strictEqual(j.totals.atCpus.delta, 256);
      const md = run(['diff', '--patch', path.join(patches, 'netdev-pcpu-refcnt.patch'), base, '--markdown']);
      assert.strictEqual(md.status, 0, md.stderr);
      assert.match(md.stdout, /^### percpu-lens: \+4 B per CPU/m);
      for (const bad of [['diff', base], ['diff', '--git', 'A'], ['diff', base, '/nonexistent/tree'], ['diff', '--patch', '/nonexistent.patch', base], ['diff', base, base, '--json', '--sarif']]) {
        const r = run(bad);
        assert.strictEqual(r.status, 2, `${bad.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /^percpu-lens: /);
      }
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('diff internals', () => {
  it('overlay: replaced files read from the copy, deleted ones are ENOENT, others from the tree; nothing once it ends', async () => {
    const d = tmpDir('ov');
    try {
      fs.mkdirSync(path.join(d, 'tree', 'a'), { recursive: true });
      fs.mkdirSync(path.join(d, 'copy', 'a'), { recursive: true });
      fs.writeFileSync(path.join(d, 'tree', 'a', 'x.c'), 'old');
      fs.writeFileSync(path.join(d, 'tree', 'a', 'gone.h'), 'gone');
      fs.writeFileSync(path.join(d, 'tree', 'a', 'same.c'), 'same');
      fs.writeFileSync(path.join(d, 'copy', 'a', 'x.c'), 'new');
      fs.writeFileSync(path.join(d, 'copy', 'a', 'added.h'), 'added');
      const root = path.join(d, 'tree');
      const files = new Map<string, string | null>([['a/x.c', path.join(d, 'copy', 'a', 'x.c')], ['a/gone.h', null], ['a/added.h', path.join(d, 'copy', 'a', 'added.h')]]);
      const at = (f: string) => path.join(root, f);
      await withOverlay({ root, files }, async () => {
        assert.strictEqual(readText(at('a/x.c'), 'utf8'), 'new');
        assert.strictEqual(readText(at('a/same.c'), 'utf8'), 'same');
        assert.throws(() => readText(at('a/gone.h'), 'utf8'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
        assert.deepStrictEqual([fileExists(at('a/added.h')), fileExists(at('a/gone.h')), fileExists(at('a/same.c')), fileExists(at('a/none.h'))], [true, false, true, false]);
        await assert.rejects(withOverlay({ root, files }, async () => undefined), /already active/);
      });
      assert.strictEqual(readText(at('a/x.c'), 'utf8'), 'old');
      assert.strictEqual(fileExists(at('a/added.h')), false);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('items with the same name pair in line order: of two identical call sites in one function, the second removed', () => {
    const site = (line: number) => ({ file: 'k.c', line, func: 'f', expr: 'alloc_percpu(int)', size: 4, align: 4, count: 1, total: 4, countSource: 'default' as const });
    const est = (callsites: ReturnType<typeof site>[]) => ({
      static: { variables: [] }, dynamic: { callsites }, nrCpusArrays: [], reserved: { modules: [] },
    }) as unknown as EstimateResult;
    const items = compareItems(est([site(10), site(20)]), est([site(12)]));
    assert.deepStrictEqual(items.map((i) => [i.status, i.line, i.before, i.after]), [['removed', 20, 4, 0]]);
  });
});
