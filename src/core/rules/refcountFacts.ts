// What PCPU002 reads of each file's text, one file at a time: the inline helpers applying an atomic
// op to a field, whether a struct it defines holds __percpu data, and how often it calls some names.
// Each answer depends on that file's text alone, so a run after an edit takes the earlier run's
// answers for every file whose text is the same (estimate/diagnostics.ts) and reads only the
// changed ones: the whole-tree pass read ~3,000 files twice on Debian's amd64 config (~0.3 s of a
// 2.4 s run after an edit).
import { findStructDefs, lineOf, lineStarts } from './syntax';
import { flat } from '../flat';
import type { FileTexts } from './types';

const OPS = 'atomic(?:64|_long)?_(?:inc|dec|add|sub|inc_not_zero|dec_and_test|sub_and_test|add_unless|inc_return|dec_return|fetch_inc|fetch_dec|dec_if_positive)'
  + '|refcount_(?:inc|dec|add|inc_not_zero|dec_and_test|dec_and_lock|dec_and_mutex_lock|sub_and_test|dec_not_one)'
  + '|kref_(?:get|put|get_unless_zero|put_lock|put_mutex)|local_(?:inc|dec)';
const OP_ON_FIELD = new RegExp(`\\b(${OPS})\\s*\\(\\s*&\\s*\\(?\\s*[\\w.>\\-\\[\\]()]*(?:->|\\.)(\\w+)\\s*[,)]`, 'g');
const INLINE = /\bstatic\s+(?:__always_inline|inline|__inline__|__inline)\b/;
const TAGGED = /\b(struct|union)\s+(\w+)/g;

/**
 * A `static inline` function's first atomic op on one field: [field, function, 1-based line, op,
 * the structs and unions its parameters and body name (`struct net_device`)].
 */
export type RefcountOp = [string, string, number, string, string[]];

/** What a run read, for a later run of the same tree (RefcountReader's `saved`). */
export interface RefcountSaved {
  /** each file's helper ops */
  ops: [string, RefcountOp[]][];
  /** each file's answers to `definesPercpu`: [container, 1 when its definition there holds __percpu data, else 0] */
  percpu: [string, [string, number][]][];
  /** the names last counted and each file's calls of them, in that order ([]: none) */
  calls?: { names: string[]; counts: [string, number[]][] };
}

/** Every `static inline` function of a text with its parameters and body (brace-matched). */
function inlineFunctions(text: string): { name: string; params: string; body: string; offset: number }[] {
  const out: { name: string; params: string; body: string; offset: number }[] = [];
  const fnRe = /\bstatic\s+(?:__always_inline|inline|__inline__|__inline)\b[^;{}]*?\b(\w+)\s*\(([^;{}]*?)\)\s*\{/g;
  for (const m of text.matchAll(fnRe)) {
    let depth = 0;
    let i = m.index! + m[0].length - 1;
    for (; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) break;
    }
    out.push({ name: m[1], params: m[2], body: text.slice(m.index! + m[0].length, i), offset: m.index! });
  }
  return out;
}

/** The helper ops of one text (RefcountOp). */
export function refcountOps(text: string): RefcountOp[] {
  if (!INLINE.test(text)) return [];
  const out: RefcountOp[] = [];
  let starts: number[] | undefined; // made for the first helper found (most files have none)
  for (const fn of inlineFunctions(text)) {
    const seen = new Set<string>();
    let about: string[] | undefined;
    for (const m of fn.body.matchAll(OP_ON_FIELD)) {
      if (seen.has(m[2])) continue; // the first op on each field names the helper's kind
      seen.add(m[2]);
      // as a rule's `\bstruct\s+NAME\b` over the parameters and the body, joined as they are
      about ??= [...new Set([...(fn.params + fn.body).matchAll(TAGGED)].map((x) => flat(`${x[1]} ${x[2]}`)))];
      // flat: kept past the file's text
      out.push([flat(m[2]), flat(fn.name), lineOf((starts ??= lineStarts(text)), fn.offset) + 1, flat(m[1]), about]);
    }
  }
  return out;
}

/** Calls of each of `names` in one text (a name followed by `(`), in the list's order. */
export function callCounts(text: string, names: readonly string[]): number[] {
  const at = new Map(names.map((n, i) => [n, i]));
  const out = names.map(() => 0);
  if (!names.length) return out;
  const re = new RegExp(`\\b(${names.join('|')})\\s*\\(`, 'g');
  for (const m of text.matchAll(re)) out[at.get(m[1])!]++;
  return out;
}

/**
 * PCPU002's reading of `files`, each answer kept for the run; `saved` (an earlier run's toJSON())
 * answers for the files `same` says have the text they had then.
 */
export class RefcountReader {
  private readonly ops = new Map<string, RefcountOp[]>();
  private readonly percpu = new Map<string, Map<string, number>>();
  private calls?: { names: string[]; key: string; counts: Map<string, number[]> };
  private last?: { file: string; text: string | undefined };
  private readonly old?: { ops: Map<string, RefcountOp[]>; percpu: Map<string, [string, number][]>; calls?: { key: string; counts: Map<string, number[]> } };

  constructor(private readonly files: FileTexts, saved?: RefcountSaved, private readonly same: (file: string) => boolean = () => false) {
    // a saved reading of another shape (a damaged parts file) is none: every file is read
    const list = (x: unknown): x is [string, unknown][] => Array.isArray(x) && x.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && Array.isArray(e[1]));
    if (saved && list(saved.ops) && list(saved.percpu)) {
      const c = saved.calls;
      this.old = { ops: new Map(saved.ops), percpu: new Map(saved.percpu),
        ...(c && Array.isArray(c.names) && list(c.counts) ? { calls: { key: c.names.join('\0'), counts: new Map(c.counts) } } : {}) };
    }
  }

  /** the files the rule reads */
  keys(): Iterable<string> { return this.files.keys(); }

  /** the helper ops written in `file` */
  opsOf(file: string): RefcountOp[] {
    let r = this.ops.get(file);
    if (r) return r;
    const old = this.same(file) ? this.old?.ops.get(file) : undefined;
    r = old ?? refcountOps(this.files.get(file) ?? '');
    this.ops.set(file, r);
    return r;
  }

  /** whether `file` defines `container` (`struct net_device`) with a __percpu member */
  definesPercpu(file: string, container: string): boolean {
    let m = this.percpu.get(file);
    if (!m) this.percpu.set(file, (m = new Map(this.same(file) ? this.old?.percpu.get(file) : undefined)));
    let v = m.get(container);
    if (v === undefined) {
      // a file's refcounts come one after another: its text is read once for all of them
      if (this.last?.file !== file) this.last = { file, text: this.files.get(file) };
      const text = this.last.text;
      const def = text !== undefined ? findStructDefs(text, container.split(' ')[1]).find((d) => d.type === container) : undefined;
      m.set(container, (v = def && /\b__percpu\b/.test(def.body) ? 1 : 0));
    }
    return v === 1;
  }

  /** calls of each of `names` over all the files (minus each one's definition) */
  callsOf(names: readonly string[]): Map<string, number> {
    this.last = undefined;
    const key = names.join('\0');
    const old = this.old?.calls?.key === key ? this.old.calls.counts : undefined;
    const counts = new Map<string, number[]>();
    const total = names.map(() => 0);
    if (names.length) {
      for (const f of this.files.keys()) {
        // [] (kept for a file calling none of them) adds nothing
        const c = (this.same(f) ? old?.get(f) : undefined) ?? callCounts(this.files.get(f) ?? '', names);
        c.forEach((x, i) => { total[i] += x; });
        counts.set(f, c.some((x) => x > 0) ? c : []);
      }
    }
    this.calls = { names: [...names], key, counts };
    return new Map(names.map((n, i) => [n, Math.max(0, total[i] - 1)]));
  }

  /** what this run read, for a later run */
  toJSON(): RefcountSaved {
    const c = this.calls;
    return {
      ops: [...this.ops],
      percpu: [...this.percpu].map(([f, m]) => [f, [...m]]),
      ...(c ? { calls: { names: c.names, counts: [...c.counts] } } : {}),
    };
  }
}
