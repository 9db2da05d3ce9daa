import * as assert from 'assert';
import { resolveNrCpus } from '../../src/core/estimate/nrCpus';
import { parseDotConfig } from '../../src/core/config/kconfig';

describe('NR_CPUS from settings and .config', () => {
  const cfg = (v?: string) => parseDotConfig(v === undefined ? 'CONFIG_SMP=y\n' : `CONFIG_NR_CPUS=${v}\n`, 't.config');

  it('takes a valid setting, else a valid CONFIG_NR_CPUS (decimal or hex), else 64', () => {
    const w: string[] = [];
    assert.strictEqual(resolveNrCpus(16, cfg('512'), w), 16);
    assert.strictEqual(resolveNrCpus(undefined, cfg('512'), w), 512);
    assert.strictEqual(resolveNrCpus(undefined, cfg('0x20'), w), 32);
    assert.strictEqual(resolveNrCpus(undefined, cfg(), w), 64);
    assert.deepStrictEqual(w, []);
  });

  it('warns about settings and values that are no CPU count and skips them', () => {
    for (const bad of [0, -1, 4.5, NaN, 1e12, 8193]) {
      const w: string[] = [];
      assert.strictEqual(resolveNrCpus(bad, cfg('128'), w), 128, String(bad));
      assert.match(w.join('\n'), /NR_CPUS .* is not a CPU count/);
    }
    for (const bad of ['0', '-5', '1000000000000', '8193', '"8"']) {
      const w: string[] = [];
      assert.strictEqual(resolveNrCpus(undefined, cfg(bad), w), 64, bad);
      assert.match(w.join('\n'), /CONFIG_NR_CPUS=.* in t\.config is not a CPU count/);
    }
  });
});
