// Header predicates gcc folds to a constant under the config (arm64's system_supports_sme():
// alternative_has_cap_unlikely(ARM64_SME) returns false when cpucap_is_possible(ARM64_SME), a
// switch over the cap, returns IS_ENABLED(CONFIG_ARM64_SME)). Only what decides such chains is
// understood: return, `if (C) return E;`, a switch on a parameter bound to a constant name,
// ! && || and IS_ENABLED; anything else leaves the value unknown (undefined).
import { stripComments } from '../config/lex';
import { flat } from '../flat';

export interface FnBody { params: string[]; body: string }
/** a header function's definition by name, or undefined */
export type BodyOf = (name: string) => FnBody | undefined;

const MAX_DEPTH = 6;

/** name → definition of every function a header's text defines (params by name, body without braces) */
export function functionBodies(text: string): Map<string, FnBody> {
  const out = new Map<string, FnBody>();
  const t = stripComments(text);
  for (const m of t.matchAll(/\b([A-Za-z_]\w*)\s*\(([^;{}()]*)\)\s*\{/g)) {
    if (/^(?:if|for|while|switch|return|sizeof)$/.test(m[1]) || out.has(m[1])) continue;
    const open = m.index! + m[0].length - 1;
    const close = matchClose(t, open);
    if (close < 0) continue;
    const params = m[2].split(',').map((p) => /([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*$/.exec(p.trim())?.[1] ?? '').filter((p) => p && p !== 'void').map(flat);
    // flat copies: kept for the run, slices would keep the whole comment-stripped header
    out.set(flat(m[1]), { params, body: flat(t.slice(open + 1, close)) });
  }
  return out;
}

/** index of the bracket closing the one at `i` ((, { or [), or -1 */
export function matchClose(t: string, i: number): number {
  const open = t[i];
  const close = open === '(' ? ')' : open === '{' ? '}' : ']';
  let d = 0;
  for (let j = i; j < t.length; j++) {
    if (t[j] === open) d++;
    else if (t[j] === close && --d === 0) return j;
  }
  return -1;
}

/** top-level `a, b` split of an argument list */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let d = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if ('([{'.includes(s[i])) d++;
    else if (')]}'.includes(s[i])) d--;
    else if (s[i] === ',' && d === 0) { out.push(s.slice(from, i).trim()); from = i + 1; }
  }
  if (s.trim()) out.push(s.slice(from).trim());
  return out;
}

/** The value of a C condition: IS_ENABLED, true/false/0/1, ! && || (), and calls to header
 *  functions whose value is known for these arguments; `env` binds parameters to constant names. */
export function evalCondition(expr: string, bodyOf: BodyOf, isSet: (sym: string) => boolean, env: Map<string, string> = new Map(), depth = 0): boolean | undefined {
  const e = expr.trim();
  if (!e) return undefined;
  // strip one pair of parentheses around the whole expression
  if (e[0] === '(' && matchClose(e, 0) === e.length - 1) return evalCondition(e.slice(1, -1), bodyOf, isSet, env, depth);
  // the loosest operator at depth 0 first: ||, then &&
  for (const op of ['||', '&&']) {
    let d = 0;
    for (let i = 0; i < e.length - 1; i++) {
      if (e[i] === '(') d++;
      else if (e[i] === ')') d--;
      else if (d === 0 && e.startsWith(op, i)) {
        const a = evalCondition(e.slice(0, i), bodyOf, isSet, env, depth);
        const b = evalCondition(e.slice(i + 2), bodyOf, isSet, env, depth);
        if (op === '||') return a === true || b === true ? true : a === false && b === false ? false : undefined;
        return a === false || b === false ? false : a === true && b === true ? true : undefined;
      }
    }
  }
  if (e[0] === '!') { const v = evalCondition(e.slice(1), bodyOf, isSet, env, depth); return v === undefined ? undefined : !v; }
  if (/^(?:true|1)$/.test(e)) return true;
  if (/^(?:false|0)$/.test(e)) return false;
  const ie = /^IS_ENABLED\s*\(\s*(CONFIG_\w+)\s*\)$/.exec(e);
  if (ie) return isSet(ie[1]);
  const call = /^([A-Za-z_]\w*)\s*\(/.exec(e);
  if (call && matchClose(e, call[0].length - 1) === e.length - 1) {
    const args = splitArgs(e.slice(call[0].length, -1)).map((a) => env.get(a) ?? a);
    return callValue(call[1], args, bodyOf, isSet, depth + 1);
  }
  return undefined;
}

/** The value a header function returns on every path for these (constant name) arguments. */
function callValue(name: string, args: string[], bodyOf: BodyOf, isSet: (sym: string) => boolean, depth: number): boolean | undefined {
  if (depth > MAX_DEPTH) return undefined;
  // constant arguments only: enum constants or macros (upper case by kernel convention), numbers;
  // checked before the body is looked for (a name no header defines walks the whole include order)
  if (args.some((a) => !/^[A-Z][A-Z0-9_]*$|^\d+$/.test(a))) return undefined;
  const fn = bodyOf(name);
  if (!fn) return undefined;
  const env = new Map(fn.params.map((p, i) => [p, args[i]] as const));
  return runBody(fn.body, env, bodyOf, isSet, depth);
}

/** statements in order until one returns; undefined when a path is not understood */
function runBody(body: string, env: Map<string, string>, bodyOf: BodyOf, isSet: (sym: string) => boolean, depth: number): boolean | undefined {
  let t = body;
  for (;;) {
    t = t.replace(/^\s+/, '');
    if (!t) return undefined; // fell off the end
    const ret = /^return\b([^;]*);/.exec(t);
    if (ret) return evalCondition(ret[1], bodyOf, isSet, env, depth);
    const iff = /^if\s*\(/.exec(t);
    if (iff) {
      const close = matchClose(t, iff[0].length - 1);
      const r = close < 0 ? null : /^\s*return\b([^;]*);/.exec(t.slice(close + 1));
      if (!r || /^\s*else\b/.test(t.slice(close + 1 + r[0].length))) return undefined;
      const c = evalCondition(t.slice(iff[0].length, close), bodyOf, isSet, env, depth);
      if (c === true) return evalCondition(r[1], bodyOf, isSet, env, depth);
      if (c === undefined) return undefined;
      t = t.slice(close + 1 + r[0].length);
      continue;
    }
    const sw = /^switch\s*\(\s*([A-Za-z_]\w*)\s*\)\s*\{/.exec(t);
    if (sw) {
      const open = sw[0].length - 1;
      const close = matchClose(t, open);
      const v = env.get(sw[1]);
      if (close < 0 || v === undefined) return undefined;
      const block = t.slice(open + 1, close);
      const hit = new RegExp(`\\bcase\\s+${v}\\s*:`).exec(block);
      if (hit) {
        // the labels that follow share the statement: skip them to its return
        const rest = block.slice(hit.index + hit[0].length).replace(/^(?:\s*case\s+\w+\s*:)+/, '');
        const r = /^\s*return\b([^;]*);/.exec(rest);
        return r ? evalCondition(r[1], bodyOf, isSet, env, depth) : undefined;
      }
      if (/\bdefault\s*:/.test(block)) return undefined;
      t = t.slice(close + 1);
      continue;
    }
    // an expression statement that cannot return (compiletime_assert(...), a call): skip it
    const st = /^[A-Za-z_]\w*\s*\(/.exec(t);
    if (st && !/^(?:asm|__asm__|goto)\b/.test(t)) {
      const close = matchClose(t, st[0].length - 1);
      if (close < 0 || !/^\s*;/.test(t.slice(close + 1))) return undefined;
      t = t.slice(t.indexOf(';', close) + 1);
      continue;
    }
    return undefined;
  }
}
