import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { moduleReserveDiagnostic, runTreeRules } from '../../src/core/rules';
import { RefcountReader, type RefcountSaved } from '../../src/core/rules/refcountFacts';
import type { Finding } from '../../src/core/parse/types';
import { FIXTURES, PROFILE, lineOf, scan, stubSizer } from './support/rules';

describe('PCPU002 hot shared refcount', () => {
  const files = new Map(['pcpu002.h', 'pcpu002.c'].map((f) => [f, fs.readFileSync(path.join(FIXTURES, f), 'utf8')]));
  let findings: Finding[] = [];
  before(async () => {
    findings = (await Promise.all([...files].map(([f, t]) => scan(t, f)))).flat();
  });

  it('suggests a per-CPU counter for net_device.refcnt and prices it', async () => {
    const ds = (await runTreeRules({ files, findings, profile: PROFILE, sizer: stubSizer() })).filter((d) => d.code === 'PCPU002');
    assert.deepStrictEqual(ds.map((d) => `${d.file}:${d.line}`), [`pcpu002.h:${lineOf(files.get('pcpu002.h')!, 'TP')}`]);
    // 25 rx functions × (dev_hold + dev_put) = 50 call sites
    assert.match(ds[0].message, /from 50 call sites \(dev_hold ×25, dev_put ×25\)/);
    // atomic_t is 4 bytes: 4 B × 64 possible CPUs = 256 B per object
    assert.match(ds[0].message, /4 B\/cpu × 64 = 256 B per object/);
    assert.match(ds[0].message, /sum over 64 possible CPUs/);
    assert.strictEqual(ds[0].bytes, 256);
  });

  it('reads the files through a reader that keeps none of them, one pass per question', async () => {
    const reads = new Map<string, number>();
    const reader = { keys: () => files.keys(), has: (f: string) => files.has(f), get: (f: string) => { reads.set(f, (reads.get(f) ?? 0) + 1); return files.get(f); } };
    const ds = (await runTreeRules({ files: reader, findings, profile: PROFILE, sizer: stubSizer() })).filter((d) => d.code === 'PCPU002');
    assert.match(ds[0].message, /from 50 call sites \(dev_hold ×25, dev_put ×25\)/);
    // the helpers index, the call counts, the refcount's own struct and its diagnostic's suppression check
    assert.ok(Math.max(...reads.values()) <= 4, JSON.stringify([...reads]));
  });

  it("after an edit, takes an earlier run's reading of the unchanged files and reads only the changed one", async () => {
    const counting = (texts: Map<string, string>) => {
      const reads = new Map<string, number>();
      return { reads, files: { keys: () => texts.keys(), has: (f: string) => texts.has(f), get: (f: string) => { reads.set(f, (reads.get(f) ?? 0) + 1); return texts.get(f); } } };
    };
    const first = counting(files);
    const earlier = new RefcountReader(first.files);
    await runTreeRules({ files: first.files, findings, profile: PROFILE, sizer: stubSizer(), refcounts: earlier });
    const saved = JSON.parse(JSON.stringify(earlier.toJSON())) as RefcountSaved;
    // pcpu002.c edited: 5 of its 25 rx functions no longer take the device (40 call sites, not 50)
    const c = files.get('pcpu002.c')!.replace(/(static void rx(?:[0-4])\(struct net_device \*dev\) \{) dev_hold\(dev\); dev_put\(dev\);/g, '$1');
    const edited = new Map([...files, ['pcpu002.c', c]]);
    const after = counting(edited);
    const ds = (await runTreeRules({ files: after.files, findings, profile: PROFILE, sizer: stubSizer(), refcounts: new RefcountReader(after.files, saved, (f) => f !== 'pcpu002.c') }))
      .filter((d) => d.code === 'PCPU002');
    assert.match(ds[0].message, /from 40 call sites \(dev_hold ×20, dev_put ×20\)/);
    // the header only for its diagnostic's suppression check (4 reads in the first run); the edited file for its helpers and its calls
    assert.strictEqual(after.reads.get('pcpu002.h'), 1, JSON.stringify([...after.reads]));
    assert.strictEqual(after.reads.get('pcpu002.c'), 2, JSON.stringify([...after.reads]));
    // taken as unchanged, the edited file would keep the earlier run's 50
    const stale = (await runTreeRules({ files: edited, findings, profile: PROFILE, sizer: stubSizer(), refcounts: new RefcountReader(edited, saved, () => true) })).filter((d) => d.code === 'PCPU002');
    assert.match(stale[0].message, /from 50 call sites/);
    // a saved reading of another shape is none: the files are read
    const damaged = { ops: 'x', percpu: [['pcpu002.h', 1]] } as unknown as RefcountSaved;
    const read = (await runTreeRules({ files: edited, findings, profile: PROFILE, sizer: stubSizer(), refcounts: new RefcountReader(edited, damaged, () => true) })).filter((d) => d.code === 'PCPU002');
    assert.match(read[0].message, /from 40 call sites/);
  });

  it('uses the whole-tree call counts when given, and a threshold', async () => {
    const ds = await runTreeRules({ files, findings, profile: PROFILE, sizer: stubSizer(), callCount: (n) => (n === 'widget_get' ? 40 : 0) });
    assert.deepStrictEqual(ds.filter((d) => d.code === 'PCPU002').map((d) => d.message.slice(0, 13)), ['struct widget']);
  });
});

describe('PCPU007 module per-CPU data against the reserved chunk', () => {
  const base = { module: 'scsi_mod', reservedBytes: 8192, files: ['drivers/scsi/scsi.c'] };

  it('is an error when the section exceeds PERCPU_MODULE_RESERVE', () => {
    const d = moduleReserveDiagnostic({ ...base, size: 8200 })!;
    assert.strictEqual(d.severity, 'error');
    assert.strictEqual(d.bytes, 8200);
    assert.match(d.message, /more than the 8 KiB reserved chunk \(PERCPU_MODULE_RESERVE\) by 8 B/);
    assert.match(d.message, /"scsi_mod: Could not allocate 8200 bytes percpu data"/);
  });

  it('rounds to the 4-byte allocation granule', () => {
    assert.strictEqual(moduleReserveDiagnostic({ ...base, size: 8190 })!.severity, 'warning'); // 8192 fits
    assert.strictEqual(moduleReserveDiagnostic({ ...base, size: 8193 })!.severity, 'error'); // 8196 does not
  });

  it('warns above half the shared reserve (bugzilla 204119: 4104 bytes failed)', () => {
    const d = moduleReserveDiagnostic({ ...base, size: 4104 })!;
    assert.strictEqual(d.severity, 'warning');
    assert.match(d.message, /4104 B|4 KiB/);
    assert.match(d.message, /\(50%\)/); // 4104 / 8192 = 50.1%
  });

  it('says nothing for small modules or arches without a reserved chunk', () => {
    assert.strictEqual(moduleReserveDiagnostic({ ...base, size: 100 }), undefined);
    assert.strictEqual(moduleReserveDiagnostic({ ...base, size: 100000, reservedBytes: 0 }), undefined);
  });

  it('runs from runTreeRules over the estimate\'s modules', async () => {
    const ds = await runTreeRules({ files: new Map(), findings: [], profile: PROFILE, sizer: stubSizer(),
      modules: [{ name: 'big', size: 9000, files: ['big.c'], file: 'big.c', line: 3 }, { name: 'tiny', size: 16, files: ['t.c'], file: 't.c', line: 1 }] });
    assert.deepStrictEqual(ds.map((d) => `${d.code} ${d.file}:${d.line}`), ['PCPU007 big.c:3']);
  });
});
