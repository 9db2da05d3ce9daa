// A header's shape: its text with the bodies of its structs and unions left out, and the names the
// raw index reads in it. Two texts of one shape differ only in the members of records (a body whose
// only directives are #if branches closed inside it): the include order, every macro, function and
// enum outside them and which names the header defines are the same, so only work that took a
// definition from the header (its recorded deps) can read otherwise. Saved with the raw index (headerCache.ts): an estimate
// after an edit no longer has the earlier text (editReuse.ts).
import * as crypto from 'crypto';

/** `text`'s shape, given the raw index's names in it (typeIndex.ts headerShapeOf), as 16 hex digits. */
export function headerShape(text: string, names: string): string {
  const h = crypto.createHash('sha1');
  let at = 0; // text[at..] is still to hash
  for (const m of text.matchAll(/\b(?:struct|union)\s+(?:\w+\s*)?\{/g)) {
    const open = m.index! + m[0].length - 1;
    if (open < at) continue; // inside a body already left out
    const close = closingBrace(text, open);
    if (close < 0) break; // unbalanced: the rest is hashed as it is
    if (!membersOnly(text, open, close)) continue;
    h.update(text.slice(at, open + 1), 'latin1');
    at = close;
  }
  h.update(text.slice(at), 'latin1');
  h.update(`\0${names}`, 'latin1');
  return h.digest('hex').slice(0, 16);
}

/** The index of the `}` closing the `{` at `open`, skipping comments, strings and character constants; -1 if none. */
export function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) depth++; // {
    else if (c === 125) { if (--depth === 0) return i; } // }
    else if (c === 47 && text.charCodeAt(i + 1) === 42) { // /* ... */
      const e = text.indexOf('*/', i + 2);
      if (e < 0) return -1;
      i = e + 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) { // // ... end of line
      const e = text.indexOf('\n', i + 2);
      if (e < 0) return -1;
      i = e;
    } else if (c === 34 || c === 39) { // "..." or '...'
      let j = i + 1;
      for (; j < text.length && text.charCodeAt(j) !== c; j++) if (text.charCodeAt(j) === 92) j++;
      if (j >= text.length) return -1;
      i = j;
    }
  }
  return -1;
}

/**
 * Whether the body between `open` and `close` holds members only: it is no macro's text, and its
 * directives (a `#` opening a line) are #if branches that close inside it. A #define, #undef,
 * #include or #pragma there acts past the body, as would a branch crossing its braces. A `#`
 * elsewhere is in a comment.
 */
function membersOnly(text: string, open: number, close: number): boolean {
  // a body in a #define (its line is a directive, or continues one) is the macro's text
  const line = text.lastIndexOf('\n', open) + 1;
  if (/^[ \t]*#/.test(text.slice(line, open)) || /\\\r?\n$/.test(text.slice(Math.max(0, line - 3), line))) return false;
  let depth = 0;
  for (let i = text.indexOf('#', open); i >= 0 && i < close; i = text.indexOf('#', i + 1)) {
    let j = i - 1;
    while (j > open && (text[j] === ' ' || text[j] === '\t')) j--;
    if (text[j] !== '\n') continue;
    const d = /^#[ \t]*(\w*)/.exec(text.slice(i, i + 16))![1];
    if (d === 'if' || d === 'ifdef' || d === 'ifndef') depth++;
    else if (d === 'endif') { if (--depth < 0) return false; }
    else if (d !== 'else' && d !== 'elif') return false;
  }
  return depth === 0;
}
