// What an alloc_percpu call site sees: the declared types of its function's parameters and locals
// and of the file's globals (for `sizeof(*pc)`, `typeof(*chan->local)`, `struct_size(queue, ...)`),
// and the values of locals assigned once from a constant (`size = sizeof(note_buf_t);`), as gcc's
// constant propagation sees them. What is left is a value only the running kernel has.
import type { ExprScope } from '../layout/exprType';
import type { Node } from '../parse/treeSitter';
import { functionName, functionsAt, lineStarts } from '../rules/syntax';
import { storedConstant } from './memberStores';

interface Local { type: string; param: boolean; init?: string; line: number }
interface Write { text?: string; line: number }

const STORAGE = /\b(?:static|extern|register|auto|inline|__always_inline|noinline|__init|__initdata|__read_mostly|__ro_after_init)\b/g;

/** The declarator's name and its type with the name taken out (`*cpu_events` → `*`, `c[3]` → `[3]`). */
function declared(d: Node): { name: string; abstract: string } | undefined {
  let id: Node | null = d;
  while (id && id.type !== 'identifier') id = id.childForFieldName('declarator');
  if (!id) return undefined;
  const rel = id.startIndex - d.startIndex;
  return { name: id.text, abstract: d.text.slice(0, rel) + d.text.slice(rel + id.text.length) };
}

function typeText(decl: Node, upTo: Node): string {
  // qualifiers and the type specifier: the text from the declaration's start to its type's end
  return decl.text.slice(0, upTo.endIndex - decl.startIndex).replace(STORAGE, ' ').replace(/\s+/g, ' ').trim();
}

/** A member chain as written (`new->cache_size`, `c . opts.n`) without spaces; undefined when it is not names joined by `.`/`->` */
function chainOf(n: Node): string | undefined {
  const t = n.text.replace(/\s+/g, '');
  return /^[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)+$/.test(t) ? t : undefined;
}

function readFunction(fn: Node, line0: number): { locals: Map<string, Local>; writes: Map<string, Write[]>; members: Map<string, Write[]> } {
  const locals = new Map<string, Local>();
  const writes = new Map<string, Write[]>();
  // member chains written in the body (`new->cache_size = size;`), or any part of one changed or its address taken ('?')
  const members = new Map<string, Write[]>();
  const write = (name: string, w: Write) => (writes.get(name) ?? writes.set(name, []).get(name)!).push(w);
  const writeMember = (n: Node, w: Write) => { const c = chainOf(n) ?? '?'; (members.get(c) ?? members.set(c, []).get(c)!).push(w); };
  const lineOf = (n: Node) => line0 + n.startPosition.row + 1;
  const visit = (n: Node) => {
    if (n.type === 'parameter_declaration' || n.type === 'declaration') {
      const ty = n.childForFieldName('type');
      if (ty) {
        for (const d0 of n.childrenForFieldName('declarator')) {
          if (!d0) continue;
          const init = d0.type === 'init_declarator' ? d0 : undefined;
          const d = init ? init.childForFieldName('declarator') : d0;
          const v = init?.childForFieldName('value');
          const x = d && declared(d);
          if (!x || (n.type === 'declaration' && d!.type === 'function_declarator')) continue;
          locals.set(x.name, {
            type: `${typeText(n, ty)} ${x.abstract}`.trim(), param: n.type === 'parameter_declaration', line: lineOf(n),
            ...(v && v.type !== 'initializer_list' ? { init: v.text } : {}),
          });
        }
      }
    } else if (n.type === 'assignment_expression') {
      const l = n.childForFieldName('left');
      const op = n.childForFieldName('operator')?.text ?? n.children.find((c) => c && /=$/.test(c.type))?.type;
      const w = { line: lineOf(n), ...(op === '=' ? { text: n.childForFieldName('right')?.text } : {}) };
      if (l?.type === 'identifier') write(l.text, w);
      else if (l?.type === 'field_expression') writeMember(l, w);
    } else if (n.type === 'update_expression') {
      const a = n.childForFieldName('argument');
      if (a?.type === 'identifier') write(a.text, { line: lineOf(n) });
      else if (a?.type === 'field_expression') writeMember(a, { line: lineOf(n) });
    } else if (n.type === 'pointer_expression' && n.childForFieldName('operator')?.text === '&') {
      const a = n.childForFieldName('argument');
      if (a?.type === 'identifier') write(a.text, { line: lineOf(n) }); // its address escapes: anything may write it
      else if (a?.type === 'field_expression') writeMember(a, { line: lineOf(n) });
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(fn);
  return { locals, writes, members };
}

/** A file-scope declaration of `name` (column 0, outside functions): its type text. */
function globalType(text: string, name: string): string | undefined {
  const re = new RegExp(`^(?![\\s#}/*])([^;(){}=]*?[\\s*])${name}\\s*((?:\\[[^\\]\\n]*\\])*)\\s*(?:__\\w+(?:\\([^)\\n]*\\))?\\s*)*[;=]`, 'm');
  const m = re.exec(text);
  if (!m || /\btypedef\b/.test(m[1])) return undefined; // a type's name, not a variable
  return `${m[1].replace(STORAGE, ' ').replace(/\s+/g, ' ').trim()} ${m[2]}`.trim();
}

/** The parameters of a function definition in order, by name (undefined: unnamed, `...`). */
function parameterNames(fn: Node): Array<string | undefined> {
  let d = fn.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  const list = d?.childForFieldName('parameters');
  if (!list) return [];
  const out: Array<string | undefined> = [];
  for (const p of list.namedChildren) {
    if (!p || p.type === 'comment') continue;
    const decl = p.type === 'parameter_declaration' ? p.childForFieldName('declarator') : null;
    out.push(decl ? declared(decl)?.name : undefined);
  }
  // `(void)`: no parameter
  return out.length === 1 && out[0] === undefined && list.text.replace(/\s+/g, '') === '(void)' ? [] : out;
}

/** A call site's scope, with the function it is in and that function's parameters. */
export interface SiteScope extends ExprScope {
  func: string;
  params: Array<string | undefined>;
  /** whether `name` is a parameter, or a local whose only value is computed from one */
  fromParams(name: string): boolean;
  /** what memberAt took from the file's stores rather than the function's own (memberStores.ts), for the price's note */
  notes: Set<string>;
}

/** The member chains a text reads (`cookie->options.fq_size`), without spaces. */
export function memberChains(text: string): string[] {
  return [...text.matchAll(/\b[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)+/g)].map((m) => m[0].replace(/\s+/g, ''));
}

/**
 * `scope` with the parameters given values by one call: `value` gives a parameter's constant text
 * at that caller (undefined when the caller passes a run-time value), `why` then says why.
 */
export function withArguments(scope: SiteScope, value: (param: string) => string | undefined, why: (param: string) => string): ExprScope {
  const isParam = (n: string) => scope.params.includes(n);
  return {
    typeOf: scope.typeOf,
    ...(scope.memberAt ? { memberAt: scope.memberAt } : {}),
    valueAt: (n) => (isParam(n) ? value(n) : scope.valueAt?.(n)),
    runTime: (n) => (isParam(n) ? why(n) : scope.runTime?.(n)),
  };
}

/**
 * The scope at `line` (1-based) of `text`; undefined outside a function. `file` names the file in
 * run-time reasons.
 */
export async function siteScope(text: string, line: number, file: string, evalConst?: (expr: string) => number | undefined): Promise<SiteScope | undefined> {
  const starts = lineStarts(text);
  const at = starts[Math.max(0, Math.min(line - 1, starts.length - 1))];
  const [c] = await functionsAt(text, [at]);
  if (!c?.fn) return undefined;
  const func = functionName(c.fn) ?? 'its function';
  const { locals, writes, members } = readFunction(c.fn, c.line0);
  const globals = new Map<string, string | undefined>();
  const global = (n: string) => {
    if (!globals.has(n)) globals.set(n, /^\w+$/.test(n) ? globalType(text, n) : undefined);
    return globals.get(n);
  };
  const params = parameterNames(c.fn);
  const ownStore = (chain: string): string | undefined => {
    // one plain store to the chain before the site, nothing else changing it or a part of it
    // (`new->opts` for `new->opts.n`) or taking its address, its base not assigned after the store:
    // `new->cache_size = size;` then `__alloc_percpu(... new->cache_size ...)`. A call in between that
    // writes through the pointer is not seen (the kernel allocates right after such stores).
    const own = members.get(chain) ?? [];
    if (own.length !== 1 || own[0].text === undefined || own[0].line > line || members.has('?')) return undefined;
    for (const [k, w] of members) if (k !== chain && w.length && (chain.startsWith(`${k}.`) || chain.startsWith(`${k}->`))) return undefined;
    const base = /^\w+/.exec(chain)![0];
    if ((writes.get(base) ?? []).some((w) => w.line >= own[0].line)) return undefined;
    return own[0].text;
  };
  // chains the function reads without storing them: the file's stores may tell (memberStores.ts)
  const fileWide = new Map<string, { rhs: string; note: string }>();
  if (evalConst && functionName(c.fn)) {
    // the site's statement (a call may span lines) and what the function's locals are computed from
    const from = starts[line - 1] ?? 0;
    const end = text.indexOf(';', from);
    const texts = [text.slice(from, end < 0 ? text.length : end), ...[...locals.values()].map((l) => l.init ?? ''), ...[...writes.values()].flat().map((w) => w.text ?? '')];
    const byMember = new Map<string, Awaited<ReturnType<typeof storedConstant>>>();
    for (const t of texts) {
      for (const chain of memberChains(t)) {
        if (fileWide.has(chain) || members.has(chain)) continue;
        const member = /\w+$/.exec(chain)![0];
        if (!byMember.has(member)) byMember.set(member, await storedConstant(text, functionName(c.fn)!, member, evalConst));
        const k = byMember.get(member);
        if (k) fileWide.set(chain, k);
      }
    }
  }
  const notes = new Set<string>();
  const fromParams = (n: string, depth = 0): boolean => {
    if (params.includes(n)) return true;
    const l = locals.get(n);
    if (!l || l.param || depth > 4) return false;
    const w = writes.get(n) ?? [];
    const v = l.init !== undefined ? (w.length === 0 ? l.init : undefined) : (w.length === 1 && w[0].line <= line ? w[0].text : undefined);
    // a parameter's value, not memory read through it (`cookie->options.fq_size` is the run's)
    return v !== undefined && [...v.matchAll(/\b([A-Za-z_]\w*)\b(?!\s*(?:->|\.|\[))/g)].some((m) => m[1] !== n && fromParams(m[1], depth + 1));
  };
  return {
    func: functionName(c.fn) ?? '',
    params,
    fromParams: (n) => fromParams(n),
    typeOf: (n) => locals.get(n)?.type ?? global(n),
    valueAt: (n) => {
      const l = locals.get(n);
      if (!l || l.param) return undefined;
      const w = writes.get(n) ?? [];
      if (l.init !== undefined) return w.length === 0 ? l.init : undefined;
      // one plain assignment before the call, nothing else writing it
      return w.length === 1 && w[0].text !== undefined && w[0].line <= line ? w[0].text : undefined;
    },
    notes,
    memberAt: (chain) => {
      const own = ownStore(chain);
      if (own !== undefined) return own;
      const k = fileWide.get(chain);
      if (k) notes.add(`${chain}: ${k.note}`);
      return k?.rhs;
    },
    runTime: (n) => {
      const l = locals.get(n);
      if (l && !l.param) {
        // what it is computed from, so the reason shows the run-time input (`= cookie->options.fq_size`)
        const w = writes.get(n) ?? [];
        const vals = [...(l.init !== undefined ? [l.init] : []), ...w.map((x) => x.text)].map((x) => (x === undefined ? `${n} updated` : `= ${x.replace(/\s+/g, ' ')}`));
        return `computed when ${func}() runs${vals.length ? ` (${vals.join(', then ').slice(0, 120)})` : ''}`;
      }
      if (l) return `a parameter of ${func}()`;
      return global(n) !== undefined ? `a variable of ${file} set at run time` : undefined;
    },
  };
}
