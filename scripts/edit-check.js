#!/usr/bin/env node
// Checks `estimate` after an edit (src/core/estimate/editReuse.ts: the saved run's parts re-used for
// the files the edit cannot reach) against a full run of the edited tree: for each edit, the tree is
// edited in place, estimated with the result cache (re-using parts) and with --no-result-cache
// (every stage), and the two JSON outputs compared with their stats left out; then the edit is
// undone (a new mtime: one more edit) and the re-using estimate compared with the first full run.
// A report, not a test: exits 1 on a mismatch. EDITS THE TREE (restored after each edit): use a
// private copy, not hard links (a hard-linked copy rewrites the shared tree's ctimes).
// Usage: node scripts/edit-check.js TREE [--config FILE] [--cpus N] [--cache-dir DIR] [--only NAME,...] (after `npm run build`)
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { argv } = require('./lib/argv');

const { values: v, positionals: args } = argv({
  options: { cpus: { type: 'string', default: '8' }, config: { type: 'string' }, only: { type: 'string' }, 'cache-dir': { type: 'string' } },
  allowPositionals: true,
});
const cpus = v.cpus;
const config = v.config;
const only = v.only?.split(',');
const cacheArg = v['cache-dir'];
const tree = path.resolve(args[0] ?? '');
if (!args[0] || !fs.existsSync(path.join(tree, 'Makefile'))) { console.error('usage: node scripts/edit-check.js TREE [--config FILE]'); process.exit(2); }
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
const cacheDir = cacheArg ? path.resolve(cacheArg) : fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-edit-check-'));

const { EDITS } = require('./lib/edits');

function run(extra) {
  const t0 = Date.now();
  const out = execFileSync(process.execPath, [cli, 'estimate', tree, '--json', '--cpus', cpus, '--cache-dir', cacheDir, ...(config ? ['--config', path.resolve(config)] : []), ...extra], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  return { ms: Date.now() - t0, json: JSON.parse(out), text: out };
}
/** the output without its stats (timings, cache use): what must be byte-identical */
const body = (j) => JSON.stringify({ ...j, stats: undefined });
/** a human's edit is never within the stat caches' racy window of the run before it */
const settle = () => execFileSync('sleep', ['2.2']);
const firstDiff = (a, b) => { let i = 0; while (i < a.length && a[i] === b[i]) i++; return `at ${i}: ${a.slice(Math.max(0, i - 80), i + 80)}\n      vs ${b.slice(Math.max(0, i - 80), i + 80)}`; };

let bad = 0;
const base = run([]); // seeds the saved run (or takes it)
const baseBody = body(base.json);
settle();
for (const [name, e] of Object.entries(EDITS)) {
  if (only && !only.includes(name)) continue;
  const undo = e(tree);
  settle();
  try {
    const a = run([]);
    const full = run(['--no-result-cache']);
    const ok = body(a.json) === body(full.json);
    if (!ok) bad++;
    const s = a.json.stats;
    console.log(`${ok ? 'OK ' : 'BAD'} ${name}: after the edit ${a.ms} ms (${s.partsReused ? `parts reused: ${s.partsReused.changed} changed, ${s.partsReused.redone} redone` : `whole: ${s.partsNotReused ?? 'no saved run'}`}), full run ${full.ms} ms; per CPU ${full.json.totals.perCpuBytes} B (before the edit ${base.json.totals.perCpuBytes} B)`);
    console.log(`    phases: ${JSON.stringify(s.phases)}`);
    if (!ok) console.log(`    differs ${firstDiff(body(a.json), body(full.json))}`);
  } finally {
    undo();
  }
  settle();
  const back = run([]);
  const okBack = body(back.json) === baseBody;
  if (!okBack) bad++;
  const s = back.json.stats;
  console.log(`${okBack ? 'OK ' : 'BAD'} ${name} undone: ${back.ms} ms (${s.partsReused ? `parts reused: ${s.partsReused.changed} changed, ${s.partsReused.redone} redone` : s.resultCached ? 'saved result' : `whole: ${s.partsNotReused ?? 'no saved run'}`}) equals the first full run`);
  if (!okBack) console.log(`    differs ${firstDiff(body(back.json), baseBody)}`);
  settle();
}
if (!cacheArg) fs.rmSync(cacheDir, { recursive: true, force: true });
process.exit(bad ? 1 : 0);
