// Syntax for the rules that need it (PCPU002, 003, 006). Kernel style puts a function body's braces
// in column 0, so we cut the functions around trigger tokens out of the file and parse only those:
// a 5k-line file costs a few small parses instead of one large one, and a macro the grammar does
// not know breaks one function, not the file. Parsed chunks are cached by text across edits.
import { blankAnnotations } from '../parse/annotations';
import { newParser, Node, Parser, Tree } from '../parse/treeSitter';
import { flat } from '../flat';

export interface Chunk {
  /** offset of the chunk in the file text */
  start: number;
  /** 0-based line of the chunk's first line in the file */
  line0: number;
  text: string;
}

export interface FnChunk extends Chunk {
  tree: Tree;
  /** the function_definition of the chunk, if the grammar produced one */
  fn: Node | undefined;
}

export interface Range { line: number; column: number; endLine: number; endColumn: number }

/** Offsets where line starts; index i = line i (0-based). */
export function lineStarts(text: string): number[] {
  const r = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) r.push(i + 1);
  return r;
}

export function lineOf(starts: number[], off: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= off) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** 1-based range of a node of a chunk, in file coordinates (chunks start at a line start). */
export function nodeRange(c: Chunk, n: Node): Range {
  return {
    line: c.line0 + n.startPosition.row + 1,
    column: n.startPosition.column + 1,
    endLine: c.line0 + n.endPosition.row + 1,
    endColumn: n.endPosition.column + 1,
  };
}

/**
 * The function around `off`: from its header (lines above the column-0 `{` up to a blank line, a
 * `;`/`}` line or a directive) to the column-0 `}`. Undefined at file scope.
 */
function functionChunkAt(text: string, starts: number[], off: number): Chunk | undefined {
  const l = lineOf(starts, off);
  let open = -1;
  for (let i = l; i >= 0; i--) {
    const c = text[starts[i]];
    if (c === '{') { open = i; break; }
    if (c === '}' && i !== l) return undefined;
  }
  if (open < 0) return undefined;
  let close = -1;
  for (let i = Math.max(l, open + 1); i < starts.length; i++) {
    const c = text[starts[i]];
    if (c === '}') { close = i; break; }
    if (c === '{' && i !== open) return undefined;
  }
  if (close < 0) return undefined;
  let head = open;
  while (head > 0) {
    const prev = text.slice(starts[head - 1], starts[head] - 1).trimEnd();
    if (!prev || /[;}]$|\*\/$/.test(prev) || prev.startsWith('#')) break;
    head--;
  }
  const end = close + 1 < starts.length ? starts[close + 1] : text.length;
  return { start: starts[head], line0: head, text: text.slice(starts[head], end) };
}

/** Original text of a node (node.text shows the blanked annotations). */
export function source(c: Chunk, n: Node): string {
  return c.text.slice(n.startIndex, n.endIndex);
}

let parserP: Promise<Parser> | undefined;
const cache = new Map<string, Tree>(); // chunk text → tree, most recent last
const CACHE_MAX = 400;

async function parse(text: string): Promise<Tree> {
  const hit = cache.get(text);
  if (hit) {
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  parserP ??= newParser();
  // a chunk is a slice of its file's text: kept as the key (or by the tree, unblanked) it would keep the whole file
  const own = flat(text);
  // annotations tree-sitter does not know are blanked (same offsets): read original text with source()
  const t = (await parserP).parse(blankAnnotations(own, [[0, own.length]]))!;
  cache.set(own, t);
  if (cache.size > CACHE_MAX) {
    const [k, old] = cache.entries().next().value as [string, Tree];
    cache.delete(k);
    old.delete();
  }
  return t;
}

/** Forget every cached parse (tests compare a cached run with a cold one). */
export function clearParseCache(): void {
  for (const t of cache.values()) t.delete();
  cache.clear();
}

/** Parsed functions containing any of the offsets (each function once). */
export async function functionsAt(text: string, offsets: number[], starts = lineStarts(text)): Promise<FnChunk[]> {
  const seen = new Set<number>();
  const out: FnChunk[] = [];
  for (const off of offsets) {
    const c = functionChunkAt(text, starts, off);
    if (!c || seen.has(c.start)) continue;
    seen.add(c.start);
    const tree = await parse(c.text);
    const fn = tree.rootNode.namedChildren.find((n) => n?.type === 'function_definition') ?? undefined;
    out.push({ ...c, tree, fn });
  }
  return out;
}

export function functionName(fn: Node | undefined): string | undefined {
  let d = fn?.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  const id = d?.childForFieldName('declarator');
  return id?.type === 'identifier' ? id.text : undefined;
}

/** Offsets of every match of a word in text (code and comments alike: callers re-check in the tree). */
export function wordOffsets(text: string, re: RegExp): number[] {
  const out: number[] = [];
  const g = new RegExp(re.source, 'g');
  for (let m = g.exec(text); m; m = g.exec(text)) out.push(m.index);
  return out;
}

export const squash = (s: string): string => s.replace(/\s+/g, '');

export interface StructDef {
  /** `struct foo` */
  type: string;
  body: string;
  /** offset of `struct` in its text */
  offset: number;
}

/** Where `struct|union NAME { ... }` is written in a text (brace-matched): for rules that read member
 *  declarations or point at a definition. Sizes come from the layout engine, not from here. */
export function findStructDefs(text: string, name?: string): StructDef[] {
  const out: StructDef[] = [];
  const re = name ? new RegExp(`\\b(struct|union)\\s+(${name})\\s*\\{`, 'g') : /\b(struct|union)\s+(\w+)\s*\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let depth = 0;
    let i = m.index + m[0].length - 1;
    for (; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) break;
    }
    if (i >= text.length) continue;
    out.push({ type: `${m[1]} ${m[2]}`, body: text.slice(m.index + m[0].length, i), offset: m.index });
  }
  return out;
}
