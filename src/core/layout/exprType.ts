// The type of a C expression gcc takes sizeof/typeof of at an allocation site: `*pc`,
// `*chan->local`, `(p)->member[0]`, `&x`, `gic_data.rdists.rdist`, over the variables the site
// sees (its function's parameters and locals, the file's globals: ExprScope). The type's size
// then folds as gcc folds it: sizeof never evaluates its operand, only its declared type matters.
import type { Tok } from '../config/lex';
import { render, tokenize } from '../config/lex';
import type { TInfo } from './record';
import { LayoutError } from './walk';

/** The variables an expression at one place of a file sees. */
export interface ExprScope {
  /** the declared type of a variable (`struct bpf_mem_cache __percpu *`), undefined when none is declared */
  typeOf(name: string): string | undefined;
  /** the constant expression a variable holds there (its only assignment), undefined when it has none */
  valueAt?(name: string): string | undefined;
  /** why a variable's value is not known before the program runs (`a parameter of f`) */
  runTime?(name: string): string | undefined;
  /** the expression last stored in a member chain (`new->cache_size`, no spaces) before this place, undefined when none is known */
  memberAt?(chain: string): string | undefined;
}

export interface ExprTypeOps {
  /** a type name as the asking file sees it */
  typeOfText(text: string): TInfo;
  pointerSize: number;
}

/** `T *` qualifiers and attributes dropped: the pointed-to type's text. */
export function pointee(ptrName: string): string {
  const toks = tokenize(ptrName);
  // drop __attribute__((...)) groups and qualifiers, then the last '*'
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if ((t.t === '__attribute__' || t.t === '__attribute') && toks[i + 1]?.t === '(') {
      let d = 0;
      for (i++; i < toks.length; i++) { if (toks[i].t === '(') d++; else if (toks[i].t === ')' && --d === 0) break; }
      continue;
    }
    if (/^(?:const|volatile|restrict|__restrict|__restrict__|__const|__volatile__)$/.test(t.t)) continue;
    out.push(t);
  }
  const star = out.map((t) => t.t).lastIndexOf('*');
  if (star < 0 || star !== out.length - 1) throw new LayoutError(`cannot dereference ${ptrName}`);
  return render(out.slice(0, star));
}

/** Member `name` of a struct/union, searching anonymous members as C does. */
function member(t: TInfo, name: string): TInfo | undefined {
  const ms = t.members ?? [];
  const ts = t.memberTypes ?? [];
  for (let i = 0; i < ms.length; i++) {
    if (ms[i].name === name) return ts[i];
    if (ms[i].name === '' && ts[i]) {
      const inner = member(ts[i], name);
      if (inner) return inner;
    }
  }
  return undefined;
}

/**
 * The type of `toks` (a unary expression over identifiers, `*`, `&`, `->`, `.`, `[...]`, parentheses).
 * Throws LayoutError when a name has no declaration in `scope` or a step does not apply.
 */
export function exprType(toks: readonly Tok[], scope: ExprScope, ops: ExprTypeOps): TInfo {
  let i = 0;
  const peek = (o = 0) => toks[i + o];
  const deref = (t: TInfo): TInfo => {
    if (t.kind === 'array' && t.elem) return t.elem;
    if (t.kind === 'ptr') return t.target ? t.target() : ops.typeOfText(pointee(t.name));
    throw new LayoutError(`cannot dereference ${t.name}`);
  };
  const field = (t: TInfo, name: string): TInfo => {
    if (t.kind !== 'record') throw new LayoutError(`${t.name} is not a struct or union (member ${name})`);
    const m = member(t, name);
    if (!m) throw new LayoutError(`${t.name} has no member ${name}`);
    return m;
  };
  const skipGroup = () => {
    let d = 0;
    for (; i < toks.length; i++) {
      if (toks[i].t === '[' || toks[i].t === '(') d++;
      else if ((toks[i].t === ']' || toks[i].t === ')') && --d === 0) { i++; return; }
    }
    throw new LayoutError('unbalanced brackets');
  };
  const unary = (): TInfo => {
    const t = peek();
    if (!t) throw new LayoutError('empty expression');
    if (t.t === '*') { i++; return deref(unary()); }
    if (t.t === '&') {
      i++;
      const x = unary();
      return { kind: 'ptr', size: ops.pointerSize, align: ops.pointerSize, fieldAlign: ops.pointerSize, userAlign: false, unsigned: true, name: `${x.name} *` };
    }
    return postfix();
  };
  const postfix = (): TInfo => {
    let cur: TInfo;
    const t = toks[i++];
    if (t?.t === '(') {
      cur = unaryUntilClose();
    } else if (t?.k === 'id') {
      const decl = scope.typeOf(t.t);
      if (decl === undefined) throw new LayoutError(`no declaration of ${t.t} in scope`);
      cur = ops.typeOfText(decl);
    } else throw new LayoutError(`unexpected '${t?.t ?? 'end'}' in ${render(toks)}`);
    for (;;) {
      const p = peek();
      if (p?.t === '->' && peek(1)?.k === 'id') { cur = field(deref(cur), peek(1)!.t); i += 2; } else if (p?.t === '.' && peek(1)?.k === 'id') { cur = field(cur, peek(1)!.t); i += 2; } else if (p?.t === '[') { skipGroup(); cur = deref(cur); } else return cur;
    }
  };
  const unaryUntilClose = (): TInfo => {
    const r = unary();
    if (toks[i]?.t !== ')') throw new LayoutError(`not a plain expression: ${render(toks)}`);
    i++;
    return r;
  };
  const r = unary();
  if (i !== toks.length) throw new LayoutError(`not a plain expression: ${render(toks)}`);
  return r;
}
