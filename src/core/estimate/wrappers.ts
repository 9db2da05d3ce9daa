// DEFINE_PER_CPU* written inside other macros (DEFINE_STATIC_SRCU, DEFINE_STATIC_PERCPU_RWSEM,
// DEFINE_COOKIE, DEFINE_EARLY_PER_CPU, a .c file's own helper macros): the scan sees only the
// use, so each file-scope use is expanded with the tree's macros, and the per-CPU definitions
// read out of the expansion keep the file:line of the use.
import { Tok, render, tokenize } from '../config/lex';
import { ExpandError, MacroLookup, expand } from '../config/macros';
import { MacroCall } from './macroCall';
import { flat } from '../flat';

const PCPU_NAME = /^(?:DEFINE|DECLARE)_PER_CPU\w*$/;
const DEFINE_RE = /^[ \t]*#[ \t]*define[ \t]+(\w+)\(([^)]*)\)((?:[^\n]*\\\n)*[^\n]*)/gm;

const DEFINE_AT = new RegExp(DEFINE_RE.source, 'my');

/**
 * text.matchAll(DEFINE_RE), found faster: the regex is tried only at the starts of lines holding
 * "define" (native indexOf) instead of at every line start. Texts with a \r (a line start for ^
 * too) take the plain regex.
 */
export function* functionDefines(text: string): Generator<RegExpExecArray> {
  if (text.includes('\r')) { yield* text.matchAll(DEFINE_RE); return; }
  let pos = 0;
  let done = 0; // end of the last match: no match starts inside one
  for (let k = text.indexOf('define', pos); k >= 0; k = text.indexOf('define', pos)) {
    const ls = text.lastIndexOf('\n', k - 1) + 1;
    if (ls < done) { pos = Math.max(done, k + 1); continue; }
    DEFINE_AT.lastIndex = ls;
    const m = DEFINE_AT.exec(text);
    if (m) { yield m; done = pos = DEFINE_AT.lastIndex; } else {
      const eol = text.indexOf('\n', k);
      pos = eol < 0 ? text.length : eol + 1;
    }
  }
}

const UPPER = /^[A-Z_][A-Z0-9_]*$/;
/** words followed by `(` in a macro body that are not calls */
const C_WORDS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'typeof', '__typeof__', '__typeof', 'alignof', '__alignof__', '_Alignof', 'do',
  '__attribute__', '__builtin_constant_p', '__builtin_choose_expr', '__builtin_types_compatible_p', '_Generic', 'defined', '__same_type', '__is_constexpr']);
const ID_RE = /\b[A-Za-z_]\w*\b/g;

/** A function-like upper-case #define and the upper-case names in its body (DEFINE_PER_CPU* among them). */
export type WrapperDefine = [string, string[]];

/** What WrapperGraph takes from one text: its function-like #defines that could define per-CPU data. */
export function wrapperDefines(text: string): WrapperDefine[] {
  const out: WrapperDefine[] = [];
  if (!text.includes('#')) return out;
  for (const m of functionDefines(text)) {
    // file-scope definers are upper case (DEFINE_STATIC_SRCU); lower-case ones such as alloc_hooks
    // wrap DEFINE_PER_CPU inside a statement expression, never at file scope
    const name = m[1];
    if (PCPU_NAME.test(name) || !UPPER.test(name)) continue;
    const ids = [...m[3].matchAll(ID_RE)].map((x) => x[0]).filter((n) => n.startsWith('DEFINE_PER_CPU') || UPPER.test(n));
    if (ids.length) out.push([name, ids]);
  }
  return out;
}

const SPACE_RE = /\s/;
/**
 * Upper-case names called in a text (`NAME(`, `NAME (`): the possible uses of wrapper macros.
 * What text.matchAll(/\b([A-Z_][A-Z0-9_]*)\s*\(/g) finds, in its order, found from each `(`
 * backwards: 3.4x faster over a distro config's ~15,000 built files (0.55 -> 0.16 s).
 */
export function upperCalls(text: string): string[] {
  const out = new Set<string>();
  for (let p = text.indexOf('('); p >= 0; p = text.indexOf('(', p + 1)) {
    let e = p;
    for (; e > 0; e--) {
      const c = text.charCodeAt(e - 1);
      if (c !== 32 && (c < 9 || c > 13) && (c < 128 || !SPACE_RE.test(text[e - 1]))) break;
    }
    let s = e;
    let lower = false;
    for (; s > 0; s--) {
      const c = text.charCodeAt(s - 1);
      if ((c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57)) continue;
      lower = c >= 97 && c <= 122; // a lower-case letter: the name is not all upper case
      break;
    }
    if (lower || s === e) continue;
    const c0 = text.charCodeAt(s);
    if (c0 >= 48 && c0 <= 57) continue; // a word starting with a digit is no name
    out.add(text.slice(s, e));
  }
  return [...out];
}

/**
 * What one text adds to WrapperGraph: its wrapper defines, and each function-like macro with the
 * names its body calls (C keywords left out), each name a flat copy.
 */
export type GraphPart = [WrapperDefine[], [string, string[]][]];

export function graphPart(text: string, keep: (name: string) => string = flat): GraphPart {
  const edges: [string, string[]][] = [];
  for (const m of functionDefines(text)) {
    const ids = new Set([...m[3].matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((x) => x[1]));
    ids.delete(m[1]);
    const callees = [...ids].filter((n) => !C_WORDS.has(n)).map(keep);
    if (callees.length) edges.push([keep(m[1]), callees]);
  }
  return [wrapperDefines(text).map(([n, ids]): WrapperDefine => [keep(n), ids.map(keep)]), edges];
}

/** One flat copy per name: ~9,000 headers name the same macros over and over (flat.ts). */
export function interner(): (name: string) => string {
  const seen = new Map<string, string>();
  return (n) => { let k = seen.get(n); if (k === undefined) seen.set((k = flat(n)), k); return k; };
}

/** Who uses whom among file-scope definers: filled one text at a time, each name a flat copy (flat.ts), so no text is kept. */
export class WrapperGraph {
  /** definers whose body mentions a DEFINE_PER_CPU* */
  readonly roots = new Set<string>();
  /** name → definers whose body mentions it */
  readonly usedBy = new Map<string, Set<string>>();
  /** name → the function-like macros whose body calls it (percpu_counter_init_many → __percpu_counter_init_many) */
  readonly callEdges = new Map<string, Set<string>>();
  /** roots and usedBy were let go (names) */
  private released = false;

  /**
   * What each text added, in the order added, by its file: saved with the index and taken back
   * part by part, so a header that changed since replaces only its own part (headerGraph).
   */
  private parts?: [string, GraphPart][] = [];

  private keep = interner();

  add(text: string, file = ''): void {
    const p = graphPart(text, this.keep);
    this.addPart(p);
    if (p[0].length || p[1].length) this.parts?.push([flat(file), p]);
  }

  private addPart([defines, edges]: GraphPart): void {
    this.addDefines(defines, false);
    for (const [name, callees] of edges) for (const n of callees) (this.callEdges.get(n) ?? this.callEdges.set(n, new Set()).get(n)!).add(name);
  }

  /**
   * Macros that expand (through each other, up to 6 levels) to a call of one of `funcs`, those
   * excluded; `through` limits the macros followed past the first level.
   */
  callers(funcs: ReadonlySet<string>, through: (name: string) => boolean = () => true): Set<string> {
    const out = new Set<string>();
    let level = new Set<string>(funcs);
    for (let round = 0; round < 6 && level.size; round++) {
      const next = new Set<string>();
      for (const n of level) {
        if (round > 0 && !through(n)) continue;
        for (const d of this.callEdges.get(n) ?? []) if (!out.has(d) && !funcs.has(d)) next.add(d);
      }
      for (const n of next) out.add(n);
      level = next;
    }
    return out;
  }

  /** Macros that expand (through alloc-named macros such as netdev_alloc_pcpu_stats) to a call of one of `allocFuncs`. */
  allocWrappers(allocFuncs: ReadonlySet<string>): Set<string> {
    return this.callers(allocFuncs, (n) => n.includes('alloc'));
  }

  /** `copy`: the names may be slices of a text, kept as flat copies (a part's are copies already) */
  addDefines(defs: WrapperDefine[], copy = true): void {
    const keep = copy ? flat : (x: string) => x;
    for (const [n0, ids] of defs) {
      let name: string | undefined;
      for (const n of ids) {
        if (n.startsWith('DEFINE_PER_CPU')) this.roots.add((name ??= keep(n0)));
        else {
          let s = this.usedBy.get(n);
          if (!s) this.usedBy.set(keep(n), (s = new Set()));
          s.add((name ??= keep(n0)));
        }
      }
    }
  }

  /** The texts' parts, for `from` (not the defines of built files: addDefines). */
  toJSON(): { parts: [string, GraphPart][] } {
    if (!this.parts) throw new Error('the wrapper graph\'s parts were released after its names were taken');
    return { parts: this.parts };
  }

  /** The parts of a graph saved with toJSON, file by file, or undefined when `j` is not one. */
  static partsOf(j: unknown): [string, GraphPart][] | undefined {
    const o = j as { parts?: unknown } | null;
    if (!o || !Array.isArray(o.parts)) return undefined;
    const ok = (p: unknown): p is [string, GraphPart] => Array.isArray(p) && typeof p[0] === 'string' && Array.isArray(p[1]) && Array.isArray(p[1][0]) && Array.isArray(p[1][1]);
    return o.parts.every(ok) ? o.parts : undefined;
  }

  /** A graph of these parts, added in this order: the graph the headers' texts gave (add, in the same order). */
  static fromParts(parts: Iterable<[string, GraphPart]>): WrapperGraph {
    const g = new WrapperGraph();
    for (const [f, p] of parts) { g.addPart(p); g.parts!.push([f, p]); }
    return g;
  }

  /** A graph saved with toJSON, or undefined when `j` is not one. */
  static from(j: unknown): WrapperGraph | undefined {
    const parts = WrapperGraph.partsOf(j);
    return parts && WrapperGraph.fromParts(parts);
  }

  /**
   * Names of macros that expand (directly or through each other, up to 6 levels) to a DEFINE_PER_CPU*.
   * `thenRelease`: the definers (~9 MB on a distro config) go once asked: a run asks once, then
   * only `callers` (wrappedFindings); the graph saved for the next run was written before.
   */
  names(thenRelease = false): Set<string> {
    if (this.released) throw new Error('the wrapper graph\'s definers were released after their names were taken');
    const names = new Set<string>(this.roots);
    let level = new Set<string>(this.roots);
    for (let round = 1; round < 6 && level.size; round++) {
      const next = new Set<string>();
      for (const n of level) for (const d of this.usedBy.get(n) ?? []) if (!names.has(d)) next.add(d);
      for (const n of next) names.add(n);
      level = next;
    }
    if (thenRelease) {
      this.released = true;
      this.roots.clear();
      this.usedBy.clear();
      this.parts = undefined;
      this.keep = interner();
    }
    return names;
  }
}

/** Names of macros that expand (directly or through each other) to a DEFINE_PER_CPU*. */
export function wrapperNames(texts: Iterable<string>): Set<string> {
  const g = new WrapperGraph();
  for (const t of texts) g.add(t);
  return g.names();
}

export interface WrappedDef {
  /** the DEFINE_PER_CPU* macro the wrapper expands to */
  macro: string;
  /** the wrapper used in the source */
  via: string;
  type: string;
  name: string;
  dims: string[];
  /** 1-based line and column of the wrapper use */
  line: number;
  column: number;
  call: MacroCall;
}

export interface WrapperProblem { via: string; line: number; column: number; reason: string }

function matchParen(toks: Tok[], i: number): number {
  let d = 0;
  for (let j = i; j < toks.length; j++) {
    if (toks[j].k !== 'punct') continue;
    if (toks[j].t === '(') d++;
    else if (toks[j].t === ')' && --d === 0) return j;
  }
  return -1;
}

function splitArgs(toks: Tok[], open: number, close: number): Tok[][] {
  const args: Tok[][] = [[]];
  let d = 0;
  for (let j = open + 1; j < close; j++) {
    const t = toks[j];
    if (t.k === 'punct' && (t.t === '(' || t.t === '[' || t.t === '{')) d++;
    else if (t.k === 'punct' && (t.t === ')' || t.t === ']' || t.t === '}')) d--;
    if (d === 0 && t.k === 'punct' && t.t === ',') args.push([]);
    else args[args.length - 1].push(t);
  }
  return args;
}

/**
 * Per-CPU definitions produced by wrapper uses at file scope of `active` (a file's text with
 * inactive #if regions blanked, lines kept). `lookup` resolves macros as seen from that file.
 */
export function expandWrappers(active: string, wrappers: Set<string>, lookup: MacroLookup): { defs: WrappedDef[]; problems: WrapperProblem[]; records: string[] } {
  const defs: WrappedDef[] = [];
  /** expansions that define structs or unions (DEFINE_BATCHED_ENTROPY defines the type it uses) */
  const records: string[] = [];
  const problems: WrapperProblem[] = [];
  const lines = active.split('\n');
  const toks = tokenize(active);
  // DEFINE_PER_CPU* stay unexpanded so their arguments can be read
  const look: MacroLookup = (n) => (PCPU_NAME.test(n) ? undefined : lookup(n));
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.k === 'punct' && (t.t === '{' || t.t === '(' || t.t === '[')) depth++;
    else if (t.k === 'punct' && (t.t === '}' || t.t === ')' || t.t === ']')) depth--;
    if (depth !== 0 || t.k !== 'id' || !wrappers.has(t.t) || toks[i + 1]?.t !== '(') continue;
    const close = matchParen(toks, i + 1);
    const line = (t.line ?? 0) + 1;
    const column = (lines[line - 1]?.search(new RegExp(`\\b${t.t}\\b`)) ?? 0) + 1;
    if (close < 0) { problems.push({ via: t.t, line, column, reason: `${t.t}( without a closing parenthesis` }); continue; }
    let out: Tok[];
    try {
      out = expand(toks.slice(i, close + 1), look);
    } catch (e) {
      if (!(e instanceof ExpandError)) throw e;
      problems.push({ via: t.t, line, column, reason: `expanding ${t.t}: ${e.message}` });
      i = close;
      continue;
    }
    const n0 = defs.length;
    defs.push(...definitionsIn(out, { via: t.t, line, column }, problems));
    if (defs.length > n0 && out.some((x, k) => (x.t === 'struct' || x.t === 'union') && out[k + 1]?.k === 'id' && out[k + 2]?.t === '{')) records.push(render(out));
    i = close;
  }
  return { defs, problems, records };
}

/** The DEFINE_PER_CPU* calls in one wrapper's expansion, with their declarators and trailing attributes. */
function definitionsIn(out: Tok[], at: { via: string; line: number; column: number }, problems: WrapperProblem[]): WrappedDef[] {
  const defs: WrappedDef[] = [];
  for (let j = 0; j < out.length; j++) {
    const m = out[j];
    if (m.k !== 'id' || !/^DEFINE_PER_CPU\w*$/.test(m.t) || out[j + 1]?.t !== '(') continue;
    const e = matchParen(out, j + 1);
    if (e < 0) break;
    const args = splitArgs(out, j + 1, e);
    const decl = args[1] ?? [];
    const id = decl.find((x) => x.k === 'id');
    if (args.length < 2 || !args[0].length || !id) {
      problems.push({ ...at, reason: `${at.via} expands to ${m.t}(${render(out.slice(j + 2, e))}) without a (type, name)` });
      j = e;
      continue;
    }
    const stars = decl.filter((x) => x.t === '*').length;
    let tailEnd = e + 1;
    while (tailEnd < out.length && out[tailEnd].t !== ';' && out[tailEnd].t !== '=') tailEnd++;
    defs.push({
      macro: m.t, ...at, type: render(args[0]) + (stars ? ` ${'*'.repeat(stars)}` : ''), name: id.t, dims: declDims(decl),
      call: { args: args.map((a) => render(a)), tail: render(out.slice(e + 1, tailEnd)) },
    });
    j = e;
  }
  return defs;
}

/** `[...]` dimensions written on a declarator, as text. */
function declDims(decl: Tok[]): string[] {
  const dims: string[] = [];
  for (let k = 0; k < decl.length; k++) {
    if (decl[k].t !== '[') continue;
    let d = 0;
    let end = k;
    for (; end < decl.length; end++) { if (decl[end].t === '[') d++; else if (decl[end].t === ']' && --d === 0) break; }
    dims.push(render(decl.slice(k + 1, end)));
    k = end;
  }
  return dims;
}
