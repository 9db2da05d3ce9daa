// A stand-in for the scan (src/core/parse, not merged yet): regular expressions and brace counting
// produce the Findings the rules read, for fixtures and the real-tree survey. Same field
// conventions as the scan (types.ts); far less careful about odd forms.
import type { Finding } from '../../../src/core/parse/types';
import { readMacroCall } from '../../../src/core/estimate/macroCall';

interface Block { open: number; close: number; header: string }

/** Blank out comments and strings (same length, newlines kept) so offsets stay valid. */
export function blankComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])'/g, (m) => m.replace(/[^\n]/g, ' '));
}

function blocks(code: string): Block[] {
  const out: Block[] = [];
  const stack: number[] = [];
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '{') stack.push(i);
    else if (c === '}' && stack.length) {
      const open = stack.pop()!;
      let h = open - 1;
      while (h >= 0 && !';{}'.includes(code[h])) h--;
      out.push({ open, close: i, header: code.slice(h + 1, open).replace(/^\s*#[^\n]*\n/gm, '').replace(/\s+/g, ' ').trim() });
    }
  }
  return out.sort((a, b) => a.open - b.open);
}

function enclosing(bs: Block[], off: number): Block[] {
  return bs.filter((b) => b.open < off && off < b.close);
}

const REF_PART = /^(?:k?refs?|k?ref(?:cnt|cnts|count|counts|erence|erences)|usage|users|use(?:cnt|count)|holders?)$/i;
const looksLikeRefcount = (n: string) => n.split('_').some((p) => REF_PART.test(p));

export function quickScan(text: string, file: string): Finding[] {
  const code = blankComments(text);
  const bs = blocks(code);
  const starts = [0];
  for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) starts.push(i + 1);
  const pos = (off: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) { const m = (lo + hi + 1) >> 1; if (starts[m] <= off) lo = m; else hi = m - 1; }
    return { line: lo + 1, column: off - starts[lo] + 1 };
  };
  const ctx = (off: number): { container?: string; func?: string } => {
    const chain = enclosing(bs, off);
    const inner = chain[chain.length - 1];
    const r: { container?: string; func?: string } = {};
    if (inner) {
      const sm = /\b(struct|union)\s+(\w+)\s*$/.exec(inner.header);
      if (sm) r.container = `${sm[1]} ${sm[2]}`;
    }
    const fb = chain.find((b) => /\w\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*$/.test(b.header) && !/^(struct|union|enum)\b|=\s*$/.test(b.header));
    if (fb) {
      const fm = /(\w+)\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*$/.exec(fb.header);
      if (fm) r.func = fm[1];
    }
    return r;
  };
  const out: Finding[] = [];
  const base = (kind: Finding['kind'], a: number, b: number, macro: string): Finding => {
    const p = pos(a);
    const q = pos(b);
    return { kind, file, line: p.line, column: p.column, endLine: q.line, endColumn: q.column, name: '', type: '', macro };
  };
  // DEFINE_PER_CPU*/DECLARE_PER_CPU*
  for (const m of code.matchAll(/\b(DEFINE|DECLARE)_PER_CPU\w*\s*\(/g)) {
    const at = pos(m.index!);
    if (/^\s*#\s*define\b/.test(code.slice(starts[at.line - 1], m.index!))) continue;
    const mc = readMacroCall(code, at.line, at.column);
    if (!mc || mc.args.length < 2) continue;
    const f = base(m[1] === 'DEFINE' ? 'static' : 'declare', m.index!, m.index! + m[0].length, m[0].replace(/\s*\($/, ''));
    const dm = /^(\**)\s*(\w+)\s*((?:\[[^\]]*\]\s*)*)/.exec(mc.args[1]);
    f.type = mc.args[0] + (dm?.[1] ? ` ${dm[1]}` : '');
    f.name = dm?.[2] ?? '';
    const dims = [...(dm?.[3] ?? '').matchAll(/\[([^\]]*)\]/g)].map((x) => x[1].trim());
    if (dims.length) f.dims = dims;
    f.isStatic = /\bstatic\s+(\w+\s+)*$/.test(code.slice(Math.max(0, m.index! - 40), m.index!));
    out.push(f);
  }
  // alloc_percpu family and free_percpu
  for (const m of code.matchAll(/\b(__alloc_percpu_gfp|__alloc_percpu|alloc_percpu_gfp|alloc_percpu|__alloc_reserved_percpu|free_percpu)\s*\(/g)) {
    const at = pos(m.index!);
    const before = code.slice(starts[at.line - 1], m.index!);
    if (/^\s*#\s*define\b/.test(before) || /\b(void|int|\*)\s*$/.test(before) && !/=\s*(\([^)]*\)\s*)?$/.test(before)) continue;
    const mc = readMacroCall(code, at.line, at.column);
    if (!mc) continue;
    const isFree = m[1] === 'free_percpu';
    const f = base(isFree ? 'free' : 'alloc', m.index!, m.index! + m[0].length, m[1]);
    Object.assign(f, ctx(m.index!));
    if (isFree) f.name = mc.args[0];
    else {
      if (m[1].startsWith('alloc_percpu')) f.type = mc.args[0];
      else { f.sizeExpr = mc.args[0]; f.alignExpr = mc.args[1]; const st = /^sizeof\s*\((.*)\)$/.exec(mc.args[0]); if (st) f.type = st[1].trim(); }
      const lm = /([\w.\->\[\]]+)\s*=\s*(\([^()]*\)\s*)?$/.exec(code.slice(Math.max(0, m.index! - 200), m.index!).replace(/\s+/g, ' '));
      if (lm) { f.assignedTo = lm[1]; f.name = (/(\w+)(\[[^\]]*\])*$/.exec(lm[1]) ?? ['', ''])[1]; }
    }
    out.push(f);
  }
  // NR_CPUS arrays in declarations
  for (const m of code.matchAll(/\[\s*(?:CONFIG_)?NR_CPUS\b[^\]]*\]/g)) {
    let s = m.index! - 1;
    while (s >= 0 && !';{}'.includes(code[s])) s--;
    const e = code.indexOf(';', m.index!);
    if (e < 0) continue;
    const decl = code.slice(s + 1, e).replace(/^\s*#[^\n]*\n/gm, '').replace(/\s+/g, ' ').trim();
    const dm = /^(.*?)\s*(\**)\s*\b([A-Za-z_]\w*)\s*((?:\[[^\]]*\]\s*)+)(?:[^=\[]*)?(=.*)?$/.exec(decl);
    if (!dm || /\(|\breturn\b|^#/.test(dm[1]) || !dm[1] || /[=+\-<>!&|?]/.test(dm[1])) continue;
    const type = dm[1].replace(/\b(static|extern|const|volatile|__\w+|____\w+)\b/g, ' ').replace(/\s+/g, ' ').trim();
    if (!type) continue;
    const f = base('nr_cpus_array', m.index!, m.index! + m[0].length, /CONFIG_/.test(m[0]) ? 'CONFIG_NR_CPUS' : 'NR_CPUS');
    f.name = dm[3];
    f.type = type + (dm[2] ? ` ${dm[2]}` : '');
    f.dims = [...dm[4].matchAll(/\[([^\]]*)\]/g)].map((x) => x[1].trim());
    const c = ctx(m.index!);
    if (c.container) f.container = c.container;
    else if (c.func) f.func = c.func;
    if (/\bstatic\b/.test(dm[1])) f.isStatic = true;
    out.push(f);
  }
  // refcount-like fields of structs
  for (const b of bs) {
    const sm = /\b(struct|union)\s+(\w+)\s*$/.exec(b.header);
    if (!sm) continue;
    const body = code.slice(b.open + 1, b.close);
    for (const m of body.matchAll(/(?:^|[;{}])\s*(atomic_t|atomic_long_t|refcount_t|struct\s+kref|local_t)\s+(\w+)\s*;/g)) {
      const ty = m[1].replace(/\s+/g, ' ');
      if (!(ty === 'refcount_t' || ty === 'struct kref' || looksLikeRefcount(m[2]))) continue;
      const off = b.open + 1 + m.index! + m[0].indexOf(m[1]);
      if (enclosing(bs, off).pop() !== b) continue;
      const f = base('refcount', off, off + m[0].length, ty);
      f.name = m[2];
      f.type = ty;
      f.container = `${sm[1]} ${sm[2]}`;
      out.push(f);
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
