// One linear pass over a C file, before any parsing. It finds what tree-sitter cannot tell us or
// would cost too much to get from a full parse:
//  - which trigger tokens sit in code (not in comments, strings or #define bodies),
//  - top-level chunk boundaries (so only the declarations/functions holding triggers get parsed),
//  - the #if/#ifdef/#elif/#else condition in force at each offset,
//  - preprocessor line ranges (left out of the parsed ranges: they need not balance inside a chunk).
import { TRIGGER_RE } from './triggers';

export interface Candidate {
  tok: string;
  start: number;
  end: number;
}

export interface Lexed {
  candidates: Candidate[]; // trigger tokens in code, in order
  boundaries: number[]; // sorted offsets where a top-level chunk may start (0 first)
  directives: number[]; // flat [start, end) pairs of preprocessor lines, sorted
  condStarts: number[]; // cond segment starts, sorted
  condValues: (string | undefined)[]; // condition in force from condStarts[i]
}

interface CondFrame {
  prev: string[]; // conditions of earlier branches, negated for #elif/#else
  cur: string | undefined; // this branch's term; undefined for an include guard
  depthAtIf: number;
}

const enum Ch {
  NL = 10, CR = 13, SP = 32, TAB = 9, FF = 12, VT = 11, HASH = 35, SLASH = 47, STAR = 42, BSL = 92,
  DQ = 34, SQ = 39, LBRACE = 123, RBRACE = 125, SEMI = 59, RPAREN = 41,
}

function isSpace(c: number): boolean {
  return c === Ch.SP || c === Ch.TAB || c === Ch.CR || c === Ch.FF || c === Ch.VT;
}

/** Wraps an #if expression so it can be negated or and-ed without changing meaning. */
function paren(e: string): string {
  return /^!?[A-Za-z_]\w*$|^!?defined\s*\(?\s*\w+\s*\)?$|^\d+$/.test(e) ? e : `(${e})`;
}

function negate(e: string): string {
  return e.startsWith('!') && paren(e.slice(1)) === e.slice(1) && !/^\(/.test(e.slice(1)) ? e.slice(1) : `!${paren(e)}`;
}

/** Removes comments and line continuations from a directive's text, collapses whitespace. */
function cleanDirective(t: string): string {
  return t.replace(/\\\r?\n/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/s, '').replace(/\s+/g, ' ').trim();
}

const DIRECTIVE_NAME = /#[ \t]*(\w*)/y;
const CONDITIONAL = new Set(['if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif']);

/** Every trigger token in the text, comments and strings included (lex() masks those). */
export function findTriggers(s: string): Candidate[] {
  const out: Candidate[] = [];
  TRIGGER_RE.lastIndex = 0;
  for (let m = TRIGGER_RE.exec(s); m; m = TRIGGER_RE.exec(s)) out.push({ tok: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

/** `found`: the triggers already found (and perhaps filtered) by the caller, in order. */
export function lex(s: string, found?: Candidate[]): Lexed {
  const candidates = found ?? findTriggers(s);
  const keep: boolean[] = new Array(candidates.length).fill(true);
  let ci = 0; // next candidate not yet passed
  const mask = (a: number, b: number) => {
    while (ci < candidates.length && candidates[ci].start < b) {
      if (candidates[ci].start >= a) keep[ci] = false;
      ci++;
    }
  };

  const boundaries: number[] = [0];
  const directives: number[] = [];
  const condStarts: number[] = [0];
  const condValues: (string | undefined)[] = [undefined];
  const stack: CondFrame[] = [];
  let firstDirective = true;
  let guardName: string | undefined;

  const n = s.length;
  let depth = 0;
  let lineStart = true; // only whitespace since the last newline
  let lastSig = 0; // last significant code char (for "what precedes this {")
  const braceOpener: number[] = []; // char before each open '{' (to tell function bodies)

  const pushCond = (at: number) => {
    const terms = stack.map((f) => f.cur).filter((x): x is string => x !== undefined);
    condStarts.push(at);
    condValues.push(terms.length ? terms.join(' && ') : undefined);
  };

  const directive = (start: number, end: number) => {
    mask(start, end); // #define bodies and #if NR_CPUS > 1 are not findings
    DIRECTIVE_NAME.lastIndex = start;
    const name = DIRECTIVE_NAME.exec(s)?.[1] ?? '';
    if (!CONDITIONAL.has(name) && !(name === 'define' && guardName !== undefined)) {
      // most directives are #define/#include: no need to clean their text
      guardName = undefined;
      firstDirective = false;
      directives.push(start, end);
      if (depth === 0) boundaries.push(end);
      return;
    }
    const m = /^#\s*(\w+)\s*(.*)$/s.exec(cleanDirective(s.slice(start, end)));
    const arg = m ? m[2].trim() : '';
    const guard = guardName;
    guardName = undefined;
    switch (name) {
      case 'if':
        stack.push({ prev: [], cur: paren(arg), depthAtIf: depth });
        pushCond(end);
        break;
      case 'ifdef':
        stack.push({ prev: [], cur: `defined(${arg})`, depthAtIf: depth });
        pushCond(end);
        break;
      case 'ifndef':
        stack.push({ prev: [], cur: `!defined(${arg})`, depthAtIf: depth });
        if (firstDirective) guardName = arg;
        pushCond(end);
        break;
      case 'elif': case 'elifdef': case 'elifndef': case 'else': {
        const f = stack[stack.length - 1];
        if (!f) break;
        if (f.cur !== undefined) f.prev.push(negate(f.cur));
        const e = name === 'elif' ? paren(arg) : name === 'elifdef' ? `defined(${arg})` : name === 'elifndef' ? `!defined(${arg})` : undefined;
        f.cur = [...f.prev, ...(e ? [e] : [])].join(' && ') || undefined;
        depth = f.depthAtIf; // both branches usually open the same braces (ctags' rule)
        pushCond(end);
        break;
      }
      case 'endif':
        if (stack.length) stack.pop();
        pushCond(end);
        break;
      case 'define':
        // An include guard (#ifndef X then #define X as the first directives) is no condition.
        if (guard !== undefined && stack.length === 1 && /^\w+/.exec(arg)?.[0] === guard) {
          stack[0].cur = undefined;
          pushCond(start);
        }
        break;
      default:
        break;
    }
    firstDirective = false;
    directives.push(start, end);
    if (depth === 0) boundaries.push(end);
  };

  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === Ch.NL) { lineStart = true; i++; continue; }
    if (isSpace(c)) { i++; continue; }
    if (c === Ch.SLASH && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d === Ch.SLASH) { // line comment, continues over backslash-newline
        let j = i + 2;
        for (; j < n; j++) {
          const e = s.charCodeAt(j);
          if (e === Ch.NL && s.charCodeAt(j - 1) !== Ch.BSL && !(s.charCodeAt(j - 1) === Ch.CR && s.charCodeAt(j - 2) === Ch.BSL)) break;
        }
        mask(i, j); i = j; continue;
      }
      if (d === Ch.STAR) {
        let j = s.indexOf('*/', i + 2);
        j = j < 0 ? n : j + 2;
        mask(i, j); i = j; continue;
      }
    }
    if (c === Ch.HASH && lineStart) { // preprocessor line, with continuations and comments inside
      let j = i + 1;
      for (; j < n; j++) {
        const e = s.charCodeAt(j);
        if (e === Ch.NL) {
          let k = j - 1;
          if (k >= 0 && s.charCodeAt(k) === Ch.CR) k--;
          if (k >= 0 && s.charCodeAt(k) === Ch.BSL) continue;
          break;
        }
        if (e === Ch.SLASH && s.charCodeAt(j + 1) === Ch.STAR) {
          const k = s.indexOf('*/', j + 2);
          if (k < 0) { j = n; break; }
          j = k + 1;
        } else if (e === Ch.SLASH && s.charCodeAt(j + 1) === Ch.SLASH) {
          const k = s.indexOf('\n', j);
          j = k < 0 ? n : k - 1;
        }
      }
      directive(i, j);
      i = j;
      continue;
    }
    lineStart = false;
    if (c === Ch.DQ || c === Ch.SQ) {
      let j = i + 1;
      for (; j < n; j++) {
        const e = s.charCodeAt(j);
        if (e === Ch.BSL) { j++; continue; }
        if (e === c) { j++; break; }
        if (e === Ch.NL) break; // unterminated: stop at end of line
      }
      mask(i, j); i = j; lastSig = c; continue;
    }
    if (c === Ch.LBRACE) {
      braceOpener.push(lastSig);
      depth++;
    } else if (c === Ch.RBRACE) {
      if (depth > 0) depth--;
      const opener = braceOpener.pop();
      // A function body ends its chunk at '}'; struct bodies and initializers wait for their ';'.
      if (depth === 0 && opener === Ch.RPAREN) boundaries.push(i + 1);
    } else if (c === Ch.SEMI && depth === 0) {
      boundaries.push(i + 1);
    }
    lastSig = c;
    i++;
  }
  mask(n, n + 1);
  const kept = candidates.filter((_, k) => keep[k]);
  return { candidates: kept, boundaries, directives, condStarts, condValues };
}

/** Index of the last element <= x in a sorted array (or -1). */
export function floorIndex(a: number[], x: number): number {
  let lo = 0, hi = a.length - 1, r = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) { r = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return r;
}

export function condAt(lx: Lexed, pos: number): string | undefined {
  const k = floorIndex(lx.condStarts, pos);
  return k < 0 ? undefined : lx.condValues[k];
}
