// Where gcc puts a variable in its object's section: it emits variables in reverse order of
// their first declaration in the translation unit, and a DECLARE_PER_CPU in a header the file
// includes counts as the first (checked with gcc 12: `extern int b; int a; int b;` emits b
// last). Headers come before the file's own lines (kernel files include at the top).
// With section anchors (gcc's default on arm, arm64 and powerpc) a variable is placed in its
// section when a function first takes its address: those come first, in the order the functions
// are compiled and, inside one, of their references; the rest follow in the order above (checked
// with gcc 12 for aarch64, powerpc64le and arm-gnueabihf). The compile order is modelled on gcc's
// call graph (expansionOrder), and a file's own macros count as used where they are expanded.
import * as fs from 'fs';
import * as path from 'path';
import type { Finding } from '../parse/types';
import type { LayoutEngine } from '../layout';
import { stripComments } from '../config/lex';

export class EmitOrder {
  /** header (absolute) → name → line of its DECLARE_PER_CPU* */
  private declared = new Map<string, Map<string, number>>();
  private refs = new Map<string, Map<string, number>>();
  private helperMap?: Map<string, string[]>;
  /** every name some header declares: others need no walk of the include order */
  private declaredNames = new Set<string>();

  /** `anchors`: the arch's gcc uses section anchors (arm, arm64, powerpc; see firstReferences) */
  /** `clones`: the arch's this_cpu_* leave inline clones (ArchProfile.cpuOffsetClone, expansionOrder) */
  constructor(private root: string, findings: Finding[], private layout: LayoutEngine, private anchors = false, private clones = false) {
    for (const f of findings) {
      if (f.kind !== 'declare' || !f.name || f.unresolved || !f.file.endsWith('.h')) continue;
      const abs = path.resolve(root, f.file);
      const m = this.declared.get(abs) ?? new Map<string, number>();
      if (!m.has(f.name)) m.set(f.name, f.line);
      this.declared.set(abs, m);
      this.declaredNames.add(f.name);
    }
  }

  /** a file's active text with its local `#include "x.c"`/`"x.h"` spliced in (kernel/sched/build_utility.c) */
  private spliced(abs: string, depth: number): string | undefined {
    const text = this.layout.index.loaded(abs)?.scan.active;
    if (text === undefined || depth > 2) return text;
    // the active text blanks directives: #include and #define lines come from the source
    let raw: string;
    try { raw = fs.readFileSync(abs, 'latin1'); } catch { return text; }
    const defines = raw.replace(/\\\r?\n/g, ' ').split('\n').filter((l) => /^\s*#\s*define\b/.test(l)).join('\n');
    if (!/#\s*include\s+"/.test(raw)) return `${text}\n${defines}`;
    const lines = text.split('\n');
    raw.split('\n').forEach((l, i) => {
      const m = /^[ \t]*#[ \t]*include[ \t]+"([^"]+)"/.exec(l);
      if (!m || i >= lines.length) return;
      const f = path.resolve(path.dirname(abs), m[1]);
      const inner = fs.existsSync(f) ? this.spliced(f, depth + 1) : undefined;
      if (inner !== undefined) lines[i] = inner; // order matters here, not line numbers
    });
    return `${lines.join('\n')}\n${defines}`;
  }

  /** inline functions and macros of a header that read a per-CPU variable the same header
   *  declares (numa_node_id() → numa_node, include/linux/topology.h): a call is a use */
  private helpers(): Map<string, string[]> {
    if (this.helperMap) return this.helperMap;
    this.helperMap = new Map();
    for (const [h, names] of this.declared) {
      let text: string;
      try { text = stripComments(fs.readFileSync(h, 'latin1')).replace(/\\\r?\n/g, ' '); } catch { continue; }
      for (const [fn, body] of headerBodies(text)) {
        const used = [...names.keys()].filter((n) => new RegExp(`\\b${n}\\b`).test(body));
        if (used.length && !names.has(fn)) this.helperMap.set(fn, used);
      }
    }
    return this.helperMap;
  }

  /** the sort key of `name` defined at `defPosition` in `file` (a .c compiled on its own) */
  position(file: string, name: string, defPosition: number): number {
    const abs = path.resolve(this.root, file);
    if (this.anchors) {
      let r = this.refs.get(abs);
      if (!r) {
        const text = this.spliced(abs, 0);
        r = text === undefined ? new Map() : firstReferences(text, this.helpers(), this.clones);
        this.refs.set(abs, r);
      }
      // placed first, in order of first reference; the rest after them as without anchors
      const k = r.get(name);
      if (k !== undefined) return 1e12 - k;
    }
    if (!this.declaredNames.has(name)) return defPosition;
    for (const [h, i] of this.layout.index.includeOrder(abs)) {
      const line = this.declared.get(h)?.get(name);
      // #if branches inside the header are already applied: includeOrder only follows active includes
      if (line !== undefined && lineIsActive(this.layout, h, line)) return -1e9 + i * 1e5 + line;
    }
    return defPosition;
  }

}

/** Whether a line survives the file's #if branches evaluated with the macros its headers define
 *  (kernel/softirq.c's irq_stat is under #ifndef __ARCH_IRQ_STAT, which x86's asm/hardirq.h sets). */
export function lineIsActive(layout: LayoutEngine, absFile: string, line: number): boolean {
  const text = layout.index.loaded(path.resolve(absFile))?.scan.active;
  return text === undefined || /\S/.test(text.split('\n')[line - 1] ?? '');
}

const ID = /[A-Za-z_]\w*/g;

interface Fn { pos: number; name: string; isStatic: boolean; inline: boolean; noinline: boolean; toks: Array<{ id: string; call: boolean }> }

/**
 * Identifiers in the order gcc's RTL expansion first meets them in `text` (a file's active text
 * with its #define lines): functions in gcc's expand order (expansionOrder), inside one its body
 * in source order; static functions called once or declared inline are read at their call. A
 * macro the file defines stands for the identifiers of its body; a call to a header helper in
 * `helpers` also uses the per-CPU variables it reads. Index 0 is the first.
 */
export function firstReferences(text: string, helpers: Map<string, string[]> = new Map(), clones = false): Map<string, number> {
  const src = stripComments(text).replace(/\\\r?\n/g, ' ');
  const macros = new Map<string, string>();
  for (const m of src.matchAll(/^[ \t]*#[ \t]*define[ \t]+(\w+)(?:\([^)]*\))?(.*)$/gm)) macros.set(m[1], m[2]);
  const code = src.replace(/^[ \t]*#.*$/gm, '');
  const tokens = (body: string, seen: Set<string>, out: Fn['toks']) => {
    for (const m of body.matchAll(/[A-Za-z_]\w*(\s*\()?/g)) {
      const id = m[0].replace(/\s*\($/, '');
      const mb = macros.get(id);
      if (mb !== undefined && !seen.has(id)) {
        seen.add(id);
        tokens(mb, seen, out);
        seen.delete(id);
        continue;
      }
      out.push({ id, call: m[1] !== undefined });
      for (const v of helpers.get(id) ?? []) out.push({ id: v, call: false });
    }
    return out;
  };
  const fns: Fn[] = [];
  const datas: Data[] = [];
  let depth = 0;
  let head = 0; // start of the current top-level item
  let bodyStart = -1;
  let outside = ''; // the text outside function bodies
  let outFrom = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '"' || c === "'") {
      for (i++; i < code.length && code[i] !== c; i++) if (code[i] === '\\') i++;
      continue;
    }
    if (c === '{') {
      // a function body: its head ends with ')' (and attributes) and holds no '=' at top level
      if (depth === 0 && /\)[\s\w()]*$/.test(code.slice(head, i)) && !/=/.test(code.slice(head, i).replace(/\([^()]*\)/g, ''))) {
        bodyStart = i;
        outside += code.slice(outFrom, i);
      }
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        if (bodyStart >= 0) {
          const raw = code.slice(head, bodyStart);
          const h = raw.replace(/__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g, ' ');
          const name = /([A-Za-z_]\w*)\s*\(/.exec(h)?.[1] ?? '';
          outFrom = i + 1;
          fns.push({ pos: fns.length + datas.length, name, isStatic: /\bstatic\b/.test(h), inline: /\binline\b|__always_inline|__inline\b/.test(h), noinline: /\bnoinline\b|__noinline\b|noinline_for_stack/.test(raw), toks: tokens(code.slice(bodyStart, i), new Set(), []) });
        }
        bodyStart = -1;
        head = i + 1;
      }
    } else if (c === ';' && depth === 0) {
      const d = dataItem(code.slice(head, i));
      if (d) datas.push({ ...d, pos: fns.length + datas.length });
      head = i + 1;
    }
  }
  outside += code.slice(outFrom);
  const byName = new Map(fns.filter((f) => f.name).map((f) => [f.name, f]));
  const calls = new Map<string, number>();
  const taken = new Set<string>();
  for (const f of fns) for (const t of f.toks) {
    if (!byName.has(t.id) || t.id === f.name) continue;
    if (t.call) calls.set(t.id, (calls.get(t.id) ?? 0) + 1);
    else taken.add(t.id);
  }
  // named outside any body (EXPORT_SYMBOL(f), `.fn = f` in an initializer): address taken
  for (const m of outside.matchAll(/([A-Za-z_]\w*)(\s*\()?/g)) if (!m[2] && byName.has(m[1])) taken.add(m[1]);
  // a static function the text never names is named by token pasting (DEVICE_ATTR_RO(x) makes
  // x_show an attribute's callback; gcc would drop one truly unused): its address is taken
  // (an unused static inline is dropped without a warning: left out)
  for (const f of fns) if (f.isStatic && !f.inline && f.name && !calls.has(f.name)) taken.add(f.name);
  // call sites after the static inline functions are copied into each of their callers (gcc
  // inlines those early), so a call inside one counts once per call of it
  const callers = new Map<string, Fn[]>();
  for (const f of fns) for (const t of f.toks) if (t.call && byName.has(t.id) && t.id !== f.name) callers.set(t.id, [...(callers.get(t.id) ?? []), f]);
  const memo = new Map<string, number>();
  const sites = (name: string): number => {
    const m = memo.get(name);
    if (m !== undefined) return m;
    memo.set(name, 1); // a cycle counts once
    let n = 0;
    for (const f of callers.get(name) ?? []) n += f.inline && f.isStatic && !taken.has(f.name) ? sites(f.name) : 1;
    memo.set(name, n);
    return n;
  };
  for (const name of calls.keys()) calls.set(name, sites(name));
  const inlined = (f: Fn) => f.isStatic && !f.noinline && !taken.has(f.name) && (f.inline || (calls.get(f.name) ?? 0) <= 1);
  // bodies with inlined callees read at their calls
  const flat = (f: Fn, seen: Set<string>): Fn['toks'] => f.toks.flatMap((t) => {
    const g = t.call ? byName.get(t.id) : undefined;
    if (!g || !inlined(g) || seen.has(g.name)) return [t];
    seen.add(g.name);
    const r = [t, ...flat(g, seen)];
    seen.delete(g.name);
    return r;
  });
  const order = expansionOrder(fns.filter((f) => f.name), datas, taken, inlined, clones);
  const emitted: Array<{ toks: Fn['toks'] }> = [...fns.filter((f) => !f.name), ...order].map((f) => ({ toks: flat(f, new Set([f.name])) }));
  // a header's inline helper whose address the file takes (powerpc's smp.c: mask_fn =
  // cpu_sibling_mask) is compiled out of line: its node is older than the file's functions, so it
  // is expanded first, in header order
  const named = new Set<string>();
  for (const f of fns) for (const t of f.toks) if (!t.call) named.add(t.id);
  for (const m of outside.matchAll(/([A-Za-z_]\w*)(\s*\()?/g)) if (!m[2]) named.add(m[1]);
  const copies = [...helpers].filter(([h]) => named.has(h) && !byName.has(h) && !macros.has(h));
  emitted.unshift(...copies.map(([, vars]) => ({ toks: vars.map((id) => ({ id, call: false })) })));
  const out = new Map<string, number>();
  for (const e of emitted) for (const t of e.toks) if (!out.has(t.id)) out.set(t.id, out.size);
  return out;
}

/** per-CPU accessors of the current CPU's copy: each leaves an inline clone (expansionOrder) */
const THIS_CPU = /^(?:__)?(?:this_cpu|raw_cpu)_\w+$|^[gp][eu]t_cpu_var$|^[gp][eu]t_cpu_ptr$/;

const NOT_CALLS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'typeof', '__typeof__', 'do', 'case', 'defined', '_Static_assert', 'asm', '__asm__', 'volatile', '__volatile__']);

/**
 * The order gcc expands the out-of-line functions of a file (cgraphunit.cc expand_all_functions:
 * ipa_reverse_postorder run backwards). Nodes are the file's functions, in definition order, then
 * the functions it calls without defining them, created when a caller is analysed: analysis pops
 * the functions visible outside, oldest first, then depth first what each references and calls.
 * Pass 0 starts from functions visible outside and not address-taken, pass 1 from every node left
 * (callees defined elsewhere included); both walk nodes newest first and go depth first over
 * callers (the newest call edge first), listing a node after its callers. Read backwards, a
 * function comes after its callees, in the walk of its newest callee, walks of older nodes first
 * (docs/placement.md §3).
 */
function expansionOrder(fns: Fn[], datas: Data[], taken: Set<string>, inlined: (f: Fn) => boolean, clones: boolean): Fn[] {
  interface Node { name: string; fn?: Fn; data?: Data; callers: Node[]; clone?: boolean }
  const nodes: Node[] = fns.map((fn) => ({ name: fn.name, fn, callers: [] }));
  const node = new Map(nodes.map((n) => [n.name, n]));
  const dataNodes = new Map<string, Node>();
  for (const d of datas) if (!node.has(d.name) && !dataNodes.has(d.name)) dataNodes.set(d.name, { name: d.name, data: d, callers: [] });
  const defined = (id: string) => node.get(id)?.fn ? node.get(id) : dataNodes.get(id);
  // analysis: a LIFO queue seeded with what is visible outside (or kept), oldest on top
  const queued = new Set<Node>();
  const stack: Node[] = [];
  const seeds = [...nodes.filter((n) => !n.fn!.isStatic), ...[...dataNodes.values()].filter((n) => n.data!.needed)]
    .sort((a, b) => (b.fn ?? b.data)!.pos - (a.fn ?? a.data)!.pos);
  for (const n of seeds) { stack.push(n); queued.add(n); }
  const analysed = new Map<Node, number>();
  const analyse = (n: Node) => {
    analysed.set(n, analysed.size);
    const callees: Node[] = [];
    const refs: Node[] = [];
    const add = (r: Node | undefined) => { if (r && r !== n && !refs.includes(r)) refs.push(r); };
    if (n.data) for (const id of n.data.refs) add(defined(id));
    else for (const t of n.fn!.toks) {
      if (t.id === n.name) continue;
      if (!t.call) { add(defined(t.id)); continue; }
      if (NOT_CALLS.has(t.id)) continue;
      let c = node.get(t.id);
      if (!c) { c = { name: t.id, callers: [] }; node.set(t.id, c); nodes.push(c); }
      c.callers.unshift(n); // callers list: the newest edge first
      if (c.fn && !callees.includes(c)) callees.push(c);
    }
    // callees pushed from the newest edge (the last call), so the first call is analysed next
    for (const c of [...callees].reverse()) if (!queued.has(c)) { queued.add(c); stack.push(c); }
    // references pushed in their order: the last one is analysed first
    for (const r of refs) if (!queued.has(r)) { queued.add(r); stack.push(r); }
  };
  for (;;) {
    while (stack.length) analyse(stack.pop()!);
    // functions reached by nothing we read: analysed last, in definition order
    const rest = nodes.find((n) => n.fn && !queued.has(n));
    if (!rest) break;
    queued.add(rest);
    stack.push(rest);
  }
  const walk = (): Node[] => {
    const order: Node[] = [];
    const visited = new Set<Node>();
    const visit = (n: Node) => {
      visited.add(n);
      for (const c of n.callers) if (!visited.has(c)) visit(c);
      order.push(n);
    };
    for (const pass of [0, 1]) {
      for (const n of [...nodes].reverse()) {
        if (visited.has(n)) continue;
        if (pass === 0 && (!n.fn || n.fn.isStatic || taken.has(n.name) || n.clone)) continue;
        visit(n);
      }
    }
    return order.reverse();
  };
  // gcc's IPA inliner leaves in each function that reads the current CPU's copy (this_cpu_*,
  // get_cpu_var) an inline clone of the arch's offset helper (arm64's __kern_my_cpu_offset): a
  // node newer than every other, whose caller is the function. The newest nodes are walked first,
  // so such a function is compiled after those without a clone, in the order its clone was made.
  const fnOf = new Map(fns.map((f) => [f.name, f]));
  const reads = (f: Fn, seen: Set<string>): boolean => f.toks.some((t) => {
    if (THIS_CPU.test(t.id)) return true;
    const g = t.call ? fnOf.get(t.id) : undefined;
    if (!g || !inlined(g) || seen.has(g.name)) return false;
    seen.add(g.name);
    return reads(g, seen);
  });
  // The inliner takes the helper's call edges newest first, and the last one (the function
  // analysed first) keeps the helper's own, old node (test/fixtures/anchors/thiscpu.c).
  const users = !clones ? [] : [...analysed.keys()].filter((n) => n.fn && !inlined(n.fn) && reads(n.fn, new Set([n.name]))).reverse();
  users.pop();
  for (const n of users) nodes.push({ name: `${n.name}'`, callers: [n], clone: true });
  return walk().filter((n) => n.fn && !inlined(n.fn)).map((n) => n.fn!);
}

interface Data { pos: number; name: string; refs: string[]; needed: boolean }

/** A top-level declaration that holds data: `[static] T name [attrs] = init` or `[static] MACRO(args)`
 *  (DECLARE_WORK(w, fn), late_initcall(fn)); what it names is analysed when it is. */
function dataItem(item: string): Omit<Data, 'pos'> | undefined {
  const t = item.replace(/__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g, ' ').trim();
  const isStatic = /^(?:\w+\s+)*?static\b/.test(t);
  const eq = t.search(/=(?!=)/);
  const ids = (x: string) => [...x.matchAll(/[A-Za-z_]\w*/g)].map((m) => m[0]);
  if (eq > 0 && !/\(/.test(t.slice(0, eq).replace(/\b__\w+\s*\([^()]*\)/g, ''))) {
    const decl = ids(t.slice(0, eq).replace(/\[[^\]]*\]/g, ''));
    // skip trailing annotations such as __ro_after_init, __read_mostly
    let k = decl.length - 1;
    while (k > 0 && /^__[a-z_]+$/.test(decl[k])) k--;
    if (k < 0) return undefined;
    return { name: decl[k], refs: ids(t.slice(eq + 1)), needed: !isStatic && !/\bextern\b/.test(t) };
  }
  const m = /^(?:static\s+)?([A-Za-z_]\w*)\s*\(([\s\S]*)\)$/.exec(t);
  if (!m || /^(?:EXPORT_SYMBOL|DECLARE_PER_CPU|DEFINE_PER_CPU|MODULE_)/.test(m[1])) return undefined;
  const args = ids(m[2]);
  if (/initcall(?:_sync)?$|^(?:module_init|module_exit|__setup|early_param|core_param|subsys_initcall)$/.test(m[1])) return { name: `@${m[1]}:${args.join(',')}`, refs: args, needed: true };
  if (!args.length) return undefined;
  return { name: args[0], refs: args.slice(1), needed: !isStatic };
}

/** name → body of each function definition and function-like macro in a header's text */
function headerBodies(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+(\w+)\([^)]*\)(.*)$/gm)) out.push([m[1], m[2]]);
  for (const m of text.matchAll(/\b(\w+)\s*\([^;{}()]*(?:\([^()]*\)[^;{}()]*)*\)\s*\{/g)) {
    if (NOT_CALLS.has(m[1])) continue;
    let depth = 0;
    let i = m.index! + m[0].length - 1;
    const start = i;
    for (; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) break;
    }
    out.push([m[1], text.slice(start, i)]);
  }
  return out;
}
