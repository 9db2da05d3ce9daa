import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const run = (args: string[], cwd?: string) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60000, cwd });

describe('CLI: bad usage and bad input', function () {
  this.timeout(120000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-cli-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

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
