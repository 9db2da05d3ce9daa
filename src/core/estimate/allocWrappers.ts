// alloc_percpu calls written inside header macros (include/linux/netdevice.h's
// netdev_alloc_pcpu_stats(type) -> alloc_percpu_gfp(type, GFP_KERNEL)): the scan sees only the
// macro's use, so each use in a built file is expanded with the file's macros down to the
// alloc_percpu* call, which becomes a call site at the use's file:line.
import * as path from 'path';
import { render, tokenize, type Tok } from '../config/lex';
import { expand, type MacroLookup } from '../config/macros';
import type { LayoutEngine } from '../layout';
import type { Finding } from '../parse/types';
import { ALLOC_FUNCS } from '../parse/triggers';
import { functionName, functionsAt, lineStarts, lineOf } from '../rules/syntax';

/** The arguments of the call whose `(` is toks[open], split at top-level commas; `end` is its `)`. */
export function callArgs(toks: Tok[], open: number): { list: Tok[][]; end: number } | undefined {
  const list: Tok[][] = [[]];
  let d = 0;
  for (let j = open; j < toks.length; j++) {
    const t = toks[j].t;
    if (t === '(' || t === '[' || t === '{') { if (d++ > 0) list[list.length - 1].push(toks[j]); continue; }
    if (t === ')' || t === ']' || t === '}') { if (--d === 0) return { list, end: j }; list[list.length - 1].push(toks[j]); continue; }
    if (t === ',' && d === 1) { list.push([]); continue; }
    list[list.length - 1].push(toks[j]);
  }
  return undefined;
}

/** The alloc_percpu* call a macro use expands to, as the scan would have read it written out. */
function allocOf(use: Tok[], lookup: MacroLookup): Pick<Finding, 'macro' | 'type' | 'sizeExpr' | 'alignExpr'> | undefined {
  let out: Tok[];
  try { out = expand(use, (n) => (ALLOC_FUNCS.has(n) ? undefined : lookup(n))); } catch { return undefined; }
  const i = out.findIndex((t, k) => ALLOC_FUNCS.has(t.t) && out[k + 1]?.t === '(');
  if (i < 0) return undefined;
  const a = callArgs(out, i + 1);
  if (!a) return undefined;
  const macro = out[i].t;
  if (/^alloc_percpu/.test(macro)) return { macro, type: render(a.list[0]).trim() };
  return { macro, type: '', sizeExpr: render(a.list[0] ?? []).trim(), alignExpr: render(a.list[1] ?? []).trim() };
}

/**
 * The files of `files` whose text `mentions` says holds one of `names`, loaded with their macros:
 * the active text (inactive #if branches and directives blank), its line starts, its macro lookup.
 */
export function* filesMentioning(root: string, files: readonly string[], names: readonly string[], layout: LayoutEngine, mentions: (file: string) => ReadonlySet<string>):
  Generator<{ f: string; m: ReadonlySet<string>; text: string; starts: number[]; lookup: MacroLookup }> {
  for (const f of files) {
    const m = mentions(f);
    if (!names.some((n) => m.has(n))) continue;
    const abs = path.resolve(root, f);
    const lf = layout.index.load(abs);
    if (!lf) continue;
    const text = lf.scan.active;
    yield { f, m, text, starts: lineStarts(text), lookup: layout.index.lookupFor(abs) };
  }
}

/**
 * Call sites of `wrappers` (macro names) in the built .c files `files`. `mentions` gives the
 * wrapper names a file's text holds: only those files are read with their macros.
 */
export async function wrappedAllocs(root: string, files: readonly string[], wrappers: ReadonlySet<string>, layout: LayoutEngine, mentions: (file: string) => ReadonlySet<string>): Promise<Finding[]> {
  const out: Finding[] = [];
  const names = [...wrappers].filter((n) => /^\w+$/.test(n));
  if (!names.length) return out;
  const re = new RegExp(`\\b(${names.join('|')})\\s*\\(`, 'g');
  for (const { f, text, starts, lookup } of filesMentioning(root, files, names, layout, mentions)) {
    for (const m of text.matchAll(re)) {
      const toks = tokenize(text.slice(m.index!, m.index! + 4000));
      const a = callArgs(toks, 1);
      if (!a) continue;
      const alloc = allocOf(toks.slice(0, a.end + 1), lookup);
      if (!alloc) continue;
      const line = lineOf(starts, m.index!) + 1;
      const [fn] = await functionsAt(text, [m.index!]);
      const func = fn?.fn ? functionName(fn.fn) : undefined;
      const column = m.index! - starts[line - 1] + 1;
      out.push({ kind: 'alloc', file: f, line, column, endLine: line, endColumn: column + m[1].length, name: '', ...alloc, ...(func ? { func } : {}) });
    }
  }
  return out;
}
