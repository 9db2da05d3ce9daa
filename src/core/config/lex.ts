// A small C tokenizer shared by the preprocessor-condition evaluator, the macro expander and the
// definition scanner. Comments become spaces; line continuations are joined by the caller.

export type TokKind = 'id' | 'num' | 'str' | 'chr' | 'punct';
export interface Tok { k: TokKind; t: string; /** macro names that produced it (no re-expansion) */ hs?: ReadonlySet<string>; /** 0-based line */ line?: number }

const PUNCT3 = ['<<=', '>>=', '...'];
const PUNCT2 = ['->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##'];

const SPECIAL = /[/"']/g;

/** Replace comments by spaces, keeping newlines so line numbers stay right. */
/** Index of the quote closing the string or char literal opened at `i` (or of the newline or end that cuts it). */
function literalEnd(src: string, i: number): number {
  const q = src.charCodeAt(i);
  let j = i + 1;
  while (j < src.length) {
    const d = src.charCodeAt(j);
    if (d === q || d === 10) break;
    if (d === 92) j++;
    j++;
  }
  return j;
}

export function stripComments(src: string): string {
  // plain runs are copied as slices (per-character concatenation dominated header loading)
  const parts: string[] = [];
  let i = 0;
  let from = 0;
  const n = src.length;
  while (i < n) {
    // jump to the next character that can start a comment or a literal (a regex scan is native)
    SPECIAL.lastIndex = i;
    if (!SPECIAL.test(src)) break;
    i = SPECIAL.lastIndex - 1;
    const c = src.charCodeAt(i);
    if (c === 47 /* / */ && src.charCodeAt(i + 1) === 42 /* * */) {
      if (i > from) parts.push(src.slice(from, i));
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      // a backslash-newline inside the comment still splices lines (C translation phase 2 comes
      // before comments go): a #define body may carry a multi-line comment
      parts.push(blankComment(src.slice(i, stop)));
      i = from = stop;
    } else if (c === 47 && src.charCodeAt(i + 1) === 47) {
      if (i > from) parts.push(src.slice(from, i));
      // to the newline, past any backslash-newline
      let j = src.indexOf('\n', i);
      while (j > 0 && src.charCodeAt(j - 1) === 92) j = src.indexOf('\n', j + 1);
      if (j < 0) j = n;
      parts.push(spaces(j - i));
      i = from = j;
    } else if (c === 34 || c === 39) {
      i = literalEnd(src, i) + 1; // the literal (up to its quote or newline) stays in the current run
    } else i++;
  }
  if (from < n) parts.push(src.slice(from, n));
  return parts.join('');
}

/** A comment as spaces, keeping its newlines and backslashes (one before a newline still splices). */
function blankComment(c: string): string {
  if (!c.includes('\\')) {
    if (!c.includes('\n')) return spaces(c.length);
    // line by line from the one string of spaces: no array of lines, no string per line made
    let out = '';
    let at = 0;
    for (let nl = c.indexOf('\n'); nl >= 0; nl = c.indexOf('\n', at)) { out += spaces(nl - at) + '\n'; at = nl + 1; }
    return out + spaces(c.length - at);
  }
  return c.replace(/[^\n\\]+/g, (m) => spaces(m.length));
}

/** runs of spaces are slices of one string grown as needed (a comment's blank was a new string each time) */
let SPACES = ' '.repeat(4096);
function spaces(n: number): string {
  if (n > SPACES.length) SPACES = ' '.repeat(Math.max(n, 2 * SPACES.length));
  return SPACES.slice(0, n);
}

// character classes by code, for the tokenizer's hot loop
const ID_START = new Uint8Array(128);
const ID_PART = new Uint8Array(128);
const NUM_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ID_START[c] = /[A-Za-z_$]/.test(ch) ? 1 : 0;
  ID_PART[c] = /[A-Za-z0-9_$]/.test(ch) ? 1 : 0;
  NUM_PART[c] = /[A-Za-z0-9_.]/.test(ch) ? 1 : 0;
}
const isDigit = (c: number) => c >= 48 && c <= 57;
/** first characters of PUNCT2/PUNCT3 entries */
const MULTI_START = new Set([...PUNCT3, ...PUNCT2].map((p) => p.charCodeAt(0)));
const PUNCT3_SET = new Set(PUNCT3);
const PUNCT2_SET = new Set(PUNCT2);

/** Tokenize C text (comments must already be gone). */
/** `starts`, when given, receives each token's offset in `src` (defs.ts keeps offsets, not tokens). */
export function tokenize(src: string, firstLine = 0, starts?: number[], skip?: ReadonlyArray<readonly [number, number]>): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = firstLine;
  const n = src.length;
  // ranges [start, end) left out, their newlines counted (sorted, not overlapping, not inside a token)
  let k = 0;
  let nextSkip = skip?.length ? skip[0][0] : Infinity;
  while (i < n) {
    if (i >= nextSkip) {
      for (const end = skip![k][1]; i < end; i++) if (src.charCodeAt(i) === 10) line++;
      nextSkip = ++k < skip!.length ? skip![k][0] : Infinity;
      continue;
    }
    const c = src.charCodeAt(i);
    if (c === 10) { line++; i++; continue; }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) { i++; continue; }
    if (c === 92 && src.charCodeAt(i + 1) === 10) { i += 2; line++; continue; }
    starts?.push(i); // every branch below makes one token starting here
    if (c < 128 && ID_START[c]) {
      let j = i + 1;
      for (let d = src.charCodeAt(j); j < n && d < 128 && ID_PART[d]; d = src.charCodeAt(++j));
      toks.push({ k: 'id', t: src.slice(i, j), line });
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) {
      let j = i + 1;
      for (; j < n; j++) {
        const d = src.charCodeAt(j);
        if (d < 128 && NUM_PART[d]) continue;
        if (d === 43 || d === 45) {
          const p = src.charCodeAt(j - 1);
          if (p === 101 || p === 69 || p === 112 || p === 80) continue; // e E p P
        }
        break;
      }
      toks.push({ k: 'num', t: src.slice(i, j), line });
      i = j;
      continue;
    }
    if (c === 34 || c === 39) {
      const j = literalEnd(src, i);
      toks.push({ k: c === 34 ? 'str' : 'chr', t: src.slice(i, j + 1), line });
      i = j + 1;
      continue;
    }
    if (MULTI_START.has(c)) {
      const three = src.substr(i, 3);
      if (PUNCT3_SET.has(three)) { toks.push({ k: 'punct', t: three, line }); i += 3; continue; }
      const two = src.substr(i, 2);
      if (PUNCT2_SET.has(two)) { toks.push({ k: 'punct', t: two, line }); i += 2; continue; }
    }
    toks.push({ k: 'punct', t: src[i], line });
    i++;
  }
  return toks;
}

/** Render tokens back to C text (one space between tokens that would otherwise merge). */
export function render(toks: readonly Tok[]): string {
  let out = '';
  let prev: Tok | undefined;
  for (const t of toks) {
    if (prev && needSpace(prev, t)) out += ' ';
    out += t.t;
    prev = t;
  }
  return out;
}

function needSpace(a: Tok, b: Tok): boolean {
  if ((a.k === 'id' || a.k === 'num') && (b.k === 'id' || b.k === 'num')) return true;
  if (a.k === 'punct' && b.k === 'punct') return true;
  return a.k === 'id' && b.k !== 'punct';
}
