// The layout engine: sizeof/alignof/offsetof of C types as gcc computes them for an arch profile
// under a .config. Definitions come from the type index (a kernel tree, --include dirs, files
// added with addSource, then the labelled fallback header); each definition is macro-expanded with
// the tree's own macros and parsed with tree-sitter, so kernel attribute macros (__aligned,
// ____cacheline_aligned, struct_group, DECLARE_BITMAP...) mean exactly what their definitions say.
import * as path from 'path';
import type { ArchProfile } from '../config/arch';
import type { KConfig } from '../config/kconfig';
import { Tok, render, stripComments, tokenize } from '../config/lex';
import { ExpandError, MacroDef, MacroLookup, expand } from '../config/macros';
import { ExprError, evalTokens, ExprHooks, type Val } from '../config/intExpr';
import { newParser, Parser, Node } from '../parse/treeSitter';
import { DefSite } from './defs';
import { arrayDecl, includedTexts } from './arrayDecl';
import { FALLBACK_FILE } from './fallback';
import { TInfo, MemberOut } from './record';
import { TypeIndex, LoadedFile } from './typeIndex';
import { LayoutError, Walker, WalkCtx, isPrimitiveName, UNNAMED_BITFIELD } from './walk';
import { exprType, type ExprScope } from './exprType';

export { formatPahole } from './pahole';

/** A failure that answers the question with its reason ("unknown identifier x"), not a bug. */
const isAnswerable = (e: unknown): e is Error => e instanceof LayoutError || e instanceof ExprError || e instanceof ExpandError;
export { LayoutError } from './walk';
export type { ExprScope } from './exprType';

export interface Member { name: string; offset: number; size: number; align: number; bitOffset?: number; bitSize?: number; type: string }
export interface Layout { size: number; align: number; members?: Member[]; fallback?: string[] }
export interface Unknown { error: string }
export interface RecordFacts { size: number; align: number; ownAlign: number; bareSize: number; file?: string; line?: number }

export function isUnknown(x: unknown): x is Unknown { return typeof x === 'object' && x !== null && 'error' in x; }

let sharedParser: Parser | undefined;
/** Load tree-sitter once; LayoutEngine needs it (parsing is synchronous afterwards). */
export async function initLayout(): Promise<void> { sharedParser ??= await newParser(); }

const TYPE_WORDS = new Set(['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'bool',
  'struct', 'union', 'enum', 'const', 'volatile', 'typeof', '__typeof__', '__typeof', '__int128', '_Atomic', '__signed__',
  '__const', '__volatile__', 'restrict']);

/** `d`: the files the entry read (TypeIndex.recordDeps) */
interface Cached { t?: TInfo; e?: string; d?: Set<string> }

export class LayoutEngine {
  readonly arch: ArchProfile;
  readonly config: KConfig;
  readonly index: TypeIndex;
  private parser: Parser;
  private cache = new Map<string, Cached>();
  private busy = new Set<string>();
  private consts = new Map<string, bigint>();
  /** answers to the public queries by (text, asking file): the rules ask the estimate's questions again */
  private answers = new Map<string, unknown>();
  /** the files each cached answer and enum constant read, while recording (TypeIndex.recordDeps) */
  private answerDeps = new Map<string, Set<string>>();
  private constDeps = new Map<string, Set<string>>();

  constructor(opts: { arch: ArchProfile; config: KConfig; root?: string; includeDirs?: string[] }) {
    if (!sharedParser) throw new Error('call `await initLayout()` before creating a LayoutEngine');
    this.parser = sharedParser;
    this.arch = opts.arch;
    this.config = opts.config;
    this.index = new TypeIndex(opts.arch.name, opts.config, opts.root, opts.includeDirs ?? []);
  }

  static async create(opts: { arch: ArchProfile; config: KConfig; root?: string; includeDirs?: string[] }): Promise<LayoutEngine> {
    await initLayout();
    return new LayoutEngine(opts);
  }

  /**
   * A user source's text: a .c file edited inside its definitions while the index records what
   * each answer read (TypeIndex.replaceSource) drops only the answers that read it; otherwise all.
   */
  addSource(file: string, text: string): void {
    if (this.index.replaceSource(file, text)) {
      this.dropReaders(path.resolve(file));
      return;
    }
    this.cache.clear();
    this.consts.clear();
    this.answers.clear();
    this.answerDeps.clear();
    this.constDeps.clear();
  }

  /** A user source given up (the editor closed it): the file on disk again; what read it goes, as addSource has it. */
  removeSource(file: string): void {
    if (this.index.removeSource(file)) { this.dropReaders(path.resolve(file)); return; }
    this.cache.clear();
    this.consts.clear();
    this.answers.clear();
    this.answerDeps.clear();
    this.constDeps.clear();
  }

  /** the cached types, constants and answers that read `f` */
  private dropReaders(f: string): void {
    const stale = (d: Set<string> | undefined) => !d || d.has(f);
    for (const [k, c] of this.cache) if (stale(c.d)) this.cache.delete(k);
    for (const k of this.answers.keys()) if (stale(this.answerDeps.get(k))) { this.answers.delete(k); this.answerDeps.delete(k); }
    for (const k of this.consts.keys()) if (stale(this.constDeps.get(k))) { this.consts.delete(k); this.constDeps.delete(k); }
  }

  /** Files changed on disk since they were read (see TypeIndex.refresh); every resolved type is dropped. */
  refresh(files: string[]): void {
    this.index.refresh(files);
    this.cache.clear();
    this.consts.clear();
    this.answers.clear();
    this.answerDeps.clear();
    this.constDeps.clear();
  }

  // ---- public queries ------------------------------------------------------------------------
  /** `scope`: the variables the asking place sees, for `typeof(*p)` / `*p->q` (not cached: one place asks) */
  sizeOf(typeText: string, fromFile?: string, scope?: ExprScope): Layout | Unknown {
    if (scope) return this.guard(() => toLayout(this.typeFromText(typeText, fromFile, false, scope)), scope);
    return this.answer(`s|${typeText}|${fromFile ?? ''}`, () => this.guard(() => toLayout(this.typeFromText(typeText, fromFile))));
  }

  evalInt(expr: string, fromFile?: string, scope?: ExprScope): number | Unknown {
    const run = () => this.guard(() => {
      const v = this.evalExpanded(this.expandText(expr, fromFile), fromFile, undefined, scope);
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new LayoutError('value does not fit in a JS number');
      return Number(v);
    }, scope);
    return scope ? run() : this.answer(`i|${expr}|${fromFile ?? ''}`, run);
  }

  private answer<T>(key: string, f: () => T): T {
    if (this.answers.has(key)) {
      this.index.addDeps(this.answerDeps.get(key));
      return this.answers.get(key) as T;
    }
    this.index.openFrame();
    let r: T;
    try {
      r = f();
    } finally {
      const d = this.index.closeFrame();
      if (d) this.answerDeps.set(key, d);
    }
    this.answers.set(key, r);
    return r;
  }

  typesInFile(file: string): Array<{ name: string } & (Layout | Unknown)> {
    const lf = this.index.loaded(file);
    if (!lf) return [{ name: file, error: 'cannot read file' }];
    const out: Array<{ name: string } & (Layout | Unknown)> = [];
    for (const site of lf.defs.order) {
      if (!site.key || site.kind === 'enum') continue;
      const r = this.guard(() => toLayout(site.kind === 'typedef' ? this.typedef(site.key, lf.path) : this.tagged(site.kind as 'struct' | 'union', site.key.split(' ')[1], lf.path)));
      out.push({ name: site.key, ...r });
    }
    return out;
  }

  /**
   * A struct or union: its size and alignment, the aligned attribute on the type itself with the size
   * it would have without it, and where it is defined (absent for the fallback header).
   */
  record(typeText: string, fromFile?: string): RecordFacts | Unknown {
    return this.answer(`r|${typeText}|${fromFile ?? ''}`, () => this.guard(() => {
      const t = this.typeFromText(typeText, fromFile);
      if (t.kind !== 'record') throw new LayoutError(`${typeText} is not a struct or union`);
      const m = /^(struct|union)\s+(\w+)$/.exec(typeText.trim().replace(/\s+/g, ' '));
      const hit = m ? this.index.find('record', `${m[1]} ${m[2]}`, fromFile) : undefined;
      const at = hit && hit.file.path !== FALLBACK_FILE ? { file: hit.file.path, line: hit.site.line + 1 } : {};
      return { size: t.size, align: t.align, ownAlign: t.ownAlign ?? 0, bareSize: t.bareSize ?? t.size, ...at };
    }));
  }

  /**
   * The alignment the attributes in a declaration's tail ask for (`__aligned(PAGE_SIZE)`,
   * `____cacheline_aligned`, `__page_aligned_data`), 1 when none: the macros are expanded as the
   * file sees them and the attributes read by the same code that reads them on types.
   */
  declAlign(tail: string, fromFile?: string): number | Unknown {
    return this.guard(() => {
      const groups = attributeGroups(this.expandText(tail, fromFile));
      if (!groups.length) return 1;
      const tree = this.parser.parse(`char __x ${render(groups)};`)!;
      try {
        const nodes: Node[] = [];
        const visit = (n: Node) => { if (n.type === 'attribute_specifier') nodes.push(n); else for (const c of n.namedChildren) if (c) visit(c); };
        visit(tree.rootNode);
        return new Walker(this.ctx(fromFile, this.lookupFrom(fromFile))).attrs(nodes).aligned ?? 1;
      } finally { tree.delete(); }
    });
  }

  /** the resolved type (members with their types), for presenters that walk nested records */
  typeInfo(typeText: string, fromFile?: string): TInfo | Unknown {
    return this.guard(() => this.typeFromText(typeText, fromFile));
  }

  private guard<T>(f: () => T, scope?: ExprScope): T | Unknown {
    try {
      return f();
    } catch (e) {
      if (isAnswerable(e)) {
        // a variable of the asking place: its value exists only when the code runs
        const v = /^unknown identifier (\w+)$/.exec(e.message)?.[1];
        const why = v === undefined ? undefined : scope?.runTime?.(v);
        return { error: why ? `known only at run time: ${v} is ${why}` : e.message };
      }
      throw e;
    }
  }

  // ---- resolution ------------------------------------------------------------------------------
  private memo(key: string, f: () => TInfo): TInfo {
    const c = this.cache.get(key);
    if (c) { this.index.addDeps(c.d); if (c.e !== undefined) throw new LayoutError(c.e); return c.t!; }
    if (this.busy.has(key)) throw new LayoutError(`${key.split('|')[0]} contains itself`);
    this.busy.add(key);
    this.index.openFrame();
    let open = true;
    const close = () => { if (!open) return undefined; open = false; return this.index.closeFrame(); };
    try {
      const t = f();
      this.cache.set(key, { t, d: close() });
      return t;
    } catch (e) {
      if (isAnswerable(e)) { this.cache.set(key, { e: e.message, d: close() }); throw new LayoutError(e.message); }
      throw e;
    } finally {
      close();
      this.busy.delete(key);
    }
  }

  tagged(kind: 'struct' | 'union' | 'enum', tag: string, fromFile?: string): TInfo {
    const key = `${kind} ${tag}`;
    const hit = this.index.find('record', key, fromFile);
    if (!hit) {
      const errs = fromFile ? this.index.loaded(fromFile)?.scan.errors ?? [] : [];
      throw new LayoutError(`${key}: definition not found${errs.length ? ` (unevaluated conditions: ${errs.slice(0, 2).join('; ')})` : ''}`);
    }
    return this.memo(`${key}|${hit.file.path}`, () => this.fromSite(hit.file, hit.site, key));
  }

  typedef(name: string, fromFile?: string): TInfo {
    const hit = this.index.find('typedef', name, fromFile);
    if (!hit) throw new LayoutError(`${name}: typedef not found`);
    return this.memo(`${name}|${hit.file.path}`, () => this.fromSite(hit.file, hit.site, name));
  }

  private fromSite(lf: LoadedFile, site: DefSite, want: string): TInfo {
    const fb = new Set<string>();
    if (lf.path === FALLBACK_FILE) fb.add(want);
    const lookup = this.trackingLookup(lf.path, fb, siteLines(site));
    const walker = new Walker(this.ctx(lf.path, lookup));
    let t: TInfo;
    if (site.kind === 'typedef') {
      const text = dropEmptyMembers(render(nameUnnamedBitfields(expand(site.toks, lookup))));
      const tree = this.parser.parse(text)!;
      const def = findNode(tree.rootNode, 'type_definition');
      if (!def) throw new LayoutError(`${want}: cannot parse typedef \`${text.slice(0, 80)}\``);
      const r = walker.typedefType(def, want);
      tree.delete();
      if (!r) throw new LayoutError(`${want}: typedef not understood`);
      t = r;
    } else {
      const close = closingBrace(site.toks);
      const head = expand(site.toks.slice(0, close + 1), lookup);
      const tail = leadingAttributes(expand(site.toks.slice(close + 1), lookup));
      const text = `${dropEmptyMembers(render(nameUnnamedBitfields(parseableOffsetof([...head, ...tail]))))};`;
      const tree = this.parser.parse(text)!;
      const kind = site.kind === 'struct' ? 'struct_specifier' : site.kind === 'union' ? 'union_specifier' : 'enum_specifier';
      const node = findNode(tree.rootNode, kind);
      if (!node) throw new LayoutError(`${want}: cannot parse \`${text.slice(0, 80)}\``);
      try {
        t = node.type === 'enum_specifier' ? walker.enumType(node, site.key.split(' ')[1]) : walker.spec(node);
      } finally { tree.delete(); }
    }
    if (fb.size) t = { ...t, fallback: new Set([...(t.fallback ?? []), ...fb]) };
    return t;
  }

  private trackingLookup(file: string, fb: Set<string>, lines?: [number, number]): MacroLookup {
    const base = this.index.lookupFor(file, lines);
    return (n) => {
      const d = base(n);
      if (d && d.source === FALLBACK_FILE) fb.add(n);
      return d;
    };
  }

  /** `scope`: a type written at an allocation site (`sizeof(struct { int:(-!!__same_type(p->m, ...)); })`) sees its variables */
  private ctx(file: string | undefined, lookup: MacroLookup, scope?: ExprScope): WalkCtx {
    return {
      arch: this.arch,
      typedef: (n) => this.typedef(n, file),
      tagged: (k, t) => this.tagged(k, t, file),
      evalInt: (text) => this.evalExpanded(tokenize(text), file, undefined, scope),
      evalIntWith: (text, local) => this.evalExpanded(tokenize(text), file, local, scope),
    };
  }

  private lookupFrom(fromFile?: string): MacroLookup {
    return fromFile ? this.index.lookupFor(path.resolve(fromFile)) : (n) => this.index.macro(n);
  }

  private expandText(text: string, fromFile?: string): Tok[] {
    return expand(tokenize(stripComments(text)), this.lookupFrom(fromFile));
  }

  enumConst(name: string, fromFile?: string): bigint | undefined {
    const k = `${name}|${fromFile ?? ''}`;
    if (this.consts.has(k)) { this.index.addDeps(this.constDeps.get(k)); return this.consts.get(k); }
    this.index.openFrame();
    try {
      return this.enumConstNow(name, fromFile, k);
    } finally {
      const d = this.index.closeFrame();
      if (d) this.constDeps.set(k, d);
    }
  }

  private enumConstNow(name: string, fromFile: string | undefined, k: string): bigint | undefined {
    const hit = this.index.find('const', name, fromFile);
    if (!hit) return undefined;
    const lookup = this.index.lookupFor(hit.file.path, siteLines(hit.site));
    let values: Map<string, bigint> | undefined;
    const ctx = { ...this.ctx(hit.file.path, lookup), enumConsts: (v: Map<string, bigint>) => { values = v; } };
    const close = closingBrace(hit.site.toks);
    const text = render(expand(hit.site.toks.slice(0, close + 1), lookup)) + ';';
    const tree = this.parser.parse(text)!;
    try {
      const node = findNode(tree.rootNode, 'enum_specifier');
      if (!node) throw new LayoutError(`enum holding ${name}: cannot parse`);
      new Walker(ctx).enumType(node);
    } finally { tree.delete(); }
    const v = values?.get(name);
    this.consts.set(k, v!);
    return v;
  }

  private isTypeName(name: string, fromFile?: string): boolean {
    if (TYPE_WORDS.has(name) || isPrimitiveName(name)) return true;
    const k = `${name}|${fromFile ?? ''}`;
    if (this.consts.has(k)) { this.index.addDeps(this.constDeps.get(k)); return false; }
    return this.index.find('typedef', name, fromFile) !== undefined;
  }

  /** evaluate expanded tokens; identifiers are enum constants */
  evalExpanded(toks: Tok[], fromFile?: string, local?: Map<string, bigint>, scope?: ExprScope, depth = 0): bigint {
    return this.evalVal(toks, fromFile, local, scope, depth).v;
  }

  private evalVal(toks: Tok[], fromFile?: string, local?: Map<string, bigint>, scope?: ExprScope, depth = 0): Val {
    const hooks: ExprHooks = {
      ident: (n) => local?.get(n) ?? this.enumConst(n, fromFile) ?? this.scopeValue(n, fromFile, scope, depth),
      ...(scope?.memberAt ? { member: (chain: string) => this.scopeMember(chain, fromFile, scope, depth) } : {}),
      isTypeStart: (t) => t.k === 'id' && scope?.typeOf(t.t) === undefined && this.isTypeName(t.t, fromFile),
      sizeofType: (ty) => BigInt(this.typeFromToks(ty, fromFile, scope).size),
      alignofType: (ty) => BigInt(this.typeFromToks(ty, fromFile, scope).align),
      sizeMax: this.arch.scalars.long.size >= 8 ? (1n << 64n) - 1n : (1n << 32n) - 1n,
      longBits: this.arch.scalars.long.size * 8,
      castInfo: (ty) => {
        const t = this.typeFromToks(ty, fromFile, scope);
        return t.kind === 'int' || t.kind === 'enum' || t.kind === 'ptr' ? { size: t.size, unsigned: !!t.unsigned || t.kind === 'ptr' } : undefined;
      },
      offsetof: (ty, mem) => BigInt(memberAt(this.typeFromToks(ty, fromFile), render(mem)).offset),
      sizeofExpr: (e) => {
        // __is_constexpr(x): sizeof(int) when x is an integer constant expression, else sizeof(void)
        const ce = isConstexprProbe(e);
        if (ce) {
          const noValues: ExprScope | undefined = scope && { typeOf: (n) => scope.typeOf(n) };
          try { this.evalExpanded(ce, fromFile, local, noValues, depth); } catch (x) {
            if (isAnswerable(x)) return 1n;
            throw x;
          }
          return BigInt(this.arch.scalars.int.size);
        }
        // a string literal (NN_PRSTATUS "CORE" in CRASH_CORE_NOTE_NAME_BYTES): its chars and the NUL
        const strs = e.filter((t) => t.t !== '(' && t.t !== ')');
        if (strs.length && strs.every((t) => t.k === 'str' && t.t.startsWith('"'))) return BigInt(strs.reduce((n, t) => n + stringLength(t.t), 1));
        // sizeof_field(): sizeof(((T *)0)->m) after expansion
        const m = /^(?:\(\s*)*\(\s*(.+?)\s*\*\s*\)\s*0\s*\)\s*->\s*([\w.]+)[\s)]*$/.exec(render(e));
        if (m) return BigInt(memberAt(this.typeFromText(m[1], fromFile), m[2]).size);
        // a named array and its first element: sizeof(table), sizeof((table)[0]) (ARRAY_SIZE)
        const a = namedArray(e);
        if (a) {
          const d = this.arrayVar(a.name, fromFile);
          const el = BigInt(this.typeFromText(d.elemType, fromFile).size);
          return a.element ? el : el * BigInt(d.count);
        }
        const t = scope ? this.tryExprType(e, fromFile, scope) : undefined;
        if (t) return BigInt(t.size);
        throw new ExprError(`sizeof of an expression is not supported: ${render(e).slice(0, 60)}`);
      },
      // __alignof__(*counters): the alignment of the expression's declared type, as gcc gives it
      alignofExpr: (e) => {
        const t = scope ? this.tryExprType(e, fromFile, scope) : undefined;
        if (t) return BigInt(t.align);
        throw new ExprError(`__alignof__ of an expression is not supported: ${render(e).slice(0, 60)}`);
      },
      // ARRAY_SIZE's __must_be_array(): typeof(table) against typeof(&(table)[0]), an array against a pointer
      typesCompatible: (x, y) => {
        const kind = (t: Tok[]) => {
          const tof = t[0]?.t === 'typeof' || t[0]?.t === '__typeof__' ? t.slice(2, -1) : undefined;
          if (!tof) return `type:${render(t)}`;
          if (namedArray(tof) && !namedArray(tof)!.element && !scope?.typeOf(namedArray(tof)!.name)) return 'array';
          if (tof[0]?.t === '&') return 'pointer';
          const k = scope ? this.tryExprType(tof, fromFile, scope)?.kind : undefined;
          if (k === 'array' || k === 'ptr') return k === 'ptr' ? 'pointer' : k;
          throw new ExprError(`cannot compare the type of ${render(tof).slice(0, 60)}`);
        };
        return kind(x) === kind(y);
      },
    };
    return evalTokens(toks, hooks);
  }

  /** A named array variable the asking file sees: its element count and type (layout.md §6). */
  private arrayVar(name: string, fromFile?: string): { count: number; elemType: string } {
    if (!fromFile || fromFile === FALLBACK_FILE) throw new LayoutError(`sizeof(${name}): no file to find it from`);
    const ev = (e: string) => { try { return Number(this.evalExpanded(this.expandText(e, fromFile), fromFile)); } catch { return undefined; } };
    for (const text of includedTexts(this.index, path.resolve(fromFile))) {
      const d = arrayDecl(text, name, ev);
      if (d?.elemType) return { count: d.count, elemType: d.elemType };
    }
    throw new LayoutError(`array ${name}: declaration not found`);
  }

  private typeFromToks(toks: Tok[], fromFile?: string, scope?: ExprScope): TInfo {
    return this.typeFromText(render(toks), fromFile, true, scope);
  }

  /** A variable's value the asking place knows (its only assignment), evaluated there. */
  private scopeValue(name: string, fromFile: string | undefined, scope: ExprScope | undefined, depth: number): bigint | undefined {
    const v = depth < 8 ? scope?.valueAt?.(name) : undefined;
    if (v === undefined) return undefined;
    try { return this.evalExpanded(this.expandText(v, fromFile), fromFile, undefined, scope, depth + 1); } catch (e) {
      if (isAnswerable(e)) return undefined;
      throw e;
    }
  }

  /**
   * A member's value the asking place knows (the store before it, siteScope.ts), evaluated there. Its
   * errors stand: `new->cache_size = size` with `size` a parameter says so, and the site is priced
   * at its function's callers.
   */
  private scopeMember(chain: string, fromFile: string | undefined, scope: ExprScope, depth: number): bigint | undefined {
    const v = depth < 8 ? scope.memberAt?.(chain) : undefined;
    return v === undefined ? undefined : this.evalExpanded(this.expandText(v, fromFile), fromFile, undefined, scope, depth + 1);
  }

  /** the type of an expression over the scope's variables (see exprType.ts) */
  private exprType(toks: Tok[], fromFile: string | undefined, scope: ExprScope): TInfo {
    return exprType(toks, scope, { typeOfText: (t) => this.typeFromText(t, fromFile, false), pointerSize: this.arch.scalars.pointer.size });
  }

  private tryExprType(toks: Tok[], fromFile: string | undefined, scope: ExprScope): TInfo | undefined {
    try { return this.exprType(toks, fromFile, scope); } catch (e) { if (isAnswerable(e)) return undefined; throw e; }
  }

  /** parse a type name (`struct foo`, `int *[4]`, `u64`, `typeof(int)`); with a scope also `typeof(*p)` and `*p->q` */
  typeFromText(text: string, fromFile?: string, expanded = false, scope?: ExprScope): TInfo {
    const toks = expanded ? tokenize(text) : this.expandText(text, fromFile);
    const t = render(toks).trim();
    const tof = /^(?:typeof|__typeof__|__typeof)\s*\(([\s\S]*)\)$/.exec(t);
    if (tof) {
      try { return this.typeFromText(tof[1], fromFile, true, scope); } catch (e) {
        // typeof of an integer expression (ALIGN's `(typeof(x))(a) - 1` on x = sizeof(...)): C's type of its value
        if (!(e instanceof LayoutError)) throw e;
        let v: Val;
        try { v = this.evalVal(tokenize(tof[1]), fromFile, undefined, scope); } catch { throw e; }
        return this.typeFromText(v.u ? 'unsigned long' : v.v >= -(1n << 31n) && v.v < 1n << 31n ? 'int' : 'long', fromFile, true);
      }
    }
    if (scope && isExprStart(toks, (n) => scope.typeOf(n) !== undefined)) return this.exprType(toks, fromFile, scope);
    if (/^[A-Za-z_]\w*$/.test(t) && !TYPE_WORDS.has(t) && !isPrimitiveName(t)) return this.typedef(t, fromFile);
    const m = /^(struct|union|enum)\s+([A-Za-z_]\w*)$/.exec(t);
    if (m) return this.tagged(m[1] as 'struct', m[2], fromFile);
    const tree = this.parser.parse(`__typeof__(${render(nameUnnamedBitfields(tokenize(t)))}) __x;`)!;
    try {
      const spec = findNode(tree.rootNode, 'macro_type_specifier');
      const td = spec?.childForFieldName('type');
      if (!td || td.type !== 'type_descriptor') throw new LayoutError(`not a type: ${t}`);
      return new Walker(this.ctx(fromFile, this.lookupFrom(fromFile), scope)).descriptor(td);
    } finally { tree.delete(); }
  }
}

/**
 * `__builtin_offsetof(struct s, m)` in an array bound (xfs_stats.h) is no expression tree-sitter
 * parses: written `__builtin_offsetof((struct s *)0, m)`, which the evaluator reads back.
 */
function parseableOffsetof(toks: Tok[]): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    out.push(toks[i]);
    if ((toks[i].t !== '__builtin_offsetof' && toks[i].t !== 'offsetof') || toks[i + 1]?.t !== '(') continue;
    let d = 0;
    let j = i + 2;
    for (; j < toks.length; j++) {
      const t = toks[j].t;
      if (t === '(' || t === '[') d++;
      else if (t === ')' || t === ']') { if (d-- === 0) break; } else if (t === ',' && d === 0) break;
    }
    if (toks[j]?.t !== ',') continue;
    out.push({ k: 'punct', t: '(' }, { k: 'punct', t: '(' }, ...toks.slice(i + 2, j), { k: 'punct', t: '*' }, { k: 'punct', t: ')' }, { k: 'num', t: '0' });
    i = j - 1;
  }
  return out;
}

/** chars of a "..." literal after escapes (\n, \x41, \101 each one) */
function stringLength(lit: string): number {
  return lit.slice(1, -1).replace(/\\(?:x[0-9a-fA-F]+|[0-7]{1,3}|.)/g, 'x').length;
}

/** first and last line (0-based) of a definition's tokens */
function siteLines(site: DefSite): [number, number] {
  return [site.line, site.toks[site.toks.length - 1]?.line ?? site.line];
}

/** An expression rather than a type name: it starts with `*`, `&` or a variable's name (after parentheses). */
function isExprStart(toks: Tok[], isVar: (n: string) => boolean): boolean {
  const first = toks.find((t) => t.t !== '(');
  return !!first && (first.t === '*' || first.t === '&' || (first.k === 'id' && isVar(first.t)));
}

/** The operand of __is_constexpr's sizeof, `*(8 ? ((void *)((long)(x) * 0l)) : (int *)8)`: x's tokens. */
function isConstexprProbe(e: Tok[]): Tok[] | undefined {
  const m = /^\(?\*\(\d+\?\(\(void\*\)\(\(long\)\(([\s\S]*)\)\*0l\)\):\(int\*\)\d+\)\)?$/.exec(render(e).replace(/\s+/g, ''));
  if (!m) return undefined;
  // the compact text lost the spaces between words: take x's tokens from the original list
  const toks = e.filter((t) => t.t !== ' ');
  const ids = toks.map((t) => t.t);
  const start = ids.indexOf('long') + 3; // long ) (
  let d = 0;
  for (let j = start; j < toks.length; j++) {
    if (toks[j].t === '(') d++;
    else if (toks[j].t === ')' && d-- === 0) return toks.slice(start, j);
  }
  return undefined;
}

/** `table`, `(table)`, `(table)[0]`, `table[0]`: an identifier, optionally indexed once. */
function namedArray(e: Tok[]): { name: string; element: boolean } | undefined {
  const t = render(e).replace(/\s+/g, '');
  const m = /^\(*([A-Za-z_]\w*)\)*(\[[^\]]+\])?\)*$/.exec(t);
  return m ? { name: m[1], element: !!m[2] } : undefined;
}

function toLayout(t: TInfo): Layout {
  const l: Layout = { size: t.size, align: t.align };
  if (t.kind === 'record' && t.members) l.members = t.members.map((m) => ({ ...m }));
  if (t.fallback?.size) l.fallback = [...t.fallback].sort();
  return l;
}

/** a member by name or dotted path, searching anonymous sub-records as C does */
export function memberAt(t: TInfo, pathText: string): { offset: number; size: number; type: TInfo } {
  let cur = t;
  let off = 0;
  let last: { offset: number; size: number; type: TInfo } | undefined;
  for (const part of pathText.split('.').map((s) => s.trim())) {
    const f = findMember(cur, part);
    if (!f) throw new LayoutError(`${t.name} has no member ${part}`);
    off += f.offset;
    last = { offset: off, size: f.type.size, type: f.type };
    cur = f.type;
  }
  return last!;
}

function findMember(t: TInfo, name: string): { offset: number; type: TInfo } | undefined {
  const ms = t.members ?? [];
  const ts = t.memberTypes ?? [];
  for (let i = 0; i < ms.length; i++) {
    if (ms[i].name === name) {
      if (ms[i].bitSize !== undefined) throw new LayoutError(`offsetof a bit-field (${name})`);
      return { offset: ms[i].offset, type: ts[i] };
    }
    if (ms[i].name === '' && ts[i]) {
      const inner = findMember(ts[i], name);
      if (inner) return { offset: ms[i].offset + inner.offset, type: inner.type };
    }
  }
  return undefined;
}

function findNode(n: Node, type: string): Node | undefined {
  if (n.type === type) return n;
  for (const c of n.namedChildren) {
    if (!c) continue;
    const r = findNode(c, type);
    if (r) return r;
  }
  return undefined;
}

const BITFIELD_TYPE_WORDS = new Set(['int', 'long', 'short', 'char', 'signed', 'unsigned', '_Bool', 'bool', '__signed__']);

/**
 * tree-sitter-c cannot parse `unsigned long :3;` (an unnamed bit-field after a multi-word type):
 * give every unnamed bit-field a reserved name, which the walker treats as no name.
 */
export function nameUnnamedBitfields(input: Tok[]): Tok[] {
  const toks = mergeAttributes(input);
  const out: Tok[] = [];
  let depth = 0;
  let n = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.t === '(' || t.t === '[') depth++;
    else if (t.t === ')' || t.t === ']') depth--;
    if (t.t === ':' && t.k === 'punct' && depth === 0 && i > 0) {
      const p = toks[i - 1];
      const pp = toks[i - 2];
      const unnamed = p.t === ',' || (p.k === 'id' && (BITFIELD_TYPE_WORDS.has(p.t) || !pp || pp.t === ';' || pp.t === '{' || pp.t === '}' ||
        pp.t === 'const' || pp.t === 'volatile'));
      if (unnamed) out.push({ k: 'id', t: `${UNNAMED_BITFIELD}${n++}` });
    }
    out.push(t);
  }
  return out;
}

/** `__attribute__((a)) __attribute__((b))` → `__attribute__((a, b))`: tree-sitter-c attaches only the first of adjacent specifiers */
function mergeAttributes(toks: Tok[]): Tok[] {
  const isAttr = (i: number) => (toks[i]?.t === '__attribute__' || toks[i]?.t === '__attribute') && toks[i + 1]?.t === '(' && toks[i + 2]?.t === '(';
  const groupEnd = (i: number) => { let d = 0; for (let j = i + 1; j < toks.length; j++) { if (toks[j].t === '(') d++; else if (toks[j].t === ')' && --d === 0) return j; } return -1; };
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    if (!isAttr(i)) { out.push(toks[i]); continue; }
    let e = groupEnd(i);
    if (e < 0) { out.push(...toks.slice(i)); break; }
    const items: Tok[] = toks.slice(i + 3, e - 1);
    while (isAttr(e + 1)) {
      const e2 = groupEnd(e + 1);
      if (e2 < 0) break;
      const more = toks.slice(e + 4, e2 - 1);
      if (items.length && more.length) items.push({ k: 'punct', t: ',' });
      items.push(...more);
      e = e2;
    }
    out.push({ k: 'id', t: '__attribute__' }, { k: 'punct', t: '(' }, { k: 'punct', t: '(' }, ...items, { k: 'punct', t: ')' }, { k: 'punct', t: ')' });
    i = e;
  }
  return out;
}

function closingBrace(toks: Tok[]): number {
  let d = 0;
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].t === '{') d++;
    else if (toks[i].t === '}') { d--; if (d === 0) return i; }
  }
  throw new LayoutError('unbalanced braces');
}

/** every `__attribute__((...))` group of a declaration tail, up to its initializer */
function attributeGroups(toks: Tok[]): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].t === '=' || toks[i].t === ';') break;
    if ((toks[i].t !== '__attribute__' && toks[i].t !== '__attribute') || toks[i + 1]?.t !== '(') continue;
    let d = 0;
    let j = i + 1;
    for (; j < toks.length; j++) {
      if (toks[j].t === '(') d++;
      else if (toks[j].t === ')' && --d === 0) break;
    }
    out.push(...toks.slice(i, j + 1));
    i = j;
  }
  return out;
}

/** the `__attribute__((...))` groups at the start of a token list (attributes of a record type) */
function leadingAttributes(toks: Tok[]): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (toks[i]?.t === '__attribute__' || toks[i]?.t === '__attribute') {
    if (toks[i + 1]?.t !== '(') break;
    let d = 0;
    let j = i + 1;
    for (; j < toks.length; j++) {
      if (toks[j].t === '(') d++;
      else if (toks[j].t === ')') { d--; if (d === 0) break; }
    }
    out.push(...toks.slice(i, j + 1));
    i = j + 1;
  }
  return out;
}

export type { TInfo, MemberOut, MacroDef };

/** A member macro that expands to nothing leaves `;;` (seqlock_types.h: `__SEQ_LOCK(locktype *lock);`):
 *  gcc accepts the empty member, the parser does not. Definitions hold no strings or for-loops. */
function dropEmptyMembers(text: string): string {
  return text.replace(/([;{])(\s*;)+/g, '$1');
}
