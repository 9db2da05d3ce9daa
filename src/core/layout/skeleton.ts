// What of a C file the layout can see: everything but the bodies of function definitions. Typing
// inside a function (the usual edit) leaves it unchanged, so the editor keeps its resolved types
// instead of re-indexing the file. Preprocessor lines are kept whole, so a macro body never hides.
import { attrLike } from './defs';

/** Names that take parentheses before a record's `{`, unlike a function's name. */
const ATTRIBUTES = new Set(['__attribute__', '__attribute', '__aligned', '__section', '__packed', '__designated_init', '__randomize_layout']);

/**
 * Whether the file-scope statement head before a `{` (after a `)`) is a function definition's.
 * `asDefs`: also not one the definitions scan reads as a record's (aggregateHead).
 */
function isFunctionHead(head: string, asDefs: boolean): boolean {
  const h = head.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
  if (h.includes('=')) return false; // an initializer
  const m = /([A-Za-z_]\w*)\s*$/.exec(h.slice(0, h.indexOf('(')));
  return !!m && !ATTRIBUTES.has(m[1]) && !(asDefs && aggregateHead(h));
}


/**
 * Whether a head ending in `)` reads as `struct|union|enum [tag] attr(...)...` the way the
 * definitions scan reads it (defs.ts aggregateKeyword: identifiers and attribute-like calls back to
 * the keyword), as `struct s __packed_aligned(4) {` does: then the braces are a record's, not a body.
 * `h`: the head with its comments blanked.
 */
function aggregateHead(h: string): boolean {
  let j = h.length;
  for (;;) {
    while (j > 0 && isSpace(h.charCodeAt(j - 1))) j--;
    if (j === 0) return false;
    if (h.charCodeAt(j - 1) === RPAREN) {
      let d = 0;
      let k = j - 1;
      for (; k >= 0; k--) { const c = h.charCodeAt(k); if (c === RPAREN) d++; else if (c === LPAREN && --d === 0) break; }
      if (k < 0) return false;
      while (k > 0 && isSpace(h.charCodeAt(k - 1))) k--;
      const a = identBefore(h, k);
      if (a === k || !attrLike(h.slice(a, k))) return false;
      j = a;
      continue;
    }
    const a = identBefore(h, j);
    if (a === j) return false;
    const id = h.slice(a, j);
    if (id === 'struct' || id === 'union' || id === 'enum') return true;
    j = a;
  }
}

/** Where the identifier ending at `j` starts (`j`: none), as /[A-Za-z_]\w*$/ finds it. */
function identBefore(h: string, j: number): number {
  let a = j;
  while (a > 0 && isWord(h.charCodeAt(a - 1))) a--;
  while (a < j && h.charCodeAt(a) >= 48 && h.charCodeAt(a) <= 57) a++; // an identifier starts with no digit
  return a;
}

const isWord = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));

/** A file-scope function body: its `{`, its matching `}` (-1: not closed) and the directive lines inside it. */
interface Body { open: number; close: number; directives: string[] }

/**
 * The file-scope function bodies of a C text, in order (comments, literals and directives skipped).
 * `asDefs`: not the braces the definitions scan reads as a record's (isFunctionHead), so that
 * leaving the bodies out cannot change what it finds.
 */
function functionBodies(text: string, asDefs = false): Body[] {
  const bodies: Body[] = [];
  let body: Body | undefined;
  let depth = 0; // inside a function body when > 0
  let lastSig = 0; // last non-space character at file scope (a char code)
  let stmtStart = 0; // where the current file-scope statement began
  let inStmt = false; // a character of it seen (comments before it are no part of its head)
  let lineStart = true;
  let swallowed = -1; // a newline that ended an unterminated literal in a body: no directive starts after it
  const n = text.length;
  for (let i = 0; i < n; i++) {
    if (depth > 0) {
      // inside a body only braces, comments, literals and directives count: jump to the next one
      BODY_SPECIAL.lastIndex = i;
      if (!BODY_SPECIAL.test(text)) break; // the text ends inside the body
      i = BODY_SPECIAL.lastIndex - 1;
      const c = text.charCodeAt(i);
      if (c === HASH) {
        if (!firstOnLine(text, i, swallowed)) continue;
        const start = i;
        while (i < n && !(text.charCodeAt(i) === NL && text.charCodeAt(i - 1) !== BACKSLASH)) i++;
        body!.directives.push(text.slice(start, i));
      } else if (c === SLASH) {
        const d = text.charCodeAt(i + 1);
        if (d === STAR) { const e = text.indexOf('*/', i + 2); i = e < 0 ? n : e + 1; }
        else if (d === SLASH) { const e = text.indexOf('\n', i); i = (e < 0 ? n : e) - 1; }
      } else if (c === DQUOTE || c === SQUOTE) {
        for (i++; i < n && text.charCodeAt(i) !== c && text.charCodeAt(i) !== NL; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
        if (text.charCodeAt(i) === NL) swallowed = i;
      } else if (c === LBRACE) depth++;
      else if (--depth === 0) { body!.close = i; stmtStart = i + 1; inStmt = false; lastSig = c; lineStart = false; }
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === NL) { lineStart = true; continue; }
    if (c === 32 || (c >= 9 && c <= 13)) continue; // space, \t \v \f \r
    if (lineStart && c === HASH) {
      // a directive, with its continuation lines; kept even inside a body (a #define there is seen after it)
      const start = i;
      while (i < n && !(text.charCodeAt(i) === NL && text.charCodeAt(i - 1) !== BACKSLASH)) i++;
      if (depth > 0) body!.directives.push(text.slice(start, i));
      else { stmtStart = i; inStmt = false; }
      lineStart = true;
      continue;
    }
    lineStart = false;
    if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 1;
      // a comment before a statement is no part of its head (isFunctionHead would only blank it)
      if (depth === 0 && !inStmt) stmtStart = i + 1;
      continue;
    }
    if (c === SLASH && text.charCodeAt(i + 1) === SLASH) {
      const e = text.indexOf('\n', i);
      i = (e < 0 ? n : e) - 1;
      if (depth === 0 && !inStmt) stmtStart = i + 1;
      continue;
    }
    if (c === DQUOTE || c === SQUOTE) {
      for (i++; i < n && text.charCodeAt(i) !== c && text.charCodeAt(i) !== NL; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
      continue;
    }
    if (c === LBRACE && lastSig === RPAREN && isFunctionHead(text.slice(stmtStart, i), asDefs)) {
      bodies.push((body = { open: i, close: -1, directives: [] }));
      depth = 1;
      continue;
    }
    if (c === SEMI || c === RBRACE) { stmtStart = i + 1; inStmt = false; lastSig = c; continue; }
    lastSig = c;
    inStmt = true;
  }
  return bodies;
}

const BODY_SPECIAL = /[{}"'/#]/g;

/** Whether only spaces stand between the line's start and `i` (`swallowed`: a newline that does not start a line). */
function firstOnLine(text: string, i: number, swallowed: number): boolean {
  let k = i - 1;
  for (let c = text.charCodeAt(k); k >= 0 && (c === 32 || c === 9 || (c >= 11 && c <= 13)); c = text.charCodeAt(--k));
  return k < 0 || (text.charCodeAt(k) === NL && k !== swallowed);
}

const [NL, HASH, BACKSLASH, SLASH, STAR, DQUOTE, SQUOTE, LBRACE, RBRACE, LPAREN, RPAREN, SEMI] = [...'\n#\\/*"\'{}();'].map((x) => x.charCodeAt(0));

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
  return functionBodies(text, true).filter((b) => b.close > b.open + 1).map((b) => [b.open + 1, b.close]);
}
