// A named array for `sizeof(table)` and `ARRAY_SIZE(table)` in constant expressions
// (fs/lockd/svc.c: `nlmsvc_version3_count[ARRAY_SIZE(nlmsvc_procedures)]`, mm/memcontrol.c's
// `ARRAY_SIZE(memcg_node_stat_items)` inside a struct): its element count from its declaration in
// the file or a header it includes, `table[24]` (the dimension) or `table[] = { ... }` (the
// initializer: designators `[X] =` set the index, as in C), and its element type.
import { Tok, render, stripComments, tokenize } from '../config/lex';
import type { TypeIndex } from './typeIndex';

export type EvalInt = (expr: string) => number | undefined;

function close(toks: Tok[], i: number): number {
  let d = 0;
  for (let j = i; j < toks.length; j++) {
    const t = toks[j].t;
    if (toks[j].k !== 'punct') continue;
    if (t === '(' || t === '[' || t === '{') d++;
    else if ((t === ')' || t === ']' || t === '}') && --d === 0) return j;
  }
  return -1;
}

/** Words of a declaration that say nothing about the element type. */
const NOT_TYPE = /^(static|extern|inline|register|__\w+)$/;

/**
 * Array `name` as declared in `text`: its element count (the dimension, or the initializer's length)
 * and the element type as written (storage class and `__attributes` dropped). Undefined when absent.
 */
export function arrayDecl(text: string, name: string, evalInt: EvalInt): { count: number; elemType?: string } | undefined {
  if (!text.includes(name)) return undefined;
  const toks = tokenize(stripComments(text));
  let unsized: { count: number; elemType?: string } | undefined;
  for (let i = 0; i + 1 < toks.length; i++) {
    if (toks[i].k !== 'id' || toks[i].t !== name || toks[i + 1].t !== '[' || toks[i - 1]?.t === '.' || toks[i - 1]?.t === '->') continue;
    const e = close(toks, i + 1);
    if (e < 0 || ![';', '=', ','].includes(toks[e + 1]?.t)) continue; // declarations only, not uses
    const elemType = typeBefore(toks, i);
    if (e > i + 2) {
      const n = evalInt(render(toks.slice(i + 2, e)));
      if (n !== undefined) return { count: n, elemType };
      continue;
    }
    if (toks[e + 1]?.t !== '=' || toks[e + 2]?.t !== '{') continue;
    const n = initializerCount(toks, e + 2, evalInt);
    if (n !== undefined) unsized ??= { count: n, elemType };
  }
  return unsized;
}

/** The type written before a declarator at `i`, back to the previous `;`, `{` or `}`. */
function typeBefore(toks: Tok[], i: number): string | undefined {
  let j = i - 1;
  while (j >= 0 && ![';', '{', '}'].includes(toks[j].t)) {
    if (toks[j].t === ')') return undefined; // an attribute or a macro call: not read here
    j--;
  }
  const words = toks.slice(j + 1, i).filter((t) => !(t.k === 'id' && NOT_TYPE.test(t.t)));
  return words.length ? render(words) : undefined;
}

function initializerCount(toks: Tok[], open: number, evalInt: EvalInt): number | undefined {
  const end = close(toks, open);
  if (end < 0) return undefined;
  let idx = 0;
  let max = 0;
  let empty = true;
  for (let j = open + 1; j < end; j++) {
    if (empty && toks[j].t === '[') {
      const e = close(toks, j);
      const v = e < 0 ? undefined : evalInt(render(toks.slice(j + 1, e)));
      if (v === undefined) return undefined;
      idx = v;
      j = e;
      continue;
    }
    const t = toks[j].t;
    if (toks[j].k === 'punct' && (t === '(' || t === '{' || t === '[')) { j = close(toks, j); empty = false; if (j < 0) return undefined; continue; }
    if (toks[j].k === 'punct' && t === ',') {
      if (!empty) { max = Math.max(max, idx + 1); idx++; }
      empty = true;
      continue;
    }
    empty = false;
  }
  if (!empty) max = Math.max(max, idx + 1);
  return max;
}

/** The active text of a file, then of the headers it includes, in include order. */
export function* includedTexts(index: TypeIndex, absFile: string): Iterable<string> {
  for (const f of index.includeOrder(absFile).keys()) {
    const t = index.loaded(f)?.scan.active;
    if (t) yield t;
  }
}
