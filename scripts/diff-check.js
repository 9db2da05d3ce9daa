#!/usr/bin/env node
// Checks `percpu-lens diff --patch` against two full estimates on a real tree: for each patch, NEW
// is made as a tree of its own (hard links to OLD, the touched files copied and patched), both
// trees are estimated from scratch, and the difference is taken here, item by item, with a
// matching written independently of src/core/estimate/diff. A report, not a test: exits 1 on a mismatch.
// Usage: node scripts/diff-check.js [TREE] [--cpus N] [--config FILE] [--keep DIR] (after `npm run build`)
// The patches are made from the edits in scripts/lib/diffPatches.js (a few lines each, no kernel files are stored).
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { argv } = require('./lib/argv');

const { values: v, positionals: args } = argv({
  options: { cpus: { type: 'string', default: '8' }, keep: { type: 'string' }, config: { type: 'string' } },
  allowPositionals: true,
});
const cpus = v.cpus;
const keep = v.keep;
const config = v.config;
const tree = path.resolve(args[0] ?? '/work/kernel/linux-source-6.12');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');

const { PATCHES, makePatch: makePatchIn } = require('./lib/diffPatches');

const work = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-diff-check-'));
fs.mkdirSync(work, { recursive: true });
if (!keep) for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { fs.rmSync(work, { recursive: true, force: true }); process.exit(130); });

const makePatch = (name, edits) => makePatchIn(tree, work, name, edits);

/** NEW as a tree of its own: hard links to OLD, the touched files replaced by patched copies. */
function newTree(name, files, texts) {
  const d = path.join(work, `${name}.tree`);
  fs.rmSync(d, { recursive: true, force: true });
  execFileSync('cp', ['-al', tree, d]);
  for (const f of files) {
    fs.rmSync(path.join(d, f)); // break the link before writing: OLD must not change
    fs.copyFileSync(path.join(texts, f), path.join(d, f));
  }
  return d;
}

const json = (argv) => JSON.parse(execFileSync(process.execPath, [cli, ...argv, '--cpus', cpus, ...(config ? ['--config', path.resolve(config)] : []), '--json'], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] }).toString());

/** every item of an estimate: key without line numbers → [name as diff prints it, bytes per CPU, other attributes] */
function itemsOf(r) {
  const m = new Map();
  const put = (k, v) => { let i = 0; while (m.has(`${k}#${i}`)) i++; m.set(`${k}#${i}`, v); };
  for (const v of r.static.variables) put(`static ${v.file} ${v.name}`, [v.name, v.size, `${v.section} ${v.align}`]);
  for (const c of r.dynamic.callsites) put(`alloc ${c.file} ${c.func ?? ''} ${c.expr}`, [c.func ? `${c.func}: ${c.expr}` : c.expr, c.total, '']);
  for (const a of r.nrCpusArrays) put(`nr_cpus_array ${a.file} ${a.container ?? ''} ${a.name}`, [a.container ? `${a.container}.${a.name}` : a.name, a.elemSize * a.perCpuElems, `${a.bytesAtNrCpus}`]);
  for (const mo of r.reserved.modules) put(`module ${mo.name}`, [mo.name, mo.size, '']);
  return m;
}

let bad = 0;
const rows = [];
const oldFull = json(['estimate', tree]);
for (const [name, edits] of Object.entries(PATCHES)) {
  const { patch, files, newTexts } = makePatch(name, edits);
  const t0 = Date.now();
  const d = json(['diff', '--patch', patch, tree]);
  const ms = Date.now() - t0;
  const nt = newTree(name, files, newTexts);
  const newFull = json(['estimate', nt]);
  if (!keep) fs.rmSync(nt, { recursive: true, force: true });
  const a = itemsOf(oldFull);
  const b = itemsOf(newFull);
  const want = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    if (x && y && x[1] === y[1] && x[2] === y[2]) continue;
    const [kind, file] = k.split(' ');
    want.push(`${kind} ${file} ${(y ?? x)[0]}: ${x ? x[1] : 0} → ${y ? y[1] : 0}`);
  }
  const got = d.items.map((i) => `${i.kind} ${i.file} ${i.name}: ${i.before} → ${i.after}`);
  want.sort();
  got.sort();
  const area = (r) => [r.static.bytes, r.dynamic.bytes, r.reserved.used, r.firstChunk.pagesPerCpu, r.firstChunk.unitSize, r.firstChunk.dynamic, r.totals.perCpuBytes];
  const wantArea = area(oldFull).map((x, i) => [x, area(newFull)[i]]);
  const gotArea = [d.static, d.dynamic, d.reserved].map((x) => [x.before, x.after])
    .concat(['pagesPerCpu', 'unitSize', 'dynamic'].map((k) => [d.firstChunk.before[k], d.firstChunk.after[k]]), [[d.totals.perCpu.before, d.totals.perCpu.after]]);
  const diagKey = (x) => `${x.code} ${x.file} ${x.message.replace(/\d+/g, '#')}`;
  const count = (l) => l.reduce((m, x) => m.set(diagKey(x), (m.get(diagKey(x)) ?? 0) + 1), new Map());
  const ca = count(oldFull.diagnostics);
  const cb = count(newFull.diagnostics);
  const diagDelta = [...new Set([...ca.keys(), ...cb.keys()])].reduce((s, k) => s + Math.abs((cb.get(k) ?? 0) - (ca.get(k) ?? 0)), 0);
  const okItems = JSON.stringify(want) === JSON.stringify(got);
  const okArea = JSON.stringify(wantArea) === JSON.stringify(gotArea);
  const okDiag = diagDelta === d.diagnostics.added.length + d.diagnostics.removed.length;
  if (!okItems || !okArea || !okDiag) bad++;
  rows.push({ name, files: files.length, ms, items: got, full: want, area: gotArea, okItems, okArea, okDiag, diagnostics: `+${d.diagnostics.added.length} -${d.diagnostics.removed.length}`, summary: `add/remove: ${d.summary.added}/${d.summary.removed} grow/shrink: ${d.summary.grew}/${d.summary.shrank} up/down: ${d.summary.up}/${d.summary.down} (${d.summary.net})`, notShared: d.stats.notShared });
}
for (const r of rows) {
  console.log(`${r.okItems && r.okArea && r.okDiag ? 'OK ' : 'BAD'} ${r.name} (${r.files} file(s), diff ${r.ms} ms${r.notShared ? `, not shared: ${r.notShared}` : ''}): ${r.summary}; diagnostics ${r.diagnostics}`);
  console.log(`    diff:      ${r.items.join('; ') || 'no item changes'}`);
  console.log(`    full runs: ${r.full.join('; ') || 'no item changes'}`);
  console.log(`    area [before, after]: static, dynamic, reserved, pages/cpu, unit, first-chunk dynamic, per CPU: ${JSON.stringify(r.area)}${r.okArea ? '' : ' (differs from the full runs)'}`);
}
if (!keep) fs.rmSync(work, { recursive: true, force: true });
process.exit(bad ? 1 : 0);
