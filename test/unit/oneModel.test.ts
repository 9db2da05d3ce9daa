// One model of the source: the same entity shows the same numbers in the estimate's tables, in
// the diagnostics' fields (JSON and SARIF) and in the editor's hints, because all of them price it
// through core/estimate/session.ts. Sizes are gcc's (readelf -sW of the structs compiled with gcc -c).
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { estimate, EstimateResult } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { defaultConfig, parseDotConfig } from '../../src/core/config/kconfig';
import { estimateToSarif } from '../../src/core/report/estimateSarif';
import { LayoutEngine } from '../../src/core/layout';
import { createCore, type Item } from '../../src/vscode/core';
import { parseSettings } from '../../src/vscode/settings';

const REPO = path.join(__dirname, '..', '..', '..');
const FIX = path.join(REPO, 'test', 'fixtures', 'onemodel');
const SAMPLE = path.join(REPO, 'samples', 'kernel');

/** Sizes of objects of each type as gcc lays them out, read back with readelf -sW. */
function gccSizes(source: string): Map<string, number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-onemodel-'));
  try {
    fs.writeFileSync(path.join(dir, 'p.c'), source);
    execFileSync('gcc', ['-c', path.join(dir, 'p.c'), '-o', path.join(dir, 'p.o')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const out = new Map<string, number>();
    for (const l of execFileSync('readelf', ['-sW', path.join(dir, 'p.o')], { encoding: 'utf8' }).split('\n')) {
      const m = /^\s*\d+:\s+[0-9a-f]+\s+(\d+)\s+OBJECT\s+\w+\s+\w+\s+\S+\s+(\w+)$/.exec(l);
      if (m) out.set(m[2], Number(m[1]));
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The fixture's types, with and without their own ____cacheline_aligned (x86_64: 64-byte lines). */
const GCC_SOURCE = `
#define ____cacheline_aligned __attribute__((__aligned__(64)))
struct rq_clock { unsigned long long clock; unsigned int flags; };
struct rq { unsigned int nr_running; struct rq_clock clocks[3]; struct { int load; long weight; } avg; char idle; } ____cacheline_aligned;
struct foo_stats { unsigned long rx, tx; } ____cacheline_aligned;
struct foo_bare { unsigned long rx, tx; };
struct rq_clock_group { struct rq_clock c; } ____cacheline_aligned;
struct rq_clock_group_bare { struct rq_clock c; };
struct rq a_rq; struct foo_stats a_foo; struct foo_bare a_foo_bare; struct rq_clock a_clock[3];
struct rq_clock_group a_group; struct rq_clock_group_bare a_group_bare;
`;

const byName = (items: Item[], kind: string) => new Map(items.filter((i) => i.kind === kind).map((i) => [i.name, i]));

describe('one model: tables, diagnostics and editor hints agree', function () {
  this.timeout(120000);
  let gcc: Map<string, number>;
  let fix: EstimateResult;
  const settings = { ...parseSettings(() => undefined).settings, nrCpus: 64, possibleCpus: 8 };
  const core = createCore();
  const analyze = async (root: string, rel: string) => {
    const file = path.join(root, rel);
    return core.analyzeFile(file, fs.readFileSync(file, 'utf8'), settings, root);
  };

  before(async () => {
    gcc = gccSizes(GCC_SOURCE);
    fix = await estimate({ root: FIX, arch: ARCHES.x86_64, config: defaultConfig('x86_64'), nrCpus: 64, cpus: 8 });
  });

  it('sizes the statics whose types live in the quoted local header as gcc does', () => {
    const v = Object.fromEntries(fix.static.variables.map((x) => [x.name, x.size]));
    assert.deepStrictEqual(v, { runqueues: gcc.get('a_rq'), foo_stats: gcc.get('a_foo'), clock_bases: gcc.get('a_clock') });
    assert.deepStrictEqual(fix.unresolved, []);
  });

  it('gives every static of the fixture the same size and alignment in the editor as in the estimate', async () => {
    const a = await analyze(FIX, 'kernel/sched/core.c');
    const hints = byName(a.items, 'static');
    for (const v of fix.static.variables) {
      const h = hints.get(v.name);
      assert.ok(h && !h.unresolved, `${v.name}: ${h?.unresolved}`);
      assert.deepStrictEqual([h.bytesPerCpu, h.align], [v.size, v.align], v.name);
    }
    assert.strictEqual(hints.size, fix.static.variables.length);
    const alloc = a.items.find((i) => i.kind === 'alloc')!;
    assert.strictEqual(alloc.bytesPerCpu, fix.dynamic.callsites[0].size);
  });

  it('prices an NR_CPUS array the same in the table, in PCPU001 and in the hint', async () => {
    const [row] = fix.nrCpusArrays;
    // 64 B element (gcc), 16 B without the attribute, × 8 units as a per-CPU allocation
    assert.deepStrictEqual([row.elemSize, row.bytesAtNrCpus, row.perCpuRewrite], [gcc.get('a_group'), gcc.get('a_group')! * 64, gcc.get('a_group_bare')! * 8]);
    const d = fix.diagnostics.find((x) => x.code === 'PCPU001')!;
    assert.deepStrictEqual(d.numbers, {
      bytesPerCpu: row.elemSize * row.perCpuElems, nrCpus: 64, cpus: 8, instances: row.instances,
      totalBytes: row.bytesAtNrCpus * row.instances, perCpuBytes: gcc.get('a_group_bare'), perCpuTotalBytes: row.perCpuRewrite * row.instances,
    });
    const hint = (await analyze(FIX, 'kernel/sched/core.c')).items.find((i) => i.kind === 'nr_cpus_array')!;
    assert.strictEqual(hint.elementBytes, row.elemSize * row.perCpuElems);
  });

  it('reports PCPU004 for a padded struct with several declarators on a member line', () => {
    const d = fix.diagnostics.filter((x) => x.code === 'PCPU004');
    assert.deepStrictEqual(d.map((x) => `${x.file}:${x.line}`), ['kernel/sched/sched.h:20']);
    const padded = gcc.get('a_foo')!;
    const bare = gcc.get('a_foo_bare')!;
    // two per-CPU uses (DEFINE_PER_CPU and alloc_percpu), 8 possible CPUs
    assert.deepStrictEqual(d[0].numbers, { bytesPerCpu: padded, perCpuBytes: bare, wastedBytesPerCpu: padded - bare, cpus: 8, uses: 2, totalBytes: (padded - bare) * 8 * 2 });
    assert.match(d[0].message, new RegExp(`padded to ${padded} B \\(${bare} B of members\\)`));
    assert.ok(!fix.diagnostics.some((x) => x.code === 'PCPU000'), 'nothing in the fixture is sized at run time');
  });

  it('carries the diagnostics\' numbers into SARIF properties', () => {
    const log = estimateToSarif(fix);
    const results = log.runs[0].results ?? [];
    for (const d of fix.diagnostics) {
      const r = results.find((x) => x.ruleId === d.code && x.locations?.[0]?.physicalLocation?.region?.startLine === d.line)!;
      assert.ok(r, `${d.code} at ${d.line} in SARIF`);
      for (const [k, v] of Object.entries(d.numbers ?? {})) assert.strictEqual(r.properties?.[k], v, `${d.code} ${k}`);
    }
  });

  it('prints the same module.ref and irq_stat numbers in the NR_CPUS table and in PCPU001 on the sample tree', async () => {
    const cfgPath = path.join(SAMPLE, '.config');
    const r = await estimate({ root: SAMPLE, arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(cfgPath, 'utf8'), cfgPath), cpus: 8 });
    for (const row of r.nrCpusArrays) {
      const d = r.diagnostics.find((x) => x.code === 'PCPU001' && x.file === row.file && x.line === row.line)!;
      assert.ok(d, `${row.name}: PCPU001`);
      assert.strictEqual(d.numbers!.totalBytes, row.bytesAtNrCpus * (row.container ? row.instances : 1), row.name);
      assert.strictEqual(d.numbers!.perCpuTotalBytes, row.perCpuRewrite * (row.container ? row.instances : 1), row.name);
    }
    // gcc: irq_cpustat is 44 B and module_ref 8 B without ____cacheline_aligned; × 8 CPUs
    assert.deepStrictEqual(Object.fromEntries(r.nrCpusArrays.map((x) => [x.name, x.perCpuRewrite])), { irq_stat: 352, ref: 64 });
  });

  it('sizes sizeof(table) and the kernel\'s ARRAY_SIZE(table) in a member bound as gcc does', async () => {
    const src = [
      '#define __same_type(a, b) __builtin_types_compatible_p(typeof(a), typeof(b))',
      '#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int:(-!!(e)); })))',
      '#define __must_be_array(a) BUILD_BUG_ON_ZERO(__same_type((a), &(a)[0]))',
      '#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]) + __must_be_array(arr))',
      'static const unsigned int items[] = { 1, 2, 3, 5, [9] = 7 };',
      'static const char *const names[4];',
      'struct s { long a[ARRAY_SIZE(items)]; int b[sizeof(items)]; char c[ARRAY_SIZE(names)]; };',
      'struct s a_s;', '',
    ].join('\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-arr-'));
    try {
      const file = path.join(dir, 't.c');
      fs.writeFileSync(file, src);
      const layout = await LayoutEngine.create({ arch: ARCHES.x86_64, config: defaultConfig('x86_64') });
      layout.addSource(file, src);
      const r = layout.sizeOf('struct s', file);
      assert.deepStrictEqual('error' in r ? r : r.size, gccSizes(src).get('a_s')); // 80 + 160 + 4 + 4 = 248
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks CONFIG_NR_CPUS in the editor as the CLI does: 0 warns and falls back to 64, not "× 0"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-nr0-'));
    try {
      const cfg = path.join(dir, '.config');
      fs.writeFileSync(cfg, 'CONFIG_SMP=y\nCONFIG_MODULES=y\nCONFIG_64BIT=y\nCONFIG_X86_64=y\nCONFIG_NR_CPUS=0\n');
      const file = path.join(FIX, 'kernel/sched/core.c');
      const a = await createCore().analyzeFile(file, fs.readFileSync(file, 'utf8'), { ...settings, configPath: cfg }, FIX);
      assert.strictEqual(a.profile?.nrCpus, 64);
      assert.ok(a.profile!.warnings.some((w) => /CONFIG_NR_CPUS=0 .* using 64/.test(w)), a.profile!.warnings.join('; '));
      const d = a.diagnostics.find((x) => x.code === 'PCPU001')!;
      assert.match(d.message, /64 B\/cpu × 64 = 4 KiB/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Needs a Linux 6.12 tree and a defconfig .config (make O=DIR defconfig): set PERCPU_LENS_LINUX and
// PERCPU_LENS_LINUX_CONFIG. The editor must size what the estimate sizes, including types that live in
// quoted local headers (runqueues: struct rq in kernel/sched/sched.h).
describe('one model on a real tree (optional)', function () {
  this.timeout(600000);
  const root = process.env.PERCPU_LENS_LINUX;
  const cfgPath = process.env.PERCPU_LENS_LINUX_CONFIG;
  before(function () { if (!root || !cfgPath || !fs.existsSync(path.join(root, 'Makefile'))) this.skip(); });

  it('gives runqueues, cpu_hw_events, storm_desc and mce_banks_array the estimate\'s size in the editor', async () => {
    const config = parseDotConfig(fs.readFileSync(cfgPath!, 'utf8'), cfgPath!);
    const r = await estimate({ root: root!, arch: ARCHES.x86_64, config, cpus: 8, rules: false });
    const core = createCore();
    const s = { ...parseSettings(() => undefined).settings, configPath: cfgPath!, possibleCpus: 8 };
    for (const name of ['runqueues', 'cpu_hw_events', 'storm_desc', 'mce_banks_array']) {
      const v = r.static.variables.find((x) => x.name === name)!;
      const file = path.join(root!, v.file);
      const a = await core.analyzeFile(file, fs.readFileSync(file, 'utf8'), s, root!);
      const h = a.items.find((i) => i.kind === 'static' && i.name === name)!;
      assert.deepStrictEqual([h.bytesPerCpu, h.align, h.unresolved], [v.size, v.align, undefined], name);
    }
  });
});

