// Incremental re-scan of an open file (as microsoft/vscode-anycode's trees.ts does): the document
// keeps its tree-sitter tree; an edit is applied with tree.edit and the new text is parsed with
// the old tree, so only the edited chunk is parsed again. Lexing stays a full (linear, cheap) pass:
// a one-character edit can open a comment or an #if that changes the rest of the file.
// Findings equal scanText's for the same text (same chunks, same extraction).
import { prepare, parsePrepared, extractFindings, ScanTextOptions } from './scanText';
import type { Tree } from './treeSitter';
import type { Finding } from './types';

/** Replace [start, end) of the current text (UTF-16 offsets, as editors give them) by `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

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

/** The single edit turning `old` into `text`: the span between their common prefix and suffix. */
export function diffEdit(old: string, text: string): TextEdit {
  let a = 0;
  const max = Math.min(old.length, text.length);
  while (a < max && old.charCodeAt(a) === text.charCodeAt(a)) a++;
  let b = 0;
  while (b < max - a && old.charCodeAt(old.length - 1 - b) === text.charCodeAt(text.length - 1 - b)) b++;
  return { start: a, end: old.length - b, text: text.slice(a, text.length - b) };
}

/** One open file: its text, its tree and its findings, kept up to date edit by edit. */
export class DocScan {
  private tree?: Tree;
  private current = '';
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly file: string, private readonly opts: ScanTextOptions) {}

  static async open(file: string, text: string, opts: ScanTextOptions = {}): Promise<{ doc: DocScan; result: DocScanResult }> {
    const doc = new DocScan(file, opts);
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
    let text = this.current;
    for (const e of edits) {
      const start = Math.max(0, Math.min(e.start, text.length));
      const end = Math.max(start, Math.min(e.end, text.length));
      if (this.tree) {
        const startPosition = pointAt(text, start);
        this.tree.edit({
          startIndex: start, oldEndIndex: end, newEndIndex: start + e.text.length,
          startPosition, oldEndPosition: pointAt(text, end), newEndPosition: pointAfter(startPosition, e.text),
        } as Parameters<Tree['edit']>[0]);
      }
      text = text.slice(0, start) + e.text + text.slice(end);
    }
    return this.reparse(text, true);
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

  private async reparse(text: string, reuse: boolean): Promise<DocScanResult> {
    this.current = text;
    const p = prepare(text, this.opts);
    if (!p) {
      this.dropTree();
      return { findings: [], errors: [] };
    }
    const { tree, error } = await parsePrepared(p, this.opts, reuse ? this.tree : undefined);
    this.dropTree();
    if (!tree) return { findings: [], errors: [error!] };
    this.tree = tree;
    return { findings: await extractFindings(p, this.file, tree, this.opts), errors: [] };
  }

  private dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
  }
}
