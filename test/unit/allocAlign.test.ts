// __alloc_percpu(sizeof(T), A) asks pcpu_alloc for A, not for T's own alignment: Linux 6.12's
// mm/slub.c allocates its kmem_cache_cpu with 2 * sizeof(void *) (16 on x86_64, the align=16 that
// Debian's amd64 boot traces under do_kmem_cache_create, test/fixtures/boots/amd64-4.trace).
// Sizes from C's rules (checked with x86_64 gcc: sizeof 24, __alignof__ 8).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { estimate } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { defaultConfig } from '../../src/core/config/kconfig';

const SLUB = `struct kmem_cache_cpu { void *freelist; unsigned long tid; void *slab; };
struct kmem_cache { struct kmem_cache_cpu __percpu *cpu_slab; };
int alloc_kmem_cache_cpus(struct kmem_cache *s)
{
	s->cpu_slab = __alloc_percpu(sizeof(struct kmem_cache_cpu), 2 * sizeof(void *));
	return 0;
}
void plain(struct kmem_cache *s)
{
	s->cpu_slab = alloc_percpu(struct kmem_cache_cpu);
}
`;

describe('__alloc_percpu with sizeof(T): the alignment argument counts', function () {
  this.timeout(60000);
  it('sizes from T, alignment from the argument; alloc_percpu(T) keeps T\'s own', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'allocalign-'));
    try {
      fs.mkdirSync(path.join(root, 'mm'));
      fs.writeFileSync(path.join(root, 'mm', 'slub.c'), SLUB);
      const r = await estimate({ root, arch: ARCHES.x86_64, config: defaultConfig('x86_64'), cpus: 4, rules: false });
      const at = (line: number) => r.dynamic.callsites.find((c) => c.file === 'mm/slub.c' && c.line === line);
      assert.deepStrictEqual([at(5)?.size, at(5)?.align], [24, 16]);
      assert.deepStrictEqual([at(10)?.size, at(10)?.align], [24, 8]);
    } finally { fs.rmSync(root, { recursive: true, force: true }); }
  });
});
