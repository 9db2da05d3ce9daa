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

/** The text without function bodies (`) {...}` at file scope), comments and literals kept as they are. */
export function layoutSkeleton(text: string): string {
  const out: string[] = [];
  let depth = 0; // inside a function body when > 0
  let copyFrom = 0;
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
      if (depth > 0) out.push(text.slice(start, i));
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
        out.push(text.slice(copyFrom, i + 1));
        depth = 1;
      }
    } else if (c === '}' && depth > 0) {
      if (--depth === 0) { copyFrom = i; stmtStart = i + 1; }
    } else if ((c === ';' || c === '}') && depth === 0) stmtStart = i + 1;
    if (depth === 0) lastSig = c;
  }
  if (depth === 0) out.push(text.slice(copyFrom));
  return out.join('');
}
