// Finds type definitions in one file's active tokens without expanding macros: `struct|union|enum
// NAME {...}` (at any nesting, as C scopes them to the file), typedef statements, enum constants.
// Function bodies and initializers are skipped. The exact parse happens later with tree-sitter on
// the macro-expanded tokens of just the definition that is needed.
import { Tok, tokenize } from '../config/lex';
import { flat } from '../flat';

export interface DefSite {
  kind: 'struct' | 'union' | 'enum' | 'typedef';
  /** 'struct foo', 'foo_t', or '' for an anonymous enum */
  key: string;
  toks: Tok[];
  line: number;
  /** enum constants declared in this enum, in order */
  consts?: string[];
}

export interface FileDefs {
  records: Map<string, DefSite>;   // 'struct foo' | 'union foo' | 'enum foo'
  typedefs: Map<string, DefSite>;
  enumConsts: Map<string, DefSite>;
  /** definition order (for typesInFile) */
  order: DefSite[];
}

const TYPE_WORDS = new Set(['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned',
  '_Bool', 'bool', 'struct', 'union', 'enum', 'const', 'volatile', 'typedef', 'static', 'extern', 'inline',
  '__attribute__', '__extension__', 'restrict', '__restrict', '_Atomic', 'register', '__int128']);

const QUALIFIERS = new Set(['typedef', 'const', 'volatile', '__extension__', '_Atomic']);

function match(toks: Tok[], i: number): number {
  const open = toks[i].t;
  const close = open === '(' ? ')' : open === '[' ? ']' : '}';
  let d = 0;
  for (let j = i; j < toks.length; j++) {
    const t = toks[j].t;
    if (toks[j].k !== 'punct') continue;
    if (t === '(' || t === '[' || t === '{') d++;
    else if (t === ')' || t === ']' || t === '}') { d--; if (d === 0) return t === close ? j : -1; }
  }
  return -1;
}

function matchBack(toks: Tok[], j: number): number {
  let d = 0;
  for (let k = j; k >= 0; k--) {
    const t = toks[k].t;
    if (toks[k].k !== 'punct') continue;
    if (t === ')' || t === ']' || t === '}') d++;
    else if (t === '(' || t === '[' || t === '{') { d--; if (d === 0) return k; }
  }
  return -1;
}

/** A name the scan takes for an attribute macro when it has arguments before a record's `{` (skeleton.ts asks too). */
export const attrLike = (name: string) => name === '__attribute__' || name.startsWith('__') || /^[A-Z0-9_]+$/.test(name);

/** If the `{` at b opens a struct/union/enum body, the index of its keyword. */
function aggregateKeyword(toks: Tok[], lo: number, b: number): number {
  let j = b - 1;
  while (j >= lo) {
    const t = toks[j];
    if (t.k === 'punct' && t.t === ')') {
      const k = matchBack(toks, j);
      if (k <= lo || toks[k - 1].k !== 'id' || !attrLike(toks[k - 1].t)) return -1;
      j = k - 2;
      continue;
    }
    if (t.k !== 'id') return -1;
    if (t.t === 'struct' || t.t === 'union' || t.t === 'enum') return j;
    j--;
  }
  return -1;
}

/** The tag after the keyword, skipping attributes and attribute macros with arguments. */
function tagOf(toks: Tok[], kw: number, b: number): string | undefined {
  for (let j = kw + 1; j < b; j++) {
    const t = toks[j];
    if (t.k !== 'id') return undefined;
    if (toks[j + 1]?.t === '(') { j = match(toks, j + 1); if (j < 0) return undefined; continue; }
    if (t.t === '__attribute__') continue;
    return t.t;
  }
  return undefined;
}

/**
 * The text `toks` were read from and each token's offset in it (tokenize's `starts`): with it a
 * site keeps its text range and reads its tokens again when asked, instead of holding them. A
 * header's defs are found for the one or two types asked of it; holding every site's tokens kept
 * ~580,000 tokens (~25 MB) live through a Debian-config run.
 */
export interface DefsSource { text: string; starts: number[] }

/** A site that keeps its text range and tokenizes it on first use (one class: one hidden class for all). */
class TextSite implements DefSite {
  consts?: string[] = undefined;
  private memo?: Tok[] = undefined;

  constructor(readonly kind: DefSite['kind'], readonly key: string, readonly line: number, private text: string, private start: number, private end: number) {}

  get toks(): Tok[] {
    return (this.memo ??= tokenize(this.text.slice(this.start, this.end), this.line));
  }

  /** Keeps a copy of its own range instead of the file's text (and tokens that are slices of it). */
  detach(): void {
    if (this.start === 0 && this.end === this.text.length) return;
    this.text = flat(this.text.slice(this.start, this.end));
    this.end -= this.start;
    this.start = 0;
    this.memo = undefined;
  }
}

/** Lets `defs` hold no reference to the text it was read from: each site keeps its own range. */
export function detachSites(defs: FileDefs): void {
  for (const s of defs.order) if (s instanceof TextSite) s.detach();
}

/** The tokens [from, to) of a definition, or a site that re-reads them from `src` on first use. */
function site(base: Omit<DefSite, 'toks'>, toks: Tok[], from: number, to: number, src?: DefsSource): DefSite {
  if (!src || to <= from) return { ...base, toks: toks.slice(from, to) };
  // a token's text is its source text; `line` is the first token's (both callers pass it)
  return new TextSite(base.kind, base.key, base.line, src.text, src.starts[from], src.starts[to - 1] + toks[to - 1].t.length);
}

export function scanDefs(toks: Tok[], src?: DefsSource): FileDefs {
  const defs: FileDefs = { records: new Map(), typedefs: new Map(), enumConsts: new Map(), order: [] };
  let stmt = 0;
  let i = 0;
  while (i < toks.length) {
    const t = toks[i];
    if (t.k === 'punct' && t.t === ';') { finishStmt(toks, stmt, i, defs, src); stmt = i + 1; i++; continue; }
    if (t.k === 'punct' && t.t === '{') {
      const end = match(toks, i);
      if (end < 0) break;
      const kw = aggregateKeyword(toks, stmt, i);
      if (kw >= 0) { aggregate(toks, kw, i, end, defs, src); i = end + 1; continue; }
      const hasEq = toks.slice(stmt, i).some((x) => x.t === '=');
      i = end + 1;
      if (!hasEq) stmt = i; // a function body ends its statement
      continue;
    }
    if (t.k === 'punct' && (t.t === '(' || t.t === '[')) { const e = match(toks, i); i = e < 0 ? i + 1 : e + 1; continue; }
    i++;
  }
  return defs;
}

function aggregate(toks: Tok[], kw: number, open: number, close: number, defs: FileDefs, src?: DefsSource): void {
  const kind = toks[kw].t as 'struct' | 'union' | 'enum';
  const tag = tagOf(toks, kw, open);
  // attributes after the closing brace belong to the type: keep the tail up to ; , = or )
  let tail = close + 1;
  while (tail < toks.length && ![';', ',', '=', ')', '{'].includes(toks[tail].t)) {
    if (toks[tail].t === '(' || toks[tail].t === '[') { const e = match(toks, tail); if (e < 0) break; tail = e; }
    tail++;
  }
  const st = site({ kind, key: tag ? `${kind} ${tag}` : '', line: toks[kw].line ?? 0 }, toks, kw, tail, src);
  if (kind === 'enum') {
    const consts: string[] = (st.consts = []);
    let expectName = true;
    let depth = 0;
    let listMacro = false; // `BCH_DATA_TYPES()` in a name's place: an x-macro list ending in ',' (a name follows)
    for (let j = open + 1; j < close; j++) {
      const x = toks[j];
      if (x.t === '(' || x.t === '[' || x.t === '{') depth++;
      else if (x.t === ')' || x.t === ']' || x.t === '}') { if (--depth === 0 && listMacro) { listMacro = false; expectName = true; continue; } } else if (x.t === ',' && depth === 0) { expectName = true; continue; }
      if (expectName && x.k === 'id' && depth === 0 && toks[j + 1]?.t === '(') { listMacro = true; expectName = false; continue; }
      if (expectName && x.k === 'id') { consts.push(x.t); defs.enumConsts.set(x.t, st); }
      expectName = false;
    }
  } else {
    // nested tagged definitions are file-scope in C
    for (let j = open + 1; j < close; j++) {
      if (toks[j].t !== '{') continue;
      const e = match(toks, j);
      if (e < 0) break;
      const k = aggregateKeyword(toks, open + 1, j);
      if (k >= 0) aggregate(toks, k, j, e, defs, src);
      j = e;
    }
  }
  if (tag && !defs.records.has(st.key)) defs.records.set(st.key, st);
  if (tag || kind === 'enum') defs.order.push(st);
}

function finishStmt(toks: Tok[], lo: number, hi: number, defs: FileDefs, src?: DefsSource): void {
  let s = lo;
  while (s < hi && toks[s].t === '__extension__') s++;
  if (s >= hi || toks[s].t !== 'typedef') return;
  const body = toks.slice(s, hi + 1);
  for (const name of typedefNames(body)) {
    if (defs.typedefs.has(name)) continue;
    const st = site({ kind: 'typedef', key: name, line: toks[s].line ?? 0 }, toks, s, hi + 1, src);
    defs.typedefs.set(name, st);
    defs.order.push(st);
  }
}

/** Declared names of a typedef statement (a heuristic; the exact parse comes later). */
export function typedefNames(body: Tok[]): string[] {
  // `typedef DECLARE_BITMAP(mce_banks_t, MAX_NR_BANKS);`: the macro's first argument is the
  // likely name (the exact parse after expansion decides)
  if (body[1]?.k === 'id' && /^[A-Z][A-Z0-9_]*$/.test(body[1].t) && body[2]?.t === '(' && body[3]?.k === 'id' && body[4]?.t === ',') {
    const e = match(body, 2);
    if (e > 0 && body[e + 1]?.t === ';') return [body[3].t];
  }
  let start = 1;
  for (let j = body.length - 1; j > 0; j--) if (body[j].t === '}') { start = j + 1; break; }
  const names: string[] = [];
  let depth = 0;
  let want = true;
  for (let j = start; j < body.length; j++) {
    const t = body[j];
    if (t.t === '[') { const e = match(body, j); if (e < 0) break; j = e; continue; }
    if (t.k === 'id' && body[j + 1]?.t === '(' && (t.t === '__attribute__' || attrLike(t.t) && body[j - 1]?.t !== '*' && body[j - 1]?.t !== '(')) {
      const e = match(body, j + 1); if (e < 0) break; j = e; continue;
    }
    if (t.t === '(') { depth++; continue; }
    if (t.t === ')') { depth--; if (depth === 0 && !want) { /* skip parameter lists */ if (body[j + 1]?.t === '(') { const e = match(body, j + 1); if (e > 0) j = e; } } continue; }
    if (t.t === ',' && depth === 0) { want = true; continue; }
    if (!want || t.k !== 'id' || TYPE_WORDS.has(t.t)) continue;
    // the first word after `typedef` (and qualifiers) is the type, never the name: `typedef u16 __compat_uid_t;`
    if (body.slice(1, j).every((x) => QUALIFIERS.has(x.t))) continue;
    const n = body[j + 1];
    const nn = body[j + 2];
    // an attribute group after the name ends it only if no other identifier follows the group
    const afterGroup = () => { const e = match(body, j + 2); return e < 0 || body[e + 1]?.k !== 'id'; };
    const ends = n && (n.t === ';' || n.t === ',' || n.t === '[' || n.t === ')' || n.t === ':' ||
      (n.k === 'id' && nn?.t === '(' && afterGroup()) || (n.k === 'id' && attrLike(n.t) && (nn?.t === ';' || nn?.t === ',')));
    if (ends) {
      names.push(t.t);
      // `typedef __u16 __bitwise __le16;`: an attribute-like word may be the real name's prefix
      // macro; keep looking so both count (the exact parse after expansion decides)
      if (!(n.k === 'id' && attrLike(n.t))) want = false;
    }
  }
  return names;
}
