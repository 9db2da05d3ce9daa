// diff's NEW side re-using OLD's per-file results (src/core/estimate/reuse.ts) on the fixture tree
// of diff.test.ts: which files a change makes NEW redo (read from the fixture's #include lines), and
// that NEW so made equals NEW estimated whole as a tree of its own, for every fixture patch of
// .c and .h files. The expected figures are the full estimate's (diff.test.ts checks those against
// gcc and ld); what is checked here is that the shortcut changes nothing.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { estimate, type EstimateResult } from '../../src/core/estimate';
import { fromPatch, patchedFiles } from '../../src/core/estimate/diff';
import { rescanOverlay, reuseFor } from '../../src/core/estimate/diff/run';
import { contentOnly, dependents, freshFiles, fromGraph, includeGraph, sameDirectives, segmented, toGraph, type Parts } from '../../src/core/estimate/reuse';
import { withOverlay } from '../../src/core/overlay';
import { TypeIndex } from '../../src/core/layout/typeIndex';
import type { Finding, ScanResult } from '../../src/core/parse/types';

const repo = path.join(__dirname, '..', '..', '..');
const base = path.join(repo, 'test', 'fixtures', 'diff', 'base');
const patches = path.join(repo, 'test', 'fixtures', 'diff', 'patches');
const cfgPath = path.join(base, '.config');
const config = parseDotConfig(fs.readFileSync(cfgPath, 'utf8'), cfgPath);
const opts = () => ({ arch: ARCHES.x86_64, config, cpus: 8 });

/** what an estimate answers, without where and how fast */
const answers = (r: EstimateResult) => ({ ...r, root: '', stats: undefined });

describe('diff: NEW re-uses OLD\'s per-file results', function () {
  this.timeout(180000);
  let parts: Parts;
  let scan: ScanResult;
  const made: string[] = [];
  before(async () => {
    await estimate({ root: base, ...opts(), onScan: (s) => { scan = s; }, onParts: (p) => { parts = p; } });
  });
  after(() => {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  });

  /** NEW of `patch` from OLD's parts, as diff makes it, and the files it redid */
  async function reused(patch: string, p: Parts = parts): Promise<{ r: EstimateResult; redone: Set<string>; includesHold?: boolean }> {
    const m = fromPatch(path.join(patches, patch), base);
    try {
      const ov = m.new.overlay!;
      const reuse = reuseFor(p, base, ov, opts())!;
      const newScan = await rescanOverlay(scan, ov, {});
      const r = await withOverlay(ov, () => estimate({ root: base, ...opts(), scan: newScan, reuse }));
      return { r, redone: reuse.redone!, includesHold: reuse.includesHold };
    } finally {
      m.cleanup();
    }
  }

  /** NEW of `patch` as a tree of its own, estimated whole */
  async function whole(patch: string): Promise<EstimateResult> {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-reuse-'));
    made.push(d);
    fs.cpSync(base, d, { recursive: true, dereference: true });
    execFileSync('git', ['apply', path.join(patches, patch)], { cwd: d, stdio: 'pipe' });
    return estimate({ root: d, ...opts() });
  }

  it('the files a change makes NEW redo: a header\'s includers (as the fixture\'s #include lines say), a .c file alone', () => {
    // kernel/counters.c is the only file including linux/counters.h
    assert.deepStrictEqual([...freshFiles(parts, ['include/linux/counters.h'])].sort(), ['include/linux/counters.h', 'kernel/counters.c']);
    // linux/types.h reaches every file with findings: percpu.h includes it
    const t = freshFiles(parts, ['include/linux/types.h']);
    for (const f of ['kernel/counters.c', 'net/dev.c', 'drivers/foo.c', 'include/linux/module.h', 'include/linux/netdevice.h']) assert.ok(t.has(f), f);
    // linux/netdevice.h only net/dev.c
    assert.deepStrictEqual([...freshFiles(parts, ['include/linux/netdevice.h'])].sort(), ['include/linux/netdevice.h', 'net/dev.c']);
    assert.deepStrictEqual([...freshFiles(parts, ['net/dev.c'])], ['net/dev.c']);
  });

  it('every fixture patch of .c and .h files: NEW from OLD\'s parts equals NEW estimated whole', async () => {
    let checked = 0;
    let seeded = 0;
    for (const p of fs.readdirSync(patches).sort()) {
      const touched = patchedFiles(fs.readFileSync(path.join(patches, p), 'utf8'), 1);
      const files = touched.flatMap((f) => [f.old, f.new]).filter((f): f is string => !!f);
      if (!files.every((f) => /\.[ch]$/.test(f))) continue; // foo-builtin.patch edits a Makefile: NEW is estimated whole
      if (touched.some((f) => !f.old || !f.new)) continue; // local-include.patch adds a header: reuseFor takes no parts
      const { r, redone, includesHold } = await reused(p);
      assert.ok(redone.size < new Set(scan.findings.map((f) => f.file)).size, `${p}: some file is re-used`);
      assert.deepStrictEqual(answers(r), answers(await whole(p)), p);
      if (includesHold) seeded++;
      checked++;
    }
    assert.ok(checked >= 6, `${checked} patches`);
    // most patches keep every preprocessor line: those walked OLD's saved #include lists
    assert.ok(seeded >= 4, `${seeded} patches walked the saved #include lists`);
  });

  it('the saved #include lists hold while no changed file\'s preprocessor lines differ', () => {
    const h = fs.readFileSync(path.join(base, 'include/linux/counters.h'), 'utf8');
    assert.ok(sameDirectives(h, h.replace('u32 drops;', 'u32 drops;\n\tu64 errors;')), 'a member added');
    assert.ok(sameDirectives(h, h.replace('#include <linux/types.h>', '#  include   <linux/types.h> /* types */')), 'spaces and a comment');
    assert.ok(!sameDirectives(h, `${h}\n#define COUNTERS_MAX 4\n`), 'a macro added');
    assert.ok(!sameDirectives('#define N 4\n', '#define N 8\n'), 'a macro\'s value');
    assert.ok(!sameDirectives('#include <a.h>\nint x;\n', '/*\n#include <a.h>\n*/\nint x;\n'), 'an #include commented out');
    assert.ok(!sameDirectives('#define A 1 \\\n  + 2\n', '#define A 1 \\\n  + 3\n'), 'a continued line');
    // the saved lists: a file walked has its list (maybe empty), one met only as an include has none
    assert.ok(parts.active, 'the parts keep the lists walked');
    const lists = new Map([[path.join(base, 'a.c'), [path.join(base, 'x.h'), '/elsewhere/y.h']], [path.join(base, 'x.h'), []]]);
    const g = toGraph(base, lists);
    assert.deepStrictEqual(g.files, ['a.c', 'x.h', '/elsewhere/y.h']);
    assert.deepStrictEqual(g.edges, [[1, 2], [], null]);
    assert.deepStrictEqual(fromGraph(base, g), lists);
    // a type index given saved lists walks them, not the files' text
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-seed-'));
    made.push(d);
    for (const [f, t] of [['a.c', '#include "b.h"\n'], ['b.h', ''], ['c.h', '']]) fs.writeFileSync(path.join(d, f), t);
    const order = (seed?: Map<string, string[]>) => { const ix = new TypeIndex('x86_64', config, d); ix.seedIncludes(seed); return [...ix.includeOrder(path.join(d, 'a.c')).keys()].map((f) => path.basename(f)); };
    assert.deepStrictEqual(order(), ['a.c', 'b.h']);
    assert.deepStrictEqual(order(new Map([[path.join(d, 'a.c'), [path.join(d, 'c.h')]]])), ['a.c', 'c.h']);
  });

  it('an edit inside a header\'s definitions redoes the work that read them: struct pcpu_stats grows in linux/counters.h, kernel/counters.c is redone, the others are not', async () => {
    const { redone } = await reused('stats-type.patch');
    assert.deepStrictEqual([...redone].sort(), ['kernel/counters.c']);
    // a new member is a change of content only; a new #include, #if or name defined is not
    const h = fs.readFileSync(path.join(base, 'include/linux/counters.h'), 'utf8');
    assert.ok(contentOnly(h, h.replace('u32 drops;', 'u32 drops;\n\tu64 errors;')));
    assert.ok(!contentOnly(h, h.replace('#include <linux/types.h>', '#include <linux/types.h>\n#include <linux/cache.h>')));
    assert.ok(!contentOnly(h, h.replace('u32 drops;', 'u32 drops;\n};\nstruct pcpu_more {\n\tint x;')));
    assert.ok(!contentOnly(h, `${h}\n#define COUNTERS_MAX 4\n`));
    // an inline function (a predicate the dead-statics check may read) added or its body edited is not
    const fn = h.replace('#endif', 'static inline int counters_on(void) { return 1; }\n#endif');
    assert.ok(!contentOnly(h, fn));
    assert.ok(!contentOnly(fn, fn.replace('return 1;', 'return 0;')));
  });

  it('a file the change cannot reach is taken as OLD left it, not sized again', async () => {
    // a mark in OLD's saved sizes of net/dev.c shows through; stats-type.patch edits linux/counters.h only
    const marked: Parts = JSON.parse(JSON.stringify(parts));
    const seg = marked.statics.find((s) => s.file === 'net/dev.c' && s.out.builtin.length)!;
    seg.out.builtin[0].size += 1000;
    const { r } = await reused('stats-type.patch', marked);
    assert.strictEqual(r.static.variables.find((v) => v.file === 'net/dev.c')!.size, seg.out.builtin[0].size);
    // and the file the change reaches is sized again: its saved outcome is not used
    const c = marked.statics.find((s) => s.file === 'kernel/counters.c' && s.out.builtin.length)!;
    c.out.builtin[0].size += 1000;
    const again = await reused('stats-type.patch', marked);
    assert.notStrictEqual(again.r.static.variables.find((v) => v.file === 'kernel/counters.c')!.size, c.out.builtin[0].size);
  });

  it('segments: runs of one file, re-used in order while the file is not redone and its run has the same length', async () => {
    const f = (file: string, line: number): Finding => ({ kind: 'static', file, line, column: 1, endLine: line, endColumn: 1, name: `v${line}`, type: 'int', macro: 'DEFINE_PER_CPU' });
    const list = [f('a.c', 1), f('a.c', 2), f('b.c', 1), f('a.c', 9)];
    const runs: string[] = [];
    const run = async (fs: Finding[]) => { runs.push(fs.map((x) => `${x.file}:${x.line}`).join(' ')); return fs.length; };
    const first = await segmented(list, run);
    assert.deepStrictEqual(runs, ['a.c:1 a.c:2', 'b.c:1', 'a.c:9']);
    runs.length = 0;
    const saved = first.map((s) => ({ ...s, out: s.out * 100 }));
    const again = await segmented([...list.slice(0, 3), f('a.c', 9), f('a.c', 10)], run, { saved, fresh: (x) => x === 'b.c' });
    // b.c redone; a.c's first run re-used; its second run grew (2 findings, 1 saved): redone
    assert.deepStrictEqual(runs, ['b.c:1', 'a.c:9 a.c:10']);
    assert.deepStrictEqual(again.map((s) => s.out), [200, 1, 2]);
  });

  it('the include graph: quoted names beside the file first, then the include dirs; dependents go up every path', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-graph-'));
    made.push(d);
    const w = (f: string, t: string) => { fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true }); fs.writeFileSync(path.join(d, f), t); };
    w('include/x.h', '#include <y.h>\n');
    w('include/y.h', '');
    w('k/y.h', '');
    w('k/a.c', '#include "y.h"\n#include <x.h>\n#if 0\n# include "z.h"\n#endif\n');
    w('k/z.h', '');
    w('m/b.c', '#include <y.h>\n');
    const inc = (f: string) => [...fs.readFileSync(path.join(d, f), 'utf8').matchAll(/^\s*#\s*include\s*([<"][^>"]+[>"])/gm)].map((m) => m[1]);
    const g = includeGraph(d, ['k/a.c', 'm/b.c'], [path.join(d, 'include')], inc);
    const edges = (f: string) => g.edges[g.files.indexOf(f)].map((i) => g.files[i]).sort();
    assert.deepStrictEqual(edges('k/a.c'), ['include/x.h', 'k/y.h', 'k/z.h']);
    assert.deepStrictEqual(edges('m/b.c'), ['include/y.h']);
    assert.deepStrictEqual([...dependents(g, ['include/y.h'])].sort(), ['include/x.h', 'include/y.h', 'k/a.c', 'm/b.c']);
    assert.deepStrictEqual([...dependents(g, ['k/y.h'])].sort(), ['k/a.c', 'k/y.h']);
  });
});

describe('diff: NEW re-uses OLD\'s parts where a size is priced at the callers', function () {
  this.timeout(180000);
  const root = path.join(repo, 'test', 'fixtures', 'interproc');
  const cfg = path.join(root, '.config');
  const o = () => ({ arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(cfg, 'utf8'), cfg), cpus: 4, rules: false });
  const made: string[] = [];
  after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

  it('a patch adding a caller of a parameter-sized function in another file (drivers/drv.c calls kernel/matrix.c\'s irq_alloc_matrix): NEW equals NEW estimated whole', async () => {
    let parts!: Parts;
    let scan!: ScanResult;
    const old = await estimate({ root, ...o(), onScan: (s) => { scan = s; }, onParts: (p) => { parts = p; } });
    assert.ok(parts.alloc.callees.includes('irq_alloc_matrix'), parts.alloc.callees.join(', '));
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-reuse-ip-'));
    made.push(d);
    const patch = path.join(d, 'caller.patch');
    fs.writeFileSync(patch, [
      '--- a/drivers/drv.c', '+++ b/drivers/drv.c', '@@ -16,4 +16,5 @@ int drv_probe(struct device *dev)', ' {',
      '+\tirq_alloc_matrix(64, 0, 64);', ' \tstats = devm_alloc_percpu(dev, struct drv_stats);', ' \treturn stats ? 0 : -1;', ' }', '',
    ].join('\n'));
    const m = fromPatch(patch, root);
    let r: EstimateResult;
    try {
      const ov = m.new.overlay!;
      const reuse = reuseFor(parts, root, ov, o())!;
      // drv.c now calls irq_alloc_matrix and already called __devm_alloc_percpu (through devm_alloc_percpu): those two, not the others
      assert.deepStrictEqual([...reuse.callersReached!].sort(), ['__devm_alloc_percpu', 'irq_alloc_matrix']);
      assert.ok(parts.alloc.callees.length > 2, parts.alloc.callees.join(', '));
      const newScan = await rescanOverlay(scan, ov, {});
      r = await withOverlay(ov, () => estimate({ root, ...o(), scan: newScan, reuse }));
      assert.ok(reuse.redone!.has('kernel/matrix.c'), [...reuse.redone!].join(', '));
    } finally {
      m.cleanup();
    }
    const tree = path.join(d, 'tree');
    fs.cpSync(root, tree, { recursive: true, dereference: true });
    execFileSync('git', ['apply', patch], { cwd: tree, stdio: 'pipe' });
    const w = await estimate({ root: tree, ...o() });
    assert.deepStrictEqual(answers(r), answers(w));
    // the new caller's matrix is priced: NEW has one more call site than OLD
    assert.strictEqual(r.dynamic.callsites.length, old.dynamic.callsites.length + 1);
  });
});
