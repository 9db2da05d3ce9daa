// The conditional pass over one file: evaluates #if/#ifdef/#elif/#else/#endif against a config and
// the macros known so far, blanks inactive lines and directive lines (so line numbers survive),
// and records the file's #define/#undef. No #include expansion: the type index finds definitions
// across the tree by name instead, which keeps the parsed volume small.
import { Tok, stripComments, tokenize } from './lex';
import { MacroDef, MacroLookup, parseDefine } from './macros';
import { evalConditionTokens } from './cppExpr';
import { flat } from '../flat';

export interface FileScan {
  /** the file's text with inactive regions and directives replaced by blank lines */
  active: string;
  /** final state of this file's macros; null = #undef'd here */
  defines: Map<string, MacroDef | null>;
  /** conditions that could not be evaluated (taken as false) */
  errors: string[];
  /** active #include directives in order: the path and whether it was <angled> */
  includes: Array<{ path: string; angled: boolean }>;
  /** uses of this file's own typedef-making macros at line starts, with the definition in force
   *  there (seqlock_types.h: SEQCOUNT_LOCKNAME(raw_spinlock, ...), then #undef) */
  typedefCalls: Array<{ line: number; def: MacroDef }>;
  /** macros this file defines or #undefs more than once (x-macros: `#define x(t, n) BCH_DATA_##t,`
   *  inside an enum, then `#undef x`), each state with its 0-based line */
  history?: Map<string, Array<{ line: number; def: MacroDef | null }>>;
}

const DIRECTIVE_RE = /^\s*#\s*(\w*)(.*)$/;
const CALL_RE = /^\s*([A-Za-z_]\w*)\s*\(/;
const HASH = 35;
const SPACE = /\s/;

/** code of the first character that is not \s (as the regexes define it), or -1 */
function firstNonSpace(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) continue;
    if (c > 13 && c < 128) return c;
    if (!SPACE.test(line[i])) return c;
  }
  return -1;
}

/** `line` without trailing spaces and tabs (only those: other blanks may mean something to a caller) */
function trimBlanks(line: string): string {
  let e = line.length;
  while (e > 0) {
    const c = line.charCodeAt(e - 1);
    if (c !== 32 && c !== 9) break;
    e--;
  }
  return e === line.length ? line : line.slice(0, e);
}

interface Frame { parentActive: boolean; active: boolean; taken: boolean }

/**
 * @param outside macros defined outside this file (config, predefined, other headers)
 */
export function scanFile(text: string, source: string, outside: MacroLookup, cfgOf: (name: string) => string | undefined): FileScan {
  const lines = stripComments(text).split('\n');
  const out: string[] = new Array(lines.length).fill('');
  const defines = new Map<string, MacroDef | null>();
  const errors: string[] = [];
  const includes: FileScan['includes'] = [];
  const typedefCalls: FileScan['typedefCalls'] = [];
  const states = new Map<string, Array<{ line: number; def: MacroDef | null }>>();
  const record = (name: string, line: number, def: MacroDef | null) => (states.get(name) ?? states.set(name, []).get(name)!).push({ line, def });
  const lookup: MacroLookup = (name) => {
    const d = defines.get(name);
    if (d !== undefined) return d ?? undefined;
    return outside(name);
  };
  const stack: Frame[] = [];
  let active = true;
  let typedefMacros = false;
  const cond = (toks: Tok[], lineNo: number): boolean => {
    const r = evalConditionTokens(toks, lookup, cfgOf);
    if (typeof r === 'boolean') return r;
    errors.push(`${source}:${lineNo + 1}: ${r.error}`);
    return false;
  };
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const first = i;
    while (line.endsWith('\\') && i + 1 < lines.length) { line = line.slice(0, -1) + ' ' + lines[++i]; }
    // the regexes run only where they can match: a '#' first, a typedef-making macro defined
    const m = firstNonSpace(line) === HASH ? DIRECTIVE_RE.exec(line) : null;
    if (!m) {
      const call = active && typedefMacros ? CALL_RE.exec(line) : null;
      const def = call ? defines.get(call[1]) : undefined;
      if (def?.params && def.body.some((t) => t.t === 'typedef')) typedefCalls.push({ line: first, def });
      // joined continuation lines stay on the first line; trailing blanks go (comments became
      // spaces: a loaded header's active text is kept for the whole run, ~40% less without them)
      if (active) out[first] = trimBlanks(line);
      continue;
    }
    const [, dir, rest] = m;
    switch (dir) {
      case 'if': case 'ifdef': case 'ifndef': {
        const frame: Frame = { parentActive: active, active: false, taken: false };
        if (active) {
          let v: boolean;
          if (dir === 'if') v = cond(tokenize(rest), first);
          else {
            const name = rest.trim().split(/\s+/)[0] ?? '';
            const def = lookup(name) !== undefined;
            v = dir === 'ifdef' ? def : !def;
          }
          frame.active = v; frame.taken = v;
        }
        stack.push(frame);
        active = frame.active;
        break;
      }
      case 'elif': case 'elifdef': case 'elifndef': {
        const f = stack[stack.length - 1];
        if (!f) { errors.push(`${source}:${first + 1}: #${dir} without #if`); break; }
        if (f.parentActive && !f.taken) {
          let v: boolean;
          if (dir === 'elif') v = cond(tokenize(rest), first);
          else { const def = lookup(rest.trim()) !== undefined; v = dir === 'elifdef' ? def : !def; }
          f.active = v; f.taken = v;
        } else f.active = false;
        active = f.active;
        break;
      }
      case 'else': {
        const f = stack[stack.length - 1];
        if (!f) { errors.push(`${source}:${first + 1}: #else without #if`); break; }
        f.active = f.parentActive && !f.taken;
        f.taken = true;
        active = f.active;
        break;
      }
      case 'endif': {
        const f = stack.pop();
        if (!f) { errors.push(`${source}:${first + 1}: #endif without #if`); break; }
        active = f.parentActive;
        break;
      }
      case 'define':
        if (active) {
          // a flat copy: the definition is kept, the file's text need not be (flat.ts)
          const d = parseDefine(flat(rest), source);
          if (d) {
            defines.set(d.name, d);
            record(d.name, first, d);
            // a prefilter only (the body may hold the word without the token): the check is below
            if (d.params && rest.includes('typedef')) typedefMacros = true;
          }
        }
        break;
      case 'undef':
        if (active) { const n = flat(rest.trim()); defines.set(n, null); record(n, first, null); }
        break;
      case 'include': {
        const inc = active ? /^\s*(?:<([^>]+)>|"([^"]+)")/.exec(rest) : null;
        if (inc) includes.push({ path: flat(inc[1] ?? inc[2]), angled: inc[1] !== undefined });
        break;
      }
      default: break; // #error, #pragma, #warning, #line: nothing to lay out
    }
  }
  if (stack.length) errors.push(`${source}: ${stack.length} unterminated #if`);
  const history = new Map([...states].filter(([, h]) => h.length > 1));
  return { active: out.join('\n'), defines, errors, includes, typedefCalls, ...(history.size ? { history } : {}) };
}
