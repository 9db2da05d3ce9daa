// Trace events attributed through the file's call graph: gcc inlines a static helper into its caller,
// so the event names the caller (mm/slub.c: do_kmem_cache_create -> kmem_cache_open ->
// alloc_kmem_cache_cpus, where the alloc_percpu stands). A name that starts with an annotation word
// (__percpu_init_rwsem) is a function name, not the annotation.
import * as assert from 'assert';
import { countsFromTrace, parseTrace } from '../../src/core/estimate/counts';
import { reachableSites } from '../../src/core/estimate/traceAttribution';
import { blankAnnotations } from '../../src/core/parse/annotations';

const SLUB = `// SPDX-License-Identifier: GPL-2.0
static int alloc_kmem_cache_cpus(struct kmem_cache *s)
{
	s->cpu_slab = __alloc_percpu(sizeof(struct kmem_cache_cpu),
				     2 * sizeof(void *));
	return s->cpu_slab ? 1 : 0;
}

static int init_kmem_cache_nodes(struct kmem_cache *s)
{
	return 1;
}

static int kmem_cache_open(struct kmem_cache *s, slab_flags_t flags)
{
	if (!init_kmem_cache_nodes(s))
		goto error;
	if (alloc_kmem_cache_cpus(s))
		return 0;
error:
	return -EINVAL;
}

int do_kmem_cache_create(struct kmem_cache *s, const char *name,
			 unsigned int size, struct kmem_cache_args *args,
			 slab_flags_t flags)
{
	return kmem_cache_open(s, flags);
}

void unrelated(void)
{
	void __percpu *p = alloc_percpu(long);
}
`;
// the 6.12 field layout (include/trace/events/percpu.h), as in a real boot's trace
const EVENT = (fn: string, size: number) => `  swapper-1 [000] ..... 0.5: percpu_alloc_percpu: call_site=${fn}+0x1c1/0x4f0 reserved=0 is_atomic=0 size=${size} align=16 base_addr=ffff8c203ec3b000 off=2400 ptr=000000000003b960 bytes_alloc=128 gfp_flags=GFP_KERNEL`;

describe('trace attribution through inlined static functions', () => {
  const sites = [
    { file: 'mm/slub.c', line: 4, func: 'alloc_kmem_cache_cpus', size: 32 },
    { file: 'mm/slub.c', line: 41, func: 'unrelated', size: 8 },
  ];
  const textOf = (f: string) => (f === 'mm/slub.c' ? SLUB : undefined);

  it('finds the sites a traced function reaches through the functions of its file', async () => {
    assert.deepStrictEqual(await reachableSites('do_kmem_cache_create', sites, textOf), [sites[0]]);
    assert.deepStrictEqual(await reachableSites('init_kmem_cache_nodes', sites, textOf), []);
    assert.deepStrictEqual(await reachableSites('not_in_the_file', sites, textOf), []);
  });

  it('counts do_kmem_cache_create\'s events at alloc_kmem_cache_cpus\'s line', async () => {
    const { events } = parseTrace([EVENT('do_kmem_cache_create', 32), EVENT('do_kmem_cache_create', 32), EVENT('elsewhere', 64)].join('\n'));
    const direct = countsFromTrace(events, sites);
    assert.strictEqual(direct.attributedBytes, 0);
    const r = countsFromTrace(events, sites, new Map([['do_kmem_cache_create', await reachableSites('do_kmem_cache_create', sites, textOf)]]));
    assert.deepStrictEqual([...r.counts], [['mm/slub.c:4', 2]]);
    assert.strictEqual(r.attributedBytes, 64);
    assert.strictEqual(r.tracedBytes, 128);
    assert.deepStrictEqual(r.unmatched, [{ func: 'elsewhere', size: 64, count: 1 }]);
  });

  it('annotation words end where identifiers end', () => {
    const t = 'int __percpu_init_rwsem(struct percpu_rw_semaphore *sem) { int __percpu *p; }';
    const b = blankAnnotations(t, [[0, t.length]]);
    assert.ok(b.startsWith('int __percpu_init_rwsem('), b);
    assert.ok(b.includes('int          *p'), b);
  });
});
