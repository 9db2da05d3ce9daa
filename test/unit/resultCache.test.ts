// The saved whole result (estimate/resultCache.ts): a second run on an unchanged tree with the same
// options is answered from it with the first run's numbers; any file edited, added or removed
// (a header no finding's file names, a Makefile), other options or a racy snapshot run the estimate
// again, and the new numbers are gcc's.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cachedEstimate, cachedScan, estimate, EstimateOptions, EstimateResult, speculate } from '../../src/core/estimate';
import type { ScanResult } from '../../src/core/parse/types';
import type { TreeStamp } from '../../src/core/estimate/resultCache';
import { ResultCache, treeStamp } from '../../src/core/estimate/resultCache';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { pruneStale } from '../../src/core/parse/cache';
import { age } from './support/tempTree';

const fixture = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'realtree');


const numbers = (r: EstimateResult) => ({ ...r, stats: { ...r.stats, ms: 0, rulesMs: 0, phases: undefined, resultCached: undefined, partsReused: undefined, scan: undefined } });

describe('saved estimate results', function () {
  this.timeout(120000);
  let tmp: string;
  let root: string;
  let cacheDir: string;
  const opts = (more: Partial<EstimateOptions> = {}): EstimateOptions => ({
    root, arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(path.join(root, '.config'), 'utf8'), '.config'), cpus: 4, cacheDir, ...more,
  });
  const srcu = (r: EstimateResult) => r.static.variables.find((v) => v.name === 'tree_srcu_srcu_data')?.size;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-results-'));
    root = path.join(tmp, 'tree');
    cacheDir = path.join(tmp, 'cache');
    fs.cpSync(fixture, root, { recursive: true });
    age(root);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('an unchanged tree is answered from the saved result, with the numbers of a full run', async () => {
    const full = await estimate(opts({ resultCache: false }));
    let scan: ScanResult | undefined;
    const first = await estimate(opts({ onScan: (s) => { scan = s; } }));
    assert.strictEqual(first.stats.resultCached, undefined);
    const second = await estimate(opts());
    assert.strictEqual(second.stats.resultCached, true);
    assert.deepStrictEqual(numbers(second), numbers(full));
    assert.deepStrictEqual(numbers(first), numbers(full));
    // the run's scan is saved beside it (diff's other side starts from it)
    let stamp: TreeStamp | undefined;
    assert.ok(await cachedEstimate(opts(), (st) => { stamp = st; }));
    const saved = cachedScan(opts(), stamp!);
    assert.ok(scan && saved && scan.findings.length > 0);
    assert.deepStrictEqual(saved.findings, scan.findings);
    assert.deepStrictEqual(saved.accessorFiles, scan.accessorFiles);
    // other options are another entry
    const eight = await estimate(opts({ cpus: 8 }));
    assert.strictEqual(eight.stats.resultCached, undefined);
    assert.strictEqual(eight.config.possibleCpus, 8);
    assert.strictEqual((await estimate(opts({ cpus: 8 }))).stats.resultCached, true);
    assert.strictEqual((await estimate(opts())).stats.resultCached, true);
  });

  it('a run\'s file stats are written aside at its start and put in place with its result; a cancelled run leaves the saved ones', async () => {
    await estimate(opts());
    const dir = path.join(cacheDir, 'results');
    const names = () => fs.readdirSync(dir).sort();
    assert.ok(names().some((f) => f.endsWith('.stamps.json')));
    assert.ok(!names().some((f) => f.includes('.stamps-next-')), 'taken in place');
    const stampsFile = path.join(dir, names().find((f) => f.endsWith('.stamps.json'))!);
    const saved = fs.readFileSync(stampsFile, 'utf8');
    // a header added where lookups search (the estimate runs whole), the run cancelled while it
    // sizes: its stats stay aside, the saved ones as they were
    const extra = path.join(root, 'include', 'linux', 'extra.h');
    fs.writeFileSync(extra, '#define EXTRA 1\n');
    age(extra); // a file, not its folder (age() dates a folder's files too)
    const ac = new AbortController();
    await assert.rejects(estimate(opts({ signal: ac.signal, onProgress: (_d, _t, m) => { if (m === 'sizing') ac.abort(); } })), /cancelled/);
    assert.ok(names().some((f) => f.includes('.stamps-next-')));
    assert.strictEqual(fs.readFileSync(stampsFile, 'utf8'), saved);
    // so after the header goes and a file is edited, the first run's parts serve what the edit cannot reach
    fs.rmSync(extra);
    const c = path.join(root, 'kernel', 'smp.c');
    fs.appendFileSync(c, '\n/* edited */\n');
    age(c);
    const next = await estimate(opts());
    assert.ok(next.stats.partsReused, `parts not re-used: ${next.stats.partsNotReused}`);
    assert.notStrictEqual(fs.readFileSync(stampsFile, 'utf8'), saved);
  });

  it('a run that keeps no result saves none, and its stat-keyed caches follow an edit', async () => {
    // it takes the tree's stamp all the same (its stats answer the scan's index and the facts)
    const first = await estimate(opts({ resultCache: false }));
    const results = path.join(cacheDir, 'results');
    assert.ok(!fs.existsSync(results) || fs.readdirSync(results).length === 0, 'nothing kept');
    assert.deepStrictEqual(numbers(first), numbers(await estimate(opts())));
    assert.strictEqual(srcu(first), 64);
    // struct srcu_data grown by int[20]: 128 (gcc, in headerCache.test.ts)
    const h = path.join(root, 'include', 'linux', 'srcu.h');
    fs.writeFileSync(h, fs.readFileSync(h, 'utf8').replace('\tint\t\tcpu;', '\tint\t\tcpu;\n\tint\t\tgrown[20];'));
    age(h);
    const after = await estimate(opts({ resultCache: false }));
    assert.strictEqual(after.stats.resultCached, undefined);
    assert.strictEqual(srcu(after), 128);
  });

  it('a run that can take nothing saved reads Kbuild while the stamp is taken: a built file edited since is read again', async () => {
    // the first run saves the header facts and the built files' facts (its Kbuild waited for the stamp)
    const first = await estimate(opts({ resultCache: false }));
    assert.ok(!first.static.variables.some((v) => v.name === 'irq_extra_hits'));
    // kernel/irq.c now builds a .c file beside it into irq.o (Kbuild reads that from the file's facts)
    fs.writeFileSync(path.join(root, 'kernel', 'irq_extra.c'), '#include <linux/percpu-defs.h>\nDEFINE_PER_CPU(long, irq_extra_hits);\n');
    const irq = path.join(root, 'kernel', 'irq.c');
    fs.appendFileSync(irq, '#include "irq_extra.c"\n');
    age(root);
    // nothing saved for these options, header facts saved: Kbuild is read before the stamp's stats are there
    const kept = await estimate(opts());
    const none = await estimate(opts({ resultCache: false }));
    for (const r of [kept, none]) {
      assert.strictEqual(r.static.variables.find((v) => v.name === 'irq_extra_hits')?.size, 8); // long
      assert.strictEqual(r.static.variables.find((v) => v.name === 'irq_extra_hits')?.file, 'kernel/irq_extra.c');
    }
    assert.deepStrictEqual(numbers(kept), numbers(none));
  });

  it('a header edited, a file added or removed runs the estimate again', async () => {
    await estimate(opts());
    assert.strictEqual((await estimate(opts())).stats.resultCached, true);
    // struct srcu_data grows by int[20]: 36 + 80 bytes, to the 64-byte line, 128 (gcc, in headerCache.test.ts)
    assert.strictEqual(srcu(await estimate(opts())), 64);
    const h = path.join(root, 'include', 'linux', 'srcu.h');
    const text = fs.readFileSync(h, 'utf8');
    const edited = text.replace('\tint\t\tcpu;', '\tint\t\tcpu;\n\tint\t\tgrown[20];');
    assert.notStrictEqual(edited, text, 'the fixture has struct srcu_data');
    fs.writeFileSync(h, edited);
    age(h);
    const after = await estimate(opts());
    assert.strictEqual(after.stats.resultCached, undefined);
    assert.strictEqual(srcu(after), 128);
    assert.strictEqual((await estimate(opts())).stats.resultCached, true);
    // a file added anywhere (even one no estimate reads) and then removed
    const extra = path.join(root, 'include', 'linux', 'extra.h');
    fs.writeFileSync(extra, '#define EXTRA 1\n');
    age(extra, path.dirname(extra));
    assert.strictEqual((await estimate(opts())).stats.resultCached, undefined);
    fs.rmSync(extra);
    // one entry per tree and options: the one saved with extra.h in the tree was replaced
    assert.strictEqual((await estimate(opts())).stats.resultCached, undefined);
    assert.strictEqual((await estimate(opts())).stats.resultCached, true);
  });

  it('an edit under Documentation/ keeps the saved result while the scan excludes it; tools/ and scripts/ do not', async () => {
    const doc = path.join(root, 'Documentation', 'core-api');
    fs.mkdirSync(doc, { recursive: true });
    fs.writeFileSync(path.join(doc, 'percpu.rst'), 'text\n');
    age(path.join(root, 'Documentation'));
    await estimate(opts());
    assert.strictEqual((await estimate(opts())).stats.resultCached, true);
    fs.appendFileSync(path.join(doc, 'percpu.rst'), 'more text\n');
    fs.writeFileSync(path.join(doc, 'new.rst'), 'new\n');
    age(path.join(root, 'Documentation'));
    assert.strictEqual((await estimate(opts())).stats.resultCached, true);
    // scanned when not excluded: an edit there is one like any other
    const all = opts({ exclude: [] });
    await estimate(all);
    assert.strictEqual((await estimate(all)).stats.resultCached, true);
    fs.appendFileSync(path.join(doc, 'percpu.rst'), 'again\n');
    age(path.join(root, 'Documentation'));
    assert.strictEqual((await estimate(all)).stats.resultCached, undefined);
    // built files include from tools/ (kernel/bpf/relo_core.c) and scripts/ (lib/fdt_ro.c)
    for (const top of ['tools', 'scripts']) {
      assert.strictEqual((await estimate(opts())).stats.resultCached, true);
      fs.mkdirSync(path.join(root, top, 'lib'), { recursive: true });
      fs.writeFileSync(path.join(root, top, 'lib', 'x.h'), '#define X 1\n');
      age(path.join(root, top));
      assert.strictEqual((await estimate(opts())).stats.resultCached, undefined, top);
    }
  });

  it('a file modified within the racy window is never trusted; a damaged entry is a miss', async () => {
    const c = path.join(root, 'kernel', 'srcu_user.c');
    fs.appendFileSync(c, '\n'); // modified now
    await estimate(opts());
    assert.strictEqual((await estimate(opts())).stats.resultCached, undefined, 'racy: not saved');
    age(c);
    await estimate(opts());
    const cache = new ResultCache(cacheDir, root, 'x');
    const files = fs.readdirSync(path.dirname(cache.file)).filter((f) => !/\.(?:scan|parts|stamps|sibling)\.json$/.test(f));
    assert.strictEqual(files.length, 1);
    fs.writeFileSync(path.join(path.dirname(cache.file), files[0]), '{"schema":');
    assert.strictEqual((await estimate(opts())).stats.resultCached, undefined);
    assert.strictEqual((await estimate(opts())).stats.resultCached, true);
  });

  it('other possible CPUs on the same tree take the parts of the run saved for it, with the numbers of a full run', async () => {
    // an NR_CPUS-sized array, whose per-CPU figures the CPU count changes
    const c = path.join(root, 'kernel', 'timer.c');
    fs.appendFileSync(c, '\nstatic unsigned long timer_pad[NR_CPUS];\n');
    age(c);
    await estimate(opts());
    const full = await estimate(opts({ cpus: 64, resultCache: false }));
    const sibling = await estimate(opts({ cpus: 64 }));
    assert.deepStrictEqual(sibling.stats.partsReused, { changed: 0, redone: 0 });
    assert.deepStrictEqual(numbers(sibling), numbers(full));
    // what the CPU count changes, so the test cannot pass by giving the 4-CPU numbers back
    const four = await estimate(opts());
    assert.strictEqual(four.stats.resultCached, true);
    assert.notDeepStrictEqual(numbers(four).firstChunk, numbers(sibling).firstChunk);
    assert.notDeepStrictEqual(numbers(four).nrCpusArrays, numbers(sibling).nrCpusArrays);
    assert.strictEqual((await estimate(opts({ cpus: 64 }))).stats.resultCached, true);
    // the tree changed since the last run saved: its parts do not hold, the run is whole
    fs.appendFileSync(c, '\n');
    age(c);
    const after = await estimate(opts({ cpus: 16 }));
    assert.strictEqual(after.stats.partsReused, undefined);
    assert.deepStrictEqual(numbers(after), numbers(await estimate(opts({ cpus: 16, resultCache: false }))));
  });

  it('another --nr-cpus or --instances, or possible CPUs on as many units, take the parts with the NR_CPUS arrays priced again', async () => {
    const c = path.join(root, 'kernel', 'timer.c');
    fs.appendFileSync(c, '\nstatic unsigned long timer_pad[NR_CPUS];\n');
    age(c);
    const pad = (r: EstimateResult) => r.nrCpusArrays.find((a) => a.name === 'timer_pad');
    // 3 and 4 possible CPUs both make 4 units (x86_64 allocates them 4 to a 2 MiB atom): 8 B x 3 = 24, x 4 = 32
    await estimate(opts({ cpus: 3 }));
    const four = await estimate(opts({ cpus: 4 }));
    assert.deepStrictEqual(four.stats.partsReused, { changed: 0, redone: 0 });
    assert.strictEqual('error' in four.firstChunk ? 0 : four.firstChunk.nrUnits, 4);
    assert.strictEqual(pad(four)?.bytesAtPossible, 32);
    assert.deepStrictEqual(numbers(four), numbers(await estimate(opts({ cpus: 4, resultCache: false }))));
    // another count of the structs holding NR_CPUS arrays (the module_ref case: 2000 modules by default), all else as the 4-CPU run's
    const inst = await estimate(opts({ instances: 10 }));
    assert.deepStrictEqual(inst.stats.partsReused, { changed: 0, redone: 0 });
    assert.strictEqual(pad(inst)?.instances, 10);
    assert.deepStrictEqual(numbers(inst), numbers(await estimate(opts({ instances: 10, resultCache: false }))));
    // the arrays at NR_CPUS = 4096: 8 B x 4096; PCPU001 says so
    const nr = await estimate(opts({ nrCpus: 4096 }));
    assert.deepStrictEqual(nr.stats.partsReused, { changed: 0, redone: 0 });
    assert.strictEqual(pad(nr)?.bytesAtNrCpus, 32768);
    assert.ok(nr.diagnostics.some((d) => d.code === 'PCPU001' && d.message.includes('32 KiB')), nr.diagnostics.map((d) => d.message).join('\n'));
    assert.deepStrictEqual(numbers(nr), numbers(await estimate(opts({ nrCpus: 4096, resultCache: false }))));
  });

  it('other possible CPUs rerun the file rules with the saved run\'s sizes, each taken with the files it read', async () => {
    // a threshold low enough that PCPU005 weighs the fixture's small statics: avc_cache_stats is
    // 5 x 4 = 20 B (security/sel/include/avc.h), irq_stack_backing_store 16384 B
    const o = (more: Partial<EstimateOptions> = {}) => opts({ largeFraction: 0.0001, ...more });
    const large = (r: EstimateResult) => r.diagnostics.filter((d) => d.code === 'PCPU005').map((d) => d.message.split(' is ')[0]).sort();
    await estimate(o());
    const full = await estimate(o({ cpus: 64, resultCache: false }));
    assert.deepStrictEqual(large(full).filter((m) => /avc_cache_stats|irq_stack/.test(m)), ['per-CPU avc_cache_stats', 'per-CPU irq_stack_backing_store']);
    // the size the rules asked for irq.c's struct, changed by hand in the saved parts: the sibling's
    // rules answer from there (16384 B worked out again would keep its PCPU005)
    const partsFile = fs.readdirSync(path.join(cacheDir, 'results')).find((f) => f.endsWith('.parts.json'))!;
    const p = path.join(cacheDir, 'results', partsFile);
    const saved = JSON.parse(fs.readFileSync(p, 'utf8'));
    const entry = saved.parts.rules.sizes.find(([k]: [string]) => k === 's\0kernel/irq.c\0struct irq_stack');
    assert.strictEqual(entry?.[1].size, 16384);
    entry[1] = { ...entry[1], size: 1 };
    fs.writeFileSync(p, JSON.stringify(saved));
    const sibling = await estimate(o({ cpus: 64 }));
    assert.deepStrictEqual(sibling.stats.partsReused, { changed: 0, redone: 0 });
    assert.deepStrictEqual(large(sibling), large(full).filter((m) => !m.includes('irq_stack')));
    // avc.c's rules took the struct's size from the table: the header it came from is still what they
    // read, so an edit of it (members only: the saved shape) makes the next run weigh avc.c again
    const h = path.join(root, 'security', 'sel', 'include', 'avc.h');
    fs.writeFileSync(h, fs.readFileSync(h, 'utf8').replace(/\tunsigned int (misses|allocations|reclaims|frees);\n/g, ''));
    age(h);
    const edited = await estimate(o({ cpus: 64 }));
    assert.ok(edited.stats.partsReused, 'the edit run re-uses the sibling\'s parts');
    const whole = await estimate(o({ cpus: 64, resultCache: false }));
    assert.ok(!large(whole).includes('per-CPU avc_cache_stats'), '4 B is under the threshold');
    // (the hand-made size stays in the parts each run passes on, as an answer would: irq.c is not edited)
    const mine = (r: EstimateResult) => large(r).filter((m) => !m.includes('irq_stack'));
    assert.deepStrictEqual(mine(edited), mine(whole));
  });

  it('the saved result, scan and parts taken before the tree is checked hold only while the tree is the saved one', async () => {
    assert.strictEqual(speculate(opts())?.saved, undefined, 'nothing saved yet');
    const first = await estimate(opts());
    const s = speculate(opts())!;
    assert.ok(s.saved && s.saved.parts.statics.length > 0 && s.saved.scan.findings.length > 0);
    assert.strictEqual(JSON.stringify(numbers(s.saved.result)), JSON.stringify(numbers(first)));
    const now = await s.stamp;
    assert.ok(now && s.saved.holds(now));
    const c = path.join(root, 'kernel', 'srcu_user.c');
    fs.appendFileSync(c, '\n');
    age(c);
    const again = speculate(opts())!;
    const later = await again.stamp;
    assert.ok(again.saved && later && !again.saved.holds(later), 'a file edited since');
  });

  it('the tree stamp changes with any file\'s size, mtime or name, not with .git; a cancel stops it', async () => {
    const a = await treeStamp(root);
    assert.strictEqual((await treeStamp(root)).digest, a.digest);
    fs.mkdirSync(path.join(root, '.git'));
    fs.writeFileSync(path.join(root, '.git', 'index'), 'x');
    assert.strictEqual((await treeStamp(root)).digest, a.digest);
    const m = path.join(root, 'Kbuild');
    const st = fs.statSync(m);
    fs.utimesSync(m, st.atime, new Date(st.mtimeMs + 1000));
    assert.notStrictEqual((await treeStamp(root)).digest, a.digest);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(treeStamp(root, { signal: ac.signal }), /cancelled/);
  });
});

describe('the tree stamp walked in parts', () => {
  // the stamp as one walk takes it: every entry in name order, depth first, `.git` skipped, a
  // directory reached twice (through a link) walked the first time only; written from that rule
  const reference = (root: string) => {
    const h = crypto.createHash('sha1');
    const files = new Map<string, string>();
    const odd: string[] = [];
    const seen = new Set([fs.realpathSync(root)]);
    const visit = (abs: string, rel: string) => {
      for (const name of fs.readdirSync(abs).sort()) {
        if (name === '.git') continue;
        const a = path.join(abs, name);
        const r = rel ? `${rel}/${name}` : name;
        const link = fs.lstatSync(a).isSymbolicLink();
        let st: fs.Stats;
        try { st = fs.statSync(a); } catch { h.update(`!${r}\n`); odd.push(`b${r}`); continue; }
        if (st.isDirectory()) {
          if (link) odd.push(`d${r}`);
          const real = link ? fs.realpathSync(a) : a;
          if (seen.has(real)) continue;
          seen.add(real);
          h.update(`d${r}\n`);
          visit(a, r);
          continue;
        }
        const s = link ? st : fs.lstatSync(a);
        // a file's line is its stats' entry too: path NUL size,mtime,ctime,inode NUL
        h.update(`${r}\0${s.size},${s.mtimeMs},${s.ctimeMs},${s.ino}\0`);
        files.set(r, `${s.size},${s.mtimeMs},${s.ctimeMs},${s.ino}`);
      }
    };
    visit(root, '');
    return { digest: h.digest('hex'), files: [...files], odd };
  };
  const tree = (links: Array<[string, string]>) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-stamp-'));
    // top-level folders with folders two levels down (the parts' slots) and files at every level
    for (const top of ['arch', 'drivers', 'kernel', 'scripts']) {
      fs.mkdirSync(path.join(root, top));
      fs.writeFileSync(path.join(root, top, 'Makefile'), top);
      for (let i = 0; i < 5; i++) {
        fs.mkdirSync(path.join(root, top, `d${i}`, 'deep'), { recursive: true });
        fs.writeFileSync(path.join(root, top, `d${i}`, 'a.c'), `${top}${i}`);
        fs.writeFileSync(path.join(root, top, `d${i}`, 'deep', 'b.h'), `${i}`);
      }
    }
    fs.writeFileSync(path.join(root, 'Kbuild'), 'x');
    for (const [at, to] of links) fs.symlinkSync(to, path.join(root, at));
    return root;
  };
  const cases: Array<[string, Array<[string, string]>]> = [
    ['no links', []],
    // scripts/dtc/include-prefixes/arm64 -> arch/arm64/boot/dts in a kernel tree: met before, skipped
    ['links to folders met before, to the root, to a file, and a broken one', [['scripts/d0/arch-d1', '../../arch/d1'], ['kernel/d3/up', '../..'], ['drivers/d2/m', '../Makefile'], ['kernel/gone', 'nowhere']]],
    ['a link to a folder met later (one part walks all)', [['arch/d0/later', '../../scripts/d4']]],
    ['a link out of the tree', [['drivers/d1/out', 'OUTSIDE']]],
  ];
  for (const [what, links] of cases) {
    it(`equals one walk's stamp: ${what}`, async () => {
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-stamp-out-'));
      fs.writeFileSync(path.join(outside, 'f.c'), 'x');
      const root = tree(links.map(([at, to]) => [at, to === 'OUTSIDE' ? outside : to]));
      try {
        const files = new Map<string, string>();
        const s = await treeStamp(root, { files });
        const want = reference(root);
        assert.strictEqual(s.digest, want.digest);
        assert.deepStrictEqual([...files], want.files);
        assert.deepStrictEqual(s.odd, want.odd);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
        fs.rmSync(outside, { recursive: true, force: true });
      }
    });
  }
});

describe('pruning saved results', () => {
  it('deletes results, their scans and unfinished copies nobody wrote for a month; keeps the rest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-prune-'));
    const month = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    const name = (c: string, ext: string) => path.join(dir, `${c.repeat(40)}${ext}`);
    const stale = [name('a', '.json'), name('b', '.scan.json'), name('c', '.json.123.tmp')];
    const kept = [name('d', '.json'), path.join(dir, 'notes.txt'), name('e', '.json')];
    for (const f of [...stale, ...kept]) fs.writeFileSync(f, '{}');
    for (const f of [...stale, kept[1], kept[2]]) fs.utimesSync(f, month, month);
    // kept[2] is old but is the entry being written now
    pruneStale(dir, kept[2], /[0-9a-f]{40}(?:\.scan)?\.json/);
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), kept.map((f) => path.basename(f)).sort());
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
