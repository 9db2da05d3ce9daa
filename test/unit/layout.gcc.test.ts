// The layout engine against the compiler itself: 1,200 random GNU C types per arch (fixed seed),
// sizeof / __alignof__ / offsetof read from an object file. Every figure must match.
import * as assert from 'assert';
import { ARCHES, ArchName } from '../../src/core/config/arch';
import { defaultConfig } from '../../src/core/config/kconfig';
import { LayoutEngine, isUnknown } from '../../src/core/layout';
import { generate, probes } from './support/randomTypes';
import { compileSizes, compilerWorks } from './support/gccTruth';

const COUNT = 1200;
const SEED = 20261123;

const TARGETS: Array<{ arch: ArchName; cc: string; flags: string[]; optional?: string }> = [
  { arch: 'x86_64', cc: 'gcc', flags: ['-m64'] },
  { arch: 'i386', cc: 'gcc', flags: ['-m32'] },
  // an extra check where clang is installed (not in CI): the Debian aarch64 cross gcc is not available here
  { arch: 'arm64', cc: 'clang', flags: ['--target=aarch64-linux-gnu'], optional: 'clang with the AArch64 target' },
];

describe('layout matches the compiler on random types', function () {
  this.timeout(120_000);
  for (const t of TARGETS) {
    it(`${t.arch}: ${COUNT} random structs/unions/enums/typedefs (${t.cc} ${t.flags.join(' ')})`, async function () {
      const broken = compilerWorks(t.cc, t.flags);
      if (broken) {
        if (t.optional) { this.skip(); return; }
        assert.fail(`${t.cc} ${t.flags.join(' ')} does not work here (install gcc-multilib): ${broken}`);
      }
      const arch = ARCHES[t.arch];
      const g = generate(COUNT, SEED, arch.scalars.long.size * 8);
      const p = probes(g);
      const truth = compileSizes(t.cc, t.flags, p.source);
      assert.ok(truth.size >= COUNT * 2, `nm gave only ${truth.size} symbols`);
      const engine = await LayoutEngine.create({ arch, config: defaultConfig(t.arch) });
      const file = '/virtual/random-types.c';
      engine.addSource(file, g.source);
      const bad = new Map<string, string[]>();
      let checks = 0;
      for (const [sym, k] of p.keys) {
        const want = truth.get(sym);
        assert.notStrictEqual(want, undefined, `no symbol ${sym} in the object file`);
        let got: number | string;
        if (k.what === 'offset') {
          const r = engine.evalInt(`__builtin_offsetof(${k.type}, ${k.member})`, file);
          got = isUnknown(r) ? r.error : r + 1;
        } else {
          const r = engine.sizeOf(k.type, file);
          got = isUnknown(r) ? r.error : k.what === 'size' ? r.size + 1 : r.align;
        }
        checks++;
        if (got !== want) {
          const l = bad.get(k.type) ?? [];
          l.push(`${k.what}${k.member ? ` ${k.member}` : ''}: gcc ${want}, engine ${got}`);
          bad.set(k.type, l);
        }
      }
      const types = new Set([...p.keys.values()].map((k) => k.type)).size;
      const report = [...bad].slice(0, 8).map(([ty, l]) => `  ${ty}: ${l.join('; ')}`).join('\n');
      assert.strictEqual(bad.size, 0, `${bad.size} of ${types} types differ from ${t.cc} (${checks} checks):\n${report}`);
    });
  }
});
