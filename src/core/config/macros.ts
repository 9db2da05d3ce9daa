// C macro definitions and their expansion (object-like, function-like, #, ##, __VA_ARGS__), with
// per-token hide sets so self-referential kernel macros (`#define atomic_read atomic_read`) stop.
import { Tok, tokenize } from './lex';

export interface MacroDef {
  name: string;
  /** undefined: object-like */
  params?: string[];
  variadic?: boolean;
  body: Tok[];
  /** where it came from (file path or a label such as 'config' or 'fallback') */
  source: string;
}

export type MacroLookup = (name: string) => MacroDef | undefined;

/** Parse the text after `#define ` (continuations already joined, comments gone). */
export function parseDefine(text: string, source: string): MacroDef | undefined {
  const m = /^\s*([A-Za-z_$][\w$]*)/.exec(text);
  if (!m) return undefined;
  const name = m[1];
  let rest = text.slice(m[0].length);
  if (rest.startsWith('(')) {
    const close = rest.indexOf(')');
    if (close < 0) return undefined;
    const plist = rest.slice(1, close).split(',').map((p) => p.trim()).filter((p) => p !== '');
    let variadic = false;
    const params: string[] = [];
    for (const p of plist) {
      if (p === '...') { variadic = true; params.push('__VA_ARGS__'); }
      else if (p.endsWith('...')) { variadic = true; params.push(p.slice(0, -3).trim()); }
      else params.push(p);
    }
    return new ParsedMacro(name, rest.slice(close + 1), source, params, variadic);
  }
  return new ParsedMacro(name, rest, source);
}

/** A definition whose body is tokenized on first use: most macros a header defines are never expanded. */
class ParsedMacro implements MacroDef {
  private toks?: Tok[];
  constructor(readonly name: string, private text: string, readonly source: string, readonly params?: string[], readonly variadic?: boolean) {}
  get body(): Tok[] { return (this.toks ??= tokenize(this.text)); }
}

/** Object-like macro from a name and a value text (for -D style and config values). */
export function objectMacro(name: string, value: string, source: string): MacroDef {
  return { name, body: tokenize(value), source };
}

export class ExpandError extends Error {}

const EMPTY: ReadonlySet<string> = new Set();

export interface ExpandOptions {
  /** called for every macro actually expanded (to record provenance, e.g. fallback use) */
  onUse?: (m: MacroDef) => void;
  /** names never expanded here (e.g. `defined` operands in #if) */
  builtin?: (name: string, args: Tok[][] | undefined) => Tok[] | undefined;
  /** names of function-like builtins handled by `builtin` */
  builtinFns?: ReadonlySet<string>;
  limit?: number;
}

/** Fully macro-expand a token list. Throws ExpandError on runaway expansion or bad calls. */
export function expand(input: readonly Tok[], lookup: MacroLookup, opts: ExpandOptions = {}): Tok[] {
  const out: Tok[] = [];
  // work list in reverse so we can push expansions back in front cheaply
  const work: Tok[] = input.slice().reverse();
  let budget = opts.limit ?? 500_000;
  while (work.length) {
    const tok = work.pop()!;
    if (tok.k !== 'id') { out.push(tok); continue; }
    const hs = tok.hs ?? EMPTY;
    if (hs.has(tok.t)) { out.push(tok); continue; }
    if (opts.builtinFns?.has(tok.t) && opts.builtin) {
      const args = peekArgs(work);
      if (args) {
        const r = opts.builtin(tok.t, args.args);
        if (r) { work.length = args.rest; pushBack(work, r); continue; }
      }
    }
    const m = lookup(tok.t);
    if (!m) { out.push(tok); continue; }
    if (--budget < 0) throw new ExpandError('macro expansion too large');
    if (!m.params) {
      opts.onUse?.(m);
      const nhs = new Set(hs); nhs.add(m.name);
      pushBack(work, m.body.map((b) => ({ ...b, hs: nhs })));
      continue;
    }
    const call = peekArgs(work);
    if (!call) { out.push(tok); continue; }
    work.length = call.rest;
    opts.onUse?.(m);
    let args = call.args;
    if (args.length === 1 && args[0].length === 0 && m.params.length === 0) args = [];
    if (m.variadic) {
      const fixed = m.params.length - 1;
      if (args.length < fixed) {
        if (args.length === fixed - 0) args.push([]);
        else throw new ExpandError(`macro ${m.name} expects ${fixed}+ arguments, got ${args.length}`);
      }
      if (args.length === fixed) args.push([]);
      const va: Tok[] = [];
      args.slice(fixed).forEach((a, i) => { if (i) va.push({ k: 'punct', t: ',' }); va.push(...a); });
      args = [...args.slice(0, fixed), va];
    } else if (args.length !== m.params.length) {
      if (!(m.params.length === 1 && args.length === 0)) throw new ExpandError(`macro ${m.name} expects ${m.params.length} arguments, got ${args.length}`);
      args = [[]];
    }
    const nhs = new Set(hs); nhs.add(m.name);
    const body = substitute(m, args, lookup, opts);
    pushBack(work, body.map((b) => ({ ...b, hs: b.hs ? union(b.hs, nhs) : nhs })));
  }
  return out;
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const s = new Set(a);
  for (const x of b) s.add(x);
  return s;
}

function pushBack(work: Tok[], toks: Tok[]): void {
  for (let i = toks.length - 1; i >= 0; i--) work.push(toks[i]);
}

/** If the next tokens (work is reversed) are `( ... )`, split the arguments. */
function peekArgs(work: Tok[]): { args: Tok[][]; rest: number } | undefined {
  let i = work.length - 1;
  if (i < 0 || work[i].t !== '(') return undefined;
  i--;
  const args: Tok[][] = [[]];
  let depth = 0;
  for (; i >= 0; i--) {
    const t = work[i];
    if (t.k === 'punct') {
      if (t.t === '(' || t.t === '[' || t.t === '{') depth++;
      else if (t.t === ')' || t.t === ']' || t.t === '}') {
        if (depth === 0) return { args, rest: i };
        depth--;
      } else if (t.t === ',' && depth === 0) { args.push([]); continue; }
    }
    args[args.length - 1].push(t);
  }
  throw new ExpandError('unterminated macro argument list');
}

function substitute(m: MacroDef, args: Tok[][], lookup: MacroLookup, opts: ExpandOptions): Tok[] {
  const params = m.params!;
  const idx = (t: Tok) => (t.k === 'id' ? params.indexOf(t.t) : -1);
  const body = m.body;
  const out: Tok[] = [];
  const expanded = new Map<number, Tok[]>();
  const exp = (p: number) => {
    let e = expanded.get(p);
    if (!e) { e = expand(args[p], lookup, opts); expanded.set(p, e); }
    return e;
  };
  for (let i = 0; i < body.length; i++) {
    const t = body[i];
    if (t.t === '#' && t.k === 'punct' && i + 1 < body.length && idx(body[i + 1]) >= 0) {
      const a = args[idx(body[i + 1])];
      out.push({ k: 'str', t: JSON.stringify(a.map((x) => x.t).join(' ')) });
      i++;
      continue;
    }
    if (t.t === '##' && t.k === 'punct') {
      const next = body[i + 1];
      if (!next) continue;
      i++;
      let rhs: Tok[] = idx(next) >= 0 ? args[idx(next)] : [next];
      // GNU: `, ## __VA_ARGS__` drops the comma when the variadic part is empty
      if (next.t === '__VA_ARGS__' && m.variadic && rhs.length === 0) {
        if (out.length && out[out.length - 1].t === ',') out.pop();
        continue;
      }
      const lhs = out.pop();
      if (!lhs) { out.push(...rhs); continue; }
      if (rhs.length === 0) { out.push(lhs); continue; }
      const pasted = tokenize(lhs.t + rhs[0].t);
      out.push(...pasted, ...rhs.slice(1));
      continue;
    }
    const p = idx(t);
    if (p >= 0) {
      const nextIsPaste = body[i + 1]?.t === '##';
      out.push(...(nextIsPaste ? args[p] : exp(p)));
      continue;
    }
    out.push(t);
  }
  return out;
}
