// estimate --cross-compile: objects whose in-object order the model decides are compiled by the
// tree's own make (here a stand-in top Makefile, test/fixtures/compiled) and take gcc's order.
// The expected offsets are read from the same file compiled by hand with aarch64 gcc (nm -n).
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { estimate, type EstimateResult } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { autoCrossCompile, compiledOrder, configBuild, hostHeader, missingHostNeeds, noCompilerFor, onPath, percpuSymbols, unitsToCompile } from '../../src/core/estimate/compiledOrder';
import { resolveProfileOptions } from '../../src/cli/profileOptions';
import { summaryText } from '../../src/core/report/summary';
import type { StaticVar } from '../../src/core/estimate/staticArea';
import { formatText } from '../../src/core/report/text';
import { RealCore } from '../../src/vscode/realCore';
import { DEFAULTS } from '../../src/vscode/settings';
import type { Settings } from '../../src/vscode/core';
import { compilerWorks } from './support/gccTruth';

const root = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'compiled');
const CROSS = 'aarch64-linux-gnu-';
// not the tree's .config: a tree configured in place cannot take make O= (compiledOrder.ts)
const cfgPath = path.join(root, 'arm64.config');
const config = parseDotConfig(fs.readFileSync(cfgPath, 'utf8'), cfgPath);

/** Offsets of the named symbols in `o`, as nm lists them (a tool other than the one the code reads). */
function nmOffsets(o: string, names: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of execFileSync('nm', ['-n', o], { encoding: 'utf8' }).split('\n')) {
    const m = /^([0-9a-f]+) [dDbB] (\w+)$/.exec(l.trim());
    if (m && names.includes(m[2])) out.set(m[2], parseInt(m[1], 16));
  }
  return out;
}

const makeWorks = (): boolean => { try { execFileSync('make', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } };

describe('estimate --cross-compile: the compiled objects\' order', function () {
  this.timeout(120000);
  const tmp: string[] = [];
  after(() => { for (const d of tmp) fs.rmSync(d, { recursive: true, force: true }); });
  const buildDir = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-kbuild-')); tmp.push(d); return d; };

  it('auto: the host gcc when it builds for the arch, else the first installed of Debian\'s cross gccs (the arch table)', () => {
    const has = (...cmds: string[]) => (c: string) => cmds.includes(c);
    assert.strictEqual(autoCrossCompile(ARCHES.x86_64, 'x64', has('gcc')), '');
    assert.strictEqual(autoCrossCompile(ARCHES.arm64, 'x64', has('gcc', 'aarch64-linux-gnu-gcc')), 'aarch64-linux-gnu-');
    assert.strictEqual(autoCrossCompile(ARCHES.arm64, 'arm64', has('gcc', 'aarch64-linux-gnu-gcc')), '');
    assert.strictEqual(autoCrossCompile(ARCHES.ppc64, 'x64', has('powerpc64-linux-gnu-gcc', 'powerpc64le-linux-gnu-gcc')), 'powerpc64le-linux-gnu-');
    assert.strictEqual(autoCrossCompile(ARCHES.ppc64, 'x64', has('powerpc64-linux-gnu-gcc')), 'powerpc64-linux-gnu-');
    assert.strictEqual(autoCrossCompile(ARCHES.arm, 'x64', has('gcc')), undefined);
    assert.match(noCompilerFor(ARCHES.arm), /no gcc for arm on PATH \(looked for arm-linux-gnueabihf-gcc, arm-linux-gnueabi-gcc: Debian's gcc-arm-linux-gnueabihf\)/);
    // the CLI takes auto as the prefix it finds
    if (!onPath(`${CROSS}gcc`)) return;
    const p = resolveProfileOptions({ crossCompile: 'auto', config: cfgPath, include: [], exclude: [], rulesOn: 'built', rules: true, cache: false }, root);
    assert.strictEqual(p.compiler?.crossCompile, CROSS);
  });

  it('lists the objects whose order matters: two or more variables of one section, by the .c compiled', () => {
    const v = (name: string, file: string, section = '', unit?: string): StaticVar => ({ name, file, line: 1, size: 4, align: 4, section, objectOrder: 0, position: 0, ...(unit ? { unit } : {}) });
    assert.deepStrictEqual(unitsToCompile([
      v('a', 'kernel/one.c'),
      v('b', 'kernel/two.c'), v('c', 'kernel/two.c'),
      v('d', 'kernel/three.c'), v('e', 'kernel/three.c', '..shared_aligned'),
      v('f', 'kernel/sched/a.c', '', 'kernel/sched/build.c'), v('g', 'kernel/sched/b.c', '', 'kernel/sched/build.c'),
    ]), ['kernel/sched/build.c', 'kernel/two.c']);
  });

  it('reads each per-CPU section\'s symbols and offsets from readelf -SsW, as nm gives them', function () {
    if (compilerWorks(`${CROSS}gcc`, ['-O2'], 'readelf')) this.skip();
    const dir = buildDir();
    const src = path.join(dir, 's.c');
    // big: readelf prints a size of 100000 and more in hex (powerpc64le-64k's ftrace_stacks, 0x80000)
    fs.writeFileSync(src, '#define P(s) __attribute__((section(".data..percpu" s)))\nP("") char a; P("") char big[0x80000]; P("") long b; P("..shared_aligned") int c[3]; P("..shared_aligned") int d; int other;\n');
    const o = path.join(dir, 's.o');
    execFileSync(`${CROSS}gcc`, ['-O2', '-c', src, '-o', o]);
    const got = percpuSymbols(execFileSync('readelf', ['-SsW', o], { encoding: 'utf8' }));
    const nm = nmOffsets(o, ['a', 'big', 'b', 'c', 'd']);
    assert.deepStrictEqual([...got.keys()].sort(), ['', '..shared_aligned']);
    assert.deepStrictEqual(Object.fromEntries(got.get('')!), { a: nm.get('a'), big: nm.get('big'), b: nm.get('b') });
    assert.deepStrictEqual(Object.fromEntries(got.get('..shared_aligned')!), { c: nm.get('c'), d: nm.get('d') });
  });

  describe('on an arm64 fixture tree', function () {
    let dir: string;
    let model: EstimateResult;
    let compiled: EstimateResult;
    let real: Map<string, number>;
    before(async function () {
      if (compilerWorks(`${CROSS}gcc`, ['-O2']) || !makeWorks()) this.skip();
      dir = buildDir();
      const o = path.join(dir, 'irq-by-hand.o');
      execFileSync(`${CROSS}gcc`, ['-O2', '-I', path.join(root, 'include'), '-c', path.join(root, 'kernel/irq.c'), '-o', o]);
      real = nmOffsets(o, ['level', 'stats']);
      const base = { root, arch: ARCHES.arm64, config, cpus: 4, rules: false };
      model = await estimate(base);
      compiled = await estimate({ ...base, compiler: { crossCompile: CROSS, buildDir: dir } });
    });
    const at = (r: EstimateResult, name: string) => r.static.variables.find((v) => v.name === name)?.offset;

    it('the fixture is one the model gets wrong: it places level first', () => {
      assert.notDeepStrictEqual([at(model, 'stats'), at(model, 'level')], [real.get('stats'), real.get('level')]);
    });

    it("an object that compiles takes gcc's order and offsets (stats at 0, level after its 24 bytes)", () => {
      assert.deepStrictEqual([at(compiled, 'stats'), at(compiled, 'level')], [real.get('stats'), real.get('level')]);
      assert.deepStrictEqual([real.get('stats'), real.get('level')], [0, 24]);
      assert.strictEqual(compiled.static.order?.units, 2);
      assert.strictEqual(compiled.static.order?.compiled, 1);
      assert.strictEqual(compiled.static.order?.crossCompile, CROSS);
    });

    it("the editor's estimate with percpuLens.crossCompile gives the CLI's numbers (its build folder beside its cache)", async () => {
      const cache = path.join(buildDir(), 'scan');
      const settings: Settings = { ...DEFAULTS, arch: 'arm64', nrCpus: 8, possibleCpus: 4, configPath: cfgPath, crossCompile: CROSS, include: [], exclude: [...DEFAULTS.exclude], counts: {} };
      const view = await new RealCore({ cacheDir: cache }).estimate(root, settings, new AbortController().signal, () => undefined);
      assert.strictEqual(view.totals.bootLine, (compiled.firstChunk as { bootLine: string }).bootLine);
      assert.strictEqual(view.snapshot.firstChunk.static, compiled.static.bytes);
      assert.strictEqual(compiled.static.bytes, 36); // irq.o's 28 bytes as gcc lays them out, then broken.o's two ints
      assert.ok(fs.readdirSync(path.join(path.dirname(cache), 'kbuild')).some((d) => d.startsWith('arm64-')));
      // the log's summary says whose order the offsets follow, and what did not compile
      assert.match(summaryText(view), /note: offsets: the order inside 1 of the 2 objects .* aarch64-linux-gnu-gcc's/);
      assert.match(summaryText(view), /note: 1 of 2 objects were not compiled/);
      // auto finds the same gcc
      const auto = await new RealCore({ cacheDir: cache }).estimate(root, { ...settings, crossCompile: 'auto' }, new AbortController().signal, () => undefined);
      assert.strictEqual(auto.totals.staticBytes, view.totals.staticBytes);
    });

    it('the text report says whose order the offsets are', () => {
      assert.match(formatText(compiled), /offsets: the order inside 1 of the 2 objects holding two or more variables is aarch64-linux-gnu-gcc's, from compiling them .*1 not compiled keep the model's order \(kernel\/broken\.c: /);
      assert.match(formatText(model), /offsets: arm64's gcc places .*--cross-compile takes gcc's own order, --build-dir your build's/);
    });

    it("an object that does not compile keeps the model's order, listed with the compiler's error", () => {
      assert.deepStrictEqual(compiled.static.order?.failed.map((f) => f.file), ['kernel/broken.c']);
      assert.match(compiled.static.order!.failed[0].reason, /no_such_identifier/);
      assert.ok(compiled.config.warnings.some((w) => /1 of 2 objects were not compiled/.test(w)));
      // the model's order inside broken.o, which now starts where irq.o's real 28 bytes end
      assert.strictEqual(at(compiled, 'second')! - at(compiled, 'first')!, at(model, 'second')! - at(model, 'first')!);
      assert.strictEqual(at(compiled, 'first'), real.get('level')! + 4);
    });

    it('prepares the build folder once per tree and .config; a second run compiles only the objects not up to date', async () => {
      const log = () => fs.readFileSync(path.join(dir, 'compile.log'), 'utf8').trim().split('\n');
      const before = log().length;
      const again = await estimate({ root, arch: ARCHES.arm64, config, cpus: 4, rules: false, compiler: { crossCompile: CROSS, buildDir: dir } });
      assert.strictEqual(fs.readFileSync(path.join(dir, 'prepare.log'), 'utf8'), 'prepared\n');
      // irq.o and every file its .cmd lists are older than it; broken.o never built
      assert.deepStrictEqual(log().slice(before), ['kernel/broken.o']);
      assert.deepStrictEqual([at(again, 'stats'), at(again, 'level')], [0, 24]);
    });
  });

  it('an object is compiled again when a file it read is newer (the .cmd list Kbuild keeps beside it)', async function () {
    if (compilerWorks(`${CROSS}gcc`, ['-O2']) || !makeWorks()) this.skip();
    const tree = buildDir();
    fs.cpSync(root, tree, { recursive: true });
    const out = path.join(tree, 'out');
    const run = () => estimate({ root: tree, arch: ARCHES.arm64, config, cpus: 4, rules: false, compiler: { crossCompile: CROSS, buildDir: out } });
    await run();
    // the object as a build before the header's last edit left it
    const header = path.join(tree, 'include/linux/percpu-defs.h');
    const before = new Date(fs.statSync(header).mtimeMs - 60000);
    fs.utimesSync(path.join(out, 'kernel/irq.o'), before, before);
    const r = await run();
    assert.deepStrictEqual(fs.readFileSync(path.join(out, 'compile.log'), 'utf8').trim().split('\n').filter((l) => l === 'kernel/irq.o'), ['kernel/irq.o', 'kernel/irq.o']);
    assert.strictEqual(r.static.variables.find((v) => v.name === 'level')?.offset, 24);
  });

  it('a tree make cannot build: every object keeps the model\'s order, with make\'s reason', async function () {
    if (compilerWorks(`${CROSS}gcc`, ['-O2']) || !makeWorks()) this.skip();
    const tree = buildDir();
    fs.cpSync(path.join(root, 'kernel'), path.join(tree, 'kernel'), { recursive: true });
    fs.cpSync(path.join(root, 'include'), path.join(tree, 'include'), { recursive: true });
    fs.copyFileSync(path.join(root, 'Kbuild'), path.join(tree, 'Kbuild'));
    const r = await estimate({ root: tree, arch: ARCHES.arm64, config, cpus: 4, rules: false, compiler: { crossCompile: CROSS, buildDir: path.join(tree, 'out') } });
    assert.deepStrictEqual(r.static.order?.failed.map((f) => f.file), ['kernel/broken.c', 'kernel/irq.c']);
    assert.match(r.static.order!.failed[0].reason, /make olddefconfig failed: .*No rule to make target/);
    assert.strictEqual(r.static.variables.find((v) => v.name === 'level')?.offset, 0);
    // the folder it made stays its own: the next run prepares it again, never reads it as someone's build
    const again = await compiledOrder(tree, fs.readFileSync(cfgPath, 'latin1'), 'arm64', ['kernel/irq.c'], { crossCompile: CROSS, buildDir: path.join(tree, 'out') });
    assert.match(again.failed[0].reason, /make olddefconfig failed/);
  });

  it("what a real tree's build needs on the host (flex, bison, OpenSSL's and libelf's headers) is named before make runs, and nothing is made", async () => {
    const tree = buildDir();
    fs.cpSync(root, tree, { recursive: true });
    // what linux-source-6.12 has: Kbuild builds scripts/kconfig/conf from these, prepare sign-file and objtool
    for (const f of ['scripts/kconfig/Makefile', 'scripts/kconfig/lexer.l', 'scripts/kconfig/parser.y', 'scripts/sign-file.c', 'tools/objtool/elf.c']) {
      fs.mkdirSync(path.dirname(path.join(tree, f)), { recursive: true });
      fs.writeFileSync(path.join(tree, f), '\n');
    }
    const names = (cfg: string, has: (c: string) => boolean, hasHeader: (h: string) => boolean) => missingHostNeeds(tree, cfg, has, hasHeader).map((m) => m.pkg);
    const signed = 'CONFIG_MODULE_SIG_FORMAT=y\nCONFIG_OBJTOOL=y\n';
    assert.deepStrictEqual(names(signed, (c) => c === 'gcc', () => false), ['flex', 'bison', 'libssl-dev', 'libelf-dev']);
    assert.deepStrictEqual(names(signed, (c) => c !== 'bison', (h) => h !== 'libelf.h'), ['bison', 'libelf-dev']);
    // no host gcc: it comes first, and its headers are not asked (they would all look missing)
    assert.deepStrictEqual(names(signed, () => false, () => false), ['gcc', 'flex', 'bison']);
    // sign-file and objtool only when the .config builds them (arm64 runs no objtool; unsigned modules need no sign-file)
    assert.deepStrictEqual(names('# CONFIG_MODULE_SIG_FORMAT is not set\nCONFIG_OBJTOOL_X=y\n', () => true, () => false), []);
    assert.deepStrictEqual(names(signed, () => true, () => true), []);
    // a tree older than 4.17 ships its lexer and parser generated: nothing to ask (the fixture's stand-in tree too)
    assert.deepStrictEqual(missingHostNeeds(root, signed, () => false, () => false), []);
    // the header check asks the host's gcc, as Kbuild's host programs include them
    if (onPath('gcc')) {
      assert.strictEqual(hostHeader('stddef.h'), true);
      assert.strictEqual(hostHeader('percpu-lens/no-such-header.h'), false);
    }
    const out = path.join(tree, 'out');
    const was = process.env.PATH;
    process.env.PATH = buildDir(); // an empty folder: no flex, no bison (nor make: never reached)
    let r: EstimateResult;
    try {
      r = await estimate({ root: tree, arch: ARCHES.arm64, config, cpus: 4, rules: false, compiler: { crossCompile: CROSS, buildDir: out } });
    } finally {
      process.env.PATH = was;
    }
    assert.deepStrictEqual(r.static.order?.failed.map((f) => f.file), ['kernel/broken.c', 'kernel/irq.c']);
    assert.match(r.static.order!.failed[0].reason, /needs the host's gcc, flex, bison on this host \(Debian: apt-get install gcc flex bison\)/);
    assert.ok(!fs.existsSync(out), 'no build folder is made');
    // the model's order stands (level first, as "the fixture is one the model gets wrong" shows)
    assert.strictEqual(r.static.variables.find((v) => v.name === 'level')?.offset, 0);
  });

  it('a tree configured in place (its own .config) and a new build folder: make O= would refuse it, so nothing is run and the run says why', async () => {
    const tree = buildDir();
    fs.writeFileSync(path.join(tree, '.config'), 'CONFIG_ARM64=y\n');
    const out = path.join(tree, 'out');
    const r = await compiledOrder(tree, 'CONFIG_ARM64=y\n', 'arm64', ['kernel/irq.c'], { crossCompile: CROSS, buildDir: out });
    assert.match(r.failed[0].reason, /built in place \(\.config\).*leave out the build folder to read the tree's own objects/);
    assert.ok(!fs.existsSync(out));
  });

  describe("a build percpu-lens did not make: read as it stands, never written", function () {
    const cfgText = fs.readFileSync(cfgPath);
    /** The developer's own build: `make O=DIR` of one object, as they would run it (no stamp of ours; Kbuild's syncconfig leaves auto.conf). */
    const devBuild = (tree: string, out: string, ...objs: string[]) => {
      fs.mkdirSync(path.join(out, 'include/config'), { recursive: true });
      if (!fs.existsSync(path.join(out, '.config'))) fs.writeFileSync(path.join(out, '.config'), cfgText);
      fs.writeFileSync(path.join(out, 'include/config/auto.conf'), 'CONFIG_ARM64=y\n');
      execFileSync('make', ['-s', '-C', tree, `O=${out}`, 'ARCH=arm64', `CROSS_COMPILE=${CROSS}`, ...objs], { stdio: 'ignore' });
    };
    const lines = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n') : []);
    const at = (r: EstimateResult, name: string) => r.static.variables.find((v) => v.name === name)?.offset;
    beforeEach(function () { if (compilerWorks(`${CROSS}gcc`, ['-O2']) || !makeWorks()) this.skip(); });

    it("--build-dir DIR alone: DIR's up-to-date objects give gcc's order; make is not run there and nothing is written", async () => {
      const out = buildDir();
      devBuild(root, out, 'kernel/irq.o');
      const before = fs.readdirSync(out).sort();
      const compiled = lines(path.join(out, 'compile.log'));
      const p = resolveProfileOptions({ buildDir: out, config: cfgPath, include: [], exclude: [], rulesOn: 'built', rules: true, cache: false }, root);
      assert.strictEqual(p.compiler?.buildDir, out);
      const r = await estimate({ root, arch: ARCHES.arm64, config, cpus: 4, rules: false, compiler: p.compiler });
      assert.deepStrictEqual([at(r, 'stats'), at(r, 'level')], [0, 24]); // nm on irq.o by hand, above
      assert.strictEqual(r.static.order?.existing, true);
      assert.strictEqual(r.static.order?.compiled, 1);
      // broken.c was never built there: listed, and not built for it
      assert.deepStrictEqual(r.static.order?.failed.map((f) => [f.file, f.stale]), [['kernel/broken.c', 0]]);
      assert.match(r.static.order!.failed[0].reason, /not built in the build in .*make kernel\/broken\.o there/);
      assert.deepStrictEqual(lines(path.join(out, 'compile.log')), compiled);
      assert.deepStrictEqual(fs.readdirSync(out).sort(), before);
      assert.deepStrictEqual(fs.readFileSync(path.join(out, '.config')), cfgText);
      assert.match(formatText(r), /offsets: the order inside 1 of the 2 objects .* is the build's own, read from its objects in /);
    });

    it("the editor's percpuLens.buildDir reads it as --build-dir does, with no compiler set", async () => {
      const out = buildDir();
      devBuild(root, out, 'kernel/irq.o');
      const settings: Settings = { ...DEFAULTS, arch: 'arm64', nrCpus: 8, possibleCpus: 4, configPath: cfgPath, buildDir: out, include: [], exclude: [...DEFAULTS.exclude], counts: {} };
      const view = await new RealCore({ cacheDir: path.join(buildDir(), 'scan') }).estimate(root, settings, new AbortController().signal, () => undefined);
      assert.strictEqual(view.snapshot.firstChunk.static, 36); // irq.o's real 28 bytes, then broken.c's two ints in the model's order
      assert.match(summaryText(view), /note: offsets: the order inside 1 of the 2 objects .* the build's own/);
      const none = await new RealCore({ cacheDir: path.join(buildDir(), 'scan') }).estimate(root, { ...settings, buildDir: buildDir() }, new AbortController().signal, () => undefined);
      assert.match(summaryText(none), /percpuLens\.buildDir: .* holds no kernel build/);
    });

    it("reads each object once: readelf's answers are kept beside the cache by the object's mtime, never in the build", async () => {
      const out = buildDir();
      devBuild(root, out, 'kernel/irq.o');
      const before = fs.readdirSync(out).sort();
      // a readelf that logs each call, as the compiler's binutils would be called
      const bin = buildDir();
      const log = path.join(bin, 'calls.log');
      fs.writeFileSync(path.join(bin, 'p-readelf'), `#!/bin/sh\necho "$*" >> ${log}\nexec readelf "$@"\n`, { mode: 0o755 });
      const cacheDir = path.join(buildDir(), 'cache');
      const run = () => estimate({ root, arch: ARCHES.arm64, config, cpus: 4, rules: false, cacheDir, resultCache: false, compiler: { crossCompile: `${bin}/p-`, buildDir: out } });
      assert.deepStrictEqual([at(await run(), 'stats'), at(await run(), 'level')], [0, 24]);
      assert.deepStrictEqual(lines(log).map((l) => path.basename(l)), ['irq.o']);
      // the developer rebuilds it: read again
      const later = new Date(Date.now() + 1000);
      fs.utimesSync(path.join(out, 'kernel/irq.o'), later, later);
      assert.strictEqual(at(await run(), 'level'), 24);
      assert.strictEqual(lines(log).length, 2);
      assert.deepStrictEqual(fs.readdirSync(out).sort(), before);
      assert.strictEqual(fs.readdirSync(path.join(cacheDir, 'orders')).length, 1);
    });

    it('of another .config: every object keeps the model\'s order, its .config untouched', async () => {
      const out = buildDir();
      devBuild(root, out, 'kernel/irq.o');
      fs.writeFileSync(path.join(out, '.config'), 'CONFIG_ARM64=y\n# another build\n');
      const r = await compiledOrder(root, cfgText.toString('latin1'), 'arm64', ['kernel/irq.c'], { crossCompile: CROSS, buildDir: out });
      assert.strictEqual(r.orders.size, 0);
      assert.match(r.failed[0].reason, /another \.config than the estimate's/);
      assert.strictEqual(fs.readFileSync(path.join(out, '.config'), 'utf8'), 'CONFIG_ARM64=y\n# another build\n');
      assert.ok(!fs.existsSync(path.join(out, 'prepare.log')));
    });

    it('an object out of date keeps the model\'s order; once the developer rebuilds it, a saved result no longer stands', async () => {
      const tree = buildDir();
      fs.cpSync(root, tree, { recursive: true });
      const out = path.join(buildDir(), 'out');
      devBuild(tree, out, 'kernel/irq.o');
      // the tree an hour old (a result of files changed seconds ago is never saved), irq.o older still
      const hour = new Date(Date.now() - 3600e3);
      for (const f of fs.readdirSync(tree, { recursive: true, withFileTypes: true })) fs.utimesSync(path.join(f.parentPath ?? f.path, f.name), hour, hour);
      const old = new Date(hour.getTime() - 60000);
      fs.utimesSync(path.join(out, 'kernel/irq.o'), old, old);
      const cacheDir = path.join(buildDir(), 'cache');
      const run = () => estimate({ root: tree, arch: ARCHES.arm64, config, cpus: 4, rules: false, cacheDir, compiler: { crossCompile: '', buildDir: out } });
      const stale = await run();
      assert.match(stale.static.order!.failed.find((f) => f.file === 'kernel/irq.c')!.reason, /out of date in the build in /);
      assert.strictEqual(at(stale, 'level'), 0); // the model's order
      assert.strictEqual((await run()).stats.resultCached, true);
      devBuild(tree, out, 'kernel/irq.o');
      const rebuilt = await run();
      assert.notStrictEqual(rebuilt.stats.resultCached, true);
      assert.deepStrictEqual([at(rebuilt, 'stats'), at(rebuilt, 'level')], [0, 24]);
    });

    it('a tree built in place: --cross-compile reads its own objects, with no make run in it', async () => {
      const tree = buildDir();
      fs.cpSync(root, tree, { recursive: true });
      fs.copyFileSync(cfgPath, path.join(tree, '.config'));
      devBuild(tree, tree, 'kernel/irq.o');
      const compiled = lines(path.join(tree, 'compile.log'));
      const p = resolveProfileOptions({ crossCompile: CROSS, include: [], exclude: [], rulesOn: 'built', rules: true, cache: false }, tree);
      assert.strictEqual(p.compiler?.buildDir, tree);
      const r = await estimate({ root: tree, arch: ARCHES.arm64, config: p.config, cpus: 4, rules: false, compiler: p.compiler });
      assert.deepStrictEqual([at(r, 'stats'), at(r, 'level')], [0, 24]);
      assert.strictEqual(r.static.order?.existing, true);
      assert.deepStrictEqual(lines(path.join(tree, 'compile.log')), compiled);
      assert.ok(!fs.existsSync(path.join(tree, '.percpu-lens-prepared')));
      // estimated under another .config: nothing read, and the way out named
      const other = await compiledOrder(tree, 'CONFIG_ARM64=y\n', 'arm64', ['kernel/irq.c'], { crossCompile: CROSS, buildDir: tree });
      assert.match(other.failed[0].reason, /the tree's own build is of another \.config .*a clean copy of the tree/);
    });

    it('a tree built in place under the estimate\'s own .config is read with no option at all (CLI and editor); not before Kbuild configured it', async () => {
      const tree = buildDir();
      fs.cpSync(root, tree, { recursive: true });
      const own = path.join(tree, '.config');
      fs.copyFileSync(cfgPath, own);
      devBuild(tree, tree, 'kernel/irq.o');
      const opts = { include: [], exclude: [], rulesOn: 'built' as const, rules: true, cache: false };
      // a .config alone is not a build (no include/config/auto.conf, which syncconfig writes)
      const auto = path.join(tree, 'include/config/auto.conf');
      fs.renameSync(auto, `${auto}.away`);
      assert.strictEqual(resolveProfileOptions(opts, tree).compiler, undefined);
      fs.renameSync(`${auto}.away`, auto);
      const p = resolveProfileOptions(opts, tree);
      assert.deepStrictEqual(p.compiler, { crossCompile: '', buildDir: tree });
      const r = await estimate({ root: tree, arch: ARCHES.arm64, config: p.config, cpus: 4, rules: false, compiler: p.compiler });
      assert.deepStrictEqual([at(r, 'stats'), at(r, 'level')], [0, 24]);
      const settings: Settings = { ...DEFAULTS, arch: 'arm64', nrCpus: 8, possibleCpus: 4, configPath: own, include: [], exclude: [...DEFAULTS.exclude], counts: {} };
      const view = await new RealCore({ cacheDir: path.join(buildDir(), 'scan') }).estimate(tree, settings, new AbortController().signal, () => undefined);
      assert.match(summaryText(view), /note: offsets: the order inside 1 of the 2 objects .* the build's own, read from its objects in /);
      // another .config given, or x86: the model, nothing read
      const other = path.join(buildDir(), 'other.config');
      fs.writeFileSync(other, `${fs.readFileSync(cfgPath, 'utf8')}# CONFIG_FOO is not set\n`);
      assert.strictEqual(resolveProfileOptions({ ...opts, config: other }, tree).compiler, undefined);
      assert.strictEqual(configBuild(ARCHES.x86_64, own, tree), undefined);
    });

    it("--config naming a make O= build's own .config: that build's objects, with no other option; not a folder Kbuild did not make for this tree", async () => {
      const out = buildDir();
      devBuild(root, out, 'kernel/irq.o');
      const cfg = path.join(out, '.config');
      const opts = { config: cfg, include: [], exclude: [], rulesOn: 'built' as const, rules: true, cache: false };
      // what Kbuild leaves in an O= folder besides the objects: include/config/auto.conf (devBuild) and the source link
      assert.strictEqual(resolveProfileOptions(opts, root).compiler, undefined); // no source link: whose build?
      fs.symlinkSync(root, path.join(out, 'source'));
      const p = resolveProfileOptions(opts, root);
      assert.deepStrictEqual(p.compiler, { crossCompile: '', buildDir: out });
      const r = await estimate({ root, arch: ARCHES.arm64, config: p.config, cpus: 4, rules: false, compiler: p.compiler });
      assert.deepStrictEqual([at(r, 'stats'), at(r, 'level')], [0, 24]);
      // another tree's build
      assert.strictEqual(configBuild(ARCHES.arm64, cfg, buildDir()), undefined);
    });

    it('a folder holding only a .config (Kbuild never ran there): read as no build, and said so; its .config untouched', async () => {
      const out = buildDir();
      fs.writeFileSync(path.join(out, '.config'), cfgText);
      const r = await compiledOrder(root, cfgText.toString('latin1'), 'arm64', ['kernel/irq.c'], { crossCompile: CROSS, buildDir: out });
      assert.match(r.failed[0].reason, /holds a \.config but no build \(Kbuild never ran there\)/);
      assert.deepStrictEqual(fs.readdirSync(out), ['.config']);
      // the tree itself so: Kbuild refuses O= on it, so the way out is building in place or a clean copy
      const inTree = await compiledOrder(out, cfgText.toString('latin1'), 'arm64', ['kernel/irq.c'], { crossCompile: CROSS, buildDir: out });
      assert.match(inTree.failed[0].reason, /no build \(Kbuild never ran there\): build it in place, or give --cross-compile a clean copy/);
    });

    it('--build-dir alone naming no build: a usage error that says so', () => {
      const empty = buildDir();
      assert.throws(() => resolveProfileOptions({ buildDir: empty, config: cfgPath, include: [], exclude: [], rulesOn: 'built', rules: true, cache: false }, root),
        /--build-dir: .* holds no kernel build \(no \.config\)/);
    });
  });

  it('a build folder that cannot be made: every object listed with the reason, nothing thrown', async () => {
    const file = path.join(buildDir(), 'a-file');
    fs.writeFileSync(file, '');
    const r = await compiledOrder(root, 'CONFIG_ARM64=y\n', 'arm64', ['kernel/irq.c'], { crossCompile: CROSS, buildDir: path.join(file, 'out') });
    assert.strictEqual(r.orders.size, 0);
    assert.deepStrictEqual(r.failed.map((f) => f.file), ['kernel/irq.c']);
    assert.match(r.failed[0].reason, /ENOTDIR/);
  });

  it('x86_64 compiles nothing: its gcc emits in reverse declaration order, which the model follows', async () => {
    const dir = path.join(os.tmpdir(), `percpu-lens-never-${process.pid}`);
    const r = await estimate({ root, arch: ARCHES.x86_64, config: parseDotConfig('CONFIG_X86_64=y\nCONFIG_SMP=y\n', cfgPath), cpus: 4, rules: false, compiler: { crossCompile: '', buildDir: dir } });
    assert.strictEqual(r.static.order, undefined);
    assert.ok(r.config.warnings.some((w) => /nothing compiled/.test(w)));
    assert.ok(!fs.existsSync(dir));
  });
});
