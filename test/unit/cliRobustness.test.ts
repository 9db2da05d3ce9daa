import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { collectNow, growthAllowed, throttledRss, tierUpLater } from '../../src/core/memory';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
// the scan cache goes to a throw-away folder, not the user's ~/.cache
const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-cli-cache-'));
const run = (args: string[], cwd?: string) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60000, cwd, env: { ...process.env, XDG_CACHE_HOME: cacheHome } });

describe('CLI: bad usage and bad input', function () {
  this.timeout(120000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-cli-'));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(cacheHome, { recursive: true, force: true });
  });

  for (const bad of ['0', '-4', 'abc', '1000000000000', '4.5']) {
    it(`--nr-cpus ${bad} is bad usage (exit 2, a message, no stack)`, () => {
      const r = run(['estimate', '--nr-cpus', bad, '--json']);
      assert.strictEqual(r.status, 2, r.stderr);
      assert.match(r.stderr, /--nr-cpus must be/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.strictEqual(r.stdout, '');
    });
  }

  it('an unknown arch, a missing directory, a missing .config and an unknown option are exit 2', () => {
    assert.strictEqual(run(['estimate', '--arch', 'vax']).status, 2);
    assert.strictEqual(run(['estimate', path.join(tmp, 'nope')]).status, 2);
    assert.strictEqual(run(['estimate', '--config', path.join(tmp, 'nope.config')]).status, 2);
    assert.strictEqual(run(['estimate', '--frobnicate']).status, 2);
    assert.strictEqual(run(['simulate', '--arch', 'x86_64', '--static', 'lots', '--cpus', '4']).status, 2);
  });

  it('an empty folder gives an empty, valid estimate', () => {
    const d = path.join(tmp, 'empty');
    fs.mkdirSync(d);
    const r = run(['estimate', d, '--json', '--cpus', '2']);
    assert.strictEqual(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.strictEqual(j.static.bytes, 0);
    assert.deepStrictEqual(j.dynamic.callsites, []);
  });

  it('a garbage .config is read with warnings, not a crash', () => {
    const d = path.join(tmp, 'garbage');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, '.config'), 'CONFIG_SMP=y\n\x00\xff\xfe garbage ===\nCONFIG_NR_CPUS=abc\nCONFIG_NR_CPUS\n');
    fs.writeFileSync(path.join(d, 'a.c'), 'DEFINE_PER_CPU(int, a);\n');
    const r = run(['estimate', d, '--json', '--cpus', '2']);
    assert.strictEqual(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.config.warnings.length > 0);
    assert.strictEqual(j.static.variables.length, 1);
  });

  for (const bad of ['0', '-1', 'abc', '1000000000000']) {
    it(`--cpus ${bad} is bad usage (exit 2, a message, no stack)`, () => {
      const r = run(['estimate', '--cpus', bad, '--json']);
      assert.strictEqual(r.status, 2, r.stderr);
      assert.match(r.stderr, /--cpus must be/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }

  it('other bad usage is exit 2 with one line saying why', () => {
    const file = path.join(tmp, 'plain.c');
    fs.writeFileSync(file, 'int x;\n');
    const cases: [string[], RegExp][] = [
      [['estimate', file], /not a directory/],
      [['estimate', '--json', '--sarif'], /exclusive/],
      [['estimate', '--kernel', 'abc'], /--kernel must look like/],
      [['estimate', '--top', '0'], /--top must be/],
      [['estimate', '--instances', '-1'], /--instances must be/],
      [['scan', path.join(tmp, 'nope'), '--json'], /no such file or directory/],
      [['layout', path.join(tmp, 'nope.c'), '--json'], /cannot read/],
    ];
    for (const [args, msg] of cases) {
      const r = run(args);
      assert.strictEqual(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  for (const bad of ['0', '-5', 'abc', '1000000000000', '"8"']) {
    it(`CONFIG_NR_CPUS=${bad} in the .config: a warning, the default, a full estimate`, () => {
      const d = path.join(tmp, `nr-${bad.replace(/\W/g, '_')}`);
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'a.c'), 'DEFINE_PER_CPU(int, a);\nstatic int per[NR_CPUS];\n');
      fs.writeFileSync(path.join(d, 'bad.config'), `CONFIG_SMP=y\nCONFIG_NR_CPUS=${bad}\n`);
      const r = run(['estimate', d, '--config', path.join(d, 'bad.config'), '--json', '--cpus', '2', '--no-cache']);
      assert.strictEqual(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.strictEqual(j.config.nrCpus, 64);
      assert.ok(j.config.warnings.some((w: string) => /CONFIG_NR_CPUS=.* is not a CPU count|bad value for CONFIG_NR_CPUS/.test(w)), j.config.warnings.join('\n'));
      assert.match(j.firstChunk.bootLine, /^percpu: Embedded/);
      assert.strictEqual(j.nrCpusArrays[0].bytesAtNrCpus, 4 * 64);
    });
  }

  it('malformed, truncated, NUL, non-UTF-8, CRLF, macro soup, a 50 MB header and symlink loops: partial results, exit 0', () => {
    const d = path.join(tmp, 'hostile');
    fs.mkdirSync(path.join(d, 'sub'), { recursive: true });
    const w = (f: string, b: string | Buffer) => fs.writeFileSync(path.join(d, f), typeof b === 'string' ? Buffer.from(b, 'latin1') : b);
    w('good.c', 'DEFINE_PER_CPU(int, good);\n');
    w('nul.c', 'DEFINE_PER_CPU(int, nul\x00x);\n\x00\x00static DEFINE_PER_CPU(long, after_nul);\n');
    w('latin.c', 'DEFINE_PER_CPU(int, lat\xe9\xff\xfe);\nDEFINE_PER_CPU(int, after_bad_utf8);\n');
    w('crlf.c', 'DEFINE_PER_CPU(int, crlf_a);\r\nstruct s {\r\n\tatomic_t refcnt;\r\n\tint x[NR_CPUS];\r\n};\r\n');
    w('trunc.c', 'int ok;\nstruct { DEFINE_PER_CPU(int, trunc');
    w('soup.c', 'DEFINE_PER_CPU('.repeat(200) + 'int, soup' + ')'.repeat(50) + ';\n#if\n#endif\n#else\n}}}}{{{\n');
    // 50 MB of generated register defines with one trigger at the very end
    const line = '#define REG_0000000 0x12345678 /* generated register */\n';
    const big = Buffer.alloc(50 * 1024 * 1024 + 64, line);
    Buffer.from('\nDEFINE_PER_CPU(int, in_big_header);\n').copy(big, big.length - 40);
    w('big.h', big);
    fs.symlinkSync('..', path.join(d, 'sub', 'loop'));
    fs.symlinkSync('self.c', path.join(d, 'self.c'));
    const r = run(['estimate', d, '--json', '--cpus', '2', '--no-cache']);
    assert.strictEqual(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const names = j.static.variables.map((v: { name: string }) => v.name).sort();
    assert.deepStrictEqual(names, ['after_bad_utf8', 'after_nul', 'crlf_a', 'good', 'soup']); // soup: the innermost call is whole
    const errs = j.errors.map((e: { file: string; message: string }) => `${e.file}: ${e.message}`).join('\n');
    assert.match(errs, /sub\/loop: symlink loop/);
    assert.match(errs, /self\.c: broken symlink: ELOOP/);
    assert.match(errs, /big\.h: not parsed: \d+ bytes is over the \d+-byte parse limit/);
    const unresolved = j.unresolved.map((u: { file: string }) => u.file);
    for (const f of ['nul.c', 'latin.c', 'trunc.c', 'soup.c']) assert.ok(unresolved.includes(f), `${f} not reported as unresolved`);
  });

  it('unreadable files and folders are reported and skipped', function () {
    const d = path.join(tmp, 'locked');
    fs.mkdirSync(path.join(d, 'closed'), { recursive: true });
    fs.writeFileSync(path.join(d, 'good.c'), 'DEFINE_PER_CPU(int, good);\n');
    fs.writeFileSync(path.join(d, 'secret.c'), 'DEFINE_PER_CPU(int, secret);\n');
    fs.writeFileSync(path.join(d, 'closed', 'inner.c'), 'DEFINE_PER_CPU(int, inner);\n');
    fs.chmodSync(path.join(d, 'secret.c'), 0);
    fs.chmodSync(path.join(d, 'closed'), 0);
    try {
      let readable = true;
      try { fs.readFileSync(path.join(d, 'secret.c')); } catch { readable = false; }
      if (readable) {
        console.log('      (skipped: this user reads files with mode 000, e.g. root; permissions cannot be tested here)');
        this.skip();
      }
      const r = run(['estimate', d, '--json', '--cpus', '2', '--no-cache']);
      assert.strictEqual(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.deepStrictEqual(j.static.variables.map((v: { name: string }) => v.name), ['good']);
      const errs = j.errors.map((e: { file: string; message: string }) => `${e.file}: ${e.message}`).join('\n');
      assert.match(errs, /secret\.c: cannot read: EACCES/);
      assert.match(errs, /closed: cannot read directory: EACCES/);
    } finally {
      fs.chmodSync(path.join(d, 'secret.c'), 0o644);
      fs.chmodSync(path.join(d, 'closed'), 0o755);
    }
  });

  it('the main job runs on the bundled sample with no argument, in text, JSON and SARIF', () => {
    const t = run(['estimate', '--cpus', '4']);
    assert.strictEqual(t.status, 0, t.stderr);
    assert.match(t.stdout, /percpu: Embedded 12 pages\/cpu s8808 r8192 d32152 u524288/);
    const j = JSON.parse(run(['estimate', '--json', '--cpus', '4']).stdout);
    assert.strictEqual(j.static.bytes, 8808);
    const s = JSON.parse(run(['estimate', '--sarif', '--cpus', '4']).stdout);
    assert.strictEqual(s.version, '2.1.0');
  });
});

describe('CLI: how the command starts', () => {
  it('its first line starts node as launch.json says (one malloc arena, a fixed mmap threshold, 8 MB semi-spaces), and runs as a command', () => {
    const launch = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'src', 'core', 'launch.json'), 'utf8')) as unknown;
    assert.deepStrictEqual(launch, { env: { MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '131072' }, nodeArgs: ['--max-semi-space-size=8'] });
    const first = fs.readFileSync(cli, 'utf8').split('\n')[0];
    assert.strictEqual(first, '#!/usr/bin/env -S MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=8');
    // the same line over a probe script: the kernel and env(1) give node that environment
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-shebang-'));
    const probe = path.join(dir, 'probe.js');
    const semi = "require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size";
    // the young generation filled past 8 MB semi-spaces: it stays at 2 x 8 MB (node's default grows to 2 x 16)
    fs.writeFileSync(probe, `${first}\nlet a = []; for (let i = 0; i < 3e6; i++) { a.push({ i, s: 's' + i }); if (a.length > 2e5) a = []; }\nprocess.stdout.write(process.env.MALLOC_ARENA_MAX + ' ' + process.env.MALLOC_MMAP_THRESHOLD_ + ' ' + ${semi} / 1048576);\n`, { mode: 0o755 });
    const r = spawnSync(probe, [], { encoding: 'utf8', env: { ...process.env, MALLOC_ARENA_MAX: '', MALLOC_MMAP_THRESHOLD_: '' }, timeout: 30000 });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.strictEqual(r.stdout, '1 131072 16', r.stderr || String(r.error));
    // and the command itself runs through it
    const v = spawnSync(cli, ['--version'], { encoding: 'utf8', timeout: 30000 });
    assert.strictEqual(v.status, 0, v.stderr);
  });
});

describe('CLI: worker threads keep their own young generation', () => {
  it('after workerYoungGeneration, a worker gets its resourceLimits (4 MB) and the main thread keeps 2 x 8 MB', () => {
    const memory = path.join(__dirname, '..', '..', 'src', 'core', 'memory.js');
    const fill = "let a = []; for (let i = 0; i < 3e6; i++) { a.push({ i, s: 's' + i }); if (a.length > 2e5) a = []; }";
    const semi = "require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576";
    const script = `const { Worker } = require('worker_threads');
require(${JSON.stringify(memory)}).workerYoungGeneration();
${fill}
const w = new Worker(${JSON.stringify(`const { parentPort } = require('worker_threads'); ${fill}; parentPort.postMessage(${semi});`)}, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
w.on('message', (m) => { process.stdout.write(m + ' ' + ${semi}); w.terminate(); });`;
    const r = spawnSync(process.execPath, ['--max-semi-space-size=8', '-e', script], { encoding: 'utf8', timeout: 60000 });
    // without the call the worker's new space is the flag's 16 MB; with it at most its own 4 MB
    // (V8 grows a new space toward its limit as objects survive: a loaded machine saw 2)
    const [worker, main] = r.stdout.split(' ').map(Number);
    assert.ok(worker > 0 && worker <= 4, `worker ${r.stdout} ${r.stderr || String(r.error)}`);
    assert.strictEqual(main, 16, r.stdout);
  });
});

describe('CLI: when the heap is collected', () => {
  const MB = 1024 * 1024;
  it('after 48 MB of growth while little is live; past 160 MB minus the growth, less, down to 16 MB', () => {
    assert.strictEqual(growthAllowed(60 * MB), 48 * MB);
    assert.strictEqual(growthAllowed(112 * MB), 48 * MB);
    assert.strictEqual(growthAllowed(130 * MB), 30 * MB);
    assert.strictEqual(growthAllowed(150 * MB), 16 * MB);
    assert.strictEqual(growthAllowed(300 * MB), 16 * MB);
  });
  it('past 256 MB resident, after 16 MB of growth whatever the heap holds (the RSS is read only then)', () => {
    let reads = 0;
    const rss = (mb: number) => () => { reads++; return mb * MB; };
    assert.strictEqual(collectNow(40 * MB, 36 * MB, rss(200)), true);
    assert.strictEqual(collectNow(20 * MB, 36 * MB, rss(250)), false);
    assert.strictEqual(collectNow(20 * MB, 36 * MB, rss(260)), true);
    assert.strictEqual(reads, 2);
    assert.strictEqual(collectNow(15 * MB, 36 * MB, rss(400)), false);
    assert.strictEqual(reads, 2);
    // a wait under 16 MB stays the wait
    assert.strictEqual(collectNow(9 * MB, 8 * MB, rss(100)), true);
    // diff's short runs: no RSS limit, and the RSS is not read
    const before = reads;
    assert.strictEqual(collectNow(20 * MB, 128 * MB, rss(400), Infinity), false);
    assert.strictEqual(reads, before);
  });
  it('far under 256 MB resident, the RSS is read again only 10 ms after the last read; near it, at every pause', () => {
    let reads = 0;
    let ms = 0;
    let mb = 200;
    const rss = throttledRss(() => { reads++; return mb * MB; }, 256 * MB, () => ms);
    // a pause every 0.1 ms past 16 MB of growth at 200 MB resident: 3 reads in 25 ms, not 250
    for (; ms < 25; ms += 0.1) assert.strictEqual(collectNow(20 * MB, 36 * MB, rss.get), false);
    assert.strictEqual(reads, 3);
    // within 32 MB of the limit: every pause reads it, and the first past it collects
    mb = 240;
    rss.reset();
    reads = 0;
    for (let i = 0; i < 10; i++) assert.strictEqual(collectNow(20 * MB, 36 * MB, rss.get), false);
    assert.strictEqual(reads, 10);
    mb = 257;
    assert.strictEqual(collectNow(20 * MB, 36 * MB, rss.get), true);
  });
  it("diff's short runs keep their own growth (no cap), and a growth under 16 MB is not raised", () => {
    assert.strictEqual(growthAllowed(150 * MB, 128 * MB, Infinity), 128 * MB);
    assert.strictEqual(growthAllowed(150 * MB, 8 * MB), 8 * MB);
  });
});

describe('whole-tree runs: V8 optimizes later (tierUpLater)', () => {
  // a function called from code that is never optimized, until TurboFan has optimized it (status bit 16): how many calls
  const probe = (later: boolean) => {
    const memory = path.join(__dirname, '..', '..', 'src', 'core', 'memory.js');
    const script = `${later ? `require(${JSON.stringify(memory)}).tierUpLater();` : ''}
function f(x) { return (x * 31 + 7) % 1009; }
function drive() { for (let n = 0; n < 1e6; n++) { f(n); if (n % 50 === 0 && (%GetOptimizationStatus(f) & 16)) return n; } return -1; }
%NeverOptimizeFunction(drive);
process.stdout.write(String(drive()));`;
    return spawnSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', '-e', script], { encoding: 'utf8', timeout: 60000 });
  };

  it('on V8 11 (node 20) a function takes about three times as many calls to be optimized, and nothing is printed', function () {
    if (Number(process.versions.v8.split('.')[0]) !== 11) this.skip();
    const now = probe(false);
    const later = probe(true);
    assert.strictEqual(later.stderr, '');
    // V8's default budget optimized it after 4,550 calls on node 20, 200000 after 13,350
    assert.ok(Number(now.stdout) > 0 && Number(later.stdout) >= 2.5 * Number(now.stdout), `${now.stdout} -> ${later.stdout}`);
  });

  it('other engines are left as they are: node 24 refuses the flag', () => {
    assert.strictEqual(tierUpLater('13.6.233.10-node.27'), false);
    assert.strictEqual(tierUpLater('12.4.254.21-node.33'), false);
  });
});
