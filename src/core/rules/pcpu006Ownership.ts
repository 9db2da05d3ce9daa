// PCPU006: what alloc_percpu returns is a `__percpu` cookie that must be freed.
// (a) stored in a pointer declared without __percpu (sparse loses track of it);
// (b) a goto to an unwinding label (or an early error return) after a successful allocation that
//     never reaches free_percpu: the 2010 netdev lesson (alloc_netdev_mq's missing free_pcpu label).
import type { Finding } from '../parse/types';
import type { Node } from '../parse/treeSitter';
import { formatPerCpu } from '../report/format';
import { allocBytes } from './allocSize';
import { findStructDefs } from './syntax';
import { FnChunk, functionsAt, lineOf, lineStarts, nodeRange, source } from './syntax';
import type { Diagnostic, RuleProfile, Sizer } from './types';

const ALLOC = /^(__)?alloc_percpu(_gfp)?(_noprof)?$|^__alloc_reserved_percpu(_noprof)?$/;
/** Frees that do not reach inside the object: kfree(p) leaves p->stats allocated. */
const SHALLOW_FREE = /^(kfree|kvfree|kfree_sensitive|kzfree|vfree|devm_kfree|kmem_cache_free|free_page|free_pages|kfree_rcu)$/;
/** Calls that use the per-CPU pointer without taking ownership. */
const ACCESSORS = /^(per_cpu_ptr|this_cpu_\w+|__this_cpu_\w+|raw_cpu_\w+|for_each_\w+|memset|u64_stats_init|per_cpu|get_cpu_ptr|put_cpu_ptr)$/;
const NOT_ERROR_RETURN = /^return\s*(\(\s*)?(0|true|[1-9]\d*|\w+_SUCCESS|NOTIFY_OK|IRQ_HANDLED)?\s*\)?\s*;$/;

const lastIdent = (l: string) => /([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)*$/.exec(l)?.[1] ?? '';

/** The statement text that declares `name` as a pointer, searching `text` (undefined: no such declaration). */
function pointerDecls(text: string, name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`\\*\\s*${name}\\s*(\\[[^\\]]*\\]\\s*)*[;,=)]`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let s = m.index - 1;
    while (s >= 0 && !';{}()'.includes(text[s])) s--;
    const head = text.slice(s + 1, m.index).replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\s+/g, ' ').trim();
    if (text[s] === '(' && !/^\w/.test(head)) continue;
    if (!/^[A-Za-z_][\w\s*,]*$/.test(head) || /^(return|goto|case|else|sizeof|typeof|do)\b/.test(head)) continue;
    if (text[s] === '(' ) continue; // a parameter or a cast: not where the result is stored
    out.push(head);
  }
  return out;
}

/**
 * Declarations of the field `f` in `base->f` / `base.f`: only in the struct that `base` is declared
 * with in this function, and only when that struct is defined in this file (one hop only).
 */
function fieldDecls(text: string, fnText: string, lv: string): string[] {
  const m = /^\s*\(?\s*\*?\s*([A-Za-z_]\w*)\s*\)?\s*(?:->|\.)\s*([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)*$/.exec(lv);
  if (!m) return [];
  const [, base, field] = m;
  const d = new RegExp(`\\b(struct|union)\\s+(\\w+)\\s*(?:\\*\\s*)*(?:const\\s+)?${base}\\s*[;,=)\\[]`).exec(fnText)
    ?? new RegExp(`\\b(struct|union)\\s+(\\w+)\\s*(?:\\*\\s*)*(?:const\\s+)?${base}\\s*[;,=)\\[]`).exec(fileScope(text));
  if (!d) return [];
  return findStructDefs(text, d[2]).filter((x) => x.type === `${d[1]} ${d[2]}`).flatMap((x) => pointerDecls(x.body, field));
}

/**
 * The file with every brace-enclosed body emptied but for its newlines: what is left is file-scope
 * declarations, on their lines (columns are not used). Bodies were blanked to spaces before: a
 * copy of every text the rule reads (~220 MB of strings under Debian's config).
 */
let scopeMemo: { text: string; scope: string } | undefined;
function fileScope(text: string): string {
  if (scopeMemo?.text === text) return scopeMemo.scope;
  const newlines = (a: number, b: number) => {
    let n = 0;
    for (let k = text.indexOf('\n', a); k >= 0 && k < b; k = text.indexOf('\n', k + 1)) n++;
    return '\n'.repeat(n);
  };
  let depth = 0;
  const out: string[] = [];
  let from = 0;
  // from brace to brace (indexOf is native), the next '{' and the next '}' kept apart
  let open = text.indexOf('{');
  let close = text.indexOf('}');
  while (open >= 0 || close >= 0) {
    if (close < 0 || (open >= 0 && open < close)) {
      if (depth === 0) { out.push(text.slice(from, open + 1)); from = open + 1; }
      depth++;
      open = text.indexOf('{', open + 1);
    } else {
      if (depth > 0 && --depth === 0) { out.push(newlines(from, close), '}'); from = close + 1; }
      close = text.indexOf('}', close + 1);
    }
  }
  out.push(depth ? newlines(from, text.length) : text.slice(from));
  scopeMemo = { text, scope: out.join('') };
  return scopeMemo.scope;
}

/** An ERROR or MISSING node in the statement outside the allocation call's own arguments. */
function misparsed(stmt: Node, call: Node): boolean {
  const inCall = (n: Node) => n.startIndex >= call.startIndex && n.endIndex <= call.endIndex;
  if (stmt.descendantsOfType('ERROR').some((e) => !!e && !inCall(e))) return true;
  const walk = (n: Node): boolean => (n.isMissing && !inCall(n)) || n.children.some((c) => !!c && walk(c));
  return walk(stmt);
}

function statementOf(n: Node): Node {
  let p = n;
  while (p.parent && !/_statement$|^declaration$/.test(p.type)) p = p.parent;
  return p;
}

const callsMemo = new WeakMap<object, Node[]>();

function allocCallAt(c: FnChunk, f: Finding): Node | undefined {
  const row = f.line - 1 - c.line0;
  let calls = callsMemo.get(c.tree);
  if (!calls) {
    calls = c.tree.rootNode.descendantsOfType('call_expression').filter((n): n is Node => !!n && ALLOC.test(n.childForFieldName('function')?.text ?? ''));
    callsMemo.set(c.tree, calls);
  }
  for (const n of calls) {
    if (!n) continue;
    const fn = n.childForFieldName('function');
    if (fn && fn.startPosition.row === row && fn.startPosition.column === f.column - 1 && ALLOC.test(fn.text)) return n;
  }
  return undefined;
}

/** The lvalue the call's result is assigned to, through casts and parentheses. */
function lvalueOf(c: FnChunk, call: Node): { text: string; declared?: string } | undefined {
  let e = call;
  while (e.parent && /^(parenthesized_expression|cast_expression)$/.test(e.parent.type)) e = e.parent;
  const p = e.parent;
  if (p?.type === 'assignment_expression' && p.childForFieldName('right')?.id === e.id) return { text: p.childForFieldName('left')!.text };
  if (p?.type === 'init_declarator') {
    const d = p.childForFieldName('declarator')!;
    return { text: d.text.replace(/^[*\s]+/, ''), declared: p.parent ? source(c, p.parent) : undefined };
  }
  return undefined;
}

/**
 * What runs from a label, read as text in kernel style (top-level statements of a body start with
 * one tab): from the label down to the first top-level `return` or `goto` (followed once more).
 * Text, not the tree, because labels sit inside #ifdef blocks and after loop macros that the
 * grammar splits into odd nodes.
 */
export function pathFrom(fnText: string, labelAt: Map<string, number>, label: string): { text: string; returns: string } {
  let text = '';
  let returns = '';
  const seen = new Set<string>();
  for (let l: string | undefined = label; l !== undefined && !seen.has(l); ) {
    seen.add(l);
    const start = labelAt.get(l);
    l = undefined;
    if (start === undefined) break;
    for (const line of fnText.slice(start).split('\n')) {
      text += '\n' + line;
      const r = /^\t(?:[A-Za-z_]\w*:\s*)?(return\b[^;]*;)/.exec(line);
      if (r) { returns = r[1].replace(/\s+/g, ' '); break; }
      const g = /^\t(?:[A-Za-z_]\w*:\s*)?goto\s+(\w+)\s*;/.exec(line);
      if (g) { l = g[1]; break; }
      if (/^\}/.test(line)) break;
    }
  }
  return { text, returns };
}

/** Offsets of the labels in a function's text (`name:` at a line start; not case/default). */
export function labelOffsets(fnText: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of fnText.matchAll(/^[ \t]*([A-Za-z_]\w*)[ \t]*:(?!:)/gm)) if (!/^(default|case|public|private)$/.test(x[1])) m.set(x[1], x.index!);
  return m;
}

const NOT_CALLS = /^(if|while|for|switch|return|sizeof|typeof|likely|unlikely|IS_ERR|IS_ERR_OR_NULL|WARN_ON|WARN_ON_ONCE|BUG_ON)$/;

const NOT_DESTRUCTOR = /(^|_)(err|warn|info|dbg|debug|notice|crit|printk|print|log|lock|unlock|trylock|err_probe|ratelimited)$|^(pr_\w+|WARN\w*|BUG\w*|seq_\w+|trace_\w+)$/;

/** Whether the pointer is passed to a call that may take ownership; `whole`: test each argument, not the list. */
function passedToCall(s: string, idRe: RegExp, skip: (f: string) => boolean = () => false, whole = false): boolean {
  for (const m of s.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
    if (NOT_CALLS.test(m[1]) || ACCESSORS.test(m[1]) || skip(m[1])) continue;
    let depth = 0;
    let i = m.index! + m[0].length - 1;
    for (; i < s.length; i++) {
      if (s[i] === '(') depth++;
      else if (s[i] === ')' && --depth === 0) break;
    }
    const inner = s.slice(m.index! + m[0].length, i);
    if (whole ? splitArgs(inner).some((a) => idRe.test(a)) : idRe.test(inner)) return true;
  }
  return false;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

function frees(path: string, lv: string, aliases: string[], owners: string[]): boolean {
  const id = lastIdent(lv);
  if (new RegExp(`\\bfree_percpu\\s*\\([^;]*\\b${id}\\b`).test(path)) return true;
  for (const a of aliases) if (new RegExp(`\\bfree_percpu\\s*\\([^;]*\\b${lastIdent(a)}\\b`).test(path)) return true;
  // p->stats: a destructor taking p (not a plain kfree) is trusted to free p->stats.
  // A helper given the pointer itself (rt_fibinfo_free_cpus(nhc->pcpu), ipcomp_free_tfms(tfms)).
  const lvRe = new RegExp(`^\\s*(\\(\\s*\\w[\\w\\s*]*\\)\\s*)?${lv.replace(/\s+/g, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  if (passedToCall(path.replace(/[ \t]+(?=->|\.|\[)|(?<=->|\.)[ \t]+/g, ''), lvRe, (f) => SHALLOW_FREE.test(f) || NOT_DESTRUCTOR.test(f), true)) return true;
  // The owner itself must be an argument (f(dev), f(q, bt)), not a member of it (mutex_unlock(&dev->lock)),
  // and logging or locking calls do not free anything.
  const ownerRe = owners.length ? new RegExp(`^\\s*(\\(\\s*\\w[\\w\\s*]*\\)\\s*)?(${owners.join('|')})\\s*$`) : undefined;
  if (ownerRe && passedToCall(path, ownerRe, (f) => SHALLOW_FREE.test(f) || f === 'free_percpu' || NOT_DESTRUCTOR.test(f), true)) return true;
  return false;
}

/** 1-based line of the first `TYPE *name` declaration in the file (any spacing), if there is one. */
function declLineOf(text: string, type: string, name: string): number | undefined {
  const words = type.trim().split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!words.length) return undefined;
  const m = new RegExp(`\\b${words.join('\\s+')}\\s*\\*\\s*${name}(?!\\w)`).exec(text);
  return m ? text.slice(0, m.index).split('\n').length : undefined;
}

export async function pcpu006(file: string, text: string, findings: Finding[], p: RuleProfile, sizer: Sizer): Promise<Diagnostic[]> {
  const allocs = findings.filter((f) => f.kind === 'alloc' && !f.unresolved);
  if (!allocs.length) return [];
  const starts = lineStarts(text);
  const fns = await functionsAt(text, allocs.map((f) => starts[f.line - 1] + f.column - 1), starts);
  const out: Diagnostic[] = [];
  for (const f of allocs) {
    const off = starts[f.line - 1] + f.column - 1;
    const c = fns.find((x) => x.start <= off && off < x.start + x.text.length);
    if (!c) continue;
    const call = allocCallAt(c, f);
    if (!call) continue;
    const lv = lvalueOf(c, call);
    // A statement the grammar misread (loop macros: for_each_online_pgdat(p) p->x = ...) gives a wrong lvalue.
    // (alloc_percpu(struct foo) itself always has an ERROR inside its arguments: that one is fine.)
    if (!lv || misparsed(statementOf(call), call) || /->|\./.test(lv.declared ?? '')) continue;
    const cost = allocBytes(f, sizer);
    const costText = cost ? `${formatPerCpu(cost, p.possibleCpus)}` : 'its size × possible CPUs';
    const range = nodeRange(c, call);
    // (a) __percpu on the pointer that holds the cookie
    const name = lastIdent(lv.text);
    // Where the lvalue can be declared: a field in a struct body of this file (p->f, p.f), else a
    // local of this function, else a file-scope variable. Locals elsewhere that share the name don't count.
    const isField = /->|\./.test(lv.text);
    let all: string[];
    if (lv.declared) all = [lv.declared];
    else if (isField) all = fieldDecls(text, c.text.slice(0, call.startIndex), lv.text);
    else {
      all = pointerDecls(c.text.slice(0, call.startIndex), name);
      if (!all.length) all = pointerDecls(fileScope(text), name);
    }
    if (all.length && !all.some((d) => /\b__percpu\b/.test(d)) && !/\(\s*[^()]*__percpu[^()]*\*\s*\)/.test(call.parent ? source(c, call.parent) : '')) {
      const declLine = declLineOf(text, all[0].replace(/\s*\*.*$/, ''), name);
      out.push({
        ...range, file, code: 'PCPU006', severity: 'warning', ...(cost ? { bytes: cost * p.possibleCpus, numbers: { bytesPerCpu: cost, cpus: p.possibleCpus, totalBytes: cost * p.possibleCpus } } : {}),
        ...(declLine ? { related: [{ file, line: declLine, message: `'${name}' declared here without __percpu` }] } : {}),
        message: `${lv.text.replace(/\s+/g, ' ')} holds a per-CPU pointer (${costText}) but is declared without __percpu: `
          + `sparse cannot catch a direct dereference. Declare it \`${(all[0].replace(/\s*\*.*$/, '') || 'T')} __percpu *${name}\`.`,
      });
    }
    // (b) unwinding paths
    out.push(...unwinding(file, text, c, call, lv.text, cost, costText, p));
  }
  return out;
}

/**
 * Who owns `base->f`: base, and the variables base was derived from (rcache = &iovad->rcaches[i]
 * makes a destructor taking iovad count as freeing rcache->cpu_rcaches).
 */
function ownersOf(fnText: string, lv: string): string[] {
  const base = /^\(?\s*\*?\s*([A-Za-z_]\w*)\s*(->|\.)/.exec(lv)?.[1];
  if (!base) return [];
  const owners = new Set([base]);
  for (const m of fnText.matchAll(new RegExp(`\\b${base}\\s*=\\s*([^;=][^;]*);`, 'g'))) {
    if (/^\s*(\([^()]*\)\s*)?\w*(alloc|create|new|kmemdup|get_free)\w*\s*\(/.test(m[1])) continue; // a new object, owned here
    for (const w of m[1].match(/[A-Za-z_]\w*/g) ?? []) if (!/^(struct|sizeof|container_of|NULL|GFP_\w+)$/.test(w)) owners.add(w);
  }
  // sb->s_fs_info = sbinfo: sb owns sbinfo, so a destructor taking sb counts too.
  for (const m of fnText.matchAll(new RegExp(`\\b([A-Za-z_]\\w*)\\s*(?:->|\\.)[\\w.>\\-]*\\s*=\\s*${base}\\s*;`, 'g'))) owners.add(m[1]);
  return [...owners];
}

function unwinding(file: string, text: string, c: FnChunk, call: Node, lv: string, cost: number | undefined, costText: string, p: RuleProfile): Diagnostic[] {
  const body = c.fn?.childForFieldName('body');
  if (!body) return [];
  const out: Diagnostic[] = [];
  const stmt = statementOf(call);
  const id = lastIdent(lv);
  // To the chunk's end (the column-0 brace), not body.endIndex: a loop macro can end the grammar's body early.
  const fnText = c.text.slice(body.startIndex);
  const labelAt = labelOffsets(fnText);
  const after = (n: Node) => n.startIndex >= stmt.endIndex;
  const between = (n: Node) => c.text.slice(stmt.endIndex, n.startIndex);
  const idRe = new RegExp(`\\b${id}\\b`);
  const isLocal = !/->|\./.test(lv);
  // A file-scope pointer stays referenced after a failure (and is often kept for the next try).
  if (isLocal && !pointerDecls(fnText, id).length && stmt.type !== 'declaration') return out;
  /** the allocation's own NULL check, or any test of the pointer, guards the jump */
  const guardedByCheck = (n: Node) => {
    for (let a = n.parent; a && a.id !== body.id; a = a.parent) {
      if (a.type === 'if_statement' && idRe.test(a.childForFieldName('condition')?.text ?? '')) return true;
    }
    return false;
  };
  const handedOff = (s: string) => new RegExp(`(^|[^=!<>])=\\s*(\\([^()]*\\)\\s*)?${lv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*;|\\bfree_percpu\\s*\\([^;]*\\b${id}\\b|\\b${id}\\s*=\\s*NULL`).test(s);
  // Code after a top-level return (or label: return) is the unwinding ladder itself: its gotos continue it.
  const ladderFrom = (() => {
    const rel = stmt.endIndex - body.startIndex;
    const m = /\n\t(?:[A-Za-z_]\w*:\s*)?return\b[^;]*;/.exec(fnText.slice(rel));
    return m ? body.startIndex + rel + m.index : Infinity;
  })();
  const owners = ownersOf(fnText, lv);
  // p->f where p (or what p derives from) is a parameter or a file-scope object: the caller, or the
  // module's exit path, owns p and unwinds it (swapfile.c's setup_clusters(si, ...), seg6_hmac's hmac_algos[]).
  if (!isLocal) {
    const params = new Set((c.fn?.childForFieldName('declarator')?.descendantsOfType('parameter_declaration') ?? [])
      .map((d) => (d ? /([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)*$/.exec(d.text)?.[1] : undefined)).filter((x): x is string => !!x));
    const scope = fileScope(text);
    const global = (n: string) => new RegExp(`\\b${n}\\s*(\\[[^\\]]*\\]\\s*)*[;=,]`).test(scope);
    if (owners.some((o) => params.has(o) || global(o))) return out;
  }
  const reported = new Set<string>();
  for (const g of body.descendantsOfType('goto_statement')) {
    if (!g || !after(g) || g.startIndex > ladderFrom || guardedByCheck(g)) continue;
    const label = g.childForFieldName('label')!.text;
    const at = labelAt.get(label);
    if (at === undefined || body.startIndex + at < stmt.endIndex || reported.has(label)) continue;
    const pre = between(g);
    if (handedOff(pre)) continue;
    const path = pathFrom(fnText, labelAt, label);
    if (NOT_ERROR_RETURN.test(path.returns) || (path.returns && idRe.test(path.returns))) continue;
    const aliases = [...pre.matchAll(new RegExp(`([\\w.\\->\\[\\]]+)\\s*=\\s*${id}\\b`, 'g'))].map((m) => m[1]);
    if (frees(path.text, lv, aliases, owners)) continue;
    reported.add(label);
    out.push({
      ...nodeRange(c, g), file, code: 'PCPU006', severity: 'warning', ...(cost ? { bytes: cost * p.possibleCpus, numbers: { bytesPerCpu: cost, cpus: p.possibleCpus, totalBytes: cost * p.possibleCpus } } : {}),
      message: `goto ${label} after ${lv.replace(/\s+/g, ' ')} was allocated reaches no free_percpu(${lv.replace(/\s+/g, ' ')}): each failure leaks ${costText}. Add a label that frees it to the unwinding ladder.`,
      related: [{ file, line: nodeRange(c, call).line, message: 'allocated here' }, { file, line: c.line0 + lineOf(lineStarts(c.text), body.startIndex + at) + 1, message: `${label}: does not free it` }],
    });
  }
  if (!isLocal) return out;
  // Early error returns of a local that nothing owns yet.
  for (const r of body.descendantsOfType('return_statement')) {
    if (!r || !after(r) || r.startIndex > ladderFrom || guardedByCheck(r) || r.parent?.type === 'labeled_statement') continue;
    const rt = r.text.replace(/\s+/g, ' ');
    if (NOT_ERROR_RETURN.test(rt) || idRe.test(rt)) continue;
    if (!/^(if_statement|compound_statement)$/.test(r.parent?.type ?? '') || r.parent?.id === body.id) continue;
    const pre = between(r);
    if (handedOff(pre) || passedToCall(pre, idRe)) continue;
    out.push({
      ...nodeRange(c, r), file, code: 'PCPU006', severity: 'warning', ...(cost ? { bytes: cost * p.possibleCpus, numbers: { bytesPerCpu: cost, cpus: p.possibleCpus, totalBytes: cost * p.possibleCpus } } : {}),
      message: `${rt} after ${id} was allocated does not free_percpu(${id}): each failure leaks ${costText}.`,
      related: [{ file, line: nodeRange(c, call).line, message: 'allocated here' }],
    });
    break;
  }
  return out;
}
