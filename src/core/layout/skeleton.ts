// What of a C file the layout can see: everything but the bodies of function definitions. Typing
// inside a function (the usual edit) leaves it unchanged, so the editor keeps its resolved types
// instead of re-indexing the file. Preprocessor lines are kept whole, so a macro body never hides.

/** Names that take parentheses before a record's `{`, unlike a function's name. */
const ATTRIBUTES = new Set(['__attribute__', '__attribute', '__aligned', '__section', '__packed', '__designated_init', '__randomize_layout']);

/** Whether the file-scope statement head before a `{` (after a `)`) is a function definition's. */
function isFunctionHead(head: string): boolean {
  const h = head.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
  if (h.includes('=')) return false; // an initializer
  const m = /([A-Za-z_]\w*)\s*$/.exec(h.slice(0, h.indexOf('(')));
  return !!m && !ATTRIBUTES.has(m[1]);
}

/** A file-scope function body: its `{`, its matching `}` (-1: not closed) and the directive lines inside it. */
interface Body { open: number; close: number; directives: string[] }

/** The file-scope function bodies of a C text, in order (comments, literals and directives skipped). */
function functionBodies(text: string): Body[] {
  const bodies: Body[] = [];
  let body: Body | undefined;
  let depth = 0; // inside a function body when > 0
  let lastSig = ''; // last non-space character at file scope
  let stmtStart = 0; // where the current file-scope statement began
  let lineStart = true;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (c === '\n') { lineStart = true; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') continue;
    if (lineStart && c === '#') {
      // a directive, with its continuation lines; kept even inside a body (a #define there is seen after it)
      const start = i;
      while (i < n && !(text[i] === '\n' && text[i - 1] !== '\\')) i++;
      if (depth > 0) body!.directives.push(text.slice(start, i));
      else stmtStart = i;
      lineStart = true;
      continue;
    }
    lineStart = false;
    if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const e = text.indexOf('\n', i);
      i = (e < 0 ? n : e) - 1;
      continue;
    }
    if (c === '"' || c === '\'') {
      for (i++; i < n && text[i] !== c && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '{') {
      if (depth > 0) depth++;
      else if (lastSig === ')' && isFunctionHead(text.slice(stmtStart, i))) {
        bodies.push((body = { open: i, close: -1, directives: [] }));
        depth = 1;
      }
    } else if (c === '}' && depth > 0) {
      if (--depth === 0) { body!.close = i; stmtStart = i + 1; }
    } else if ((c === ';' || c === '}') && depth === 0) stmtStart = i + 1;
    if (depth === 0) lastSig = c;
  }
  return bodies;
}

/** The text without function bodies (`) {...}` at file scope), comments and literals kept as they are. */
export function layoutSkeleton(text: string): string {
  const out: string[] = [];
  let from = 0;
  for (const b of functionBodies(text)) {
    out.push(text.slice(from, b.open + 1), ...b.directives);
    if (b.close < 0) return out.join(''); // the text ends inside it
    from = b.close;
  }
  out.push(text.slice(from));
  return out.join('');
}

/**
 * The inside of each closed function body, as [start, end) offsets: what a scan of C's file-scope
 * definitions may skip (a tag defined in a body is not the file's).
 */
export function functionBodyInteriors(text: string): Array<[number, number]> {
  return functionBodies(text).filter((b) => b.close > b.open + 1).map((b) => [b.open + 1, b.close]);
}
