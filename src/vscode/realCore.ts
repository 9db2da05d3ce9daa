// The editor's view of the analysis core: one file as you type (scan + layout + file rules), and the
// whole estimate on command. It only adapts shapes (1-based core columns → 0-based editor columns,
// per-variable blocks in the chunk map); every number comes from src/core. No vscode import.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARCHES, findArch, type ArchProfile } from '../core/config/arch';
import { defaultConfig, parseDotConfig, type KConfig } from '../core/config/kconfig';
import type { ChunkMapSnapshot } from '../core/sim/snapshot';
import { estimate, type EstimateResult } from '../core/estimate';
import { diffWithSides, formatDiffText, fromWorkingTree } from '../core/estimate/diff';
import { headerCacheFile, loadHeaderFacts, saveHeaderFacts } from '../core/estimate/headerCache';
import { compilerFor, configBuild, type CompilerOptions } from '../core/estimate/compiledOrder';
import { offsetsNote } from '../core/report/text';
import { readMacroCall, type MacroCall } from '../core/estimate/macroCall';
import { priceAlloc } from '../core/estimate/pricing';
import {
  DEFAULT_RULE_PROFILE, DocScan, documentRules, firstChunkFor, hoverLayout, kbuildFor, openSession, wrapperDefinitions, priceFinding, resolveProfile, rulesProfile, typesSkeleton,
  type Diagnostic, type Finding, type ProfileInput, type RuleProfile, type Session, type WrapperCache,
} from '../core/estimate/session';
import type { CoreDiagnostic, CoreFacade, DiffView, EstimateView, FileAnalysis, Item, Progress, Settings } from './core';

interface Context {
  key: string;
  /** the same profile and layout engine the estimate's stages use */
  session: Session;
  profile: RuleProfile;
  /** the static size the profile's first chunk was built with */
  profileStatic: number;
  /** per file, the skeleton (text minus function bodies) last given to the layout */
  sources: Map<string, string>;
  /** per file, the variables its wrapper macros define (wrapperDefinitions), for the skeleton they were read from */
  wrapped: Map<string, { skeleton: string; findings: Finding[] }>;
  /** which macros are wrappers, and the types their expansions define */
  wrappers: WrapperCache;
  /** whether the tree's Kbuild builds a file (tree-relative) as a module */
  isModule: (rel: string) => boolean;
}

/** The machine of the settings, checked as the CLI checks it: CONFIG_NR_CPUS of the .config the
 *  settings name wins over the setting (not the arch defaults'), and bad values warn and fall back. */
function profileInput(root: string, s: Settings, arch: ArchProfile): ProfileInput {
  const config = readConfig(root, s, arch);
  const fromConfig = !!s.configPath && config.values.has('CONFIG_NR_CPUS');
  return { arch, config, kernel: s.kernel, nrCpus: fromConfig ? undefined : s.nrCpus, cpus: s.possibleCpus, instances: s.instances, capCpus: true };
}

/** The .config the settings name (absolute, or relative to the tree), if it can be read. */
function readConfig(root: string, s: Settings, arch: ArchProfile): KConfig {
  if (s.configPath) {
    const p = path.isAbsolute(s.configPath) ? s.configPath : path.join(root, s.configPath);
    try {
      return parseDotConfig(fs.readFileSync(p, 'utf8'), p);
    } catch (e) {
      const c = defaultConfig(arch.name);
      c.warnings.push(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; using the ${arch.name} defaults`);
      return c;
    }
  }
  return defaultConfig(arch.name);
}

const toSpan = (x: { line: number; column: number; endLine: number; endColumn: number }) =>
  ({ line: x.line, column: Math.max(0, x.column - 1), endLine: x.endLine, endColumn: Math.max(0, x.endColumn - 1) });

/**
 * What the editor loads before the first file is opened, like a compiler's precompiled header: the
 * type index's name table (the first lookup builds it), then the headers most kernel C files pull
 * in, through a type each defines. On linux 6.12 this halves the first analysis of
 * kernel/sched/core.c and costs ~60 MB that the first big file would load anyway.
 */
const PREAMBLE: Array<[string, string]> = [
  ['struct list_head', 'include/linux/types.h'],
  ['struct task_struct', 'include/linux/sched.h'],
  ['struct sk_buff', 'include/linux/skbuff.h'],
  ['struct net_device', 'include/linux/netdevice.h'],
];

/** Open documents whose parse trees are kept for incremental re-scans (least recently used dropped). */
const MAX_DOCS = 64;

export class RealCore implements CoreFacade {
  private ctx: Context | undefined;
  private readonly docs = new Map<string, DocScan>();

  /**
   * `cacheDir`: where the estimate keeps scan results by file content (the extension's storage);
   * `compact`, `compactShort`: the whole-tree runs' forced collections (EstimateOptions.compact, core/memory.ts),
   * given only where this core runs in a process of its own (the estimate process)
   */
  constructor(private readonly opts: { cacheDir?: string; compact?: (now?: boolean) => void; compactShort?: () => void } = {}) {}
  /** the static size of the last estimate per tree: the editor's first chunk (PCPU005's reserve) follows it */
  private readonly lastStatic = new Map<string, number>();

  private async context(root: string, s: Settings): Promise<Context> {
    const arch = findArch(s.arch) ?? ARCHES.x86_64;
    let mtime = 0;
    try {
      if (s.configPath) mtime = fs.statSync(path.isAbsolute(s.configPath) ? s.configPath : path.join(root, s.configPath)).mtimeMs;
    } catch { /* unreadable: readConfig says so */ }
    const key = JSON.stringify([root, arch.name, s.configPath, mtime, s.nrCpus, s.possibleCpus, s.instances, s.kernel]);
    const c = this.ctx?.key === key ? this.ctx : await this.newContext(key, root, s, arch);
    // only the rules' reserves follow the last estimate: the resolved types stay
    const st = this.lastStatic.get(root) ?? 0;
    if (c.profileStatic !== st) {
      // no first chunk (e.g. !SMP): the rules keep the default reserves
      c.profile = rulesProfile(c.session.profile, firstChunkFor(c.session.profile, st));
      c.profileStatic = st;
    }
    return c;
  }

  private async newContext(key: string, root: string, s: Settings, arch: ArchProfile): Promise<Context> {
    const profile = resolveProfile(profileInput(root, s, arch));
    // the build's -I dirs and modules, as the estimate's session has them (a Makefile walk, ~0.2-0.6 s on a distro config)
    const kb = kbuildFor(root, profile);
    const session = await openSession(root, profile, kb.includeDirs);
    // each answer keeps the files it read: an edit of a .c file then drops only those (LayoutEngine.addSource)
    session.layout.index.recordDeps(true);
    this.ctx = { key, session, profile: DEFAULT_RULE_PROFILE, profileStatic: -1, sources: new Map(), wrapped: new Map(), wrappers: { names: new Map(), expanded: new Map() }, isModule: kb.isModule };
    return this.ctx;
  }

  async analyzeFile(file: string, text: string, s: Settings, root = path.dirname(file)): Promise<FileAnalysis> {
    const c = await this.context(root, s);
    // unsaved edits count; an edit inside a function body changes no type, so the resolved ones stay
    const sk = typesSkeleton(text);
    const prev = c.sources.get(file);
    if (prev !== sk) {
      c.session.layout.addSource(file, text);
      c.sources.set(file, sk);
    }
    const scan = await this.scanDoc(file, text);
    // an edited header's macros may make or unmake another file's wrappers: those are read again
    if (prev !== sk && !file.endsWith('.c')) { c.wrapped.clear(); c.wrappers.names.clear(); }
    let w = c.wrapped.get(file);
    if (w?.skeleton !== sk) {
      w = { skeleton: sk, findings: wrapperDefinitions(c.session, file, text, c.wrappers, c.isModule(path.relative(root, file).split(path.sep).join('/'))) };
      c.wrapped.set(file, w);
    }
    const items = await Promise.all([...scan.findings, ...w.findings].map((f) => this.item(f, c, file, text)));
    const ds = await documentRules(c.session, file, text, scan.findings, c.profile);
    const p = c.session.profile;
    return {
      items, diagnostics: ds.map(toCoreDiagnostic), ...(prev !== undefined && prev !== sk ? { typesChanged: true } : {}),
      profile: { nrCpus: p.nrCpus, possibleCpus: p.possible, warnings: p.warnings },
    };
  }

  /** Re-scan an open document: tree.edit + reparse of the changed chunk when it was seen before. */
  private async scanDoc(file: string, text: string): Promise<{ findings: Finding[] }> {
    let doc = this.docs.get(file);
    if (doc) {
      this.docs.delete(file); // re-insert: most recently used last
      this.docs.set(file, doc);
      return doc.setText(text);
    }
    const opened = await DocScan.open(file, text);
    this.docs.set(file, (doc = opened.doc));
    if (this.docs.size > MAX_DOCS) {
      const [oldest, d] = this.docs.entries().next().value as [string, DocScan];
      d.close();
      this.docs.delete(oldest);
    }
    return opened.result;
  }

  closeFile(file: string): void {
    this.docs.get(file)?.close();
    this.docs.delete(file);
    // its text (maybe an unsaved edit the user discarded) no longer stands for the file on disk
    this.ctx?.wrapped.delete(file);
    if (this.ctx?.sources.delete(file)) this.ctx.session.layout.removeSource(file);
  }

  /** One finding as a hint: the session's price (the estimate's), adapted to the editor's Item. */
  private async item(f: Finding, c: Context, file: string, text: string): Promise<Item> {
    const base: Item = { kind: f.kind, name: f.name, type: f.type, ...toSpan(f) };
    if (f.kind === 'free' && !f.unresolved) return base;
    // a wrapper's variable carries its DEFINE_PER_CPU* call as expanded (wrapperDefinitions)
    const wrappedCall = (f as Finding & { call?: MacroCall }).call;
    // a call site as the estimate prices it: what the bare expression leaves open, with the
    // variables the site sees (sizeof(*pc), typeof(*chan->local), struct_size(q, items, n))
    const p = f.kind === 'alloc' && !f.unresolved ? (await priceAlloc(c.session, f, text)).p
      : priceFinding(c.session, f, f.kind === 'static' ? { call: wrappedCall ?? readMacroCall(text, f.line, f.column) } : {});
    if ('error' in p) return { ...base, ...(p.expr && !f.type ? { type: p.expr } : {}), unresolved: p.error };
    const shown = this.layoutText(f.type, c, file);
    if (p.kind === 'static') return { ...base, type: p.type, bytesPerCpu: p.size, align: p.align, ...shown };
    if (p.kind === 'alloc') return { ...base, type: f.type || p.expr, bytesPerCpu: p.size, align: p.align, ...shown };
    if (p.kind === 'nr_cpus_array') return { ...base, elementBytes: p.cost.slotBytes, bytesPerCpu: p.cost.slotBytes, align: p.cost.elemAlign, ...shown };
    return { ...base, bytesPerCpu: p.size, align: p.align, ...shown };
  }

  private layoutText(type: string, c: Context, file: string): { layoutText?: string; typeAlign?: number } {
    return hoverLayout(c.session, type, file);
  }


  /**
   * Gets a tree ready for its first file: the profile's context and the type index's name table
   * over the include dirs (the bulk of a first hint's wait on a kernel tree). Called when the
   * profile is set, before a file is opened.
   */
  async warm(root: string, s: Settings): Promise<void> {
    const c = await this.context(root, s);
    // the name table over the include dirs, as the estimate process saved it while no header
    // changed (saveNameTable); else built here by the first lookup below
    const ix = c.session.layout.index;
    const saved = this.nameTableFile(ix.dirs);
    // one whose headers changed since is taken with those read again here, and marked for the next
    // estimate to save anew (saveNameTable); one that cannot serve goes
    const hit = saved ? loadHeaderFacts(saved, ix.dirs, { changed: true }) : undefined;
    if (saved && hit?.changes && ix.importRawChanged(hit.raw, hit.changes)) { try { fs.writeFileSync(staleMark(saved), ''); } catch { /* read again next time */ } }
    else if (!(hit && !hit.changes && ix.importRaw(hit.raw)) && saved) fs.rmSync(saved, { force: true });
    await new Promise<void>((r) => setImmediate(r));
    for (const [type, header] of PREAMBLE) {
      const h = path.join(root, header);
      if (!fs.existsSync(h)) continue;
      c.session.layout.sizeOf(type, h);
      if (this.ctx !== c) return; // the profile changed meanwhile: that context warms itself
      await new Promise<void>((r) => setImmediate(r)); // let a file opened meanwhile be analysed
    }
  }

  /** Where the editor's name table is saved: a folder of its own (the estimate's include dirs differ). */
  private nameTableFile(dirs: string[]): string | undefined {
    return this.opts.cacheDir ? headerCacheFile(path.join(this.opts.cacheDir, 'editor'), dirs) : undefined;
  }

  /**
   * Builds and saves the name table warm() takes back, unless one is saved and warm() did not mark it
   * stale (one so marked is saved again with the headers changed since read again). Run by the
   * estimate process, before its result: writing it costs buffers the extension host would keep.
   */
  async saveNameTable(root: string, s: Settings): Promise<void> {
    const c = await this.context(root, s);
    const ix = c.session.layout.index;
    const saved = this.nameTableFile(ix.dirs);
    if (!saved || (fs.existsSync(saved) && !fs.existsSync(staleMark(saved)))) return;
    const hit = loadHeaderFacts(saved, ix.dirs, { changed: true });
    // the saved one with the headers changed since read again, else every header read
    if (!(hit?.changes && ix.importRawChanged(hit.raw, hit.changes)) && !(hit && !hit.changes && ix.importRaw(hit.raw))) ix.forEachHeader(() => undefined);
    const raw = ix.exportRaw();
    if (raw) saveHeaderFacts(saved, { raw, extra: null });
    fs.rmSync(staleMark(saved), { force: true });
  }

  /** An estimate ran elsewhere (forkedCore.ts): PCPU005's reserve follows its static size here too. */
  noteEstimate(root: string, staticBytes: number): void { this.lastStatic.set(root, staticBytes); }

  async estimate(root: string, s: Settings, signal: AbortSignal, progress: Progress): Promise<EstimateView> {
    const arch = findArch(s.arch) ?? ARCHES.x86_64;
    const input = profileInput(root, s, arch);
    const compiler = this.compiler(root, s, arch, input.config);
    const r = await estimate({
      root, ...input, ...(typeof compiler === 'object' ? { compiler } : {}),
      counts: new Map(Object.entries(s.counts)), include: s.include, exclude: s.exclude, signal, cacheDir: this.opts.cacheDir,
      onProgress: (d, t, m) => progress(d, t, m), ...(this.opts.compact ? { compact: this.opts.compact } : {}),
    });
    if (signal.aborted) throw new Error('cancelled');
    if (typeof compiler === 'string' && arch.sectionAnchors) r.config.warnings.push(`percpuLens.${s.crossCompile === undefined ? 'buildDir' : 'crossCompile'}: ${compiler}${s.configPath ? '' : ' (set percpuLens.configPath)'}: the model's order is kept`);
    this.lastStatic.set(root, r.static.bytes);
    return toView(r, s);
  }

  /** percpuLens.crossCompile and percpuLens.buildDir (compilerFor, as the CLI's --cross-compile and --build-dir), a made build folder beside the scan cache; a string: why not */
  private compiler(root: string, s: Settings, arch: ArchProfile, config: KConfig): CompilerOptions | string | undefined {
    if (s.crossCompile === undefined && s.buildDir === undefined) return configBuild(arch, s.configPath ? config.source : undefined, root);
    const base = this.opts.cacheDir ? path.dirname(this.opts.cacheDir) : path.join(os.tmpdir(), 'percpu-lens');
    const dir = s.buildDir === undefined ? undefined : path.isAbsolute(s.buildDir) ? s.buildDir : path.join(root, s.buildDir);
    return compilerFor(s.crossCompile, arch, s.configPath ? config.source : undefined, root, base, dir);
  }

  /** `percpu-lens diff --git REV --working-tree ROOT` under the settings' profile. */
  async diffWorkingTree(root: string, rev: string, s: Settings, signal: AbortSignal, progress: Progress): Promise<DiffView> {
    const arch = findArch(s.arch) ?? ARCHES.x86_64;
    const m = fromWorkingTree(rev, root);
    try {
      const { result, before, after } = await diffWithSides(m, {
        ...profileInput(root, s, arch),
        counts: new Map(Object.entries(s.counts)), include: s.include, exclude: s.exclude, signal, cacheDir: this.opts.cacheDir,
        onProgress: (d, t, msg) => progress(d, t, msg),
        ...(this.opts.compact ? { compact: this.opts.compact } : {}), ...(this.opts.compactShort ? { compactShort: this.opts.compactShort } : {}),
      });
      if (signal.aborted) throw new Error('cancelled');
      const side = (r: typeof before) => { const { treeDiagnostics: _t, ...v } = toView(r, s); return v; };
      return { result, text: formatDiffText(result), before: side(before), after: side(after) };
    } finally {
      m.cleanup();
    }
  }
}

const toFix = (f: NonNullable<Diagnostic['fix']>) => ({ title: f.title, edits: f.edits.map((e) => ({ ...toSpan(e), newText: e.newText })) });

function toCoreDiagnostic(d: Diagnostic): CoreDiagnostic {
  return {
    code: d.code, severity: d.severity, message: d.message, ...toSpan(d),
    ...(d.related?.length ? { related: d.related } : {}),
    ...(d.fix ? { fix: toFix(d.fix) } : {}),
    ...(d.moreFixes?.length ? { moreFixes: d.moreFixes.map(toFix) } : {}),
  };
}

/** The first chunk with one block per static variable, so the map can zoom into the static area. */
function withStaticBlocks(snap: ChunkMapSnapshot, r: EstimateResult): ChunkMapSnapshot {
  const vars = r.static.variables.map((v) => ({ offset: v.offset, size: v.size, kind: 'static' as const, label: v.name, file: v.file, line: v.line }));
  return {
    ...snap,
    chunks: snap.chunks.map((ch) => (ch.kind !== 'first' ? ch : { ...ch, blocks: [...vars, ...ch.blocks.filter((b) => b.kind !== 'static')] })),
  };
}

export function toView(r: EstimateResult, s: Settings): EstimateView {
  const fc = 'error' in r.firstChunk ? undefined : r.firstChunk;
  const bootLine = fc ? fc.bootLine : `no first chunk: ${(r.firstChunk as { error: string }).error}`;
  const snapshot: ChunkMapSnapshot = r.chunks
    ? withStaticBlocks(r.chunks as ChunkMapSnapshot, r)
    : { unitSize: r.static.bytes, pageSize: 4096, nrUnits: r.config.possibleCpus, nrPossibleCpus: r.config.possibleCpus,
      firstChunk: { static: r.static.bytes, reserved: 0, dynamic: 0, unitSize: r.static.bytes, bootLine }, chunks: [] };
  return {
    root: r.root, arch: r.arch, nrCpus: r.config.nrCpus, possibleCpus: r.config.possibleCpus, kernel: r.kernel, configPath: s.configPath,
    filesScanned: r.stats.filesSeen,
    totals: {
      staticBytes: fc?.static ?? r.static.bytes, reservedBytes: fc?.reserved ?? 0, dynamicBytes: fc?.dynamic ?? 0,
      dynamicRequested: r.dynamic.bytes, nrCpusArrayBytes: r.nrCpusArrays.reduce((n, a) => n + a.bytesAtNrCpus, 0), bootLine,
    },
    static: r.static.variables.map((v) => ({ name: v.name, file: v.file, line: v.line, size: v.size, align: v.align, section: `.data..percpu${v.section}` })),
    dynamic: { callsites: r.dynamic.callsites.map((c) => ({ file: c.file, line: c.line, type: c.expr, size: c.size, count: c.count, total: c.total, ...(c.func ? { func: c.func } : {}), ...(c.callee ? { callee: c.callee } : {}) })) },
    nrCpusArrays: r.nrCpusArrays.map((a) => ({
      name: a.container ? `${a.container}.${a.name}` : a.name, file: a.file, line: a.line, elementBytes: a.elemSize * a.perCpuElems, total: a.bytesAtNrCpus,
      ...(a.container ? { container: a.container } : {}),
    })),
    unresolved: r.unresolved.map((u) => ({ file: u.file, line: u.line, reason: `${u.name ? `${u.name}: ` : ''}${u.reason}` })),
    notes: [offsetsNote(r, { crossCompile: 'percpuLens.crossCompile', buildDir: 'percpuLens.buildDir' }), ...r.config.warnings].filter((n): n is string => n !== undefined),
    snapshot,
    treeDiagnostics: r.diagnostics.filter((d) => d.scope === 'tree').map((d) => ({ ...toCoreDiagnostic(d), file: d.file })),
  };
}

/** Beside a saved name table: its headers changed since (warm took it with them read again). */
const staleMark = (table: string) => `${table}.stale`;
