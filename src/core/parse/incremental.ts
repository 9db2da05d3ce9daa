// Incremental re-scan of an open file (as microsoft/vscode-anycode's trees.ts does): the document
// keeps its tree-sitter tree; an edit is applied with tree.edit and the new text is parsed with
// the old tree, so only the edited chunk is parsed again. Lexing stays a full (linear, cheap) pass:
// a one-character edit can open a comment or an #if that changes the rest of the file.
// Findings equal scanText's for the same text (same chunks, same extraction). After an edit only
// the candidates in the region it can reach are extracted again (regionOf); the other findings are
// kept, moved to their new lines, with their #if condition read again.
import { prepare, parsePrepared, extractSpans, ScanTextOptions, type Prepared } from './scanText';
import { condAt, type Candidate } from './lexer';
import { BRACE_LOOKBACK } from './extract';
import type { Node, Tree } from './treeSitter';
import type { Finding } from './types';
import { diffEdit, type TextEdit } from './textEdit';

export interface DocScanResult {
  findings: Finding[];
  errors: string[];
}

interface Point { row: number; column: number }

function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/** The point after inserting `ins` at `at`. */
function pointAfter(at: Point, ins: string): Point {
  const nl = ins.lastIndexOf('\n');
  if (nl < 0) return { row: at.row, column: at.column + ins.length };
  let rows = 0;
  for (let i = ins.indexOf('\n'); i >= 0; i = ins.indexOf('\n', i + 1)) rows++;
  return { row: at.row + rows, column: ins.length - nl - 1 };
}

/** One open file: its text, its tree and its findings, kept up to date edit by edit. */

/** The last scan's findings with their offsets, and the candidates they came from. */
interface Last { findings: Finding[]; spans: [number, number, number][]; cands: Candidate[]; braceReads: number[]; claims: [number, number][] }

/**
 * Context an extraction reads around a candidate besides its own top-level declaration: tokens
 * before it (`static`, the lvalue of `p = alloc_percpu(...)`), text after it (a stray field's name).
 */
const MARGIN = 1024;

/** Where the cut between re-read and kept may fall: between the children of these nodes. */
const SPLIT = new Set(['translation_unit', 'compound_statement', 'field_declaration_list', 'ERROR']);

/**
 * [a, b) of the new text whose candidates are extracted again after `edit`: the edit, what
 * tree-sitter parsed differently, the candidates the lexer finds differently (a comment opened),
 * the stray fields that count the braces before them, MARGIN around it all; then
 * widened so no cut falls inside a node an extraction reads (a declaration, a call, a function's
 * or struct's header: a cut may fall between the statements of a body whose header is untouched),
 * in the new tree and in the old one (edited: its offsets are the new text's).
 */
function regionOf(p: Prepared, tree: Tree, old: Tree, last: Last, edit: TextEdit): [number, number] | undefined {
  const delta = edit.text.length - (edit.end - edit.start);
  const newEnd = edit.start + edit.text.length;
  let lo = edit.start;
  let hi = newEnd;
  for (const r of tree.getChangedRanges(old)) { lo = Math.min(lo, r.startIndex); hi = Math.max(hi, r.endIndex); }
  const now = p.lx.candidates;
  const was = last.cands;
  const same = (a: Candidate, b: Candidate, d: number) => a.tok === b.tok && a.start + d === b.start && a.end + d === b.end;
  let pre = 0;
  while (pre < now.length && pre < was.length && was[pre].end <= edit.start && same(was[pre], now[pre], 0)) pre++;
  let suf = 0;
  while (suf < now.length - pre && suf < was.length - pre && was[was.length - 1 - suf].start >= edit.end && same(was[was.length - 1 - suf], now[now.length - 1 - suf], delta)) suf++;
  const at = (o: number) => (o <= edit.start ? o : o >= edit.end ? o + delta : newEnd); // an old offset in new text
  for (let i = pre; i < now.length - suf; i++) { lo = Math.min(lo, now[i].start); hi = Math.max(hi, now[i].end); }
  for (let i = pre; i < was.length - suf; i++) { lo = Math.min(lo, at(was[i].start)); hi = Math.max(hi, at(was[i].end)); }
  // a stray field's check counts the braces in the BRACE_LOOKBACK characters before it: an edit
  // there changes what it counts (the window's far end moves with any length change)
  for (const r of last.braceReads) if (r >= edit.end && r - edit.start <= BRACE_LOOKBACK + Math.abs(delta)) hi = Math.max(hi, r + delta + 1);
  lo = Math.max(0, lo - MARGIN);
  hi = Math.min(p.text.length, hi + MARGIN);
  for (let round = 0; round < 8; round++) {
    const [l, h] = [lo, hi];
    for (const t of [tree, old]) {
      [lo, hi] = widen(t, lo, hi, lo);
      if (hi > lo) [lo, hi] = widen(t, lo, hi, hi - 1);
    }
    if (l === lo && h === hi) return [lo, hi];
  }
  return undefined;
}

/** [lo, hi) widened so the cut at `x` falls in no node an extraction reads (regionOf). */
function widen(tree: Tree, lo: number, hi: number, x: number): [number, number] {
  const path: Node[] = [];
  for (let n: Node | null = tree.rootNode.descendantForIndex(x, x); n; n = n.parent) path.unshift(n);
  const meets = (s: number, e: number) => lo < e && hi > s && s < e;
  for (let i = 0; i < path.length; i++) {
    const n = path[i];
    if (SPLIT.has(n.type)) continue;
    // a body the cut may go into: the node's parts around it untouched
    let j = i + 1;
    while (j < path.length && !(path[j].type === 'compound_statement' || path[j].type === 'field_declaration_list')) j++;
    if (j < path.length && !meets(n.startIndex, path[j].startIndex) && !meets(path[j].endIndex, n.endIndex)) { i = j; continue; }
    return [Math.min(lo, n.startIndex), Math.max(hi, n.endIndex)];
  }
  return [lo, hi];
}

export class DocScan {
  private tree?: Tree;
  private current = '';
  private last?: Last;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly file: string, private readonly opts: ScanTextOptions, private readonly regions: boolean) {}

  /** `regions` false: every edit extracts the whole file again (the reference the region re-reading is tested against). */
  static async open(file: string, text: string, opts: ScanTextOptions = {}, regions = true): Promise<{ doc: DocScan; result: DocScanResult }> {
    const doc = new DocScan(file, opts, regions);
    const result = await doc.reparse(text, false);
    return { doc, result };
  }

  get text(): string {
    return this.current;
  }

  /**
   * Applies edits in order (each against the text left by the previous one) and returns the file's
   * findings. Calls are queued: the tree must not be edited while a parse of it is under way.
   */
  edit(...edits: TextEdit[]): Promise<DocScanResult> {
    const run = this.queue.then(() => this.apply(edits));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(edits: TextEdit[]): Promise<DocScanResult> {
    if (this.closed) throw new Error(`${this.file}: document is closed`);
    const before = this.current;
    let text = this.current;
    let one: TextEdit | undefined; // the span that changed, when there is one edit (else diffEdit finds it)
    for (const e of edits) {
      const start = Math.max(0, Math.min(e.start, text.length));
      const end = Math.max(start, Math.min(e.end, text.length));
      one = { start, end, text: e.text };
      if (this.tree) {
        const startPosition = pointAt(text, start);
        this.tree.edit({
          startIndex: start, oldEndIndex: end, newEndIndex: start + e.text.length,
          startPosition, oldEndPosition: pointAt(text, end), newEndPosition: pointAfter(startPosition, e.text),
        } as Parameters<Tree['edit']>[0]);
      }
      text = text.slice(0, start) + e.text + text.slice(end);
    }
    return this.reparse(text, true, edits.length === 1 ? one : diffEdit(before, text));
  }

  /** Replaces the whole text; the edit is the span between the common prefix and suffix. */
  setText(text: string): Promise<DocScanResult> {
    const run = this.queue.then(() => this.apply([diffEdit(this.current, text)]));
    this.queue = run.catch(() => undefined);
    return run;
  }


  close(): void {
    this.closed = true;
    this.tree?.delete();
    this.tree = undefined;
  }

  /** `edit`: the one span `text` differs from the last text in (diffEdit), when reusing the tree. */
  private async reparse(text: string, reuse: boolean, edit?: TextEdit): Promise<DocScanResult> {
    this.current = text;
    const last = this.last;
    this.last = undefined;
    const p = prepare(text, this.opts);
    if (!p) {
      this.dropTree();
      return { findings: [], errors: [] };
    }
    const old = reuse ? this.tree : undefined;
    const { tree, error } = await parsePrepared(p, this.opts, old);
    // the region the edit can reach, read off both trees before the old one goes
    const region = tree && old && last && edit && this.regions ? regionOf(p, tree, old, last, edit) : undefined;
    this.dropTree();
    if (!tree) return { findings: [], errors: [error!] };
    this.tree = tree;
    const again = region && await this.reextract(p, tree, last!, edit!, region);
    if (again) {
      this.last = again;
      return { findings: again.findings, errors: [] };
    }
    const x = await extractSpans(p, this.file, tree, this.opts);
    if (x.complete) this.last = { findings: x.findings, spans: x.spans, cands: p.lx.candidates, braceReads: x.braceReads, claims: x.claims };
    return { findings: x.findings, errors: [] };
  }

  /**
   * The findings after `edit` from the last ones: the candidates in `region` (regionOf) are
   * extracted again, the others' findings kept (moved, their line and #if condition read anew).
   * Undefined where a finding read across the region's edge: the caller extracts the whole file.
   */
  private async reextract(p: Prepared, tree: Tree, last: Last, edit: TextEdit, [a, b]: [number, number]): Promise<Last | undefined> {
    const delta = edit.text.length - (edit.end - edit.start);
    const now = p.lx.candidates;
    const bOld = b - delta;
    const before: number[] = [];
    const after: number[] = [];
    // a finding read as far as its reach: one before the region that read into it, or one in it
    // that read past it, would read differently now
    for (let i = 0; i < last.findings.length; i++) {
      const [s, , reach] = last.spans[i];
      if (s < a) { if (reach > a) return undefined; before.push(i); }
      else if (s >= bOld) after.push(i);
      else if (reach > bOld) return undefined;
    }
    // candidates one construct claimed (a field, a macro's arguments) across the edge: the same
    const crosses = ([s, e]: [number, number], lo: number, hi: number) => (s < lo && e > lo) || (s < hi && e > hi);
    if (last.claims.some((c) => crosses(c, a, bOld))) return undefined;
    const x = await extractSpans(p, this.file, tree, this.opts, now.filter((k) => k.start >= a && k.start < b));
    if (!x.complete || x.spans.some(([s, , reach]) => s < a || reach > b) || x.claims.some(([s, e]) => s < a || e > b)) return undefined;
    const moved = (i: number, d: number): [Finding, [number, number, number]] => {
      const [s, e, reach] = last.spans[i];
      const f = { ...last.findings[i] };
      const ps = p.pos(s + d), pe = p.pos(e + d);
      f.line = ps.line; f.column = ps.column; f.endLine = pe.line; f.endColumn = pe.column;
      const cond = condAt(p.lx, s + d);
      if (cond === undefined) delete f.cond;
      else f.cond = cond;
      return [f, [s + d, e + d, reach + d]];
    };
    const out: Last = { findings: [], spans: [], cands: now, braceReads: [], claims: [] };
    const put = ([f, sp]: [Finding, [number, number, number]]) => { out.findings.push(f); out.spans.push(sp); };
    for (const i of before) put(moved(i, 0));
    x.findings.forEach((f, i) => put([f, x.spans[i]]));
    for (const i of after) put(moved(i, delta));
    out.braceReads = [...last.braceReads.filter((r) => r < a), ...x.braceReads, ...last.braceReads.filter((r) => r >= bOld).map((r) => r + delta)];
    out.claims = [...last.claims.filter(([, e]) => e <= a), ...x.claims, ...last.claims.filter(([s]) => s >= bOld).map(([s, e]): [number, number] => [s + delta, e + delta])];
    return out;
  }

  private dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
  }
}
