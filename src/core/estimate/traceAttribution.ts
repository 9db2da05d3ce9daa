// Trace events whose function holds no alloc_percpu call site of its own: gcc inlined the function
// that does (a static helper of the same file, or one it calls in turn), so the event names the
// caller. do_kmem_cache_create's 115 allocations are alloc_kmem_cache_cpus's, through
// kmem_cache_open; mem_cgroup_css_alloc's are mem_cgroup_alloc's. The file's call graph, read from
// the parsed functions, gives the call sites the traced function reaches.
import { functionName, functionsAt, type FnChunk } from '../rules/syntax';
import type { Node } from '../parse/treeSitter';
import type { CallsiteRef } from './counts';

/** how deep gcc's inlining is followed (do_kmem_cache_create -> kmem_cache_open -> alloc_kmem_cache_cpus) */
const MAX_DEPTH = 4;
const MAX_FUNCS = 64;

async function definition(text: string, name: string): Promise<FnChunk | undefined> {
  if (!/^\w+$/.test(name)) return undefined;
  // kernel style opens a function body with a '{' in column 0 after the name's line: probe there
  const probes: number[] = [];
  const head = new RegExp(`^(?:\\w[^;=\\n]*?[\\s*])?${name}\\s*\\(`, 'gm'); // "int f(", "static struct x *f(", "f(" after a type line
  for (let m = head.exec(text); m; m = head.exec(text)) { const o = text.indexOf('\n{', m.index) + 1; if (o > 0) probes.push(o); }
  for (const c of await functionsAt(text, probes)) if (functionName(c.fn) === name) return c;
  return undefined;
}

function callees(fn: Node): Set<string> {
  const out = new Set<string>();
  const walk = (n: Node) => {
    if (n.type === 'call_expression') {
      const f = n.childForFieldName('function');
      if (f?.type === 'identifier') out.add(f.text);
    }
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(fn);
  return out;
}

/** The functions of `text` that `root` calls, transitively (itself included), with their line spans. */
async function closure(text: string, root: FnChunk): Promise<{ names: Set<string>; spans: Array<[number, number]> }> {
  const spans: Array<[number, number]> = [];
  const names = new Set<string>();
  const seen = new Set([functionName(root.fn) ?? '']);
  let level: FnChunk[] = [root];
  for (let d = 0; d <= MAX_DEPTH && level.length && seen.size <= MAX_FUNCS; d++) {
    const next: FnChunk[] = [];
    for (const c of level) {
      spans.push([c.line0 + 1, c.line0 + c.text.split('\n').length]);
      for (const callee of callees(c.fn!)) {
        names.add(callee);
        if (seen.has(callee) || seen.size > MAX_FUNCS || !text.includes(callee)) continue;
        seen.add(callee);
        const def = await definition(text, callee);
        if (def?.fn) next.push(def);
      }
    }
    level = next;
  }
  return { names, spans };
}

/** What calls an inline function of a header: its name, and the alloc_hooks() macro named without `_noprof`. */
export const callNames = (fn: string): string[] => (fn.endsWith('_noprof') ? [fn, fn.slice(0, -'_noprof'.length)] : [fn]);

/**
 * Which header inline functions (by name) a built .c file calls, by their names or alloc_hooks()
 * macros: an inline function no built file calls is never emitted. `mentions` gives the names
 * (of callNames) a file's text holds.
 */
export function headerFunctionsCalled(funcs: readonly string[], files: readonly string[], mentions: (file: string) => ReadonlySet<string>): Set<string> {
  const left = new Set(funcs);
  const out = new Set<string>();
  for (const f of files) {
    if (!left.size) break;
    const m = mentions(f);
    if (!m.size) continue;
    for (const fn of left) if (callNames(fn).some((n) => m.has(n))) { out.add(fn); left.delete(fn); }
  }
  return out;
}

/**
 * Call sites in header inline functions (include/linux/mm_types.h: mm_alloc_cid_noprof) reached by
 * each of `funcs`, functions of the built .c files `files`: gcc inlined the header's function into
 * it, so the trace names the caller. `mentions` gives the names a file holds, `textOf` its text:
 * only the few files holding a header function's name are read and parsed.
 */
export async function headerSitesReached(funcs: readonly string[], headerSites: CallsiteRef[], files: readonly string[],
  mentions: (file: string) => ReadonlySet<string>, textOf: (file: string) => string | undefined): Promise<Map<string, CallsiteRef[]>> {
  const out = new Map<string, CallsiteRef[]>();
  const wanted = headerSites.filter((s) => s.func);
  const fs = funcs.filter((f) => /^\w+$/.test(f));
  if (!wanted.length || !fs.length) return out;
  const names = [...new Set(wanted.flatMap((s) => callNames(s.func!)))];
  for (const f of files) {
    const m = mentions(f);
    if (!names.some((n) => m.has(n))) continue;
    const text = textOf(f);
    if (text === undefined) continue;
    for (const func of fs) {
      if (!text.includes(func)) continue;
      const root = await definition(text, func);
      if (!root?.fn) continue;
      const called = (await closure(text, root)).names;
      const hit = wanted.filter((s) => callNames(s.func!).some((n) => called.has(n)));
      if (hit.length) out.set(func, [...new Set([...(out.get(func) ?? []), ...hit])]);
    }
  }
  return out;
}

/**
 * The call sites of `sites` inside `func` or the functions of the same file it calls (transitively):
 * where the allocation of an event traced under `func` may stand. `textOf` gives a file's text.
 */
export async function reachableSites(func: string, sites: CallsiteRef[], textOf: (file: string) => string | undefined): Promise<CallsiteRef[]> {
  const byFile = new Map<string, CallsiteRef[]>();
  for (const s of sites) (byFile.get(s.file) ?? byFile.set(s.file, []).get(s.file)!).push(s);
  const out: CallsiteRef[] = [];
  for (const [file, here] of byFile) {
    const text = textOf(file);
    if (!text || !text.includes(func)) continue;
    const root = await definition(text, func);
    if (!root?.fn) continue;
    // breadth first over the file's own functions, each with the lines it spans
    const { spans } = await closure(text, root);
    out.push(...here.filter((s) => spans.some(([a, b]) => s.line >= a && s.line <= b)));
  }
  return out;
}
