// A member a function reads without storing it first (dma-iommu.c's iommu_dma_init_fq_percpu():
// `size_t fq_size = cookie->options.fq_size;`): the constants the file stores in that member, and
// when they differ, the one its only caller's test admits through a member stored beside it:
//   if (dev->iommu->shadow_on_flush) { options->qt = IOMMU_DMA_OPTS_SINGLE_QUEUE; options->fq_size = IOVA_SINGLE_FQ_SIZE; }
//   else { options->qt = IOMMU_DMA_OPTS_PER_CPU_QUEUE; options->fq_size = IOVA_DEFAULT_FQ_SIZE; }
//   ...
//   if (cookie->options.qt == IOMMU_DMA_OPTS_SINGLE_QUEUE) rc = iommu_dma_init_fq_single(cookie);
//   else rc = iommu_dma_init_fq_percpu(cookie);
// Stores in other files are not seen: the answer says which stores it took (note).
import { functionsAt } from '../rules/syntax';
import type { Node } from '../parse/treeSitter';

export interface Store { rhs: string; at: number }

/** Balanced parentheses and brackets: a right side cut at a comma inside a call is not one. */
function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(' || c === '[') d++;
    else if (c === ')' || c === ']') { if (--d < 0) return false; }
  }
  return d === 0;
}

/** Every `X->member = rhs;` / `X.member = rhs;` and designated `.member = rhs,` of `text`; undefined when one is not a plain store (`+=`, `++`, an address taken). */
export function memberStores(text: string, member: string): Store[] | undefined {
  const m = member; // an identifier: nothing to escape
  if (new RegExp(`(?:->|\\.)\\s*${m}\\s*(?:\\+\\+|--|[-+*/%&|^]=|<<=|>>=)|(?:\\+\\+|--)\\s*[\\w.>-]*(?:->|\\.)\\s*${m}\\b|&\\s*[\\w.>-]*(?:->|\\.)\\s*${m}\\b`).test(text)) return undefined;
  const out: Store[] = [];
  for (const x of text.matchAll(new RegExp(`(?:->|\\.)\\s*${m}\\s*=(?!=)\\s*([^;,{}]+?)\\s*[;,}]`, 'g'))) {
    if (!balanced(x[1])) return undefined;
    out.push({ rhs: x[1].replace(/\s+/g, ' '), at: x.index! });
  }
  return out;
}

/** Whether a struct or union the text defines declares `member` (`size_t fq_size;`, `unsigned int head, tail;`). */
export function declaredHere(text: string, member: string): boolean {
  const decl = new RegExp(`[\\s,*]${member}\\s*(?:\\[[^\\]]*\\]\\s*)*(?::\\s*\\w+\\s*)?[;,]`);
  for (const m of text.matchAll(/^(?:typedef\s+)?(?:struct|union)\s+\w*\s*\{/gm)) {
    const body = blockAround(text, m.index! + m[0].length - 1);
    if (body && decl.test(body.replace(/\([^()]*\)/g, ''))) return true;
  }
  return false;
}

/** The text of the innermost `{ ... }` holding offset `at`, or undefined at file scope. */
export function blockAround(text: string, at: number): string | undefined {
  let d = 0;
  let open = -1;
  for (let i = at; i >= 0; i--) {
    const c = text[i];
    if (c === '}') d++;
    else if (c === '{') { if (d === 0) { open = i; break; } d--; }
  }
  if (open < 0) return undefined;
  d = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') d++;
    else if (text[i] === '}' && --d === 0) return text.slice(open, i + 1);
  }
  return undefined;
}

/** The test that decides the only call of `func` in `text`: `{ member, op, value, taken }`, where the call runs when (member op value) === taken. */
export async function callGuard(text: string, func: string): Promise<{ member: string; op: '==' | '!='; value: string; taken: boolean } | undefined> {
  const uses = [...text.matchAll(new RegExp(`\\b${func}\\b`, 'g'))].map((x) => x.index!);
  const calls: number[] = [];
  for (const at of uses) {
    const after = text.slice(at + func.length).match(/^\s*\(/);
    if (!after) return undefined; // its address is taken: other callers
    // its definition or a declaration: only type words before it on the line (`static int f(`)
    const before = text.slice(text.lastIndexOf('\n', at) + 1, at);
    if (/^[A-Za-z_][\w\s*]*$/.test(before) && !/\breturn\b/.test(before)) continue;
    calls.push(at);
  }
  if (calls.length !== 1) return undefined;
  // the tree is functionsAt's cache's (it deletes it)
  const [chunk] = await functionsAt(text, calls);
  if (!chunk?.fn) return undefined;
  const row = text.slice(0, calls[0]).split('\n').length - 1 - chunk.line0;
  let call: Node | undefined;
  const find = (n: Node) => {
    if (call) return;
    if (n.type === 'call_expression' && n.startPosition.row === row && n.childForFieldName('function')?.text === func) { call = n; return; }
    for (const c of n.namedChildren) if (c) find(c);
  };
  find(chunk.fn);
  // the innermost `if` whose branch holds the call
  for (let n: Node | null = call ?? null; n?.parent; n = n.parent) {
    const p: Node = n.parent;
    if (p.type !== 'if_statement') continue;
    const inThen = p.childForFieldName('consequence')?.id === n.id;
    const inElse = p.childForFieldName('alternative')?.id === n.id;
    if (!inThen && !inElse) continue;
    let c = p.childForFieldName('condition');
    while (c && (c.type === 'parenthesized_expression' || c.type === 'condition_clause')) c = c.namedChildren.find((x) => x?.type !== 'comment') ?? null;
    if (c?.type !== 'binary_expression') return undefined;
    const op = c.childForFieldName('operator')?.text;
    if (op !== '==' && op !== '!=') return undefined;
    const l = c.childForFieldName('left')!.text.replace(/\s+/g, '');
    const r = c.childForFieldName('right')!.text.replace(/\s+/g, ' ');
    const mem = /(?:->|\.)([A-Za-z_]\w*)$/.exec(l)?.[1];
    if (!mem) return undefined;
    return { member: mem, op, value: r, taken: inThen };
  }
  return undefined;
}

/**
 * The constant text `member` holds where `func` reads it, from the file's stores (see above), and
 * a note saying which; undefined when the stores are not all constants or do not narrow to one value.
 */
export async function storedConstant(text: string, func: string, member: string, evalConst: (expr: string) => number | undefined): Promise<{ rhs: string; note: string } | undefined> {
  // a member of a struct the file defines itself: no other file stores in it
  if (!declaredHere(text, member)) return undefined;
  const stores = memberStores(text, member);
  if (!stores?.length) return undefined;
  const vals = stores.map((s) => evalConst(s.rhs));
  if (vals.some((v) => v === undefined)) return undefined;
  if (vals.every((v) => v === vals[0])) return { rhs: stores[0].rhs, note: `${member} is ${stores[0].rhs}: the value this file stores in it` };
  const g = await callGuard(text, func);
  if (!g) return undefined;
  const want = evalConst(g.value);
  if (want === undefined) return undefined;
  const kept = new Set<number>();
  let first: Store | undefined;
  for (let i = 0; i < stores.length; i++) {
    const block = blockAround(text, stores[i].at);
    const beside = block && memberStores(block, g.member);
    if (!beside || beside.length !== 1) return undefined;
    const v = evalConst(beside[0].rhs);
    if (v === undefined) return undefined;
    if (((v === want) === (g.op === '==')) === g.taken) { kept.add(vals[i]!); first ??= stores[i]; }
  }
  if (kept.size !== 1 || !first) return undefined;
  return { rhs: first.rhs, note: `${member} is ${first.rhs}: the value this file stores in it beside ${g.member}, where ${func}() is called (${g.member} ${g.taken === (g.op === '==') ? '==' : '!='} ${g.value})` };
}
