// Turns trigger tokens plus the tree of their chunk into Findings. Macros (DEFINE_PER_CPU*,
// DECLARE_PER_CPU*) and the alloc/free calls are read from the leaves after the name token, because
// tree-sitter gives them a different (often ERROR) shape per form; arrays and fields come from the
// .scm queries. Every trigger that is clearly a construct but cannot be read becomes an
// `unresolved` finding rather than being dropped.
import type { Finding, FindingKind } from './types';
import type { Node, Query, QueryMatch } from './treeSitter';
import { Candidate } from './lexer';
import {
  ALLOC_FUNCS, REFCOUNT_TYPES_ALWAYS, REFCOUNT_TYPES_BY_NAME, classify, inBrackets, looksLikeRefcount,
} from './triggers';
import {
  ancestor, container, declaratorParts, enclosingFunction, hasErrorAncestor, macroArgs, nextToken, norm,
  prevToken, tokensText,
} from './nodes';

export interface ExtractCtx {
  text: string;
  file: string;
  pos(offset: number): { line: number; column: number };
  cond(offset: number): string | undefined;
  root: Node;
  arrays: Query;
  fields: Query;
  /** performance.now() after which extraction stops and reports the rest as unresolved */
  deadline?: number;
  /** query ranges per character of text (see scanText's queryIndexScale) */
  queryIndexScale?: number;
  /**
   * receives each finding's [start, end) offsets in text and how far its reading went (`reach`: the
   * end, or the text's end after an argument list that never closed): DocScan re-reads only an edit's region
   */
  spans?: Map<Finding, [number, number, number]>;
  /** receives the candidates whose finding depends on the braces up to BRACE_LOOKBACK characters before them (insideBraces) */
  braceReads?: number[];
  /** receives the ranges whose candidates one construct claimed (they yield no finding of their own), finding or not */
  claims?: [number, number][];
}

const NR_CLASSES: ReadonlySet<string> = new Set(['nr_cpus']);
const FIELD_CLASSES: ReadonlySet<string> = new Set(['refcount_type', 'percpu_qual']);
const DECL_HOLDERS = new Set(['field_declaration', 'declaration', 'parameter_declaration', 'type_descriptor', 'type_definition']);

function base(ctx: ExtractCtx, kind: FindingKind, start: number, end: number, macro: string): Finding {
  const a = ctx.pos(start);
  const b = ctx.pos(end);
  const f: Finding = { kind, file: ctx.file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column, name: '', type: '', macro };
  const c = ctx.cond(start);
  if (c !== undefined) f.cond = c;
  ctx.spans?.set(f, [start, end, end]);
  return f;
}

/** `static` among the few tokens before a DEFINE_PER_CPU (static __maybe_unused DEFINE_PER_CPU...). */
function precededByStatic(n: Node): boolean {
  let t = prevToken(n);
  for (let k = 0; t && k < 4; k++, t = prevToken(t)) {
    if (t.text === 'static') return true;
    if (t.text === ';' || t.text === '}' || t.text === '{' || t.text === ')') return false;
  }
  return false;
}

/** True when `name(` is a function's own prototype or definition, not a call. */
function isFunctionDeclarator(n: Node): boolean {
  // Tokens, not the tree: `for_each_cpu(c) f(x); free_percpu(p);` parses as a declaration.
  let p = prevToken(n);
  if (p && p.text === '*') p = prevToken(p);
  return !!p && /^[A-Za-z_]\w*$/.test(p.text) && !/^(return|else|do|case|sizeof|typeof|__typeof__|goto)$/.test(p.text);
}

function lastIdent(t: string): string {
  const m = /([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)*\)*\s*$/.exec(t);
  return m ? m[1] : '';
}

function sizeofType(e: string): string {
  const m = /^sizeof\s*\((.*)\)$/.exec(e);
  if (!m) return '';
  const t = m[1].trim();
  return /^(struct|union|enum)\s+\w+$|^(unsigned |signed )?(char|short|int|long|long long|u8|u16|u32|u64|s8|s16|s32|s64|\w+_t)$/.test(t) ? t : '';
}

export class Extractor {
  readonly findings: Finding[] = [];
  private claimed = new Set<number>(); // candidate starts already explained

  constructor(private ctx: ExtractCtx) {}

  private claimRange(cands: Candidate[], a: number, b: number): void {
    this.ctx.claims?.push([a, b]);
    for (const c of cands) if (c.start >= a && c.end <= b) this.claimed.add(c.start);
  }

  run(cands: Candidate[]): void {
    // Macros and calls first: they claim triggers inside their arguments.
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i];
      if (this.ctx.deadline !== undefined && performance.now() > this.ctx.deadline) return this.giveUp(cands.slice(i));
      const k = classify(c.tok);
      if (k === 'static' || k === 'declare') this.macro(c, k, cands);
      else if (k === 'alloc' || k === 'free') this.call(c, k, cands);
    }
    this.arraysFromQuery(cands);
    this.fieldsFromQuery(cands);
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i];
      if (this.ctx.deadline !== undefined && performance.now() > this.ctx.deadline) return this.giveUp(cands.slice(i));
      if (this.claimed.has(c.start)) continue;
      const k = classify(c.tok);
      if (k === 'nr_cpus') this.strayNrCpus(c);
      else if (k === 'refcount_type' || k === 'percpu_qual') this.strayRefcount(c, cands);
    }
    this.findings.sort((x, y) => x.line - y.line || x.column - y.column);
  }

  /** the time budget ran out: what is left was reported unresolved (giveUp) */
  gaveUp = false;

  /**
   * Out of time (macro soup: tree walks climb parents from the root, so thousands of nested calls
   * cost cubic time): what is left is reported, not dropped, and the file's other findings stay.
   */
  private giveUp(rest: Candidate[]): void {
    this.gaveUp = true;
    for (const c of rest) {
      if (this.claimed.has(c.start)) continue;
      const k = classify(c.tok);
      const kind: FindingKind = k === 'nr_cpus' ? 'nr_cpus_array' : k === 'refcount_type' || k === 'percpu_qual' ? 'refcount' : k;
      this.unresolved(c, kind, 'not read: the time budget for this file ran out (deeply nested or repeated macros?)');
    }
    this.findings.sort((x, y) => x.line - y.line || x.column - y.column);
  }

  /** Original source of a node (the parsed text has annotations blanked). */
  private src(n: Node): string {
    return this.ctx.text.slice(n.startIndex, n.endIndex);
  }

  private leafAt(c: Candidate): Node | null {
    const n = this.ctx.root.descendantForIndex(c.start, c.end);
    return n && n.startIndex === c.start && n.endIndex === c.end ? n : null;
  }

  private unresolved(c: Candidate, kind: FindingKind, reason: string, end = c.end): void {
    const f = base(this.ctx, kind, c.start, end, c.tok);
    f.unresolved = reason;
    this.findings.push(f);
  }

  /** An argument list that never closed: macroArgs read up to 4000 tokens on, wherever they end. */
  private unbalanced(c: Candidate, kind: FindingKind, reason: string): void {
    this.unresolved(c, kind, reason);
    const sp = this.ctx.spans?.get(this.findings[this.findings.length - 1]);
    if (sp) sp[2] = this.ctx.text.length;
  }

  private macro(c: Candidate, kind: 'static' | 'declare', cands: Candidate[]): void {
    this.claimed.add(c.start);
    const n = this.leafAt(c);
    if (!n) return this.unresolved(c, kind, 'macro name not a token of the parse tree');
    const ma = macroArgs(n);
    if (!ma) return this.unbalanced(c, kind, `${c.tok} without a balanced argument list`);
    this.claimRange(cands, c.end, ma.end);
    const f = base(this.ctx, kind, c.start, ma.end, c.tok);
    if (ma.args.length < 2 || ma.args[0].length === 0 || ma.args[1].length === 0) {
      f.unresolved = `${c.tok} expects (type, name), got ${ma.args.length} argument(s)`;
      this.findings.push(f);
      return;
    }
    f.type = tokensText(ma.args[0], this.ctx.text);
    const d = declaratorParts(ma.args[1]);
    f.name = d.name;
    if (d.dims.length) f.dims = d.dims;
    if (d.stars) f.type = `${f.type} ${'*'.repeat(d.stars)}`;
    if (kind === 'static') f.isStatic = precededByStatic(n);
    if (c.tok === 'DEFINE_PER_CPU_SECTION' || c.tok === 'DECLARE_PER_CPU_SECTION') {
      if (ma.args[2]) f.section = tokensText(ma.args[2], this.ctx.text);
    }
    if (!d.name || d.complex) f.unresolved = `cannot read the variable name from "${tokensText(ma.args[1])}"`;
    this.findings.push(f);
    // A per-CPU array sized by NR_CPUS is also an NR_CPUS array (in the name or the type argument).
    const typeDims = /\[([^\]]*)\]/g;
    const allDims = [...f.dims ?? []];
    for (let m = typeDims.exec(f.type); m; m = typeDims.exec(f.type)) allDims.push(m[1].trim());
    const nr = cands.find((x) => x.start > c.end && x.end <= ma.end && classify(x.tok) === 'nr_cpus');
    if (nr) {
      const a = base(this.ctx, 'nr_cpus_array', nr.start, nr.end, nr.tok);
      Object.assign(a, { name: f.name, type: f.type.replace(/\s*\[[^\]]*\]/g, ''), dims: allDims, isStatic: f.isStatic });
      if (f.unresolved) a.unresolved = f.unresolved;
      this.findings.push(a);
    }
  }

  private call(c: Candidate, kind: 'alloc' | 'free', cands: Candidate[]): void {
    this.claimed.add(c.start);
    const n = this.leafAt(c);
    if (!n) return this.unresolved(c, kind, 'call name not a token of the parse tree');
    const nt = nextToken(n);
    if (!nt || nt.text !== '(') return; // a reference to the function (pointer, DEFINE_FREE name), not a call
    if (isFunctionDeclarator(n)) return; // the allocator's own prototype or definition
    const ma = macroArgs(n);
    if (!ma) return this.unbalanced(c, kind, `${c.tok}( without a balanced argument list`);
    this.claimRange(cands, c.end, ma.end);
    const f = base(this.ctx, kind, c.start, ma.end, c.tok);
    const args = ma.args.map((a) => tokensText(a, this.ctx.text));
    const fn = enclosingFunction(n);
    if (fn) f.func = fn;
    if (kind === 'free') {
      if (args.length !== 1) f.unresolved = `free_percpu expects 1 argument, got ${args.length}`;
      else f.name = lastIdent(args[0]);
      if (args[0]) f.assignedTo = args[0];
      this.findings.push(f);
      return;
    }
    const byType = /^alloc_percpu/.test(c.tok);
    const want = byType ? (/gfp/.test(c.tok) ? 2 : 1) : (/gfp/.test(c.tok) ? 3 : 2);
    if (args.length !== want || args.some((a) => !a)) {
      f.unresolved = `${c.tok} expects ${want} argument(s), got ${args.length}`;
    }
    if (byType) {
      f.type = args[0] ?? '';
      if (/gfp/.test(c.tok) && args[1]) f.gfpExpr = args[1];
    } else {
      if (args[0]) f.sizeExpr = args[0];
      if (args[1]) f.alignExpr = args[1];
      if (/gfp/.test(c.tok) && args[2]) f.gfpExpr = args[2];
      f.type = sizeofType(args[0] ?? '');
    }
    const lhs = this.assignedTo(n);
    if (lhs) {
      f.assignedTo = lhs;
      f.name = lastIdent(lhs);
    }
    this.findings.push(f);
  }

  /** The lvalue or variable an allocation result goes to, read through casts and parentheses. */
  private assignedTo(n: Node): string | undefined {
    let e = ancestor(n, 'call_expression');
    if (!e || e.childForFieldName('function')?.startIndex !== n.startIndex) return this.assignedByTokens(n);
    while (e.parent && (e.parent.type === 'parenthesized_expression' || e.parent.type === 'cast_expression')) e = e.parent;
    const p = e.parent;
    if (p?.type === 'assignment_expression' && p.childForFieldName('right')?.id === e.id) return norm(p.childForFieldName('left')!.text);
    if (p?.type === 'init_declarator') {
      const d = p.childForFieldName('declarator');
      return d ? norm(d.text).replace(/^[*\s]+/, '') : undefined;
    }
    return undefined;
  }

  /** Fallback when the call sits in an ERROR: `lvalue = [cast] alloc(...)` read from tokens. */
  private assignedByTokens(n: Node): string | undefined {
    let t = prevToken(n);
    if (t && t.text === ')') { // skip one cast
      let depth = 0;
      for (; t; t = prevToken(t)) {
        if (t.text === ')') depth++;
        else if (t.text === '(' && --depth === 0) break;
      }
      t = t ? prevToken(t) : null;
    }
    if (!t || t.text !== '=') return undefined;
    const toks: Node[] = [];
    for (t = prevToken(t); t && /^([A-Za-z_]\w*|->|\.|\[|\]|\d+)$/.test(t.text); t = prevToken(t)) toks.unshift(t);
    return toks.length ? tokensText(toks) : undefined;
  }

  /**
   * Matches of `q` around the candidates of the given classes only. Every finding a query yields
   * holds such a candidate, so this returns the same findings as matching the whole tree, at a
   * fraction of the cost (the queries' #match? predicates run in JS for every field and array).
   */
  private matchesNear(q: Query, cands: Candidate[], classes: ReadonlySet<string>): QueryMatch[] {
    const ranges: [number, number][] = [];
    for (const c of cands) {
      if (!classes.has(classify(c.tok))) continue;
      const last = ranges[ranges.length - 1];
      if (last && c.start <= last[1] + 256) last[1] = Math.max(last[1], c.end);
      else ranges.push([c.start, c.end]);
    }
    const out: QueryMatch[] = [];
    const seen = new Set<string>(); // a match spanning two ranges comes back twice
    for (const [a, b] of ranges) {
      const k = this.ctx.queryIndexScale ?? 1;
      for (const m of q.matches(this.ctx.root, { startIndex: a * k, endIndex: b * k })) {
        const key = m.captures.map((x) => `${x.name}:${x.node.id}`).join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(m);
      }
    }
    return out;
  }

  private arraysFromQuery(cands: Candidate[]): void {
    const seen = new Set<number>();
    for (const m of this.matchesNear(this.ctx.arrays, cands, NR_CLASSES)) {
      let arr = m.captures.find((x) => x.name === 'array')!.node;
      // 2-D: report once, from the outermost array declarator of the chain.
      while (arr.parent && (arr.parent.type === 'array_declarator' || arr.parent.type === 'abstract_array_declarator')) arr = arr.parent;
      if (seen.has(arr.id)) continue;
      seen.add(arr.id);
      const nr = cands.find((x) => x.start >= arr.startIndex && x.end <= arr.endIndex && classify(x.tok) === 'nr_cpus');
      if (!nr || this.claimed.has(nr.start)) continue;
      this.claimRange(cands.filter((x) => classify(x.tok) === 'nr_cpus'), arr.startIndex, arr.endIndex);
      const f = base(this.ctx, 'nr_cpus_array', nr.start, nr.end, nr.tok);
      const dims: string[] = [];
      let inner: Node | null = arr;
      let name = '';
      while (inner) {
        if (inner.type === 'array_declarator' || inner.type === 'abstract_array_declarator') {
          const sz = inner.childForFieldName('size');
          dims.unshift(sz ? norm(sz.text) : '');
          inner = inner.childForFieldName('declarator');
        } else if (inner.type === 'identifier' || inner.type === 'field_identifier' || inner.type === 'type_identifier') {
          name = inner.text;
          break;
        } else {
          inner = inner.childForFieldName('declarator') ?? null;
        }
      }
      f.name = name;
      f.dims = dims;
      const holder = ancestor(arr, DECL_HOLDERS);
      let stars = 0;
      for (let c = arr.parent; c && c !== holder; c = c.parent) if (c.type === 'pointer_declarator' || c.type === 'abstract_pointer_declarator') stars++;
      const ty = holder?.childForFieldName('type');
      f.type = ty ? norm(this.src(ty)) + (stars ? ' ' + '*'.repeat(stars) : '') : '';
      if (holder?.type === 'field_declaration') {
        const ct = container(arr);
        if (ct) f.container = ct;
      } else if (holder?.type === 'declaration') {
        if (holder.children.some((x) => !!x && x.type === 'storage_class_specifier' && x.text === 'static')) f.isStatic = true;
        const fn = enclosingFunction(arr);
        if (fn) f.func = fn;
      }
      if (!holder || !ty) f.unresolved = 'array declarator outside a declaration (parse error around it)';
      else if (hasErrorAncestor(arr)) f.unresolved = 'declaration inside a parse error';
      this.findings.push(f);
    }
  }

  private fieldsFromQuery(cands: Candidate[]): void {
    for (const m of this.matchesNear(this.ctx.fields, cands, FIELD_CLASSES)) {
      const field = m.captures.find((x) => x.name === 'field')!.node;
      const tyNode = m.captures.find((x) => x.name === 'type')!.node;
      this.refcountField(field, tyNode, cands, container(field));
    }
  }

  /** Refcount findings of one field declaration (or a declaration that is really a field). */
  private refcountField(field: Node, tyNode: Node, cands: Candidate[], ct: string | undefined): void {
    const type = norm(this.src(tyNode));
    const inField = cands.filter((x) => x.start >= field.startIndex && x.end <= field.endIndex);
    this.ctx.claims?.push([field.startIndex, field.endIndex]);
    for (const x of inField) if (classify(x.tok) !== 'nr_cpus') this.claimed.add(x.start);
    const isInt = /^(unsigned )?(int|long)$/.test(type);
    const hasPercpu = inField.some((x) => x.tok === '__percpu');
    if (isInt && !hasPercpu) return;
    const macro = isInt ? `${type} __percpu *` : type;
    for (const d of field.childrenForFieldName('declarator')) {
      if (!d) continue;
      let stars = 0;
      const dims: string[] = [];
      let cur: Node | null = d;
      let name = '';
      while (cur) {
        if (cur.type === 'pointer_declarator') { stars++; cur = cur.childForFieldName('declarator'); }
        else if (cur.type === 'array_declarator') { const sz = cur.childForFieldName('size'); dims.unshift(sz ? norm(this.src(sz)) : ''); cur = cur.childForFieldName('declarator'); }
        else if (cur.type === 'field_identifier' || cur.type === 'identifier') { name = cur.text; break; }
        else if (cur.type === 'parenthesized_declarator' || cur.type === 'attributed_declarator') cur = cur.namedChild(0);
        else break;
      }
      if (!name) continue;
      const isRef = isInt
        ? stars === 1 && dims.length === 0 && looksLikeRefcount(name)
        : stars === 0 && (REFCOUNT_TYPES_ALWAYS.has(macro) || (REFCOUNT_TYPES_BY_NAME.has(macro) && looksLikeRefcount(name)));
      if (!isRef) continue;
      const f = base(this.ctx, 'refcount', tyNode.startIndex, field.endIndex, macro);
      f.name = name;
      f.type = macro;
      if (dims.length) f.dims = dims;
      if (ct) f.container = ct;
      if (hasErrorAncestor(field)) f.unresolved = 'field inside a parse error';
      this.findings.push(f);
    }
  }

  /** NR_CPUS not claimed by an array declarator: report it only if it sits inside [] of a declaration. */
  private strayNrCpus(c: Candidate): void {
    if (!inBrackets(this.ctx.text, c.start)) return;
    const n = this.leafAt(c);
    if (n && ancestor(n, 'subscript_expression')) return; // an index, not a dimension
    if (n && !hasErrorAncestor(n)) {
      // designators ([NR_CPUS] = x), subscript designators in macros: not dimensions
      if (ancestor(n, new Set(['subscript_designator', 'initializer_pair', 'subscript_range_designator']))) return;
      if (ancestor(n, new Set(['call_expression', 'argument_list', 'binary_expression', 'assignment_expression', 'expression_statement']))) return;
    }
    this.unresolved(c, 'nr_cpus_array', n ? `NR_CPUS inside [] but tree-sitter saw no array declarator (${n.parent?.type ?? 'none'})` : 'NR_CPUS token not in the parse tree');
  }

  /** A refcount-looking field the query missed because its struct did not parse. */
  private strayRefcount(c: Candidate, cands: Candidate[]): void {
    const n = this.leafAt(c);
    const ms = n && macroStruct(n);
    if (ms) {
      const ty = ms.decl.childForFieldName('type');
      if (ty) this.refcountField(ms.decl, ty, cands, ms.name);
      return;
    }
    if (n && !hasErrorAncestor(n)) return; // parsed fine: a local, global, parameter or cast, not a field
    const after = this.ctx.text.slice(c.end, c.end + 120);
    const m = c.tok === '__percpu' ? null : /^\s+([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)*;/.exec(after);
    if (!m) return;
    const ty = c.tok === 'kref' || c.tok === 'percpu_ref' ? `struct ${c.tok}` : c.tok;
    if (ty.startsWith('struct') && !/struct\s+$/.test(this.ctx.text.slice(Math.max(0, c.start - 10), c.start))) return;
    if (!(REFCOUNT_TYPES_ALWAYS.has(ty) || looksLikeRefcount(m[1]))) return;
    this.ctx.braceReads?.push(c.start);
    if (!insideBraces(this.ctx.text, c.start)) return;
    const f = base(this.ctx, 'refcount', c.start, c.end + m[0].length, ty);
    f.name = m[1];
    f.type = ty;
    f.unresolved = 'looks like a refcount field, but its struct did not parse';
    this.findings.push(f);
  }
}

/**
 * `DECLARE_RC_STRUCT(name) { refcount_t refcnt; ... };` parses as a function definition whose
 * declarator is `(name)`: its body's declarations are the fields of a macro-declared struct.
 */
function macroStruct(n: Node): { decl: Node; name: string } | null {
  const decl = ancestor(n, 'declaration');
  const body = decl?.parent;
  const fn = body?.type === 'compound_statement' ? body.parent : null;
  if (!decl || !fn || fn.type !== 'function_definition') return null;
  const d = fn.childForFieldName('declarator');
  const ty = fn.childForFieldName('type');
  let mac: string, arg: string;
  if (d?.type === 'parenthesized_declarator' && ty) { // NAME(arg) { ... }: type NAME, declarator (arg)
    mac = ty.text;
    arg = d.text.replace(/^\(\s*|\s*\)$/g, '');
  } else if (d?.type === 'function_declarator' && !ty) {
    mac = d.childForFieldName('declarator')?.text ?? '';
    arg = d.childForFieldName('parameters')?.text.replace(/^\(\s*|\s*\)$/g, '') ?? '';
  } else {
    return null;
  }
  return { decl, name: /STRUCT/.test(mac) && /^\w+$/.test(arg) ? `struct ${arg}` : `${mac}(${arg})` };
}

/** How far back a stray field looks for the `{` of its struct (DocScan re-reads what an edit there reaches). */
export const BRACE_LOOKBACK = 20000;

function insideBraces(text: string, pos: number): boolean {
  let depth = 0;
  for (let i = pos - 1, k = 0; i >= 0 && k < BRACE_LOOKBACK; i--, k++) {
    const ch = text[i];
    if (ch === '}') depth++;
    else if (ch === '{') { if (depth === 0) return true; depth--; }
  }
  return false;
}

export { ALLOC_FUNCS };
