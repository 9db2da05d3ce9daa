#!/usr/bin/env node
// The rules on a real kernel tree, through the same pipeline as `percpu-lens estimate`: hits per rule
// and a seeded sample of each to read by hand (issue 7's precision check).
// Usage: npm run survey -- DIR [--config .config] [--cpus N] [--sample 20] [--seed 7] [--rule PCPU00N] [--rules-on all|built] [--json]
// Default --rules-on all: every arch's code, to test the rules' logic beyond one config.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { Command } = require('commander');

const program = new Command()
  .argument('<dir>', 'kernel tree')
  .option('--config <file>', '.config (default: DIR/.config if present)')
  .option('--cpus <n>', 'possible CPUs', '64')
  .option('--sample <n>', 'diagnostics to show per rule', '20')
  .option('--seed <n>', 'sample seed', '7')
  .option('--rule <code>', 'only this rule')
  .option('--rules-on <which>', 'built (by the config) or all files', 'all')
  .option('--json', 'print the counts and samples as JSON')
  .parse();
const dir = path.resolve(program.args[0]);
const o = program.opts();

const args = [path.join(__dirname, '..', 'dist', 'cli.js'), 'estimate', dir, '--cpus', o.cpus, '--json', '--rules-on', o.rulesOn, ...(o.config ? ['--config', o.config] : [])];
const t0 = Date.now();
const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
if (run.status !== 0) {
  process.stderr.write(run.stderr);
  process.exit(run.status ?? 1);
}
const r = JSON.parse(run.stdout);

let s = Number(o.seed) >>> 0 || 1;
const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
function sample(xs, n) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n).sort((x, y) => x.file.localeCompare(y.file) || x.line - y.line);
}

const codes = [...new Set(r.diagnostics.map((d) => d.code))].sort();
const byCode = Object.fromEntries(codes.map((c) => [c, r.diagnostics.filter((d) => d.code === c)]));
const samples = Object.fromEntries(codes.filter((c) => !o.rule || c === o.rule).map((c) => [c, sample(byCode[c], Number(o.sample))]));
const report = {
  root: dir, config: r.config.source, filesSeen: r.stats.filesSeen, ms: Date.now() - t0, rulesMs: r.stats.rulesMs,
  hits: Object.fromEntries(codes.map((c) => [c, byCode[c].length])), samples,
};
if (o.json) {
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  process.exit(0);
}
console.log(`${dir} (${r.config.source}): ${r.stats.filesSeen} files, ${(report.ms / 1000).toFixed(1)} s (rules ${((r.stats.rulesMs ?? 0) / 1000).toFixed(1)} s)`);
for (const c of codes) console.log(`${c}  ${String(byCode[c].length).padStart(5)}`);
const lineOf = (f, n) => {
  try { return (fs.readFileSync(path.join(dir, f), 'latin1').split('\n')[n - 1] ?? '').trim(); } catch { return ''; }
};
for (const [c, l] of Object.entries(samples)) {
  console.log(`\n== ${c}: sample of ${l.length}`);
  for (const d of l) console.log(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n    | ${lineOf(d.file, d.line)}`);
}
