#!/usr/bin/env node
// Compares our static per-CPU estimate of a real kernel tree with the real build of it.
// Truth: __per_cpu_end - __per_cpu_start from System.map and the sized symbols in that range
// (nm -S vmlinux, or a saved `nm -n -S` listing). A report, not a test: always exits 0.
// Usage: node scripts/real-tree-check.js [TREE] [BUILD_DIR] [--syms FILE] [--cpus N] [--json OUT] [--all]
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(k);
  if (i < 0) return d;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const symsFile = opt('--syms', fs.existsSync('/work/kbuild-percpu-syms.txt') ? '/work/kbuild-percpu-syms.txt' : undefined);
const cpus = opt('--cpus', '8');
const jsonOut = opt('--json', undefined);
const all = args.includes('--all');
const pos = args.filter((a) => !a.startsWith('--'));
const tree = path.resolve(pos[0] ?? '/work/kernel/linux-source-6.12');
const build = path.resolve(pos[1] ?? '/work/kbuild');

function truth() {
  const map = fs.readFileSync(path.join(build, 'System.map'), 'utf8');
  const addr = (s) => {
    const m = new RegExp(`^([0-9a-f]+) \\w ${s}$`, 'm').exec(map);
    if (!m) throw new Error(`${s} not in System.map`);
    return parseInt(m[1], 16);
  };
  const start = addr('__per_cpu_start');
  const end = addr('__per_cpu_end');
  let text;
  try {
    text = execFileSync('nm', ['-n', '-S', path.join(build, 'vmlinux')], { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch {
    if (!symsFile) throw new Error('no vmlinux to read with nm and no --syms file');
    text = fs.readFileSync(symsFile, 'utf8');
  }
  const syms = new Map();
  for (const l of text.split('\n')) {
    const p = l.trim().split(/\s+/);
    if (p.length !== 4) continue;
    const off = parseInt(p[0], 16);
    if (off < start || off >= end) continue;
    syms.set(p[3], { offset: off - start, size: parseInt(p[1], 16) });
  }
  return { size: end - start, syms };
}

function runEstimate() {
  const cli = path.join(__dirname, '..', 'dist', 'cli.js');
  const out = execFileSync(process.execPath, [cli, 'estimate', tree, '--config', path.join(build, '.config'), '--cpus', cpus, '--json'],
    { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out);
}

function main() {
  const t = truth();
  const est = runEstimate();
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(est));
  const ours = new Map(est.static.variables.map((v) => [v.name, v]));
  const equal = [];
  const sizeDiff = [];
  const missing = [];
  const extra = [];
  let offsetsAgree = 0;
  for (const [name, s] of t.syms) {
    const v = ours.get(name);
    if (!v) { missing.push([name, s]); continue; }
    if (v.size === s.size) equal.push(name);
    else sizeDiff.push([name, s, v]);
    if (v.offset === s.offset) offsetsAgree++;
  }
  for (const [name, v] of ours) if (!t.syms.has(name)) extra.push(v);
  const pct = (a, b) => `${((100 * a) / b).toFixed(2)}%`;
  const n = t.syms.size;
  console.log(`tree ${tree}\nbuild ${build}`);
  console.log(`static area: real ${t.size} B, estimated ${est.static.bytes} B, difference ${est.static.bytes - t.size} B (${pct(est.static.bytes - t.size, t.size)})`);
  console.log(`symbols: real ${n}, ours ${ours.size}; same size ${equal.length} (${pct(equal.length, n)}), size differs ${sizeDiff.length}, missing ${missing.length}, extra ${extra.length}`);
  console.log(`offsets equal: ${offsetsAgree} (${pct(offsetsAgree, n)})`);
  console.log(`unresolved: ${est.unresolved.length}, not built: ${est.notBuilt.length}`);
  const lim = (l) => (all ? l : l.slice(0, 40));
  if (sizeDiff.length) {
    console.log('\nsize differs (name real ours file:line):');
    for (const [name, s, v] of lim(sizeDiff.sort((a, b) => Math.abs(b[1].size - b[2].size) - Math.abs(a[1].size - a[2].size)))) console.log(`  ${name} ${s.size} ${v.size} ${v.file}:${v.line}`);
  }
  if (missing.length) {
    console.log('\nmissing (in vmlinux, not ours; name size, and why if we know):');
    const why = new Map();
    for (const u of [...est.unresolved, ...est.notBuilt]) if (!why.has(u.name)) why.set(u.name, `${u.file}:${u.line} ${u.reason}`);
    for (const [name, s] of lim(missing.sort((a, b) => b[1].size - a[1].size))) console.log(`  ${name} ${s.size}${why.has(name) ? ` — ${why.get(name).slice(0, 150)}` : ''}`);
  }
  if (extra.length) {
    console.log('\nextra (ours, not in vmlinux):');
    for (const v of lim(extra.sort((a, b) => b.size - a.size))) console.log(`  ${v.name} ${v.size} ${v.file}:${v.line}`);
  }
}

try {
  main();
} catch (e) {
  console.log(`real-tree-check: ${e.message}`);
}
process.exit(0);
