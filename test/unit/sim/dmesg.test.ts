// `simulate --dmesg`: real boot logs (test/fixtures/sim/*.jsonl, each with its source) must come out of the
// first-chunk model line for line, whatever prefix the log carries; the arch and era are inferred from the log
// alone. Expected values are the logs' own lines and arches, never the model's output.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeDmesg, parseDmesg } from '../../../src/core/sim/dmesg';
import { cmp, parseKernel } from '../../../src/core/sim/era';
import { findArch } from '../../../src/core/config/arch';

const FIX = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'sim');
const CLI = path.join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');

interface Rec { source?: string; arch: string; kernel?: string | null; kernel_note?: string; lines: string[] }
const load = (f: string): Rec[] => fs.readFileSync(path.join(FIX, f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

/** Does an inferred era ("3.18 ≤ kernel < 4.14", "kernel ≥ 5.19") admit a version? */
function eraAdmits(era: string[], v: string): boolean {
  const k = parseKernel(v);
  return era.some((e) => {
    const m = /^(?:(\S+) ≤ kernel < (\S+)|kernel ≥ (\S+))$/.exec(e);
    if (!m) return e.startsWith(v);
    const from = m[1] ?? m[3], to = m[2];
    return cmp(k, from) >= 0 && (!to || cmp(k, to) < 0);
  });
}

// The same log as dmesg, dmesg -x, journalctl and a syslog file would show it.
const WRAPPERS: Array<[string, (l: string, i: number) => string]> = [
  ['dmesg', (l, i) => `[    0.${String(i).padStart(6, '0')}] ${l}`],
  ['journalctl', (l) => `Dec 04 12:00:00 host kernel: ${l}`],
  ['syslog with timestamps and levels', (l, i) => `Dec  4 12:00:00 host kernel: <6>[    0.00000${i}] ${l}`],
  ['printk caller ids', (l) => `[    0.000000][    T0] ${l}`],
];

describe('sim: boot logs reproduced (simulate --dmesg)', function () {
  this.timeout(60_000);
  for (const file of ['boot-lines.jsonl', 'boot-lines-extra.jsonl']) {
    load(file).forEach((rec, i) => {
      it(`${file} #${i + 1} ${rec.arch}: every line reproduced under every log prefix`, () => {
        // the version is given only where the log itself had it (no kernel_note saying it was inferred)
        const versioned = rec.kernel && !rec.kernel_note ? [`Linux version ${rec.kernel} (builder@host)`] : [];
        for (const [name, wrap] of WRAPPERS) {
          const r = analyzeDmesg([...versioned, ...rec.lines].map(wrap).join('\n'));
          assert.strictEqual(r.boots.length, 1, name);
          const b = r.boots[0];
          assert.ok(b.reproduced, `${name}: ${JSON.stringify(b.checks.filter((c) => !c.match))} ${b.error ?? ''}`);
          if (!versioned.length && rec.kernel && b.kernel) assert.ok(eraAdmits(b.kernel.era, rec.kernel), `${name}: era ${b.kernel.era} excludes ${rec.kernel}`);
        }
      });
    });
  }
  load('dmesg-logs.jsonl').forEach((rec) => {
    it(`${rec.arch}: ${rec.source}`, () => {
      const r = analyzeDmesg(rec.lines.join('\n'));
      assert.strictEqual(r.boots.length, 1);
      const b = r.boots[0];
      assert.ok(b.reproduced, `${JSON.stringify(b.checks.filter((c) => !c.match))} ${b.error ?? ''}`);
      assert.strictEqual(b.arch, rec.arch, `inferred ${b.arch} (candidates ${b.archCandidates})`);
      if (rec.kernel) assert.strictEqual(b.kernel?.fromLog, rec.kernel);
    });
  });

  it('version-less ARM logs: the era comes from the numbers and the format', () => {
    // PERCPU-SPEC.md's 32-bit ARM 4.9 line (ML id 36559606787): d 23092 needs the 20 KiB 32-bit reserve (3.18+),
    // the raw %p address means before 4.15
    const r = analyzeDmesg('Embedded 15 pages/cpu @8bb30000 s30156 r8192 d23092 u61440\n');
    const b = r.boots[0];
    assert.ok(b.numbersReproduced);
    assert.ok(eraAdmits(b.kernel!.era, '4.9'), String(b.kernel!.era));
    assert.ok(!eraAdmits(b.kernel!.era, '3.16') && !eraAdmits(b.kernel!.era, '4.19'), String(b.kernel!.era));
  });

  it('explains the one-third rule on the i386 2.6.38 log with two empty units (code index id 56853401206)', () => {
    const rec = load('dmesg-logs.jsonl').find((x) => x.source!.includes('56853401206'))!;
    const b = analyzeDmesg(rec.lines.join('\n')).boots[0];
    // the log: 6 CPUs, u524288 = 4 MiB / 8, "[0] 0 1 2 3 4 5 - -"
    assert.match(b.explanation.u, /upa 8: 1 allocation, 2 empty units → accepted/);
    assert.match(b.explanation.u, /u = alloc \/ upa = 4194304 \/ 8 = 524288/);
    assert.ok(b.flags.some((f) => f.code === 'EMPTY_UNITS' && /2 empty units/.test(f.message)));
    assert.ok(b.flags.some((f) => f.code === 'ATOM'));
    assert.match(b.explanation.d, /dyn = 20480 \(PERCPU_MODULE_RESERVE 8 KiB \+ PERCPU_DYNAMIC_RESERVE 12 KiB\)/);
  });

  it('two boots in one file are two reports; an unrelated percpu message is an event', () => {
    const recs = load('dmesg-logs.jsonl');
    const text = [...recs[0].lines, 'percpu: allocation failed, size=4104 align=8 atomic=0, alloc from reserved chunk failed',
      ...recs[12].lines].join('\n');
    const r = analyzeDmesg(text);
    assert.strictEqual(r.boots.length, 2);
    assert.ok(r.boots.every((b) => b.reproduced));
    assert.ok(r.boots.some((b) => b.flags.some((f) => f.code === 'EVENT')));
  });

  it('one changed digit is not reproduced, and the report shows the model line next to it', () => {
    // samples/boot-lines.jsonl #1 (32 CPUs) with u262144 changed to u262145
    const rec = load('boot-lines.jsonl')[0];
    const lines = rec.lines.map((l) => l.replace('u262144', 'u262145'));
    const b = analyzeDmesg(lines.join('\n')).boots[0];
    assert.ok(!b.reproduced);
    assert.ok(b.error || b.checks.some((c) => !c.match && c.model === rec.lines[1]), JSON.stringify(b.checks));
  });

  it('--arch and --kernel narrow the search; an arch the numbers exclude gives an error, not a guess', () => {
    const exynos = load('dmesg-logs.jsonl').find((x) => x.source!.includes('29275534138'))!;
    const asMips = analyzeDmesg(exynos.lines.join('\n'), { arch: findArch('mips') }).boots[0];
    assert.ok(asMips.reproduced);
    assert.strictEqual(asMips.arch, 'mips');
    // a 32-bit address (@c1140000) rules out a 64-bit arch
    const as64 = analyzeDmesg(exynos.lines.join('\n'), { arch: findArch('x86_64') }).boots[0];
    assert.ok(!as64.reproduced && as64.error);
    const rpi = load('dmesg-logs.jsonl').find((x) => x.source!.includes('kiwix-hotspot'))!;
    const k = analyzeDmesg(rpi.lines.join('\n'), { kernel: '4.14.34' }).boots[0];
    assert.ok(k.reproduced);
    assert.strictEqual(k.kernel?.fromLog, '4.14.34');
  });

  it('garbage, truncated dumps and huge numbers give a report, not a crash', () => {
    for (const t of ['', 'hello\nworld', 'percpu: Embedded 99999999999 pages/cpu s1 r2 d3 u4', 'pcpu-alloc: [0] 0 1 [1',
      'pcpu-alloc: s1 r0 d1 u1 alloc=1*0\npcpu-alloc: [0] 0', 'NR_CPUS:0 nr_cpumask_bits:0 nr_cpu_ids:0 nr_node_ids:0',
      'percpu: Embedded 3 pages/cpu s4096 r8192 d0 u65536'.repeat(3)]) {
      const r = analyzeDmesg(t);
      for (const b of r.boots) assert.ok(b.reproduced || b.error || b.numbersReproduced !== undefined);
    }
    assert.strictEqual(parseDmesg('nothing here').length, 0);
  });

  it('CLI: simulate --dmesg FILE --json', () => {
    const rec = load('dmesg-logs.jsonl').find((x) => x.arch === 'loongarch64')!;
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-dmesg-')), 'dmesg.txt');
    fs.writeFileSync(f, rec.lines.join('\n'));
    const r = spawnSync(process.execPath, [CLI, 'simulate', '--dmesg', f, '--json'], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.strictEqual(j.reproduced, 1);
    const b = j.boots[0];
    // the log's numbers: "Embedded 5 pages/cpu s43856 r8192 d29872 u8388608", "alloc=1*33554432", 4 CPUs
    assert.deepStrictEqual([b.firstChunk.pagesPerCpu, b.firstChunk.static, b.firstChunk.reserved, b.firstChunk.dynamic, b.firstChunk.unitSize, b.firstChunk.atomSize],
      [5, 43856, 8192, 29872, 8388608, 33554432]);
    assert.strictEqual(b.arch, 'loongarch64');
    assert.strictEqual(b.pageSize, 16384);
    const bad = spawnSync(process.execPath, [CLI, 'simulate', '--dmesg', f + '.missing'], { encoding: 'utf8' });
    assert.strictEqual(bad.status, 2);
    assert.match(bad.stderr, /cannot read/);
    const empty = spawnSync(process.execPath, [CLI, 'simulate', '--dmesg', '-'], { input: 'no percpu here\n', encoding: 'utf8' });
    assert.strictEqual(empty.status, 2);
    assert.match(empty.stdout, /no per-CPU boot line found/);
  });
});
