#!/usr/bin/env node
// Recall check of `percpu-lens scan` against grep: for each finding kind, grep -rnE a pattern over
// DIR's .c/.h files, drop hits that sit only in comments, strings or #define bodies (an independent
// small lexer below, not the scanner's), and compare with the scan's (file, line) pairs.
// Usage: npm run recall -- DIR [--list N] [--json]
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const argv = process.argv.slice(2);
const dir = argv.find((a, i) => !a.startsWith('--') && !/^--list$/.test(argv[i - 1] || ''));
const listN = argv.includes('--list') ? Number(argv[argv.indexOf('--list') + 1]) : 30;
if (!dir) {
  console.error('usage: node scripts/recall.js DIR [--list N] [--json]');
  process.exit(2);
}

// One pattern per kind: what a reader would grep for. `re` re-finds the match inside the line (JS
// syntax) so its offset can be checked against the comment/string/#define mask; `keep` applies the
// refcount name rule from src/core/parse/triggers.ts to the captured name.
const REF_PART = /^(?:k?refs?|k?ref(?:cnt|cnts|count|counts|erence|erences)|usage|users|use(?:cnt|count)|holders?)$/i;
const looksRef = (n) => n.split('_').some((p) => REF_PART.test(p));
const KINDS = {
  static: { grep: '\\bDEFINE_PER_CPU[A-Z_]*\\b', re: /\bDEFINE_PER_CPU[A-Z_]*\b/g },
  declare: { grep: '\\bDECLARE_PER_CPU[A-Z_]*\\b', re: /\bDECLARE_PER_CPU[A-Z_]*\b/g },
  alloc: {
    grep: '\\b(__)?alloc_percpu(_gfp)?(_noprof)?\\s*\\(|\\b__alloc_reserved_percpu(_noprof)?\\s*\\(',
    re: /\b(?:(?:__)?alloc_percpu(?:_gfp)?(?:_noprof)?|__alloc_reserved_percpu(?:_noprof)?)\s*\(/g,
  },
  free: { grep: '\\bfree_percpu\\s*\\(', re: /\bfree_percpu\s*\(/g },
  // a dimension's '[' follows a name, ']' or ')'; '{ [0 ... NR_CPUS-1] = x }' is a designator
  nr_cpus_array: { grep: '[]A-Za-z0-9_)][[:space:]]*\\[[^]]*\\b(CONFIG_)?NR_CPUS\\b', re: /[\w\])]\s*\[[^\]]*\b(?:CONFIG_)?NR_CPUS\b/g },
  refcount: {
    // trailing annotations (____cacheline_aligned_in_smp, __aligned(8)) may sit before the ';'
    grep: '^\\s*((refcount_t|struct\\s+(kref|percpu_ref))\\s+\\w+|(atomic_t|atomic_long_t|local_t)\\s+\\w+|(unsigned\\s+)?(int|long)\\s+__percpu\\s*\\*\\s*\\w+)\\s*(\\[[^]]*\\]\\s*)*(\\s+__\\w+(\\([^;]*\\))?)*\\s*[;,]',
    re: /^\s*(?:(refcount_t|struct\s+(?:kref|percpu_ref))\s+(\w+)|(atomic_t|atomic_long_t|local_t)\s+(\w+)|(?:unsigned\s+)?(?:int|long)\s+__percpu\s*\*\s*(\w+))\s*(?:\[[^\]]*\]\s*)*(?:\s+__\w+(?:\([^;]*\))?)*\s*[;,]/g,
    keep: (m) => !!m[1] || looksRef(m[4] || m[5] || ''),
  },
};

/** Offsets that are code: not in comments, strings, char literals or #define/#undef bodies. */
function codeMask(s) {
  const m = new Uint8Array(s.length).fill(1);
  const n = s.length;
  let i = 0;
  let bol = true;
  while (i < n) {
    const c = s[i];
    if (c === '\n') { bol = true; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && s[i + 1] === '*') { const j = s.indexOf('*/', i + 2); const e = j < 0 ? n : j + 2; m.fill(0, i, e); i = e; continue; }
    if (c === '/' && s[i + 1] === '/') { let j = s.indexOf('\n', i); while (j > 0 && s[j - 1] === '\\') j = s.indexOf('\n', j + 1); const e = j < 0 ? n : j; m.fill(0, i, e); i = e; continue; }
    if (c === '#' && bol) {
      let j = i;
      for (;;) {
        const k = s.indexOf('\n', j);
        if (k < 0) { j = n; break; }
        const cm = s.lastIndexOf('/*', k);
        if (cm >= i && s.indexOf('*/', cm) > k) { j = s.indexOf('*/', cm) + 2; continue; }
        if (s[k - 1] === '\\' || (s[k - 1] === '\r' && s[k - 2] === '\\')) { j = k + 1; continue; }
        j = k; break;
      }
      // every directive is masked: #define bodies, and #if NR_CPUS > 1 is no array dimension
      m.fill(0, i, j); i = j; continue;
    }
    bol = false;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && s[j] !== c && s[j] !== '\n') j += s[j] === '\\' ? 2 : 1;
      m.fill(0, i, j + 1); i = j + 1; continue;
    }
    i++;
  }
  return m;
}

function grepKind(kind) {
  const r = spawnSync('grep', ['-rnE', '--include=*.c', '--include=*.h', KINDS[kind].grep, '.'], { cwd: dir, encoding: 'latin1', maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`grep failed: ${r.stderr}`);
  const hits = [];
  for (const l of r.stdout.split('\n')) {
    const m = /^\.\/(.*?):(\d+):/.exec(l);
    if (m) hits.push({ file: m[1], line: Number(m[2]) });
  }
  return hits;
}

const files = new Map();
function fileInfo(f) {
  let x = files.get(f);
  if (!x) {
    const s = fs.readFileSync(path.join(dir, f), 'latin1');
    const starts = [0];
    for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) starts.push(i + 1);
    x = { s, starts, mask: null };
    files.set(f, x);
  }
  if (!x.mask) x.mask = codeMask(x.s);
  return x;
}

function inCode(kind, h) {
  const x = fileInfo(h.file);
  const a = x.starts[h.line - 1];
  const b = h.line < x.starts.length ? x.starts[h.line] : x.s.length;
  const line = x.s.slice(a, b);
  const re = new RegExp(KINDS[kind].re.source, 'g');
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (KINDS[kind].keep && !KINDS[kind].keep(m)) continue;
    // the significant token: the macro/call name, or NR_CPUS, or the refcount type
    const off = kind === 'nr_cpus_array' ? m.index + m[0].search(/(CONFIG_)?NR_CPUS\b/) : m.index + m[0].search(/\S/);
    // the allocator's own prototype or definition (`void free_percpu(void __percpu *p)`) is no call
    if ((kind === 'alloc' || kind === 'free') && /\b(?!(?:return|else|do|case)\b)[A-Za-z_]\w*[\s*]*$/.test(line.slice(0, off))) continue;
    if (x.mask[a + off]) return true;
  }
  return false;
}

const t0 = Date.now();
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
const scan = spawnSync(process.execPath, [cli, 'scan', dir, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
if (scan.status !== 0) {
  console.error(scan.stderr);
  process.exit(1);
}
const scanMs = Date.now() - t0;
const ours = JSON.parse(scan.stdout);
const rows = [];
const details = {};
for (const kind of Object.keys(KINDS)) {
  const g = grepKind(kind).filter((h) => inCode(kind, h));
  const gk = new Set(g.map((h) => `${h.file}:${h.line}`));
  const mine = ours.findings.filter((f) => f.kind === kind);
  const ok = new Set(mine.map((f) => `${f.file}:${f.line}`));
  const missed = [...gk].filter((k) => !ok.has(k));
  const extra = [...ok].filter((k) => !gk.has(k));
  rows.push({ kind, grep: gk.size, ours: ok.size, matched: gk.size - missed.length, missed: missed.length, extra: extra.length, unresolved: mine.filter((f) => f.unresolved).length });
  details[kind] = { missed, extra, unresolved: mine.filter((f) => f.unresolved).map((f) => `${f.file}:${f.line}: ${f.unresolved}`) };
}
if (argv.includes('--json')) {
  console.log(JSON.stringify({ rows, details, scanMs, errors: ours.errors }, null, 1));
} else {
  console.log(`scan: ${ours.findings.length} findings in ${scanMs} ms (${ours.stats.filesSeen} files, ${ours.errors.length} errors)`);
  console.log('kind           grep   ours  matched missed  extra  unresolved  recall');
  for (const r of rows) {
    const rec = r.grep ? ((100 * r.matched) / r.grep).toFixed(2) + '%' : '-';
    console.log(`${r.kind.padEnd(14)}${String(r.grep).padStart(5)}${String(r.ours).padStart(7)}${String(r.matched).padStart(9)}${String(r.missed).padStart(7)}${String(r.extra).padStart(7)}${String(r.unresolved).padStart(12)}  ${rec}`);
  }
  for (const [kind, d] of Object.entries(details)) {
    for (const [what, list] of Object.entries(d)) {
      if (!list.length) continue;
      console.log(`\n${kind} ${what} (${list.length}):`);
      for (const l of list.slice(0, listN)) console.log('  ' + l);
      if (list.length > listN) console.log(`  ... ${list.length - listN} more (--list N)`);
    }
  }
}
