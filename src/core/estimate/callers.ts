// The calls of a function in the built .c files, written directly or through header macros that
// expand to it (percpu_counter_init(fbc, 0, gfp) -> __percpu_counter_init_many(fbc, 0, gfp, 1, &__key)):
// each with its file:line, the function it sits in and its arguments as the compiler sees them
// (the use expanded with the file's macros). Only calls inside function bodies count: a
// prototype or the definition's own header is not a call.
import { render, tokenize } from '../config/lex';
import { expand } from '../config/macros';
import type { LayoutEngine } from '../layout';
import { callArgs, filesMentioning } from './allocWrappers';
import { functionName, functionsAt, lineOf } from '../rules/syntax';

export interface Call {
  file: string;
  /** 1-based line and column of the call, or of the macro use that expands to it */
  line: number;
  column: number;
  /** the function the call is in */
  caller?: string;
  callee: string;
  /** the arguments, macros expanded */
  args: string[];
}

/**
 * Calls of `callees` in `files` (built .c files relative to `root`), directly or through `macros`
 * (names of macros expanding to them). `mentions` gives the names a file's text holds: only
 * those files are read.
 */
export async function callsOf(root: string, files: readonly string[], callees: ReadonlySet<string>, macros: ReadonlySet<string>, layout: LayoutEngine,
  mentions: (file: string) => ReadonlySet<string>): Promise<{ calls: Call[]; addressTaken: Set<string> }> {
  const out: Call[] = [];
  const addressTaken = new Set<string>();
  const names = [...callees, ...macros].filter((n) => /^\w+$/.test(n));
  if (!names.length) return { calls: out, addressTaken };
  const re = new RegExp(`\\b(${names.join('|')})\\s*\\(`, 'g');
  for (const { f, m, text, starts, lookup } of filesMentioning(root, files, names, layout, mentions)) {
    // a callee named other than in a call (`.alloc = f`, `fn = f;`) may be called through a pointer
    for (const c of callees) {
      if (!m.has(c) || addressTaken.has(c)) continue;
      for (const x of text.matchAll(new RegExp(`\\b${c}\\b(?!\\s*\\()`, 'g'))) {
        if (!/EXPORT_SYMBOL\w*\(\s*$/.test(text.slice(Math.max(0, x.index! - 40), x.index))) { addressTaken.add(c); break; }
      }
    }
    for (const hit of text.matchAll(re)) {
      const at = hit.index!;
      const [fn] = await functionsAt(text, [at]);
      const body = fn?.fn?.childForFieldName('body');
      if (!fn || !body || at < fn.start + body.startIndex || at >= fn.start + body.endIndex) continue;
      const toks = tokenize(text.slice(at, at + 4000));
      const use = callArgs(toks, 1);
      if (!use) continue;
      let exp;
      try { exp = expand(toks.slice(0, use.end + 1), (n) => (callees.has(n) ? undefined : lookup(n))); } catch { continue; }
      const line = lineOf(starts, at) + 1;
      const caller = functionName(fn.fn);
      for (let i = 0; i < exp.length; i++) {
        if (!callees.has(exp[i].t) || exp[i + 1]?.t !== '(') continue;
        const a = callArgs(exp, i + 1);
        if (!a) break;
        out.push({ file: f, line, column: at - starts[line - 1] + 1, ...(caller ? { caller } : {}), callee: exp[i].t, args: a.list.map((x) => render(x).trim()) });
        i = a.end;
      }
    }
  }
  return { calls: out, addressTaken };
}
