// The layout engine against a compiler on the same random GNU C types: one comparison for
// layout.gcc.test.ts (the host gcc) and layout.cross.test.ts (Debian's cross compilers).
import * as assert from 'assert';
import { ARCHES, ArchName } from '../../../src/core/config/arch';
import { defaultConfig } from '../../../src/core/config/kconfig';
import { LayoutEngine, isUnknown } from '../../../src/core/layout';
import { generate, probes } from './randomTypes';
import { compileSizes } from './gccTruth';

/** Fails with the first differing types when any size, alignment or offset differs from `cc`'s. */
export async function assertLayoutMatchesCompiler(arch: ArchName, cc: string, flags: string[], count: number, seed: number, reader: 'nm' | 'readelf' = 'nm'): Promise<void> {
  const profile = ARCHES[arch];
  const g = generate(count, seed, profile.scalars.long.size * 8);
  const p = probes(g);
  const truth = compileSizes(cc, flags, p.source, reader);
  assert.ok(truth.size >= count * 2, `${reader} gave only ${truth.size} symbols`);
  const engine = await LayoutEngine.create({ arch: profile, config: defaultConfig(arch) });
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
  assert.strictEqual(bad.size, 0, `${bad.size} of ${types} types differ from ${cc} (${checks} checks):\n${report}`);
}
