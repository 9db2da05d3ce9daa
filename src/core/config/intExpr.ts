// Integer constant expressions over C tokens (already macro-expanded): the shared evaluator for
// #if conditions and for array sizes / attribute arguments. 64-bit arithmetic like the
// preprocessor's intmax_t; `sizeof`, casts and `offsetof` are delegated to hooks (the layout engine).
import { Tok } from './lex';

export class ExprError extends Error {}

/** `b`: 32 for a 32-bit unsigned type (unsigned int; unsigned long and size_t on 32-bit targets), which
 *  wraps at 2^32; other values are exact in 64 bits (signed overflow is undefined in C anyway) */
export interface Val { v: bigint; u: boolean; b?: 32 }

export interface ExprHooks {
  /** value of an identifier left after expansion; undefined → error (or 0 in #if mode) */
  ident?(name: string): bigint | undefined;
  /** value of a member read (`new->cache_size`, `c.opts.n`: the chain without spaces) the asking place knows; undefined: none */
  member?(chain: string): bigint | undefined;
  /** #if semantics: unknown identifiers are 0 */
  ppMode?: boolean;
  /** whether tokens[i..] start a type name (for casts and sizeof(type)) */
  isTypeStart?(t: Tok, next: Tok | undefined): boolean;
  sizeofType?(toks: Tok[]): bigint;
  alignofType?(toks: Tok[]): bigint;
  /** sizeof of a non-type operand, e.g. ((struct s *)0)->m */
  sizeofExpr?(toks: Tok[]): bigint;
  /** __alignof__ of a non-type operand, e.g. *p: its type's alignment */
  alignofExpr?(toks: Tok[]): bigint;
  offsetof?(typeToks: Tok[], member: Tok[]): bigint;
  /** __builtin_types_compatible_p of two type names (or typeof(...)) */
  typesCompatible?(a: Tok[], b: Tok[]): boolean;
  /** size in bytes and signedness of a cast's type, for truncation; undefined: no truncation */
  castInfo?(toks: Tok[]): { size: number; unsigned: boolean } | undefined;
  /** SIZE_MAX of the target: size_mul/size_add/size_sub saturate there (include/linux/overflow.h) */
  sizeMax?: bigint;
  /** bits of the target's long: literals, casts and sizeof get their C widths (unset: 64-bit, as #if) */
  longBits?: number;
}

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;
const norm = (v: bigint, u: boolean, b?: 32): Val => (u && b === 32 ? { v: v & M32, u, b } : { v: u ? v & M64 : BigInt.asIntN(64, v), u });
const narrow = (x: Val) => x.u && x.b === 32;

/** `longBits` (the target's long, when known): the literal's C type decides where it wraps */
export function parseIntLiteral(text: string, longBits?: number): Val {
  let t = text.toLowerCase();
  let u = false;
  const m = /(u?l{0,2}u?)$/.exec(t);
  if (m && m[1]) { u = m[1].includes('u'); t = t.slice(0, t.length - m[1].length); }
  let v: bigint;
  try {
    if (/^0x[0-9a-f]+$/.test(t)) v = BigInt(t);
    else if (/^0b[01]+$/.test(t)) v = BigInt(t);
    else if (/^0[0-7]*$/.test(t)) v = t === '0' ? 0n : BigInt('0o' + t.slice(1));
    else if (/^[1-9][0-9]*$/.test(t)) v = BigInt(t);
    else throw new ExprError(`not an integer literal: ${text}`);
  } catch (e) {
    if (e instanceof ExprError) throw e;
    throw new ExprError(`not an integer literal: ${text}`);
  }
  if (!u && v > 0x7fffffffffffffffn) u = true;
  if (longBits !== undefined) {
    // C's first type that holds the value: unsigned int / unsigned long of 32 bits wrap at 2^32
    const longs = /l/.test(m?.[1] ?? '') ? (/ll/.test(m![1]) ? 2 : 1) : 0;
    const decimal = /^[1-9]/.test(t);
    const fits32u = v <= M32;
    if (u && fits32u && (longs === 0 || (longs === 1 && longBits === 32))) return norm(v, true, 32);
    if (!u && !decimal && v >= 1n << 31n && fits32u && (longs === 0 || (longs === 1 && longBits === 32))) return norm(v, true, 32);
  }
  return norm(v, u);
}

function charValue(text: string): bigint {
  // the lexer ends a literal at its quote or at the line's end: a cut one has no closing quote
  if (text.length < 2 || !text.endsWith("'")) throw new ExprError(`unterminated character literal ${text}`);
  const body = text.slice(1, -1);
  if (body === '') throw new ExprError("empty character constant ''");
  // gcc's multi-character constant: each character a byte of an int, the last one lowest ('ab' is 0x6162)
  if (!body.startsWith('\\')) return BigInt([...body].reduce((v, c) => ((v << 8) | (c.charCodeAt(0) & 0xff)) | 0, 0));
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
  if (/^\\x[0-9a-fA-F]+$/.test(body)) return BigInt(parseInt(body.slice(2), 16));
  if (/^\\[0-7]{1,3}$/.test(body)) return BigInt(parseInt(body.slice(1), 8));
  const c = esc[body.slice(1)];
  if (c === undefined) throw new ExprError(`unsupported character literal ${text}`);
  return BigInt(c);
}

const BIN_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6,
  '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

export function evalTokens(toks: readonly Tok[], hooks: ExprHooks = {}, vars?: Map<string, Val>): Val {
  const p = new P(toks, hooks, vars);
  const v = p.comma();
  if (p.i < toks.length) throw new ExprError(`unexpected '${toks[p.i].t}' in expression`);
  return v;
}

class P {
  i = 0;
  /** >0 while parsing an operand gcc does not evaluate (the untaken arm of ?:, the right of a decided
   *  && or ||): it still parses, but what only its evaluation needs (sizeof of an expression, an
   *  unknown identifier, division by zero) cannot fail there (ilog2's sizeof(n) arm) */
  private dead = 0;
  constructor(private toks: readonly Tok[], private h: ExprHooks, private vars?: Map<string, Val>) {}

  /**
   * `({ T a = x; __auto_type b = y; ...; expr; })` (min(), max() of 6.12): gcc folds it on constants.
   * Declarations bind their names, other statements (BUILD_BUG_ON_MSG's checks) have no value, the
   * last expression is the value.
   */
  statementExpr(): Val {
    this.i++; // '{'
    const body = this.until('}');
    this.need(')');
    const stmts: Tok[][] = [[]];
    let d = 0;
    for (const t of body) {
      if (t.t === '(' || t.t === '[' || t.t === '{') d++;
      else if (t.t === ')' || t.t === ']' || t.t === '}') d--;
      if (t.t === ';' && d === 0) { stmts.push([]); continue; }
      stmts[stmts.length - 1].push(t);
    }
    const list = stmts.filter((x) => x.length);
    const vars = new Map(this.vars ?? []);
    const sub = (toks: Tok[]) => this.live(() => evalTokens(toks, this.h, vars));
    for (let k = 0; k < list.length - 1; k++) {
      const st = list[k];
      const eq = st.findIndex((t) => t.t === '=');
      if (eq > 1 && st[eq - 1].k === 'id' && st.slice(0, eq - 1).every((t) => t.k === 'id' || t.t === '*')) vars.set(st[eq - 1].t, sub(st.slice(eq + 1)));
    }
    const last = list[list.length - 1];
    if (!last) throw new ExprError('empty statement expression');
    return sub(last);
  }
  peek(o = 0): Tok | undefined { return this.toks[this.i + o]; }
  /** whether a type name starts o tokens ahead (none does past the end: a truncated `(` or `sizeof(`) */
  typeAt(o: number): boolean { const t = this.peek(o); return !!t && !!this.h.isTypeStart?.(t, this.peek(o + 1)); }
  eat(t: string): boolean { if (this.peek()?.t === t) { this.i++; return true; } return false; }
  need(t: string): void { if (!this.eat(t)) throw new ExprError(`expected '${t}'${this.peek() ? ` before '${this.peek()!.t}'` : ' at end'}`); }

  /** a size_t value: 32 bits wide where long is */
  sizeT(v: bigint): Val { return norm(v, true, this.h.longBits === 32 ? 32 : undefined); }

  comma(): Val { let v = this.cond(); while (this.eat(',')) v = this.cond(); return v; }

  cond(): Val {
    const c = this.bin(1);
    if (!this.eat('?')) return c;
    const a = this.deadIf(c.v === 0n, () => this.comma());
    this.need(':');
    const b = this.deadIf(c.v !== 0n, () => this.cond());
    const u = a.u || b.u;
    return norm(c.v !== 0n ? a.v : b.v, u, narrow(a) && (narrow(b) || !b.u) ? 32 : undefined);
  }

  bin(minPrec: number): Val {
    let l = this.unary();
    for (;;) {
      const op = this.peek();
      const prec = op && op.k === 'punct' ? BIN_PREC[op.t] : undefined;
      if (prec === undefined || prec < minPrec) return l;
      this.i++;
      if (op!.t === '&&' || op!.t === '||') {
        const r = this.deadIf(op!.t === '&&' ? l.v === 0n : l.v !== 0n, () => this.bin(prec + 1));
        const v = op!.t === '&&' ? l.v !== 0n && r.v !== 0n : l.v !== 0n || r.v !== 0n;
        l = { v: v ? 1n : 0n, u: false };
        continue;
      }
      const r = this.bin(prec + 1);
      l = this.live(() => binop(op!.t, l, r));
    }
  }

  deadIf(dead: boolean, f: () => Val): Val {
    if (dead) this.dead++;
    try { return f(); } finally { if (dead) this.dead--; }
  }

  /** a value only evaluation needs: 0 when it cannot be had in a dead operand */
  live(f: () => Val): Val {
    if (!this.dead) return f();
    try { return f(); } catch (e) { if (e instanceof ExprError) return { v: 0n, u: false }; throw e; }
  }

  unary(): Val {
    const t = this.peek();
    if (!t) throw new ExprError('unexpected end of expression');
    if (t.k === 'punct') {
      switch (t.t) {
        case '-': this.i++; { const v = this.unary(); return norm(-v.v, v.u, v.b); }
        case '+': this.i++; return this.unary();
        case '!': this.i++; return { v: this.unary().v === 0n ? 1n : 0n, u: false };
        case '~': this.i++; { const v = this.unary(); return norm(~v.v, v.u, v.b); }
        case '(':
          if (this.typeAt(1)) {
            this.i++;
            const ty = this.until(')');
            if (this.peek()?.t === '{') throw new ExprError('compound literals are not constant');
            const v = this.unary();
            const ci = this.h.castInfo?.(ty);
            if (!ci) return v;
            const bits = BigInt(ci.size * 8);
            const w = ci.unsigned ? BigInt.asUintN(Number(bits), v.v) : BigInt.asIntN(Number(bits), v.v);
            return ci.unsigned && ci.size === 4 && this.h.longBits !== undefined ? norm(w, true, 32) : { v: w, u: ci.unsigned && ci.size >= 8 };
          }
          break;
      }
    }
    if (t.k === 'id' && (t.t === 'sizeof' || t.t === '_Alignof' || t.t === '__alignof__' || t.t === '__alignof' || t.t === 'alignof')) {
      this.i++;
      const isSize = t.t === 'sizeof';
      if (this.peek()?.t === '(' && this.typeAt(1)) {
        this.i++;
        const ty = this.until(')');
        const f = isSize ? this.h.sizeofType : this.h.alignofType;
        if (!f) throw new ExprError(`${t.t} is not available here`);
        return this.live(() => this.sizeT(f(ty)));
      }
      // sizeof does not evaluate its operand (sizeof(*p), sizeof(p->a[0])): take it whole for the hook
      const start = this.i;
      if (this.peek()?.t === '(') this.skipPostfix();
      else this.deadIf(true, () => this.unary());
      const operand = this.toks.slice(start, this.i);
      return this.live(() => {
        const f = isSize ? this.h.sizeofExpr : this.h.alignofExpr;
        if (!f) throw new ExprError(`${t.t} of an expression is not supported`);
        return this.sizeT(f(operand));
      });
    }
    return this.postfix();
  }

  /** tokens up to the matching close (consumed), balanced */
  until(close: string): Tok[] {
    const start = this.i;
    let depth = 0;
    for (; this.i < this.toks.length; this.i++) {
      const x = this.toks[this.i].t;
      if (x === '(' || x === '[' || x === '{') depth++;
      else if (x === ')' || x === ']' || x === '}') {
        if (depth === 0) { if (x !== close) break; const r = this.toks.slice(start, this.i); this.i++; return r; }
        depth--;
      }
    }
    throw new ExprError(`expected '${close}'`);
  }

  args(): Tok[][] {
    this.need('(');
    const inner = this.until(')');
    const out: Tok[][] = [[]];
    let depth = 0;
    for (const t of inner) {
      if (t.t === '(' || t.t === '[' || t.t === '{') depth++;
      else if (t.t === ')' || t.t === ']' || t.t === '}') depth--;
      else if (t.t === ',' && depth === 0) { out.push([]); continue; }
      out[out.length - 1].push(t);
    }
    return out;
  }

  sub(toks: Tok[]): Val { return this.live(() => evalTokens(toks, this.h)); }

  postfix(): Val {
    const t = this.toks[this.i++];
    if (t.k === 'num') return parseIntLiteral(t.t, this.h.longBits);
    if (t.k === 'chr') return { v: charValue(t.t), u: false };
    if (t.t === '(' && this.peek()?.t === '{') return this.statementExpr();
    if (t.t === '(') {
      const v = this.comma();
      this.need(')');
      return v;
    }
    if (t.k === 'id') {
      const b = this.builtin(t.t);
      if (b) return b;
      // a call in a dead operand (ilog2's __ilog2_u64(n)): parsed, never evaluated
      if (this.dead && this.peek()?.t === '(') { this.args(); return { v: 0n, u: false }; }
      const bound = this.vars?.get(t.t);
      if (bound) return bound;
      const v = this.h.ident?.(t.t);
      if (v !== undefined) return { v, u: false };
      if (this.h.ppMode) {
        if (this.peek()?.t === '(') throw new ExprError(`function-like macro ${t.t} is not defined`);
        return { v: 0n, u: false };
      }
      // `x.m` / `x->m` outside sizeof is never a constant in C: a variable the running kernel reads
      const member = this.peek()?.t === '.' || this.peek()?.t === '->' ? this.peek(1)?.t : undefined;
      if (member) {
        // the whole chain `a->b.c`: a value the asking place stored there (not a call or an index), else the run's memory
        let j = this.i;
        while ((this.toks[j]?.t === '.' || this.toks[j]?.t === '->') && this.toks[j + 1]?.k === 'id') j += 2;
        const chain = this.toks.slice(this.i - 1, j).map((x) => x.t).join('');
        const stored = this.toks[j]?.t === '(' || this.toks[j]?.t === '[' ? undefined : this.h.member;
        const v = this.live(() => {
          const x = stored?.(chain);
          if (x === undefined) throw new ExprError(`known only at run time: ${chain} is read from memory when the code runs`);
          return { v: x, u: false };
        });
        this.i = j;
        return v;
      }
      // a call left after expansion is a function (arm64's inline cache_line_size() reads CTR_EL0): not folded here
      if (this.peek()?.t === '(') return this.live(() => { throw new ExprError(`known only at run time: ${t.t}() is a function call (its body is not folded)`); });
      return this.live(() => { throw new ExprError(`unknown identifier ${t.t}`); });
    }
    throw new ExprError(`unexpected '${t.t}' in expression`);
  }

  /** Past a parenthesized operand and its postfix `[...]`, `.m`, `->m` without evaluating it. */
  private skipPostfix(): void {
    const group = () => {
      let d = 0;
      for (; this.i < this.toks.length; this.i++) {
        const x = this.toks[this.i].t;
        if (x === '(' || x === '[') d++;
        else if ((x === ')' || x === ']') && --d === 0) { this.i++; return; }
      }
      throw new ExprError('unbalanced parentheses after sizeof');
    };
    group();
    for (;;) {
      const x = this.peek()?.t;
      if (x === '[') group();
      else if ((x === '.' || x === '->') && this.peek(1)?.k === 'id') this.i += 2;
      else return;
    }
  }

  builtin(name: string): Val | undefined {
    if (this.peek()?.t !== '(') return undefined;
    switch (name) {
      case '__builtin_constant_p': {
        const [a] = this.args();
        try { this.sub(a); return { v: 1n, u: false }; } catch { return { v: 0n, u: false }; }
      }
      case '__builtin_choose_expr': {
        const [c, a, b] = this.args();
        return this.sub(c).v !== 0n ? this.sub(a) : this.sub(b);
      }
      case '__builtin_expect': { const [a] = this.args(); return this.sub(a); }
      case '__builtin_types_compatible_p': {
        const [a, b] = this.args();
        if (!this.h.typesCompatible || !a || !b) throw new ExprError('__builtin_types_compatible_p is not available here');
        return { v: this.h.typesCompatible(a, b) ? 1n : 0n, u: false };
      }
      case '__builtin_offsetof': case 'offsetof': {
        const [ty0, ...mem] = this.args();
        if (!this.h.offsetof || mem.length !== 1) throw new ExprError('offsetof is not available here');
        // `((T *)0)` for T: how a record's bound carries offsetof through the parser (layout/index.ts)
        const n = ty0.length;
        const ty = n > 4 && ty0[0].t === '(' && ty0[n - 3]?.t === '*' && ty0[n - 2]?.t === ')' && ty0[n - 1]?.t === '0' ? ty0.slice(1, n - 3) : ty0;
        return this.live(() => this.sizeT(this.h.offsetof!(ty, mem[0])));
      }
      // include/linux/overflow.h's always-inline helpers: gcc folds them on constants, saturating at SIZE_MAX
      case 'size_mul': case 'size_add': case 'size_sub': {
        if (!this.h.sizeMax) return undefined;
        const [a, b] = this.args();
        if (!a || !b) throw new ExprError(`${name} takes two arguments`);
        const max = this.h.sizeMax;
        const x = BigInt.asUintN(64, this.sub(a).v) & max;
        const y = BigInt.asUintN(64, this.sub(b).v) & max;
        const r = name === 'size_mul' ? x * y : name === 'size_add' ? x + y : x === max || y === max || x < y ? max : x - y;
        return { v: r > max ? max : r, u: true };
      }
      case '__builtin_clz': case '__builtin_clzl': case '__builtin_clzll':
      case '__builtin_ctz': case '__builtin_ctzl': case '__builtin_ctzll':
      case '__builtin_popcount': case '__builtin_popcountl': case '__builtin_popcountll':
      case '__builtin_ffs': case '__builtin_ffsl': case '__builtin_ffsll': {
        const [a] = this.args();
        const x = BigInt.asUintN(64, this.sub(a).v);
        const w = name.endsWith('ll') || name.endsWith('l') ? 64 : 32;
        const xs = x.toString(2);
        if (name.includes('popcount')) return { v: BigInt([...xs].filter((c) => c === '1').length), u: false };
        if (name.includes('ffs')) return { v: x === 0n ? 0n : BigInt(xs.length - xs.lastIndexOf('1')), u: false };
        if (x === 0n) throw new ExprError(`${name}(0) is undefined`);
        if (name.includes('clz')) return { v: BigInt(w - xs.length), u: false };
        return { v: BigInt(xs.length - 1 - xs.lastIndexOf('1')), u: false };
      }
    }
    return undefined;
  }
}

function binop(op: string, l: Val, r: Val): Val {
  // a shift has the left operand's type
  if (op === '<<' || op === '>>') {
    if (narrow(l)) return norm(op === '<<' ? l.v << (r.v & 31n) : l.v >> (r.v & 31n), true, 32);
    return norm(op === '<<' ? l.v << (r.v & 63n) : (l.u ? BigInt.asUintN(64, l.v) : l.v) >> (r.v & 63n), l.u);
  }
  // a 32-bit unsigned operand with another that fits (the other 32-bit unsigned, or an int): unsigned int
  const w32 = (narrow(l) || narrow(r)) && [l, r].every((x) => narrow(x) || (!x.u && x.v >= -(1n << 31n) && x.v < 1n << 31n));
  const u = w32 || l.u || r.u;
  const conv = (x: Val) => (w32 ? BigInt.asUintN(32, x.v) : u ? BigInt.asUintN(64, x.v) : x.v);
  const a = conv(l);
  const b = conv(r);
  const n = (v: bigint) => (w32 ? norm(v, true, 32) : norm(v, u));
  switch (op) {
    case '+': return n(a + b);
    case '-': return n(a - b);
    case '*': return n(a * b);
    case '/': if (b === 0n) throw new ExprError('division by zero'); return n(a / b);
    case '%': if (b === 0n) throw new ExprError('division by zero'); return n(a % b);
    case '&': return n(a & b);
    case '|': return n(a | b);
    case '^': return n(a ^ b);
    case '==': return { v: a === b ? 1n : 0n, u: false };
    case '!=': return { v: a !== b ? 1n : 0n, u: false };
    case '<': return { v: a < b ? 1n : 0n, u: false };
    case '>': return { v: a > b ? 1n : 0n, u: false };
    case '<=': return { v: a <= b ? 1n : 0n, u: false };
    case '>=': return { v: a >= b ? 1n : 0n, u: false };
  }
  throw new ExprError(`operator ${op} not supported`);
}
