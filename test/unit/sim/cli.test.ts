// `percpu-lens simulate` end to end through the built CLI (npm run build precedes the tests).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';

const CLI = path.join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'simulate', ...args], { encoding: 'utf8' });

describe('cli: simulate', () => {
  it('--json gives the first chunk of samples/boot-lines.jsonl #5 (ppc64, 2 nodes)', () => {
    const r = run('--arch', 'ppc64', '--static', '38584', '--groups', '0-15;16-31', '--json');
    assert.strictEqual(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.strictEqual(j.pagesPerCpu, 19);
    assert.deepStrictEqual([j.static, j.reserved, j.dynamic, j.unitSize, j.allocSize, j.unitsPerAlloc], [38584, 0, 39240, 77824, 77824, 1]);
    assert.deepStrictEqual(j.groups.map((g: { cpus: number[] }) => g.cpus.length), [16, 16]);
    assert.strictEqual(j.bootLine, 'percpu: Embedded 19 pages/cpu s38584 r0 d39240 u77824');
  });
  it('without --json prints the boot lines', () => {
    const r = run('--arch', 'x86_64', '--static', '144408', '--cpus', '2', '--nr-cpus', '512', '--kernel', '4.19.98');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout, [
      'setup_percpu: NR_CPUS:512 nr_cpumask_bits:512 nr_cpu_ids:2 nr_node_ids:1',
      'percpu: Embedded 45 pages/cpu s144408 r8192 d31720 u1048576',
      'pcpu-alloc: s144408 r8192 d31720 u1048576 alloc=1*2097152',
      'pcpu-alloc: [0] 0 1', ''].join('\n'));
  });
  it('--stats prints percpu_stats; --module loads report the kernel messages', () => {
    const r = run('--arch', 'arm64', '--static', '87448', '--cpus', '4', '--module', 'a=4104', '--module', 'scsi_mod=4104', '--stats');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes('scsi_mod: Could not allocate 4104 bytes percpu data\n'));
    assert.ok(r.stdout.includes('Percpu Memory Statistics\n'));
    assert.ok(r.stdout.includes('Chunk: <- Reserved Chunk\n'));
  });
  const bad: Array<[string, string[], RegExp]> = [
    ['NR_CPUS=0', ['--cpus', '4', '--nr-cpus', '0'], /--nr-cpus must be between 1 and 8192/],
    ['negative', ['--cpus', '-3'], /--cpus must be between 1 and 8192/],
    ['abc', ['--cpus', 'abc'], /--cpus must be an integer/],
    ['10^12', ['--cpus', '4', '--reserved', '1000000000000'], /--reserved must be between/],
    ['cpus > 8192', ['--cpus', '8193'], /--cpus must be between 1 and 8192/],
    ['malformed groups', ['--groups', '0-3;x'], /malformed CPU list/],
    ['descending range', ['--groups', '3-0'], /descending/],
    ['unknown arch', ['--cpus', '2', '--arch', 'vax'], /unknown arch/],
    ['no CPUs given', [], /--cpus N or --groups/],
    ['NR_CPUS below nr_cpu_ids', ['--cpus', '16', '--nr-cpus', '8'], /smaller than the CPU ids/],
    ['bad kernel', ['--cpus', '2', '--kernel', 'x.y'], /kernel version/],
    ['reserved not multiple of 4', ['--cpus', '2', '--reserved', '8190'], /multiple of 4/],
  ];
  for (const [name, args, re] of bad) {
    it(`bad input → exit 2: ${name}`, () => {
      const r = run('--arch', 'x86_64', '--static', '100000', ...args);
      assert.strictEqual(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, re);
    });
  }
});
