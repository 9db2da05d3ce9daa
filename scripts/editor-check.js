#!/usr/bin/env node
// Checks the editor's per-file analysis (src/vscode/realCore.ts, as the analysis server runs it)
// against the CLI's estimate of the same tree and .config: every static variable the estimate places
// is looked up among the hints of its file, opened in the editor's core and closed again, and its
// bytes per CPU compared. A report, not a test: exits 1 when a size differs. Statics the estimate
// finds inside wrapper macros (DEFINE_STATIC_SRCU, DEFINE_PER_CPU_RWSEM, ...) have no hint in the
// editor and are counted apart.
// Usage: node scripts/editor-check.js TREE [--config FILE] [--cpus N] [--cache-dir DIR] (after `npm run build`)
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { argv } = require('./lib/argv');
const { loadBundle } = require('./bench/lib/bundle');

const { values: v, positionals: args } = argv({
  options: { cpus: { type: 'string', default: '8' }, config: { type: 'string' }, 'cache-dir': { type: 'string' } },
  allowPositionals: true,
});
const tree = path.resolve(args[0] ?? '');
if (!args[0] || !fs.existsSync(tree)) { console.error('usage: node scripts/editor-check.js TREE [--config FILE] [--cpus N]'); process.exit(2); }
const config = v.config ? path.resolve(v.config) : '';
const cacheDir = v['cache-dir'] ? path.resolve(v['cache-dir']) : fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-editor-check-'));
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
const est = JSON.parse(execFileSync(process.execPath, [cli, 'estimate', tree, '--json', '--no-rules', '--cpus', v.cpus, '--cache-dir', cacheDir, ...(config ? ['--config', config] : [])], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] }).toString());

const m = loadBundle("export { RealCore } from './src/vscode/realCore'; export { resolveProfile } from './src/vscode/profile'; export { parseSettings } from './src/vscode/settings';", 'dist/editor-check.js');
// the arch the estimate took from the .config, as the editor's "Use .config file" sets it
const { settings, profile } = m.resolveProfile(m.parseSettings((k) => ({ configPath: config, arch: est.arch, possibleCpus: Number(v.cpus) })[k]), (f) => fs.readFileSync(f, 'utf8'), tree);
if (profile.problems.length) console.log(`editor profile: ${profile.problems.join('; ')}`);

const byFile = new Map();
const add = (x) => { if (!byFile.has(x.file)) byFile.set(x.file, []); byFile.get(x.file).push(x); };
for (const x of est.static.variables) add(x);
for (const md of est.reserved?.modules ?? []) for (const x of md.variables ?? []) add(x);
// call sites in .c files, by line (a header's inline function is priced at each caller: not one hint)
const sites = new Map();
for (const c of est.dynamic.callsites) {
  if (!c.file.endsWith('.c')) continue;
  if (!sites.has(c.file)) sites.set(c.file, []);
  sites.get(c.file).push(c);
}

(async () => {
  const core = new m.RealCore({});
  let same = 0;
  let wrapped = 0;
  const differ = [];
  let sitesSame = 0;
  let sitesAtCallers = 0;
  const sitesDiffer = [];
  for (const rel of new Set([...byFile.keys(), ...sites.keys()])) if (!byFile.has(rel)) byFile.set(rel, []);
  for (const [rel, vars] of [...byFile].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const abs = path.join(tree, rel);
    const text = fs.readFileSync(abs, 'utf8');
    const lines = text.split('\n');
    const a = await core.analyzeFile(abs, text, settings, tree);
    for (const x of vars) {
      const it = a.items.find((i) => i.kind === 'static' && i.name === x.name);
      // a wrapper's: its line holds the wrapper's call, not the DEFINE_PER_CPU* it expands to
      if (!it && !new RegExp(`\\b${x.macro}\\s*\\(`).test(lines[x.line - 1] ?? '')) { wrapped++; continue; }
      if (it && it.bytesPerCpu === x.size) same++;
      else differ.push(`${rel}: ${x.name} estimate ${x.size} B, editor ${it ? (it.bytesPerCpu ?? `unresolved (${it.unresolved})`) : 'no hint'}`);
    }
    // a site whose size is a parameter of its function is priced at its callers: the editor's hint
    // says so until an estimate ran (callerPrices.ts); the others must agree
    const byLine = new Map();
    for (const c of sites.get(rel) ?? []) { if (!byLine.has(c.line)) byLine.set(c.line, []); byLine.get(c.line).push(c); }
    for (const [line, cs] of byLine) {
      const hint = a.items.find((i) => i.kind === 'alloc' && i.line === line);
      // priced through a function or macro the line calls (`f(n=1) -> __alloc_percpu(...)`, a
      // header's netdev_alloc_pcpu_stats(type)): the estimate's, shown by the editor after an estimate
      const direct = /^(?:__)?alloc_percpu|^__alloc_reserved_percpu/.test(cs[0].expr) && new RegExp(`\\b${cs[0].expr.split('(')[0]}\\s*\\(`).test(lines[line - 1] ?? '');
      if (cs.length > 1 || !direct) { sitesAtCallers++; continue; }
      if (hint && hint.bytesPerCpu === cs[0].size) sitesSame++;
      else if (hint && hint.bytesPerCpu === undefined && /parameter|caller/.test(hint.unresolved ?? '')) sitesAtCallers++;
      else sitesDiffer.push(`${rel}:${line}: ${cs[0].expr} estimate ${cs[0].size} B, editor ${hint ? (hint.bytesPerCpu ?? `unresolved (${hint.unresolved})`) : 'no hint'}`);
    }
    core.closeFile(abs);
  }
  console.log(`${byFile.size} files, ${same + wrapped + differ.length} statics: ${same} the same in the editor, ${differ.length} different, ${wrapped} inside wrapper macros (no hint in the editor)`);
  for (const d of differ) console.log(`  ${d}`);
  console.log(`${sitesSame + sitesAtCallers + sitesDiffer.length} call sites in .c files: ${sitesSame} the same, ${sitesDiffer.length} different, ${sitesAtCallers} priced through a function or macro the line calls (hinted after an estimate)`);
  for (const d of sitesDiffer) console.log(`  ${d}`);
  process.exit(differ.length || sitesDiffer.length ? 1 : 0);
})();
