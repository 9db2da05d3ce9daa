// Which .c files a config builds, and in which order the linker sees them.
// Kbuild is make; we interpret the subset kernel Makefiles use for object lists
// (obj-y/obj-m/lib-y, composite foo-y/foo-objs, ifdef/ifeq, a few functions), not recipes.
// Link order matters: the static per-CPU area is laid out in object link order.
import * as fs from 'fs';
import * as path from 'path';
import { readText } from '../readText';
import { overlaid, overlayActive } from '../overlay';
import { evalCondition } from './cppExpr';
import type { KConfig } from './kconfig';

export type ConfigLookup = (sym: string) => string | undefined;

export interface BuiltObject {
  /** .c file relative to the tree root, posix separators */
  file: string;
  status: 'builtin' | 'module';
  /** module name for obj-m (the .ko basename) */
  module?: string;
  /** position in link order (builtin) or discovery order (modules) */
  order: number;
  /** the Makefile line that put it there, for explanations */
  via: string;
  /** set for a .c file #included by another: same object (and order) as the includer, at this line */
  includeLine?: number;
  /** the includer, with includeLine */
  includedFrom?: string;
}

export interface KbuildResult {
  objects: BuiltObject[];
  byFile: Map<string, BuiltObject>;
  /** `-I` directories (relative to the root) from ccflags-y of the directories walked */
  includeDirs: string[];
  warnings: string[];
}

/** SRCARCH (the arch/ directory) for our arch profile names. */
export const SRCARCH: Record<string, string> = {
  x86_64: 'x86', i386: 'x86', arm64: 'arm64', ppc64: 'powerpc', riscv64: 'riscv', s390x: 's390', mips: 'mips', arm: 'arm',
};

type Vars = Map<string, string>;

/** Split on whitespace, respecting $(...) nesting so function calls stay whole. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '{') depth++;
    else if (c === ')' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

function patToRe(pat: string): RegExp {
  const i = pat.indexOf('%');
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return i < 0 ? new RegExp(`^${esc(pat)}$`) : new RegExp(`^${esc(pat.slice(0, i))}(.*)${esc(pat.slice(i + 1))}$`);
}

export class MakeInterp {
  vars: Vars = new Map();
  warnings: string[] = [];
  /** the tree, for `include $(srctree)/...` (absent: includes are skipped) */
  root?: string;
  private includeDepth = 0;
  constructor(private config: ConfigLookup) {}

  get(name: string): string {
    if (name.startsWith('CONFIG_')) {
      const v = this.config(name);
      return v === undefined || v === 'n' ? '' : v.replace(/^"(.*)"$/, '$1');
    }
    return this.vars.get(name) ?? '';
  }

  expand(s: string, depth = 0): string {
    if (depth > 20 || !s.includes('$')) return s;
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c !== '$') {
        out += c;
        continue;
      }
      const n = s[i + 1];
      if (n === '(' || n === '{') {
        const close = n === '(' ? ')' : '}';
        let d = 1;
        let j = i + 2;
        for (; j < s.length && d > 0; j++) {
          if (s[j] === n) d++;
          else if (s[j] === close) d--;
        }
        const inner = s.slice(i + 2, j - 1);
        out += this.call(inner, depth);
        i = j - 1;
      } else if (n === '$') {
        out += '$';
        i++;
      } else if (n !== undefined) {
        out += this.get(n);
        i++;
      }
    }
    return out;
  }

  private call(inner: string, depth: number): string {
    const m = /^([a-z-]+)\s+([\s\S]*)$/.exec(inner);
    if (!m || !FUNCS.has(m[1])) {
      // variable reference, possibly computed ($(obj-$(CONFIG_X))) or a substitution ref $(v:.o=.c)
      const name = this.expand(inner, depth + 1);
      const sub = /^([^:]+):([^=]*)=(.*)$/.exec(name);
      if (sub) {
        return words(this.get(sub[1]))
          .map((w) => (w.endsWith(sub[2]) ? w.slice(0, w.length - sub[2].length) + sub[3] : w))
          .join(' ');
      }
      return this.expand(this.get(name.trim()), depth + 1);
    }
    const fn = m[1];
    const args = splitArgs(m[2]);
    const a = (k: number) => this.expand(args[k] ?? '', depth + 1);
    switch (fn) {
      case 'addprefix': return words(a(1)).map((w) => a(0).trim() + w).join(' ');
      case 'addsuffix': return words(a(1)).map((w) => w + a(0).trim()).join(' ');
      case 'subst': return a(2).split(a(0)).join(a(1));
      case 'patsubst': {
        const re = patToRe(a(0).trim());
        const rep = a(1).trim();
        return words(a(2)).map((w) => { const x = re.exec(w); return x ? rep.replace('%', x[1] ?? '') : w; }).join(' ');
      }
      case 'filter': { const res = words(a(0)).map(patToRe); return words(a(1)).filter((w) => res.some((r) => r.test(w))).join(' '); }
      case 'filter-out': { const res = words(a(0)).map(patToRe); return words(a(1)).filter((w) => !res.some((r) => r.test(w))).join(' '); }
      case 'strip': return words(a(0)).join(' ');
      case 'sort': return [...new Set(words(a(0)))].sort().join(' ');
      case 'if': return a(0).trim() ? a(1) : a(2);
      case 'or': { for (let k = 0; k < args.length; k++) { const v = a(k).trim(); if (v) return v; } return ''; }
      case 'and': { let v = ''; for (let k = 0; k < args.length; k++) { v = a(k).trim(); if (!v) return ''; } return v; }
      case 'notdir': return words(a(0)).map((w) => w.replace(/.*\//, '')).join(' ');
      case 'dir': return words(a(0)).map((w) => (w.includes('/') ? w.replace(/[^/]*$/, '') : './')).join(' ');
      case 'basename': return words(a(0)).map((w) => w.replace(/\.[^./]*$/, '')).join(' ');
      case 'firstword': return words(a(0))[0] ?? '';
      case 'foreach': {
        const v = a(0).trim();
        const saved = this.vars.get(v);
        const res = words(a(1)).map((w) => { this.vars.set(v, w); return this.expand(args[2] ?? '', depth + 1).trim(); });
        if (saved === undefined) this.vars.delete(v); else this.vars.set(v, saved);
        return res.join(' ');
      }
      default: return ''; // shell, call, wildcard, cc-option...: no object lists come from these in practice
    }
  }

  /** Evaluate one Makefile's text; conditionals and assignments only. */
  run(text: string, file: string): void {
    const lines = joinContinuations(text);
    const stack: { active: boolean; taken: boolean; parent: boolean }[] = [];
    const active = () => stack.every((s) => s.active);
    let inDefine = false;
    for (const raw of lines) {
      if (raw.startsWith('\t')) continue; // recipe
      const line = stripComment(raw).trim();
      if (!line) continue;
      if (inDefine) { if (/^endef\b/.test(line)) inDefine = false; continue; }
      if (/^define\b/.test(line)) { inDefine = true; continue; }
      const cond = /^(ifdef|ifndef|ifeq|ifneq)\b\s*(.*)$/.exec(line);
      if (cond) {
        const parent = active();
        const v = parent && this.cond(cond[1], cond[2], file);
        stack.push({ active: v, taken: v, parent });
        continue;
      }
      const els = /^else\b\s*(.*)$/.exec(line);
      if (els) {
        const top = stack[stack.length - 1];
        if (!top) { this.warnings.push(`${file}: else without if`); continue; }
        const rest = els[1].trim();
        const c2 = /^(ifdef|ifndef|ifeq|ifneq)\b\s*(.*)$/.exec(rest);
        const v = top.parent && !top.taken && (c2 ? this.cond(c2[1], c2[2], file) : true);
        top.active = v;
        top.taken = top.taken || v;
        continue;
      }
      if (/^endif\b/.test(line)) { if (!stack.pop()) this.warnings.push(`${file}: endif without if`); continue; }
      if (!active()) continue;
      const inc = /^(?:-?include|sinclude)\s+(.+)$/.exec(line);
      if (inc) {
        this.include(inc[1]);
        continue;
      }
      if (/^(export|unexport|override|undefine|\$\(error|\$\(warning|\$\(info|vpath)\b/.test(line)) {
        const ov = /^(?:export|override)\s+(.*)$/.exec(line);
        if (ov) this.assign(ov[1]);
        continue;
      }
      this.assign(line);
    }
    if (stack.length) this.warnings.push(`${file}: ${stack.length} unterminated conditional(s)`);
  }

  /** `include $(srctree)/virt/kvm/Makefile.kvm`: its lists join this directory's, paths relative to it
   *  (Kbuild reads the included text in place); build-system files (scripts/, .config) are not read */
  private include(arg: string): void {
    if (!this.root || this.includeDepth > 8) return;
    for (const w of words(this.expand(arg))) {
      const f = path.resolve(this.root, w);
      const rel = path.relative(this.root, f);
      if (rel.startsWith('..') || /^(scripts|include\/config)\//.test(rel) || /(^|\/)\.config$/.test(rel)) continue;
      let text: string;
      try { text = readText(f, 'utf8'); } catch { continue; }
      this.includeDepth++;
      try { this.run(text, f); } finally { this.includeDepth--; }
    }
  }

  private assign(line: string): boolean {
    const m = /^([^\s:=+?!#]*(?:\$\([^)]*\)[^\s:=+?!#]*)*)\s*(:=|::=|\+=|\?=|=)\s*(.*)$/.exec(line);
    if (!m || !m[1]) return false;
    const name = this.expand(m[1]).trim();
    const op = m[2];
    const val = op === '=' || op === '?=' ? m[3] : this.expand(m[3]);
    if (op === '+=') {
      const cur = this.vars.get(name);
      this.vars.set(name, cur ? `${cur} ${this.expand(m[3])}` : this.expand(m[3]));
    } else if (op === '?=') {
      if (!this.vars.has(name)) this.vars.set(name, val);
    } else this.vars.set(name, op === '=' ? this.expand(val) : val);
    return true;
  }

  private cond(kind: string, rest: string, file: string): boolean {
    if (kind === 'ifdef' || kind === 'ifndef') {
      const v = this.get(this.expand(rest).trim()).trim();
      return kind === 'ifdef' ? v !== '' : v === '';
    }
    let l: string;
    let r: string;
    const paren = /^\((.*)\)$/.exec(rest.trim());
    if (paren) {
      const parts = splitArgs(paren[1]);
      if (parts.length !== 2) { this.warnings.push(`${file}: cannot read condition ${rest}`); return false; }
      [l, r] = parts;
    } else {
      const q = /^(["'])(.*?)\1\s+(["'])(.*?)\3$/.exec(rest.trim());
      if (!q) { this.warnings.push(`${file}: cannot read condition ${rest}`); return false; }
      l = q[2]; r = q[4];
    }
    const eq = this.expand(l).trim() === this.expand(r).trim();
    return kind === 'ifeq' ? eq : !eq;
  }
}

const FUNCS = new Set(['addprefix', 'addsuffix', 'subst', 'patsubst', 'filter', 'filter-out', 'strip', 'sort', 'if', 'or', 'and',
  'notdir', 'dir', 'basename', 'firstword', 'foreach', 'shell', 'call', 'wildcard', 'error', 'warning', 'info', 'origin', 'eval', 'realpath', 'abspath', 'word', 'words', 'join', 'findstring']);

function stripComment(line: string): string {
  const i = line.search(/(^|[^\\])#/);
  return i < 0 ? line : line.slice(0, i + (line[i] === '#' ? 0 : 1));
}

function joinContinuations(text: string): string[] {
  return text.replace(/\r\n/g, '\n').replace(/[ \t]*\\\n[ \t]*/g, ' ').split('\n');
}

function readMakefile(root: string, relDir: string, folders: Folders): { text: string; file: string } | undefined {
  for (const n of ['Kbuild', 'Makefile']) {
    if (!folders.has(path.posix.join(relDir, n))) continue;
    const f = path.join(root, relDir, n);
    try {
      return { text: readText(f, 'utf8'), file: f };
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * Which files exist, from one listing per folder: Kbuild asks for each object's source, each
 * folder's Kbuild or Makefile and each local #include (~60,000 questions under a distro config,
 * ~0.3 s as existsSync calls and failed opens).
 */
class Folders {
  private names = new Map<string, Set<string>>();

  constructor(private readonly root: string) {}

  /** whether the tree-relative `rel` exists (a symlink: if its target does, as existsSync says; a file an overlay adds or deletes: as it says) */
  has(rel: string): boolean {
    // the path made only under an overlay (Kbuild asks ~60,000 times under a distro config)
    const over = overlayActive() ? overlaid(path.join(this.root, rel)) : undefined;
    if (over !== undefined) return over;
    const dir = path.posix.dirname(rel);
    let names = this.names.get(dir);
    if (names === undefined) {
      names = new Set();
      const full = path.join(this.root, dir);
      try {
        for (const e of fs.readdirSync(full, { withFileTypes: true })) if (!e.isSymbolicLink() || fs.existsSync(path.join(full, e.name))) names.add(e.name);
      } catch {
        // not a folder (or unreadable): nothing in it
      }
      this.names.set(dir, names);
    }
    return names.has(path.posix.basename(rel));
  }
}

/**
 * The warning for a root without Kbuild or Makefile: nothing is selected by the .config, so every
 * file counts as built. A parent of the kernel tree (an unpacked linux-source package:
 * linux-source-6.12/ inside) is the likely mistake: its kernel folder is named.
 */
function noTopKbuild(root: string, folders: Folders): string {
  let kernels: string[] = [];
  try {
    kernels = fs.readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && folders.has(`${e.name}/Makefile`) && folders.has(`${e.name}/Kbuild`) && folders.has(`${e.name}/arch`))
      .map((e) => e.name).sort();
  } catch {
    // unreadable root: the scan says so
  }
  const base = 'no Kbuild or Makefile at the root: every file counts as built, whatever the .config says';
  return kernels.length ? `${base}; ${kernels.map((k) => `${k}/`).join(', ')} look${kernels.length > 1 ? '' : 's'} like the kernel tree: pass ${kernels.length > 1 ? 'one' : 'it'} as the root` : base;
}

export interface KbuildOptions {
  /** profile name (x86_64, ...) */
  arch: string;
  /** evaluate a #if expression for the .c-includes-.c scan; absent → includes taken unconditionally */
  evalCond?: (expr: string) => boolean;
  /** a built file's localIncludeDirectives (the estimate keeps them per file version); default: read the file */
  localDirectives?: (file: string) => LocalDirectives | undefined;
  /** told how many folders' Kbuild files were read so far, after each (the walk is synchronous: progress) */
  onFolder?: (read: number) => void;
  /** told each -I dir of the result's includeDirs when first met, in their order (the header worker indexes them meanwhile) */
  onIncludeDir?: (dir: string) => void;
}

/** An -I dir of the tree (the build's own): not absolute (/usr/include), not above the tree. */
const inTree = (dir: string) => !dir.startsWith('/') && !dir.startsWith('..');

/** Walk the tree's Kbuild files from the top, as the kernel build does for vmlinux and modules. */
export function readKbuild(root: string, config: ConfigLookup, opts: KbuildOptions): KbuildResult {
  const srcarch = SRCARCH[opts.arch] ?? opts.arch;
  const warnings: string[] = [];
  const objects: BuiltObject[] = [];
  const byFile = new Map<string, BuiltObject>();
  const seenDirs = new Set<string>();

  // The arch Makefile contributes core-y/libs-y/drivers-y to the top-level Kbuild.
  const top = new MakeInterp(config);
  top.vars.set('SRCARCH', srcarch);
  top.vars.set('ARCH', srcarch);
  top.vars.set('BITS', /64/.test(opts.arch) || opts.arch === 's390x' ? '64' : '32');
  top.vars.set('libs-y', 'lib/');
  const archMk = path.join(root, 'arch', srcarch, 'Makefile');
  if (fs.existsSync(archMk)) top.run(readText(archMk, 'utf8'), archMk);
  const archVars = {
    ARCH_CORE: top.get('core-y'),
    ARCH_LIB: words(top.get('libs-y')).filter((w) => w.endsWith('/')).join(' '),
    ARCH_DRIVERS: top.get('drivers-y'),
  };
  warnings.push(...top.warnings);

  const folders = new Folders(root);
  const exists = (rel: string) => folders.has(rel);
  const add = (file: string, status: 'builtin' | 'module', via: string, module?: string) => {
    if (byFile.has(file)) return; // first mention wins (link order)
    const o: BuiltObject = { file, status, order: objects.length, via, ...(module ? { module } : {}) };
    objects.push(o);
    byFile.set(file, o);
    const dirs = opts.localDirectives ? opts.localDirectives(file) : readLocalDirectives(root, file);
    for (const [f, line] of dirs ? includedObjects(file, dirs, opts.evalCond, exists, (x) => byFile.has(x)) : []) {
      const inc: BuiltObject = { ...o, file: f, via: `#include from ${file}:${line}`, includeLine: line, includedFrom: file };
      objects.push(inc);
      byFile.set(f, inc);
    }
  };

  const libObjs: Array<[string, string]> = [];
  const includeDirs = new Set<string>();
  let read = 0;
  const walk = (relDir: string, status: 'builtin' | 'module') => {
    const key = `${relDir}|${status}`;
    if (seenDirs.has(key)) return;
    seenDirs.add(key);
    const mk = readMakefile(root, relDir, folders);
    if (!mk) {
      warnings.push(relDir ? `${relDir}: no Kbuild or Makefile` : noTopKbuild(root, folders));
      return;
    }
    opts.onFolder?.(++read);
    const m = new MakeInterp(config);
    for (const [k, v] of Object.entries(archVars)) m.vars.set(k, v);
    for (const k of ['SRCARCH', 'ARCH', 'BITS']) m.vars.set(k, top.get(k));
    m.vars.set('obj', relDir || '.');
    m.vars.set('src', relDir || '.');
    m.vars.set('srctree', '.');
    m.root = root;
    m.run(mk.text, mk.file);
    warnings.push(...m.warnings);
    const via = path.relative(root, mk.file);
    for (const fl of words(`${m.get('ccflags-y')} ${m.get('subdir-ccflags-y')}`)) {
      const d = /^-I(.+)$/.exec(fl)?.[1];
      if (!d) continue;
      const dir = path.posix.normalize(d.replace(/^\.\//, ''));
      if (!includeDirs.has(dir) && inTree(dir)) opts.onIncludeDir?.(dir);
      includeDirs.add(dir);
    }
    const lists: Array<[string, 'builtin' | 'module']> = [
      ['obj-y', status], ['lib-y', status], ['obj-m', 'module'],
    ];
    for (const [list, st] of lists) {
      // scripts/Makefile.lib: lib-y := $(filter-out $(obj-y), $(sort $(lib-y) $(lib-m)))
      const ws = list === 'lib-y' ? [...new Set(words(m.get(list)))].sort() : words(m.get(list));
      for (let w of ws) {
        w = w.replace(/^\.\//, '');
        if (w.endsWith('/')) {
          walk(path.posix.join(relDir, w), st);
          continue;
        }
        if (!w.endsWith('.o')) continue;
        const base = w.slice(0, -2);
        const parts = [...words(m.get(`${base}-y`)), ...words(m.get(`${base}-objs`)), ...(st === 'module' ? words(m.get(`${base}-m`)) : [])];
        const modName = st === 'module' ? path.posix.basename(base) : undefined;
        const srcs = parts.length ? parts.filter((p) => p.endsWith('.o')).map((p) => p.slice(0, -2)) : [base];
        for (const s of srcs) {
          const c = path.posix.join(relDir, `${s}.c`);
          if (!folders.has(c)) continue;
          // lib-y objects go into the directory's lib.a, which vmlinux.a takes after all of built-in.a
          if (list === 'lib-y' && st === 'builtin') libObjs.push([c, `${via}: ${list} ${w} (lib.a, linked after built-in.a)`]);
          else add(c, st, `${via}: ${list} ${w}`, modName);
        }
      }
    }
  };
  walk('', 'builtin');
  for (const [c, via] of libObjs) add(c, 'builtin', via);
  return { objects, byFile, warnings, includeDirs: [...includeDirs].filter(inTree) };
}

/** The conditional and `#include "x.c|h"` lines of a file that has such an include: [1-based line, trimmed text]. */
export type LocalDirectives = [number, string][];

/** A file's local-include directives, or undefined when it includes no .c or local .h by quotes. */
export function localIncludeDirectives(text: string): LocalDirectives | undefined {
  if (!/#\s*include\s+"[^"]+\.[ch]"/.test(text)) return undefined;
  const out: LocalDirectives = [];
  // only directive lines matter: from one '#' to the next (native indexOf), kept when only
  // blanks precede it on its line; 3.6x faster than a /\n[^\S\n]*#/g walk over ~15,000 files
  let n = 1; // 1-based line number of offset `at`
  let at = 0;
  for (let h = text.indexOf('#'); h >= 0; h = text.indexOf('#', h + 1)) {
    let s = h;
    for (; s > 0; s--) {
      const c = text.charCodeAt(s - 1);
      if (c === 10 || (c !== 32 && (c < 9 || c > 13) && (c < 128 || !BLANK.test(text[s - 1])))) break;
    }
    if (s > 0 && text.charCodeAt(s - 1) !== 10) continue;
    for (let i = text.indexOf('\n', at); i >= 0 && i < s; i = text.indexOf('\n', i + 1)) n++;
    at = s;
    const eol = text.indexOf('\n', h);
    // both patterns below go on with `i` or `e` after the '#' and its blanks: a #define (most
    // directives) is passed by without making its line
    let k = h + 1;
    for (let c = text.charCodeAt(k); c === 32 || c === 9 || c === 11 || c === 12 || c === 13; c = text.charCodeAt(++k));
    const c0 = text.charCodeAt(k); // NaN at the end: the line is read as before
    if (c0 !== 105 && c0 !== 101 && c0 < 128) { h = eol < 0 ? text.length : eol; continue; }
    const l = text.slice(s, eol < 0 ? text.length : eol).trim();
    if (/^#\s*(?:if|ifdef|ifndef|elif|else|endif)\b/.test(l) || /^#\s*include\s+"[^"]+\.[ch]"/.test(l)) out.push([n, l]);
    h = eol < 0 ? text.length : eol;
  }
  return out;
}
const BLANK = /\s/;

function readLocalDirectives(root: string, file: string): LocalDirectives | undefined {
  try {
    return localIncludeDirectives(readText(path.join(root, file), 'latin1'));
  } catch {
    return undefined;
  }
}

/** Kbuild's reading of a built file's local #if lines under the .config: what it cannot tell is taken as true. */
export const kbuildCond = (cfg: KConfig) => (e: string): boolean => {
  const r = evalCondition(e, cfg);
  return typeof r === 'boolean' ? r : true;
};

/**
 * The files Kbuild builds into `file`'s object by its local #include directives (addIncludedC), with
 * the line of each, in order: each once, none that `taken` says an object listed before it holds
 * (the first mention wins). An estimate after an edit compares them with the saved run's (editReuse.ts).
 */
export function includedObjects(file: string, directives: LocalDirectives, evalCond: ((e: string) => boolean) | undefined, exists: (rel: string) => boolean, taken: (rel: string) => boolean): [string, number][] {
  const out: [string, number][] = [];
  const seen = new Set<string>();
  addIncludedC(file, directives, evalCond, exists, (f, line) => {
    if (seen.has(f) || taken(f)) return;
    seen.add(f);
    out.push([f, line]);
  });
  return out;
}

/** Kernel .c files that #include other .c files (kernel/sched/build_policy.c), or a header of their
 * own directory that defines things (kernel/rcu/update.c includes "tasks.h"), build them into the
 * same object. A local header included by several objects goes with the first in link order. */
function addIncludedC(file: string, directives: LocalDirectives, evalCond: ((e: string) => boolean) | undefined, exists: (rel: string) => boolean, add: (f: string, line: number) => void): void {
  const stack: { active: boolean; taken: boolean; parent: boolean }[] = [];
  const active = () => stack.every((s) => s.active);
  const ev = (e: string) => (evalCond ? evalCond(e) : true);
  for (const [line, l] of directives) {
    let m: RegExpExecArray | null;
    if ((m = /^#\s*if(n?def)?\s+(.*)$/.exec(l))) {
      const parent = active();
      const e = m[1] === 'def' ? `defined(${m[2].trim()})` : m[1] === 'ndef' ? `!defined(${m[2].trim()})` : m[2];
      const v = parent && ev(e);
      stack.push({ active: v, taken: v, parent });
    } else if ((m = /^#\s*elif\s+(.*)$/.exec(l)) && stack.length) {
      const t = stack[stack.length - 1];
      const v = t.parent && !t.taken && ev(m[1]);
      t.active = v;
      t.taken ||= v;
    } else if (/^#\s*else\b/.test(l) && stack.length) {
      const t = stack[stack.length - 1];
      t.active = t.parent && !t.taken;
      t.taken = true;
    } else if (/^#\s*endif\b/.test(l)) stack.pop();
    else if ((m = /^#\s*include\s+"([^"]+\.[ch])"/.exec(l)) && active()) {
      const inc = path.posix.join(path.posix.dirname(file), m[1]); // join normalizes
      if (exists(inc)) add(inc, line);
    }
  }
}
