// Scans one file's text: lex, pick the top-level chunks that hold trigger tokens, parse only those
// (tree-sitter includedRanges keeps file offsets), then extract findings.
import * as fs from 'fs';
import { lex, findTriggers, floorIndex, condAt, Lexed } from './lexer';
import { Extractor } from './extract';
import { newParser, QueryCtor, loadC, Parser, Query, Tree } from './treeSitter';
import { queryPath } from '../assets';
import { annotationSpans, blankedReader } from './annotations';
import { plausible } from './triggers';
import type { Finding, ScanFileResult } from './types';

export interface ScanTextOptions {
  parseTimeoutMs?: number;
  /** Chunks larger than this are cut to a window around the trigger (keeps one bad brace cheap). */
  maxChunk?: number;
}

export interface ScanTextStats {
  bytesTreeSitter: number;
}

interface Engine {
  parser: Parser;
  arrays: Query;
  fields: Query;
  queryIndexScale: number;
}

let engine: Promise<Engine> | undefined;

function getEngine(): Promise<Engine> {
  if (!engine) {
    engine = (async () => {
      const lang = await loadC();
      const parser = await newParser();
      const q = (n: string) => new QueryCtor(lang, fs.readFileSync(queryPath(n), 'utf8'));
      const arrays = q('arrays.scm');
      return { parser, arrays, fields: q('fields.scm'), queryIndexScale: queryIndexScale(parser, arrays) };
    })();
  }
  return engine;
}

/**
 * How query ranges are counted: web-tree-sitter 0.25 passes them to C as bytes of its UTF-16
 * text (2 per character) while node indices are characters. Probed, so a fixed release still works.
 */
function queryIndexScale(parser: Parser, arrays: Query): number {
  const text = 'int pad_____________________________;\nint b[NR_CPUS];\n';
  const tree = parser.parse(text)!;
  try {
    const a = text.indexOf('b['), e = text.indexOf(';', a);
    return arrays.matches(tree.rootNode, { startIndex: a, endIndex: e }).length > 0 ? 1 : 2;
  } finally {
    tree.delete();
  }
}

function lineStarts(s: string): number[] {
  const r = [0];
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) r.push(i + 1);
  return r;
}

/** [start, end) ranges to parse: the chunks around candidates, merged, minus preprocessor lines. */
export function chunkRanges(s: string, lx: Lexed, maxChunk: number): [number, number][] {
  const out: [number, number][] = [];
  const b = lx.boundaries;
  for (const c of lx.candidates) {
    const k = floorIndex(b, c.start);
    let a = b[k];
    let e = k + 1 < b.length ? b[k + 1] : s.length;
    // boundaries are pushed in order except for directive ends; find the next one after c
    for (let j = k + 1; j < b.length; j++) if (b[j] > c.start) { e = b[j]; break; }
    if (e - a > maxChunk) {
      a = Math.max(a, s.lastIndexOf('\n', Math.max(0, c.start - maxChunk / 2)) + 1);
      const nl = s.indexOf('\n', Math.min(s.length, c.end + maxChunk / 2));
      e = Math.min(e, nl < 0 ? s.length : nl);
    }
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([a, e]);
  }
  // cut out directive lines
  const res: [number, number][] = [];
  const d = lx.directives;
  let di = 0;
  for (const [a0, e] of out) {
    let a = a0;
    while (di < d.length && d[di + 1] <= a) di += 2;
    let j = di;
    while (j < d.length && d[j] < e) {
      if (d[j] > a) res.push([a, d[j]]);
      a = Math.max(a, d[j + 1]);
      j += 2;
    }
    if (a < e) res.push([a, e]);
  }
  return res;
}

/** What a file's text gives before parsing: its candidates, chunks and the text tree-sitter sees. */
export interface Prepared {
  text: string;
  lx: Lexed;
  pos: (o: number) => { line: number; column: number };
  /** the text tree-sitter reads (annotations blanked in the chunks), piece by piece from an offset */
  parseText: (index: number) => string;
  ranges: Range[];
}

type Range = { startIndex: number; endIndex: number; startPosition: { row: number; column: number }; endPosition: { row: number; column: number } };

/** Lexes and picks the chunks to parse; undefined when no plausible trigger is in code. */
export function prepare(text: string, opts: ScanTextOptions = {}): Prepared | undefined {
  // Most files past the byte prefilter hold no plausible trigger: skip the lexer's char loop for them.
  const found = findTriggers(text).filter((c) => plausible(text, c.start, c.end, c.tok));
  if (found.length === 0) return undefined;
  const lx = lex(text, found);
  if (lx.candidates.length === 0) return undefined;
  const ls = lineStarts(text);
  const pos = (o: number) => {
    const k = floorIndex(ls, o);
    return { line: k + 1, column: o - ls[k] + 1 };
  };
  const chunks = chunkRanges(text, lx, opts.maxChunk ?? 256 * 1024);
  const parseText = blankedReader(text, annotationSpans(text, chunks));
  const ranges = chunks.map(([a, e]) => {
    const pa = pos(a), pe = pos(e);
    return { startIndex: a, endIndex: e, startPosition: { row: pa.line - 1, column: pa.column - 1 }, endPosition: { row: pe.line - 1, column: pe.column - 1 } };
  });
  return { text, lx, pos, parseText, ranges };
}

/** Parses the prepared chunks, reusing `old` (already edited) when given; undefined on timeout or failure. */
export async function parsePrepared(p: Prepared, opts: ScanTextOptions, old?: Tree): Promise<{ tree?: Tree; error?: string }> {
  const eng = await getEngine();
  const limit = opts.parseTimeoutMs ?? 10000;
  const deadline = performance.now() + limit;
  let timedOut = false;
  const tree = eng.parser.parse(p.parseText, old ?? null, {
    includedRanges: p.ranges,
    progressCallback: () => (timedOut = performance.now() > deadline),
  } as Parameters<Parser['parse']>[2]);
  if (!tree) {
    eng.parser.reset();
    return { error: timedOut ? `parse timed out after ${limit} ms` : 'parse failed' };
  }
  return { tree };
}

/** The findings in a parsed file; extraction gets the same time budget as the parse. */
export async function extractFindings(p: Prepared, file: string, tree: Tree, opts: ScanTextOptions = {}): Promise<Finding[]> {
  return (await extractSpans(p, file, tree, opts)).findings;
}

/**
 * The findings of the candidates in `cands` (default: all of the file's), each with its [start, end)
 * offsets and reach (ExtractCtx.spans), the candidates that read the braces before them
 * (ExtractCtx.braceReads) and the claimed ranges (ExtractCtx.claims); `complete` false when the
 * time budget ran out (some were reported unresolved).
 */
export async function extractSpans(p: Prepared, file: string, tree: Tree, opts: ScanTextOptions = {}, cands = p.lx.candidates): Promise<{ findings: Finding[]; spans: [number, number, number][]; braceReads: number[]; claims: [number, number][]; complete: boolean }> {
  const eng = await getEngine();
  const deadline = performance.now() + (opts.parseTimeoutMs ?? 10000);
  const spans = new Map<Finding, [number, number, number]>();
  const braceReads: number[] = [];
  const claims: [number, number][] = [];
  const ex = new Extractor({
    text: p.text, file, pos: p.pos, cond: (o) => condAt(p.lx, o), root: tree.rootNode, arrays: eng.arrays, fields: eng.fields,
    queryIndexScale: eng.queryIndexScale, deadline, spans, braceReads, claims,
  });
  ex.run(cands);
  return { findings: ex.findings, spans: ex.findings.map((f) => spans.get(f)!), braceReads, claims, complete: !ex.gaveUp };
}

export async function scanTextWith(text: string, file: string, opts: ScanTextOptions = {}, stats?: ScanTextStats): Promise<ScanFileResult> {
  const result: ScanFileResult = { file, findings: [], errors: [] };
  const p = prepare(text, opts);
  if (!p) return result;
  if (stats) for (const r of p.ranges) stats.bytesTreeSitter += r.endIndex - r.startIndex;
  const { tree, error } = await parsePrepared(p, opts);
  if (!tree) {
    result.errors.push(error!);
    return result;
  }
  try {
    result.findings = await extractFindings(p, file, tree, opts);
  } finally {
    tree.delete();
  }
  return result;
}

/** Scans one file's text (file is the name to report). */
export function scanText(text: string, file: string): Promise<ScanFileResult> {
  return scanTextWith(text, file);
}
