// A small C tokenizer shared by the preprocessor-condition evaluator, the macro expander and the
// definition scanner. Comments become spaces; line continuations are joined by the caller.

export type TokKind = 'id' | 'num' | 'str' | 'chr' | 'punct';
export interface Tok { k: TokKind; t: string; /** macro names that produced it (no re-expansion) */ hs?: ReadonlySet<string>; /** 0-based line */ line?: number }

const PUNCT3 = ['<<=', '>>=', '...'];
const PUNCT2 = ['->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##'];

/** Replace comments by spaces, keeping newlines so line numbers stay right. */
export function stripComments(src: string): string {
  let out = '';
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      // a backslash-newline inside the comment still splices lines (C translation phase 2 comes
      // before comments go): a #define body may carry a multi-line comment
      out += src.slice(i, stop).replace(/\\(?=\r?\n)|[^\n]/g, (m) => (m === '\\' ? m : ' '));
      i = stop;
    } else if (c === '/' && src[i + 1] === '/') {
      let j = i;
      while (j < n && src[j] !== '\n') { if (src[j] === '\\' && src[j + 1] === '\n') j++; j++; }
      out += ' '.repeat(j - i);
      i = j;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') { if (src[j] === '\\') j++; j++; }
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Tokenize C text (comments must already be gone). */
export function tokenize(src: string, firstLine = 0): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = firstLine;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    if (c === '\\' && src[i + 1] === '\n') { i += 2; line++; continue; }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(src[j])) j++;
      toks.push({ k: 'id', t: src.slice(i, j), line });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && (/[A-Za-z0-9_.]/.test(src[j]) || ((src[j] === '+' || src[j] === '-') && /[eEpP]/.test(src[j - 1])))) j++;
      toks.push({ k: 'num', t: src.slice(i, j), line });
      i = j;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') { if (src[j] === '\\') j++; j++; }
      toks.push({ k: c === '"' ? 'str' : 'chr', t: src.slice(i, j + 1), line });
      i = j + 1;
      continue;
    }
    const three = src.substr(i, 3);
    const two = src.substr(i, 2);
    if (PUNCT3.includes(three)) { toks.push({ k: 'punct', t: three, line }); i += 3; continue; }
    if (PUNCT2.includes(two)) { toks.push({ k: 'punct', t: two, line }); i += 2; continue; }
    toks.push({ k: 'punct', t: c, line });
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
