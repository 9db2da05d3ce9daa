// TEMPORARY stand-in for the real core (src/core/parse, layout, sim, rules), which is being written in
// parallel. Regexes over comment-stripped text, a tiny type table and a rough first-chunk model: just
// enough to build and test the editor end to end. Delete this file when createCore() in core.ts
// returns the real implementation. No vscode import.
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import { ARCHES, findArch, type ArchProfile } from '../core/config/arch';
import type { ChunkMapSnapshot } from '../core/sim/snapshot';
import type {
  CoreDiagnostic, CoreFacade, EstimateView, FileAnalysis, Item, Progress, Settings, StaticVar, Callsite,
} from './core';

interface Member { name: string; type: string; size: number; align: number; offset: number }
interface Layout { size: number; align: number; text?: string; members?: Member[] }

const KERNEL_TYPES: Record<string, (a: ArchProfile) => [number, number]> = {
  u8: () => [1, 1], s8: () => [1, 1], u16: () => [2, 2], s16: () => [2, 2], u32: () => [4, 4], s32: () => [4, 4],
  __u32: () => [4, 4], __u64: (a) => [8, a.scalars['long long'].align], u64: (a) => [8, a.scalars['long long'].align],
  s64: (a) => [8, a.scalars['long long'].align], bool: () => [1, 1], _Bool: () => [1, 1], char: () => [1, 1],
  short: () => [2, 2], int: () => [4, 4], unsigned: () => [4, 4], float: () => [4, 4],
  long: (a) => [a.scalars.long.size, a.scalars.long.align], size_t: (a) => [a.scalars.long.size, a.scalars.long.align],
  'long long': (a) => [8, a.scalars['long long'].align], double: (a) => [8, a.scalars.double.align],
  atomic_t: () => [4, 4], refcount_t: () => [4, 4], spinlock_t: () => [4, 4], raw_spinlock_t: () => [4, 4],
  atomic_long_t: (a) => [a.scalars.long.size, a.scalars.long.align], atomic64_t: () => [8, 8],
  'struct list_head': (a) => [2 * a.scalars.pointer.size, a.scalars.pointer.align],
  'struct rcu_head': (a) => [2 * a.scalars.pointer.size, a.scalars.pointer.align],
};

/** Blank out comments and string contents, keeping offsets and newlines. */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"/g, (m) => m.replace(/[^\n]/g, ' '));
}

function normType(t: string): string {
  return t.replace(/\b(const|volatile|static|__percpu|__rcu)\b/g, ' ').replace(/\bunsigned\s+|\bsigned\s+/g, '')
    .replace(/\s+/g, ' ').replace(/\s*\*\s*/g, '*').trim();
}

const roundUp = (n: number, a: number): number => Math.ceil(n / a) * a;

class TypeTable {
  private structs = new Map<string, { body: string; attr: string }>();
  private cache = new Map<string, Layout | undefined>();
  constructor(private arch: ArchProfile, text: string) {
    const re = /\bstruct\s+(\w+)\s*\{([^{}]*)\}\s*([^;]*);/g;
    for (let m; (m = re.exec(text)); ) this.structs.set(`struct ${m[1]}`, { body: m[2], attr: m[3] });
  }
  get cacheLine(): number { return 1 << this.arch.l1CacheShift; }

  layout(type: string): Layout | undefined {
    const t = normType(type);
    if (this.cache.has(t)) return this.cache.get(t);
    this.cache.set(t, undefined); // cycle guard
    const r = this.compute(t);
    this.cache.set(t, r);
    return r;
  }

  private compute(t: string): Layout | undefined {
    if (t.endsWith('*')) return { size: this.arch.scalars.pointer.size, align: this.arch.scalars.pointer.align };
    const k = KERNEL_TYPES[t];
    if (k) { const [size, align] = k(this.arch); return { size, align }; }
    const s = this.structs.get(t);
    return s ? this.structLayout(t, s.body, s.attr) : undefined;
  }

  private structLayout(name: string, body: string, attr: string): Layout | undefined {
    const members: Member[] = [];
    let off = 0;
    let align = 1;
    const lines: string[] = [`${name} {`];
    let lastLine = 0;
    for (const decl of body.split(';').map((d) => d.trim()).filter(Boolean)) {
      const m = /^(.*?)(\w+)\s*((?:\[[^\]]*\]\s*)*)((?:____cacheline_aligned\w*|__aligned\s*\(\s*\d+\s*\))?)$/.exec(decl);
      if (!m) return undefined;
      const base = this.layout(m[1]);
      if (!base) return undefined;
      let n = 1;
      for (const dim of m[3].matchAll(/\[([^\]]*)\]/g)) {
        const d = dim[1].trim();
        const v = d === 'NR_CPUS' ? NaN : Number(d);
        if (!Number.isFinite(v)) return undefined; // NR_CPUS arrays are sized per config: handled by callers
        n *= v;
      }
      const a = m[4] ? (m[4].startsWith('____') ? this.cacheLine : Number(/\d+/.exec(m[4])![0])) : base.align;
      const start = roundUp(off, a);
      if (start > off) lines.push(`\t/* XXX ${start - off} bytes hole, try to pack */`);
      while (Math.floor(start / this.cacheLine) > lastLine) {
        lastLine++;
        lines.push(`\t/* --- cacheline ${lastLine} boundary (${lastLine * this.cacheLine} bytes) --- */`);
      }
      const size = base.size * n;
      lines.push(`\t${(m[1].trim() + ' ' + m[2] + m[3].trim()).padEnd(32)} /* ${String(start).padStart(5)} ${String(size).padStart(5)} */`);
      members.push({ name: m[2], type: m[1].trim(), size, align: a, offset: start });
      off = start + size;
      align = Math.max(align, a);
    }
    if (/____cacheline_aligned/.test(attr)) align = Math.max(align, this.cacheLine);
    const am = /__aligned\s*\(\s*(\d+)\s*\)/.exec(attr);
    if (am) align = Math.max(align, Number(am[1]));
    const size = roundUp(off, align);
    if (size > off) lines.push(`\t/* padding: ${size - off} */`);
    lines.push(`\n\t/* size: ${size}, cachelines: ${Math.ceil(size / this.cacheLine)}, members: ${members.length} */`);
    lines.push('};');
    return { size, align, members, text: lines.join('\n') };
  }
}

/** line (1-based) and column (0-based) of an offset */
function lineCol(text: string, off: number): [number, number] {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < off; i = text.indexOf('\n', i + 1)) { line++; last = i; }
  return [line, off - last - 1];
}

/** End of a balanced argument starting at `i` (stops at a top-level ',' or ')'). */
function argEnd(text: string, i: number): number {
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') { if (depth === 0) return i; depth--; } else if (c === ',' && depth === 0) return i;
  }
  return i;
}

export function archOf(s: Settings): ArchProfile {
  return findArch(s.arch) ?? ARCHES.x86_64;
}

function analyze(file: string, original: string, s: Settings): FileAnalysis {
  const text = stripComments(original);
  const arch = archOf(s);
  const types = new TypeTable(arch, text);
  const items: Item[] = [];
  const diagnostics: CoreDiagnostic[] = [];
  const span = (start: number, end: number) => {
    const [line, column] = lineCol(text, start);
    const [endLine, endColumn] = lineCol(text, end);
    return { line, column, endLine, endColumn };
  };
  const sized = (type: string, count = 1): Partial<Item> => {
    const l = types.layout(type);
    return l ? { bytesPerCpu: l.size * count, align: l.align, layoutText: l.text } : { unresolved: `unknown type '${normType(type)}'` };
  };

  for (const m of text.matchAll(/\b(DEFINE|DECLARE)_PER_CPU(\w*)\s*\(\s*([^,()]+?)\s*,\s*(\w+)\s*((?:\[\s*\d+\s*\])?)\s*\)/g)) {
    const dims = m[5] ? Number(/\d+/.exec(m[5])![0]) : 1;
    const kind = m[1] === 'DEFINE' ? 'static' : 'declare';
    const it: Item = { kind, name: m[4], type: m[3].trim(), ...span(m.index!, m.index! + m[0].length), ...sized(m[3], dims) };
    if (/ALIGNED/.test(m[2]) && it.align !== undefined) {
      it.align = Math.max(it.align, 1 << arch.l1CacheShift);
      it.bytesPerCpu = roundUp(it.bytesPerCpu!, it.align);
    }
    items.push(it);
    const l = types.layout(m[3]);
    if (kind === 'static' && l?.members?.some((x) => x.align >= 1 << arch.l1CacheShift) && l.size > 1 << arch.l1CacheShift) {
      diagnostics.push({
        code: 'PCPU004', severity: 'info', ...span(m.index!, m.index! + m[0].length),
        message: `${m[4]}: ${m[3].trim()} pads members to cache lines (${l.size} B); per-CPU data is not shared between CPUs, so the padding only costs ${l.size} B × every CPU`,
      });
    }
  }

  for (const m of text.matchAll(/\b(__)?alloc_percpu(_gfp)?\s*\(/g)) {
    const start = m.index!;
    const a0 = start + m[0].length;
    const e0 = argEnd(text, a0);
    const arg = text.slice(a0, e0).trim();
    let close = e0;
    while (close < text.length && text[close] !== ')') close = argEnd(text, close + 1);
    let type = arg;
    let sz: Partial<Item>;
    if (m[1]) {
      const so = /^sizeof\s*\(\s*(.+)\s*\)$/.exec(arg);
      type = so ? so[1] : arg;
      sz = so ? sized(so[1]) : /^\d+$/.test(arg) ? { bytesPerCpu: Number(arg), align: 8 } : { unresolved: `size expression '${arg}'` };
    } else sz = sized(arg);
    // the assignment target, for PCPU006
    const before = text.slice(Math.max(0, start - 200), start);
    const lhs = /([\w.>-]+)\s*=\s*(?:\([^)]*\)\s*)?$/.exec(before);
    const name = lhs ? lhs[1].replace(/^.*(->|\.)/, '') : '(anonymous)';
    const it: Item = { kind: 'alloc', name, type, ...span(start, close + 1), ...sz };
    items.push(it);
    if (lhs) {
      const decl = new RegExp(`([\\w\\s]+?)\\*\\s*(__percpu\\s*\\*?\\s*)?\\b${name}\\s*[;=,)]`).exec(text);
      if (decl && !/__percpu/.test(decl[0])) {
        const dl = lineCol(text, decl.index + decl[0].lastIndexOf(name))[0];
        diagnostics.push({
          code: 'PCPU006', severity: 'warning', ...span(start, close + 1),
          message: `'${name}' holds an alloc_percpu() result but is not declared __percpu; sparse cannot check its accessors`,
          related: [{ file, line: dl, message: `'${name}' declared here without __percpu` }],
        });
      }
    }
  }

  for (const m of text.matchAll(/\bfree_percpu\s*\(\s*([^()]+?)\s*\)/g)) {
    items.push({ kind: 'free', name: m[1].replace(/^.*(->|\.)/, ''), type: '', ...span(m.index!, m.index! + m[0].length) });
  }

  for (const m of text.matchAll(/([A-Za-z_][\w ]*?[\w*])\s*\b(\w+)\s*\[\s*NR_CPUS\s*\]/g)) {
    const t = m[1].replace(/^(static|extern)\s+/, '');
    const l = types.layout(t);
    const it: Item = {
      kind: 'nr_cpus_array', name: m[2], type: t.trim(), ...span(m.index!, m.index! + m[0].length),
      ...(l ? { elementBytes: l.size, bytesPerCpu: l.size, align: l.align, layoutText: l.text } : { unresolved: `unknown type '${normType(t)}'` }),
    };
    items.push(it);
    const total = l ? l.size * s.nrCpus : undefined;
    diagnostics.push({
      code: 'PCPU001', severity: 'warning', ...span(m.index!, m.index! + m[0].length),
      message: `'${m[2]}' is an array of NR_CPUS (${s.nrCpus}) elements${total !== undefined ? `: ${total} bytes whatever the CPUs present` : ''}; per-CPU data (DEFINE_PER_CPU or alloc_percpu) scales with the possible CPUs instead`,
    });
  }

  for (const m of text.matchAll(/\b(atomic_t|atomic_long_t|refcount_t)\s+(\w*(?:ref|users|count)\w*)\s*;/g)) {
    items.push({ kind: 'refcount', name: m[2], type: m[1], ...span(m.index!, m.index! + m[0].length), ...sized(m[1]) });
  }

  for (const m of text.matchAll(/\bper_cpu(_ptr)?\s*\(/g)) {
    const a0 = m.index! + m[0].length;
    const e0 = argEnd(text, a0);
    if (text[e0] !== ',') continue;
    const e1 = argEnd(text, e0 + 1);
    if (!/^\s*(raw_)?smp_processor_id\s*\(\s*\)\s*$/.test(text.slice(e0 + 1, e1)) || text[e1] !== ')') continue;
    const sp = span(m.index!, e1 + 1);
    const expr = original.slice(a0, e0).trim();
    diagnostics.push({
      code: 'PCPU003', severity: 'warning', ...sp,
      message: m[1]
        ? `per_cpu_ptr(${expr}, smp_processor_id()) computes this CPU's address the long way; this_cpu_ptr(${expr}) uses the per-CPU segment offset directly`
        : `per_cpu(${expr}, smp_processor_id()) on the local CPU: use this_cpu_read()/this_cpu_write() or this_cpu_ptr()`,
      fix: m[1] ? { title: `Replace with this_cpu_ptr(${expr})`, edits: [{ ...sp, newText: `this_cpu_ptr(${expr})` }] } : undefined,
    });
  }
  for (const m of text.matchAll(/\bget_cpu_var\s*\(\s*(\w+)\s*\)/g)) {
    if (!new RegExp(`\\bput_cpu_var\\s*\\(\\s*${m[1]}\\s*\\)`).test(text)) {
      diagnostics.push({
        code: 'PCPU003', severity: 'warning', ...span(m.index!, m.index! + m[0].length),
        message: `get_cpu_var(${m[1]}) disables preemption but no put_cpu_var(${m[1]}) follows in this file`,
      });
    }
  }

  const budget = dynamicReserve(arch) / 4;
  for (const it of items) {
    if (it.kind !== 'alloc' || it.bytesPerCpu === undefined) continue;
    const count = countFor(s, file, it.line) * s.instances;
    if (it.bytesPerCpu * count > budget) {
      diagnostics.push({
        code: 'PCPU005', severity: 'warning', line: it.line, column: it.column, endLine: it.endLine, endColumn: it.endColumn,
        message: `alloc_percpu of ${it.bytesPerCpu} B × ${count} allocation(s) per CPU exceeds a quarter of the first chunk's dynamic reserve (${dynamicReserve(arch)} B)`,
      });
    }
  }
  return { items, diagnostics };
}

function countFor(s: Settings, file: string, line: number): number {
  for (const [k, v] of Object.entries(s.counts)) {
    const i = k.lastIndexOf(':');
    if (Number(k.slice(i + 1)) === line && (file === k.slice(0, i) || file.endsWith('/' + k.slice(0, i)))) return v;
  }
  return 1;
}

const dynamicReserve = (a: ArchProfile): number => (a.bits === 64 ? 28 : 20) << 10;
const MODULE_RESERVE = 8 << 10;
const MIN_UNIT = 32 << 10;

function walk(root: string, s: Settings): string[] {
  const inc = s.include.length ? picomatch(s.include, { dot: true }) : () => true;
  const exc = s.exclude.length ? picomatch(s.exclude, { dot: true }) : () => false;
  const out: string[] = [];
  const rec = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === '.git' || e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      const rel = path.relative(root, p).split(path.sep).join('/');
      if (e.isDirectory()) { if (!exc(rel)) rec(p); } else if (/\.[ch]$/.test(e.name) && inc(rel) && !exc(rel)) out.push(rel);
    }
  };
  rec(root);
  return out.sort();
}

function readNrCpus(configPath: string | undefined): number | undefined {
  if (!configPath || !fs.existsSync(configPath)) return undefined;
  const m = /^CONFIG_NR_CPUS=(\d+)$/m.exec(fs.readFileSync(configPath, 'utf8'));
  return m ? Number(m[1]) : undefined;
}

export class TempCore implements CoreFacade {
  async analyzeFile(file: string, text: string, s: Settings): Promise<FileAnalysis> {
    return analyze(file, text, s);
  }

  async estimate(root: string, s0: Settings, signal: AbortSignal, progress: Progress): Promise<EstimateView> {
    const nrCpus = readNrCpus(s0.configPath) ?? s0.nrCpus;
    const s = { ...s0, nrCpus, possibleCpus: Math.min(s0.possibleCpus, nrCpus) };
    const arch = archOf(s);
    const files = walk(root, s);
    const statics: StaticVar[] = [];
    const callsites: Callsite[] = [];
    const view: EstimateView = {
      root, arch: arch.name, nrCpus: s.nrCpus, possibleCpus: s.possibleCpus, kernel: s.kernel, configPath: s.configPath,
      filesScanned: files.length, static: statics, dynamic: { callsites }, nrCpusArrays: [], unresolved: [],
      totals: { staticBytes: 0, reservedBytes: 0, dynamicBytes: 0, dynamicRequested: 0, nrCpusArrayBytes: 0, bootLine: '' },
      snapshot: undefined as unknown as ChunkMapSnapshot,
    };
    for (let i = 0; i < files.length; i++) {
      if (signal.aborted) throw new Error('cancelled');
      progress(i, files.length, files[i]);
      const a = analyze(files[i], fs.readFileSync(path.join(root, files[i]), 'utf8'), s);
      for (const it of a.items) {
        if (it.unresolved && it.kind !== 'declare' && it.kind !== 'free') view.unresolved.push({ file: files[i], line: it.line, reason: `${it.name}: ${it.unresolved}` });
        if (it.bytesPerCpu === undefined) continue;
        if (it.kind === 'static') statics.push({ name: it.name, file: files[i], line: it.line, size: it.bytesPerCpu, align: it.align ?? 1, section: '.data..percpu' });
        if (it.kind === 'alloc') {
          const count = countFor(s, files[i], it.line) * s.instances;
          callsites.push({ file: files[i], line: it.line, type: it.type, size: it.bytesPerCpu, count, total: it.bytesPerCpu * count });
        }
        if (it.kind === 'nr_cpus_array') view.nrCpusArrays.push({ name: it.name, file: files[i], line: it.line, elementBytes: it.bytesPerCpu, total: it.bytesPerCpu * s.nrCpus });
      }
      await new Promise((r) => setImmediate(r)); // keep the host responsive and cancellable
    }
    progress(files.length, files.length, 'simulating the first chunk');
    view.snapshot = simulate(arch, s, statics, callsites);
    const fc = view.snapshot.firstChunk;
    Object.assign(view.totals, {
      staticBytes: fc.static, reservedBytes: fc.reserved, dynamicBytes: fc.dynamic, bootLine: fc.bootLine,
      dynamicRequested: callsites.reduce((n, c) => n + c.total, 0),
      nrCpusArrayBytes: view.nrCpusArrays.reduce((n, c) => n + c.total, 0),
    });
    return view;
  }
}

type Chunk = ChunkMapSnapshot['chunks'][number];

/** Rough mm/percpu.c first chunk (embed helper) and first-fit dynamic chunks. TEMPORARY. */
function simulate(arch: ArchProfile, s: Settings, statics: StaticVar[], callsites: Callsite[]): ChunkMapSnapshot {
  const page = 1 << arch.pageShift;
  const blocksStatic: ChunkMapSnapshot['chunks'][0]['blocks'] = [];
  let off = 0;
  for (const v of statics) {
    off = roundUp(off, v.align);
    blocksStatic.push({ offset: off, size: v.size, kind: 'static', label: v.name, file: v.file, line: v.line });
    off += v.size;
  }
  const stat = roundUp(off, 8);
  const reserved = arch.reservedChunk ? MODULE_RESERVE : 0;
  const dynReq = dynamicReserve(arch) + (arch.dynIncludesModuleReserve ? MODULE_RESERVE : 0);
  const sizeSum = roundUp(stat + reserved + dynReq, page);
  const dyn = sizeSum - stat - reserved;
  const minUnit = Math.max(sizeSum, MIN_UNIT);
  const atom = arch.atom === 'page' ? page : arch.atom;
  const allocSize = roundUp(minUnit, atom);
  let upa = Math.floor(allocSize / minUnit);
  while (upa > 1 && (allocSize % upa || (allocSize / upa) % page)) upa--;
  const unit = allocSize / upa;
  const bootLine = `percpu: Embedded ${sizeSum / page} pages/cpu s${stat} r${reserved} d${dyn} u${unit}`;

  const chunks: ChunkMapSnapshot['chunks'] = [];
  if (reserved) {
    chunks.push({ id: chunks.length, kind: 'reserved', startOffset: stat, endOffset: stat + reserved, size: reserved,
      freeBytes: reserved, contigBytes: reserved, populatedPages: Math.ceil(reserved / page), nrPages: Math.ceil(reserved / page),
      blocks: [{ offset: stat, size: reserved, kind: 'free', label: 'reserved for module static data' }] });
  }
  const first: Chunk = { id: chunks.length, kind: 'first', startOffset: stat + reserved, endOffset: unit, size: unit - stat - reserved,
    freeBytes: 0, contigBytes: 0, populatedPages: 0, nrPages: 0, blocks: [...blocksStatic] };
  chunks.push(first);
  // first fit, chunk by chunk, like pcpu_alloc's walk over chunk slots (ignoring slot order)
  const dynChunks: Chunk[] = [first];
  const cursors = new Map<Chunk, number>([[first, stat + reserved]]);
  for (const c of callsites) {
    for (let k = 0; k < c.count; k++) {
      const a = c.size >= 8 ? 8 : 4; // PCPU_MIN_ALLOC_SIZE is 4
      let target = dynChunks.find((ch) => roundUp(cursors.get(ch)!, a) + c.size <= ch.endOffset);
      if (!target) {
        if (c.size > unit) break;
        target = { id: chunks.length, kind: 'dynamic', startOffset: 0, endOffset: unit, size: unit, freeBytes: 0, contigBytes: 0, populatedPages: 0, nrPages: 0, blocks: [] };
        chunks.push(target); dynChunks.push(target); cursors.set(target, 0);
      }
      const at = roundUp(cursors.get(target)!, a);
      const prev = target.blocks[target.blocks.length - 1];
      if (prev && prev.kind === 'alloc' && prev.file === c.file && prev.line === c.line && prev.offset + prev.size === at) prev.size += c.size; // one block per run of a callsite
      else target.blocks.push({ offset: at, size: c.size, kind: 'alloc', label: `${c.type}${c.count > 1 ? ` ×${c.count}` : ''}`, file: c.file, line: c.line });
      cursors.set(target, at + c.size);
    }
  }
  for (const ch of dynChunks) {
    const used = cursors.get(ch)!;
    if (used < ch.endOffset) ch.blocks.push({ offset: used, size: ch.endOffset - used, kind: 'free' });
    ch.freeBytes = ch.endOffset - used;
    ch.contigBytes = ch.freeBytes;
    ch.nrPages = Math.ceil(ch.size / page);
    ch.populatedPages = ch.kind === 'first' ? ch.nrPages : Math.ceil((used - ch.startOffset) / page);
  }
  return {
    unitSize: unit, pageSize: page, nrUnits: roundUp(s.possibleCpus, upa), nrPossibleCpus: s.possibleCpus,
    firstChunk: { static: stat, reserved, dynamic: dyn, unitSize: unit, bootLine }, chunks,
  };
}
