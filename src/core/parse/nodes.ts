// Small helpers over tree-sitter nodes: leaf walking, text normalisation, macro argument recovery.
import type { Node } from './treeSitter';

export function norm(t: string): string {
  return t.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').replace(/\\\r?\n/g, ' ').replace(/\s+/g, ' ').trim();
}

function isLeaf(n: Node): boolean {
  return n.childCount === 0;
}

/** The next leaf after `n` in document order (climbing up as needed), or null. */
export function nextLeaf(n: Node): Node | null {
  let cur: Node | null = n;
  while (cur) {
    const sib: Node | null = cur.nextSibling;
    if (sib) {
      let d: Node = sib;
      while (!isLeaf(d)) d = d.firstChild!;
      return d;
    }
    cur = cur.parent;
  }
  return null;
}

export function prevLeaf(n: Node): Node | null {
  let cur: Node | null = n;
  while (cur) {
    const sib: Node | null = cur.previousSibling;
    if (sib) {
      let d: Node = sib;
      while (!isLeaf(d)) d = d.lastChild!;
      return d;
    }
    cur = cur.parent;
  }
  return null;
}

/** Real tokens only: no comments, no zero-width MISSING nodes. */
export function isToken(n: Node): boolean {
  return n.type !== 'comment' && n.endIndex > n.startIndex;
}

export function nextToken(n: Node): Node | null {
  let l = nextLeaf(n);
  while (l && !isToken(l)) l = nextLeaf(l);
  return l;
}

export function prevToken(n: Node): Node | null {
  let l = prevLeaf(n);
  while (l && !isToken(l)) l = prevLeaf(l);
  return l;
}

/**
 * Text of a run of tokens. With `orig` (the unblanked source) it is the original slice, so blanked
 * annotations (__rcu, __percpu) stay as written; without, one space where the source had a gap.
 */
export function tokensText(toks: Node[], orig?: string): string {
  if (orig !== undefined) return toks.length ? norm(orig.slice(toks[0].startIndex, toks[toks.length - 1].endIndex)) : '';
  let out = '';
  for (let i = 0; i < toks.length; i++) {
    if (i > 0 && toks[i].startIndex > toks[i - 1].endIndex) out += ' ';
    out += toks[i].text;
  }
  return norm(out);
}

export interface MacroArgs {
  args: Node[][]; // tokens of each top-level argument
  end: number; // index just after the closing ')'
}

/**
 * Arguments of a macro or call whose name token is `name`, recovered from the leaves that follow
 * it whatever tree tree-sitter built around them (macro_type_specifier + ERROR, declaration with
 * the type in an ERROR, call_expression, ...). Null if no balanced '(...)' follows.
 */
export function macroArgs(name: Node, limit = 4000): MacroArgs | null {
  let t = nextToken(name);
  if (!t || t.text !== '(') return null;
  const args: Node[][] = [[]];
  let depth = 0;
  for (let k = 0; t && k < limit; k++, t = nextToken(t)) {
    const x = t.text;
    if (x === '(' || x === '[' || x === '{') {
      depth++;
      if (depth === 1) continue;
    } else if (x === ')' || x === ']' || x === '}') {
      depth--;
      if (depth === 0) return { args: args.length === 1 && args[0].length === 0 ? [] : args, end: t.endIndex };
    } else if (x === ',' && depth === 1) {
      args.push([]);
      continue;
    }
    args[args.length - 1].push(t);
  }
  return null;
}

/** Splits a declarator written as a macro argument (`ptrs[NR_CPUS][2]`, `*p`) into name and dims. */
export function declaratorParts(toks: Node[]): { name: string; dims: string[]; stars: number; complex: boolean } {
  let name = '';
  const dims: string[] = [];
  let stars = 0;
  let complex = false;
  for (let i = 0; i < toks.length; i++) {
    const x = toks[i].text;
    if (x === '[') {
      let depth = 1;
      const inner: Node[] = [];
      for (i++; i < toks.length; i++) {
        const y = toks[i].text;
        if (y === '[' || y === '(') depth++;
        else if (y === ']' || y === ')') depth--;
        if (depth === 0) break;
        inner.push(toks[i]);
      }
      dims.push(tokensText(inner));
    } else if (x === '*') {
      stars++;
    } else if (/^[A-Za-z_]\w*$/.test(x) && !name) {
      name = x;
    } else if (/^[A-Za-z_]\w*$/.test(x) && /^__|^__attribute__$/.test(x)) {
      /* attributes after the name */
    } else {
      complex = true;
    }
  }
  return { name, dims, stars, complex };
}

/** Nearest ancestor (including n) of one of the given types. */
export function ancestor(n: Node | null, types: ReadonlySet<string> | string): Node | null {
  for (let c = n; c; c = c.parent) {
    if (typeof types === 'string' ? c.type === types : types.has(c.type)) return c;
  }
  return null;
}

export function hasErrorAncestor(n: Node | null): boolean {
  for (let c = n; c; c = c.parent) if (c.type === 'ERROR') return true;
  return false;
}

/** Name of the enclosing function definition, if any. */
export function enclosingFunction(n: Node): string | undefined {
  const f = ancestor(n, 'function_definition');
  if (!f) return undefined;
  let d = f.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator') ?? d.namedChild(0);
  const id = d?.childForFieldName('declarator');
  return id ? norm(id.text) : undefined;
}

/** 'struct foo' / 'union bar' / typedef name for a field inside a struct or union body. */
export function container(n: Node): string | undefined {
  for (let c: Node | null = n; c; c = c.parent) {
    if (c.type === 'struct_specifier' || c.type === 'union_specifier') {
      const kw = c.type === 'struct_specifier' ? 'struct' : 'union';
      const nm = c.childForFieldName('name');
      if (nm) return `${kw} ${nm.text}`;
      const td = c.parent;
      if (td && td.type === 'type_definition') {
        const d = td.childForFieldName('declarator');
        if (d) return norm(d.text);
      }
      // anonymous member struct: keep looking for a named one outside
    }
  }
  return undefined;
}
