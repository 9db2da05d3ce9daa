// The order of per-CPU variables inside an object as the kernel's own build gives it. On arm,
// arm64 and powerpc gcc places them with section anchors in its compile order after inlining and
// cloning, which the source tells only in part (docs/placement.md §3). Given a gcc for the arch,
// each object holding two or more per-CPU variables of one section is compiled in a build folder
// of the tree (`make O=`, the tree's own flags) and its symbols are read back: those objects then
// take the real order. Objects that fail to build keep the model's order, each with its reason.
// A build percpu-lens did not make (the tree built in place, or the developer's own O= folder) is
// read as it stands and never written: its up-to-date objects give the order, make is not run.
import { execFile, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { StaticVar } from './staticArea';
import { findArch, type ArchProfile } from '../config/arch';
import { isSet, parseDotConfig } from '../config/kconfig';
import { writeAtomic } from '../writeAtomic';

export interface CompilerOptions {
  /** CROSS_COMPILE as the kernel's Makefile takes it (`aarch64-linux-gnu-`; '' for the host gcc) */
  crossCompile: string;
  /**
   * the `make O=` folder: prepared once per .config, objects rebuilt only when their sources change;
   * or an existing build (existingBuild: the tree itself, a folder with a .config percpu-lens did
   * not make), whose objects are read and never rebuilt
   */
  buildDir: string;
  /** make -j (default: the machine's processors) */
  jobs?: number;
  /** where readelf's answers on an existing build's objects are kept (never in that build); none: read every time */
  answers?: string;
}

export interface CompiledOrder {
  /** compiled unit (tree-relative .c) → section suffix ('' for .data..percpu) → variable → offset */
  orders: Map<string, Map<string, Map<string, number>>>;
  failed: OrderReport['failed'];
  existing?: true;
}

/** What a run reports of the order it took (EstimateResult.static.order). */
export interface OrderReport {
  crossCompile: string;
  buildDir: string;
  /** objects with two or more per-CPU variables in one section: those whose order matters */
  units: number;
  /** of those, the objects whose order came from the compiled object */
  compiled: number;
  /** `stale`: an existing build's object found out of date, by its mtime (0: none): a saved result holds while it is unchanged */
  failed: Array<{ file: string; reason: string; stale?: number }>;
  /** the objects of a build percpu-lens did not make, read as they stand */
  existing?: true;
}

const SECTION = '.data..percpu';
/** what marks a build folder as percpu-lens's own (it holds the key the folder was prepared for) */
const STAMP = '.percpu-lens-prepared';

/** Whether `root` is configured in place (its .config, include/config): Kbuild refuses O= then. */
export const builtInPlace = (root: string): string | undefined => ['.config', 'include/config'].find((f) => fs.existsSync(path.join(root, f)));

/** Whether `dir` is a build percpu-lens did not make: the tree itself, or a folder with a .config and no stamp of ours. */
export function existingBuild(dir: string, root: string): boolean {
  const d = path.resolve(dir);
  return d === path.resolve(root) || (fs.existsSync(path.join(d, '.config')) && !fs.existsSync(path.join(d, STAMP)));
}
/** the saved readelf answers' format: a change of percpuSymbols bumps it (2: sizes printed in hex) */
const ORDERS_FORMAT = 2;

/** The `make O=` folder when none is given: one per tree, arch, .config and compiler, under `base` (beside the scan cache). */
export function defaultBuildDir(base: string, tree: string, srcArch: string, configText: string | Buffer, crossCompile: string): string {
  const hash = crypto.createHash('sha256').update(`${path.resolve(tree)}\0${crossCompile}\0`).update(configText).digest('hex').slice(0, 12);
  return path.join(base, 'kbuild', `${srcArch}-${hash}`);
}

/** A CROSS_COMPILE prefix make can take as one word ('' is the host gcc), or `auto` (autoCrossCompile). */
export const validCrossCompile = (p: string): boolean => /^[\w./+-]*$/.test(p);

/** Whether `cmd` is an executable file in one of PATH's folders. */
export function onPath(cmd: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? '').split(path.delimiter).some((d) => {
    try { fs.accessSync(path.join(d || '.', cmd), fs.constants.X_OK); return true; } catch { return false; }
  });
}

/**
 * What a tree's own build needs on the host to prepare a folder besides make and gcc
 * (Documentation/process/changes.rst), each when the tree has the source that needs it and the
 * .config builds it: Kbuild's configuration tool is built from a lexer and a parser generated at
 * build time (since 4.17; older trees ship them generated); `prepare` builds scripts/sign-file
 * when modules are signed (distro configs) and objtool when the arch runs it (powerpc, x86).
 * `pkg`: Debian's package.
 */
const HOST_NEEDS: ReadonlyArray<{ source: string; config?: string; tool?: string; header?: string; what: string; pkg: string }> = [
  // Kbuild's host programs (HOSTCC), whatever the arch's compiler; the headers below are asked of it
  { source: 'scripts/kconfig/Makefile', tool: 'gcc', what: "the host's gcc", pkg: 'gcc' },
  { source: 'scripts/kconfig/lexer.l', tool: 'flex', what: 'flex', pkg: 'flex' },
  { source: 'scripts/kconfig/parser.y', tool: 'bison', what: 'bison', pkg: 'bison' },
  { source: 'scripts/sign-file.c', config: 'CONFIG_MODULE_SIG_FORMAT', header: 'openssl/opensslv.h', what: "OpenSSL's headers", pkg: 'libssl-dev' },
  { source: 'tools/objtool/elf.c', config: 'CONFIG_OBJTOOL', header: 'libelf.h', what: "libelf's headers", pkg: 'libelf-dev' },
];

/** Whether the host's gcc finds `header` (`#include <header>`), as Kbuild's host programs include it. */
export function hostHeader(header: string): boolean {
  return spawnSync('gcc', ['-E', '-x', 'c', '-', '-o', os.devNull], { input: `#include <${header}>\n`, stdio: ['pipe', 'ignore', 'ignore'] }).status === 0;
}

/** What preparing a build of `root` under `configText` needs that this host lacks (HOST_NEEDS), as `what` and `pkg`. */
export function missingHostNeeds(root: string, configText: string, has: (cmd: string) => boolean = onPath, hasHeader: (h: string) => boolean = hostHeader): Array<{ what: string; pkg: string }> {
  const cfg = parseDotConfig(configText, '.config');
  const needed = HOST_NEEDS.filter((n) => fs.existsSync(path.join(root, n.source)) && (!n.config || isSet(cfg, n.config)));
  const missing = needed.filter((n) => n.tool && !has(n.tool));
  // without a host gcc its headers cannot be asked: the gcc is what to install first
  if (!missing.some((n) => n.tool === 'gcc')) missing.push(...needed.filter((n) => n.header && !hasHeader(n.header)));
  return missing.map(({ what, pkg }) => ({ what, pkg }));
}

/**
 * `--cross-compile auto`: the host gcc when it builds for `arch`, else the first of Debian's cross
 * gccs for it (ArchProfile.crossCompilers) that is installed; undefined when none is.
 */
export function autoCrossCompile(arch: ArchProfile, host = process.arch, has: (cmd: string) => boolean = onPath): string | undefined {
  // Node's process.arch names (x64, ia32, arm64, ppc64, loong64, ...) are the arch table's aliases
  if (findArch(host)?.name === arch.name && has('gcc')) return '';
  return (arch.crossCompilers ?? []).find((p) => has(`${p}gcc`));
}

/** What to say when auto finds no gcc for `arch`. */
export const noCompilerFor = (arch: ArchProfile): string =>
  `no gcc for ${arch.name} on PATH${arch.crossCompilers?.length ? ` (looked for ${arch.crossCompilers.map((p) => `${p}gcc`).join(', ')}: Debian's gcc-${arch.crossCompilers[0].replace(/-$/, '')})` : ''}`;

/**
 * The CLI's --cross-compile and --build-dir, the editor's percpuLens.crossCompile and
 * percpuLens.buildDir, one reading. `requested` is a prefix or `auto` (undefined: only read an
 * existing build). The objects come from `buildDir` when given, else from the tree's own build when
 * it is built in place (both read as they stand when percpu-lens did not make them: existingBuild),
 * else from a folder made per tree, arch, .config and compiler under `base`. A string when it cannot
 * be done: what to say.
 */
export function compilerFor(requested: string | undefined, arch: ArchProfile, configFile: string | undefined, tree: string, base: string, buildDir?: string): CompilerOptions | string {
  if (!configFile) return "the objects' order needs a .config file";
  if (requested !== undefined && !validCrossCompile(requested)) return `expected a CROSS_COMPILE prefix such as aarch64-linux-gnu-, or auto, got "${requested}"`;
  const dir = buildDir !== undefined ? path.resolve(buildDir) : builtInPlace(tree) ? path.resolve(tree) : undefined;
  // reading a build needs no gcc (the host's readelf reads any arch's objects): none is looked for
  if (dir !== undefined && existingBuild(dir, tree)) return { crossCompile: requested === undefined || requested === 'auto' ? '' : requested, buildDir: dir };
  if (requested === undefined) return `${buildDir} holds no kernel build (no .config): build the tree there first, or give a compiler (--cross-compile) to have percpu-lens build the objects there`;
  const crossCompile = requested === 'auto' ? autoCrossCompile(arch) : requested;
  if (crossCompile === undefined) return `auto: ${noCompilerFor(arch)}`;
  if (dir !== undefined) return { crossCompile, buildDir: dir };
  let text: Buffer;
  try { text = fs.readFileSync(configFile); } catch (e) { return `cannot read ${configFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`; }
  return { crossCompile, buildDir: defaultBuildDir(base, tree, arch.srcArch, text, crossCompile) };
}

/**
 * With neither option: a Kbuild build of this tree under the estimate's .config gives the order
 * from its objects, read as they stand (readelf reads any arch: no gcc needed), on the arches whose
 * order the model guesses. The build is the .config's own folder (a `make O=` folder, its `source`
 * link to the tree) or the tree built in place, configured by Kbuild (include/config/auto.conf),
 * its .config the same text; undefined when there is none.
 */
export function configBuild(arch: ArchProfile, configFile: string | undefined, tree: string): CompilerOptions | undefined {
  if (!arch.sectionAnchors || !configFile) return undefined;
  const real = (p: string) => { try { return fs.realpathSync(p); } catch { return undefined; } };
  const root = real(tree);
  let text: Buffer;
  try { text = fs.readFileSync(configFile); } catch { return undefined; }
  const ofTree = (d: string) => real(d) === root || real(path.join(d, 'source')) === root;
  const same = (d: string) => { try { return fs.readFileSync(path.join(d, '.config')).equals(text); } catch { return false; } };
  const dir = [path.dirname(path.resolve(configFile)), path.resolve(tree)].find((d) =>
    fs.existsSync(path.join(d, 'include/config/auto.conf')) && ofTree(d) && existingBuild(d, tree) && same(d));
  return dir === undefined ? undefined : { crossCompile: '', buildDir: dir };
}

/** The compiled file of a variable: the .c that #includes its file when it has one (kernel/sched/build_utility.c). */
const unitOf = (v: StaticVar) => v.unit ?? v.file;

/** The units whose order the model decides: two or more variables of one section (alone, a variable's place is known). */
export function unitsToCompile(vars: readonly StaticVar[]): string[] {
  const n = new Map<string, number>();
  for (const v of vars) {
    const k = `${unitOf(v)}\0${v.section}`;
    n.set(k, (n.get(k) ?? 0) + 1);
  }
  return [...new Set([...n].filter(([, c]) => c > 1).map(([k]) => k.split('\0')[0]))].filter((f) => f.endsWith('.c')).sort();
}

/** `vars` with the compiled objects' order: each one found there sorts by its real offset (staticArea sorts by position, highest first). */
export function applyOrder(vars: StaticVar[], c: CompiledOrder): StaticVar[] {
  return vars.map((v) => {
    const off = c.orders.get(unitOf(v))?.get(v.section)?.get(v.name);
    return off === undefined ? v : { ...v, position: 1e15 - off };
  });
}

/** Per-CPU symbols of an object by section suffix, from `readelf -SsW` output. */
export function percpuSymbols(readelf: string): Map<string, Map<string, number>> {
  const sections = new Map<string, string>();
  for (const m of readelf.matchAll(/^\s*\[\s*(\d+)\]\s+(\S+)/gm)) sections.set(m[1], m[2]);
  const out = new Map<string, Map<string, number>>();
  // Num: Value Size Type Bind Vis Ndx Name (a size of 100000 and more is printed in hex: 0x80000)
  for (const m of readelf.matchAll(/^\s*\d+:\s+([0-9a-fA-F]+)\s+(?:0x[0-9a-fA-F]+|\d+)\s+OBJECT\s+\w+\s+\w+\s+(\d+)\s+(\S+)\s*$/gm)) {
    const sec = sections.get(m[2]);
    if (!sec || !sec.startsWith(SECTION)) continue;
    const suffix = sec.slice(SECTION.length);
    const s = out.get(suffix) ?? new Map<string, number>();
    s.set(m[3], parseInt(m[1], 16));
    out.set(suffix, s);
  }
  return out;
}

/**
 * Whether make would take `unit`'s object as up to date, read from what Kbuild keeps beside it
 * (`.name.o.cmd`: fixdep's list of every file the compile read, `$(wildcard include/config/X)`
 * for each option it tested) and the Makefiles on its way: all older than the object. make's own
 * check of ~70 objects re-runs the prepare steps and takes ~4 s; this one reads ~1,000 stats.
 * Anything missing (no .cmd, a file gone) says no: make decides.
 */
export function upToDate(root: string, dir: string, srcArch: string, unit: string, mtime: (f: string) => number | undefined): boolean {
  const rel = objectOf(unit);
  const built = mtime(path.join(dir, rel));
  if (built === undefined) return false;
  let cmd: string;
  try { cmd = fs.readFileSync(path.join(dir, path.dirname(rel), `.${path.basename(rel)}.cmd`), 'latin1'); } catch { return false; }
  // deps_OBJ := \ then one file per line, each but the last ending in a backslash
  const lines = cmd.split('\n');
  const at = lines.indexOf(`deps_${rel} := \\`);
  const block: string[] = [];
  for (let k = at + 1; at >= 0 && k < lines.length; k++) {
    block.push(lines[k]);
    if (!lines[k].endsWith('\\')) break;
  }
  const source = /^source_\S+ := (\S+)$/m.exec(cmd);
  if (at < 0 || !source) return false;
  // relative (a tree built in place) from the build folder, as every name in the file
  const files = [path.isAbsolute(source[1]) ? source[1] : path.join(dir, source[1])];
  for (const m of block.join('\n').matchAll(/\$\(wildcard (\S+)\)|([^\s\\]+)/g)) {
    if (m[1] !== undefined) {
      // an option the compile tested: its touch file exists once the option is set (syncconfig)
      const f = path.join(dir, m[1]);
      if (mtime(f) !== undefined) files.push(f);
    } else files.push(path.isAbsolute(m[2]) ? m[2] : path.join(dir, m[2]));
  }
  // the flags come from the Makefiles: the top one, the arch's, Kbuild's own, each folder's on the way
  const mk = [path.join(root, 'Makefile'), path.join(root, 'arch', srcArch, 'Makefile'), ...['Makefile.build', 'Makefile.lib', 'Kbuild.include'].map((f) => path.join(root, 'scripts', f))];
  for (let d = path.dirname(unit); d !== '.' && d !== ''; d = path.dirname(d)) mk.push(path.join(root, d, 'Makefile'), path.join(root, d, 'Kbuild'));
  // every file the compile read must still be there; a Makefile only where the tree has one
  return files.every((f) => (mtime(f) ?? Infinity) <= built) && mk.every((f) => (mtime(f) ?? -Infinity) <= built);
}

/** A unit's object, as make names the target (kernel/irq.c -> kernel/irq.o). */
const objectOf = (unit: string) => unit.replace(/\.c$/, '.o');

/** A file's mtime, asked once: undefined when it is not there. */
function mtimes(): (f: string) => number | undefined {
  const seen = new Map<string, number | undefined>();
  return (f) => {
    if (!seen.has(f)) { try { seen.set(f, fs.statSync(f).mtimeMs); } catch { seen.set(f, undefined); } }
    return seen.get(f);
  };
}

interface Run { code: number; out: string }

function run(cmd: string, args: string[], cwd: string, signal?: AbortSignal): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 1 << 28, signal, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      // an exit status is a number; a command that did not run has a string code (ENOENT) or a signal
      const status = (err as { code?: unknown } | null)?.code;
      resolve(!err ? { code: 0, out: `${stdout}${stderr}` } : typeof status === 'number' ? { code: status, out: `${stdout}${stderr}` } : { code: -1, out: `${stdout}${stderr}\n${err.message}` });
    });
  });
}

/** The per-CPU symbols of object `obj` (readelf of the compiler's binutils, else the host's: both read any arch). */
async function readObject(obj: string, c: CompilerOptions, cwd: string, signal?: AbortSignal): Promise<Map<string, Map<string, number>> | string> {
  let r = c.crossCompile ? await run(`${c.crossCompile}readelf`, ['-SsW', obj], cwd, signal) : { code: -1, out: '' };
  if (r.code !== 0) r = await run('readelf', ['-SsW', obj], cwd, signal);
  return r.code === 0 ? percpuSymbols(r.out) : `readelf: ${tail(r.out)}`;
}

type Saved = Record<string, { mtime: number; order: Array<[string, Array<[string, number]>]> }>;

/**
 * The per-CPU symbols of each of `units`' objects in `dir` into `orders` (`failed`: what readelf
 * could not read), a few readelf at once. What readelf said is kept in `savedFile` by the object's
 * mtime: an object that did not change is not read again.
 */
async function readObjects(dir: string, units: readonly string[], savedFile: string | undefined, c: CompilerOptions, mtime: (f: string) => number | undefined, orders: CompiledOrder['orders'], failed: CompiledOrder['failed'], signal?: AbortSignal): Promise<void> {
  let saved: Saved = {};
  try {
    const f = savedFile ? JSON.parse(fs.readFileSync(savedFile, 'utf8')) : undefined;
    if (f?.format === ORDERS_FORMAT) saved = f.objects;
  } catch { /* first run */ }
  const todo = units.filter((u) => {
    const had = saved[u];
    if (!had || had.mtime !== mtime(path.join(dir, objectOf(u)))) return true;
    orders.set(u, new Map(had.order.map(([sec, syms]) => [sec, new Map(syms)])));
    return false;
  });
  let next = 0;
  const one = async (): Promise<void> => {
    for (let u = todo[next++]; u !== undefined; u = todo[next++]) {
      const obj = path.join(dir, objectOf(u));
      const order = await readObject(obj, c, dir, signal);
      if (typeof order === 'string') { failed.push({ file: u, reason: order }); continue; }
      orders.set(u, order);
      saved[u] = { mtime: mtime(obj)!, order: [...order].map(([sec, syms]) => [sec, [...syms]]) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(todo.length, 2 * Math.max(1, os.cpus().length)) }, one));
  failed.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  // the editor and the CLI may share the file: whole or not at all (read again next time)
  if (savedFile && todo.length) {
    try { fs.mkdirSync(path.dirname(savedFile), { recursive: true }); writeAtomic(savedFile, () => [JSON.stringify({ format: ORDERS_FORMAT, objects: saved })]); } catch { /* read again next time */ }
  }
}

/**
 * A build percpu-lens did not make (existingBuild), read as it stands: the objects that are up to
 * date give their order; make is never run there and nothing is written. Its .config must be the
 * estimate's: objects of another configuration would answer for another kernel.
 */
async function readBuild(root: string, dir: string, configText: string, arch: string, units: readonly string[], c: CompilerOptions, signal?: AbortSignal): Promise<CompiledOrder> {
  const orders: CompiledOrder['orders'] = new Map();
  const where = dir === path.resolve(root) ? "the tree's own build" : `the build in ${dir}`;
  const failAll = (reason: string): CompiledOrder => ({ orders, failed: units.map((file) => ({ file, reason })), existing: true });
  let own: string;
  try { own = fs.readFileSync(path.join(dir, '.config'), 'latin1'); } catch (e) { return failAll(`${where} has no readable .config (${(e as NodeJS.ErrnoException).code})`); }
  if (own !== configText) {
    // a tree built in place cannot take O= either: only a clean copy can be built for this .config
    const other = dir === path.resolve(root) ? ', or give --cross-compile a clean copy of the tree (Kbuild refuses O= on one built in place)' : '';
    return failAll(`${where} is of another .config than the estimate's: estimate with its own (${path.join(dir, '.config')})${other}`);
  }
  // a .config that Kbuild never configured a build from (syncconfig writes auto.conf): someone's file, not a build
  if (!fs.existsSync(path.join(dir, 'include/config/auto.conf'))) {
    // a tree with a .config cannot take O= (Kbuild refuses it): only building in place, or a clean copy, can serve
    const way = dir === path.resolve(root) ? 'build it in place, or give --cross-compile a clean copy of the tree' : 'build the objects there, or name a new folder for percpu-lens to build in';
    return failAll(`${dir} holds a .config but no build (Kbuild never ran there): ${way}`);
  }
  const failed: CompiledOrder['failed'] = [];
  const mtime = mtimes();
  const ready: string[] = [];
  for (const u of units) {
    const obj = path.join(dir, objectOf(u));
    if (upToDate(root, dir, arch, u, mtime)) ready.push(u);
    else failed.push({ file: u, reason: `${mtime(obj) === undefined ? 'not built' : 'out of date'} in ${where} (make ${objectOf(u)} there: percpu-lens runs make only in a folder it made)`, stale: mtime(obj) ?? 0 });
  }
  await readObjects(dir, ready, c.answers, c, mtime, orders, failed, signal);
  return { orders, failed, existing: true };
}

/** Whether a saved result's order still holds: no out-of-date object of an existing build has been rebuilt since. */
export function orderHolds(o: OrderReport | undefined): boolean {
  if (!o?.existing) return true;
  const now = mtimes();
  return o.failed.every((f) => f.stale === undefined || (now(path.join(o.buildDir, objectOf(f.file))) ?? 0) === f.stale);
}

/** The lines of a tool's output that say what went wrong: the compiler's first errors, else make's last words. */
function tail(s: string): string {
  const lines = s.split('\n').map((l) => l.trim()).filter(Boolean);
  const first = lines.filter((l) => /\berror\b|No rule to make|not found|No such file/.test(l) && !/^make(\[\d+\])?: \*\*\*/.test(l)).slice(0, 2);
  return (first.length ? first : lines.slice(-2)).join(' | ').slice(0, 400);
}

/**
 * Compiles `units` (tree-relative .c files) under `configText` with the tree's own build and reads
 * their per-CPU symbols. `arch` is the kernel's ARCH (arm64, powerpc, arm). Never throws: what
 * cannot be built is listed in `failed` (a tree with an in-tree build cannot take O=, no gcc, ...).
 */
export async function compiledOrder(root: string, configText: string, arch: string, units: readonly string[], c: CompilerOptions, signal?: AbortSignal, onProgress?: (m: string) => void): Promise<CompiledOrder> {
  try {
    return await compile(root, configText, arch, units, c, signal, onProgress);
  } catch (e) {
    // the build folder cannot be written, ...: every object keeps the model's order
    return { orders: new Map(), failed: units.map((file) => ({ file, reason: (e as Error).message })) };
  }
}

async function compile(root: string, configText: string, arch: string, units: readonly string[], c: CompilerOptions, signal?: AbortSignal, onProgress?: (m: string) => void): Promise<CompiledOrder> {
  const orders: CompiledOrder['orders'] = new Map();
  const failAll = (reason: string): CompiledOrder => ({ orders, failed: units.map((file) => ({ file, reason })) });
  if (!units.length) return { orders, failed: [] };
  const dir = path.resolve(c.buildDir);
  if (existingBuild(dir, root)) return readBuild(root, dir, configText, arch, units, c, signal);
  // Kbuild refuses O= on a tree configured in place (its .config, include/config): say so plainly
  const inPlace = builtInPlace(root);
  if (inPlace) return failAll(`the tree is built in place (${inPlace}), which make O= refuses: leave out the build folder to read the tree's own objects, or estimate a clean copy`);
  const make = (args: string[]) => run('make', ['-C', path.resolve(root), `O=${dir}`, `ARCH=${arch}`, `CROSS_COMPILE=${c.crossCompile}`, ...args], dir, signal);
  // prepared once per (.config, compiler): olddefconfig, then the generated headers
  const key = crypto.createHash('sha256').update(`${path.resolve(root)}\0${arch}\0${c.crossCompile}\0${configText}`).digest('hex');
  const stampFile = path.join(dir, STAMP);
  const prepared = (() => { try { return fs.readFileSync(stampFile, 'utf8') === key; } catch { return false; } })();
  // said before anything is made, not as make's "flex: not found" against every object
  const missing = prepared ? [] : missingHostNeeds(root, configText);
  if (missing.length) return failAll(`preparing the build (make olddefconfig prepare) needs ${missing.map((m) => m.what).join(', ')} on this host (Debian: apt-get install ${missing.map((m) => m.pkg).join(' ')})`);
  fs.mkdirSync(dir, { recursive: true });
  const jobs = `-j${c.jobs ?? Math.max(1, os.cpus().length)}`;
  if (!prepared) {
    onProgress?.(`preparing ${dir} (make olddefconfig prepare)`);
    // the folder is ours from here: a preparation that fails is tried again, never taken for someone's build
    fs.writeFileSync(stampFile, '');
    fs.writeFileSync(path.join(dir, '.config'), configText);
    const cfg = await make(['olddefconfig']);
    if (cfg.code !== 0) return failAll(`make olddefconfig failed: ${tail(cfg.out)}`);
    const prep = await make([jobs, 'prepare']);
    if (prep.code !== 0) return failAll(`make prepare failed: ${tail(prep.out)}`);
    fs.writeFileSync(stampFile, key);
    // objects of another tree or .config in this folder: make would take them as up to date
    for (const u of units) fs.rmSync(path.join(dir, objectOf(u)), { force: true });
  }
  if (signal?.aborted) return failAll('cancelled');
  const before = mtimes();
  const stale = new Set(units.filter((u) => !upToDate(root, dir, arch, u, before)));
  // -k: one object that does not build leaves the others; make rebuilds only what changed
  let built: Run = { code: 0, out: '' };
  if (stale.size) {
    onProgress?.(`compiling ${stale.size} objects with ${c.crossCompile || 'the host '}gcc`);
    // without debug information (gcc's -g changes no code nor data order; the .config's DEBUG_INFO
    // makes each compile 15-30% slower for it): appended to the tree's flags, so -g0 comes last
    built = await make([jobs, '-k', 'KCFLAGS=-g0', ...[...stale].map(objectOf)]);
  }
  const failed: CompiledOrder['failed'] = [];
  const after = mtimes();
  const ready: string[] = [];
  for (const u of units) {
    // make failed somewhere: an object it did not bring up to date is one it could not build (an older one may be there)
    if (built.code !== 0 && stale.has(u) && !upToDate(root, dir, arch, u, after)) {
      const mine = built.out.split('\n').filter((l) => l.includes(path.basename(u, '.c'))).join('\n');
      failed.push({ file: u, reason: `not built: ${tail(mine || built.out)}` });
    } else if (after(path.join(dir, objectOf(u))) === undefined) failed.push({ file: u, reason: `not built: ${tail(built.out)}` });
    else ready.push(u);
  }
  await readObjects(dir, ready, path.join(dir, '.percpu-lens-orders.json'), c, after, orders, failed, signal);
  return { orders, failed };
}
