// The rules on a real kernel tree: hits per rule and a reproducible sample to read by hand.
// Findings come from the stand-in scanner (test/unit/support/quickScan.ts) until the scan is
// merged; sizes from the layout engine when given (--layout-bundle), else a small table plus
// structs laid out from their definitions in the same file.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CODE_IDS, runFileRules, runTreeRules, ruleProfile } from '../../src/core/rules';
import type { Diagnostic, ModuleSection, RuleProfile, SizeOf } from '../../src/core/rules';
import { findStructDefs, isSized, unpaddedSize } from '../../src/core/rules/sizing';
import { CACHELINE_ATTR } from '../../src/core/rules/sizing';
import { readKbuild } from '../../src/core/config/kbuild';
import { layoutModuleSection } from '../../src/core/estimate/staticArea';
import type { Finding } from '../../src/core/parse/types';
import { quickScan } from '../../test/unit/support/quickScan';
import { allocBytes } from '../../src/core/rules/allocSize';

const TRIGGERS = /NR_CPUS|per_cpu|get_cpu_(var|ptr)|alloc_percpu|cacheline_aligned|PER_CPU|atomic_t|atomic_long_t|refcount_t|kref/;
const SKIP_DIRS = new Set(['.git', 'tools', 'Documentation', 'scripts', 'usr']);

interface Opts { dir: string; sample: number; seed: number; json: boolean; layout?: string; rule?: string; noTree: boolean; profile: Partial<RuleProfile> }

function parseArgs(argv: string[]): Opts {
  const o: Opts = { dir: '', sample: 20, seed: 7, json: false, noTree: false, profile: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sample') o.sample = Number(argv[++i]);
    else if (a === '--seed') o.seed = Number(argv[++i]);
    else if (a === '--json') o.json = true;
    else if (a === '--layout-bundle') o.layout = argv[++i];
    else if (a === '--rule') o.rule = argv[++i].toUpperCase();
    else if (a === '--no-tree') o.noTree = true;
    else if (a === '--large-fraction') o.profile.largeFraction = Number(argv[++i]);
    else if (a === '--module-reserve') o.profile.moduleReserve = Number(argv[++i]);
    else if (a === '--nr-cpus') o.profile.nrCpus = Number(argv[++i]);
    else if (a === '--cpus') o.profile.possibleCpus = o.profile.nrUnits = Number(argv[++i]);
    else o.dir = a;
  }
  if (!o.dir) throw new Error('usage: rules-survey.js DIR [--sample N] [--seed S] [--rule PCPU00N] [--json] [--layout TREE] [--no-tree] [--large-fraction F] [--module-reserve B] [--nr-cpus N] [--cpus N]');
  return o;
}

function walk(root: string, rel = '', out: string[] = []): string[] {
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) { if (!(rel === '' && SKIP_DIRS.has(e.name))) walk(root, r, out); }
    else if (/\.[ch]$/.test(e.name)) out.push(r);
  }
  return out;
}

/** Scalars and kernel typedefs for x86_64, then structs laid out from a definition in the same file. */
const TABLE: Record<string, [number, number]> = {
  char: [1, 1], 'signed char': [1, 1], 'unsigned char': [1, 1], short: [2, 2], 'unsigned short': [2, 2], int: [4, 4], 'unsigned int': [4, 4],
  unsigned: [4, 4], long: [8, 8], 'unsigned long': [8, 8], 'long long': [8, 8], 'unsigned long long': [8, 8], bool: [1, 1], _Bool: [1, 1],
  u8: [1, 1], u16: [2, 2], u32: [4, 4], u64: [8, 8], s8: [1, 1], s16: [2, 2], s32: [4, 4], s64: [8, 8], __u8: [1, 1], __u16: [2, 2],
  __u32: [4, 4], __u64: [8, 8], __s32: [4, 4], __s64: [8, 8], size_t: [8, 8], ssize_t: [8, 8], atomic_t: [4, 4], atomic_long_t: [8, 8],
  atomic64_t: [8, 8], refcount_t: [4, 4], 'struct kref': [4, 4], local_t: [8, 8], local64_t: [8, 8], 'struct list_head': [16, 8],
  'struct hlist_head': [8, 8], 'struct hlist_node': [16, 8], 'struct rcu_head': [16, 8], 'struct u64_stats_sync': [0, 1],
  'struct llist_head': [8, 8], 'struct llist_node': [8, 8], spinlock_t: [4, 4], raw_spinlock_t: [4, 4], 'struct work_struct': [32, 8],
  'struct callback_head': [16, 8], 'struct timer_list': [40, 8], 'struct delayed_work': [88, 8], 'struct mutex': [32, 8],
  'struct irq_work': [32, 8], 'struct cpumask': [1024, 8], cpumask_t: [1024, 8], 'cpumask_var_t': [8, 8], 'struct completion': [32, 8],
  'wait_queue_head_t': [24, 8], seqcount_t: [4, 4], 'struct task_struct *': [8, 8], phys_addr_t: [8, 8], dma_addr_t: [8, 8],
  'void *': [8, 8], ktime_t: [8, 8], 'struct kobject': [64, 8], 'struct hrtimer': [64, 8],
};

function makeSizeOf(root: string, engine?: SizeOf): SizeOf {
  const texts = new Map<string, string>();
  const busy = new Set<string>();
  const p = ruleProfile();
  const local: SizeOf = (t, from) => {
    const ty = t.replace(/\b(const|volatile)\b/g, '').replace(/\s+/g, ' ').trim();
    if (/\*$/.test(ty)) return { size: 8, align: 8 };
    const r = TABLE[ty];
    if (r) return { size: r[0], align: r[1] };
    const sm = /^(struct|union) (\w+)$/.exec(ty);
    if (sm && from && !busy.has(ty)) {
      let text = texts.get(from);
      if (text === undefined) { try { text = fs.readFileSync(path.join(root, from), 'utf8'); } catch { text = ''; } texts.set(from, text); }
      const def = findStructDefs(text, sm[2]).find((d) => d.type === ty);
      if (def) {
        busy.add(ty);
        try {
          const u = unpaddedSize(def, p, sizeOf, from);
          if (!isSized(u)) return u;
          const a = CACHELINE_ATTR.test(def.tail) ? Math.max(u.align, p.cacheLine) : u.align;
          return { size: Math.ceil(u.size / a) * a || 0, align: a };
        } finally { busy.delete(ty); }
      }
    }
    return { error: `unknown type ${ty}` };
  };
  const sizeOf: SizeOf = (t, from) => {
    if (engine) {
      const r = engine(t, from);
      if (isSized(r) && r.size > 0) return r;
    }
    return local(t, from);
  };
  return sizeOf;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

function sample<T>(xs: T[], n: number, r: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
  return a.slice(0, n);
}

function grepCounts(root: string, names: string[]): Map<string, number> {
  const m = new Map<string, number>(names.map((n) => [n, 0]));
  if (!names.length) return m;
  const dirs = fs.readdirSync(root).filter((d) => !SKIP_DIRS.has(d) && fs.statSync(path.join(root, d)).isDirectory());
  let out = '';
  try {
    out = execFileSync('grep', ['-rhoE', '--include=*.c', '--include=*.h', `\\b(${names.join('|')})[[:space:]]*\\(`, ...dirs], { cwd: root, maxBuffer: 1 << 28, encoding: 'utf8' });
  } catch (e) { out = (e as { stdout?: string }).stdout ?? ''; }
  for (const l of out.split('\n')) { const n = l.replace(/[\s(]+$/, ''); if (m.has(n)) m.set(n, m.get(n)! + 1); }
  return m;
}

function filesMentioning(root: string, word: string): string[] {
  try {
    return execFileSync('grep', ['-rlw', '--include=*.c', '--include=*.h', word, '.'], { cwd: root, maxBuffer: 1 << 26, encoding: 'utf8' })
      .split('\n').filter(Boolean).map((f) => f.replace(/^\.\//, '')).filter((f) => !SKIP_DIRS.has(f.split('/')[0]));
  } catch (e) { return ((e as { stdout?: string }).stdout ?? '').split('\n').filter(Boolean).map((f) => f.replace(/^\.\//, '')); }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const root = path.resolve(o.dir);
  const t0 = Date.now();
  let engine: SizeOf | undefined;
  if (o.layout) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(path.resolve(o.layout)) as { makeSizeOf(root: string): Promise<SizeOf> };
    engine = await m.makeSizeOf(root);
  }
  const sizeOf = makeSizeOf(root, engine);
  const profile = ruleProfile(o.profile);
  const all: Diagnostic[] = [];
  const findings: Finding[] = [];
  const texts = new Map<string, string>();
  const files = walk(root);
  const asm = asmSymbolsByArch(root);
  let triggered = 0;
  for (const f of files) {
    const text = fs.readFileSync(path.join(root, f), 'utf8');
    if (!TRIGGERS.test(text)) continue;
    triggered++;
    const fs1 = quickScan(text, f);
    findings.push(...fs1);
    const hasTreeStuff = fs1.some((x) => x.kind === 'refcount') || CACHELINE_ATTR.test(text);
    if (hasTreeStuff || fs1.some((x) => x.kind === 'static' || x.kind === 'alloc')) texts.set(f, text);
    try {
      const arch = /^arch\/([^/]+)\//.exec(f)?.[1];
      all.push(...await runFileRules({ file: f, text, findings: fs1, profile, sizeOf, asmSymbols: arch ? asm.get(arch) : undefined }));
    } catch (e) {
      process.stderr.write(`${f}: ${(e as Error).message}\n`);
    }
  }
  const tFile = Date.now() - t0;
  // What the zero-hit rules saw: the largest sized allocations and module sections.
  const largest: { allocs: string[]; allocsSized: string; modules: string[] } = { allocs: [], allocsSized: '', modules: [] };
  const allocs = findings.filter((f) => f.kind === 'alloc').map((f) => ({ f, b: allocBytes(f, profile, sizeOf) }));
  const sized = allocs.filter((x) => x.b !== undefined).sort((a, b) => b.b! - a.b!);
  largest.allocsSized = `${sized.length} of ${allocs.length} allocations sized`;
  largest.allocs = sized.slice(0, 5).map((x) => `${x.f.file}:${x.f.line} ${x.f.type || x.f.sizeExpr} ${x.b} B/cpu`);
  if (!o.noTree) {
    // Whole-tree facts the tree rules need: helper call counts, and every user of cache-aligned header types.
    const helpersWanted = new Set<string>();
    const { refcountHelpers } = await import('../../src/core/rules/pcpu002HotRefcount');
    const refFiles = new Map([...texts].filter(([f, t]) => f.endsWith('.h') && /atomic|refcount|kref/.test(t)));
    for (const f of findings) if (f.kind === 'refcount' && f.container) for (const h of refcountHelpers(refFiles, f.container, f.name)) helpersWanted.add(h.name);
    const counts = grepCounts(root, [...helpersWanted]);
    const treeFiles = new Map(texts);
    for (const [f, t] of texts) {
      if (!f.endsWith('.h')) continue;
      for (const d of findStructDefs(t)) {
        if (!CACHELINE_ATTR.test(d.tail) || !findings.some((x) => (x.kind === 'static' || x.kind === 'alloc') && x.type.replace(/\s+/g, ' ').trim() === d.type)) continue;
        for (const u of filesMentioning(root, d.type.split(' ')[1])) if (!treeFiles.has(u)) treeFiles.set(u, fs.readFileSync(path.join(root, u), 'utf8'));
      }
    }
    const mods = modules(root, findings, sizeOf);
    largest.modules = mods.sort((a, b) => b.size - a.size).slice(0, 5).map((m) => `${m.name} ${m.size} B (${m.file})`);
    all.push(...await runTreeRules({ files: treeFiles, findings, profile, sizeOf, callCount: (n) => Math.max(0, (counts.get(n) ?? 0) - 1), modules: mods }));
  }
  const by = new Map<string, Diagnostic[]>(CODE_IDS.map((c) => [c, []]));
  for (const d of all) by.get(d.code)!.push(d);
  const r = rng(o.seed);
  const report = {
    root, filesSeen: files.length, filesTriggered: triggered, findings: findings.length, ms: Date.now() - t0, msFileRules: tFile,
    hits: Object.fromEntries([...by].map(([c, l]) => [c, l.length])),
    largest,
    samples: Object.fromEntries([...by].filter(([c]) => !o.rule || c === o.rule).map(([c, l]) => [c, sample(l, o.sample, r).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)])),
  };
  if (o.json) { process.stdout.write(JSON.stringify(report, null, 2) + '\n'); return; }
  console.log(`${root}: ${files.length} files, ${triggered} with trigger tokens, ${findings.length} findings, ${(report.ms / 1000).toFixed(1)} s`);
  for (const [c, n] of Object.entries(report.hits)) console.log(`${c}  ${String(n).padStart(5)}`);
  console.log(`largest allocations (${largest.allocsSized}):\n  ${largest.allocs.join('\n  ')}\nlargest module sections:\n  ${largest.modules.join('\n  ')}`);
  for (const [c, l] of Object.entries(report.samples)) {
    if (!l.length) continue;
    console.log(`\n== ${c}: sample of ${l.length}`);
    for (const d of l) {
      const line = (fs.readFileSync(path.join(root, d.file), 'utf8').split('\n')[d.line - 1] ?? '').trim();
      console.log(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n    | ${line}`);
    }
  }
}

/** Identifiers in each arch's assembly files (every .S under arch/NAME). */
function asmSymbolsByArch(root: string): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  const archDir = path.join(root, 'arch');
  if (!fs.existsSync(archDir)) return m;
  const visit = (dir: string, set: Set<string>) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p, set);
      else if (e.name.endsWith('.S')) for (const w of fs.readFileSync(p, 'utf8').replace(/\/\*[\s\S]*?\*\/|(^|\s)(#|;|@|\/\/)\s[^\n]*/g, ' ').match(/[A-Za-z_]\w*/g) ?? []) set.add(w);
    }
  };
  for (const a of fs.readdirSync(archDir)) {
    const set = new Set<string>();
    if (fs.statSync(path.join(archDir, a)).isDirectory()) visit(path.join(archDir, a), set);
    m.set(a, set);
  }
  return m;
}

/** Symbols declared `tristate` in any Kconfig file. */
function tristates(root: string): Set<string> {
  const out = new Set<string>();
  const visit = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== '.git' && e.name !== 'tools') visit(p); }
      else if (e.name.startsWith('Kconfig')) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/^\s*(?:menu)?config\s+(\w+)\s*\n((?:[ \t]+[^\n]*\n|\s*\n)*)/gm)) {
          if (/^\s*(tristate|def_tristate)\b/m.test(m[2])) out.add(m[1]);
        }
      }
    }
  };
  visit(root);
  return out;
}

/** Per-module .data..percpu sizes: every tristate option =m, every bool =y (allmodconfig-like). */
function modules(root: string, findings: Finding[], sizeOf: SizeOf): ModuleSection[] {
  let kb;
  const tri = tristates(root);
  try { kb = readKbuild(root, (sym) => (tri.has(sym.replace(/^CONFIG_/, '')) ? 'm' : 'y'), { arch: 'x86_64' }); } catch { return []; }
  const byMod = new Map<string, { files: Set<string>; vars: Parameters<typeof layoutModuleSection>[0]; first?: Finding; big: number }>();
  for (const f of findings) {
    if (f.kind !== 'static' || !f.file.endsWith('.c')) continue;
    const ob = kb.byFile.get(f.file);
    if (!ob || ob.status !== 'module' || !ob.module) continue;
    let s = /\*\s*$/.test(f.type) ? { size: 8, align: 8 } : sizeOf(f.type, f.file);
    if (!isSized(s)) continue;
    let n = 1;
    for (const d of f.dims ?? []) n *= /^\d+$/.test(d) ? Number(d) : /NR_CPUS/.test(d) ? 8192 : NaN;
    if (!Number.isFinite(n)) continue;
    const align = /ALIGNED/.test(f.macro) ? Math.max(s.align, 64) : s.align;
    s = { size: Math.ceil((s.size * n) / align) * align, align };
    const m = byMod.get(ob.module) ?? { files: new Set<string>(), vars: [], big: 0 };
    m.files.add(f.file);
    m.vars.push({ name: f.name, file: f.file, line: f.line, size: s.size, align: s.align, section: '', objectOrder: ob.order, position: f.line });
    if (!m.first || s.size > m.big) { m.big = s.size; m.first = f; }
    byMod.set(ob.module, m);
  }
  return [...byMod].map(([name, m]) => {
    const l = layoutModuleSection(m.vars);
    return { name, size: l.size, files: [...m.files], file: m.first!.file, line: m.first!.line };
  });
}

main().catch((e) => { console.error(e); process.exit(1); });
