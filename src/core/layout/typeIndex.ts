// The type index over a kernel tree: a raw name → files map built lazily by regex over the header
// directories (an over-approximation), then files are loaded on demand (conditional pass against
// the .config, definitions scanned) and the first file, in include-priority order, whose active
// code defines the name wins. Files the user is editing (addSource) and the fallback header join
// the same lookup, first and last.
import * as fs from 'fs';
import * as path from 'path';
import { ArchName, ARCHES } from '../config/arch';
import { KConfig, configMacros, l1CacheShiftOf, predefinedMacros } from '../config/kconfig';
import { Tok, render, tokenize } from '../config/lex';
import { MacroDef, MacroLookup, expand, objectMacro } from '../config/macros';
import { FileScan, scanFile } from '../config/preprocess';
import { FileDefs, DefSite, detachSites, scanDefs, typedefNames } from './defs';
import { functionBodyInteriors } from './skeleton';
import { FALLBACK_FILE, FALLBACK_HEADER } from './fallback';
import { headerShape } from './headerShape';
import { FileTable, NameIndex, NameIndexSnapshot } from './nameIndex';
import { readText } from '../readText';
import { flat } from '../flat';
import { fileExists } from '../overlay';

/** bound on one file's include closure (a kernel .c file reaches about 1,500 headers) */
const MAX_CLOSURE = 6000;
/**
 * include closures kept, most recently asked last: the passes ask about one file after another
 * (each ~700 headers, ~24 KB; Debian amd64 kept 430 of them, 10 MB, to the end of the run)
 */
const CLOSURES_KEPT = 32;

export interface LoadedFile { path: string; scan: FileScan; readonly defs: FileDefs }

// macros gcc leaves undefined when compiling kernel C, whatever some header says
const FORCE_UNDEF = new Set(['__ASSEMBLY__', '__ASSEMBLER__', '__CHECKER__', '__GENKSYMS__', '__BINDGEN__', '__clang__',
  '__cplusplus', 'LINKER_SCRIPT', 'BUILD_VDSO', 'BUILD_VDSO32', 'BUILD_VDSO64', '__DISABLE_EXPORTS', 'MODULE',
  '__KSYM_DEPS__', '__OPTIMIZE_SIZE__', '__CHECK_ENDIAN__', 'CC_USING_FENTRY', '__NO_FORTIFY', '__SANITIZE_ADDRESS__',
  '__SANITIZE_THREAD__', '__SANITIZE_HWADDRESS__', 'STATIC_KEYS_DEBUG', '__VDSO__', '__DISABLE_TRACE_MMIO__',
  'DISABLE_BRANCH_PROFILING']);

export const KERNEL_ARCH_DIR = Object.fromEntries(Object.values(ARCHES).map((a) => [a.name, a.srcArch])) as Record<ArchName, string>;

interface Raw { defines: NameIndex; records: NameIndex; typedefs: NameIndex; consts: NameIndex }
type Adders = Record<keyof Raw, { add(name: string, file: string): void }>;
const RAW_KINDS = ['defines', 'records', 'typedefs', 'consts'] as const;

/** The raw index of the include dirs as built by a first run, to be saved and reused (headerCache.ts). */
export interface RawSnapshot {
  /** the include dirs it covers, in order: a snapshot is only good for the same list */
  dirs: string[];
  /** those of `dirs` indexed without their subfolders */
  flat: string[];
  /** file numbers' paths, in number order */
  table: string[];
  /** every header read (also those that define nothing the index keeps) */
  files: string[];
  index: Record<(typeof RAW_KINDS)[number], NameIndexSnapshot>;
  /** each of `files`' shape (headerShape.ts), '' where unknown; absent in a snapshot that kept none */
  shapes?: string[];
}

export class TypeIndex {
  readonly dirs: string[];
  /** dirs[0, globalDirs) are every file's (-I of the kernel's Makefile); later ones are a directory's ccflags -I */
  private globalDirs = 0;
  private raw?: Raw;
  private rawFiles?: FileTable;
  /** -I dirs of the build: indexed without their subfolders */
  private flatDirs = new Set<string>();
  private indexedDirs = new Set<string>();
  private indexedFiles = new Set<string>();
  /** each indexed header's shape (headerShape.ts), by its path */
  private shapes = new Map<string, string>();
  private rank = new Map<string, number>();
  /** `rank` as [dir + separator, rank] pairs, made again when a dir is added (candidates' score asks it per file) */
  private rankPrefixes?: [string, number][];
  private files = new Map<string, LoadedFile>();
  /** open frames of recordDeps (undefined: not recording) and, per loaded file, the files its active text depended on */
  private frames: Set<string>[] | undefined;
  private scanDeps = new Map<string, Set<string>>();
  private loading = new Set<string>();
  private user = new Map<string, string>();
  /** how many of the user sources are .c files (the editor's open documents; none in a whole-tree estimate) */
  private userC = 0;
  private macroCache = new Map<string, MacroDef | undefined>();
  private base = new Map<string, MacroDef>();
  private closures = new Map<string, Map<string, number>>();
  /** the closure asked last, answered without touching the map's order */
  private lastClosure?: { file: string; order: Map<string, number> };
  /** kernel headers named for the other word size (page_32_types.h on a 64-bit arch) */
  private otherWidth: RegExp;
  private resolved = new Map<string, string | undefined>();
  /** each loaded file's active #includes as resolved paths, by its scan (a file loaded again has a new one);
   *  renewed with `resolved`: closures walk these lists millions of times */
  private includesOf = new WeakMap<FileScan, string[]>();
  /** files' active #includes as an earlier run of the same tree resolved them (seedIncludes) */
  private seeded?: ReadonlyMap<string, string[]>;
  /** sees each header text the include-dir indexing reads (forEachHeader) */
  private observer?: (file: string, text: string) => void;
  readonly cfgOf: (name: string) => string | undefined;

  constructor(readonly arch: ArchName, readonly config: KConfig, readonly root?: string, includeDirs: string[] = []) {
    const a = KERNEL_ARCH_DIR[arch];
    const dirs = [...includeDirs];
    if (root) {
      dirs.push(path.join(root, 'arch', a, 'include'), path.join(root, 'arch', a, 'include', 'generated'),
        path.join(root, 'include'), path.join(root, 'arch', a, 'include', 'uapi'), path.join(root, 'include', 'uapi'));
    }
    this.dirs = dirs.map((d) => path.resolve(d));
    this.globalDirs = this.dirs.length;
    this.dirs.forEach((d, i) => { if (!this.rank.has(d)) this.rank.set(d, 10 + i); });
    this.cfgOf = (n) => config.values.get(n);
    this.otherWidth = new RegExp(`[_-]${ARCHES[arch].bits === 64 ? 32 : 64}[_.-]`);
    for (const [k, v] of predefinedMacros(arch)) this.base.set(k, objectMacro(k, v, 'predefined'));
    for (const [k, v] of configMacros(config)) this.base.set(k, objectMacro(k, v, config.source));
    // the cache line comes from the config where the arch has a knob, else from the arch profile
    const shift = l1CacheShiftOf(config, ARCHES[arch]);
    this.user.set(FALLBACK_FILE, `#define L1_CACHE_SHIFT ${shift}\n#define PAGE_SHIFT ${ARCHES[arch].pageShift}\n${FALLBACK_HEADER}`);
  }

  /**
   * A user source's text (LayoutEngine.addSource), telling whether what other lookups meet of it
   * stayed the same: for an edit of a .c file while recording (recordDeps), the names it defines
   * (records, typedefs, enum constants, macros, #undefs) and its active #includes. Then a lookup
   * that missed the file still misses it and nothing includes it, so only what read it is out of
   * date: its macros leave the cache here, the answers that recorded it leave LayoutEngine's.
   * Otherwise (a header, a name added or gone, not recording, the file not loaded before) every
   * cached lookup goes.
   */
  replaceSource(file: string, text: string): boolean {
    const f = path.resolve(file);
    const was = this.frames && f.endsWith('.c') ? this.files.get(f) : undefined;
    const before = was && sourceSignature(was);
    if (f.endsWith('.c') && !this.user.has(f)) this.userC++;
    this.user.set(f, text);
    this.files.delete(f);
    const now = before === undefined ? undefined : this.load(f);
    if (now && sourceSignature(now) === before) {
      for (const [k, d] of this.macroCache) if (d && (d.source === f || d.source === file)) this.macroCache.delete(k);
      return true;
    }
    this.macroCache.clear();
    this.forgetClosures();
    return false;
  }

  /**
   * A user source given up (the editor closed the document): lookups meet the file on disk again.
   * Tells, as replaceSource, whether only what read it is out of date: a .c file while recording
   * (no other file sees it, but through an #include of it, and those lookups recorded it); a
   * header, or not recording, and every cached lookup goes.
   */
  removeSource(file: string): boolean {
    const f = path.resolve(file);
    if (f === FALLBACK_FILE || !this.user.has(f)) return true;
    const c = f.endsWith('.c');
    if (c) this.userC--;
    this.user.delete(f);
    this.files.delete(f);
    if (c && this.frames) {
      for (const [k, d] of this.macroCache) if ((d && (d.source === f || d.source === file)) || k.endsWith(`|${f}`) || k.endsWith(`|${file}`)) this.macroCache.delete(k);
      this.closures.delete(f);
      if (this.lastClosure?.file === f) this.lastClosure = undefined;
      return true;
    }
    this.macroCache.clear();
    this.forgetClosures();
    return false;
  }

  /**
   * A directory the build adds with -I (ccflags-y), searched after the arch and generic ones.
   * #includes resolve in its subfolders, but only its own headers join the raw name index: the
   * subfolders of driver -I dirs are generated register maps (amdgpu's include/asic_reg alone is
   * 474 MB of #defines under a distro config) that per-CPU code never takes a size from.
   */
  addIncludeDir(dir: string): void {
    const d = path.resolve(dir);
    if (this.dirs.includes(d) || !fs.existsSync(d)) return;
    this.dirs.push(d);
    this.flatDirs.add(d);
    this.rank.set(d, 10 + this.dirs.length);
    this.rankPrefixes = undefined;
    if (this.raw) this.indexDir(d, false);
    this.forgetClosures();
    this.resolved.clear();
    this.includesOf = new WeakMap();
    this.macroCache.clear();
  }

  /** addIncludeDir for each of `dirs` in order, `observe` seeing the texts of the headers it indexes. */
  addIncludeDirs(dirs: readonly string[], observe: (file: string, text: string) => void): void {
    this.observer = observe;
    try { for (const d of dirs) this.addIncludeDir(d); } finally { this.observer = undefined; }
  }

  isUser(file: string): boolean { return this.user.has(path.resolve(file)); }

  // ---- which files an answer read (estimate/reuse.ts) ----------------------------------------
  // A frame collects the files whose text an answer took definitions or macros from (with what
  // their active text depended on), not the ones only walked for their #includes. The engine's
  // caches keep each entry's files and add them again on a hit.
  recordDeps(on: boolean): void { this.frames = on ? [] : undefined; }
  openFrame(): void { this.frames?.push(new Set()); }
  /** Ends the innermost frame; its files join the enclosing one unless `merge` is false. */
  closeFrame(merge = true): Set<string> | undefined {
    const s = this.frames?.pop();
    if (s && merge) this.addDeps(s);
    return s;
  }
  addDeps(files: Iterable<string> | undefined): void {
    const top = this.frames?.[this.frames.length - 1];
    if (top && files) for (const f of files) top.add(f);
  }
  private used(file: string): void {
    const top = this.frames?.[this.frames.length - 1];
    if (!top || top.has(file)) return;
    top.add(file);
    this.addDeps(this.scanDeps.get(file));
  }

  // ---- raw index ---------------------------------------------------------------------------
  private ensureRaw(): Raw {
    if (!this.raw) {
      const files = (this.rawFiles = new FileTable());
      this.raw = { defines: new NameIndex(files), records: new NameIndex(files), typedefs: new NameIndex(files), consts: new NameIndex(files) };
      for (const d of this.dirs) this.indexDir(d, !this.flatDirs.has(d));
    }
    return this.raw;
  }

  /** The raw index right after it indexed the include dirs and nothing else, else undefined. */
  exportRaw(): RawSnapshot | undefined {
    const raw = this.raw;
    if (!raw || [...this.indexedDirs].some((d) => !this.dirs.includes(d))) return undefined;
    const index = Object.fromEntries(RAW_KINDS.map((k) => [k, raw[k].snapshot()])) as RawSnapshot['index'];
    const files = [...this.indexedFiles];
    return { dirs: [...this.dirs], flat: [...this.flatDirs], table: [...this.rawFiles!.paths], files, index, shapes: files.map((f) => this.shapes.get(f) ?? '') };
  }

  /** Takes a saved raw index of the same include dirs instead of reading every header again. */
  importRaw(s: RawSnapshot): boolean {
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((d, i) => d === b[i]);
    if (this.raw || !same(s.dirs, this.dirs) || !same(s.flat, [...this.flatDirs])) return false;
    this.adoptRaw(s);
    return true;
  }

  /**
   * Takes a raw index of the leading include dirs built elsewhere (headerIndex, on a worker while
   * this thread reads Kbuild) and indexes the dirs after them (a build's ccflags -I dirs) here,
   * `observe` seeing their texts: the same index, in the same order, as building it all here.
   */
  importRawAhead(s: RawSnapshot, observe: (file: string, text: string) => void): boolean {
    const lead = this.dirs.slice(0, s.dirs.length);
    if (this.raw || s.dirs.length > this.dirs.length || s.dirs.some((d, i) => d !== lead[i]) || lead.some((d) => this.flatDirs.has(d) !== s.flat.includes(d))) return false;
    this.adoptRaw(s);
    this.observer = observe;
    try {
      for (const d of this.dirs.slice(s.dirs.length)) this.indexDir(d, !this.flatDirs.has(d));
    } finally { this.observer = undefined; }
    return true;
  }

  /** `s` as this index's raw index, its dirs and files indexed */
  private adoptRaw(s: RawSnapshot): void {
    const files = (this.rawFiles = FileTable.of(s.table));
    this.raw = Object.fromEntries(RAW_KINDS.map((k) => [k, NameIndex.restore(files, s.index[k])])) as unknown as Raw;
    for (const d of s.dirs) this.indexedDirs.add(d);
    for (const f of s.files) this.indexedFiles.add(f);
    s.shapes?.forEach((h, i) => { if (h) this.shapes.set(s.files[i], h); });
  }

  /** The shape of a header the raw index read (headerShape.ts), when known. */
  shapeOf(file: string): string | undefined { return this.shapes.get(path.resolve(file)); }

  /**
   * Calls `f` once for each header under the include dirs. When the raw index is not built yet it
   * is built now and `f` sees the texts it reads, so each header is read once.
   */
  forEachHeader(f: (file: string, text: string) => void): void {
    const seen = new Set<string>();
    const once = (file: string, text: string) => { if (!seen.has(file)) { seen.add(file); f(file, text); } };
    if (!this.raw) {
      this.observer = once;
      try { this.ensureRaw(); } finally { this.observer = undefined; }
      return;
    }
    const walk = (d: string) => {
      let ents: fs.Dirent[];
      try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
      for (const e of ents) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) { if (!this.flatDirs.has(d)) walk(p); }
        else if (e.name.endsWith('.h') && !seen.has(p)) { const t = readable(p); if (t !== undefined) once(p, t); }
      }
    };
    for (const d of this.dirs) walk(d);
  }

  /** index the headers of a directory (recursively for include roots, flat for a source dir) */
  indexDir(dir: string, recursive: boolean): void {
    const raw = this.ensureRaw();
    if (this.indexedDirs.has(dir)) return;
    this.indexedDirs.add(dir);
    visitHeaders(dir, recursive, this.indexedDirs, this.indexedFiles, (p) => {
      const text = readable(p);
      if (text === undefined) return;
      this.indexText(raw, p, text);
      this.observer?.(p, text); // set only while the include dirs are indexed (ensureRaw, importRawAhead, addIncludeDirs)
    });
  }

  /**
   * Takes a saved raw index of the same include dirs although headers changed since it was saved
   * (headerCache.ts `changes`): the entries of the headers gone or changed go, the changed and new
   * ones are read (`observe` sees their texts), and every name's files are put in the order the
   * headers are walked now: the index reading every header again would give.
   */
  importRawChanged(s: RawSnapshot, changes: HeaderChanges, observe?: (file: string, text: string) => void): boolean {
    // a name whose headers all went stays with none: past 1 in 20 such names, the caller reads every header again
    let dead = 0;
    let all = 0;
    for (const k of RAW_KINDS) { all += s.index[k].n; for (const l of s.index[k].lists) if (!l.length) dead++; }
    if (dead * 20 > all || !this.importRaw(s)) return false;
    const raw = this.raw!;
    const files = this.rawFiles!;
    const gone = new Set(changes.dropped.map((f) => files.id(f)));
    for (const k of RAW_KINDS) raw[k].dropFiles(gone);
    for (const f of changes.dropped) this.shapes.delete(f);
    this.indexedFiles = new Set(changes.walk);
    for (const f of changes.reread) {
      const text = readable(f);
      if (text === undefined) continue;
      this.indexText(raw, f, text);
      observe?.(f, text);
    }
    const at = new Map(changes.walk.map((f, i) => [f, i]));
    const rank = (id: number) => at.get(files.paths[id]) ?? Number.MAX_SAFE_INTEGER;
    for (const k of RAW_KINDS) raw[k].orderLists(rank);
    return true;
  }

  private indexText(raw: Adders, file: string, text: string): void {
    let names = '';
    rawNames(text, (k, n) => { raw[k].add(n, file); names += `${k[0]}${n},`; });
    this.shapes.set(file, headerShape(text, names));
  }

  /**
   * Files whose text changed under this index (diff's NEW read through an overlay, src/core/overlay.ts):
   * what was loaded from them is forgotten and their new names are indexed. A name the new text no
   * longer defines keeps its entry, which only costs a look at the file.
   */
  refresh(files: string[]): void {
    const raw = this.raw;
    for (const file of files) {
      const f = path.resolve(file);
      this.files.delete(f);
      this.scanDeps.delete(f);
      if (!raw || !f.endsWith('.h')) continue;
      const under = this.indexedFiles.has(f) || this.indexedDirs.has(path.dirname(f));
      if (!under) continue;
      this.indexedFiles.add(f);
      let text: string;
      try { text = readText(f, 'latin1'); } catch { continue; }
      // only names new to the file: an entry listed twice would make its name look defined twice
      const once = (ix: NameIndex) => ({ add: (n: string, at: string) => { if (!ix.get(n)?.includes(at)) ix.add(n, at); } });
      this.indexText({ defines: once(raw.defines), records: once(raw.records), typedefs: once(raw.typedefs), consts: once(raw.consts) }, f, text);
    }
    this.macroCache.clear();
    this.forgetClosures();
    this.resolved.clear();
    this.includesOf = new WeakMap();
  }

  // ---- loading ------------------------------------------------------------------------------
  load(file: string): LoadedFile | undefined {
    // most calls name a loaded file by its absolute path: found before path.resolve (~180 MB of
    // strings per Debian run); the fallback header is kept under its name (path.resolve of it
    // never matched: it was scanned again for each lookup that ended there, ~10,000 times a run)
    const known = this.files.get(file);
    if (known) return known;
    const f = path.resolve(file);
    const hit = this.files.get(f);
    if (hit) return hit;
    if (this.loading.has(f)) return undefined;
    let text = this.user.get(f) ?? this.user.get(file);
    if (text === undefined) {
      try { text = readText(f, 'latin1'); } catch { return undefined; }
    }
    return this.asLoading(f, () => {
      const scan = scanFile(text, file, (n) => this.macro(n, f), this.cfgOf);
      const p = file === FALLBACK_FILE ? FALLBACK_FILE : f;
      let lf: LoadedFile;
      if (scan.typedefCalls.length) {
        // expanding the file's typedef-making macros looks macros up: do it now, while loading,
        // so the lookups see the same state as always
        const defs = defsOf(scan.active);
        this.addMacroTypedefs(scan, defs, f);
        lf = new Loaded(p, scan, defs);
      } else {
        // most files are loaded for their #includes and macros only: definitions on first use
        lf = new Loaded(p, scan);
      }
      this.files.set(file === FALLBACK_FILE ? FALLBACK_FILE : f, lf);
      return lf;
    });
  }

  /** `body` with `f` loading, in a frame of its own: the files its text depended on become its scanDeps. */
  private asLoading<T>(f: string, body: () => T): T {
    this.loading.add(f);
    this.openFrame();
    try {
      return body();
    } finally {
      const d = this.closeFrame(false);
      if (d) this.scanDeps.set(f, d);
      this.loading.delete(f);
    }
  }

  /** Types a file defines through its own macros (SEQCOUNT_LOCKNAME(raw_spinlock, ...) makes
   *  seqcount_raw_spinlock_t): each use expanded with the definition in force there. */
  private addMacroTypedefs(scan: FileScan, defs: FileDefs, file: string): void {
    if (!scan.typedefCalls.length) return;
    const lines = scan.active.split('\n');
    for (const c of scan.typedefCalls) {
      const toks = tokenize(lines.slice(c.line, c.line + 40).join('\n'));
      let depth = 0;
      let end = -1;
      for (let i = 0; i < toks.length && end < 0; i++) {
        if (toks[i].t === '(') depth++;
        else if (toks[i].t === ')' && --depth === 0) end = i;
      }
      if (end < 0) continue;
      const lookup: MacroLookup = (n) => {
        if (n === c.def.name) return c.def;
        const d = scan.defines.get(n);
        return d === null ? undefined : d ?? this.macro(n, file);
      };
      let out: Tok[];
      try { out = expand(toks.slice(0, end + 1), lookup); } catch { continue; }
      const more = scanDefs([...out, { k: 'punct', t: ';' }]);
      for (const [k, site] of more.records) if (!defs.records.has(k)) { defs.records.set(k, site); defs.order.push(site); }
      for (const [k, site] of more.typedefs) if (!defs.typedefs.has(k)) { defs.typedefs.set(k, site); defs.order.push(site); }
    }
  }

  /** candidate files for a name, best first: the asking file, user sources, the headers it
   * includes (in include order, as gcc would meet them), its directory, then include dirs */
  private candidates(list: string[] | undefined, fromFile: string | undefined): string[] {
    const out: string[] = [];
    const from = fromFile ? path.resolve(fromFile) : undefined;
    if (from && from !== FALLBACK_FILE) out.push(from);
    for (const u of this.user.keys()) if (u !== FALLBACK_FILE && u !== from && (this.userC === 0 || this.userVisible(u, from))) out.push(u);
    if (list) {
      const fromDir = from ? path.dirname(from) : undefined;
      // the asking file's includes decide, an open document's too (the editor's user sources: before,
      // kernel/rcu/tree.c open took rcutiny.h's struct rcu_gp_oldstate, krc 568 B against gcc's 584)
      const included = from && list.length > 1 && this.root ? this.includeOrder(from) : undefined;
      const prefixes = (this.rankPrefixes ??= [...this.rank].map(([d, r]): [string, number] => [d + path.sep, r]));
      const score = (f: string) => {
        const k = included?.get(f);
        if (k !== undefined) return -1e6 + k;
        // without include order (inside a header's #if), page_32_types.h must not beat page_64_types.h
        const width = this.otherWidth.test(path.basename(f)) ? 100 : 0;
        if (fromDir && path.dirname(f) === fromDir) return width;
        let best = 1000;
        for (const [p, r] of prefixes) if (r < best && f.startsWith(p)) best = r;
        return best + width;
      };
      out.push(...list.filter((f) => !out.includes(f)).map((f) => [f, score(f)] as const).sort((a, b) => a[1] - b[1]).map((x) => x[0]));
    }
    out.push(FALLBACK_FILE);
    return out;
  }

  private forgetClosures(): void {
    this.closures.clear();
    this.lastClosure = undefined;
  }

  /** Headers a file pulls in, transitively, in first-inclusion order (active #includes only). */
  includeOrder(file: string): Map<string, number> {
    const last = this.lastClosure;
    if (last?.file === file) return last.order;
    const hit = this.closures.get(file);
    if (hit) {
      this.closures.delete(file);
      this.closures.set(file, hit);
      this.lastClosure = { file, order: hit };
      return hit;
    }
    const order = new Map<string, number>();
    const visit = (f: string, depth: number) => {
      if (order.has(f) || order.size >= MAX_CLOSURE) return;
      order.set(f, order.size);
      if (depth > 60) return;
      for (const r of this.resolvedIncludes(f)) visit(r, depth + 1);
    };
    visit(file, 0);
    this.closures.set(file, order);
    if (this.closures.size > CLOSURES_KEPT) this.closures.delete(this.closures.keys().next().value!);
    this.lastClosure = { file, order };
    return order;
  }

  /**
   * Each file whose active #includes were walked, or taken from the seed, with them resolved (absolute paths): another
   * index of the same tree takes them (seedIncludes) while every file's directives are the same.
   */
  activeIncludes(): Map<string, string[]> {
    // the seed's lists stand for this run too: a run seeded with them, saving only what it walked
    // itself, would leave the next run to load every header again
    const out = new Map<string, string[]>(this.seeded ?? []);
    for (const [f, lf] of this.files) { const l = this.includesOf.get(lf.scan); if (l && path.isAbsolute(f)) out.set(f, l); }
    return out;
  }

  /**
   * Files' active #includes from an earlier run (activeIncludes), walked instead of loading each
   * file: sound only while no file's preprocessor lines differ from that run's (reuse.ts decides).
   */
  seedIncludes(m: ReadonlyMap<string, string[]> | undefined): void {
    this.seeded = m;
    this.forgetClosures();
  }

  /** `f`'s active #includes that resolve, in order (a file that cannot be loaded has none). */
  private resolvedIncludes(f: string): string[] {
    const seed = this.seeded?.get(f);
    if (seed) return seed;
    const scan = this.load(f)?.scan;
    if (!scan) return [];
    let out = this.includesOf.get(scan);
    if (out) return out;
    out = [];
    for (const inc of scan.includes) {
      const r = this.resolveInclude(inc.path, inc.angled, f);
      if (r) out.push(r);
    }
    this.includesOf.set(scan, out);
    return out;
  }

  private resolveInclude(p: string, angled: boolean, from: string): string | undefined {
    const key = `${angled ? '<' : '"'}${p}|${angled ? '' : path.dirname(from)}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    // tried in order, joined one at a time: most names are found in the first dirs
    let r: string | undefined;
    if (!angled) { const t = path.join(path.dirname(from), p); if (fileExists(t)) r = t; }
    for (let i = 0; r === undefined && i < this.dirs.length; i++) { const t = path.join(this.dirs[i], p); if (fileExists(t)) r = t; }
    // asm/ headers the build generates from asm-generic (Kbuild generic-y) are not in a source tree
    if (r === undefined && this.root && p.startsWith('asm/')) { const t = path.join(this.root, 'include', 'asm-generic', p.slice(4)); if (fileExists(t)) r = t; }
    this.resolved.set(key, r);
    return r;
  }

  /** the last file prepare() indexed the folder of: asked again (most of a file's lookups), nothing is left to do */
  private prepared?: string;

  private prepare(fromFile?: string): void {
    if (fromFile !== undefined && fromFile === this.prepared && this.raw) return;
    // the asking file's own directory holds its quoted local headers ("sched.h" beside kernel/sched/core.c),
    // for an open document as for a file read from disk
    if (fromFile && fromFile !== FALLBACK_FILE && this.dirs.length) {
      this.indexDir(path.dirname(path.resolve(fromFile)), false);
      this.prepared = fromFile;
    } else if (this.dirs.length) this.ensureRaw();
  }

  /** A macro as gcc would see it when compiling kernel C (first definition by include priority). */
  macro(name: string, fromFile?: string): MacroDef | undefined {
    if (FORCE_UNDEF.has(name)) return undefined;
    const b = this.base.get(name);
    if (b) return b;
    if (name.startsWith('CONFIG_')) return undefined;
    this.prepare(fromFile);
    // defined in several headers (page_32_types.h and page_64_types.h): the asking file's includes decide
    const scoped = fromFile !== undefined && this.loading.size === 0 && this.root !== undefined && (this.raw?.defines.count(name) ?? 0) > 1;
    // a driver's own header (drivers/usb/gadget/udc/mv_u3d.h: #define TYPE_DATA 3) reaches only the files including it
    const local = !scoped && fromFile !== undefined && this.root !== undefined && (this.raw?.defines.get(name) ?? []).some((f) => this.isLocal(f));
    const cacheKey = scoped || local ? `${name}|${fromFile}` : name;
    // an answer an open .c file's #define decided (the editor's) is the asking file's alone
    // (made only while one is open: this runs for every name a whole-tree estimate expands)
    const ownKey = this.userC > 0 && fromFile !== undefined ? `${name}|${fromFile}` : undefined;
    const key = ownKey !== undefined && this.macroCache.has(ownKey) ? ownKey : cacheKey;
    if (this.macroCache.has(key)) {
      const hit = this.macroCache.get(key);
      if (hit && this.frames) this.used(hit.source);
      return hit;
    }
    let found: MacroDef | undefined;
    let incomplete = false;
    const list = this.raw?.defines.get(name);
    const order = scoped ? this.includeOrder(path.resolve(fromFile)) : undefined;
    const cands = this.candidates(order ? list?.filter((f) => order.has(f)) : list, undefined);
    if (order) cands.sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9));
    if (order) cands.push(...this.candidates(list, undefined).filter((f) => !cands.includes(f)));
    let mine = false; // a user .c file defines the name: the answer depends on whether the asking file sees it
    for (const f of cands) {
      if (this.loading.has(path.resolve(f)) || this.loading.has(f)) { incomplete = true; continue; }
      const userC = this.userC > 0 && this.isUserC(f);
      if (!this.visibleFrom(f, fromFile)) {
        if (userC && this.load(f)?.scan.defines.has(name)) mine = true;
        continue;
      }
      const lf = this.load(f);
      const d = lf?.scan.defines.get(name);
      if (userC && d !== undefined) mine = true;
      if (d === null) continue;
      if (d) { found = d; break; }
    }
    // the name may be a slice of a whole file's text
    if (!incomplete) this.macroCache.set(flat(mine && ownKey !== undefined ? ownKey : cacheKey), found);
    if (found && this.frames) this.used(found.source);
    return found;
  }

  /** a header outside the kernel-wide include dirs (a driver's own, or under a ccflags -I dir):
   *  only files that include it (or sit next to it) see its macros */
  private isLocal(f: string): boolean {
    return f !== FALLBACK_FILE && !this.isUser(f) && !this.dirs.slice(0, this.globalDirs).some((d) => f.startsWith(d + path.sep));
  }

  private visibleFrom(f: string, fromFile: string | undefined): boolean {
    if (fromFile === undefined || this.root === undefined) return true;
    // an open .c file (the editor's user source) is its own and its includers', as gcc compiles each
    // .c file alone: not what another file's lookups meet, nor a header loaded meanwhile
    if (this.userC > 0 && this.isUserC(f)) return this.userVisible(f, path.resolve(fromFile));
    if (this.loading.size > 0 || !this.isLocal(f)) return true;
    const from = path.resolve(fromFile);
    return from === f || path.dirname(from) === path.dirname(f) || this.includeOrder(from).has(f);
  }

  /** whether `f`, a user source, is a candidate for lookups asked from `from` (resolved) */
  private userVisible(f: string, from: string | undefined): boolean {
    if (from === undefined || this.root === undefined || !this.isUserC(f) || from === f) return true;
    // a file being loaded (a header's #if): no include walk meanwhile, and no header includes a .c file
    return this.loading.size === 0 && this.includeOrder(from).has(f);
  }

  private isUserC(f: string): boolean { return f.endsWith('.c') && this.user.has(f); }

  /**
   * the lookup used to expand a definition found in `file`: its own macros, then the global ones.
   * `lines` (0-based, first and last line of the definition): a macro the file defines more than
   * once is taken as it stands there: the last state set inside the definition (an x-macro defined
   * inside an enum's braces), else the one in force where it starts.
   */
  lookupFor(file: string, lines?: [number, number]): MacroLookup {
    const lf = this.files.get(file) ?? this.load(file);
    if (this.frames) this.used(path.resolve(file));
    const history = lines ? lf?.scan.history : undefined;
    return (n) => {
      const h = history?.get(n);
      if (h) {
        let at: { def: MacroDef | null } | undefined;
        for (const s of h) if (s.line <= lines![1] && (s.line < lines![0] || s.def)) at = s;
        if (at) return at.def === null || FORCE_UNDEF.has(n) ? undefined : at.def;
        return this.macro(n, file);
      }
      const d = lf?.scan.defines.get(n);
      if (d === null) return undefined;
      if (d) return FORCE_UNDEF.has(n) ? undefined : d;
      return this.macro(n, file);
    };
  }

  find(kind: 'record' | 'typedef' | 'const', key: string, fromFile?: string): { file: LoadedFile; site: DefSite } | undefined {
    this.prepare(fromFile);
    const raw = this.raw;
    const list = kind === 'record' ? raw?.records.get(key) : kind === 'typedef' ? raw?.typedefs.get(key) : raw?.consts.get(key);
    for (const f of this.candidates(list, fromFile)) {
      const lf = this.load(f);
      if (!lf) continue;
      const site = kind === 'record' ? lf.defs.records.get(key) : kind === 'typedef' ? lf.defs.typedefs.get(key) : lf.defs.enumConsts.get(key);
      if (site) {
        if (this.frames) this.used(lf.path);
        return { file: lf, site };
      }
    }
    return undefined;
  }

  /**
   * Lets go of the loaded .c files' active texts (a distro config's ~430 asking files, ~18 MB),
   * kept through sizing for their readers: what lookups take from them stays (macros, #includes,
   * definition sites, now each holding its own range); a later reader of `scan.active` (the rules
   * sizing an array by its initializer) has the file scanned again.
   */
  releaseSourceTexts(): void {
    for (const [f, lf] of this.files) {
      if (!f.endsWith('.c') || this.user.has(f) || !(lf instanceof Loaded)) continue;
      lf.detach();
      const scan = lf.scan;
      const again = (): string => {
        const t = this.activeAgain(f);
        Object.defineProperty(scan, 'active', { value: t, writable: true, configurable: true, enumerable: true });
        return t;
      };
      Object.defineProperty(scan, 'active', { get: again, configurable: true, enumerable: true });
    }
  }

  /** A loaded file's active text again, scanned as load scans it. */
  private activeAgain(f: string): string {
    let text: string;
    try { text = readText(f, 'latin1'); } catch { return ''; }
    return this.asLoading(f, () => scanFile(text, f, (n) => this.macro(n, f), this.cfgOf).active);
  }

  loaded(file: string): LoadedFile | undefined {
    const lf = this.load(file);
    if (lf && this.frames) this.used(lf.path);
    return lf;
  }
}

/** A loaded file; its definitions are read on first use (most files are loaded for their #includes and macros only). */
class Loaded implements LoadedFile {
  constructor(readonly path: string, readonly scan: FileScan, private memo?: FileDefs) {}
  get defs(): FileDefs { return (this.memo ??= defsOf(this.scan.active)); }
  /** definitions already read keep their own text ranges, not the file's text */
  detach(): void { if (this.memo) detachSites(this.memo); }
}

/** What lookups in other files can meet of a loaded file: the names it defines and its active #includes. */
function sourceSignature(lf: LoadedFile): string {
  const { records, typedefs, enumConsts } = lf.defs;
  const macros = [...lf.scan.defines].map(([n, d]) => (d ? n : `-${n}`));
  return JSON.stringify([[...records.keys()], [...typedefs.keys()], [...enumConsts.keys()], macros, lf.scan.includes]);
}

/**
 * A loaded file's definitions, their sites reading their tokens from `text` when asked (defs.ts).
 * scanDefs skips function bodies (a tag defined in one is not the file's), so they are not
 * tokenized: ~10% of a header's tokens, two thirds of a .c file's (include/linux, dev.c + sched/core.c).
 */
function defsOf(text: string): FileDefs {
  const starts: number[] = [];
  return scanDefs(tokenize(text, 0, starts, functionBodyInteriors(text)), { text, starts });
}

/** Every name the raw index takes from a header's text (each #if branch alike), given to `put` in the order found. */
export function rawNames(text: string, put: (kind: keyof Raw, name: string) => void): void {
  text += macroTypedefText(text);
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+(\w+)/gm)) put('defines', m[1]);
  for (const m of text.matchAll(/\b(struct|union|enum)\s+(\w+)\s*\{/g)) put('records', `${m[1]} ${m[2]}`);
  // the tag chosen by #ifdef before one shared body (powerpc's uapi/asm/ptrace.h:
  // `#ifdef __KERNEL__ struct user_pt_regs #else struct pt_regs #endif {`)
  for (const m of text.matchAll(/\b(struct|union)[ \t]+(\w+)[ \t]*\r?\n[ \t]*#[ \t]*(?:else|endif|elif)\b/g)) put('records', `${m[1]} ${m[2]}`);
  for (const m of text.matchAll(/\bstruct_group_tagged\s*\(\s*(\w+)/g)) put('records', `struct ${m[1]}`);
  for (const m of text.matchAll(/\btypedef\b/g)) {
    let depth = 0;
    let j = m.index!;
    for (; j < text.length; j++) {
      const c = text[j];
      if (c === '{' || c === '(') depth++;
      else if (c === '}' || c === ')') depth--;
      else if (c === ';' && depth <= 0) break;
    }
    const stmt = text.slice(m.index!, j + 1).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|^\s*#.*$/gm, ' ');
    for (const n of typedefNames(tokenize(stmt))) put('typedefs', n);
  }
  for (const m of text.matchAll(/\benum\b[^;{()]*\{([^}]*)\}/g)) {
    const body = m[1].replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|^\s*#.*$/gm, ' ');
    for (const item of body.split(',')) {
      // `BCH_DATA_TYPES() BCH_DATA_NR`: the name after an x-macro list is a constant too
      const n = /^\s*([A-Za-z_]\w*)(?:\s*\([^()]*\)\s*([A-Za-z_]\w*))?/.exec(item);
      if (n) put('consts', n[1]);
      if (n?.[2]) put('consts', n[2]);
    }
  }
}

/** A header's shape (headerShape.ts) with the raw index's names in it. */
export function headerShapeOf(text: string): string {
  let names = '';
  rawNames(text, (k, n) => { names += `${k[0]}${n},`; });
  return headerShape(text, names);
}

/** For the raw index: the text of each file-scope use of a typedef-making macro defined in the
 *  same text, with arguments substituted and ## pasted (names only; the exact expansion is load's). */
function macroTypedefText(text: string): string {
  if (!text.includes('##')) return '';
  let out = '';
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+(\w+)\(([^)]*)\)((?:[^\n]*\\\n)*[^\n]*)/gm)) {
    const body = m[3].replace(/\\\n/g, ' ');
    if (!/\btypedef\b/.test(body) || !body.includes('##')) continue;
    const params = m[2].split(',').map((p) => p.trim());
    for (const u of text.matchAll(new RegExp(`^[ \\t]*${m[1]}\\s*\\(([^()]*)\\)`, 'gm'))) {
      const args = u[1].split(',').map((a) => a.trim());
      const toks = tokenize(body).map((t) => (t.k === 'id' && params.includes(t.t) ? { ...t, t: args[params.indexOf(t.t)] ?? '' } : t));
      out += `\n${render(toks).replace(/\s*##\s*/g, '')};`;
    }
  }
  return out;
}

/** What changed under the include dirs since a raw index was saved (headerCache.ts). */
export interface HeaderChanges {
  /** every header under the dirs now, in the order indexing them reads them (headerWalk) */
  walk: string[];
  /** headers to read: new, or changed since saved */
  reread: string[];
  /** saved headers whose entries go: changed, or gone */
  dropped: string[];
}

/**
 * Walks `dir` as indexing does (recursively for an include root, flat for a source dir): each
 * header not in `files` is added to it and given to `visit`, in readdir order; a subfolder that
 * is an indexed dir of its own (`dirs`) is left to its own walk.
 */
function visitHeaders(dir: string, recursive: boolean, dirs: ReadonlySet<string>, files: Set<string>, visit: (file: string) => void): void {
  const walk = (d: string) => {
    let ents: fs.Dirent[];
    try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (recursive && !dirs.has(p)) walk(p); }
      else if (e.name.endsWith('.h')) {
        // nested include roots (include/uapi under include) and a header's own directory come
        // round again: a file indexed twice would only repeat itself in the lists (and the
        // observer, set only while ensureRaw indexes the include roots, saw it the first time)
        if (files.has(p)) continue;
        files.add(p);
        visit(p);
      }
    }
  };
  walk(dir);
}

/** The headers indexing `dirs` reads (`flat`: those indexed without their subfolders), in its order. */
export function headerWalk(dirs: readonly string[], flat: ReadonlySet<string>): string[] {
  const seenDirs = new Set<string>();
  const files = new Set<string>();
  for (const d of dirs) {
    if (seenDirs.has(d)) continue;
    seenDirs.add(d);
    visitHeaders(d, !flat.has(d), seenDirs, files, () => undefined);
  }
  return [...files];
}

/** A header's text, or undefined when it cannot be read (a dangling symlink, no permission): it
 *  then defines nothing here, and the scan reports it. */
function readable(file: string): string | undefined {
  try { return readText(file, 'latin1'); } catch { return undefined; }
}

/**
 * An index of `arch`'s include dirs under `root`, `observe` seeing each header's text, open for the
 * build's -I dirs (addIncludeDirs) before its raw index is taken (exportRaw): what a run's own index
 * starts with (TypeIndex.importRawAhead). The header worker builds it (estimate/headerWorker.ts).
 */
export function headerIndex(arch: ArchName, root: string, observe: (file: string, text: string) => void): TypeIndex {
  const index = new TypeIndex(arch, { values: new Map(), source: 'none', warnings: [] }, root);
  index.forEachHeader(observe);
  return index;
}
