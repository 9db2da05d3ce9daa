// Static variables gcc deletes because nothing live uses them (kernel/irq_work.c: irq_workd is
// used only under `if (IS_ENABLED(CONFIG_PREEMPT_RT))`). We fold just those IS_ENABLED tests and
// follow references between a file's top-level items from its non-static ones. Conservative: a
// name that appears in a #define body, or anywhere we cannot place, stays live.
import * as path from 'path';
import { stripComments } from '../config/lex';
import type { KbuildResult } from '../config/kbuild';
import type { LayoutEngine } from '../layout';
import type { Finding } from '../parse/types';
import { evalCondition, functionBodies, matchClose, type BodyOf, type FnBody } from './constPredicates';

interface Item { name?: string; isStatic: boolean; text: string; /** other names the item may define */ aliases?: string[]; /** its span in the text */ start: number; end: number }

const ID = /[A-Za-z_]\w*/g;
const C_WORDS = new Set(['static', 'const', 'volatile', 'struct', 'union', 'enum', 'unsigned', 'signed', 'int', 'long', 'short', 'char', 'void', 'bool', 'inline']);

// identifier characters by code: 1 may start a word (a letter or '_'), 2 only continue one (a digit)
const WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) WORD[c] = /[A-Za-z_]/.test(String.fromCharCode(c)) ? 1 : /\d/.test(String.fromCharCode(c)) ? 2 : 0;

/**
 * A set of names and a search for them among a text's words, the words that ID (above) finds
 * (a run of word characters from its first letter or '_'), in order. Only a word whose first
 * character and length some name has becomes a string: a file's items hold ~40 words per line,
 * of which a handful are names that matter (matching them all made every word a string).
 */
class Words {
  private readonly set: Set<string>;
  /** first character x length (the last slot: 63 and longer) of some name */
  private shape = new Uint8Array(128 * 64);
  constructor(names: Iterable<string>) {
    this.set = new Set(names);
    for (const n of this.set) { const c = n.charCodeAt(0); if (c < 128) this.shape[c * 64 + Math.min(n.length, 63)] = 1; }
  }

  /** Calls `f` with each word of `t` in the set, in order, until it returns true; whether one did. */
  each(t: string, f: (word: string) => boolean): boolean {
    const n = t.length;
    for (let i = 0; i < n; ) {
      const c = t.charCodeAt(i);
      if (c >= 128 || WORD[c] !== 1) { i++; continue; }
      let j = i + 1;
      while (j < n) { const d = t.charCodeAt(j); if (d >= 128 || WORD[d] === 0) break; j++; }
      if (this.shape[c * 64 + Math.min(j - i, 63)] === 1) {
        const w = t.slice(i, j);
        if (this.set.has(w) && f(w)) return true;
      }
      i = j;
    }
    return false;
  }
}

/**
 * The #define lines of `raw` with comments blanked and continued lines joined, one per line: what
 * splitting that text at each newline and keeping the lines `/^\s*#\s*define\b/` matches gives,
 * without making a string of every line.
 */
export function defineLines(raw: string): string {
  if (!raw.includes('define')) return '';
  const t = stripComments(raw).replace(/\\\r?\n/g, ' ');
  const out: string[] = [];
  for (let at = t.indexOf('define'); at >= 0; ) {
    const s = t.lastIndexOf('\n', at) + 1;
    const nl = t.indexOf('\n', at);
    const e = nl < 0 ? t.length : nl;
    const l = t.slice(s, e);
    if (/^\s*#\s*define\b/.test(l)) out.push(l);
    at = nl < 0 ? -1 : t.indexOf('define', e);
  }
  return out.join('\n');
}

/** end (exclusive) of the statement starting at i: a {block} or up to the ';' at depth 0 */
function statementEnd(t: string, i: number): number {
  while (i < t.length && /\s/.test(t[i])) i++;
  if (t[i] === '{') { const e = matchClose(t, i); return e < 0 ? -1 : e + 1; }
  if (/^if\b/.test(t.slice(i))) {
    const p = t.indexOf('(', i);
    const pe = p < 0 ? -1 : matchClose(t, p);
    if (pe < 0) return -1;
    const e = statementEnd(t, pe + 1);
    const m = e < 0 ? null : /^\s*else\b/.exec(t.slice(e));
    return m ? statementEnd(t, e + m[0].length) : e;
  }
  let d = 0;
  for (let j = i; j < t.length; j++) {
    const c = t[j];
    if (c === '(' || c === '{' || c === '[') d++;
    else if (c === ')' || c === '}' || c === ']') d--;
    else if (c === ';' && d === 0) return j + 1;
  }
  return -1;
}

/** Blank the branches of `if (IS_ENABLED(CONFIG_X) ...)` that the config makes dead; with `pred`,
 *  also of `if (f(...) ...)` where pred knows the call's value (a header predicate, constPredicates).
 *  `matters(text)`: whether blanking the statement's branches could change an answer; pred is asked
 *  only where it does (its value costs the file's whole include closure). */
export function foldIsEnabled(text: string, isSet: (sym: string) => boolean, pred?: (call: string) => boolean | undefined, matters?: (branches: string) => boolean): string {
  let t = text;
  const re = /\bif\s*\(/g;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const open = m.index + m[0].length - 1;
    const close = matchClose(t, open);
    if (close < 0) continue;
    const inner = t.slice(open + 1, close);
    const c = /^\s*(!\s*)?IS_ENABLED\s*\(\s*(CONFIG_\w+)\s*\)\s*(&&[\s\S]*)?$/.exec(inner)
      ?? (pred ? /^\s*(!\s*)?([A-Za-z_]\w*\s*\([^()]*\))\s*(&&[\s\S]*)?$/.exec(inner) : null);
    if (!c || (c[1] && c[3])) continue;
    const thenEnd = statementEnd(t, close + 1);
    if (thenEnd < 0) continue;
    const els = /^\s*else\b/.exec(t.slice(thenEnd));
    const elseEnd = els ? statementEnd(t, thenEnd + els[0].length) : thenEnd;
    if (elseEnd < 0) continue;
    const config = c[2].startsWith('CONFIG_');
    if (!config && matters && !matters(t.slice(close + 1, elseEnd))) continue;
    const v = config ? isSet(c[2]) : pred!(c[2]);
    if (v === undefined) continue;
    const on = v;
    const blank = (a: number, b: number) => { t = t.slice(0, a) + t.slice(a, b).replace(/[^\n]/g, ' ') + t.slice(b); };
    const cond = c[1] ? !on : on; // with `&& rest`, only a false IS_ENABLED decides
    if (!cond) blank(close + 1, thenEnd);
    else if (!c[3] && els) blank(thenEnd, elseEnd);
  }
  return t;
}

/** Top-level items of a file's active text: functions, declarations, macro uses. */
function items(text: string, percpu: Map<number, string>): Item[] {
  const out: Item[] = [];
  let start = 0;
  let d = 0;
  // 1-based line of offset i: newlines before it, found by binary search (slicing was quadratic)
  const nl: number[] = [];
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) nl.push(k);
  const lineAt = (i: number) => {
    let lo = 0;
    let hi = nl.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (nl[mid] < i) lo = mid + 1; else hi = mid; }
    return lo + 1;
  };
  const lines = [...percpu];
  const push = (end: number) => {
    const s = text.slice(start, end);
    const lead = s.search(/\S/);
    if (lead >= 0) {
      // a view, not a copy of a function's whole text
      const head = s.slice(lead);
      const isStatic = /^static\b/.test(head);
      let name: string | undefined;
      const first = lineAt(start + lead);
      const last = lineAt(end);
      const pc = lines.find(([l]) => l >= first && l <= last);
      if (pc) name = pc[1];
      else {
        const brace = head.indexOf('{');
        const eq = head.indexOf('=');
        const fn = /([A-Za-z_]\w*)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*(?:__\w+(?:\([^)]*\))?\s*)*\{/.exec(head);
        if (fn && (eq < 0 || fn.index < eq)) name = fn[1];
        else {
          const decl = head.slice(0, Math.min(...[eq, brace >= 0 && (eq < 0 || brace < eq) ? brace : -1, head.length].filter((x) => x >= 0)));
          const ids = decl.match(ID);
          name = ids?.[ids.length - 1];
          // `static struct apic apic_x2apic_cluster __ro_after_init = {`: the last word may be an
          // attribute macro; every word of the declarator stands for the item (live if any is used)
          const aliases = ids?.slice(0, -1).filter((x) => !C_WORDS.has(x));
          if (aliases?.length) { out.push({ name, isStatic, text: s, aliases, start, end }); start = end; return; }
        }
      }
      out.push({ name, isStatic, text: s, start, end });
    }
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 39) { const j = text.indexOf(c === 34 ? '"' : "'", i + 1); if (j > 0) i = j; continue; }
    if (c === 123 || c === 40 || c === 91) d++; // { ( [
    else if (c === 41 || c === 93) d--; // ) ]
    else if (c === 125) { d--; if (d === 0 && !/^[ \t]*[;,=A-Za-z_]/.test(text.slice(i + 1, i + 40))) push(i + 1); }
    else if (c === 59 && d === 0) push(i + 1); // ;
  }
  push(text.length);
  return out;
}

/** static items by each name they define */
function byNames(list: Item[]): Map<string, Item[]> {
  const byName = new Map<string, Item[]>();
  for (const it of list) {
    if (!it.name || !it.isStatic) continue;
    for (const n of [it.name, ...(it.aliases ?? [])]) byName.set(n, [...(byName.get(n) ?? []), it]);
  }
  return byName;
}

/** `statics`' names and every static item's names whose text reaches one of them through other static items */
function reaching(list: Item[], statics: Map<number, string>): Set<string> {
  // only what a static item defines, or a static per-CPU name, can reach further
  const names = new Set<string>([...statics.values(), ...byNames(list).keys()]);
  const usedBy = new Map<string, Item[]>(); // name -> static items whose text names it
  const words = new Words(names);
  for (const it of list) {
    if (!it.name || !it.isStatic) continue;
    const seen = new Set<string>();
    words.each(it.text, (id) => {
      if (seen.has(id)) return false;
      seen.add(id);
      const l = usedBy.get(id);
      if (l) l.push(it); else usedBy.set(id, [it]);
      return false;
    });
  }
  const out = new Set(statics.values());
  const work = [...out];
  while (work.length) {
    for (const it of usedBy.get(work.pop()!) ?? []) {
      for (const n of [it.name!, ...(it.aliases ?? [])]) if (!out.has(n)) { out.add(n); work.push(n); }
    }
  }
  return out;
}

/**
 * Names among `statics` (static per-CPU variables of this file, by definition line) that no live
 * code reaches. `active`: the file's text with inactive #if regions blanked; `raw`: its source.
 */
export function deadStatics(active: string, raw: string, statics: Map<number, string>, isSet: (sym: string) => boolean, bodyOf?: BodyOf): Set<string> {
  const defineBodies = defineLines(raw);
  const pred = bodyOf && ((call: string) => evalCondition(call, bodyOf, isSet));
  const text = stripComments(active);
  // a branch can decide a static's fate only if it names the static or a static item that reaches it
  // (folding takes text away, never adds, and leaves the items' bounds as they are)
  const all = items(text, statics);
  const reach = pred && reaching(all, statics);
  const reachWords = reach && new Words(reach);
  const matters = reachWords && ((b: string) => reachWords.each(b, () => true));
  const folded = foldIsEnabled(text, isSet, pred, matters || undefined);
  const list = all.map((it) => ({ ...it, text: folded.slice(it.start, it.end) }));
  const byName = byNames(list);
  const live = new Set<string>();
  // a name in a #define body is used wherever the macro is (printk.c: printk_enter_irqsave() calls
  // the static __printk_recursion_counter()): those bodies are roots too
  const work: Item[] = [...list.filter((it) => !it.isStatic || !it.name), { isStatic: false, text: defineBodies, start: 0, end: 0 }];
  // only a static item's names decide anything (the others are never dead)
  const staticWords = new Words(byName.keys());
  while (work.length) {
    const it = work.pop()!;
    staticWords.each(it.text, (id) => {
      if ((it.isStatic && id === it.name) || live.has(id)) return false;
      live.add(id);
      for (const s of byName.get(id) ?? []) work.push(s);
      return false;
    });
  }
  const dead = new Set<string>();
  for (const name of statics.values()) {
    if (live.has(name) || new RegExp(`\\b${name}\\b`).test(defineBodies)) continue;
    // only when we placed its definition as a static item of its own
    if (byName.has(name)) dead.add(name);
  }
  return dead;
}

/** Per file, the static per-CPU variables gcc would drop; files built alone only (no #included .c/.h). */
export class DeadStatics {
  private byFile = new Map<string, Map<number, string>>();
  private cache = new Map<string, Set<string>>();
  /** file → the local files it #includes (Kbuild's includedFrom) */
  private includers = new Map<string, string[]>();
  /** header → its function definitions, read on the first question */
  private bodies = new Map<string, Map<string, FnBody>>();
  /** function name → the headers read so far that define it */
  private definedIn = new Map<string, string[]>();

  constructor(private root: string, findings: Finding[], private kb: KbuildResult, private layout: LayoutEngine,
    private raw: (file: string) => string, private isSet: (sym: string) => boolean) {
    for (const f of findings) {
      if (f.kind !== 'static' || !f.isStatic || f.unresolved || !f.file.endsWith('.c')) continue;
      const m = this.byFile.get(f.file) ?? new Map<number, string>();
      m.set(f.line, f.name);
      this.byFile.set(f.file, m);
    }
    for (const o of kb.objects) if (o.includedFrom) this.includers.set(o.includedFrom, [...(this.includers.get(o.includedFrom) ?? []), o.file]);
  }

  /** a function definition by name from the headers `file` includes, first in include order */
  private bodyOf(file: string): BodyOf {
    // the include order (every header of the file loaded) only when a predicate is asked about
    let order: string[] | undefined;
    let pos: Map<string, number> | undefined;
    // headers order[0, upTo) are read: a name they define is found through `definedIn`, and a later
    // question walks on from upTo instead of from the first header (~1,500 headers per file)
    let upTo = 0;
    const memo = new Map<string, FnBody | undefined>();
    return (name) => {
      if (memo.has(name)) return memo.get(name);
      if (!order) { pos = this.layout.index.includeOrder(path.resolve(this.root, file)); order = [...pos.keys()]; }
      let best: string | undefined;
      for (const h of this.definedIn.get(name) ?? []) { const p = pos!.get(h); if (p !== undefined && p < upTo && (best === undefined || p < pos!.get(best)!)) best = h; }
      let b = best === undefined ? undefined : this.bodies.get(best)!.get(name);
      for (; !b && upTo < order.length; upTo++) b = this.bodiesIn(order[upTo]).get(name);
      memo.set(name, b);
      return b;
    };
  }

  /** header → its function definitions, read once; their names indexed in `definedIn` */
  private bodiesIn(h: string): Map<string, FnBody> {
    let m = this.bodies.get(h);
    if (!m) {
      const text = this.layout.index.loaded(h)?.scan.active;
      m = text === undefined ? new Map() : functionBodies(text);
      this.bodies.set(h, m);
      for (const n of m.keys()) { const l = this.definedIn.get(n); if (l) l.push(h); else this.definedIn.set(n, [h]); }
    }
    return m;
  }

  isDead(f: Finding): boolean {
    if (!f.isStatic || !this.byFile.get(f.file)?.has(f.line)) return false;
    const o = this.kb.byFile.get(f.file);
    // an #included .c may define or use anything; local headers are read with the file (their
    // inline functions and macros may use its statics), appended so the file's lines stay put
    const local = this.includers.get(f.file) ?? [];
    if (!o || o.includedFrom || local.some((x) => !x.endsWith('.h'))) return false;
    let dead = this.cache.get(f.file);
    if (!dead) {
      const activeOf = (x: string) => this.layout.index.loaded(path.resolve(this.root, x))?.scan.active;
      const texts = [f.file, ...local].map(activeOf);
      dead = texts.some((t) => t === undefined) ? new Set()
        : deadStatics(texts.join('\n'), [f.file, ...local].map((x) => this.raw(x)).join('\n'), this.byFile.get(f.file)!, this.isSet, this.bodyOf(f.file));
      this.cache.set(f.file, dead);
    }
    return dead.has(f.name);
  }
}
