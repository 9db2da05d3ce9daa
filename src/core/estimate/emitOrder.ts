// Where gcc puts a variable in its object's section: it emits variables in reverse order of
// their first declaration in the translation unit, and a DECLARE_PER_CPU in a header the file
// includes counts as the first (checked with gcc 12: `extern int b; int a; int b;` emits b
// last). Headers come before the file's own lines (kernel files include at the top).
// With section anchors (gcc's default on arm, arm64 and powerpc) a variable is placed in its
// section when a function first takes its address: those come first, in the order the functions
// are compiled and, inside one, of their references; the rest follow in the order above (checked
// with gcc 12 for aarch64, powerpc64le and arm-gnueabihf). We take compile order as source order,
// and a file's own macros as used where they are expanded.
import * as fs from 'fs';
import * as path from 'path';
import type { Finding } from '../parse/types';
import type { LayoutEngine } from '../layout';
import { stripComments } from '../config/lex';

export class EmitOrder {
  /** header (absolute) → name → line of its DECLARE_PER_CPU* */
  private declared = new Map<string, Map<string, number>>();
  private refs = new Map<string, Map<string, number>>();

  /** `anchors`: the arch's gcc uses section anchors (arm, arm64, powerpc; see firstReferences) */
  constructor(private root: string, findings: Finding[], private layout: LayoutEngine, private anchors = false) {
    for (const f of findings) {
      if (f.kind !== 'declare' || !f.name || f.unresolved || !f.file.endsWith('.h')) continue;
      const abs = path.resolve(root, f.file);
      const m = this.declared.get(abs) ?? new Map<string, number>();
      if (!m.has(f.name)) m.set(f.name, f.line);
      this.declared.set(abs, m);
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

  /** the sort key of `name` defined at `defPosition` in `file` (a .c compiled on its own) */
  position(file: string, name: string, defPosition: number): number {
    const abs = path.resolve(this.root, file);
    if (this.anchors) {
      let r = this.refs.get(abs);
      if (!r) {
        const text = this.spliced(abs, 0);
        r = text === undefined ? new Map() : firstReferences(text);
        this.refs.set(abs, r);
      }
      // placed first, in order of first reference; the rest after them as without anchors
      const k = r.get(name);
      if (k !== undefined) return 1e12 - k;
    }
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

interface Fn { name: string; isStatic: boolean; inline: boolean; noinline: boolean; toks: Array<{ id: string; call: boolean }> }

/**
 * Identifiers in the order gcc's RTL expansion first meets them in `text` (a file's active text
 * with its #define lines): functions in gcc's expand order (cgraphunit.cc expand_all_functions
 * over ipa_reverse_postorder: static functions left out of the first pass come first, then the
 * others, each before its callers, unrelated ones in source order), inside one its body in source
 * order; static functions called once or declared inline are read at their call. A macro the file
 * defines stands for the identifiers of its body. Index 0 is the first.
 */
export function firstReferences(text: string): Map<string, number> {
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
    }
    return out;
  };
  const fns: Fn[] = [];
  let depth = 0;
  let head = 0; // start of the current top-level item
  let bodyStart = -1;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '"' || c === "'") {
      for (i++; i < code.length && code[i] !== c; i++) if (code[i] === '\\') i++;
      continue;
    }
    if (c === '{') {
      // a function body: its head ends with ')' (and attributes) and holds no '=' at top level
      if (depth === 0 && /\)[\s\w()]*$/.test(code.slice(head, i)) && !/=/.test(code.slice(head, i).replace(/\([^()]*\)/g, ''))) bodyStart = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        if (bodyStart >= 0) {
          const raw = code.slice(head, bodyStart);
          const h = raw.replace(/__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g, ' ');
          const name = /([A-Za-z_]\w*)\s*\(/.exec(h)?.[1] ?? '';
          fns.push({ name, isStatic: /\bstatic\b/.test(h), inline: /\binline\b|__always_inline|__inline\b/.test(h), noinline: /\bnoinline\b|__noinline\b|noinline_for_stack/.test(raw), toks: tokens(code.slice(bodyStart, i), new Set(), []) });
        }
        bodyStart = -1;
        head = i + 1;
      }
    } else if (c === ';' && depth === 0) head = i + 1;
  }
  const byName = new Map(fns.filter((f) => f.name).map((f) => [f.name, f]));
  const calls = new Map<string, number>();
  const taken = new Set<string>();
  for (const f of fns) for (const t of f.toks) {
    if (!byName.has(t.id) || t.id === f.name) continue;
    if (t.call) calls.set(t.id, (calls.get(t.id) ?? 0) + 1);
    else taken.add(t.id);
  }
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
  const emitted = fns.filter((f) => !f.name || !inlined(f)).map((f) => ({ f, toks: flat(f, new Set([f.name])) }));
  const callers = new Map<string, typeof emitted>();
  for (const e of [...emitted].reverse()) for (const t of e.toks) {
    if (!t.call || t.id === e.f.name || !byName.has(t.id)) continue;
    const l = callers.get(t.id) ?? [];
    if (!l.includes(e)) l.push(e);
    callers.set(t.id, l);
  }
  // ipa_reverse_postorder: newest first, pass 0 from functions visible outside (not address-taken),
  // pass 1 the rest; depth first over callers, each after its callers; expansion runs it backwards
  const order: typeof emitted = [];
  const visited = new Set<(typeof emitted)[number]>();
  const visit = (e: (typeof emitted)[number]) => {
    visited.add(e);
    for (const c of callers.get(e.f.name) ?? []) if (!visited.has(c)) visit(c);
    order.push(e);
  };
  for (const pass of [0, 1]) {
    for (const e of [...emitted].reverse()) {
      if (visited.has(e) || (pass === 0 && (e.f.isStatic || taken.has(e.f.name)))) continue;
      visit(e);
    }
  }
  const out = new Map<string, number>();
  for (const e of order.reverse()) for (const t of e.toks) if (!out.has(t.id)) out.set(t.id, out.size);
  return out;
}
