// `ARRAY_SIZE(table)` in a per-CPU array dimension (fs/lockd/svc.c:
// `nlmsvc_version3_count[ARRAY_SIZE(nlmsvc_procedures)]`): the element count of a named array,
// from its declaration in the file or a header it includes: `table[24]` (the dimension), or
// `table[] = { ... }` (the initializer: designators `[X] =` set the index, as in C).
import { Tok, render, stripComments, tokenize } from '../config/lex';
import type { LayoutEngine } from '../layout';

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

/** Element count of array `name` declared in `text`, or undefined. */
export function arrayLength(text: string, name: string, evalInt: EvalInt): number | undefined {
  if (!text.includes(name)) return undefined;
  const toks = tokenize(stripComments(text));
  let unsized: number | undefined;
  for (let i = 0; i + 1 < toks.length; i++) {
    if (toks[i].k !== 'id' || toks[i].t !== name || toks[i + 1].t !== '[' || toks[i - 1]?.t === '.' || toks[i - 1]?.t === '->') continue;
    const e = close(toks, i + 1);
    if (e < 0 || ![';', '=', ','].includes(toks[e + 1]?.t)) continue; // declarations only, not uses
    if (e > i + 2) {
      const n = evalInt(render(toks.slice(i + 2, e)));
      if (n !== undefined) return n;
      continue;
    }
    if (toks[e + 1]?.t !== '=' || toks[e + 2]?.t !== '{') continue;
    unsized ??= initializerCount(toks, e + 2, evalInt);
  }
  return unsized;
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

/** Replace `ARRAY_SIZE(name)` in a dimension by the count, where the declaration is found. */
export function resolveArraySizes(dim: string, texts: () => Iterable<string>, evalInt: EvalInt): string {
  return dim.replace(/\bARRAY_SIZE\s*\(\s*([A-Za-z_]\w*)\s*\)/g, (m, name: string) => {
    for (const t of texts()) {
      const n = arrayLength(t, name, evalInt);
      if (n !== undefined) return String(n);
    }
    return m;
  });
}

/** The active text of a file, then of the headers it includes, in include order. */
export function* includedTexts(layout: LayoutEngine, absFile: string): Iterable<string> {
  for (const f of layout.index.includeOrder(absFile).keys()) {
    const t = layout.index.loaded(f)?.scan.active;
    if (t) yield t;
  }
}
